//! Hand corrections of cycle boundaries, with undo and redo: the annotation document the app
//! edits.
//!
//! A document holds one set of boundary marks for the whole record (drawn on every lead), kept
//! sorted by sample. Marks at the same sample keep an order, because a T offset that coincides
//! with the next P onset must stay before it for the cycle to read P on → … → T off → P on.
//!
//! The rules the editing operations follow:
//!
//! - **Order is never changed by an edit.** A drag ([`AnnotationDoc::move_mark`]) stops at the
//!   neighbouring marks; a new mark at a sample already taken goes where the cycle order puts
//!   it (after the mark whose successor it is: a P on after a T off, a QRS on after a P off).
//! - **Keys 1–6 at the cursor** ([`AnnotationDoc::set`]): the nearest mark of that kind within
//!   40 ms moves to the cursor when no other mark lies between them (so it stays in its cycle
//!   and in order); otherwise a new mark is inserted. A P on of the next cycle, for instance,
//!   always lies between a T off and a cursor past it, so the key inserts there instead.
//! - **A drag is one undo step**: consecutive moves of the same mark merge until another edit,
//!   an undo or [`AnnotationDoc::finish_drag`].
//! - **Bad input is a no-op**: an index out of range, a sample past the record's end, or a
//!   template cycle that does not fit change nothing and report `false` / `None`.
//! - **Dirty** means the document holds edits that are in no file: false after opening saved
//!   annotations, after the automatic proposal (it can be made again) and after a save; true
//!   after opening a recovery file or any edit, until undone back to the saved marks.
//!
//! Files: [`AnnotationDoc::save`] writes a LUDB-style WFDB wave file and the JSON labels (see
//! there for how marks that do not form a whole wave are kept); [`Recovery`] autosaves to the
//! user's data folder.
//!
//! Per lead: [`LeadDocs`] holds one such document per lead of a record (LUDB's `NAME.v1`, …),
//! each with its own undo/redo and dirty state, beside the record-level document that gives
//! the cycles; [`RecordDocs`] opens both, [`LeadDocs::save_with_cycles`] saves both.

mod kind;
mod leads;
mod leads_open;
mod leads_save;
#[cfg(test)]
mod leads_tests;
mod open;
mod ops;
mod read;
mod recovered;
mod recovery;
mod save;
#[cfg(test)]
mod tests;

pub use kind::BoundaryKind;
pub use leads::{CYCLES_EXT, LeadDoc, LeadDocs, LeadName, Target};
pub use leads_open::RecordDocs;
pub use recovered::Recovered;
pub use recovery::{DATA_DIR_ENV, Recovery};
pub use save::refuse_existing;

use crate::delineate::RhythmNote;

use crate::delineate::WaveKind;
use std::collections::VecDeque;
use std::path::PathBuf;

/// One boundary mark at a sample of the record (the record's own rate).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Mark {
    /// Which boundary.
    pub kind: BoundaryKind,
    /// Sample index from the start of the record.
    pub sample: usize,
}

impl Mark {
    /// A mark of `kind` at `sample`.
    pub fn new(kind: BoundaryKind, sample: usize) -> Self {
        Self { kind, sample }
    }
}

/// A wave's peak as read from a wave file or found by the annotator; kept so that saving
/// writes the cardiologist's peak rather than a made-up one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Peak {
    /// The wave.
    pub wave: WaveKind,
    /// Sample of its peak.
    pub sample: usize,
}

/// Where the marks came from when opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// A WFDB wave annotation file (LUDB's `NAME.ii`).
    WaveFile(PathBuf),
    /// JSON cycle labels (empty path when given in memory).
    Labels(PathBuf),
    /// The automatic annotator's proposal.
    Annotator,
    /// A crash-recovery file from the user data folder.
    Recovery(PathBuf),
    /// Nothing: the user starts from scratch.
    Empty,
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Origin::WaveFile(p) => write!(f, "wave file {}", p.display()),
            Origin::Labels(p) if p.as_os_str().is_empty() => f.write_str("cycle labels"),
            Origin::Labels(p) => write!(f, "cycle labels {}", p.display()),
            Origin::Annotator => f.write_str("the automatic annotator"),
            Origin::Recovery(p) => write!(f, "recovered edits {}", p.display()),
            Origin::Empty => f.write_str("no annotations"),
        }
    }
}

/// True for a sampling rate durations can be computed with.
fn valid_fs(fs: f64) -> bool {
    fs.is_finite() && fs > 0.0
}

/// Most undo steps kept; older ones are forgotten.
const MAX_UNDO: usize = 1000;

/// One edit as the marks it replaced at a position and the marks it put there.
#[derive(Debug, Clone, PartialEq)]
struct Splice {
    at: usize,
    removed: Vec<Mark>,
    inserted: Vec<Mark>,
}

impl Splice {
    fn inverse(self) -> Self {
        Splice {
            at: self.at,
            removed: self.inserted,
            inserted: self.removed,
        }
    }
}

