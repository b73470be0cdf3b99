//! The recovery file's content: the record-level marks and, since per-lead editing, the edited
//! leads' marks. Files written before then have no lead entries and no `cycles_edited` flag;
//! they read as record-level edits, as they always did.

use super::leads::{LeadDocs, LeadName};
use super::{AnnotationDoc, Mark, Origin, Peak, valid_fs};
use crate::delineate::RhythmNote;
use crate::delineate::WaveKind;
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

const FORMAT: &str = "ecg-panorama annotation recovery";
/// Unchanged by the lead entries: they are optional, so older files still read.
const VERSION: u32 = 1;
const KIND: &str = "annotation recovery file";

/// One document's marks as a recovery file keeps them.
#[derive(Debug, Serialize, Deserialize)]
struct Marks {
    revision: u64,
    /// Where the edited marks first came from, for the user's information.
    origin: String,
    marks: Vec<Mark>,
    /// Peaks as (WFDB symbol, sample).
    #[serde(default)]
    peaks: Vec<(String, usize)>,
    /// The annotator's rhythm notes (absent from files written before them).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    rhythm: Vec<RhythmNote>,
}

impl Marks {
    fn of(doc: &AnnotationDoc) -> Self {
        Self {
            revision: doc.revision,
            origin: doc.origin.to_string(),
            marks: doc.marks.clone(),
            peaks: doc
                .peaks
                .iter()
                .map(|p| (p.wave.symbol().to_string(), p.sample))
                .collect(),
            rhythm: doc.rhythm.clone(),
        }
    }

    /// The document these marks make for a record of `samples` at `fs`, loaded from `path`
    /// (dirty: its edits are in no saved file); `bad` words an error about them.
    fn into_doc(
        self,
        path: &Path,
        samples: usize,
        fs: f64,
        bad: impl Fn(String) -> Error,
    ) -> Result<AnnotationDoc> {
        if let Some(m) = self.marks.iter().find(|m| m.sample >= samples) {
            return Err(bad(format!(
                "{} at sample {} lies past the record's end ({samples} samples)",
                m.kind, m.sample
            )));
        }
        if self.marks.windows(2).any(|w| w[0].sample > w[1].sample) {
            return Err(bad("marks are not sorted by sample".into()));
        }
        let peaks = self
            .peaks
            .iter()
            .map(|(symbol, sample)| {
                WaveKind::from_symbol(symbol)
                    .filter(|_| *sample < samples)
                    .map(|wave| Peak {
                        wave,
                        sample: *sample,
                    })
                    .ok_or_else(|| bad(format!("bad peak {symbol:?} at sample {sample}")))
            })
            .collect::<Result<Vec<_>>>()?;
        let mut doc = AnnotationDoc::new(
            samples,
            fs,
            self.marks,
            Origin::Recovery(path.to_path_buf()),
        );
        doc.peaks = peaks;
        doc.peaks.sort_by_key(|p| p.sample);
        doc.set_rhythm_notes(self.rhythm);
        doc.revision = self.revision;
        Ok(doc)
    }
}

/// An edited lead's marks.
#[derive(Debug, Serialize, Deserialize)]
struct LeadMarks {
    #[serde(flatten)]
    name: LeadName,
    #[serde(flatten)]
    marks: Marks,
}

fn yes() -> bool {
    true
}

/// What a recovery file holds (JSON).
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct RecoveryFile {
    format: String,
    version: u32,
    /// The record's canonical path, without its signal extension.
    record: String,
    fs: f64,
    samples: usize,
    #[serde(flatten)]
    cycles: Marks,
    /// False when only leads were edited: the record-level marks are then the saved ones.
    #[serde(default = "yes")]
    cycles_edited: bool,
    /// The leads whose documents hold edits.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    leads: Vec<LeadMarks>,
}

impl RecoveryFile {
    /// The file for `record` (its key): the record-level document (`cycles_edited` says
    /// whether it holds edits) and the leads with edits.
    pub(super) fn new(
        record: &Path,
        cycles: &AnnotationDoc,
        cycles_edited: bool,
        leads: &LeadDocs,
    ) -> Self {
        Self {
            format: FORMAT.into(),
            version: VERSION,
            record: record.to_string_lossy().into_owned(),
            fs: cycles.fs,
            samples: cycles.len,
            cycles: Marks::of(cycles),
            cycles_edited,
            leads: leads
                .leads
                .iter()
                .filter_map(|l| Some((&l.name, l.doc.as_ref()?)))
                .filter(|(_, d)| d.is_dirty())
                .map(|(name, d)| LeadMarks {
                    name: name.clone(),
                    marks: Marks::of(d),
                })
                .collect(),
        }
    }
}

/// What a recovery file gives back.
#[derive(Debug, Clone)]
pub struct Recovered {
    /// The file.
    pub path: PathBuf,
    /// When it was written, to compare with the saved files.
    pub modified: Option<SystemTime>,
    /// The record-level document as the file holds it.
    pub cycles: AnnotationDoc,
    /// False when only leads were edited: `cycles` then holds the saved marks, not edits.
    pub cycles_edited: bool,
    /// The leads whose edits it holds, each with its document.
    pub leads: Vec<(LeadName, AnnotationDoc)>,
}

impl Recovered {
    /// Parse `text`, the content of recovery file `path`; with `key`, it must hold that
    /// record's edits.
    pub(super) fn parse(path: &Path, text: &str, key: Option<&Path>) -> Result<Self> {
        let bad = |reason: String| Error::malformed(path, KIND, reason);
        let file: RecoveryFile = serde_json::from_str(text).map_err(|e| bad(e.to_string()))?;
        if file.format != FORMAT {
            return Err(bad(format!(
                "format {:?}, expected {FORMAT:?}",
                file.format
            )));
        }
        if file.version != VERSION {
            return Err(bad(format!(
                "version {} (this program reads {VERSION})",
                file.version
            )));
        }
        if !valid_fs(file.fs) {
            return Err(bad(format!("invalid sampling rate {} Hz", file.fs)));
        }
        if let Some(key) = key
            && Path::new(&file.record) != key
        {
            return Err(bad(format!(
                "holds the edits of record {}, not {}",
                file.record,
                key.display()
            )));
        }
        let (samples, fs) = (file.samples, file.fs);
        let cycles = file.cycles.into_doc(path, samples, fs, bad)?;
        let leads = file
            .leads
            .into_iter()
            .map(|l| {
                let lead = l.name.lead.clone();
                let doc = l.marks.into_doc(path, samples, fs, |reason| {
                    bad(format!("lead {lead}: {reason}"))
                })?;
                Ok((l.name, doc))
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Self {
            path: path.to_path_buf(),
            modified: std::fs::metadata(path).and_then(|m| m.modified()).ok(),
            cycles,
            cycles_edited: file.cycles_edited,
            leads,
        })
    }

    /// True when the file was written after `saved` (the newest saved file it competes with;
    /// `None` when there is none).
    pub fn newer_than(&self, saved: Option<SystemTime>) -> bool {
        match (self.modified, saved) {
            (_, None) => true,
            (Some(r), Some(s)) => r > s,
            (None, Some(_)) => false,
        }
    }
}
