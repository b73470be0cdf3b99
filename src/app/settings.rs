//! Remembered settings: the serialised part of [`AppState`] kept in eframe's storage between
//! runs (the window's size and position eframe keeps itself).

use super::core::App;
use super::state::{AppState, View};
use eframe::egui;
use std::path::PathBuf;

/// The storage key of the settings.
pub const KEY: &str = eframe::APP_KEY;

/// The folder eframe keeps its storage in: `settings` in the app's data folder, so that
/// `ECG_PANORAMA_DATA_DIR` moves it with the recent and recovery files.
pub fn storage_dir() -> PathBuf {
    crate::fsio::data_dir().join("settings")
}

impl App {
    /// [`App::with_data_dir`] started with the settings remembered in `storage`; `view`, when
    /// given (`--show`), wins over the remembered view.
    pub fn with_storage(
        record: Option<PathBuf>,
        view: Option<View>,
        ctx: Option<egui::Context>,
        data_dir: PathBuf,
        storage: Option<&dyn eframe::Storage>,
    ) -> Self {
        let mut app = Self::with_data_dir(record, view.unwrap_or_default(), ctx, data_dir);
        if let Some(saved) = storage.and_then(|s| eframe::get_value::<AppState>(s, KEY)) {
            app.state.take_settings(saved);
        }
        if let Some(view) = view {
            app.state.view = view;
        }
        app
    }

    /// Remember the settings in `storage` (eframe calls this every few seconds and on exit).
    pub fn save_settings(&self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, KEY, &self.state);
    }
}

/// The engine by its command-line name, so the stored settings read like the command line and
/// a name this build does not know falls back to the default instead of failing the rest.
pub(super) mod engine_name {
    use crate::panorama::EngineKind;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(kind: &EngineKind, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(kind.as_str())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<EngineKind, D::Error> {
        let name = String::deserialize(d)?;
        Ok(<EngineKind as clap::ValueEnum>::from_str(&name, true).unwrap_or(EngineKind::NefNet))
    }
}
