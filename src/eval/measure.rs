//! Measurements from the automatic annotator's boundaries against cardiologists': LUDB record
//! medians of PR, QRS and QT (lead II wave files) and the axis category of each header; QTDB
//! QT beat by beat against the `q1c` marks.

use super::ludb::{Source, check_records_folder};
use super::measure_ref::{ReferenceRule, ludb_reference};
use crate::delineate::Delineator;
use crate::delineate::edit::{AnnotationDoc, BoundaryKind, Mark};
use crate::error::{Error, Result};
use crate::measure::{
    AxisCategory, BeatMarks, LeadBeats, MeasureOptions, annotator_beats, beats_from_marks,
    interval_ms, measure_record,
};
use crate::record::annotation::Q1C;
use crate::record::split::Split;
use crate::record::{Record, open_record};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// Which records of a split are evaluated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum Part {
    /// The held-out records (report figures).
    Test,
    /// The training records (where choices such as the axis method are made).
    Train,
}

/// What to evaluate.
#[derive(Debug, Clone)]
pub struct MeasureEvalConfig {
    /// Folder of records with their reference files.
    pub records: PathBuf,
    /// Split file; every record with a reference file when `None`.
    pub split: Option<PathBuf>,
    /// Which part of the split.
    pub part: Part,
    /// Measurement choices.
    pub options: MeasureOptions,
    /// How LUDB's per-lead reference files become one set of boundaries per beat.
    pub reference: ReferenceRule,
    /// QTDB only: a folder of `NAME.q1c`-shaped files whose marks are scored instead of the
    /// built-in annotator's beats (another method's output).
    pub predictions: Option<PathBuf>,
}

/// Mean and SD (n − 1) of automatic minus reference differences, ms.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Agreement {
    /// Pairs compared.
    pub n: usize,
    /// Mean difference (automatic − reference), ms.
    pub mean_ms: Option<f64>,
    /// Standard deviation of the difference, ms.
    pub sd_ms: Option<f64>,
}

impl Agreement {
    /// The agreement of these differences.
    pub fn of(diffs: &[f64]) -> Self {
        let n = diffs.len();
        let mean = (n > 0).then(|| diffs.iter().sum::<f64>() / n as f64);
        let sd = mean
            .filter(|_| n > 1)
            .map(|m| (diffs.iter().map(|d| (d - m).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt());
        Self {
            n,
            mean_ms: mean,
            sd_ms: sd,
        }
    }

    /// The mean over groups (records) of each one's mean and SD, over the groups that have an
    /// SD; `n` counts those groups. Each group's offset from the others stays out of the SD.
    pub fn across(groups: &[Agreement]) -> Self {
        let with_sd: Vec<(f64, f64)> = groups
            .iter()
            .filter_map(|g| Some((g.mean_ms?, g.sd_ms?)))
            .collect();
        let n = with_sd.len();
        let mean = |f: fn(&(f64, f64)) -> f64| {
            (n > 0).then(|| with_sd.iter().map(f).sum::<f64>() / n as f64)
        };
        Self {
            n,
            mean_ms: mean(|g| g.0),
            sd_ms: mean(|g| g.1),
        }
    }
}

/// The record names to evaluate: the split's `part`, or every `NAME.hea` with a `NAME.ref_ext`.
pub fn records_of(config: &MeasureEvalConfig, ref_ext: &str) -> Result<Vec<String>> {
    check_records_folder(&config.records)?;
    let names = match &config.split {
        Some(path) => {
            let split = Split::read(path)?;
            match config.part {
                Part::Test => split.test,
                Part::Train => split.train,
            }
        }
        None => super::ludb::select_records(&config.records, None)?,
    };
    let missing: Vec<String> = names
        .iter()
        .filter(|n| !config.records.join(format!("{n}.hea")).is_file())
        .cloned()
        .collect();
    if let (Some(split), false) = (&config.split, missing.is_empty()) {
        return Err(Error::MissingRecords {
            split: split.clone(),
            dir: config.records.clone(),
            missing,
        });
    }
    let kept: Vec<String> = names
        .into_iter()
        .filter(|n| config.records.join(format!("{n}.{ref_ext}")).is_file())
        .collect();
    if kept.is_empty() {
        return Err(Error::Invalid(format!(
            "{}: no record to evaluate (none selected has a .{ref_ext} reference file)",
            config.records.display()
        )));
    }
    Ok(kept)
}

/// A reference wave file's beats (LUDB `NAME.ii`, QTDB `NAME.q1c`).
pub fn reference_beats(path: &Path, record: &Record) -> Result<Vec<BeatMarks>> {
    let doc = AnnotationDoc::from_wave_file(path, record.len(), record.fs)?;
    Ok(beats_from_marks(doc.marks()))
}

/// One LUDB record: record medians from both sets of boundaries, and the axis.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LudbRow {
    /// Record name.
    pub record: String,
    /// PR, QRS, QT medians from the automatic boundaries, ms.
    pub auto_ms: [Option<f64>; 3],
    /// The same from the cardiologists' lead II boundaries, ms.
    pub reference_ms: [Option<f64>; 3],
    /// The automatic axis, degrees.
    pub axis_deg: Option<f64>,
    /// Its category.
    pub axis: Option<AxisCategory>,
    /// The header's category.
    pub reference_axis: Option<AxisCategory>,
}

/// The LUDB evaluation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LudbMeasureReport {
    /// Records evaluated.
    pub rows: Vec<LudbRow>,
    /// PR, QRS and QT agreement of the record medians.
    pub pr: Agreement,
    /// QRS duration.
    pub qrs: Agreement,
    /// QT interval.
    pub qt: Agreement,
    /// Records with both categories whose categories agree, %.
    pub axis_agreement_pct: Option<f64>,
    /// Confusion counts: `[reference][automatic]` in [`AxisCategory::ALL`] order.
    pub axis_confusion: [[usize; 6]; 6],
}

