//! Opening any supported record from a path.
use super::Record;
use crate::error::{Error, Result};
use std::path::{Path, PathBuf};

/// An annotation file found beside a record.
#[derive(Debug, Clone)]
pub struct AnnotationFile {
    /// Its path.
    pub path: PathBuf,
}

/// Open a record (placeholder until the loaders land).
pub fn open_record(path: &Path) -> Result<Record> {
    Err(Error::UnknownFormat {
        path: path.to_path_buf(),
        reason: "not yet".into(),
    })
}

/// The record path without extension.
pub fn record_stem(path: &Path) -> PathBuf {
    path.to_path_buf()
}

/// Annotation files beside a record.
pub fn find_annotation_files(_record: &Path) -> Vec<AnnotationFile> {
    Vec::new()
}
