//! Per-lead boundaries: one annotation document per lead of a record, as LUDB keeps them (one
//! WFDB wave file per lead: `NAME.i`, `NAME.ii`, … `NAME.v6`).
//!
//! The record-level document (the cycles the panorama engine uses) stays apart from these. Its
//! wave file is LUDB's lead-II file, `NAME.` [`CYCLES_EXT`], so the lead whose file that is
//! has no document of its own here: its boundaries *are* the cycles, and
//! [`LeadDocs::resolve`] hands out the record-level document for it. Were it a document of
//! its own, saving would write two documents into one file. Every other lead has its own
//! document, with its own undo/redo and dirty state.

use super::ops::sort_in_cycle_order;
use super::{AnnotationDoc, BoundaryKind, Mark, Origin, Peak};
use crate::delineate::output::{lead_extension, unique_extensions};
use crate::delineate::{Delineation, Wave};
use crate::record::Record;
use std::path::PathBuf;

/// Extension of the record-level wave file (`NAME.ii`, LUDB's lead-II file).
pub const CYCLES_EXT: &str = "ii";

/// A lead as the per-lead files name it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LeadName {
    /// Canonical lead name (I, II, …, V6, vx), as the record and the annotator name it.
    pub lead: String,
    /// File extension of its wave file (`v1` for `NAME.v1`).
    pub ext: String,
}

impl LeadName {
    /// The lead of canonical name `lead`, with the extension `annotate` writes its file under
    /// ([`lead_extension`]: LUDB's `i`, `avr`, `v1`, Frank `vx`; MIT-BIH's MLII is lead II).
    pub fn new(lead: &str) -> Self {
        Self {
            lead: lead.to_string(),
            ext: lead_extension(lead),
        }
    }

    /// The record's leads, in its order, named as `annotate` names their files (a repeated
    /// name gets `_2`, …).
    pub fn of_record(record: &Record) -> Vec<Self> {
        let names = record.leads.iter().map(|l| l.name.as_str());
        record
            .leads
            .iter()
            .zip(unique_extensions(names))
            .map(|(l, ext)| Self {
                lead: l.name.clone(),
                ext,
            })
            .collect()
    }

    /// True when this lead's file is the record-level wave file.
    pub fn is_cycles(&self) -> bool {
        self.ext == CYCLES_EXT
    }
}

/// Which boundaries are shown and edited: the record's cycles or one lead's own.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Target {
    /// The record-level document: the cycles the panorama engine uses, drawn on every lead.
    Cycles,
    /// The lead of this canonical name.
    Lead(String),
}

/// One lead's boundaries.
#[derive(Debug, Clone)]
pub struct LeadDoc {
    pub(super) name: LeadName,
    /// `None` for the lead whose file is the record-level wave file.
    pub(super) doc: Option<AnnotationDoc>,
    /// A file that holds this lead's boundaries while they are unedited: the file beside the
    /// record they were meant to come from (even one that could not be read), or the last
    /// file saved. Saving into it again is skipped, so an unedited lead's file is never
    /// rewritten and an unreadable one is never replaced by a proposal.
    pub(super) kept: Option<PathBuf>,
}

impl LeadDoc {
    /// The lead.
    pub fn name(&self) -> &LeadName {
        &self.name
    }

    /// Its own document; `None` when its boundaries are the record-level document.
    pub fn doc(&self) -> Option<&AnnotationDoc> {
        self.doc.as_ref()
    }
}

/// The per-lead documents of a record, in its lead order.
#[derive(Debug, Clone, Default)]
pub struct LeadDocs {
    pub(super) leads: Vec<LeadDoc>,
    pub(super) warnings: Vec<String>,
}

impl LeadDocs {
    /// Documents for `names` made by `make` (not called for the lead of the record-level
    /// file). A lead without an extension, or whose extension repeats an earlier one's, is
    /// left out with a warning.
    pub(super) fn build(
        names: &[LeadName],
        mut make: impl FnMut(usize, &LeadName) -> (AnnotationDoc, Option<PathBuf>),
    ) -> Self {
        let mut out = Self::default();
        for (i, name) in names.iter().enumerate() {
            if name.ext.is_empty() {
                out.warnings.push(format!(
                    "lead {:?}: its name gives no file name; it has no boundaries of its own",
                    name.lead
                ));
                continue;
            }
            if out.leads.iter().any(|l| l.name.ext == name.ext) {
                out.warnings.push(format!(
                    "lead {}: a second lead named `{}`; only the first has boundaries of its own",
                    name.lead, name.ext
                ));
                continue;
            }
            let (doc, kept) = match name.is_cycles() {
                true => (None, None),
                false => {
                    let (doc, kept) = make(i, name);
                    (Some(doc), kept)
                }
            };
            out.leads.push(LeadDoc {
                name: name.clone(),
                doc,
                kept,
            });
        }
        out
    }

