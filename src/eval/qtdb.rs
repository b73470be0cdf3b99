//! Delineation scoring over QT Database records: `NAME.hea`/`NAME.dat` with a cardiologist's
//! boundaries in `NAME.q1c`, marked on a stretch of the record (at least 30 beats) and not per
//! lead.
//!
//! The predictions are record-level: the built-in [`Delineator`](crate::delineate::Delineator)'s beats (all leads
//! considered), or another method's `NAME.q1c`-shaped files. Each boundary kind counts only
//! within the span of its own reference marks, since outside it the
//! reference says nothing. For the same reason the report gives Se, not PPV; but between two
//! marks of a run of consecutive beats ([`SpanRule::Runs`]) a prediction without
//! a reference is an extra wave, counted as *unmatched*. Many unmatched QRS on a record are the
//! sign of a delineator that counts one beat twice, which Se cannot show.

use super::delineation::{
    Boundary, BoundaryKind, Counts, DelineationReport, SpanRule, Tally, annotated_span,
    annotation_boundaries, fmt_or_dash, median, score_boundaries_with, wave_boundaries,
};
use super::ludb::{Source, check_records_folder, header_rate, select_records};
use super::measure::Agreement;
use crate::delineate::Delineation;
use crate::error::{Error, Result};
use crate::record::annotation::read_annotations;
use crate::record::open_record;
use serde::Serialize;
use serde::ser::SerializeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

pub use crate::record::annotation::Q1C;

/// What to score, and where the predictions come from.
#[derive(Debug, Clone)]
pub struct QtdbConfig {
    /// Folder holding the records and their `NAME.q1c` files.
    pub records: PathBuf,
    /// Split file whose test records are the only ones scored; all records when `None`.
    pub split: Option<PathBuf>,
    /// Delineator weights to evaluate instead of the shipped ones.
    pub weights: Option<PathBuf>,
    /// Folder of predicted `NAME.q1c` files to score instead of running the built-in delineator.
    pub predictions: Option<PathBuf>,
}

/// Records with fewer matches of a kind than this have no SD of their own and stay out of
/// [`QtdbReport::across_records`].
pub const MIN_MATCHES_PER_RECORD: usize = 2;

/// One kind's figures averaged over records rather than pooled over beats.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct AcrossRecords {
    /// Records averaged (those with at least [`MIN_MATCHES_PER_RECORD`] matches).
    pub records: usize,
    /// Mean over records of each record's mean error (ms); NaN without a record.
    pub mean_ms: f64,
    /// Mean over records of each record's SD of the error (ms); NaN without a record.
    pub sd_ms: f64,
}

/// A QTDB evaluation: the pooled report and the records on which no beat was predicted (their
/// reference boundaries all count as missed).
#[derive(Debug, Clone, PartialEq)]
pub struct QtdbReport {
    /// Counts pooled over every scored record; FP holds only the predictions unmatched between
    /// marks of a run of consecutive beats ([`SpanRule::Runs`]), reported as such.
    pub report: DelineationReport,
    /// Scored records with no predicted beat, in scoring order.
    pub without_beats: Vec<String>,
    /// Each scored record's own counts, in scoring order: where the pooled scatter comes from.
    pub per_record: Vec<(String, Tally)>,
}

impl QtdbReport {
    /// A plain-text table: one row per kind with Se in %, mean and SD of the error in ms, TP
    /// and FN; undefined figures print as `-`.
    pub fn table(&self) -> String {
        self.report.sensitivity_table()
    }

