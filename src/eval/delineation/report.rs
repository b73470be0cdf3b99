//! The reported figures: [`KindScore`] per boundary kind, the pooled [`DelineationReport`] with
//! its plain-text table and JSON form (the time per record is a [`crate::stats::median`]).

use super::{BoundaryKind, Tally};
use serde::Serialize;
use serde::ser::SerializeMap;

/// The reported figures of one boundary kind. Ratios are fractions (1 = 100 %); undefined
/// figures (see [`Counts`](super::Counts)) are NaN, written `null` in JSON.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct KindScore {
    /// Sensitivity.
    pub se: f64,
    /// Positive predictive value.
    pub ppv: f64,
    /// F1 score.
    pub f1: f64,
    /// Mean error (prediction − reference) in ms.
    pub mean_ms: f64,
    /// Population standard deviation of the error in ms.
    pub sd_ms: f64,
    /// True positives.
    pub tp: usize,
    /// False positives.
    pub fp: usize,
    /// False negatives.
    #[serde(rename = "fn")]
    pub fn_: usize,
}

/// A delineation evaluation: pooled counts per boundary kind, the number of records scored and
/// the median time per record.
///
/// In JSON: one key per kind (`"P on"`, … `"T off"`) holding a [`KindScore`], then
/// `"records"` and `"median_ms_per_record"` (`null` when no method was timed).
#[derive(Debug, Clone, PartialEq)]
pub struct DelineationReport {
    /// Counts pooled over every scored lead of every record.
    pub tally: Tally,
    /// Number of records scored.
    pub records: usize,
    /// Median time to delineate all leads of a record, in ms, when timed.
    pub median_ms_per_record: Option<f64>,
}

impl DelineationReport {
    /// The figures of one kind.
    pub fn score(&self, kind: BoundaryKind) -> KindScore {
        self.tally.get(kind).score()
    }

    /// A plain-text table: one row per kind with Se, PPV and F1 in %, mean and SD of the error
    /// in ms, and the counts; undefined figures print as `-`.
    pub fn table(&self) -> String {
        let pct = |x: f64| fmt_or_dash(x * 100.0, 1);
        let mut out = format!(
            "{:<8} {:>6} {:>6} {:>6} {:>8} {:>7} {:>7} {:>7} {:>7}\n",
            "kind", "Se %", "PPV %", "F1 %", "mean ms", "SD ms", "TP", "FP", "FN"
        );
        for kind in BoundaryKind::ALL {
            let s = self.score(kind);
            out.push_str(&format!(
                "{:<8} {:>6} {:>6} {:>6} {:>8} {:>7} {:>7} {:>7} {:>7}\n",
                kind.label(),
                pct(s.se),
                pct(s.ppv),
                pct(s.f1),
                fmt_or_dash(s.mean_ms, 1),
                fmt_or_dash(s.sd_ms, 1),
                s.tp,
                s.fp,
                s.fn_
            ));
        }
        out
    }
}

impl DelineationReport {
    /// A plain-text table for partly annotated references: one row per kind with Se in %,
    /// mean and SD of the error in ms, TP, FN and the tally's unmatched predictions (FP: the
    /// QTDB scorer keeps there only the sure ones), but no PPV or F1, which need every wave
    /// annotated; undefined figures print as `-`.
    pub fn sensitivity_table(&self) -> String {
        let mut out = format!(
            "{:<8} {:>6} {:>8} {:>7} {:>7} {:>7} {:>9}\n",
            "kind", "Se %", "mean ms", "SD ms", "TP", "FN", "unmatched"
        );
        for kind in BoundaryKind::ALL {
            let s = self.score(kind);
            out.push_str(&format!(
                "{:<8} {:>6} {:>8} {:>7} {:>7} {:>7} {:>9}\n",
                kind.label(),
                fmt_or_dash(s.se * 100.0, 1),
                fmt_or_dash(s.mean_ms, 1),
                fmt_or_dash(s.sd_ms, 1),
                s.tp,
                s.fn_,
                s.fp
            ));
        }
        out
    }
}

/// `x` with `decimals` decimals, or `-` when it is undefined (NaN).
pub(crate) fn fmt_or_dash(x: f64, decimals: usize) -> String {
    if x.is_finite() {
        format!("{x:.decimals$}")
    } else {
        "-".to_string()
    }
}

impl Serialize for DelineationReport {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(BoundaryKind::ALL.len() + 2))?;
        for kind in BoundaryKind::ALL {
            map.serialize_entry(kind.label(), &self.score(kind))?;
        }
        map.serialize_entry("records", &self.records)?;
        map.serialize_entry("median_ms_per_record", &self.median_ms_per_record)?;
        map.end()
    }
}
