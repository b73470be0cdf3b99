//! A record with a stretch of missing samples in the desktop app, headless: pointing at the
//! gap names it in the record's time, and a synthesized view over it says why it is not drawn
//! instead of drawing the gap as signal.

mod common;
mod harness;

use ecg_panorama::app::{App, View};
use ecg_panorama::record::csv_io::write_csv;
use ecg_panorama::record::open_record;
use eframe::egui;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use harness::{app, harness, settle};
use std::path::{Path, PathBuf};

/// LUDB record 1 as CSV with lead V3 off from 4.0 to 4.4 s (samples 2000..2200 at 500 Hz).
fn record_with_gap(dir: &Path) -> PathBuf {
    let mut record = open_record(&common::data_dir().join("ludb/data/1")).unwrap();
    let v3 = record
        .leads
        .iter_mut()
        .find(|l| l.name.eq_ignore_ascii_case("v3"))
        .unwrap();
    v3.samples[2000..2200].fill(f64::NAN);
    let path = dir.join("gap.csv");
    write_csv(&record, &mut std::fs::File::create(&path).unwrap()).unwrap();
    path
}

fn open(dir: &Path, measurements: bool) -> Harness<'static, App> {
    let mut h = harness(app(Some(record_with_gap(dir)), View::Annotate, dir));
    h.state_mut().state.measurements = measurements;
    settle(&mut h);
    h
}

#[test]
fn pointing_at_a_gap_names_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = open(dir.path(), false);
    let s = &h.state().state;
    let row = s
        .display
        .as_ref()
        .unwrap()
        .leads
        .iter()
        .position(|l| l.name.eq_ignore_ascii_case("v3"))
        .unwrap();
    let fs = s.record.as_ref().unwrap().fs;
    let (t0, ppm) = (s.paper.t0, s.paper.px_per_mm);
    let paper = h.get_by_label("ECG paper").rect();
    // The label column is 56 points wide, a row 20 mm high, time at 25 mm/s.
    let x = |sample: usize| paper.left() + 56.0 + ((sample as f64 / fs - t0) as f32) * 25.0 * ppm;
    let y = paper.top() + 20.0 * ppm * (row as f32 + 0.5);
    // Tooltips show at once instead of after egui's rest delay.
    h.ctx.all_styles_mut(|s| s.interaction.tooltip_delay = 0.0);
    h.hover_at(egui::pos2(x(2100), y));
    h.run_steps(3);
    h.get_by_label_contains("No samples in V3 from 4.00 to 4.40 s");
    // A lead that recorded there shows no such words.
    h.hover_at(egui::pos2(x(2100), y - 20.0 * ppm));
    h.run_steps(3);
    assert!(h.query_by_label_contains("No samples in").is_none());
}

#[test]
fn a_view_synthesized_from_a_lead_with_a_gap_says_why_it_is_missing() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = open(dir.path(), false);
    let cycles = h.state().state.cycles();
    let over = cycles
        .iter()
        .position(|c| c.p_on() < 2200 && 2000 < c.next_p_on())
        .expect("a cycle over the gap");
    let clear = cycles
        .iter()
        .position(|c| c.next_p_on() < 2000 || c.p_on() >= 2200)
        .expect("a cycle away from the gap");
    let s = &mut h.state_mut().state;
    s.inputs = vec!["II".into(), "V3".into()];
    s.view = View::Panorama;
    s.cycle = over;
    settle(&mut h);
    h.get_by_label_contains("lead V3 has no samples from 4.00 s");
    h.state_mut().state.cycle = clear;
    settle(&mut h);
    assert!(
        h.query_by_label_contains("has no samples").is_none(),
        "another cycle is drawn as usual"
    );
}

#[test]
fn the_measurements_table_names_the_lead_without_samples_in_a_cycle() {
    let dir = tempfile::tempdir().unwrap();
    let h = open(dir.path(), true);
    let s = &h.state().state;
    let rows = &s.measures.measures.as_ref().expect("measurements").cycles;
    let cycles = s.cycles();
    let over = |qrs_on: usize| {
        cycles
            .iter()
            .find(|c| c.p_on() <= qrs_on && qrs_on < c.next_p_on())
            .is_some_and(|c| c.p_on() < 2200 && 2000 <= c.next_p_on())
    };
    let noted: Vec<bool> = s.measures.notes.iter().map(|n| !n.is_empty()).collect();
    let want: Vec<bool> = rows.iter().map(|c| over(c.qrs_on)).collect();
    assert_eq!(noted, want, "rows noted against rows over the gap");
    assert!(want.contains(&true), "some row lies over the gap");
    let shown = h.query_all_by_label("no samples: V3").count();
    assert_eq!(shown, want.iter().filter(|&&w| w).count());
}