    /// Every lead starts from a copy of `doc` (the demo, whose waves begin and end together
    /// in every lead).
    pub fn same_for_all(names: &[LeadName], doc: &AnnotationDoc) -> Self {
        Self::build(names, |_, _| (doc.clone(), None))
    }

    /// The annotator's own per-lead waves (`d.leads`; `names` in the record's lead order, as
    /// `d.leads` is). A lead it has no waves for gets an empty document.
    pub fn from_delineation(d: &Delineation, names: &[LeadName], record_len: usize) -> Self {
        Self::build(names, |i, name| {
            (lead_proposal(d, i, name, record_len), None)
        })
    }

    /// The leads, in the record's order.
    pub fn leads(&self) -> &[LeadDoc] {
        &self.leads
    }

    /// The lead of canonical name `lead`.
    pub fn get(&self, lead: &str) -> Option<&LeadDoc> {
        self.leads.iter().find(|l| l.name.lead == lead)
    }

    /// What opening passed over or fell back from, for the user to read.
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// The document `target` names: `cycles` for [`Target::Cycles`] and for the lead whose
    /// file is the record-level one; `None` for a lead the record does not have.
    pub fn resolve<'a>(
        &'a self,
        target: &Target,
        cycles: &'a AnnotationDoc,
    ) -> Option<&'a AnnotationDoc> {
        match target {
            Target::Cycles => Some(cycles),
            Target::Lead(name) => match &self.get(name)?.doc {
                Some(doc) => Some(doc),
                None => Some(cycles),
            },
        }
    }

    /// [`LeadDocs::resolve`] for editing.
    pub fn resolve_mut<'a>(
        &'a mut self,
        target: &Target,
        cycles: &'a mut AnnotationDoc,
    ) -> Option<&'a mut AnnotationDoc> {
        match target {
            Target::Cycles => Some(cycles),
            Target::Lead(name) => {
                let lead = self.leads.iter_mut().find(|l| &l.name.lead == name)?;
                match &mut lead.doc {
                    Some(doc) => Some(doc),
                    None => Some(cycles),
                }
            }
        }
    }

    /// True when a lead's own document holds edits in no file.
    pub fn is_dirty(&self) -> bool {
        self.own_docs().any(AnnotationDoc::is_dirty)
    }

    /// A counter that changes with every change of any lead's own document.
    pub fn revision(&self) -> u64 {
        self.own_docs()
            .fold(0u64, |sum, d| sum.wrapping_add(d.revision()))
    }

    /// The leads with a document of their own.
    pub(super) fn own_docs(&self) -> impl Iterator<Item = &AnnotationDoc> {
        self.leads.iter().filter_map(|l| l.doc.as_ref())
    }

    /// Take the saved state of `saved`, a copy of these documents that was saved elsewhere:
    /// edits made here since the copy was taken stay unsaved.
    pub fn take_saved(&mut self, saved: &LeadDocs) {
        for lead in &mut self.leads {
            let Some(s) = saved.leads.iter().find(|s| s.name == lead.name) else {
                continue;
            };
            if let (Some(doc), Some(done)) = (lead.doc.as_mut(), s.doc.as_ref()) {
                doc.take_saved(done);
                lead.kept.clone_from(&s.kept);
            }
        }
    }
}

/// Lead `i`'s waves in `d` as a document: the entry at the same position when it names that
/// lead, else the first of that name.
fn lead_proposal(d: &Delineation, i: usize, name: &LeadName, record_len: usize) -> AnnotationDoc {
    let waves = d
        .leads
        .get(i)
        .filter(|l| l.lead == name.lead)
        .or_else(|| d.leads.iter().find(|l| l.lead == name.lead))
        .map_or(&[][..], |l| l.waves.as_slice());
    AnnotationDoc::from_waves(waves, record_len, d.fs)
}

impl AnnotationDoc {
    /// The annotator's waves of one lead: an onset and an offset mark per wave (at most the
    /// record's last sample), its peak kept for saving.
    pub fn from_waves(waves: &[Wave], record_len: usize, fs: f64) -> Self {
        let Some(last) = record_len.checked_sub(1) else {
            return Self::new(0, fs, Vec::new(), Origin::Annotator);
        };
        let mut marks = Vec::with_capacity(2 * waves.len());
        let mut peaks = Vec::with_capacity(waves.len());
        for w in waves {
            marks.push(Mark::new(BoundaryKind::onset(w.kind), w.on.min(last)));
            marks.push(Mark::new(BoundaryKind::offset(w.kind), w.off.min(last)));
            peaks.push(Peak {
                wave: w.kind,
                sample: w.peak.min(last),
            });
        }
        sort_in_cycle_order(&mut marks);
        peaks.sort_by_key(|p| p.sample);
        let mut doc = Self::new(record_len, fs, marks, Origin::Annotator);
        doc.peaks = peaks;
        doc
    }
}
