//! Recently opened records, kept in the user's data folder.

use std::path::{Path, PathBuf};

/// The app's data folder; one rule for the whole program ([`crate::fsio::data_dir`]).
pub fn data_dir() -> PathBuf {
    crate::fsio::data_dir()
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

/// Remember the list, atomically so that a crash never truncates it.
pub fn save(dir: &Path, recent: &[PathBuf]) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir)?;
    let text = serde_json::to_string_pretty(recent)?;
    crate::fsio::write(&file(dir), text.as_bytes(), crate::fsio::Replace::Allow)?;
    Ok(())
}
