//! Writing a delineation's files: the clash check that stops the whole write before anything
//! is written, and each file's atomic write through a temporary file.

use super::{OutputFormat, labels_document, lead_annotations, output_paths};
use crate::delineate::Delineation;
use crate::delineate::cycles::cycles;
use crate::error::{Error, Result};
use crate::record::annotation::encode_annotations;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Write a delineation's files for record `record_name` into the existing folder `dir`.
///
/// Every file is first encoded, then every target checked: unless `force`, an existing file
/// (a cardiologist's annotations, say) stops the whole write before anything is written, and
/// the error names it. Each file is written to a temporary file and renamed into place; if one
/// fails, the files this call created are removed again. Returns the paths written.
pub fn write_outputs(
    record_name: &str,
    d: &Delineation,
    dir: &Path,
    format: OutputFormat,
    force: bool,
) -> Result<Vec<PathBuf>> {
    if record_name.is_empty() || record_name.contains(['/', '\\']) || record_name == ".." {
        return Err(Error::Invalid(format!(
            "{record_name:?}: not a record name to name output files after"
        )));
    }
    if !dir.is_dir() {
        return Err(Error::Invalid(if dir.exists() {
            format!("{}: not a folder (--out must name a folder)", dir.display())
        } else {
            format!("{}: output folder does not exist", dir.display())
        }));
    }
    let cs = cycles(d);
    let paths = output_paths(record_name, d, dir, format);
    let mut contents: Vec<Vec<u8>> = Vec::with_capacity(paths.len());
    if format.wfdb() {
        for lead in &d.leads {
            contents.push(encode_annotations(&lead_annotations(lead, &cs, d.len))?);
        }
    }
    if format.json() {
        let doc = labels_document(record_name, d, &cs);
        let mut text = serde_json::to_vec(&doc)?;
        text.push(b'\n');
        contents.push(text);
    }
    let existing: Vec<&PathBuf> = paths
        .iter()
        .filter(|p| p.symlink_metadata().is_ok())
        .collect();
    if !force && !existing.is_empty() {
        let names: Vec<String> = existing.iter().map(|p| p.display().to_string()).collect();
        let (verb, them) = if names.len() == 1 {
            ("exists", "it")
        } else {
            ("exist", "them")
        };
        return Err(Error::Invalid(format!(
            "{}: already {verb}; nothing was written (--force replaces {them})",
            names.join(", ")
        )));
    }
    let mut created: Vec<&PathBuf> = Vec::new();
    for (path, bytes) in paths.iter().zip(&contents) {
        if let Err(e) = write_atomic(dir, path, bytes, force) {
            for p in created {
                let _ = std::fs::remove_file(p);
            }
            return Err(e);
        }
        if !existing.contains(&path) {
            created.push(path);
        }
    }
    Ok(paths)
}

/// Write `bytes` to a temporary file in `dir` and rename it to `path`; without `force` the
/// rename refuses to replace a file that appeared since the check.
fn write_atomic(dir: &Path, path: &Path, bytes: &[u8], force: bool) -> Result<()> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(|e| Error::io(dir, e))?;
    tmp.write_all(bytes).map_err(|e| Error::io(tmp.path(), e))?;
    tmp.as_file().sync_all().map_err(|e| Error::io(path, e))?;
    let persisted = if force {
        tmp.persist(path)
    } else {
        tmp.persist_noclobber(path)
    };
    persisted.map(drop).map_err(|e| Error::io(path, e.error))
}
