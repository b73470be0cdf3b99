//! Traces as a WFDB record: a header (`.hea`) and one format-16 signal file (`.dat`).

use super::signals::{Grid, column_name, grid};
use super::{Trace, atomic, with_path};
use crate::error::{Error, Result};
use std::fmt::Write;
use std::path::{Path, PathBuf};

/// Format 16's "no value" sample, which readers turn into NaN.
const INVALID: i16 = i16::MIN;
/// Largest valid magnitude in ADC units (−32768 is taken by INVALID).
const MAX_ADU: f64 = 32767.0;
/// Preferred gain: 1 µV per ADC unit.
const PREFERRED_GAIN: f64 = 1000.0;

/// WFDB record: NAME.hea + NAME.dat in format 16, gain chosen per signal so the full range fits
/// (e.g. 1000 adu/mV, or lower if the signal's range would overflow i16), units mV, baseline 0,
/// checksum and init value written as the WFDB spec says; `path` is the record path without extension.
///
/// NaN samples, and the tail of traces shorter than the longest, are written as −32768 (no
/// value). Labels are transliterated to ASCII, as WFDB headers are ASCII. Both files are
/// written atomically: a failure leaves neither behind.
pub fn write_wfdb(traces: &[Trace], path: &Path) -> Result<()> {
    let (dir, name) = record_name(path)?;
    let hea = dir.join(format!("{name}.hea"));
    let dat = dir.join(format!("{name}.dat"));
    let grid = grid(traces).map_err(|e| with_path(e, &hea))?;
    let gains = traces
        .iter()
        .map(gain_for)
        .collect::<Result<Vec<_>>>()
        .map_err(|e| with_path(e, &hea))?;
    let (data, columns) = encode(traces, &grid, &gains);
    let header = header_text(&name, traces, &grid, &gains, &columns);
    atomic::write_files(&[(&dat, data.as_slice()), (&hea, header.as_bytes())])
}

/// The folder and record name; names are restricted to what every WFDB reader accepts.
fn record_name(path: &Path) -> Result<(PathBuf, String)> {
    let stem = match path.extension().and_then(|e| e.to_str()) {
        Some("hea" | "dat") => path.with_extension(""),
        _ => path.to_path_buf(),
    };
    let name = stem
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let valid = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if !valid {
        return Err(Error::Invalid(format!(
            "{}: a WFDB record name may hold only letters, digits, '_' and '-'",
            path.display()
        )));
    }
    let dir = match stem.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    Ok((dir, name))
}

/// ADC units per mV: 1000 when the trace fits, else the largest 1-2-5 step that fits.
fn gain_for(trace: &Trace) -> Result<f64> {
    let peak = trace
        .samples
        .iter()
        .filter(|v| v.is_finite())
        .fold(0.0f64, |m, v| m.max(v.abs()));
    for exponent in (-3..=3).rev() {
        for mantissa in [5.0, 2.0, 1.0] {
            let gain: f64 = if exponent >= 0 {
                mantissa * 10f64.powi(exponent)
            } else {
                mantissa / 10f64.powi(-exponent)
            };
            if gain <= PREFERRED_GAIN && (peak * gain).round() <= MAX_ADU {
                return Ok(gain);
            }
        }
    }
    Err(Error::Invalid(format!(
        "trace {:?} reaches {peak} mV, beyond what a 16-bit WFDB signal can hold",
        trace.label
    )))
}

/// Interleaved little-endian frames, and per signal its first value and checksum.
fn encode(traces: &[Trace], grid: &Grid, gains: &[f64]) -> (Vec<u8>, Vec<(i16, i16)>) {
    let mut data = Vec::with_capacity(grid.len * traces.len() * 2);
    let mut columns = vec![(INVALID, 0i16); traces.len()];
    for row in 0..grid.len {
        for (k, gain) in gains.iter().enumerate() {
            let v = grid.value(traces, k, row);
            let adu = if v.is_finite() {
                (v * gain).round() as i16
            } else {
                INVALID
            };
            if row == 0 {
                columns[k].0 = adu;
            }
            // The checksum is the 16-bit wrapping sum of every sample as stored.
            columns[k].1 = columns[k].1.wrapping_add(adu);
            data.extend_from_slice(&adu.to_le_bytes());
        }
    }
    (data, columns)
}

fn header_text(
    name: &str,
    traces: &[Trace],
    grid: &Grid,
    gains: &[f64],
    columns: &[(i16, i16)],
) -> String {
    let mut h = String::with_capacity(64 * (traces.len() + 1));
    let _ = writeln!(h, "{name} {} {} {}", traces.len(), grid.fs, grid.len);
    for (k, t) in traces.iter().enumerate() {
        let (init, checksum) = columns[k];
        let _ = writeln!(
            h,
            "{name}.dat 16 {}(0)/mV 16 0 {init} {checksum} 0 {}",
            gains[k],
            ascii_description(&column_name(t, k))
        );
    }
    h
}

/// WFDB headers are ASCII (wfdb-python drops other bytes): spell out the symbols of viewpoint
/// labels and replace anything else.
fn ascii_description(label: &str) -> String {
    let mut s = String::with_capacity(label.len());
    for ch in label.chars() {
        match ch {
            'θ' => s.push_str("theta"),
            'φ' | 'ϕ' => s.push_str("phi"),
            '°' => {}
            '−' | '–' | '—' => s.push('-'),
            'µ' | 'μ' => s.push('u'),
            '·' => s.push('.'),
            c if c.is_ascii_graphic() || c == ' ' => s.push(c),
            c if c.is_whitespace() => s.push(' '),
            _ => s.push('?'),
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gain_steps_down_only_when_needed() {
        let t = |peak: f64| Trace::new("x", vec![0.0, peak, -peak], 500.0);
        assert_eq!(gain_for(&t(3.0)).unwrap(), 1000.0);
        assert_eq!(gain_for(&t(32.767)).unwrap(), 1000.0);
        assert_eq!(gain_for(&t(40.0)).unwrap(), 500.0);
        assert_eq!(gain_for(&t(200.0)).unwrap(), 100.0);
        assert_eq!(gain_for(&t(5000.0)).unwrap(), 5.0);
        assert_eq!(gain_for(&t(100_000.0)).unwrap(), 0.2);
        assert!(gain_for(&t(1e9)).is_err());
    }

    #[test]
    fn viewpoint_labels_become_ascii() {
        assert_eq!(ascii_description("θ 60° φ −120°"), "theta 60 phi -120");
    }

    #[test]
    fn record_names_are_checked() {
        assert!(record_name(Path::new("/tmp/out/rec_1")).is_ok());
        let (_, n) = record_name(Path::new("/tmp/out/rec.hea")).unwrap();
        assert_eq!(n, "rec");
        assert!(record_name(Path::new("/tmp/out/my rec")).is_err());
    }
}
