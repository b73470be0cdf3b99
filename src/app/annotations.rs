//! The app's handle on a record's annotation document: its cycles, its bands, and the record
//! path its recovery file is keyed by.

use crate::delineate::edit::{AnnotationDoc, Recovery};
use crate::delineate::{CycleBounds, Delineator};
use crate::record::Record;
use crate::record::labels::CycleLabels;
use std::path::{Path, PathBuf};

/// The six deflections of a cycle, in order, with their display colours.
pub const DEFLECTIONS: [(&str, [u8; 3]); 6] = [
    ("P", [230, 120, 120]),
    ("PR", [200, 200, 200]),
    ("QRS", [110, 140, 235]),
    ("ST", [220, 220, 160]),
    ("T", [120, 200, 130]),
    ("TP", [235, 235, 235]),
];

/// A record's annotation document and where its recovery file lives.
#[derive(Debug, Clone)]
pub struct Annotations {
    /// The document (marks, undo/redo, files).
    pub doc: AnnotationDoc,
    /// The record path the recovery file is keyed by (a stand-in inside the data folder for
    /// the built-in demo).
    pub key: PathBuf,
    /// The document revision last written to the recovery file.
    pub autosaved: u64,
    /// What was passed over while opening (marks that are not whole waves, a recovery file
    /// that could not be read), for the status bar.
    pub warnings: Vec<String>,
}

impl Annotations {
    /// Wrap a document of the record keyed by `key`.
    pub fn new(doc: AnnotationDoc, key: PathBuf) -> Self {
        let autosaved = doc.revision();
        Self {
            doc,
            key,
            autosaved,
            warnings: Vec::new(),
        }
    }

    /// What a record has beside it (edits recovered from `recovery` first), else the
    /// annotator's proposal.
    pub fn open(record: &Record, path: &Path, recovery: &Path) -> anyhow::Result<Self> {
        let (doc, warnings) =
            AnnotationDoc::open_beside_with(path, record.len(), record.fs, Some(recovery))?;
        let doc = match doc {
            Some(doc) => doc,
            None => {
                let d = Delineator::load_default()?.delineate(record)?;
                AnnotationDoc::from_delineation(&d, record.len())
            }
        };
        Ok(Self {
            warnings,
            ..Self::new(doc, path.to_path_buf())
        })
    }

    /// The demo's true boundaries, or the edits recovered for it.
    pub fn demo(
        record: &Record,
        labels: &CycleLabels,
        key: PathBuf,
        recovery: &Path,
    ) -> anyhow::Result<Self> {
        let mut warnings = Vec::new();
        let recovered = match Recovery::load_in(recovery, &key) {
            Ok(Some(doc)) if doc.record_len() == record.len() => Some(doc),
            Ok(Some(doc)) => {
                warnings.push(format!(
                    "the recovered edits of the demo are for a record of {} samples, this one \
                     has {}; they were not opened",
                    doc.record_len(),
                    record.len()
                ));
                None
            }
            Ok(None) => None,
            Err(e) => {
                warnings.push(format!("{e}; the recovered edits were not opened"));
                None
            }
        };
        let doc = match recovered {
            Some(doc) => doc,
            None => AnnotationDoc::from_labels(labels, record.len(), record.fs)?,
        };
        Ok(Self {
            warnings,
            ..Self::new(doc, key)
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

    /// True when edits are not saved yet.
    pub fn is_dirty(&self) -> bool {
        self.doc.is_dirty()
    }

    /// True when the document changed since the recovery file was last written.
    pub fn needs_autosave(&self) -> bool {
        self.doc.revision() != self.autosaved
    }

    /// Deflection bands (start, end, index into [`DEFLECTIONS`]) overlapping `range`.
    pub fn bands(&self, range: std::ops::Range<usize>) -> Vec<(usize, usize, usize)> {
        self.doc
            .bands()
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
