//! Opening any supported record from a path, and finding the annotation files beside it.

use super::{
    Record, annotation, channels, csv_io, edf, inverted, labels::CycleLabels, tianchi, units,
    wfdb_io,
};
use crate::error::{Error, Result};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Extensions of signal and header files, never annotation files.
const SIGNAL_EXTENSIONS: [&str; 8] = ["hea", "dat", "mat", "xyz", "npy", "csv", "json", "edf"];

/// Open a record: WFDB (path with or without `.hea`, or its `.dat`/`.mat`), EDF/EDF+ (`.edf`),
/// Tianchi `.npy`, or CSV.
pub fn open_record(path: &Path) -> Result<Record> {
    let mut record = read_any(path)?;
    units::fix_microvolts(&mut record);
    inverted::restore_inverted_leads(&mut record);
    channels::name_numbered_channels(&mut record);
    Ok(record)
}

/// The record as its file scales it.
fn read_any(path: &Path) -> Result<Record> {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase());
    match ext.as_deref() {
        Some("npy") => tianchi::read_tianchi(path),
        Some("csv") => csv_io::read_csv(path),
        Some("edf") => edf::read_edf(path),
        Some("dat" | "mat" | "xyz") => wfdb_io::read_wfdb(&path.with_extension("hea")),
        Some("hea") => wfdb_io::read_wfdb(path),
        _ => {
            if wfdb_io::header_path(path).is_file() {
                wfdb_io::read_wfdb(path)
            } else if path.is_file() {
                Err(Error::UnknownFormat {
                    path: path.to_path_buf(),
                    reason: "expected a WFDB record (.hea), an EDF file, a Tianchi .npy array or \
                             a CSV file"
                        .into(),
                })
            } else {
                Err(Error::NotFound {
                    path: wfdb_io::header_path(path),
                    context: " (no WFDB header for this record)".into(),
                })
            }
        }
    }
}

/// The record path without its extension (as wfdb-python names records).
pub fn record_stem(path: &Path) -> PathBuf {
    match path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
    {
        Some(e) if SIGNAL_EXTENSIONS.contains(&e.as_str()) => path.with_extension(""),
        _ => path.to_path_buf(),
    }
}

/// An annotation file found beside a record, with what it holds.
#[derive(Debug, Clone, serde::Serialize)]
pub struct AnnotationFile {
    /// Its path.
    pub path: PathBuf,
    /// "wfdb" for WFDB annotation files, "json" for the seed's cycle labels.
    pub kind: &'static str,
    /// Number of annotations per symbol (WFDB) or per boundary key (JSON labels).
    pub counts: BTreeMap<String, usize>,
    /// Why the file could not be read, when it could not.
    pub error: Option<String>,
}

/// The annotation files beside a record: `STEM.ext` WFDB annotation files (any extension that
/// is not a signal or header file) and JSON cycle labels (`STEM.json`, or for a Tianchi
/// record its `tianchi_interval/` file).
pub fn find_annotation_files(record: &Path) -> Vec<AnnotationFile> {
    let stem = record_stem(record);
    let (Some(dir), Some(name)) = (stem.parent(), stem.file_name()) else {
        return Vec::new();
    };
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let prefix = format!("{}.", name.to_string_lossy());
    let mut found = Vec::new();
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .filter(|p| {
            p.file_name()
                .is_some_and(|f| f.to_string_lossy().starts_with(&prefix))
        })
        .collect();
    entries.sort();
    for path in entries {
        let ext = path
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default();
        let rest = &path.file_name().unwrap_or_default().to_string_lossy()[prefix.len()..];
        if rest.contains('.') || (SIGNAL_EXTENSIONS.contains(&ext.as_str()) && ext != "json") {
            continue;
        }
        found.push(if ext == "json" {
            labels_file(path)
        } else {
            wfdb_file(path)
        });
    }
    let is_npy = record
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("npy"));
    if is_npy
        && let Some(p) = tianchi::find_tianchi_labels(record)
        && !found.iter().any(|f| f.path == p)
    {
        found.push(labels_file(p));
    }
    found
}

fn wfdb_file(path: PathBuf) -> AnnotationFile {
    match annotation::read_annotations(&path) {
        Ok(anns) => AnnotationFile {
            path,
            kind: "wfdb",
            counts: annotation::symbol_counts(&anns),
            error: None,
        },
        Err(e) => AnnotationFile {
            path,
            kind: "wfdb",
            counts: BTreeMap::new(),
            error: Some(e.to_string()),
        },
    }
}

fn labels_file(path: PathBuf) -> AnnotationFile {
    match CycleLabels::read(&path) {
        Ok(l) => AnnotationFile {
            counts: l
                .kinds()
                .iter()
                .map(|(k, v)| (k.to_string(), v.len()))
                .collect(),
            path,
            kind: "json",
            error: None,
        },
        Err(e) => AnnotationFile {
            path,
            kind: "json",
            counts: BTreeMap::new(),
            error: Some(e.to_string()),
        },
    }
}
