//! WFDB records through the `wfdb` crate: its header parser and sample decoders, with a thin
//! adapter that reads each signal file once, checks its length against the header, decodes
//! frames in parallel chunks and scales to mV.

use super::gains::{self, Calibration};
use super::wfdb_decode::{Layout, Scale, decode_frames};
use super::wfdb_multi::read_multi_segment;
use super::{Lead, Record};
use crate::error::{Error, Result, read_text};
use std::path::{Path, PathBuf};
use wfdb::{Header, SignalFormat, SignalInfo};

/// The header path for a record path given with or without `.hea`.
pub fn header_path(record: &Path) -> PathBuf {
    if record.extension().is_some_and(|e| e == "hea") {
        record.to_path_buf()
    } else {
        let mut s = record.as_os_str().to_owned();
        s.push(".hea");
        PathBuf::from(s)
    }
}

/// Parse a single-segment WFDB header file, with errors that name it.
pub fn read_header(path: &Path) -> Result<Header> {
    let header = parse_header(path)?;
    if header.segments().is_some() {
        return Err(Error::UnsupportedFormat {
            path: path.to_path_buf(),
            format: "multi-segment record".into(),
            reason: "only a single-segment record's header can be used here".into(),
        });
    }
    Ok(header)
}

/// Parse a WFDB header file, single- or multi-segment, with errors that name it.
pub fn parse_header(path: &Path) -> Result<Header> {
    let text = read_text(path)?;
    if text.trim().is_empty() {
        return Err(header_err(path, "the file is empty"));
    }
    check_sampling_rate(&text, path)?;
    check_parentheses(&text, path)?;
    let header = Header::from_reader(&mut text.as_bytes()).map_err(|e| match e {
        wfdb::Error::UnsupportedSignalFormat(code) => unsupported(path, code.to_string()),
        other => header_err(path, crate_message(&other)),
    })?;
    Ok(header)
}

/// The crate rejects a non-positive rate as a generic header error; give it its own kind.
fn check_sampling_rate(text: &str, path: &Path) -> Result<()> {
    let record_line = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'));
    let field = record_line.and_then(|l| l.split_whitespace().nth(2));
    let rate = field.and_then(|f| f.split(['/', '(']).next()?.parse::<f64>().ok());
    match rate {
        Some(fs) if !(fs.is_finite() && fs > 0.0) => Err(Error::SamplingRate {
            path: path.to_path_buf(),
            fs,
        }),
        _ => Ok(()),
    }
}

/// The crate slices a signal's `gain(baseline)` field from its first `(` to its first `)` and
/// panics when the `)` comes first, so such a field is refused here.
fn check_parentheses(text: &str, path: &Path) -> Result<()> {
    let lines = text.lines().map(str::trim).filter(|l| !l.starts_with('#'));
    // The gain is a signal line's third field; the record line's third, the rate, cannot hold
    // a `)` and still parse.
    for field in lines.flat_map(|l| l.split_whitespace().take(3)) {
        if let (Some(open), Some(close)) = (field.find('('), field.find(')'))
            && close < open
        {
            return Err(header_err(
                path,
                format!("unbalanced parentheses in field {field:?}"),
            ));
        }
    }
    Ok(())
}

fn crate_message(e: &wfdb::Error) -> String {
    match e {
        wfdb::Error::InvalidHeader(m) | wfdb::Error::InvalidPath(m) => m.clone(),
        other => other.to_string(),
    }
}

pub(super) fn header_err(path: &Path, reason: impl Into<String>) -> Error {
    Error::Header {
        path: path.to_path_buf(),
        reason: reason.into(),
    }
}

fn unsupported(path: &Path, format: String) -> Error {
    let reason = match format.as_str() {
        "508" | "516" | "524" => {
            "FLAC-compressed signals are not supported; convert the record to format 16 (e.g. with WFDB's xform)"
        }
        _ => "not a WFDB signal format this program decodes",
    };
    Error::UnsupportedFormat {
        path: path.to_path_buf(),
        format,
        reason: reason.into(),
    }
}

/// Load a whole WFDB record into mV. Header gains that only normalise each lead are replaced
/// by one gain (see [`gains`]), and the record's notes say so. A multi-segment record is read
/// segment by segment ([`read_multi_segment`]).
pub fn read_wfdb(record: &Path) -> Result<Record> {
    let hea = header_path(record);
    let header = parse_header(&hea)?;
    if let Some(segments) = header.segments() {
        return read_multi_segment(&hea, &header, segments);
    }
    let (mut rec, calibrations) = decode_single(&hea, &header)?;
    gains::restore_common_gain(&mut rec, &calibrations);
    Ok(rec)
}

