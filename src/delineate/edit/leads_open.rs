//! Opening per-lead documents beside a record, and a record's documents all together.

use super::leads::{LeadDocs, LeadName};
use super::open::{modified, read_recovery, sibling};
use super::recovered::Recovered;
use super::{AnnotationDoc, Origin};
use crate::delineate::Delineation;
use crate::error::{Error, Result};
use crate::record::record_stem;
use std::path::Path;
use std::time::SystemTime;

impl LeadDocs {
    /// Open the per-lead documents of the record at `record_path` (leads `names`): for each
    /// lead, its edits in `recovered` when newer than its file, else its LUDB-style wave file
    /// `NAME.<ext>`, else its document in `fallback` (called at most once, only when a lead
    /// needs it; the annotator's waves in the app).
    ///
    /// Never fails as a whole: a wave file that cannot be read is a warning naming it, that
    /// lead takes the fallback's document and its file is left as it is unless the lead is
    /// edited ([`LeadDocs::save_with_cycles`]); the other leads open. A failed fallback leaves
    /// the leads that needed it empty, with a warning.
    pub fn open_beside_recovered(
        record_path: &Path,
        names: &[LeadName],
        record_len: usize,
        fs: f64,
        recovered: Option<&Recovered>,
        fallback: impl FnOnce() -> Result<LeadDocs>,
    ) -> Self {
        let stem = record_stem(record_path);
        let mut warnings = Vec::new();
        let mut needy = Vec::new();
        let mut docs = Self::build(names, |_, name| {
            let file = sibling(&stem, &name.ext);
            let kept = file.is_file().then(|| file.clone());
            let saved = kept.as_deref().and_then(modified);
            if let Some(doc) = recovered
                .and_then(|r| recovered_lead(r, name, record_len, fs, saved, &mut warnings))
            {
                return (doc, kept);
            }
            if kept.is_some() {
                match AnnotationDoc::from_wave_file(&file, record_len, fs) {
                    Ok(mut doc) => {
                        warnings.append(&mut doc.warnings);
                        return (doc, kept);
                    }
                    Err(e) => warnings.push(format!(
                        "{e}; lead {} shows the annotator's boundaries instead, and its file is \
                         left as it is unless you edit that lead",
                        name.lead
                    )),
                }
            }
            needy.push(name.clone());
            (
                AnnotationDoc::new(record_len, fs, Vec::new(), Origin::Empty),
                kept,
            )
        });
        if let Some(r) = recovered {
            for (name, _) in &r.leads {
                if !names.iter().any(|n| n.ext == name.ext) {
                    warnings.push(format!(
                        "{}: recovered edits of lead {}, which this record does not have, were \
                         not opened",
                        r.path.display(),
                        name.lead
                    ));
                }
            }
        }
        if !needy.is_empty() {
            match fallback() {
                Ok(other) => docs.fill_from(&needy, other),
                Err(e) => {
                    let list: Vec<&str> = needy.iter().map(|n| n.lead.as_str()).collect();
                    warnings.push(format!(
                        "no boundaries of their own for leads {}: {e}",
                        list.join(", ")
                    ));
                }
            }
        }
        docs.warnings.append(&mut warnings);
        docs
    }

    /// Give the leads `needy` the documents `other` has for them.
    fn fill_from(&mut self, needy: &[LeadName], mut other: LeadDocs) {
        for lead in self.leads.iter_mut().filter(|l| needy.contains(&l.name)) {
            let found = other.leads.iter_mut().find(|o| o.name.ext == lead.name.ext);
            if let Some(doc) = found.and_then(|o| o.doc.take()) {
                lead.doc = Some(doc);
            }
        }
    }
}

/// The edits `r` holds for lead `name`, when they are newer than its saved file (`saved`) and
/// for a record of this length and rate; otherwise a warning says why they were not opened.
fn recovered_lead(
    r: &Recovered,
    name: &LeadName,
    record_len: usize,
    fs: f64,
    saved: Option<SystemTime>,
    warnings: &mut Vec<String>,
) -> Option<AnnotationDoc> {
    let (_, doc) = r.leads.iter().find(|(n, _)| n.ext == name.ext)?;
    let why = if !r.newer_than(saved) {
        "are older than its saved file"
    } else if doc.len != record_len || doc.fs != fs {
        "are for a record of another length or rate"
    } else {
        return Some(doc.clone());
    };
    warnings.push(format!(
        "{}: recovered edits of lead {} {why}; they were not opened",
        r.path.display(),
        name.lead
    ));
    None
}

/// A record's boundaries as the app opens them: the record-level document (the cycles) and
/// the per-lead ones.
#[derive(Debug, Clone)]
pub struct RecordDocs {
    /// The record-level document.
    pub cycles: AnnotationDoc,
    /// The per-lead documents.
    pub leads: LeadDocs,
    /// What opening passed over or fell back from (both kinds), for the user to read.
    pub warnings: Vec<String>,
}

impl RecordDocs {
    /// Open everything beside the record at `record_path` (leads `names`, in the record's
    /// order), with recovery files from `recovery_dir`: the record-level document as
    /// [`AnnotationDoc::open_beside_with`] does, the per-lead ones as
    /// [`LeadDocs::open_beside_recovered`] does. `propose` (the annotator) runs at most once,
    /// when the cycles or a lead have nothing to open; without cycles its failure is an
    /// error, as is a record-level file that cannot be read.
    pub fn open_beside_with(
        record_path: &Path,
        names: &[LeadName],
        record_len: usize,
        fs: f64,
        recovery_dir: Option<&Path>,
        propose: impl FnOnce() -> Result<Delineation>,
    ) -> Result<Self> {
        let mut warnings = Vec::new();
        let recovered = read_recovery(recovery_dir, record_path, &mut warnings);
        let (cycles, mut warnings) = AnnotationDoc::open_beside_recovered(
            record_path,
            record_len,
            fs,
            recovered.as_ref(),
            warnings,
        )?;
        let mut propose = Some(propose);
        let mut proposal = None;
        let cycles = match cycles {
            Some(doc) => doc,
            None => {
                let d = run_once(&mut propose)?;
                let doc = AnnotationDoc::from_delineation(&d, record_len);
                proposal = Some(d);
                doc
            }
        };
        let leads = LeadDocs::open_beside_recovered(
            record_path,
            names,
            record_len,
            fs,
            recovered.as_ref(),
            || {
                let d = match proposal {
                    Some(d) => d,
                    None => run_once(&mut propose)?,
                };
                Ok(LeadDocs::from_delineation(&d, names, record_len))
            },
        );
        warnings.extend(leads.warnings.iter().cloned());
        Ok(Self {
            cycles,
            leads,
            warnings,
        })
    }
}

/// Call the function in `f`, once.
fn run_once<T>(f: &mut Option<impl FnOnce() -> Result<T>>) -> Result<T> {
    match f.take() {
        Some(f) => f(),
        None => Err(Error::Invalid("the annotator was asked twice".into())),
    }
}