    /// The mean over records of each record's own mean error and SD (ms), for one kind, over
    /// the records with at least [`MIN_MATCHES_PER_RECORD`] matches of it.
    ///
    /// The pooled SD of [`table`](Self::table) adds each record's offset from the others to
    /// the beat-to-beat scatter; a reference marked by one cardiologist per record carries such
    /// offsets of its own (two cardiologists' QTDB marks differ by a steady 30 ms or more on
    /// some records, 72 ms at `sel223`'s T ends). This figure keeps the scatter within a
    /// record apart from them.
    pub fn across_records(&self, kind: BoundaryKind) -> AcrossRecords {
        let per: Vec<Agreement> = self
            .per_record
            .iter()
            .map(|(_, tally)| tally.get(kind))
            .filter(|c| c.tp >= MIN_MATCHES_PER_RECORD)
            .map(|c| Agreement {
                n: c.tp,
                mean_ms: Some(c.mean_ms()),
                sd_ms: Some(c.sd_ms()),
            })
            .collect();
        let a = Agreement::across(&per);
        AcrossRecords {
            records: a.n,
            mean_ms: a.mean_ms.unwrap_or(f64::NAN),
            sd_ms: a.sd_ms.unwrap_or(f64::NAN),
        }
    }

    /// A plain-text table of [`across_records`](Self::across_records) for every kind.
    pub fn across_records_table(&self) -> String {
        let mut out = format!(
            "{:<8} {:>7} {:>8} {:>7}\n",
            "kind", "records", "mean ms", "SD ms"
        );
        for kind in BoundaryKind::ALL {
            let a = self.across_records(kind);
            out.push_str(&format!(
                "{:<8} {:>7} {:>8} {:>7}\n",
                kind.label(),
                a.records,
                fmt_or_dash(a.mean_ms, 1),
                fmt_or_dash(a.sd_ms, 1)
            ));
        }
        out
    }

    /// A plain-text table of each record's mean ± SD error (ms), missed references (`/N`) and
    /// unmatched predictions (`+N`) per kind, one row per record; `-` where the record has no
    /// matched boundary of that kind.
    pub fn per_record_table(&self) -> String {
        let mut out = format!("{:<10}", "record");
        for kind in BoundaryKind::ALL {
            out.push_str(&format!(" {:>20}", kind.label()));
        }
        out.push('\n');
        for (name, tally) in &self.per_record {
            out.push_str(&format!("{name:<10}"));
            for kind in BoundaryKind::ALL {
                let c = tally.get(kind);
                let extra = if c.fp > 0 {
                    format!(" +{}", c.fp)
                } else {
                    String::new()
                };
                let cell = if c.tp == 0 {
                    format!("- ({} missed){extra}", c.fn_)
                } else {
                    let missed = if c.fn_ > 0 {
                        format!(" /{}", c.fn_)
                    } else {
                        String::new()
                    };
                    format!("{:.1}±{:.1}{missed}{extra}", c.mean_ms(), c.sd_ms())
                };
                out.push_str(&format!(" {cell:>20}"));
            }
            out.push('\n');
        }
        out
    }
}

impl Serialize for QtdbReport {
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(BoundaryKind::ALL.len() + 5))?;
        for kind in BoundaryKind::ALL {
            map.serialize_entry(kind.label(), &SeScore::of(&self.report, kind))?;
        }
        map.serialize_entry("records", &self.report.records)?;
        map.serialize_entry("records_without_beats", &self.without_beats)?;
        map.serialize_entry("median_ms_per_record", &self.report.median_ms_per_record)?;
        let per_record: std::collections::BTreeMap<&str, PerKind> = self
            .per_record
            .iter()
            .map(|(name, tally)| (name.as_str(), PerKind(tally)))
            .collect();
        map.serialize_entry("per_record", &per_record)?;
        let across: std::collections::BTreeMap<&str, AcrossRecords> = BoundaryKind::ALL
            .iter()
            .map(|&kind| (kind.label(), self.across_records(kind)))
            .collect();
        map.serialize_entry("across_records", &across)?;
        map.end()
    }
}

/// One record's figures, keyed by kind as the pooled ones are.
struct PerKind<'a>(&'a Tally);

impl Serialize for PerKind<'_> {
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(BoundaryKind::ALL.len()))?;
        for kind in BoundaryKind::ALL {
            map.serialize_entry(kind.label(), &SeScore::from_counts(self.0.get(kind)))?;
        }
        map.end()
    }
}

