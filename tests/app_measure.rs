//! The measurements table beside the record, driven headless: it lists the cycles of a LUDB
//! record, a click on a row goes to its cycle, and editing a boundary updates the row.

mod common;
mod harness;

use ecg_panorama::app::{App, View};
use eframe::egui;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use harness::{app, harness, settle};

fn qrs_ms(h: &Harness<'static, App>, row: usize) -> f64 {
    let m = h
        .state()
        .state
        .measures
        .measures
        .as_ref()
        .expect("measurements");
    m.cycles[row].qrs_ms.expect("a QRS duration")
}

#[test]
fn the_table_follows_clicks_and_boundary_edits() {
    let dir = tempfile::tempdir().unwrap();
    let rec = common::data_dir().join("ludb/data/1");
    let mut h = harness(app(Some(rec), View::Annotate, dir.path()));
    settle(&mut h);
    h.get_by_label("Cycle measurements");
    let rows = h
        .state()
        .state
        .measures
        .measures
        .as_ref()
        .unwrap()
        .cycles
        .len();
    assert!(rows >= 5, "{rows} rows");
    assert_eq!(h.query_all_by_label_contains("#").count(), rows);
    let computed = h.state().state.measures.computed;
    h.run_steps(5);
    assert_eq!(
        h.state().state.measures.computed,
        computed,
        "not recomputed per frame"
    );
    // Row 4 lies in another cycle than the first: the click moves the current cycle there.
    assert_eq!(h.state().state.cycle, 0);
    h.get_by_label("#4").click();
    h.run_steps(2);
    let s = &h.state().state;
    let qrs_on = s.measures.measures.as_ref().unwrap().cycles[3].qrs_on;
    let cycle = s.cycles()[s.cycle];
    assert!(s.cycle > 0 && cycle.p_on() <= qrs_on && qrs_on < cycle.next_p_on());
    assert!(s.paper.t0 > 0.0, "the paper scrolled to the cycle");
    // Key 4 with the cursor 12 ms after this beat's QRS offset moves the offset there.
    let before = qrs_ms(&h, 3);
    let fs = s.record.as_ref().unwrap().fs;
    let qrs_off = cycle.qrs_off();
    let paper = h.get_by_label("ECG paper").rect();
    let x = |sample: usize| {
        let t0 = h.state().state.paper.t0;
        paper.left() + 56.0 + ((sample as f64 / fs - t0) * 100.0) as f32
    };
    let pos = egui::pos2(x(qrs_off + 6), paper.top() + 40.0);
    h.hover_at(pos);
    h.step();
    assert_eq!(h.state().state.cursor, Some(qrs_off + 6));
    h.key_press(egui::Key::Num4);
    h.run_steps(2);
    let after = qrs_ms(&h, 3);
    assert!((after - before - 12.0).abs() < 1e-9, "{before} -> {after}");
    assert_eq!(h.state().state.measures.computed, computed + 1);
    let shown =
        |h: &Harness<'static, App>, v: f64| h.query_all_by_label(&format!("{v:.0}")).count();
    assert!(shown(&h, after) > 0, "the table shows the new duration");
}
