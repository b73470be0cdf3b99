//! Traces as signal files: the common sample grid they must share, and CSV.

use super::number::push_fixed;
use super::{Trace, atomic, check_trace, with_path};
use crate::error::{Error, Result};
use std::path::Path;

/// Traces placed on one sample grid: row `offsets[k] + i` holds sample `i` of trace `k`.
pub(crate) struct Grid {
    /// The shared sampling rate.
    pub fs: f64,
    /// Time of row 0 (the earliest start).
    pub t0: f64,
    /// First row of each trace.
    pub offsets: Vec<usize>,
    /// Rows in all.
    pub len: usize,
}

impl Grid {
    /// Sample `k` of trace `trace` at `row`, NaN where the trace has none.
    pub fn value(&self, traces: &[Trace], trace: usize, row: usize) -> f64 {
        row.checked_sub(self.offsets[trace])
            .and_then(|i| traces[trace].samples.get(i))
            .copied()
            .unwrap_or(f64::NAN)
    }
}

/// Check that traces share a rate and a sample grid, and hold no infinite values (NaN is a gap).
pub(crate) fn grid(traces: &[Trace]) -> Result<Grid> {
    let Some(first) = traces.first() else {
        return Err(Error::Invalid("no traces to write".into()));
    };
    for (k, t) in traces.iter().enumerate() {
        let what = format!("trace {} ({:?})", k + 1, t.label);
        check_trace(t, &what)?;
        if (t.fs - first.fs).abs() > 1e-9 * first.fs {
            return Err(Error::Invalid(format!(
                "traces have different sampling rates ({:?} at {} Hz, {:?} at {} Hz): resample them to one rate first",
                first.label, first.fs, t.label, t.fs
            )));
        }
        if let Some(i) = t.samples.iter().position(|v| v.is_infinite()) {
            return Err(Error::Invalid(format!(
                "{what}: infinite value at sample {i}"
            )));
        }
    }
    let fs = first.fs;
    let t0 = traces.iter().map(|t| t.t0).fold(f64::INFINITY, f64::min);
    let mut offsets = Vec::with_capacity(traces.len());
    for t in traces {
        let exact = (t.t0 - t0) * fs;
        let rounded = exact.round();
        if (exact - rounded).abs() > 1e-6 {
            return Err(Error::Invalid(format!(
                "trace {:?} starts at {} s, between the samples of the others (every {} s from {} s)",
                t.label,
                t.t0,
                1.0 / fs,
                t0
            )));
        }
        offsets.push(rounded as usize);
    }
    let len = traces
        .iter()
        .zip(&offsets)
        .map(|(t, o)| o + t.samples.len())
        .max()
        .unwrap_or(0);
    Ok(Grid {
        fs,
        t0,
        offsets,
        len,
    })
}

/// The name a trace is written under: its label, or its position when it has none.
pub(crate) fn column_name(trace: &Trace, k: usize) -> String {
    if trace.label.trim().is_empty() {
        format!("signal {}", k + 1)
    } else {
        trace.label.clone()
    }
}

/// CSV: header row `time_s,<label>,<label>…`, one row per sample, mV; traces of different
/// lengths leave cells empty. All traces share fs (error otherwise).
///
/// Values are written to 1 µV (six decimals), times to 1 ns; NaN gaps are empty cells. Traces
/// starting at different times are aligned on their common sample grid.
pub fn write_csv(traces: &[Trace], path: &Path) -> Result<()> {
    let bytes = csv_bytes(traces).map_err(|e| with_path(e, path))?;
    atomic::write_files(&[(path, bytes.as_bytes())])
}

fn csv_bytes(traces: &[Trace]) -> Result<String> {
    let grid = grid(traces)?;
    let mut out = String::with_capacity(grid.len * (12 + 10 * traces.len()) + 256);
    out.push_str("time_s");
    for (k, t) in traces.iter().enumerate() {
        out.push(',');
        push_csv_field(&mut out, &column_name(t, k));
    }
    out.push('\n');
    for row in 0..grid.len {
        push_fixed(&mut out, grid.t0 + row as f64 / grid.fs, 9);
        for k in 0..traces.len() {
            out.push(',');
            let v = grid.value(traces, k, row);
            if v.is_finite() {
                push_fixed(&mut out, v, 6);
            }
        }
        out.push('\n');
    }
    Ok(out)
}

/// A CSV field, quoted when it holds a separator, a quote or a line break.
fn push_csv_field(out: &mut String, field: &str) {
    if field.contains([',', '"', '\n', '\r']) {
        out.push('"');
        out.push_str(&field.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(field);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aligns_later_starts_and_quotes_labels() {
        let a = Trace::new("a,b", vec![1.0, 2.0, 3.0], 100.0);
        let b = Trace::new("c", vec![5.0], 100.0).starting_at(0.02);
        let csv = csv_bytes(&[a, b]).unwrap();
        assert_eq!(csv, "time_s,\"a,b\",c\n0,1,\n0.01,2,\n0.02,3,5\n");
    }

    #[test]
    fn refuses_starts_between_samples() {
        let a = Trace::new("a", vec![1.0; 3], 100.0);
        let b = Trace::new("b", vec![1.0; 3], 100.0).starting_at(0.005);
        let err = csv_bytes(&[a, b]).unwrap_err().to_string();
        assert!(err.contains("between the samples"), "{err}");
    }
}