/// The document: the record's marks (one set for the record, drawn on every lead), sorted, with undo/redo.
#[derive(Debug, Clone)]
pub struct AnnotationDoc {
    len: usize,
    fs: f64,
    marks: Vec<Mark>,
    peaks: Vec<Peak>,
    origin: Origin,
    warnings: Vec<String>,
    undo: VecDeque<Splice>,
    redo: Vec<Splice>,
    revision: u64,
    /// The marks as last opened from or saved to files; `None` when no file holds them.
    clean: Option<Vec<Mark>>,
    /// Index of the mark whose drag is still merging into the last undo step.
    dragging: Option<usize>,
    /// Stretches where a lead of the record has no samples: saved cycles over them are flagged.
    missing: crate::delineate::gaps::Gaps,
    /// The annotator's rhythm notes, sorted by sample: they say why a beat has no P wave.
    rhythm: Vec<RhythmNote>,
}

impl AnnotationDoc {
    /// A document over a record of `record_len` samples at `fs` Hz. Marks past the record's end
    /// are left out with a warning; the rest are sorted by sample, keeping the given order
    /// among marks at the same sample.
    pub fn new(record_len: usize, fs: f64, marks: Vec<Mark>, origin: Origin) -> Self {
        let mut marks = marks;
        let before = marks.len();
        marks.retain(|m| m.sample < record_len);
        let mut warnings = Vec::new();
        if marks.len() < before {
            warnings.push(format!(
                "{} marks past the record's end ({record_len} samples) were left out",
                before - marks.len()
            ));
        }
        marks.sort_by_key(|m| m.sample);
        let clean = (!matches!(origin, Origin::Recovery(_))).then(|| marks.clone());
        Self {
            len: record_len,
            fs,
            marks,
            peaks: Vec::new(),
            origin,
            warnings,
            undo: VecDeque::new(),
            redo: Vec::new(),
            revision: 0,
            clean,
            dragging: None,
            missing: Default::default(),
            rhythm: Vec::new(),
        }
    }

    /// The rhythm notes (sorted by sample).
    pub fn rhythm_notes(&self) -> &[RhythmNote] {
        &self.rhythm
    }

    /// Replace the rhythm notes; those past the record's end are left out.
    pub fn set_rhythm_notes(&mut self, notes: Vec<RhythmNote>) {
        let mut notes = notes;
        notes.retain(|n| n.sample < self.len);
        notes.sort_by_key(|n| n.sample);
        self.rhythm = notes;
    }

    /// Each rhythm note with the QRS onset of the beat it names, in time order: the first QRS
    /// onset mark at or after the note (none when no QRS onset follows it). A beat named for
    /// fibrillation whose P wave has been marked since is not named: the mark says it is
    /// conducted. The paper, the measurements and saving all read the names from here.
    pub fn named_beats(&self) -> Vec<(usize, crate::delineate::BeatRhythm)> {
        self.rhythm
            .iter()
            .filter_map(|n| {
                let from = self.marks.partition_point(|m| m.sample < n.sample);
                let k = from
                    + self.marks[from..]
                        .iter()
                        .position(|m| m.kind == BoundaryKind::QrsOn)?;
                let with_p = k > 0 && self.marks[k - 1].kind == BoundaryKind::POff;
                let name = n.rhythm.named_with_p(with_p)?;
                Some((self.marks[k].sample, name))
            })
            .collect()
    }

    /// Tell the document where a lead of its record has no samples
    /// ([`crate::delineate::gaps::missing_in_any_lead`]), so the cycles it saves over them
    /// carry `missing_samples` as the annotator's own do.
    pub fn set_missing(&mut self, gaps: crate::delineate::gaps::Gaps) {
        self.missing = gaps;
    }

    /// Samples per lead of the record.
    pub fn record_len(&self) -> usize {
        self.len
    }

    /// Sampling rate the sample indices refer to.
    pub fn fs(&self) -> f64 {
        self.fs
    }

    /// The marks, sorted by sample; indices into this slice name marks in the other calls.
    pub fn marks(&self) -> &[Mark] {
        &self.marks
    }

    /// Wave peaks known from the source, sorted by sample (not edited; used when saving).
    pub fn peaks(&self) -> &[Peak] {
        &self.peaks
    }

    /// Where the marks came from when opened.
    pub fn origin(&self) -> &Origin {
        &self.origin
    }

    /// What opening skipped or fell back from, for the user to read.
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// A counter bumped by every change (edits, undo, redo); unchanged by saving.
    pub fn revision(&self) -> u64 {
        self.revision
    }

    /// True when the marks differ from what was last opened from or saved to files.
    pub fn is_dirty(&self) -> bool {
        self.clean.as_deref() != Some(self.marks.as_slice())
    }

    /// True when there is an edit to undo.
    pub fn can_undo(&self) -> bool {
        !self.undo.is_empty()
    }

    /// True when there is an undone edit to redo.
    pub fn can_redo(&self) -> bool {
        !self.redo.is_empty()
    }
}
