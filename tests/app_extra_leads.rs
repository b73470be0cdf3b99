//! The clinical extra leads in the desktop app, headless: the gizmo's toggle, the snap buttons
//! and points of V3R–V6R and V7–V9, and the 15- and 18-lead presets of the grid pane.

mod harness;

use ecg_panorama::app::synth::Purpose;
use ecg_panorama::app::{App, AppState, GridKind, View, gizmo};
use ecg_panorama::geometry::{
    EXTRA_LEADS, STANDARD_12, Viewpoint, is_extra_lead, lead_view, normalise_lead_name,
};
use ecg_panorama::panorama::{EngineKind, engine_for, synthesize};
use eframe::egui;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use harness::{app, harness, settle};
use std::collections::HashMap;

fn view(name: &str) -> Viewpoint {
    lead_view(&normalise_lead_name(name), false)
        .unwrap()
        .viewpoint
}

fn click_at(h: &mut Harness<'static, App>, pos: egui::Pos2) {
    h.hover_at(pos);
    h.step();
    h.drag_at(pos);
    h.step();
    h.event(egui::Event::PointerButton {
        pos,
        button: egui::PointerButton::Primary,
        pressed: false,
        modifiers: egui::Modifiers::NONE,
    });
    h.step();
}

fn point_names(h: &Harness<'static, App>) -> Vec<String> {
    let points = h.state().state.lead_points();
    points.into_iter().map(|(n, _, _)| n).collect()
}

#[test]
fn the_toggle_shows_the_extra_leads_which_snap_like_the_standard_ones() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(app(None, View::Panorama, dir.path()));
    settle(&mut h);
    assert!(!h.state().state.extra_leads, "off by default");
    assert!(!point_names(&h).iter().any(|n| is_extra_lead(n)));
    assert!(h.query_by_label("V4R").is_none(), "no V4R snap button yet");

    h.get_by_label(gizmo::EXTRA_TOGGLE).click();
    settle(&mut h);
    assert!(h.state().state.extra_leads);
    let names = point_names(&h);
    assert_eq!(names.len(), 12 + EXTRA_LEADS.len(), "{names:?}");
    for extra in EXTRA_LEADS {
        assert!(names.iter().any(|n| n == extra), "{extra} on the sphere");
        h.get_by_label(extra);
    }

    // The snap button looks from V4R, and the panorama synthesizes that view.
    h.get_by_label("V4R").click();
    settle(&mut h);
    assert_eq!(h.state().state.viewpoint, view("V4R"));
    let (t, p) = h.state().state.viewpoint.degrees();
    assert!(
        (t - 99.0).abs() < 1e-9 && (p + 30.0).abs() < 1e-9,
        "θ {t} φ {p}"
    );
    let out = h.state().output(Purpose::Panorama).unwrap();
    assert!(out.error.is_none(), "{:?}", out.error);
    assert_eq!(out.views, [view("V4R")]);

    // A click on an extra lead's point snaps to it: the facing point farthest from any other.
    let rect = h.get_by_label(gizmo::LABEL).rect();
    let rotation = h.state().state.rotation;
    let points = h.state().state.lead_points();
    let pos = |v: Viewpoint| gizmo::screen_pos(rect, rotation, v);
    let (name, v, gap) = points
        .iter()
        .filter(|(n, v, _)| is_extra_lead(n) && pos(*v).1)
        .map(|(n, v, _)| {
            let gap = points
                .iter()
                .filter(|(m, _, _)| m != n)
                .map(|(_, w, _)| pos(*v).0.distance(pos(*w).0))
                .fold(f32::INFINITY, f32::min);
            (n.clone(), *v, gap)
        })
        .max_by(|a, b| a.2.total_cmp(&b.2))
        .expect("an extra lead faces the viewer");
    assert!(gap > 14.0, "{name} is {gap} points from another lead");
    click_at(&mut h, pos(v).0);
    settle(&mut h);
    assert_eq!(h.state().state.viewpoint, v, "clicked {name}");

    h.get_by_label(gizmo::EXTRA_TOGGLE).click();
    settle(&mut h);
    assert!(h.query_by_label("V4R").is_none(), "hidden again");
    assert_eq!(point_names(&h).len(), 12);
}

