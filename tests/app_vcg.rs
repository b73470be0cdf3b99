//! The heart-vector view driven headless (egui_kittest): the demo's loop and its measures on
//! screen, the viewpoint axis following the viewpoint, the loop turning with the sphere, and a
//! plain reason on a record with too few leads.

mod common;
mod harness;

use ecg_panorama::app::View;
use ecg_panorama::app::vcg_view::{self, measure_rows};
use ecg_panorama::geometry::Viewpoint;
use ecg_panorama::vcg::Source;
use eframe::egui;
use egui_kittest::kittest::Queryable;
use harness::{app, harness, settle};

#[test]
fn the_loop_view_shows_the_measures_and_its_axis_follows_the_viewpoint() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(app(None, View::HeartVector, dir.path()));
    settle(&mut h);
    // The loop comes from the panorama's inputs: the dipole fit to three of them…
    let inputs = h.state().state.inputs.clone();
    let pane = h.state().heart_vector();
    let computed = pane.result.clone().unwrap().unwrap();
    assert_eq!(computed.heart_loop.source, Source::Dipole(inputs));
    // …and Kors's regression once I, II, V1–V6 are the inputs.
    h.state_mut().state.inputs = ["I", "II", "V1", "V2", "V3", "V4", "V5", "V6"]
        .map(String::from)
        .to_vec();
    settle(&mut h);
    let pane = h.state().heart_vector();
    let computed = pane.result.clone().unwrap().unwrap();
    assert_eq!(computed.heart_loop.source, Source::Kors);
    let m = computed.measures;
    // The demo heart is a normal one: a normal frontal QRS axis and a T wave.
    let axis = m.qrs_axis_deg.unwrap();
    assert!((-30.0..=90.0).contains(&axis), "{axis}");
    assert!(m.qrs_t_angle_deg.is_some() && m.qrs_loop_area.unwrap() > 0.0);
    for (label, value) in measure_rows(&computed) {
        h.get_by_label(label);
        assert!(value_shown(&h, &value), "{value}");
    }
    h.get_by_label(vcg_view::LABEL);
    assert!(value_shown(&h, &format!("{axis:.0}°")));

    // Another viewpoint: the axis end moves on screen, its origin stays.
    let [origin, before] = h.state().heart_vector().axis.unwrap();
    h.state_mut().state.viewpoint = Viewpoint::from_degrees(90.0, 0.0);
    h.run_steps(2);
    let [origin2, after] = h.state().heart_vector().axis.unwrap();
    assert_eq!(origin, origin2);
    assert!(before.distance(after) > 30.0, "{before:?} -> {after:?}");
    // Looking from the front with the sphere unturned, the axis points straight at the viewer.
    h.state_mut().state.rotation = glam::Quat::IDENTITY;
    h.run_steps(2);
    let [o, end] = h.state().heart_vector().axis.unwrap();
    assert!(o.distance(end) < 1.0, "{o:?} {end:?}");

    // Dragging the loop turns the sphere, and the axis with it.
    let rect = h.get_by_label(vcg_view::LABEL).rect();
    let start = rect.left_top() + egui::vec2(20.0, 20.0);
    h.drag_at(start);
    h.step();
    h.hover_at(start + egui::vec2(60.0, 0.0));
    h.step();
    h.drop_at(start + egui::vec2(60.0, 0.0));
    h.run_steps(2);
    assert_ne!(h.state().state.rotation, glam::Quat::IDENTITY);
    let [o, end] = h.state().heart_vector().axis.unwrap();
    assert!(
        o.distance(end) > 10.0,
        "the axis did not turn with the sphere"
    );
}

fn value_shown(h: &egui_kittest::Harness<'static, ecg_panorama::app::App>, text: &str) -> bool {
    h.query_all_by_label(text).next().is_some()
}

#[test]
fn the_next_cycle_gets_its_own_loop() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(app(None, View::HeartVector, dir.path()));
    settle(&mut h);
    let first = h.state().heart_vector().result.clone().unwrap().unwrap();
    h.state_mut().state.cycle = 3;
    h.run_steps(1);
    settle(&mut h);
    let fourth = h.state().heart_vector().result.clone().unwrap().unwrap();
    let cycles = h.state().state.cycles();
    assert_eq!(fourth.heart_loop.vectors.len(), cycles[3].samples());
    assert_ne!(first.heart_loop.vectors, fourth.heart_loop.vectors);
}

#[test]
fn a_record_with_too_few_leads_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let record = common::data_dir().join("wfdb-samples/100");
    let mut h = harness(app(Some(record), View::HeartVector, dir.path()));
    settle(&mut h);
    let err = h
        .state()
        .heart_vector()
        .result
        .clone()
        .unwrap()
        .unwrap_err();
    assert!(
        err.contains("needs I, II, V1–V6 or three non-coplanar leads"),
        "{err}"
    );
    h.get_by_label_contains("three non-coplanar leads");
}
