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
