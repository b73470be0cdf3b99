//! Saving per-lead documents as LUDB-style wave files, together with the record-level files.

use super::AnnotationDoc;
use super::leads::{CYCLES_EXT, LeadDocs};
use super::open::sibling;
use super::save::refuse_existing;
use crate::error::{Error, Result};
use std::path::{Path, PathBuf};

/// True when `a` and `b` name one existing file.
fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

impl LeadDocs {
    /// The per-lead files a save into `folder` writes for record `record_name`, as (index
    /// into [`LeadDocs::leads`], `folder/NAME.<ext>`): every lead with a document of its own,
    /// except an unedited one whose file that already is (opened from it, or saved there
    /// last). So saving beside the record rewrites only the edited leads and never replaces
    /// a lead file that could not be read, while saving into another folder writes them all.
    pub fn files_to_save(&self, folder: &Path, record_name: &str) -> Vec<(usize, PathBuf)> {
        let stem = folder.join(record_name);
        self.leads
            .iter()
            .enumerate()
            .filter_map(|(i, l)| {
                let doc = l.doc.as_ref()?;
                let path = sibling(&stem, &l.name.ext);
                let kept = l.kept.as_deref().is_some_and(|k| same_file(k, &path));
                (doc.is_dirty() || !kept).then_some((i, path))
            })
            .collect()
    }

    /// Every file [`LeadDocs::save_with_cycles`] writes into `folder`: the record-level wave
    /// file and JSON labels first (`NAME.ii`, `NAME.json`), then the per-lead files.
    pub fn save_plan(&self, folder: &Path, record_name: &str) -> Vec<PathBuf> {
        let stem = folder.join(record_name);
        [sibling(&stem, CYCLES_EXT), sibling(&stem, "json")]
            .into_iter()
            .chain(
                self.files_to_save(folder, record_name)
                    .into_iter()
                    .map(|(_, p)| p),
            )
            .collect()
    }

    /// Save the record-level document `cycles` (`NAME.ii` and `NAME.json`, as
    /// [`AnnotationDoc::save`] does) and the per-lead files of [`LeadDocs::files_to_save`]
    /// into `folder`, as one set: every file is encoded and staged before any is renamed into
    /// place ([`crate::fsio::write_set`]), and with `overwrite` false an existing file stops
    /// the save before anything is written (the error names them all). Clears the dirty
    /// state of every document written; returns the files written.
    pub fn save_with_cycles(
        &mut self,
        cycles: &mut AnnotationDoc,
        folder: &Path,
        record_name: &str,
        overwrite: bool,
    ) -> Result<Vec<PathBuf>> {
        let stem = folder.join(record_name);
        let mut files = vec![
            (sibling(&stem, CYCLES_EXT), cycles.wave_bytes()?),
            (sibling(&stem, "json"), cycles.json_bytes(record_name)?),
        ];
        let mut leads = Vec::new();
        for (i, path) in self.files_to_save(folder, record_name) {
            let lead = &self.leads[i];
            if let Some(doc) = &lead.doc {
                let wave = doc
                    .wave_bytes()
                    .map_err(|e| Error::Invalid(format!("lead {}: {e}", lead.name.lead)))?;
                files.push((path.clone(), wave));
                leads.push((i, path));
            }
        }
        let paths: Vec<&Path> = files.iter().map(|(p, _)| p.as_path()).collect();
        refuse_existing(&paths, overwrite)?;
        let set: Vec<(&Path, &[u8])> = files
            .iter()
            .map(|(p, b)| (p.as_path(), b.as_slice()))
            .collect();
        crate::fsio::write_set(&set, crate::fsio::Replace::allow_if(overwrite))?;
        cycles.mark_saved();
        for (i, path) in leads {
            let lead = &mut self.leads[i];
            if let Some(doc) = lead.doc.as_mut() {
                doc.mark_saved();
            }
            lead.kept = Some(path);
        }
        Ok(files.into_iter().map(|(p, _)| p).collect())
    }
}
