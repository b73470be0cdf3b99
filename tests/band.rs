//! The confidence band of synthesized views: what the shipped model's band looks like on
//! held-out LUDB cycles, that a fitted band holds the share of errors it promises, the band
//! written by `synth --band`, and the band in the app.

mod common;
mod harness;

use ecg_panorama::app::View;
use ecg_panorama::app::synth::Purpose;
use ecg_panorama::eval::panorama::ludb_cycles;
use ecg_panorama::geometry::{Viewpoint, lead_view, normalise_lead_name};
use ecg_panorama::model::band::{LEVELS, phases};
use ecg_panorama::model::data::training_cycles;
use ecg_panorama::panorama::{
    CycleInput, Engine, EngineKind, ExactLeads, NefNetEngine, engine_for, fit_band,
};
use egui_kittest::kittest::Queryable;
use harness::{app, harness, settle};
use std::process::Command;

fn view(name: &str) -> Viewpoint {
    lead_view(&normalise_lead_name(name), false)
        .unwrap()
        .viewpoint
}

fn ludb_dir() -> std::path::PathBuf {
    common::data_dir().join("ludb/data")
}

#[test]
fn the_shipped_band_widens_with_the_level_away_from_the_inputs_and_in_the_qrs() {
    let engine = engine_for(EngineKind::NefNet, None).unwrap();
    // Test records of the LUDB split: never used to fit anything.
    let cycles = ludb_cycles(&ludb_dir(), &["4".into(), "12".into()]).unwrap();
    let c = &cycles[1];
    let input = CycleInput {
        fs: 500.0,
        leads: vec![("II".into(), c.lead("II").unwrap().to_vec())],
        boundaries: c.bounds,
    };
    let field = engine.encode(&input).unwrap();
    let views = [view("II"), view("aVF"), view("V1")];
    let mean = |x: &[f64]| x.iter().sum::<f64>() / x.len() as f64;
    let widths: Vec<Vec<Vec<f64>>> = [0.5, 0.8, 0.95]
        .iter()
        .map(|&l| engine.band(&field, &views, l).unwrap().expect("a band"))
        .collect();
    // The input's own view is the input: no width.
    assert!(widths[1][0].iter().all(|&w| w == 0.0));
    // aVF is 30° from II, V1 across the chest.
    assert!(mean(&widths[1][1]) < mean(&widths[1][2]));
    for pair in widths.windows(2) {
        for (lower, higher) in pair[0].iter().zip(&pair[1]).skip(1) {
            assert!(mean(lower) < mean(higher));
        }
    }
    let ph = phases(&c.bounds, c.samples());
    let in_part = |part: usize| -> f64 {
        let w: Vec<f64> = (0..c.samples())
            .filter(|&t| ph[t] / 3 == part)
            .map(|t| widths[1][2][t])
            .collect();
        mean(&w)
    };
    assert!(
        in_part(5) < in_part(2),
        "TP {} QRS {}",
        in_part(5),
        in_part(2)
    );
    assert!(engine.band(&field, &views, 1.2).is_err());
    // The dipole engine has no calibrated band.
    let dipole = engine_for(EngineKind::Dipole, None).unwrap();
    let three = CycleInput {
        leads: ["II", "V2", "V5"]
            .iter()
            .map(|n| (n.to_string(), c.lead(n).unwrap().to_vec()))
            .collect(),
        ..input
    };
    let f = dipole.encode(&three).unwrap();
    assert!(dipole.band(&f, &views, 0.8).unwrap().is_none());
}

