//! The app under egui_kittest, shared by the app test files: built with its own data folder,
//! on the dipole engine, run until its background work is done.

use ecg_panorama::app::{App, View};
use ecg_panorama::panorama::EngineKind;
use eframe::egui;
use egui_kittest::Harness;
use std::path::{Path, PathBuf};

/// Each test keeps its recent files, recovery files and exports in its own folder.
pub fn app(record: Option<PathBuf>, view: View, dir: &Path) -> App {
    // SAFETY: every test sets the same value before any app reads it.
    unsafe {
        std::env::set_var(
            "ECG_PANORAMA_DATA_DIR",
            std::env::temp_dir().join("ecg-panorama-app-tests"),
        )
    };
    let mut app = App::with_data_dir(record, view, None, dir.to_path_buf());
    // The dipole engine is exact and quick: these tests are about the app, not the network.
    app.state.engine = EngineKind::Dipole;
    // The anomaly map loads Nef-Net and takes a second a record: on only where a test asks.
    app.state.anomaly_map = false;
    app
}

/// A window-sized harness around `app`.
pub fn harness(app: App) -> Harness<'static, App> {
    Harness::builder()
        .with_size(egui::vec2(1400.0, 900.0))
        .build_ui_state(|ui, app: &mut App| app.show(ui), app)
}

/// Frames until background work and synthesis are done.
pub fn settle(h: &mut Harness<'static, App>) {
    for _ in 0..40 {
        h.state_mut().wait_idle();
        h.run_steps(2);
        if !h.state().busy() {
            return;
        }
    }
    panic!("the app did not settle");
}
