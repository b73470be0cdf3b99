//! Opening marks from what a record has beside it: a recovery file, a wave file, JSON labels.

use super::recovered::Recovered;
use super::{AnnotationDoc, Recovery};
use crate::error::Result;
use crate::record::tianchi::find_tianchi_labels;
use crate::record::{find_annotation_files, record_stem};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// Lead files looked for beside a record, lead II first (LUDB's), then the rest in the usual
/// order; MIT-BIH names its lead II "MLII".
const LEAD_FILES: [&str; 16] = [
    "ii", "i", "iii", "avr", "avl", "avf", "v1", "v2", "v3", "v4", "v5", "v6", "vx", "vy", "vz",
    "mlii",
];

/// `STEM.ext` (the stem may itself hold dots).
pub(super) fn sibling(stem: &Path, ext: &str) -> PathBuf {
    let mut s = stem.as_os_str().to_owned();
    s.push(".");
    s.push(ext);
    PathBuf::from(s)
}

pub(super) fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

impl AnnotationDoc {
    /// Open what a record has beside it, in this order: a recovery file newer than the saved
    /// annotations, the lead-II wave file (LUDB `NAME.ii`, or the first lead file found), JSON
    /// labels, else `None` (the app then runs the annotator and calls `from_delineation`).
    /// Wave files under other names are not opened; a warning names them.
    ///
    /// A recovery file that cannot be read, or that belongs to a record of another length or
    /// rate, is passed over with a warning; the warnings are returned beside the document (and
    /// are its [`AnnotationDoc::warnings`] when one opened) for the caller to show. A saved
    /// file that cannot be read is an error.
    pub fn open_beside(
        record_path: &Path,
        record_len: usize,
        fs: f64,
    ) -> Result<(Option<Self>, Vec<String>)> {
        let dir = Recovery::dir();
        Self::open_beside_with(record_path, record_len, fs, dir.as_deref())
    }

    /// [`AnnotationDoc::open_beside`] with recovery files looked up in `recovery_dir` (none
    /// when `None`); also returns the warnings, which are the document's own when one opened.
    pub fn open_beside_with(
        record_path: &Path,
        record_len: usize,
        fs: f64,
        recovery_dir: Option<&Path>,
    ) -> Result<(Option<Self>, Vec<String>)> {
        let mut warnings = Vec::new();
        let recovered = read_recovery(recovery_dir, record_path, &mut warnings);
        Self::open_beside_recovered(record_path, record_len, fs, recovered.as_ref(), warnings)
    }

    /// [`AnnotationDoc::open_beside_with`] with the recovery file already read (`warnings`
    /// holds what reading it gave).
    pub(super) fn open_beside_recovered(
        record_path: &Path,
        record_len: usize,
        fs: f64,
        recovered: Option<&Recovered>,
        mut warnings: Vec<String>,
    ) -> Result<(Option<Self>, Vec<String>)> {
        let stem = record_stem(record_path);
        let wave = wave_file_beside(&stem);
        let labels = Some(sibling(&stem, "json"))
            .filter(|p| p.is_file())
            .or_else(|| {
                let npy = record_path
                    .extension()
                    .is_some_and(|e| e.eq_ignore_ascii_case("npy"));
                npy.then(|| find_tianchi_labels(record_path)).flatten()
            });
        let saved = [&wave, &labels]
            .into_iter()
            .flatten()
            .filter_map(|p| modified(p))
            .max();
        let finish = |mut doc: Self, mut warnings: Vec<String>| {
            warnings.append(&mut doc.warnings);
            doc.warnings = warnings.clone();
            (Some(doc), warnings)
        };
        // A file holding only per-lead edits has the saved record-level marks: not edits.
        if let Some(rec) = recovered.filter(|r| r.cycles_edited) {
            let doc = &rec.cycles;
            if !rec.newer_than(saved) {
                warnings.push(format!(
                    "{}: recovered edits older than the saved annotations were not opened",
                    rec.path.display()
                ));
            } else if doc.len == record_len && doc.fs == fs {
                return Ok(finish(doc.clone(), warnings));
            } else {
                warnings.push(format!(
                    "{}: recovered edits are for a record of {} samples at {} Hz, this one \
                     has {record_len} at {fs} Hz; they were not opened",
                    rec.path.display(),
                    doc.len,
                    doc.fs
                ));
            }
        }
        if let Some(path) = wave {
            let mut doc = Self::from_wave_file(&path, record_len, fs)?;
            if doc.rhythm.is_empty()
                && let Some(labels) = &labels
            {
                doc.set_rhythm_notes(Self::rhythm_notes_from_labels(labels, fs));
            }
            if !doc.marks.is_empty() {
                return Ok(finish(doc, warnings));
            }
            warnings.push(format!("{}: holds no wave boundaries", path.display()));
        }
        if let Some(path) = labels {
            let doc = Self::from_labels_file(&path, record_len, fs)?;
            return Ok(finish(doc, warnings));
        }
        warnings.extend(not_opened_note(record_path));
        Ok((None, warnings))
    }
}

/// The recovery file of `record_path` in `dir`, when there is one that can be read; one that
/// cannot is a warning.
pub(super) fn read_recovery(
    dir: Option<&Path>,
    record_path: &Path,
    warnings: &mut Vec<String>,
) -> Option<Recovered> {
    match Recovery::read_in(dir?, record_path) {
        Ok(r) => r,
        Err(e) => {
            warnings.push(format!("{e}; the recovered edits were not opened"));
            None
        }
    }
}

/// The wave file to open beside a record: a lead file with a standard name (lead II first),
/// as LUDB and `annotate` name them.
fn wave_file_beside(stem: &Path) -> Option<PathBuf> {
    LEAD_FILES
        .iter()
        .map(|ext| sibling(stem, ext))
        .find(|p| p.is_file())
}

/// Annotation files beside a record that hold wave boundaries under another name (QTDB's
/// `q1c` and `pu0`, another program's output). Their origin is unknown: a cardiologist's
/// marks on a stretch, or another delineator's on the whole record. So they are named for the
/// user, not opened as the record's boundaries.
fn other_wave_files_beside(record_path: &Path) -> Vec<PathBuf> {
    find_annotation_files(record_path)
        .into_iter()
        .filter(|f| f.kind == "wfdb" && f.error.is_none() && f.counts.contains_key("("))
        .filter(|f| {
            let ext = f
                .path
                .extension()
                .map(|e| e.to_string_lossy().to_ascii_lowercase());
            !ext.is_some_and(|e| LEAD_FILES.contains(&e.as_str()))
        })
        .map(|f| f.path)
        .collect()
}

/// The note on wave files beside a record that were not opened, when there are any.
fn not_opened_note(record_path: &Path) -> Option<String> {
    let others = other_wave_files_beside(record_path);
    if others.is_empty() {
        return None;
    }
    let names: Vec<String> = others
        .iter()
        .map(|p| {
            p.file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    Some(format!(
        "{} beside the record hold{} wave boundaries under no lead's name (another program's \
         or a reference's); not opened as the record's boundaries (`measure --annotations \
         FILE` reads one)",
        names.join(", "),
        if names.len() == 1 { "s" } else { "" }
    ))
}