#[test]
fn the_15_and_18_lead_presets_show_the_recorded_leads_and_the_synthesized_extras() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(app(None, View::Grid, dir.path()));
    settle(&mut h);
    h.state_mut().state.cycle = 2;
    let presets: [(&str, GridKind, &[&str]); 2] = [
        (
            "15-lead (V4R, V8, V9)",
            GridKind::Leads15,
            &["V4R", "V8", "V9"],
        ),
        (
            "18-lead (V4R–V6R, V7–V9)",
            GridKind::Leads18,
            &["V4R", "V5R", "V6R", "V7", "V8", "V9"],
        ),
    ];
    for (button, kind, extras) in presets {
        h.get_by_label(button).click();
        settle(&mut h);
        assert_eq!(h.state().state.grid, kind);
        for lead in STANDARD_12 {
            h.get_by_label(&format!("{lead} recorded"));
        }
        for lead in EXTRA_LEADS {
            let shown = h.query_by_label(&format!("{lead} synthesized")).is_some();
            assert_eq!(shown, extras.contains(&lead), "{button}: {lead}");
        }
        // The extras come from the synthesis worker, for the selected cycle: the same signals
        // as synthesizing the record directly with the same engine and inputs.
        let s = &h.state().state;
        let cycle = s.cycles()[2];
        let views: Vec<Viewpoint> = extras.iter().map(|n| view(n)).collect();
        let out = h.state().output(Purpose::Grid).unwrap();
        assert!(out.error.is_none(), "{:?}", out.error);
        assert_eq!(out.views, views);
        assert_eq!(out.segments.len(), 1);
        assert_eq!(out.segments[0].start, cycle.start());
        let record = s.record.as_ref().unwrap();
        let inputs: Vec<&str> = s.inputs.iter().map(String::as_str).collect();
        let engine = engine_for(EngineKind::Dipole, None).unwrap();
        let direct = synthesize(engine.as_ref(), record, &inputs, &[cycle], &views, None).unwrap();
        for (k, x) in out.segments[0].signals.iter().enumerate() {
            assert_eq!(x.as_slice(), &direct.views[k][cycle.start()..=cycle.end()]);
            let range = x.iter().fold(0.0f64, |m, v| m.max(v.abs()));
            assert!(range > 0.05, "{}: a flat trace ({range} mV)", extras[k]);
        }
    }
    // A synthesized cell opens its view in the panorama.
    h.get_by_label("V8 synthesized").click();
    settle(&mut h);
    assert_eq!(h.state().state.view, View::Panorama);
    assert_eq!(h.state().state.viewpoint, view("V8"));
}

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

#[test]
fn the_toggle_and_the_preset_come_back_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(app(None, View::Grid, dir.path()));
    settle(&mut h);
    assert!(!AppState::default().extra_leads);
    h.state_mut().state.extra_leads = true;
    h.state_mut().state.grid = GridKind::Leads18;
    let mut storage = Memory::default();
    h.state().save_settings(&mut storage);
    drop(h);
    let again = App::with_storage(
        None,
        None,
        None,
        dir.path().to_path_buf(),
        Some(&storage as &dyn eframe::Storage),
    );
    assert!(again.state.extra_leads);
    assert_eq!(again.state.grid, GridKind::Leads18);
    assert_eq!(again.state.lead_points().len(), 12 + EXTRA_LEADS.len());
}

#[test]
fn a_record_without_the_12_leads_shows_what_it_has_beside_the_extras() {
    let dir = tempfile::tempdir().unwrap();
    let mut record = ecg_panorama::record::demo::demo_record().record;
    record
        .leads
        .retain(|l| ["I", "II", "V2", "V5"].contains(&l.name.as_str()));
    let path = dir.path().join("four-leads.csv");
    let mut file = std::fs::File::create(&path).unwrap();
    ecg_panorama::record::csv_io::write_csv(&record, &mut file).unwrap();
    drop(file);
    let mut h = harness(app(Some(path), View::Grid, &dir.path().join("data")));
    settle(&mut h);
    assert!(
        !h.state().state.cycles().is_empty(),
        "the annotator found cycles"
    );
    h.get_by_label("15-lead (V4R, V8, V9)").click();
    settle(&mut h);
    for lead in ["I", "II", "V2", "V5"] {
        h.get_by_label(&format!("{lead} recorded"));
    }
    for missing in ["III", "aVF", "V1", "V6"] {
        assert!(h.query_by_label(&format!("{missing} recorded")).is_none());
    }
    for extra in ["V4R", "V8", "V9"] {
        h.get_by_label(&format!("{extra} synthesized"));
    }
    let out = h.state().output(Purpose::Grid).unwrap();
    assert!(out.error.is_none(), "{:?}", out.error);
    assert_eq!(out.segments[0].signals.len(), 3);
}
