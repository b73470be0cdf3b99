//! Records as CSV: a header row (`time_s`, then lead names), one row per sample, values in mV.

use super::{Lead, Record};
use crate::error::{Error, Result};
use std::io::Write;
use std::path::Path;

const KIND: &str = "CSV record";

/// Write a record as CSV at its own sampling rate; invalid (NaN) samples are left empty.
pub fn write_csv(record: &Record, out: &mut dyn Write) -> std::io::Result<()> {
    let mut w = std::io::BufWriter::with_capacity(1 << 16, out);
    write!(w, "time_s")?;
    for lead in &record.leads {
        write!(w, ",{}", lead.name)?;
    }
    writeln!(w)?;
    let mut buf = ryu_like::Buffer::default();
    for i in 0..record.len() {
        w.write_all(buf.format(i as f64 / record.fs).as_bytes())?;
        for lead in &record.leads {
            w.write_all(b",")?;
            let v = lead.samples[i];
            if v.is_finite() {
                w.write_all(buf.format(v).as_bytes())?;
            }
        }
        w.write_all(b"\n")?;
    }
    w.flush()
}

/// A column header split into its name and the unit it gives, if any: `II (uV)`, `V1 [mV]`,
/// `time_ms`, `aVF_mV` (a unit after an underscore only when it is one the reader knows, so
/// a name such as `ECG_1` stays whole).
fn column_unit(header: &str) -> (&str, Option<&str>) {
    let h = header.trim();
    for (open, close) in [('(', ')'), ('[', ']')] {
        if let Some(inner) = h.strip_suffix(close)
            && let Some(at) = inner.rfind(open)
        {
            return (
                inner[..at].trim(),
                Some(inner[at + open.len_utf8()..].trim()),
            );
        }
    }
    if let Some(at) = h.rfind('_') {
        let unit = &h[at + 1..];
        let known = ["s", "ms", "mv", "uv", "µv", "μv", "v"];
        if known.contains(&unit.to_lowercase().as_str()) {
            return (&h[..at], Some(unit));
        }
    }
    (h, None)
}

/// Shortest round-trip formatting of floats without allocation per value.
mod ryu_like {
    use std::fmt::Write;

    /// A reusable text buffer.
    #[derive(Default)]
    pub struct Buffer(String);

    impl Buffer {
        /// Format `v` (shortest text that parses back to the same f64).
        pub fn format(&mut self, v: f64) -> &str {
            self.0.clear();
            let _ = write!(self.0, "{v}");
            &self.0
        }
    }
}

/// Read a CSV record: the first column is time (seconds, or milliseconds when its header says
/// `ms`, e.g. `time_ms`; it sets the sampling rate), the others are leads in mV, or in the unit
/// their header names in brackets or after an underscore (`II (uV)`, `V1 [µV]`, `aVF_mV`).
/// Fields may be separated by commas, semicolons or tabs (the header row decides). An empty
/// field is a missing sample (as [`write_csv`] writes one); a value that is not finite is an
/// error.
pub fn read_csv(path: &Path) -> Result<Record> {
    let text = crate::error::read_text(path)?;
    let first_line = text.lines().next().unwrap_or("");
    let delimiter = [b',', b';', b'\t']
        .into_iter()
        .max_by_key(|&d| first_line.bytes().filter(|&b| b == d).count())
        .unwrap_or(b',');
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| Error::malformed(path, KIND, e.to_string()))?
        .clone();
    if headers.len() < 2 || !headers[0].to_ascii_lowercase().starts_with('t') {
        return Err(Error::malformed(
            path,
            KIND,
            "the first column must be time in seconds (header \"time_s\"), followed by one column per lead",
        ));
    }
    // Whatever follows an underscore in the time column's name is its unit (time_s, time_ms).
    let time_unit = column_unit(&headers[0])
        .1
        .or_else(|| headers[0].rsplit_once('_').map(|(_, u)| u));
    let time_scale = match time_unit {
        Some(u) if u.eq_ignore_ascii_case("ms") => 1e-3,
        Some(u) if u.eq_ignore_ascii_case("s") => 1.0,
        Some(u) => {
            return Err(Error::malformed(
                path,
                KIND,
                format!("time in {u:?}: give it in seconds (time_s) or milliseconds (time_ms)"),
            ));
        }
        None => 1.0,
    };
    let mut names = Vec::new();
    let mut to_mv = Vec::new();
    for h in headers.iter().skip(1) {
        let (name, unit) = column_unit(h);
        let scale = match unit.map(|u| u.to_lowercase()) {
            None => 1.0,
            Some(u) => match u.as_str() {
                "mv" => 1.0,
                "uv" | "µv" | "μv" => 1e-3,
                "v" => 1e3,
                _ => {
                    return Err(Error::malformed(
                        path,
                        KIND,
                        format!(
                            "lead {name}: unknown unit {unit:?} (mV, µV or V)",
                            unit = unit.unwrap_or("")
                        ),
                    ));
                }
            },
        };
        names.push(name.to_string());
        to_mv.push(scale);
    }
    let mut time = Vec::new();
    let mut cols: Vec<Vec<f64>> = vec![Vec::new(); names.len()];
    for (row, rec) in reader.records().enumerate() {
        let rec = rec.map_err(|e| Error::malformed(path, KIND, e.to_string()))?;
        if rec.len() != headers.len() {
            return Err(Error::malformed(
                path,
                KIND,
                format!(
                    "row {} has {} fields, the header {}",
                    row + 2,
                    rec.len(),
                    headers.len()
                ),
            ));
        }
        for (c, field) in rec.iter().enumerate() {
            let lead = if c == 0 { "time" } else { &names[c - 1] };
            if c > 0 && field.is_empty() {
                cols[c - 1].push(f64::NAN);
                continue;
            }
            let value: f64 = field.parse().map_err(|_| {
                Error::malformed(
                    path,
                    KIND,
                    format!("row {}, column {lead}: {field:?} is not a number", row + 2),
                )
            })?;
            if !value.is_finite() {
                return Err(Error::NonFinite {
                    path: path.to_path_buf(),
                    lead: lead.to_string(),
                    sample: row,
                    value,
                });
            }
            if c == 0 {
                time.push(value * time_scale)
            } else {
                cols[c - 1].push(value * to_mv[c - 1])
            }
        }
    }
    if time.len() < 2 {
        return Err(Error::malformed(
            path,
            KIND,
            "fewer than two samples: the sampling rate cannot be known",
        ));
    }
    let dt = (time[time.len() - 1] - time[0]) / (time.len() - 1) as f64;
    let fs = 1.0 / dt;
    if !(fs.is_finite() && fs > 0.0) {
        return Err(Error::SamplingRate {
            path: path.to_path_buf(),
            fs,
        });
    }
    if let Some(i) = time
        .windows(2)
        .position(|w| ((w[1] - w[0]) - dt).abs() > 0.01 * dt)
    {
        return Err(Error::malformed(
            path,
            KIND,
            format!("time is not evenly spaced at row {}", i + 3),
        ));
    }
    Ok(Record {
        name: path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default(),
        fs: (fs * 1e6).round() / 1e6,
        leads: names
            .iter()
            .zip(cols)
            .map(|(n, s)| Lead::new(n, s, false))
            .collect(),
        comments: Vec::new(),
        notes: Vec::new(),
    })
}