/// Evaluate on LUDB-layout records (lead II reference files, axis lines in the headers).
pub fn evaluate_ludb(config: &MeasureEvalConfig) -> Result<LudbMeasureReport> {
    let names = records_of(config, "ii")?;
    let engine = Delineator::load_default()?;
    let none = LeadBeats::new();
    let mut rows = Vec::new();
    for name in names {
        let stem = config.records.join(&name);
        let record = open_record(&stem)?;
        let auto = annotator_beats(&engine.delineate(&record)?);
        let reference = ludb_reference(&stem, &record, config.reference)?;
        let a = measure_record(&record, &auto, &none, config.options);
        let r = measure_record(&record, &reference, &none, config.options);
        let med = |m: &crate::measure::RecordMeasures| {
            let s = &m.summary;
            [s.pr_ms, s.qrs_ms, s.qt_ms].map(|x| x.map(|s| s.median))
        };
        rows.push(LudbRow {
            record: name,
            auto_ms: med(&a),
            reference_ms: med(&r),
            axis_deg: a.summary.axis.as_ref().map(|x| x.degrees),
            axis: a.summary.axis.as_ref().map(|x| x.category),
            reference_axis: record
                .comments
                .iter()
                .find_map(|c| AxisCategory::from_ludb_comment(c)),
        });
    }
    let agreement = |k: usize| {
        let d: Vec<f64> = rows
            .iter()
            .filter_map(|r| Some(r.auto_ms[k]? - r.reference_ms[k]?))
            .collect();
        Agreement::of(&d)
    };
    let mut confusion = [[0usize; 6]; 6];
    let pos = |c: AxisCategory| AxisCategory::ALL.iter().position(|x| *x == c);
    for r in &rows {
        if let (Some(i), Some(j)) = (r.reference_axis.and_then(pos), r.axis.and_then(pos)) {
            confusion[i][j] += 1;
        }
    }
    let total: usize = confusion.iter().flatten().sum();
    let agree: usize = (0..6).map(|i| confusion[i][i]).sum();
    Ok(LudbMeasureReport {
        pr: agreement(0),
        qrs: agreement(1),
        qt: agreement(2),
        axis_agreement_pct: (total > 0).then(|| 100.0 * agree as f64 / total as f64),
        axis_confusion: confusion,
        rows,
    })
}

/// The QTDB evaluation: QT of each annotated beat against the matched automatic beat.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QtdbQtReport {
    /// Records evaluated.
    pub records: usize,
    /// Reference beats with a QT (a QRS onset and the T offset after it marked).
    pub reference_beats: usize,
    /// Of those, beats matched to an automatic beat with a QT.
    pub qt: Agreement,
    /// The same per record, in evaluation order.
    pub per_record: Vec<(String, Agreement)>,
    /// The records' own means and SDs averaged ([`Agreement::across`]); `n` counts records.
    pub qt_across_records: Agreement,
}

