//! Remembered settings: what the user chose (engine, inputs, filters, zoom, view, viewpoint,
//! boundary mode) comes back when the app starts again with the same storage.

mod harness;

use ecg_panorama::app::settings::KEY;
use ecg_panorama::app::{App, AppState, BoundaryMode, View};
use ecg_panorama::geometry::Viewpoint;
use ecg_panorama::panorama::EngineKind;
use harness::{app, harness, settle};
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

/// eframe's storage kept in memory, as the window keeps it on disk.
#[derive(Default)]
struct Memory(HashMap<String, String>);

impl eframe::Storage for Memory {
    fn get_string(&self, key: &str) -> Option<String> {
        self.0.get(key).cloned()
    }
    fn set_string(&mut self, key: &str, value: String) {
        self.0.insert(key.to_string(), value);
    }
    fn remove_string(&mut self, key: &str) {
        self.0.remove(key);
    }
    fn flush(&mut self) {}
}

fn restart(storage: &Memory, view: Option<View>, dir: &Path) -> App {
    let mut h = harness(App::with_storage(
        None,
        view,
        None,
        dir.to_path_buf(),
        Some(storage as &dyn eframe::Storage),
    ));
    settle(&mut h);
    h.into_state()
}

#[test]
fn engine_inputs_filters_zoom_view_and_boundary_mode_come_back_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let fresh = AppState::default();
    let mut h = harness(app(None, View::Annotate, dir.path()));
    settle(&mut h);
    let mut storage = Memory::default();
    {
        let s = &mut h.state_mut().state;
        assert_eq!(fresh.engine, EngineKind::NefNet);
        s.engine = EngineKind::Dipole;
        assert_ne!(s.inputs, ["I", "aVF", "V3"]);
        s.inputs = ["I", "aVF", "V3"].map(String::from).to_vec();
        assert!(!fresh.filters.baseline && !fresh.filters.powerline);
        s.filters.baseline = true;
        s.filters.powerline = true;
        s.filters.mains_hz = 60.0;
        s.paper.px_per_mm = 7.5;
        s.view = View::Grid;
        s.viewpoint = Viewpoint::from_degrees(60.0, -30.0);
        assert_eq!(fresh.boundaries, BoundaryMode::Cycles);
        s.boundaries = BoundaryMode::Lead("V1".into());
    }
    h.state().save_settings(&mut storage);
    drop(h);

    let again = restart(&storage, None, dir.path());
    let s = &again.state;
    assert_eq!(s.engine, EngineKind::Dipole);
    assert_eq!(s.inputs, ["I", "aVF", "V3"], "the demo has these leads");
    assert!(s.filters.baseline && s.filters.powerline);
    assert_eq!(s.filters.mains_hz, 60.0);
    assert_eq!(s.paper.px_per_mm, 7.5);
    assert_eq!(s.view, View::Grid);
    assert_eq!(s.boundaries, BoundaryMode::Lead("V1".into()));
    let v = Viewpoint::from_degrees(60.0, -30.0);
    assert!((s.viewpoint.theta - v.theta).abs() < 1e-12);
    assert!((s.viewpoint.phi - v.phi).abs() < 1e-12);
    let (record, display) = (s.record.as_ref().unwrap(), s.display.as_ref().unwrap());
    assert!(
        !Arc::ptr_eq(record, display),
        "the remembered filters are applied to the record opened"
    );
    assert!(
        s.annotations.is_some(),
        "the record's state is not taken from storage"
    );

    let shown = restart(&storage, Some(View::Annotate), dir.path());
    assert_eq!(shown.state.view, View::Annotate, "--show wins");
    assert_eq!(shown.state.engine, EngineKind::Dipole);
}

#[test]
fn unreadable_settings_start_from_the_defaults() {
    let dir = tempfile::tempdir().unwrap();
    let mut storage = Memory::default();
    eframe::Storage::set_string(&mut storage, KEY, "(not settings".into());
    let s = restart(&storage, None, dir.path()).state;
    let fresh = AppState::default();
    assert_eq!(s.engine, fresh.engine);
    assert_eq!(s.filters, fresh.filters);
    assert_eq!(s.view, fresh.view);
    assert_eq!(s.inputs, ["II", "V2", "V5"]);
}