/// Load a record exactly as its header scales it (as wfdb-python's `rdrecord` does), with each
/// lead's calibration.
pub fn read_wfdb_as_written(record: &Path) -> Result<(Record, Vec<Calibration>)> {
    let hea = header_path(record);
    let header = read_header(&hea)?;
    decode_single(&hea, &header)
}

/// The signals of the single-segment record whose header `header` was parsed from `hea`.
fn decode_single(hea: &Path, header: &Header) -> Result<(Record, Vec<Calibration>)> {
    let meta = &header.metadata;
    let fs = meta.sampling_frequency.unwrap_or(250.0);
    if !(fs.is_finite() && fs > 0.0) {
        return Err(Error::SamplingRate {
            path: hea.to_path_buf(),
            fs,
        });
    }
    let signals: Vec<SignalInfo> = header
        .signals()
        .unwrap_or(&[])
        .iter()
        .map(with_zero_gain_read)
        .collect();
    let signals = signals.as_slice();
    if signals.is_empty() {
        return Err(header_err(hea, "the header lists no signals"));
    }
    if signals.len() != meta.num_signals {
        return Err(header_err(
            hea,
            format!(
                "the record line announces {} signals but {} signal lines follow",
                meta.num_signals,
                signals.len()
            ),
        ));
    }
    let dir = hea.parent().unwrap_or(Path::new("."));
    let mut leads: Vec<Option<Lead>> = vec![None; signals.len()];
    let mut calibrations = vec![None; signals.len()];
    // MIT-BIH-style records mark chest leads that are modified placements.
    let ambulatory = signals.iter().any(|s| {
        s.description
            .as_deref()
            .is_some_and(|d| d.to_ascii_uppercase().starts_with("ML"))
    });
    for group in file_groups(signals) {
        let mut scales = Vec::with_capacity(group.len());
        for &idx in &group {
            let info = &signals[idx];
            let (gain, to_mv) = unit_scale(info).ok_or_else(|| {
                header_err(
                    hea,
                    format!("signal {} has a zero or invalid gain", idx + 1),
                )
            })?;
            let baseline = f64::from(info.baseline());
            calibrations[idx] = Some(Calibration {
                gain: gain / to_mv,
                baseline,
            });
            scales.push(Scale {
                baseline,
                gain,
                to_mv,
            });
        }
        let columns = read_group(hea, dir, signals, &group, meta.num_samples, &scales)?;
        for (&idx, samples) in group.iter().zip(columns) {
            let name = signals[idx]
                .description
                .clone()
                .unwrap_or_else(|| format!("signal {}", idx + 1));
            leads[idx] = Some(Lead::new(&name, samples, ambulatory));
        }
    }
    let leads: Vec<Lead> = leads.into_iter().flatten().collect();
    let calibrations = calibrations.into_iter().flatten().collect();
    let name = meta.name.clone();
    let record = Record {
        name,
        fs,
        leads,
        comments: header.info_strings.clone(),
        notes: Vec::new(),
    };
    Ok((record, calibrations))
}

/// `info` as its header line wrote it when that line gives a gain of 0 ("uncalibrated", as the
/// QT Database's MIT-BIH-derived headers write it: `sel883.dat 212 0 12 0 288 -10190 0
/// ECG1`). The header parser takes such a 0 for the block size and every field after it for
/// the description, so the lead would be named "12 0 288 -10190 0 ECG1" and its ADC zero
/// lost. Other lines come back unchanged.
pub(super) fn with_zero_gain_read(info: &SignalInfo) -> SignalInfo {
    let mut out = info.clone();
    if info.adc_gain.is_some() || info.block_size != Some(0) {
        return out;
    }
    let Some(text) = info.description.as_deref() else {
        return out;
    };
    let tokens: Vec<&str> = text.split_whitespace().collect();
    let numbers: Vec<i32> = tokens
        .iter()
        .map_while(|t| t.parse().ok())
        .take(5)
        .collect();
    let [resolution, zero, initial, checksum, block] = numbers[..] else {
        return out;
    };
    let Ok(resolution) = u8::try_from(resolution) else {
        return out;
    };
    out.adc_resolution = Some(resolution);
    out.adc_zero = Some(zero);
    out.initial_value = Some(initial);
    out.checksum = Some(checksum);
    out.block_size = Some(block);
    let rest = tokens[5..].join(" ");
    out.description = (!rest.is_empty()).then_some(rest);
    out
}

