//! EDF and EDF+ records (Kemp et al. 1992, 2003): the format Holter and sleep-study software
//! exports. A 256-byte header, 256 bytes per signal, then data records of 16-bit samples.
//!
//! The record's rate is the highest rate of its voltage signals; voltage signals recorded at
//! a lower rate are resampled to it. Signals in other units (respiration, SpO2, position) and
//! EDF+ annotation channels are left out, and the record's notes say which.

use super::{Lead, Record};
use crate::error::{Error, Result};
use crate::signal::resample;
use std::path::Path;

const KIND: &str = "EDF record";
/// Bytes of the fixed header and of each signal's header.
const BLOCK: usize = 256;
/// Most signals believed: more is a damaged header, not a recording (and would overflow the
/// sizes computed from it).
const MAX_SIGNALS: f64 = 4096.0;
/// Most samples per signal and data record believed, for the same reason.
const MAX_PER_RECORD: f64 = 1e7;

/// One signal's header fields.
struct SignalHeader {
    label: String,
    unit: String,
    physical: (f64, f64),
    digital: (f64, f64),
    per_record: usize,
}

/// Read an EDF/EDF+ file.
pub fn read_edf(path: &Path) -> Result<Record> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let bad = |reason: String| Error::malformed(path, KIND, reason);
    if bytes.len() < BLOCK {
        return Err(bad(format!(
            "{} bytes: shorter than the 256-byte header",
            bytes.len()
        )));
    }
    if bytes[0] == 0xFF {
        return Err(Error::UnsupportedFormat {
            path: path.to_path_buf(),
            format: "BDF (24-bit)".into(),
            reason: "only 16-bit EDF and EDF+ files are read".into(),
        });
    }
    let text = |from: usize, len: usize| -> String {
        String::from_utf8_lossy(&bytes[from..from + len])
            .trim()
            .to_string()
    };
    let number = |from: usize, len: usize, what: &str| -> Result<f64> {
        let t = text(from, len);
        t.parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
            .ok_or_else(|| bad(format!("{what} {t:?} is not a number")))
    };
    if text(0, 8) != "0" {
        return Err(bad(format!("version {:?} is not EDF's \"0\"", text(0, 8))));
    }
    let reserved = text(192, 44);
    if reserved.starts_with("EDF+D") {
        return Err(Error::UnsupportedFormat {
            path: path.to_path_buf(),
            format: "EDF+D (discontinuous)".into(),
            reason: "only continuous recordings (EDF, EDF+C) are read".into(),
        });
    }
    let records = number(236, 8, "the number of data records")?;
    let duration = number(244, 8, "the data record duration")?;
    let ns = number(252, 4, "the number of signals")?;
    // Both are finite (`number`), so plain comparisons decide.
    if duration <= 0.0 || !(1.0..=MAX_SIGNALS).contains(&ns) || ns.fract() != 0.0 {
        return Err(bad(format!(
            "{ns} signals of {duration} s per data record: the duration must be positive, \
             the count a whole number from 1 to {MAX_SIGNALS}"
        )));
    }
    let ns = ns as usize;
    let header_len = BLOCK * (ns + 1);
    if bytes.len() < header_len {
        return Err(bad(format!(
            "{} bytes: shorter than the header of {ns} signals ({header_len} bytes)",
            bytes.len()
        )));
    }
    // Signal fields are stored field by field: every label, then every transducer, ...
    let field = |offset: usize, width: usize, k: usize| BLOCK + offset * ns + width * k;
    let mut signals = Vec::with_capacity(ns);
    for k in 0..ns {
        let label = text(field(0, 16, k), 16);
        let unit = text(field(96, 8, k), 8);
        let num = |offset: usize, what: &str| number(field(offset, 8, k), 8, what);
        let physical = (num(104, "physical minimum")?, num(112, "physical maximum")?);
        let digital = (num(120, "digital minimum")?, num(128, "digital maximum")?);
        let per_record = num(216, "samples per data record")?;
        if !(0.0..=MAX_PER_RECORD).contains(&per_record) || per_record.fract() != 0.0 {
            return Err(bad(format!(
                "signal {label:?}: {per_record} samples per data record"
            )));
        }
        signals.push(SignalHeader {
            label,
            unit,
            physical,
            digital,
            per_record: per_record as usize,
        });
    }
    let record_bytes: usize = signals.iter().map(|s| 2 * s.per_record).sum();
    if record_bytes == 0 {
        return Err(bad("no samples in a data record".into()));
    }
    let available = (bytes.len() - header_len) / record_bytes;
    let n_records = if records < 0.0 {
        available
    } else {
        records as usize
    };
    if available < n_records {
        let most = signals.iter().map(|s| s.per_record).max().unwrap_or(0);
        return Err(Error::Truncated {
            path: path.to_path_buf(),
            expected: n_records.saturating_mul(most) as u64,
            found: available.saturating_mul(most) as u64,
        });
    }
    let to_mv = |unit: &str| match unit.to_ascii_lowercase().as_str() {
        "uv" | "µv" => Some(1e-3),
        "mv" => Some(1.0),
        "v" => Some(1e3),
        _ => None,
    };
    let mut columns: Vec<Vec<f64>> = signals
        .iter()
        .map(|s| Vec::with_capacity(n_records * s.per_record))
        .collect();
    let mut at = header_len;
    for _ in 0..n_records {
        for (s, column) in signals.iter().zip(&mut columns) {
            let raw = &bytes[at..at + 2 * s.per_record];
            let (d0, d1) = s.digital;
            let (p0, p1) = s.physical;
            let scale = if d1 != d0 { (p1 - p0) / (d1 - d0) } else { 1.0 };
            column.extend(raw.chunks_exact(2).map(|b| {
                let d = f64::from(i16::from_le_bytes([b[0], b[1]]));
                (d - d0) * scale + p0
            }));
            at += 2 * s.per_record;
        }
    }
    let rate = |s: &SignalHeader| s.per_record as f64 / duration;
    let is_ecg = |s: &SignalHeader| {
        to_mv(&s.unit).is_some() && s.label != "EDF Annotations" && s.per_record > 0
    };
    let fs = signals
        .iter()
        .filter(|s| is_ecg(s))
        .map(rate)
        .fold(0.0, f64::max);
    if fs <= 0.0 {
        return Err(bad(
            "no signal in volts (µV, mV or V): the file holds no ECG".into(),
        ));
    }
    let mut leads = Vec::new();
    let mut left_out = Vec::new();
    let mut notes = Vec::new();
    for (s, column) in signals.iter().zip(columns) {
        if !is_ecg(s) {
            if s.label != "EDF Annotations" {
                left_out.push(format!("{} ({})", s.label, s.unit));
            }
            continue;
        }
        let scale = to_mv(&s.unit).unwrap_or(1.0);
        let mut samples: Vec<f64> = column.into_iter().map(|v| v * scale).collect();
        if (rate(s) - fs).abs() > 1e-9 * fs {
            samples = resample(&samples, rate(s), fs).map_err(|e| bad(e.to_string()))?;
            notes.push(format!(
                "{} recorded at {} Hz, resampled to the record's {fs} Hz",
                s.label,
                rate(s)
            ));
        }
        leads.push(Lead::new(&s.label, samples, false));
    }
    let len = leads.iter().map(|l| l.samples.len()).min().unwrap_or(0);
    for lead in &mut leads {
        lead.samples.truncate(len);
    }
    if !left_out.is_empty() {
        notes.push(format!(
            "signals not in volts left out: {}",
            left_out.join(", ")
        ));
    }
    Ok(Record {
        name: path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default(),
        fs,
        leads,
        comments: [text(8, 80), text(88, 80)]
            .into_iter()
            .filter(|c| !c.is_empty())
            .collect(),
        notes,
    })
}
