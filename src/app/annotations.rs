//! The app's handle on a record's annotation documents: its cycles and each lead's own, their
//! bands, and the record path their recovery file is keyed by.

use crate::delineate::edit::{AnnotationDoc, LeadDocs, LeadName, RecordDocs, Recovery, Target};
use crate::delineate::{CycleBounds, Delineator};
use crate::record::Record;
use crate::record::labels::CycleLabels;
use std::path::{Path, PathBuf};

/// The six deflections with their colours (shared with the exported figures).
pub use crate::export::figures::DEFLECTIONS;

/// A record's annotation documents (the cycles and each lead's own) and where their recovery
/// file lives.
#[derive(Debug, Clone)]
pub struct Annotations {
    /// The record-level document: the cycles (marks, undo/redo, files).
    pub doc: AnnotationDoc,
    /// Each lead's own boundaries.
    pub leads: LeadDocs,
    /// The record path the recovery file is keyed by (a stand-in inside the data folder for
    /// the built-in demo).
    pub key: PathBuf,
    /// The combined revision ([`Annotations::revision`]) last written to the recovery file.
    pub autosaved: u64,
    /// What was passed over while opening (marks that are not whole waves, a recovery file
    /// that could not be read, a lead file that could not be read), for the status bar.
    pub warnings: Vec<String>,
}

impl Annotations {
    /// Wrap the documents of the record keyed by `key`.
    pub fn new(doc: AnnotationDoc, leads: LeadDocs, key: PathBuf) -> Self {
        let mut a = Self {
            doc,
            leads,
            key,
            autosaved: 0,
            warnings: Vec::new(),
        };
        a.autosaved = a.revision();
        a
    }

    /// What a record has beside it (edits recovered from `recovery` first), else the
    /// annotator's proposal, for the cycles and for each lead.
    pub fn open(record: &Record, path: &Path, recovery: &Path) -> anyhow::Result<Self> {
        let names = LeadName::of_record(record);
        let docs = RecordDocs::open_beside_with(
            path,
            &names,
            record.len(),
            record.fs,
            Some(recovery),
            || Delineator::load_default()?.delineate(record),
        )?;
        let mut cycles = docs.cycles;
        cycles.set_missing(crate::delineate::gaps::missing_in_any_lead(record));
        Ok(Self {
            warnings: docs.warnings,
            ..Self::new(cycles, docs.leads, path.to_path_buf())
        })
    }

    /// The demo's true boundaries (the same in every lead), or the edits recovered for it.
    pub fn demo(
        record: &Record,
        labels: &CycleLabels,
        key: PathBuf,
        recovery: &Path,
    ) -> anyhow::Result<Self> {
        let mut warnings = Vec::new();
        let recovered = match Recovery::read_in(recovery, &key) {
            Ok(r) => r,
            Err(e) => {
                warnings.push(format!("{e}; the recovered edits were not opened"));
                None
            }
        };
        let truth = AnnotationDoc::from_labels(labels, record.len(), record.fs)?;
        let doc = match recovered.as_ref().filter(|r| r.cycles_edited) {
            Some(r) if r.cycles.record_len() == record.len() => r.cycles.clone(),
            Some(r) => {
                warnings.push(format!(
                    "the recovered edits of the demo are for a record of {} samples, this one \
                     has {}; they were not opened",
                    r.cycles.record_len(),
                    record.len()
                ));
                truth.clone()
            }
            None => truth.clone(),
        };
        let names = LeadName::of_record(record);
        let leads = LeadDocs::open_beside_recovered(
            &key,
            &names,
            record.len(),
            record.fs,
            recovered.as_ref(),
            || Ok(LeadDocs::same_for_all(&names, &truth)),
        );
        warnings.extend(leads.warnings().iter().cloned());
        Ok(Self {
            warnings,
            ..Self::new(doc, leads, key)
        })
    }

    /// Where the marks came from, in words.
    pub fn source(&self) -> String {
        self.doc.origin().to_string()
    }

    /// The complete cycles' seven boundaries, in time order.
    pub fn cycles(&self) -> Vec<CycleBounds> {
        self.doc.cycles()
    }

    /// True when edits (to the cycles or a lead) are not saved yet.
    pub fn is_dirty(&self) -> bool {
        self.doc.is_dirty() || self.leads.is_dirty()
    }

    /// A counter that changes with every change of any document.
    pub fn revision(&self) -> u64 {
        self.doc.revision().wrapping_add(self.leads.revision())
    }

    /// True when a document changed since the recovery file was last written.
    pub fn needs_autosave(&self) -> bool {
        self.revision() != self.autosaved
    }

    /// The document `target` names (see [`LeadDocs::resolve`]).
    pub fn doc_for(&self, target: &Target) -> Option<&AnnotationDoc> {
        self.leads.resolve(target, &self.doc)
    }

    /// The document `target` names, for editing.
    pub fn doc_for_mut(&mut self, target: &Target) -> Option<&mut AnnotationDoc> {
        self.leads.resolve_mut(target, &mut self.doc)
    }

    /// Deflection bands (start, end, index into [`DEFLECTIONS`]) of the cycles overlapping
    /// `range`.
    pub fn bands(&self, range: std::ops::Range<usize>) -> Vec<(usize, usize, usize)> {
        self.bands_of(&Target::Cycles, range)
    }

    /// [`Annotations::bands`] of the document `target` names (none for a lead the record
    /// does not have).
    pub fn bands_of(
        &self,
        target: &Target,
        range: std::ops::Range<usize>,
    ) -> Vec<(usize, usize, usize)> {
        self.doc_for(target)
            .map(|doc| doc.bands())
            .unwrap_or_default()
            .into_iter()
            .filter(|(_, r)| r.start < range.end && r.end >= range.start)
            .map(|(d, r)| (r.start, r.end, d as usize))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::demo::demo_record;

    #[test]
    fn an_unreadable_recovery_file_is_a_warning_for_the_status_bar() {
        let demo = demo_record();
        let dir = tempfile::tempdir().unwrap();
        let key = dir.path().join("demo");
        let recovery = dir.path().join("recovery");
        let path = Recovery::path_in(&recovery, &key).unwrap();
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, b"{\"format\": \"ecg-panorama annotation recov").unwrap();
        let a = Annotations::demo(&demo.record, &demo.labels, key, &recovery).unwrap();
        assert!(matches!(
            a.doc.origin(),
            crate::delineate::edit::Origin::Labels(_)
        ));
        assert!(
            a.warnings.len() == 1
                && a.warnings[0].contains(&path.display().to_string())
                && a.warnings[0].contains("not opened"),
            "{:?}",
            a.warnings
        );
    }
}
