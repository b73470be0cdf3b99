//! Which signal goes where on the report: the standard 3 × 4 arrangement with a lead II rhythm
//! strip, or one 10-s strip per lead for records without the standard leads (in columns of the
//! same stretch of time when they do not fit one per row), and the rows of synthesized views.

use super::SynthesizedViews;
use crate::record::Record;

/// Seconds of signal on a report's row.
pub(crate) const ROW_S: f64 = 10.0;
/// Seconds of signal in each of the four columns of the standard arrangement.
pub(crate) const COLUMN_S: f64 = 2.5;
/// The standard arrangement: rows of four columns, each column the same 2.5 s.
const STANDARD_ROWS: [[&str; 4]; 3] = [
    ["I", "aVR", "V1", "V4"],
    ["II", "aVL", "V2", "V5"],
    ["III", "aVF", "V3", "V6"],
];
/// Synthesized views per row.
pub(crate) const VIEWS_PER_ROW: usize = 4;
/// Most columns the one-strip-per-lead arrangement splits a row into (2.5 s each, as the
/// standard arrangement's).
const MAX_COLUMNS: usize = 4;

/// Where a strip's signal comes from: how it is drawn and labelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Source {
    /// Recorded as is.
    Recorded,
    /// Computed from recorded limb leads by Einthoven's and Goldberger's relations.
    Derived,
    /// Synthesized by the panorama engine: never recorded.
    Synthesized,
    /// Not in the record: the slot stays empty.
    Missing,
}

/// One strip: a label, where it starts on the row (s), its samples (mV, NaN = gap).
#[derive(Debug, Clone)]
pub(crate) struct Strip {
    pub label: String,
    pub offset_s: f64,
    pub samples: Vec<f64>,
    pub source: Source,
}

/// One row of the report (10 s of paper).
#[derive(Debug, Clone, Default)]
pub(crate) struct Row {
    pub strips: Vec<Strip>,
    /// Printed in the footer (e.g. how synthesized views were made).
    pub note: Option<String>,
    /// The rhythm strip under the 3 × 4 block.
    pub rhythm: bool,
}

/// Samples `a..b` of `x` (clipped to its length; NaN where `x` has none).
fn slice(x: &[f64], a: usize, b: usize) -> Vec<f64> {
    (a..b)
        .map(|i| x.get(i).copied().unwrap_or(f64::NAN))
        .collect()
}

/// `x` less its median over samples `a..b`: a recording's DC offset (common in Holter and
/// older databases) would put the trace rows away from its calibration pulse, and a constant
/// leaves every wave's shape and level against the others untouched.
fn centred(x: &[f64], a: usize, b: usize) -> Vec<f64> {
    let mut v: Vec<f64> = x
        .get(a.min(x.len())..b.min(x.len()))
        .unwrap_or_default()
        .iter()
        .copied()
        .filter(|v| v.is_finite())
        .collect();
    v.sort_by(f64::total_cmp);
    let median = v.get(v.len() / 2).copied().unwrap_or(0.0);
    x.iter().map(|v| v - median).collect()
}

/// The limb lead `name` computed from I and II, when the record has both.
fn derived(record: &Record, name: &str) -> Option<Vec<f64>> {
    let (i, ii) = (&record.lead("I")?.samples, &record.lead("II")?.samples);
    let f: fn(f64, f64) -> f64 = match name {
        "III" => |i, ii| ii - i,
        "aVR" => |i, ii| -(i + ii) / 2.0,
        "aVL" => |i, ii| i - ii / 2.0,
        "aVF" => |i, ii| ii - i / 2.0,
        _ => return None,
    };
    Some(i.iter().zip(ii).map(|(&a, &b)| f(a, b)).collect())
}

/// The signal of standard lead `name`, centred on the page's samples `a..b`: recorded, else
/// derived, else missing.
fn standard_lead(record: &Record, name: &str, a: usize, b: usize) -> (Vec<f64>, Source) {
    match record.lead(name) {
        Some(l) => (centred(&l.samples, a, b), Source::Recorded),
        None => match derived(record, name) {
            Some(x) => (centred(&x, a, b), Source::Derived),
            None => (Vec::new(), Source::Missing),
        },
    }
}

