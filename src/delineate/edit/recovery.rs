//! Crash recovery: the documents autosaved to the user data folder, one file per record.

use super::leads::LeadDocs;
use super::recovered::{Recovered, RecoveryFile};
use super::{AnnotationDoc, valid_fs};
use crate::error::{Error, Result, read_text};
use crate::record::record_stem;
use std::path::{Path, PathBuf};

pub use crate::fsio::DATA_DIR_ENV;

/// Crash recovery: autosave to the user data folder, atomic ([`crate::fsio`]), one file per
/// record path (a hash of the canonical path in the name), JSON with the record path, fs,
/// length, marks and revision, and the marks of the leads edited on their own.
pub struct Recovery;

/// The record's identity: its canonical folder joined with its name without signal extension,
/// so `1`, `1.hea` and `1.dat` share one recovery file.
fn record_key(record_path: &Path) -> Option<PathBuf> {
    let stem = record_stem(record_path);
    let name = stem.file_name()?;
    let parent = match stem.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let dir = std::fs::canonicalize(parent)
        .or_else(|_| std::path::absolute(parent))
        .ok()?;
    Some(dir.join(name))
}

impl Recovery {
    /// The recovery folder: `recovery` in the app's data folder ([`crate::fsio::data_dir`]);
    /// always `Some` (the `Option` keeps callers ready for a platform without one).
    pub fn dir() -> Option<PathBuf> {
        Some(crate::fsio::data_dir().join("recovery"))
    }

    /// The recovery file of a record in the recovery folder.
    pub fn path_for(record_path: &Path) -> Option<PathBuf> {
        Self::path_in(&Self::dir()?, record_path)
    }

    /// The recovery file of a record in folder `dir`: `NAME-HASH.json`, the hash of the
    /// record's canonical path keeping records of the same name apart.
    pub fn path_in(dir: &Path, record_path: &Path) -> Option<PathBuf> {
        let key = record_key(record_path)?;
        let name: String = key
            .file_name()?
            .to_string_lossy()
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                    c
                } else {
                    '_'
                }
            })
            .take(40)
            .collect();
        let hash = crate::fsio::fnv1a(key.as_os_str().as_encoded_bytes());
        Some(dir.join(format!("{name}-{hash:016x}.json")))
    }

    /// Autosave `doc` as the recovery file of `record_path`.
    pub fn save(doc: &AnnotationDoc, record_path: &Path) -> Result<()> {
        let dir = Self::dir().ok_or_else(|| {
            Error::Invalid(format!(
                "no user data folder for recovery files (set {DATA_DIR_ENV})"
            ))
        })?;
        Self::save_in(&dir, doc, record_path).map(drop)
    }

    /// Autosave `doc` into folder `dir` (created when missing); returns the file written.
    pub fn save_in(dir: &Path, doc: &AnnotationDoc, record_path: &Path) -> Result<PathBuf> {
        Self::write_in(dir, doc, true, &LeadDocs::default(), record_path)
    }

    /// Autosave the record-level document `cycles` and the per-lead documents `leads` into
    /// folder `dir`: the leads with edits, and the record-level marks marked as edited or not,
    /// so that edits to leads alone do not make the saved cycles count as edited on reopening.
    pub fn save_all_in(
        dir: &Path,
        cycles: &AnnotationDoc,
        leads: &LeadDocs,
        record_path: &Path,
    ) -> Result<PathBuf> {
        Self::write_in(dir, cycles, cycles.is_dirty(), leads, record_path)
    }

    fn write_in(
        dir: &Path,
        doc: &AnnotationDoc,
        cycles_edited: bool,
        leads: &LeadDocs,
        record_path: &Path,
    ) -> Result<PathBuf> {
        if !valid_fs(doc.fs) {
            return Err(Error::Invalid(format!(
                "recovery not saved: invalid sampling rate {} Hz",
                doc.fs
            )));
        }
        let (Some(key), Some(path)) = (record_key(record_path), Self::path_in(dir, record_path))
        else {
            return Err(Error::Invalid(format!(
                "{}: not a record path",
                record_path.display()
            )));
        };
        let file = RecoveryFile::new(&key, doc, cycles_edited, leads);
        let mut bytes = serde_json::to_vec(&file)?;
        bytes.push(b'\n');
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        crate::fsio::write(&path, &bytes, crate::fsio::Replace::Allow)?;
        Ok(path)
    }

    /// The recovered document of `record_path`, `None` when there is no recovery file; a file
    /// that cannot be read is an error naming it.
    pub fn load(record_path: &Path) -> Result<Option<AnnotationDoc>> {
        match Self::dir() {
            Some(dir) => Self::load_in(&dir, record_path),
            None => Ok(None),
        }
    }

    /// [`Recovery::load`] from folder `dir`.
    pub fn load_in(dir: &Path, record_path: &Path) -> Result<Option<AnnotationDoc>> {
        Ok(Self::read_in(dir, record_path)?.map(|r| r.cycles))
    }

    /// Everything the recovery file of `record_path` in folder `dir` holds (record-level and
    /// per-lead edits), `None` when there is none; a file that cannot be read is an error
    /// naming it.
    pub fn read_in(dir: &Path, record_path: &Path) -> Result<Option<Recovered>> {
        match Self::path_in(dir, record_path) {
            Some(path) if path.is_file() => Self::read_file(&path, Some(record_path)).map(Some),
            _ => Ok(None),
        }
    }

    /// Read a recovery file's record-level document; with `record_path`, it must hold that
    /// record's edits. The document is dirty (its edits are in no saved file) and keeps the
    /// saved revision.
    pub fn load_file(path: &Path, record_path: Option<&Path>) -> Result<AnnotationDoc> {
        Ok(Self::read_file(path, record_path)?.cycles)
    }

    /// Read everything a recovery file holds; with `record_path`, it must hold that record's
    /// edits.
    pub fn read_file(path: &Path, record_path: Option<&Path>) -> Result<Recovered> {
        let key = record_path.and_then(record_key);
        Recovered::parse(path, &read_text(path)?, key.as_deref())
    }

    /// Delete the recovery file of `record_path` (after a save, or when the user drops the
    /// edits); no file is not an error.
    pub fn discard(record_path: &Path) -> Result<()> {
        match Self::dir() {
            Some(dir) => Self::discard_in(&dir, record_path),
            None => Ok(()),
        }
    }

    /// [`Recovery::discard`] in folder `dir`.
    pub fn discard_in(dir: &Path, record_path: &Path) -> Result<()> {
        let Some(path) = Self::path_in(dir, record_path) else {
            return Ok(());
        };
        match std::fs::remove_file(&path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(Error::io(&path, e)),
            _ => Ok(()),
        }
    }
}
