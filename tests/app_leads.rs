//! Per-lead boundaries in the desktop app, headless: pick a lead in the annotator's bar, edit
//! its boundaries with the keys, undo, edit the lead under the cursor, get the edits back
//! from the recovery file, save the lead files.

mod common;
mod harness;

use ecg_panorama::app::export_dialog::What;
use ecg_panorama::app::{App, BoundaryMode, View};
use ecg_panorama::delineate::edit::{AnnotationDoc, BoundaryKind, Mark, Target};
use eframe::egui;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use harness::{app, harness, settle};

/// Points between the paper's left edge and its signal area (the label column).
const LABEL_W: f32 = 56.0;
/// Height of one lead's strip at the default zoom (20 mm at 4 points per mm).
const ROW_H: f32 = 80.0;

/// The marks of the document `target` names.
fn marks(h: &Harness<'static, App>, target: &Target) -> Vec<Mark> {
    let a = h.state().state.annotations.as_ref().unwrap();
    a.doc_for(target).unwrap().marks().to_vec()
}

fn lead(name: &str) -> Target {
    Target::Lead(name.into())
}

/// Point 1 s into the record on the strip of row `row` (I, II, III, aVR, aVL, aVF, V1, …);
/// returns the sample under the pointer.
fn point_at_row(h: &mut Harness<'static, App>, row: usize) -> usize {
    let paper = h.get_by_label("ECG paper").rect();
    let pos = egui::pos2(
        paper.left() + LABEL_W + 100.0,
        paper.top() + ROW_H * (row as f32 + 0.5),
    );
    h.hover_at(pos);
    h.step();
    h.state().state.cursor.expect("a cursor over the paper")
}

#[test]
fn a_picked_lead_and_the_lead_under_the_cursor_are_edited_on_their_own() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let rec = common::data_dir().join("ludb/data/1");
    let mut h = harness(app(Some(rec.clone()), View::Annotate, &data));
    settle(&mut h);
    let leads = h
        .state()
        .state
        .annotations
        .as_ref()
        .unwrap()
        .leads
        .leads()
        .len();
    assert_eq!(leads, 12, "LUDB record 1 has a boundary file per lead");
    let cycles = marks(&h, &Target::Cycles);
    let (v1, v2, v3) = (
        marks(&h, &lead("V1")),
        marks(&h, &lead("V2")),
        marks(&h, &lead("V3")),
    );
    assert_ne!(v1, cycles, "V1's own boundaries are not lead II's");

    // Pick lead V1 in the bar's combo box.
    h.get_by_label("Boundaries").click();
    h.run_steps(2);
    h.get_by_label("Lead V1").click();
    h.run_steps(2);
    assert_eq!(h.state().state.boundaries, BoundaryMode::Lead("V1".into()));
    // Key 1 over the V3 strip still edits the picked lead.
    let at = point_at_row(&mut h, 8);
    h.key_press(egui::Key::Num1);
    h.step();
    let edited = marks(&h, &lead("V1"));
    assert!(
        edited.contains(&Mark::new(BoundaryKind::POn, at)),
        "P on at {at}"
    );
    assert_eq!(
        marks(&h, &Target::Cycles),
        cycles,
        "the cycles stay as they were"
    );
    assert_eq!(marks(&h, &lead("V3")), v3);
    assert!(h.state().state.dirty());
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Z);
    h.step();
    assert_eq!(marks(&h, &lead("V1")), v1, "undo on V1");
    h.key_press_modifiers(
        egui::Modifiers::COMMAND | egui::Modifiers::SHIFT,
        egui::Key::Z,
    );
    h.step();
    assert_eq!(marks(&h, &lead("V1")), edited, "redo on V1");

    // Under the cursor: the strip the pointer is over.
    h.state_mut().state.boundaries = BoundaryMode::UnderCursor;
    let at = point_at_row(&mut h, 8);
    assert_eq!(h.state().state.edit_target(), Some(lead("V3")));
    h.key_press(egui::Key::Num3);
    h.step();
    let v3_edited = marks(&h, &lead("V3"));
    assert!(v3_edited.contains(&Mark::new(BoundaryKind::QrsOn, at)));
    assert_eq!(marks(&h, &lead("V1")), edited);
    assert_eq!(marks(&h, &lead("V2")), v2);
    assert_eq!(marks(&h, &Target::Cycles), cycles);

    // Killed now, the next open gets both lead edits back, and the cycles unedited.
    settle(&mut h);
    let mut again = harness(app(Some(rec), View::Annotate, &data));
    settle(&mut again);
    assert_eq!(marks(&again, &lead("V1")), edited);
    assert_eq!(marks(&again, &lead("V3")), v3_edited);
    let a = again.state().state.annotations.as_ref().unwrap();
    assert!(a.is_dirty() && !a.doc.is_dirty());

    // Saving elsewhere writes the record-level files and every lead's.
    let out = dir.path().join("out");
    h.state_mut().save_annotations(&out, false).unwrap();
    h.state_mut().wait_idle();
    assert!(!h.state().state.dirty());
    let record = h.state().state.record.clone().unwrap();
    let saved = AnnotationDoc::from_wave_file(&out.join("1.v1"), record.len(), record.fs).unwrap();
    assert_eq!(saved.marks(), edited.as_slice());
    assert!(out.join("1.ii").is_file() && out.join("1.json").is_file());
    assert_eq!(std::fs::read_dir(&out).unwrap().count(), 13);
}

#[test]
fn the_record_figure_shows_each_strips_own_bands_in_the_per_lead_modes() {
    let dir = tempfile::tempdir().unwrap();
    let rec = common::data_dir().join("ludb/data/1");
    let mut h = harness(app(Some(rec), View::Annotate, &dir.path().join("data")));
    settle(&mut h);
    let starts = |h: &Harness<'static, App>, lead: &str| -> Vec<String> {
        let (fig, _) = h.state().export_content(What::Record).unwrap();
        let panel = fig.panels.iter().find(|p| p.label == lead).unwrap();
        panel
            .bands
            .iter()
            .map(|b| format!("{} {:.3}", b.label, b.start_s))
            .collect()
    };
    let (ii, v1) = (starts(&h, "II"), starts(&h, "V1"));
    assert!(!ii.is_empty());
    assert_eq!(ii, v1, "the cycles' bands on every strip");
    h.state_mut().state.boundaries = BoundaryMode::UnderCursor;
    let (ii, v1) = (starts(&h, "II"), starts(&h, "V1"));
    assert!(!v1.is_empty());
    assert_ne!(ii, v1, "V1's own boundaries are not lead II's");
}
