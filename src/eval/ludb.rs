//! Delineation scoring over a folder of records laid out as LUDB: `NAME.hea`/`NAME.dat` and one
//! reference annotation file per lead, `NAME.i`, `NAME.ii`, … `NAME.v6`.
//!
//! The predictions come either from the built-in [`Delineator`] or from annotation files of
//! another method in the same layout, so both are scored by the same code.

use super::delineation::{
    Boundary, DelineationReport, SpanRule, Tally, annotation_boundaries, median, score_lead_with,
    wave_boundaries,
};
use crate::delineate::Delineator;
use crate::error::{Error, Result};
use crate::geometry::normalise_lead_name;
use crate::record::annotation::read_annotations;
use crate::record::open_record;
use crate::record::split::Split;
use crate::record::wfdb_io::read_header;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// LUDB's per-lead annotation file extensions, in the records' lead order.
pub const LUDB_LEADS: [&str; 12] = [
    "i", "ii", "iii", "avr", "avl", "avf", "v1", "v2", "v3", "v4", "v5", "v6",
];

/// What to score, and where the predictions come from.
#[derive(Debug, Clone)]
pub struct EvalConfig {
    /// Folder holding the records and their reference annotation files.
    pub records: PathBuf,
    /// Annotation file extensions of the leads to score (e.g. `["ii"]`, or [`LUDB_LEADS`]).
    pub leads: Vec<String>,
    /// Split file whose test records are the only ones scored; all records when `None`.
    pub split: Option<PathBuf>,
    /// Delineator weights to evaluate instead of the shipped ones.
    pub weights: Option<PathBuf>,
    /// Which part of each lead counts.
    pub span: SpanRule,
    /// Folder of predicted annotation files (`NAME.ii`, …) to score instead of running the
    /// built-in delineator.
    pub predictions: Option<PathBuf>,
}

/// Score every selected record of `config.records` that has reference files, pooling all leads.
///
/// Records without any reference file of the selected leads are skipped, and a selected lead
/// without its reference file is left out; both are reported through `note`. Errors: a missing
/// records folder, a split naming records the folder lacks, an unreadable file (named), a
/// missing prediction file, or nothing left to score.
pub fn evaluate(config: &EvalConfig, note: &mut dyn FnMut(&str)) -> Result<DelineationReport> {
    let dir = &config.records;
    check_records_folder(dir)?;
    if config.leads.is_empty() {
        return Err(Error::Invalid("no lead selected to score".into()));
    }
    let source = Source::open(config.predictions.as_deref(), config.weights.as_deref())?;
    let names = select_records(dir, config.split.as_deref())?;
    let mut tally = Tally::default();
    let mut times_ms = Vec::new();
    let mut records = 0;
    for name in &names {
        let (present, absent): (Vec<&String>, Vec<&String>) = config
            .leads
            .iter()
            .partition(|ext| dir.join(format!("{name}.{ext}")).is_file());
        if present.is_empty() {
            note(&format!(
                "skipping record {name}: no reference annotation file ({})",
                file_list(name, &absent)
            ));
            continue;
        }
        if !absent.is_empty() {
            note(&format!(
                "record {name}: no reference file {}; scoring its other leads",
                file_list(name, &absent)
            ));
        }
        let stem = dir.join(name);
        let (fs, predicted): (f64, Vec<Vec<Boundary>>) = match &source {
            Source::Delineator(engine) => {
                let record = open_record(&stem)?;
                let start = Instant::now();
                let delineation = engine.delineate(&record)?;
                times_ms.push(start.elapsed().as_secs_f64() * 1e3);
                let mut per_lead = Vec::with_capacity(present.len());
                for ext in &present {
                    let lead = normalise_lead_name(ext).name;
                    let waves = delineation
                        .leads
                        .iter()
                        .find(|l| l.lead == lead)
                        .ok_or_else(|| {
                            Error::Invalid(format!(
                                "{}: record {name} has a reference file for lead {lead} but no such signal",
                                stem.with_extension("hea").display()
                            ))
                        })?;
                    per_lead.push(wave_boundaries(&waves.waves));
                }
                (delineation.fs, per_lead)
            }
            Source::Files(pred_dir) => {
                let fs = header_rate(dir, name)?;
                let mut per_lead = Vec::with_capacity(present.len());
                for ext in &present {
                    let path = pred_dir.join(format!("{name}.{ext}"));
                    per_lead.push(annotation_boundaries(&read_annotations(&path)?));
                }
                (fs, per_lead)
            }
        };
        for (ext, pred) in present.iter().zip(&predicted) {
            let reference = read_annotations(&dir.join(format!("{name}.{ext}")))?;
            tally.add(&score_lead_with(&reference, pred, fs, config.span));
        }
        records += 1;
    }
    if records == 0 {
        return Err(Error::Invalid(format!(
            "{}: no record to score (no selected record has a reference file for lead {})",
            dir.display(),
            config.leads.join(", ")
        )));
    }
    Ok(DelineationReport {
        tally,
        records,
        median_ms_per_record: median(&times_ms),
    })
}

/// Where the predictions scored come from.
pub(crate) enum Source<'a> {
    /// The built-in delineator (or the weights given), run on each record.
    Delineator(Delineator),
    /// A folder of annotation files laid out like the references.
    Files(&'a Path),
}