/// The figures of one kind that partly annotated references support (no PPV or F1).
#[derive(Serialize)]
struct SeScore {
    se: f64,
    mean_ms: f64,
    sd_ms: f64,
    tp: usize,
    #[serde(rename = "fn")]
    fn_: usize,
    /// Predictions inside the span without a reference: extra waves or unmarked beats.
    unmatched: usize,
}

impl SeScore {
    fn of(report: &DelineationReport, kind: BoundaryKind) -> Self {
        Self::from_counts(report.tally.get(kind))
    }

    fn from_counts(counts: &Counts) -> Self {
        let s = counts.score();
        SeScore {
            se: s.se,
            mean_ms: s.mean_ms,
            sd_ms: s.sd_ms,
            tp: s.tp,
            fn_: s.fn_,
            unmatched: s.fp,
        }
    }
}

/// Whether `dir` holds any `*.q1c` file, i.e. is laid out as QTDB rather than LUDB.
pub fn holds_q1c(dir: &Path) -> Result<bool> {
    let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
    for entry in entries {
        let path = entry.map_err(|e| Error::io(dir, e))?.path();
        if path.extension().is_some_and(|e| e == Q1C) && path.is_file() {
            return Ok(true);
        }
    }
    Ok(false)
}

/// The record-level boundaries of a delineation: every wave of every beat.
pub fn beat_boundaries(delineation: &Delineation) -> Vec<Boundary> {
    let waves: Vec<_> = delineation
        .beats
        .iter()
        .flat_map(|b| b.p.iter().chain([&b.qrs]).chain(b.t.iter()).copied())
        .collect();
    wave_boundaries(&waves)
}