/// Each QRS onset mark with the first T offset mark after it, when no other QRS onset comes
/// between them (QTDB often marks a T wave's end without its onset).
pub fn qt_marks(marks: &[Mark]) -> Vec<(usize, usize)> {
    qrs_onsets_with_t_off(marks)
        .into_iter()
        .filter_map(|(on, off)| Some((on, off?)))
        .collect()
}

/// Every QRS onset mark, with the first T offset mark after it when no other QRS onset comes
/// between them.
fn qrs_onsets_with_t_off(marks: &[Mark]) -> Vec<(usize, Option<usize>)> {
    marks
        .iter()
        .enumerate()
        .filter(|(_, m)| m.kind == BoundaryKind::QrsOn)
        .map(|(i, m)| {
            let end = marks[i + 1..]
                .iter()
                .find(|n| matches!(n.kind, BoundaryKind::QrsOn | BoundaryKind::TOff));
            let off = end
                .filter(|e| e.kind == BoundaryKind::TOff)
                .map(|e| e.sample);
            (m.sample, off)
        })
        .collect()
}

/// Most distance between a reference QRS onset and the automatic one it is matched to, s
/// (the project's delineation tolerance).
const MATCH_S: f64 = 0.150;

/// Evaluate QT on QTDB-layout records (`NAME.q1c`).
pub fn evaluate_qtdb_qt(config: &MeasureEvalConfig) -> Result<QtdbQtReport> {
    let names = records_of(config, Q1C)?;
    if let Some(dir) = config.predictions.as_deref().filter(|d| !d.is_dir()) {
        return Err(Error::Invalid(format!(
            "{}: predictions folder not found",
            dir.display()
        )));
    }
    let source = Source::open(config.predictions.as_deref(), None)?;
    let (mut diffs, mut reference_beats_n, mut per_record) = (Vec::new(), 0, Vec::new());
    for name in &names {
        let first = diffs.len();
        let stem = config.records.join(name);
        let record = open_record(&stem)?;
        let fs = record.fs;
        // Each automatic beat as its QRS onset and, when it has one, its T offset.
        let auto: Vec<(usize, Option<usize>)> = match &source {
            Source::Delineator(engine) => annotator_beats(&engine.delineate(&record)?)
                .iter()
                .map(|a| (a.qrs.on, a.t.map(|t| t.off)))
                .collect(),
            Source::Files(dir) => {
                let path = dir.join(format!("{name}.{Q1C}"));
                let doc = AnnotationDoc::from_wave_file(&path, record.len(), fs)?;
                qrs_onsets_with_t_off(doc.marks())
            }
        };
        let doc = AnnotationDoc::from_wave_file(&stem.with_extension(Q1C), record.len(), fs)?;
        let tol = (MATCH_S * fs).round() as usize;
        for (qrs_on, t_off) in qt_marks(doc.marks()) {
            let Some(qt_ref) = interval_ms(qrs_on, t_off, fs) else {
                continue;
            };
            reference_beats_n += 1;
            let nearest = auto
                .iter()
                .filter(|(on, _)| on.abs_diff(qrs_on) <= tol)
                .min_by_key(|(on, _)| on.abs_diff(qrs_on));
            let qt = nearest.and_then(|&(on, off)| interval_ms(on, off?, fs));
            if let Some(qt) = qt {
                diffs.push(qt - qt_ref);
            }
        }
        per_record.push((name.clone(), Agreement::of(&diffs[first..])));
    }
    Ok(QtdbQtReport {
        records: names.len(),
        reference_beats: reference_beats_n,
        qt: Agreement::of(&diffs),
        qt_across_records: Agreement::across(&per_record.iter().map(|p| p.1).collect::<Vec<_>>()),
        per_record,
    })
}

#[cfg(test)]
mod tests {
    use super::Agreement;

    #[test]
    fn averaging_over_records_leaves_their_offsets_out_of_the_sd() {
        // Two records 40 ms apart, each ±5 ms; a third with one beat has no SD.
        let groups = [
            Agreement::of(&[15.0, 25.0]),
            Agreement::of(&[-25.0, -15.0]),
            Agreement::of(&[90.0]),
        ];
        let pooled = Agreement::of(&[15.0, 25.0, -25.0, -15.0]);
        let across = Agreement::across(&groups);
        assert!(pooled.sd_ms.unwrap() > 20.0);
        assert_eq!(across.n, 2);
        assert_eq!(across.mean_ms, Some(0.0));
        let sd = across.sd_ms.unwrap();
        assert!((sd - 50f64.sqrt()).abs() < 1e-9, "{sd}");
        assert_eq!(Agreement::across(&[]).sd_ms, None);
    }
}