#[test]
fn a_fitted_band_holds_the_share_of_errors_it_promises() {
    let engine = ExactLeads(NefNetEngine::load_default().unwrap());
    let names: Vec<String> = ["1", "2", "3", "6", "7", "8"].map(String::from).to_vec();
    let cycles = training_cycles(&ludb_dir(), &names).unwrap();
    let cycles: Vec<_> = cycles.into_iter().step_by(4).collect();
    let (band, fit) = fit_band(&engine, &cycles, 3, &mut |_| {}).unwrap();
    assert!(fit.views > 1000, "{fit:?}");
    // On the cycles it was fitted on, with the inputs it was fitted with, each level holds
    // close to its share (cells are pooled, so not exactly).
    let set = ["II"];
    for level in [0.5, 0.8, 0.95] {
        let (mut inside, mut total) = (0usize, 0usize);
        for c in &cycles {
            let input = CycleInput {
                fs: 500.0,
                leads: set
                    .iter()
                    .map(|n| {
                        let k = ecg_panorama::geometry::STANDARD_12
                            .iter()
                            .position(|m| m == n)
                            .unwrap();
                        (
                            n.to_string(),
                            c.leads[k].iter().map(|&v| f64::from(v)).collect(),
                        )
                    })
                    .collect(),
                boundaries: c.bounds,
            };
            let field = engine.encode(&input).unwrap();
            let targets = [view("V1"), view("V3"), view("V6"), view("aVL")];
            let slots = [6, 8, 11, 4];
            let y = engine.render(&field, &targets).unwrap();
            let h = ecg_panorama::panorama::field_band(&band, &field, &targets, level).unwrap();
            for ((k, y), h) in slots.iter().zip(&y).zip(&h) {
                for t in 0..c.len {
                    inside += usize::from((f64::from(c.leads[*k][t]) - y[t]).abs() <= h[t]);
                    total += 1;
                }
            }
        }
        let share = inside as f64 / total as f64;
        assert!(
            (share - level).abs() < 0.08,
            "level {level}: {:.1} % inside",
            100.0 * share
        );
    }
    assert_eq!(band.values().len() % LEVELS.len(), 0);
}

#[test]
fn synth_writes_the_band_beside_each_view() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("band.csv");
    let run = Command::new(env!("CARGO_BIN_EXE_ecg-panorama"))
        .args(["synth", ludb_dir().join("4").to_str().unwrap()])
        .args([
            "--inputs", "II", "--view", "V1", "--view", "II", "--band", "0.8",
        ])
        .args(["--cycle", "1", "--out", out.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let text = std::fs::read_to_string(&out).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next().unwrap(),
        "time_s,V1,V1_lower,V1_upper,II,II_lower,II_upper"
    );
    let rows: Vec<Vec<f64>> = lines
        .filter(|l| !l.ends_with(','))
        .map(|l| l.split(',').map(|v| v.parse().unwrap()).collect())
        .collect();
    assert!(rows.len() > 100);
    let wider = rows.iter().filter(|r| r[2] < r[1] && r[1] < r[3]).count();
    assert!(wider > rows.len() * 9 / 10, "{wider} of {}", rows.len());
    assert!(
        rows.iter().all(|r| r[5] == r[4] && r[6] == r[4]),
        "II is the input"
    );
    for (level, why) in [("1.5", "between 0.5 and 0.99"), ("x", "invalid")] {
        let bad = Command::new(env!("CARGO_BIN_EXE_ecg-panorama"))
            .args(["synth", ludb_dir().join("4").to_str().unwrap()])
            .args(["--inputs", "II", "--view", "V1", "--band", level])
            .args(["--out", out.to_str().unwrap()])
            .output()
            .unwrap();
        assert!(!bad.status.success());
        let err = String::from_utf8_lossy(&bad.stderr);
        assert!(err.contains(why), "{err}");
    }
}

#[test]
fn the_app_draws_the_band_and_lets_the_user_turn_it_off() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(Some(ludb_dir().join("4")), View::Panorama, dir.path());
    a.state.engine = EngineKind::NefNet;
    a.state.inputs = vec!["II".into()];
    a.state.viewpoint = view("V1");
    let mut h = harness(a);
    settle(&mut h);
    let out = h
        .state()
        .output(Purpose::Panorama)
        .expect("a synthesized cycle");
    assert_eq!(out.band, Some(0.8), "{:?}", out.error);
    let seg = &out.segments[0];
    let widths = &seg.bands.as_ref().expect("bands")[0];
    assert_eq!(widths.len(), seg.signals[0].len());
    assert!(widths.iter().any(|&w| w > 0.0));
    h.get_by_label("Confidence band").click();
    settle(&mut h);
    assert_eq!(h.state().state.band, None);
    let out = h.state().output(Purpose::Panorama).unwrap();
    assert!(out.band.is_none() && out.segments[0].bands.is_none());
    // On the dipole engine the band is asked for but there is none: the app says so.
    h.get_by_label("Confidence band").click();
    h.state_mut().state.engine = EngineKind::Dipole;
    h.state_mut().state.inputs = vec!["II".into(), "V2".into(), "V5".into()];
    settle(&mut h);
    h.get_by_label("The Dipole engine has no calibrated band.");
}
