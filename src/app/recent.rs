//! Recently opened records, kept in the user's data folder.

use std::io::Write;
use std::path::{Path, PathBuf};

/// The app's data folder: `ECG_PANORAMA_DATA_DIR` when set, else the platform's user data
/// folder for the app (on Linux `~/.local/share/ecg-panorama`).
pub fn data_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("ECG_PANORAMA_DATA_DIR") {
        return PathBuf::from(dir);
    }
    directories::ProjectDirs::from("org", "ecg-panorama", "ecg-panorama")
        .map(|d| d.data_dir().to_path_buf())
        .unwrap_or_else(|| std::env::temp_dir().join("ecg-panorama"))
}

fn file(dir: &Path) -> PathBuf {
    dir.join("recent.json")
}

/// The remembered records, newest first (an unreadable list is an empty one).
pub fn load(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_to_string(file(dir))
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default()
}

/// Remember the list; written beside its target and renamed, so a crash never truncates it.
pub fn save(dir: &Path, recent: &[PathBuf]) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir)?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.write_all(serde_json::to_string_pretty(recent)?.as_bytes())?;
    tmp.persist(file(dir))?;
    Ok(())
}
