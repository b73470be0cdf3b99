//! The heart-vector loop on real records: `eval-vcg` on PTB's s0010_re against its recorded
//! Frank leads, and the frontal QRS axis against the limb-lead axis on an LUDB record whose
//! cardiologist called the axis normal.

mod common;

use ecg_panorama::geometry::STANDARD_12;
use ecg_panorama::panorama::{CycleInput, record_cycles};
use ecg_panorama::record::open_record;
use ecg_panorama::vcg::{HeartLoop, Part, Source};
use serde_json::Value;
use std::process::Command;

fn eval_vcg(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_ecg-panorama"))
        .arg("eval-vcg")
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn kors_loop_of_s0010_agrees_with_the_recorded_frank_loop() {
    let path = common::data_dir().join("wfdb-samples/s0010_re");
    let out = eval_vcg(&[path.to_str().unwrap(), "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        r["standard_source"].as_str().unwrap().starts_with("Kors"),
        "{r}"
    );
    assert!(r["cycles"].as_u64().unwrap() >= 40, "{}", r["cycles"]);
    let m = &r["medians"];
    let f = |v: &Value| v.as_f64().unwrap();
    // Measured: 42° between the mean QRS vectors (35–54° per cycle; Kors's estimate of
    // Frank's Z puts the short mean QRS vector in front of the heart, the recording behind),
    // 16° between the mean T vectors, frontal QRS axes −130° and −129°.
    assert!(f(&m["qrs_vector_angle_deg"]) < 50.0, "{m}");
    assert!(f(&m["t_vector_angle_deg"]) < 25.0, "{m}");
    let (s, k) = (
        f(&m["qrs_axis_deg"]["standard"]),
        f(&m["qrs_axis_deg"]["frank"]),
    );
    assert!((s - k).abs() < 5.0, "frontal QRS axes {s} and {k}");
    // Every cycle's frontal QRS axes within 10° of each other (measured: −8…+3°).
    for c in r["per_cycle"].as_array().unwrap() {
        let d = f(&c["qrs_axis_deg"]["standard"]) - f(&c["qrs_axis_deg"]["frank"]);
        assert!(d.abs() < 10.0, "{c}");
    }
    let table = eval_vcg(&[path.to_str().unwrap()]);
    let text = String::from_utf8(table.stdout).unwrap();
    assert!(
        text.contains("3-D angle between the mean QRS vectors"),
        "{text}"
    );
    assert!(text.contains("frontal QRS axis"), "{text}");
}

#[test]
fn a_record_without_frank_leads_is_told_so() {
    let path = common::data_dir().join("ludb/data/1");
    let out = eval_vcg(&[path.to_str().unwrap()]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no Frank lead vx"), "{err}");
}

/// Median over the cycles of `record` of (the loop's frontal QRS axis, the limb-lead axis
/// from the mean QRS deflection of I and aVF), degrees.
fn axes(record: &str) -> (f64, f64) {
    let path = common::data_dir().join("ludb/data").join(record);
    let rec = open_record(&path).unwrap();
    let mut loop_axes = Vec::new();
    let mut limb_axes = Vec::new();
    for b in record_cycles(&rec, Some(&path)).unwrap() {
        let cycle = CycleInput::from_record(&rec, &STANDARD_12, b).unwrap();
        let l = HeartLoop::from_cycle(&cycle).unwrap();
        assert_eq!(l.source, Source::Kors);
        loop_axes.push(l.measures().qrs_axis_deg.unwrap());
        let mean = |name: &str| {
            let x = &cycle.leads.iter().find(|(n, _)| n == name).unwrap().1;
            let r = l.range(Part::Qrs);
            x[r.clone()].iter().sum::<f64>() / r.count() as f64
        };
        limb_axes.push(mean("aVF").atan2(mean("I")).to_degrees());
    }
    let med = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    (med(loop_axes), med(limb_axes))
}

#[test]
fn the_frontal_qrs_axis_reads_as_the_limb_leads_do() {
    // LUDB 119: sinus rhythm, "electric axis of the heart: normal". Measured: loop 34.5°,
    // limb leads (mean QRS deflection of I and aVF) 36.0°.
    let (axis, limb) = axes("119");
    assert!((-30.0..=90.0).contains(&axis), "{axis}");
    assert!(
        (axis - limb).abs() < 10.0,
        "loop {axis}°, limb leads {limb}°"
    );
}
