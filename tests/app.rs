//! The desktop app driven headless (egui_kittest, no window, no GPU): open, turn the sphere,
//! snap to a lead, the 24-view grid, annotate with the keys, undo, save and reload, export,
//! and a malformed file.

mod common;
mod harness;

use ecg_panorama::app::synth::Purpose;
use ecg_panorama::app::{App, View, gizmo};
use ecg_panorama::delineate::edit::BoundaryKind;
use ecg_panorama::geometry::{Viewpoint, lead_view, normalise_lead_name};
use eframe::egui;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use harness::{app, harness, settle};
use std::path::{Path, PathBuf};

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

fn panorama_signal(h: &Harness<'static, App>) -> Vec<f64> {
    let out = h
        .state()
        .output(Purpose::Panorama)
        .expect("a synthesized cycle");
    assert!(out.error.is_none(), "{:?}", out.error);
    out.segments[0].signals[0].clone()
}

#[test]
fn the_demo_opens_with_its_leads_and_cycles() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(app(None, View::Annotate, dir.path()));
    settle(&mut h);
    let s = &h.state().state;
    let r = s.record.as_ref().unwrap();
    assert_eq!((r.name.as_str(), r.leads.len()), ("demo-synthetic", 12));
    assert!(s.cycles().len() >= 10, "{} cycles", s.cycles().len());
    assert!(s.messages.iter().all(|m| !m.error), "{:?}", s.messages);
    h.get_by_label("ECG paper");
}

#[test]
fn dragging_the_handle_moves_the_viewpoint_and_the_synthesized_cycle() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(app(None, View::Panorama, dir.path()));
    settle(&mut h);
    let before = (h.state().state.viewpoint, panorama_signal(&h));
    let rect = h.get_by_label(gizmo::LABEL).rect();
    let (handle, front) = gizmo::screen_pos(rect, h.state().state.rotation, before.0);
    assert!(front, "the handle starts on the visible side");
    h.hover_at(handle);
    h.step();
    h.drag_at(handle);
    h.step();
    for k in 1..=6 {
        h.hover_at(handle + egui::vec2(-12.0 * k as f32, -9.0 * k as f32));
        h.step();
    }
    h.drop_at(handle + egui::vec2(-72.0, -54.0));
    settle(&mut h);
    let after = (h.state().state.viewpoint, panorama_signal(&h));
    assert!(
        after.0.angle_to(&before.0) > 0.2,
        "{:?} -> {:?}",
        before.0,
        after.0
    );
    let diff: f64 = before
        .1
        .iter()
        .zip(&after.1)
        .map(|(a, b)| (a - b).abs())
        .sum();
    assert!(diff > 1e-3, "the synthesized cycle did not change");
    // A drag on the background turns the sphere and leaves the viewpoint.
    let rotation = h.state().state.rotation;
    let corner = rect.left_top() + egui::vec2(8.0, 8.0);
    h.drag_at(corner);
    h.step();
    h.hover_at(corner + egui::vec2(40.0, 0.0));
    h.step();
    h.drop_at(corner + egui::vec2(40.0, 0.0));
    settle(&mut h);
    assert_ne!(h.state().state.rotation, rotation);
    assert_eq!(h.state().state.viewpoint, after.0);
}

#[test]
fn clicking_a_lead_point_snaps_to_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(app(None, View::Panorama, dir.path()));
    settle(&mut h);
    let v2 = lead_view(&normalise_lead_name("V2"), false)
        .unwrap()
        .viewpoint;
    let rect = h.get_by_label(gizmo::LABEL).rect();
    let (pos, front) = gizmo::screen_pos(rect, h.state().state.rotation, v2);
    assert!(front);
    click_at(&mut h, pos);
    settle(&mut h);
    assert_eq!(h.state().state.viewpoint, v2);
    // The numeric fields follow: θ 90°, φ 10°.
    let (t, p) = h.state().state.viewpoint.degrees();
    assert!((t - 90.0).abs() < 1e-9 && (p - 10.0).abs() < 1e-9);
}

#[test]
fn the_grid_has_24_plots_and_a_click_opens_the_panorama() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(app(None, View::Annotate, dir.path()));
    settle(&mut h);
    h.get_by_label("Grid").click();
    settle(&mut h);
    assert_eq!(h.state().state.view, View::Grid);
    assert_eq!(h.query_all_by_label_contains("view θ").count(), 24);
    let out = h.state().output(Purpose::Grid).unwrap();
    assert_eq!(out.segments[0].signals.len(), 24);
    h.get_by_label("view θ 60° φ -120°").click();
    settle(&mut h);
    assert_eq!(h.state().state.view, View::Panorama);
    let v = h.state().state.viewpoint;
    assert!(
        v.angle_to(&Viewpoint::from_degrees(60.0, -120.0)) < 1e-6,
        "{:?}",
        v.degrees()
    );
    h.get_by_label("Grid").click();
    settle(&mut h);
    h.get_by_label("Pole-free grid (3 × 8)").click();
    settle(&mut h);
    assert_eq!(h.query_all_by_label_contains("view θ").count(), 24);
}

/// A copy of LUDB record 1 without its annotation files, in `dir`.
fn bare_ludb_copy(dir: &Path) -> PathBuf {
    let src = common::data_dir().join("ludb/data/1");
    for ext in ["hea", "dat"] {
        std::fs::copy(src.with_extension(ext), dir.join(format!("1.{ext}"))).unwrap();
    }
    dir.join("1")
}

