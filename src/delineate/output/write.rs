//! Writing a delineation's files: the clash check that stops the whole write before anything
//! is written, then the set written through the crate's atomic writer.

use super::{OutputFormat, labels_document, lead_annotations, output_paths};
use crate::delineate::Delineation;
use crate::delineate::cycles::cycles;
use crate::error::{Error, Result};
use crate::record::annotation::encode_annotations;
use std::path::{Path, PathBuf};

/// Write a delineation's files for record `record_name` into the existing folder `dir`.
///
/// Every file is first encoded, then every target checked: unless `force`, an existing file
/// (a cardiologist's annotations, say) stops the whole write before anything is written, and
/// the error names it. Every file is staged before any is renamed into place; if a rename
/// fails, the files this call created are removed again ([`crate::fsio::write_set`]). Returns the paths written.
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
    let files: Vec<(&Path, &[u8])> = paths
        .iter()
        .map(PathBuf::as_path)
        .zip(contents.iter().map(Vec::as_slice))
        .collect();
    crate::fsio::write_set(&files, crate::fsio::Replace::allow_if(force))?;
    Ok(paths)
}