impl<'a> Source<'a> {
    /// Prediction files from `predictions` when given (the folder must exist), else the
    /// delineator with `weights` or the shipped ones.
    pub(crate) fn open(predictions: Option<&'a Path>, weights: Option<&Path>) -> Result<Self> {
        match (predictions, weights) {
            (Some(pred), _) if !pred.is_dir() => Err(Error::NotFound {
                path: pred.to_path_buf(),
                context: " (predictions folder)".into(),
            }),
            (Some(pred), _) => Ok(Source::Files(pred)),
            (None, None) => Ok(Source::Delineator(Delineator::load_default()?)),
            (None, Some(w)) => Ok(Source::Delineator(Delineator::load(w)?)),
        }
    }
}

/// A clear error when the records folder is missing.
pub(crate) fn check_records_folder(dir: &Path) -> Result<()> {
    if dir.is_dir() {
        Ok(())
    } else {
        Err(Error::NotFound {
            path: dir.to_path_buf(),
            context: " (records folder)".into(),
        })
    }
}

/// The sampling rate record `name`'s header gives, or WFDB's default 250 Hz when it gives none:
/// what prediction files' sample indices are counted in.
pub(crate) fn header_rate(dir: &Path, name: &str) -> Result<f64> {
    let hea = dir.join(format!("{name}.hea"));
    Ok(read_header(&hea)?
        .metadata
        .sampling_frequency
        .unwrap_or(250.0))
}

fn file_list(name: &str, exts: &[&String]) -> String {
    exts.iter()
        .map(|e| format!("{name}.{e}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The records to score: the split's test records (each must be in `dir`), or every record
/// (`NAME.hea`) in `dir`, numeric names in numeric order.
pub fn select_records(dir: &Path, split: Option<&Path>) -> Result<Vec<String>> {
    if let Some(split_path) = split {
        let split = Split::read(split_path)?;
        let missing: Vec<String> = split
            .test
            .iter()
            .filter(|n| !dir.join(format!("{n}.hea")).is_file())
            .cloned()
            .collect();
        if !missing.is_empty() {
            return Err(Error::MissingRecords {
                split: split_path.to_path_buf(),
                dir: dir.to_path_buf(),
                missing,
            });
        }
        if split.test.is_empty() {
            return Err(Error::Invalid(format!(
                "{}: the split has no test record",
                split_path.display()
            )));
        }
        return Ok(split.test);
    }
    let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
    let mut names = Vec::new();
    for entry in entries {
        let path = entry.map_err(|e| Error::io(dir, e))?.path();
        if path.extension().is_some_and(|e| e == "hea")
            && path.is_file()
            && let Some(stem) = path.file_stem()
        {
            names.push(stem.to_string_lossy().into_owned());
        }
    }
    // LUDB names records 1…200: "10" after "9", not after "1".
    names.sort_by(|a, b| match (a.parse::<u64>(), b.parse::<u64>()) {
        (Ok(x), Ok(y)) => x.cmp(&y),
        (Ok(_), Err(_)) => std::cmp::Ordering::Less,
        (Err(_), Ok(_)) => std::cmp::Ordering::Greater,
        (Err(_), Err(_)) => a.cmp(b),
    });
    Ok(names)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_are_listed_in_numeric_order_and_split_gaps_named() {
        let dir = tempfile::tempdir().unwrap();
        for n in ["10", "9", "b", "a", "100"] {
            std::fs::write(dir.path().join(format!("{n}.hea")), "x").unwrap();
        }
        std::fs::write(dir.path().join("9.ii"), "").unwrap();
        let names = select_records(dir.path(), None).unwrap();
        assert_eq!(names, ["9", "10", "100", "a", "b"]);
        let split = dir.path().join("split.txt");
        std::fs::write(&split, "train 9\ntest 10\ntest 77\n").unwrap();
        let e = select_records(dir.path(), Some(&split)).unwrap_err();
        assert!(
            matches!(&e, Error::MissingRecords { missing, .. } if missing == &["77"]),
            "{e:?}"
        );
        assert!(e.to_string().contains("1 test record(s) are not in"), "{e}");
        std::fs::write(&split, "train 9\ntest 10\n").unwrap();
        assert_eq!(select_records(dir.path(), Some(&split)).unwrap(), ["10"]);
    }

    #[test]
    fn a_missing_folder_and_an_empty_selection_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let mut config = EvalConfig {
            records: dir.path().join("absent"),
            leads: vec!["ii".into()],
            split: None,
            weights: None,
            span: SpanRule::Lead,
            predictions: Some(dir.path().to_path_buf()),
        };
        let mut notes = Vec::new();
        let e = evaluate(&config, &mut |n| notes.push(n.to_string())).unwrap_err();
        assert!(e.to_string().contains("absent"), "{e}");
        // A record without reference files is skipped with a note, leaving nothing to score.
        std::fs::write(dir.path().join("1.hea"), "1 1 500 10\n").unwrap();
        config.records = dir.path().to_path_buf();
        let e = evaluate(&config, &mut |n| notes.push(n.to_string())).unwrap_err();
        assert!(e.to_string().contains("no record to score"), "{e}");
        assert_eq!(notes.len(), 1);
        assert!(notes[0].contains("1.ii"), "{notes:?}");
    }
}
