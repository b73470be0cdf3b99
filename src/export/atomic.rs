//! Atomic writes: each file goes to a temporary file in its own folder and is renamed into
//! place only when every file of the set is complete, so a failed export leaves no half file.

use crate::error::{Error, Result};
use std::io::Write;
use std::path::Path;
use tempfile::NamedTempFile;

/// Write every `(path, bytes)` pair, or none of the new files when writing any of them fails.
pub(crate) fn write_files(files: &[(&Path, &[u8])]) -> Result<()> {
    let mut staged = Vec::with_capacity(files.len());
    for &(path, bytes) in files {
        // Dropping an unpersisted NamedTempFile deletes it, so early returns clean up.
        staged.push((path, stage(path, bytes)?));
    }
    for (path, tmp) in staged {
        tmp.persist(path).map_err(|e| io_error(path, e.error))?;
    }
    Ok(())
}

fn stage(path: &Path, bytes: &[u8]) -> Result<NamedTempFile> {
    let name = path
        .file_name()
        .ok_or_else(|| Error::Invalid(format!("{}: not a file path", path.display())))?;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!(".{}.", name.to_string_lossy()))
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(|e| io_error(path, e))?;
    tmp.write_all(bytes).map_err(|e| io_error(path, e))?;
    tmp.as_file().sync_all().map_err(|e| io_error(path, e))?;
    Ok(tmp)
}

/// An I/O error reported on the file the user asked for, never on the temporary file (whose
/// name would mean nothing to them).
fn io_error(path: &Path, source: std::io::Error) -> Error {
    Error::Io {
        path: path.to_path_buf(),
        source,
    }
}