/// True when the record holds enough standard leads for the 3 × 4 arrangement: lead II or I
/// and at least three chest leads, so most of the page carries signal.
pub(crate) fn is_standard(record: &Record) -> bool {
    let chest = ["V1", "V2", "V3", "V4", "V5", "V6"]
        .iter()
        .filter(|n| record.lead(n).is_some())
        .count();
    (record.lead("II").is_some() || record.lead("I").is_some()) && chest >= 3
}

/// The rows of recorded signal for samples `start..start + 10 s`, and the report's kind in
/// words. `max_strips` bounds the one-strip-per-lead arrangement (the page's room).
pub(crate) fn recorded_rows(
    record: &Record,
    start: usize,
    max_strips: usize,
) -> (Vec<Row>, String) {
    let fs = record.fs;
    let at = |s: f64| start + (s * fs).round() as usize;
    if is_standard(record) {
        let mut rows: Vec<Row> = STANDARD_ROWS
            .iter()
            .map(|names| Row {
                strips: names
                    .iter()
                    .enumerate()
                    .map(|(k, &name)| {
                        let (x, source) = standard_lead(record, name, start, at(ROW_S));
                        let t = k as f64 * COLUMN_S;
                        Strip {
                            label: name.to_string(),
                            offset_s: t,
                            samples: slice(&x, at(t), at(t + COLUMN_S)),
                            source,
                        }
                    })
                    .collect(),
                ..Row::default()
            })
            .collect();
        let rhythm = if record.lead("II").is_some() {
            "II"
        } else {
            "I"
        };
        let (x, source) = standard_lead(record, rhythm, start, at(ROW_S));
        rows.push(Row {
            strips: vec![Strip {
                label: rhythm.to_string(),
                offset_s: 0.0,
                samples: slice(&x, start, at(ROW_S)),
                source,
            }],
            note: None,
            rhythm: true,
        });
        return (rows, "Standard 12-lead ECG".to_string());
    }
    let n = record.leads.len();
    // One 10-s strip per lead while they fit; more leads share the rows in columns, each
    // column the same stretch of time, as the standard arrangement shares them.
    let rows_used = n.min(max_strips.max(1));
    let columns = n.div_ceil(rows_used).clamp(1, MAX_COLUMNS);
    let span = ROW_S / columns as f64;
    let shown = n.min(rows_used * columns);
    let mut rows: Vec<Row> = (0..rows_used).map(|_| Row::default()).collect();
    for (i, l) in record.leads.iter().take(shown).enumerate() {
        let t = (i / rows_used) as f64 * span;
        let x = centred(&l.samples, start, at(ROW_S));
        rows[i % rows_used].strips.push(Strip {
            label: l.name.clone(),
            offset_s: t,
            samples: slice(&x, at(t), at(t + span)),
            source: Source::Recorded,
        });
    }
    let mut kind = format!("{n}-lead ECG");
    if columns > 1 {
        kind += &format!(" ({columns} columns of {span} s)");
    }
    if n > shown {
        kind += &format!(" (first {shown} leads shown)");
    }
    (rows, kind)
}

/// Rows of synthesized views, four per row, view k of a row in column k (the same 2.5 s as
/// the recorded leads above it); the first row notes the engine and its inputs.
pub(crate) fn synthesized_rows(s: &SynthesizedViews, fs: f64, start: usize) -> Vec<Row> {
    let at = |t: f64| start + (t * fs).round() as usize;
    s.views
        .chunks(VIEWS_PER_ROW)
        .enumerate()
        .map(|(r, chunk)| Row {
            strips: chunk
                .iter()
                .enumerate()
                .map(|(k, (label, x))| {
                    let t = k as f64 * COLUMN_S;
                    Strip {
                        label: label.clone(),
                        offset_s: t,
                        samples: slice(x, at(t), at(t + COLUMN_S)),
                        source: Source::Synthesized,
                    }
                })
                .collect(),
            note: (r == 0).then(|| {
                format!(
                    "Synthesized by {} from {} (not recorded; each cycle detrended between its P onsets)",
                    s.engine,
                    s.inputs.join(", ")
                )
            }),
            rhythm: false,
        })
        .collect()
}
