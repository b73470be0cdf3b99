//! The heart-vector loop on real records: `eval-vcg` on PTB's s0010_re against its recorded
//! Frank leads.

mod common;

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
    // Measured: 43° between the mean QRS vectors (35–54° per cycle; Kors's estimate of
    // Frank's Z puts the short mean QRS vector in front of the heart, the recording behind),
    // 34° between the mean T vectors over the whole T wave (16° when the annotator ended the
    // T wave at its peak), frontal QRS axes −130° and −129°.
    assert!(f(&m["qrs_vector_angle_deg"]) < 50.0, "{m}");
    assert!(f(&m["t_vector_angle_deg"]) < 40.0, "{m}");
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