#[test]
fn key_1_at_the_cursor_sets_a_p_onset_and_undo_removes_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(app(None, View::Annotate, dir.path()));
    settle(&mut h);
    let paper = h.get_by_label("ECG paper").rect();
    // 100 points right of the label column: 1 s at the default zoom, inside the first TP segment.
    let pos = egui::pos2(paper.left() + 56.0 + 100.0, paper.center().y);
    h.hover_at(pos);
    h.step();
    let at = h.state().state.cursor.expect("a cursor over the paper");
    let count = |h: &Harness<'static, App>| {
        let doc = &h.state().state.annotations.as_ref().unwrap().doc;
        doc.marks()
            .iter()
            .filter(|m| m.kind == BoundaryKind::POn && m.sample == at)
            .count()
    };
    assert_eq!(count(&h), 0);
    h.key_press(egui::Key::Num1);
    h.step();
    assert_eq!(count(&h), 1, "a P onset at sample {at}");
    assert!(h.state().state.dirty());
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Z);
    h.step();
    assert_eq!(count(&h), 0);
    h.key_press_modifiers(
        egui::Modifiers::COMMAND | egui::Modifiers::SHIFT,
        egui::Key::Z,
    );
    h.step();
    assert_eq!(count(&h), 1, "redo");
}

#[test]
fn a_failed_save_shows_an_error_and_keeps_the_edits_unsaved() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(app(None, View::Annotate, &dir.path().join("data")));
    settle(&mut h);
    let at = h.state().state.cycles()[1].p_on() + 20;
    let doc = &mut h.state_mut().state.annotations.as_mut().unwrap().doc;
    assert!(doc.remove_cycle(at) > 0);
    // A folder inside a file cannot be made: the background save fails.
    let file = dir.path().join("a-file");
    std::fs::write(&file, "").unwrap();
    h.state_mut()
        .save_annotations(&file.join("sub"), false)
        .unwrap();
    h.state_mut().wait_idle();
    let s = &h.state().state;
    assert!(s.dirty(), "the edits count as unsaved");
    let last = s.messages.last().unwrap();
    assert!(last.error && last.text.starts_with("Not saved"), "{last:?}");
}

#[test]
fn saved_annotations_reload_and_edits_survive_in_the_recovery_file() {
    let dir = tempfile::tempdir().unwrap();
    let rec = bare_ludb_copy(dir.path());
    let data = dir.path().join("data");
    let mut h = harness(app(Some(rec.clone()), View::Annotate, &data));
    settle(&mut h);
    let proposed = h.state().state.cycles();
    assert!(proposed.len() >= 5, "the annotator proposes cycles");
    let at = proposed[1].p_on() + 20;
    let doc = &mut h.state_mut().state.annotations.as_mut().unwrap().doc;
    let removed = doc.remove_cycle(at);
    assert!(removed > 0);
    settle(&mut h); // autosave after a second of quiet
    assert!(std::fs::read_dir(data.join("recovery")).unwrap().count() == 1);
    // Killed now, the next open gets the edit back from the recovery file.
    let mut again = harness(app(Some(rec.clone()), View::Annotate, &data));
    settle(&mut again);
    assert_eq!(
        again.state().state.cycles().len(),
        h.state().state.cycles().len()
    );
    assert!(again.state().state.dirty());
    let (wave, json) = h.state_mut().save_annotations(dir.path(), false).unwrap();
    // The save runs in the background: the edits count as unsaved until it reports.
    assert!(h.state().state.dirty());
    h.state_mut().wait_idle();
    assert!(wave.is_file() && json.is_file());
    assert!(!h.state().state.dirty());
    assert!(
        h.state_mut().save_annotations(dir.path(), false).is_err(),
        "no silent overwrite"
    );
    h.state_mut().save_annotations(dir.path(), true).unwrap();
    h.state_mut().wait_idle();
    let last = h.state().state.messages.last().unwrap();
    assert!(!last.error && last.text.starts_with("Saved"), "{last:?}");
    let edited = h.state().state.cycles();
    let mut reopened = harness(app(Some(rec), View::Annotate, &data));
    settle(&mut reopened);
    let s = &reopened.state().state;
    assert_eq!(s.cycles(), edited);
    assert!(!s.dirty());
    assert!(
        s.annotations.as_ref().unwrap().source().contains("1.ii"),
        "{}",
        s.annotations.as_ref().unwrap().source()
    );
}

#[test]
fn a_record_whose_leads_have_no_viewpoint_says_why_no_view_is_synthesized() {
    let dir = tempfile::tempdir().unwrap();
    // QTDB sel34 names its two Holter channels ECG1 and ECG2.
    let rec = common::data_dir().join("qtdb/sel34");
    let mut h = harness(app(Some(rec), View::Panorama, dir.path()));
    settle(&mut h);
    let s = &h.state().state;
    assert!(s.inputs.is_empty() && !s.cycles().is_empty());
    h.get_by_label_contains("(ECG1, ECG2) has a known viewpoint");
    assert!(
        h.query_by_label("Choose at least one input lead.")
            .is_none()
    );
    // The grid of views says the same instead of showing empty cells.
    h.state_mut().state.view = View::Grid;
    settle(&mut h);
    h.get_by_label("θ × φ grid (4 × 6)");
    h.get_by_label_contains("(ECG1, ECG2) has a known viewpoint");
}
