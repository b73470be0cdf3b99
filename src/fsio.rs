//! The one way files are written, and the user's data folder.
//!
//! Every user, model or settings file goes through [`write`], [`write_with`] or [`write_set`]:
//! the bytes go to a temporary file in the target's folder, which is synced, renamed onto the
//! target and followed by a sync of the folder, so a crash or a full disk leaves either the old
//! file or the new one, never a mix, and no temporary file behind.

use crate::error::{Error, Result};
use std::io::Write;
use std::path::{Path, PathBuf};
use tempfile::NamedTempFile;

/// Environment variable that moves the data folder (tests and CI point it at a temporary one).
pub const DATA_DIR_ENV: &str = "ECG_PANORAMA_DATA_DIR";

/// The app's data folder (recent files, recovery files, settings): `ECG_PANORAMA_DATA_DIR`
/// when set and not empty, else the platform's user data folder for the app (on Linux
/// `~/.local/share/ecg-panorama`), else `ecg-panorama` in the temporary folder.
pub fn data_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os(DATA_DIR_ENV).filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    directories::ProjectDirs::from("org", "ecg-panorama", "ecg-panorama")
        .map(|d| d.data_dir().to_path_buf())
        .unwrap_or_else(|| std::env::temp_dir().join("ecg-panorama"))
}

/// Whether a write may replace a file that already exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Replace {
    /// Replace it (the user asked to, or the file is the program's own).
    Allow,
    /// Fail and leave it untouched, even when it appears while the new file is being written.
    Never,
}

impl Replace {
    /// [`Replace::Allow`] when `overwrite` (a `--force` flag or a confirmed prompt).
    pub fn allow_if(overwrite: bool) -> Self {
        if overwrite { Self::Allow } else { Self::Never }
    }
}

/// Write `bytes` to `path` atomically.
pub fn write(path: &Path, bytes: &[u8], replace: Replace) -> Result<()> {
    stage(path, |w| w.write_all(bytes))?.commit(replace)
}

/// Write `path` atomically with `fill`, which streams the content (large CSV files need not
/// be held in memory); a failure of `fill` leaves the old file as it was.
pub fn write_with(
    path: &Path,
    replace: Replace,
    fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<()> {
    stage(path, fill)?.commit(replace)
}

/// Write a set of files that belong together (a record's annotation files): every file is
/// staged before any is renamed into place, so an encoding or disk-full error writes none; if
/// a rename fails, the files this call created are removed again (files it replaced keep their
/// new content: the old one is gone).
pub fn write_set(files: &[(&Path, &[u8])], replace: Replace) -> Result<()> {
    let existed: Vec<bool> = files
        .iter()
        .map(|(p, _)| p.symlink_metadata().is_ok())
        .collect();
    let staged = files
        .iter()
        .map(|&(path, bytes)| stage(path, |w| w.write_all(bytes)))
        .collect::<Result<Vec<_>>>()?;
    for (i, file) in staged.into_iter().enumerate() {
        if let Err(e) = file.commit(replace) {
            // A file created here would pair with a stale or missing other half.
            for (&(path, _), _) in files[..i].iter().zip(&existed).filter(|(_, e)| !**e) {
                let _ = std::fs::remove_file(path);
            }
            return Err(e);
        }
    }
    Ok(())
}

/// A complete, synced temporary file waiting to be renamed onto its target; dropping it
/// deletes the temporary file.
struct Staged<'a> {
    path: &'a Path,
    dir: &'a Path,
    tmp: NamedTempFile,
}

fn stage<'a>(
    path: &'a Path,
    fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<Staged<'a>> {
    let name = path.file_name().ok_or_else(|| {
        io_error(
            path,
            std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a file path"),
        )
    })?;
    if path.is_dir() {
        return Err(io_error(
            path,
            std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "is a folder; give the name of a file to write",
            ),
        ));
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    if !dir.is_dir() {
        // Said plainly: the temporary file's own error would name a path the user never gave.
        return Err(io_error(
            path,
            std::io::Error::new(
                std::io::ErrorKind::NotFound,
                format!("the folder {} does not exist", dir.display()),
            ),
        ));
    }
    // Hidden and named after the target, so a leftover from a killed process is recognisable.
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!(".{}.", name.to_string_lossy()))
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(|e| io_error(path, e))?;
    {
        let mut out = std::io::BufWriter::new(tmp.as_file_mut());
        fill(&mut out).map_err(|e| io_error(path, e))?;
        out.flush().map_err(|e| io_error(path, e))?;
    }
    tmp.as_file().sync_all().map_err(|e| io_error(path, e))?;
    Ok(Staged { path, dir, tmp })
}

impl Staged<'_> {
    fn commit(self, replace: Replace) -> Result<()> {
        let renamed = match replace {
            Replace::Allow => self.tmp.persist(self.path),
            Replace::Never => self.tmp.persist_noclobber(self.path),
        };
        renamed.map_err(|e| io_error(self.path, e.error))?;
        sync_dir(self.dir).map_err(|e| io_error(self.path, e))
    }
}

/// Make the rename itself durable: until the folder is synced, a crash may forget it.
fn sync_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        std::fs::File::open(dir)?.sync_all()
    }
    // Windows cannot open a folder as a file; its renames are journaled by NTFS.
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(())
    }
}

/// An I/O error reported on the file the user asked for, never on the temporary file (whose
/// name would mean nothing to them).
fn io_error(path: &Path, source: std::io::Error) -> Error {
    Error::Io {
        path: path.to_path_buf(),
        cause: source,
    }
}

#[cfg(test)]
mod tests;

/// FNV-1a: stable across Rust versions and platforms, unlike the standard library's hasher.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}
