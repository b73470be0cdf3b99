//! Where a record's beats come from: the files beside it (as the app opens them, without its
//! recovery files), else the automatic annotator.

use super::beats::{BeatMarks, beats_from_cycles, beats_from_marks, with_rhythm};
use crate::delineate::cycles::cycles;
use crate::delineate::edit::{AnnotationDoc, LeadName};
use crate::delineate::{Delineation, Delineator};
use crate::error::Result;
use crate::record::{Record, record_stem};
use std::collections::BTreeMap;
use std::path::Path;

/// Each lead's own beats (from its wave file), by lead name.
pub type LeadBeats = BTreeMap<String, Vec<BeatMarks>>;

/// Where the record-level beats came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BeatSource {
    /// An annotation file beside the record (its origin in words).
    File(String),
    /// The built-in automatic annotator.
    Annotator,
}

impl std::fmt::Display for BeatSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BeatSource::File(what) => f.write_str(what),
            BeatSource::Annotator => f.write_str("the automatic annotator"),
        }
    }
}

/// The record's beats: from the wave file or JSON labels beside `path` (the first of them the
/// app would open), else from the automatic annotator's flagged cycles. A file that exists but
/// cannot be read is an error.
pub fn record_beats(record: &Record, path: Option<&Path>) -> Result<(BeatSource, Vec<BeatMarks>)> {
    if let Some(path) = path {
        let (doc, _) = AnnotationDoc::open_beside_with(path, record.len(), record.fs, None)?;
        if let Some(doc) = doc {
            let beats = with_rhythm(beats_from_marks(doc.marks()), &doc.named_beats());
            if !beats.is_empty() {
                return Ok((BeatSource::File(doc.origin().to_string()), beats));
            }
        }
    }
    let d = Delineator::load_default()?.delineate(record)?;
    Ok((BeatSource::Annotator, annotator_beats(&d)))
}

/// The record's beats from one annotation file the user names: JSON labels (`.json`), else a
/// WFDB annotation file holding wave boundaries (any extension, e.g. QTDB's `q1c`).
pub fn record_beats_in(record: &Record, file: &Path) -> Result<(BeatSource, Vec<BeatMarks>)> {
    let json = file
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    let doc = if json {
        AnnotationDoc::from_labels_file(file, record.len(), record.fs)?
    } else {
        AnnotationDoc::from_wave_file(file, record.len(), record.fs)?
    };
    let beats = with_rhythm(beats_from_marks(doc.marks()), &doc.named_beats());
    Ok((BeatSource::File(doc.origin().to_string()), beats))
}

/// The beats of a delineation's flagged cycles.
pub fn annotator_beats(d: &Delineation) -> Vec<BeatMarks> {
    beats_from_cycles(&cycles(d), d.len)
}

/// Each lead's beats from its own wave file beside `path` (LUDB's `NAME.i`, `NAME.v1`, …);
/// leads without a readable file are left out, as the record-level beats serve them.
pub fn lead_beats_beside(record: &Record, path: &Path) -> LeadBeats {
    let stem = record_stem(path);
    LeadName::of_record(record)
        .into_iter()
        .filter_map(|name| {
            let mut file = stem.as_os_str().to_owned();
            file.push(format!(".{}", name.ext));
            let file = std::path::PathBuf::from(file);
            let doc = AnnotationDoc::from_wave_file(&file, record.len(), record.fs).ok()?;
            let beats = beats_from_marks(doc.marks());
            (!beats.is_empty()).then_some((name.lead, beats))
        })
        .collect()
}
