//! Crash recovery: the document autosaved to the user data folder, one file per record.

use super::{AnnotationDoc, Mark, Origin, Peak, valid_fs};
use crate::delineate::WaveKind;
use crate::error::{Error, Result, read_text};
use crate::record::record_stem;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

pub use crate::fsio::DATA_DIR_ENV;

const FORMAT: &str = "ecg-panorama annotation recovery";
const VERSION: u32 = 1;
const KIND: &str = "annotation recovery file";

/// What a recovery file holds (JSON).
#[derive(Debug, Serialize, Deserialize)]
struct RecoveryFile {
    format: String,
    version: u32,
    /// The record's canonical path, without its signal extension.
    record: String,
    fs: f64,
    samples: usize,
    revision: u64,
    /// Where the edited marks first came from, for the user's information.
    origin: String,
    marks: Vec<Mark>,
    /// Peaks as (WFDB symbol, sample).
    #[serde(default)]
    peaks: Vec<(String, usize)>,
}

/// Crash recovery: autosave to the user data folder, atomic ([`crate::fsio`]), one file per
/// record path (a hash of the canonical path in the name), JSON with the record path, fs,
/// length, marks and revision.
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

/// FNV-1a: stable across Rust versions and platforms, unlike the standard library's hasher.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
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
        let hash = fnv1a(key.as_os_str().as_encoded_bytes());
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
        let file = RecoveryFile {
            format: FORMAT.into(),
            version: VERSION,
            record: key.to_string_lossy().into_owned(),
            fs: doc.fs,
            samples: doc.len,
            revision: doc.revision,
            origin: doc.origin.to_string(),
            marks: doc.marks.clone(),
            peaks: doc
                .peaks
                .iter()
                .map(|p| (p.wave.symbol().to_string(), p.sample))
                .collect(),
        };
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
        match Self::path_in(dir, record_path) {
            Some(path) if path.is_file() => Self::load_file(&path, Some(record_path)).map(Some),
            _ => Ok(None),
        }
    }

    /// Read a recovery file; with `record_path`, it must hold that record's edits. The
    /// document is dirty (its edits are in no saved file) and keeps the saved revision.
    pub fn load_file(path: &Path, record_path: Option<&Path>) -> Result<AnnotationDoc> {
        let bad = |reason: String| Error::malformed(path, KIND, reason);
        let file: RecoveryFile =
            serde_json::from_str(&read_text(path)?).map_err(|e| bad(e.to_string()))?;
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
        if let Some(key) = record_path.and_then(record_key)
            && Path::new(&file.record) != key
        {
            return Err(bad(format!(
                "holds the edits of record {}, not {}",
                file.record,
                key.display()
            )));
        }
        if let Some(m) = file.marks.iter().find(|m| m.sample >= file.samples) {
            return Err(bad(format!(
                "{} at sample {} lies past the record's end ({} samples)",
                m.kind, m.sample, file.samples
            )));
        }
        if file.marks.windows(2).any(|w| w[0].sample > w[1].sample) {
            return Err(bad("marks are not sorted by sample".into()));
        }
        let peaks = file
            .peaks
            .iter()
            .map(|(symbol, sample)| {
                WaveKind::from_symbol(symbol)
                    .filter(|_| *sample < file.samples)
                    .map(|wave| Peak {
                        wave,
                        sample: *sample,
                    })
                    .ok_or_else(|| bad(format!("bad peak {symbol:?} at sample {sample}")))
            })
            .collect::<Result<Vec<_>>>()?;
        let mut doc = AnnotationDoc::new(
            file.samples,
            file.fs,
            file.marks,
            Origin::Recovery(path.to_path_buf()),
        );
        doc.peaks = peaks;
        doc.peaks.sort_by_key(|p| p.sample);
        doc.revision = file.revision;
        Ok(doc)
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