/// The gain (ADC units per physical unit) and the factor from the signal's unit to mV.
fn unit_scale(info: &SignalInfo) -> Option<(f64, f64)> {
    // WFDB reads a gain of 0 as "uncalibrated, use the default".
    let gain = Some(info.adc_gain())
        .filter(|&g| g != 0.0)
        .unwrap_or(SignalInfo::DEFAULT_ADC_GAIN);
    if !(gain.is_finite() && gain > 0.0) {
        return None;
    }
    let units = info.units().to_ascii_lowercase();
    let to_mv = match units.as_str() {
        "uv" | "µv" | "μv" => 1e-3,
        "v" => 1e3,
        _ => 1.0,
    };
    Some((gain, to_mv))
}

/// Indices of the signals stored in each file, in order of first appearance.
fn file_groups(signals: &[SignalInfo]) -> Vec<Vec<usize>> {
    let mut groups: Vec<(String, Vec<usize>)> = Vec::new();
    for (i, s) in signals.iter().enumerate() {
        match groups.iter_mut().find(|(f, _)| *f == s.file_name) {
            Some((_, g)) => g.push(i),
            None => groups.push((s.file_name.clone(), vec![i])),
        }
    }
    groups.into_iter().map(|(_, g)| g).collect()
}

/// Read and decode one signal file into one column of mV per signal of the group.
fn read_group(
    hea: &Path,
    dir: &Path,
    signals: &[SignalInfo],
    group: &[usize],
    n_samples: Option<u64>,
    scales: &[Scale],
) -> Result<Vec<Vec<f64>>> {
    let first = &signals[group[0]];
    for &i in group {
        let s = &signals[i];
        if s.format != first.format {
            return Err(Error::UnsupportedFormat {
                path: hea.to_path_buf(),
                format: format!("{} and {}", u16::from(first.format), u16::from(s.format)),
                reason: format!("signals of {} mix formats within one file", first.file_name),
            });
        }
        if s.samples_per_frame.unwrap_or(1) != 1 || s.skew.unwrap_or(0) != 0 {
            return Err(Error::UnsupportedFormat {
                path: hea.to_path_buf(),
                format: format!(
                    "{}x{}",
                    u16::from(s.format),
                    s.samples_per_frame.unwrap_or(1)
                ),
                reason: "multi-frequency or skewed signals are not supported".into(),
            });
        }
    }
    if first.format == SignalFormat::Format8 && group.len() > 1 {
        return Err(Error::UnsupportedFormat {
            path: hea.to_path_buf(),
            format: "8".into(),
            reason: format!(
                "first-difference signals interleaved in one file ({})",
                first.file_name
            ),
        });
    }
    let Some(layout) = Layout::of(first.format, group.len()) else {
        return Err(unsupported(hea, u16::from(first.format).to_string()));
    };
    let path = dir.join(&first.file_name);
    // A name with a NUL byte or of a folder would fail on a path that does not name the record.
    if first.file_name.contains('\0') || path.is_dir() {
        return Err(header_err(
            hea,
            format!(
                "signal file name {:?} does not name a file",
                first.file_name
            ),
        ));
    }
    let bytes = std::fs::read(&path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => Error::NotFound {
            path: path.clone(),
            context: format!(" (signal file named by {})", hea.display()),
        },
        _ => Error::io(&path, e),
    })?;
    let offset = usize::try_from(first.byte_offset.unwrap_or(0)).unwrap_or(usize::MAX);
    let data = bytes.get(offset..).unwrap_or(&[]);
    let available = layout.frames_in(data.len()) as u64;
    let frames = match n_samples {
        Some(n) if n > available => {
            return Err(Error::Truncated {
                path,
                expected: n,
                found: available,
            });
        }
        Some(n) => n as usize,
        None => available as usize,
    };
    decode_frames(
        first.format,
        first.initial_value.unwrap_or(0),
        layout,
        data,
        frames,
        scales,
    )
    .map_err(|reason| Error::malformed(&path, "WFDB signal file", reason))
}
