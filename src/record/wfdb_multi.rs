//! Multi-segment WFDB records (long recordings kept as a list of single-segment records, as
//! PhysioNet stores bedside monitor and Holter data): the segments are read one after another
//! and joined, a null segment (`~`) becomes a stretch of missing samples, and with a variable
//! layout (a first segment of length 0 naming every signal) a segment without some signal
//! leaves it missing there.

use super::wfdb_io::{header_err, parse_header, read_wfdb, with_zero_gain_read};
use super::{Lead, Record};
use crate::error::{Error, Result};
use std::path::Path;
use wfdb::{Header, SegmentInfo};

/// Name of a null segment: samples the recorder did not keep.
const NULL_SEGMENT: &str = "~";

/// Read the multi-segment record whose master header `header` was parsed from `hea`.
pub fn read_multi_segment(hea: &Path, header: &Header, segments: &[SegmentInfo]) -> Result<Record> {
    let meta = &header.metadata;
    let fs = meta.sampling_frequency.unwrap_or(250.0);
    let dir = hea.parent().unwrap_or(Path::new("."));
    // Each signal as first met (its name, raw name and view), its samples so far.
    let mut leads: Vec<Lead> = Vec::new();
    let mut len = 0usize;
    let mut notes = Vec::new();
    for (k, seg) in segments.iter().enumerate() {
        let n = usize::try_from(seg.num_samples)
            .map_err(|_| header_err(hea, format!("segment {} is too long", k + 1)))?;
        if seg.record_name == NULL_SEGMENT {
            len += n;
            continue;
        }
        if n == 0 {
            // The layout segment: the record's signals, in order, and no samples.
            let layout = parse_header(&dir.join(format!("{}.hea", seg.record_name)))?;
            for info in layout.signals().unwrap_or(&[]) {
                let raw = with_zero_gain_read(info).description.unwrap_or_default();
                add(&mut leads, Lead::new(&raw, Vec::new(), false));
            }
            continue;
        }
        let part = read_wfdb(&dir.join(&seg.record_name)).map_err(|e| in_segment(hea, k, e))?;
        if (part.fs - fs).abs() > 1e-6 * fs {
            return Err(header_err(
                hea,
                format!(
                    "segment {} ({}) is sampled at {} Hz, the record at {fs} Hz",
                    k + 1,
                    seg.record_name,
                    part.fs
                ),
            ));
        }
        if part.len() != n {
            return Err(header_err(
                hea,
                format!(
                    "segment {} ({}) holds {} samples, the master header says {n}",
                    k + 1,
                    seg.record_name,
                    part.len()
                ),
            ));
        }
        notes.extend(
            part.notes
                .iter()
                .map(|m| format!("segment {}: {m}", seg.record_name)),
        );
        for mut lead in part.leads {
            let samples = std::mem::take(&mut lead.samples);
            let at = add(&mut leads, lead);
            let column = &mut leads[at].samples;
            column.resize(len, f64::NAN);
            column.extend_from_slice(&samples);
        }
        len += n;
    }
    if leads.is_empty() || len == 0 {
        return Err(header_err(hea, "the record's segments hold no samples"));
    }
    for lead in &mut leads {
        lead.samples.resize(len, f64::NAN);
    }
    Ok(Record {
        name: meta.name.clone(),
        fs,
        leads,
        comments: header.info_strings.clone(),
        notes,
    })
}

/// The position of `lead`'s signal among `leads`, added (without samples) when first met.
fn add(leads: &mut Vec<Lead>, lead: Lead) -> usize {
    match leads.iter().position(|x| x.name == lead.name) {
        Some(at) => at,
        None => {
            leads.push(Lead {
                samples: Vec::new(),
                ..lead
            });
            leads.len() - 1
        }
    }
}

/// Say which segment an error is about, keeping its kind.
fn in_segment(hea: &Path, k: usize, e: Error) -> Error {
    match e {
        Error::NotFound { path, context } => Error::NotFound {
            path,
            context: format!("{context} (segment {} of {})", k + 1, hea.display()),
        },
        other => other,
    }
}