/// Score every selected record of `config.records` that has a `NAME.q1c` file.
///
/// A selected record without one is skipped and reported through `note`, as is each record on
/// which no beat is predicted. Errors: a missing records or predictions folder, a split naming
/// records the folder lacks, an unreadable or missing file (named), or nothing left to score.
pub fn evaluate_qtdb(config: &QtdbConfig, note: &mut dyn FnMut(&str)) -> Result<QtdbReport> {
    let dir = &config.records;
    check_records_folder(dir)?;
    let source = Source::open(config.predictions.as_deref(), config.weights.as_deref())?;
    let names = select_records(dir, config.split.as_deref())?;
    let mut tally = Tally::default();
    let mut times_ms = Vec::new();
    let mut records = 0;
    let mut without_beats = Vec::new();
    let mut per_record = Vec::new();
    for name in &names {
        let reference_path = dir.join(format!("{name}.{Q1C}"));
        if !reference_path.is_file() {
            note(&format!(
                "skipping record {name}: no reference annotation file ({name}.{Q1C})"
            ));
            continue;
        }
        let (fs, predicted) = match &source {
            Source::Delineator(engine) => {
                let record = open_record(&dir.join(name))?;
                let start = Instant::now();
                let delineation = engine.delineate(&record)?;
                times_ms.push(start.elapsed().as_secs_f64() * 1e3);
                (delineation.fs, beat_boundaries(&delineation))
            }
            Source::Files(pred_dir) => {
                let fs = header_rate(dir, name)?;
                let path = pred_dir.join(format!("{name}.{Q1C}"));
                (fs, annotation_boundaries(&read_annotations(&path)?))
            }
        };
        if predicted.is_empty() {
            note(&format!(
                "record {name}: no beats predicted; its reference boundaries count as missed"
            ));
            without_beats.push(name.clone());
        }
        let reference = read_annotations(&reference_path)?;
        let record_tally = score_boundaries_with(
            &annotation_boundaries(&reference),
            &predicted,
            annotated_span(&reference),
            fs,
            SpanRule::Runs,
        );
        tally.add(&record_tally);
        per_record.push((name.clone(), record_tally));
        records += 1;
    }
    if records == 0 {
        return Err(Error::Invalid(format!(
            "{}: no record to score (no selected record has a {Q1C} reference file)",
            dir.display()
        )));
    }
    Ok(QtdbReport {
        report: DelineationReport {
            tally,
            records,
            median_ms_per_record: median(&times_ms),
        },
        without_beats,
        per_record,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::delineate::{Beat, Wave, WaveKind};

    fn wave(kind: WaveKind, on: usize, off: usize) -> Wave {
        Wave {
            kind,
            on,
            peak: (on + off) / 2,
            off,
        }
    }

    #[test]
    fn beats_give_the_boundaries_of_the_waves_they_have() {
        let delineation = Delineation {
            missing: Default::default(),
            fs: 250.0,
            len: 1000,
            leads: Vec::new(),
            beats: vec![
                Beat {
                    p: Some(wave(WaveKind::P, 10, 30)),
                    qrs: wave(WaveKind::Qrs, 40, 60),
                    t: None,
                    rhythm: None,
                },
                Beat {
                    p: None,
                    qrs: wave(WaveKind::Qrs, 240, 260),
                    t: Some(wave(WaveKind::T, 300, 380)),
                    rhythm: None,
                },
            ],
        };
        let got: Vec<(BoundaryKind, i64)> = beat_boundaries(&delineation)
            .iter()
            .map(|b| (b.kind, b.sample))
            .collect();
        use BoundaryKind::*;
        assert_eq!(
            got,
            [
                (POn, 10),
                (POff, 30),
                (QrsOn, 40),
                (QrsOff, 60),
                (QrsOn, 240),
                (QrsOff, 260),
                (TOn, 300),
                (TOff, 380)
            ]
        );
    }

    /// Counts of `errors` (ms), as one record's matched T offsets.
    fn t_offs(errors: &[f64]) -> Tally {
        let mut tally = Tally::default();
        let c = &mut tally.counts[BoundaryKind::TOff.index()];
        c.tp = errors.len();
        c.sum_err_ms = errors.iter().sum();
        c.sum_sq_err_ms = errors.iter().map(|e| e * e).sum();
        tally
    }

    #[test]
    fn averaging_over_records_keeps_each_records_offset_out_of_the_scatter() {
        // Two records whose reference sits 20 ms apart, each scattered by ±2 ms; a third with
        // one match has no SD of its own.
        let per_record = vec![
            ("a".to_string(), t_offs(&[18.0, 22.0, 18.0, 22.0])),
            ("b".to_string(), t_offs(&[-22.0, -18.0])),
            ("c".to_string(), t_offs(&[50.0])),
        ];
        let mut tally = Tally::default();
        for (_, t) in &per_record {
            tally.add(t);
        }
        let report = QtdbReport {
            report: DelineationReport {
                tally,
                records: 3,
                median_ms_per_record: None,
            },
            without_beats: Vec::new(),
            per_record,
        };
        let pooled = report.report.score(BoundaryKind::TOff).sd_ms;
        let across = report.across_records(BoundaryKind::TOff);
        assert!(pooled > 20.0, "pooled SD {pooled}");
        assert_eq!(across.records, 2);
        assert!((across.sd_ms - 2.0).abs() < 1e-9, "{across:?}");
        assert!((across.mean_ms - 0.0).abs() < 1e-9, "{across:?}");
        let qrs = report.across_records(BoundaryKind::QrsOn);
        assert_eq!(qrs.records, 0);
        assert!(qrs.sd_ms.is_nan());
        let table = report.across_records_table();
        assert!(table.contains("T off"), "{table}");
        let json = serde_json::to_value(&report).unwrap();
        assert_eq!(json["across_records"]["T off"]["records"], 2);
        assert!(json["across_records"]["QRS on"]["sd_ms"].is_null());
    }

    #[test]
    fn a_folder_is_qtdb_when_it_holds_a_q1c_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("1.hea"), "x").unwrap();
        std::fs::write(dir.path().join("1.ii"), "").unwrap();
        assert!(!holds_q1c(dir.path()).unwrap());
        std::fs::write(dir.path().join("sel1.q1c"), "").unwrap();
        assert!(holds_q1c(dir.path()).unwrap());
        assert!(holds_q1c(&dir.path().join("absent")).is_err());
    }
}
