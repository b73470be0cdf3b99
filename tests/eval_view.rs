//! `eval-view` as a user runs it on PTB's s0010_re: every Frank lead scored by default with
//! every engine and Kors's regression, Kors left out with its reason when its leads are not
//! inputs, and a clear error on a record without Frank leads.

mod common;

use serde_json::Value;
use std::process::{Command, Output};

fn eval_view(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ecg-panorama"))
        .arg("eval-view")
        .args(args)
        .output()
        .unwrap()
}

fn s0010() -> String {
    common::data_dir()
        .join("wfdb-samples/s0010_re")
        .display()
        .to_string()
}

fn json(args: &[&str]) -> Value {
    let mut all = args.to_vec();
    all.push("--json");
    let out = eval_view(&all);
    assert!(
        out.status.success(),
        "{all:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The row of `target` and `method`.
fn row<'a>(report: &'a Value, target: &str, method: &str) -> &'a Value {
    report["scores"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["target"] == target && r["method"] == method)
        .unwrap_or_else(|| panic!("no row {target} / {method} in {report}"))
}

#[test]
fn every_frank_lead_is_scored_with_every_engine_and_kors() {
    let report = json(&[&s0010()]);
    assert_eq!(report["targets"], serde_json::json!(["vx", "vy", "vz"]));
    let cycles = report["cycles"].as_u64().unwrap();
    assert!(cycles >= 30, "{cycles} cycles");
    assert_eq!(report["scores"].as_array().unwrap().len(), 3 * 3);
    for target in ["vx", "vy", "vz"] {
        for method in ["nefnet", "dipole", "kors"] {
            let r = row(&report, target, method);
            assert_eq!(r["cycles"].as_u64(), Some(cycles), "{r}");
            for key in ["psnr_db", "correlation", "rmse_uv"] {
                assert!(r[key].as_f64().unwrap().is_finite(), "{r}");
            }
        }
    }
    // Kors's matrix was fitted on Frank's leads: on the posterior vz, which no input records,
    // it clearly beats the single dipole (about 0.73 against 0.56 here).
    let (kors, dipole) = (row(&report, "vz", "kors"), row(&report, "vz", "dipole"));
    let r = |v: &Value| v["correlation"].as_f64().unwrap();
    let rmse = |v: &Value| v["rmse_uv"].as_f64().unwrap();
    assert!(r(kors) > r(dipole) + 0.1, "kors {kors}, dipole {dipole}");
    assert!(r(kors) > 0.65, "{kors}");
    assert!(rmse(kors) < rmse(dipole), "kors {kors}, dipole {dipole}");
    // vx and vy share I's and aVF's viewpoints: the engines return those inputs, and say so.
    let notes = report["notes"].to_string();
    assert!(
        notes.contains("vx looks from lead I's") && notes.contains("vy looks from lead aVF's"),
        "{notes}"
    );
}

#[test]
fn named_targets_only_and_kors_left_out_without_its_leads() {
    let report = json(&[&s0010(), "--inputs", "I,II,V2,V5", "--target", "vz,V1"]);
    let scores = report["scores"].as_array().unwrap();
    let cells: Vec<(&str, &str)> = scores
        .iter()
        .map(|r| (r["target"].as_str().unwrap(), r["method"].as_str().unwrap()))
        .collect();
    assert_eq!(
        cells,
        [
            ("vz", "nefnet"),
            ("vz", "dipole"),
            ("V1", "nefnet"),
            ("V1", "dipole")
        ]
    );
    let skipped = &report["skipped"][0];
    assert_eq!(skipped["method"], "kors");
    assert!(
        skipped["reason"]
            .as_str()
            .unwrap()
            .contains("V1, V3, V4, V6"),
        "{skipped}"
    );

    let out = eval_view(&[&s0010(), "--inputs", "I,II,V2,V5", "--target", "vz"]);
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(
        table
            .lines()
            .any(|l| l.starts_with("vz") && l.contains("kors") && l.contains('—')),
        "{table}"
    );
    assert!(table.contains("kors: Kors's matrix reads"), "{table}");
}

#[test]
fn a_record_without_frank_leads_and_no_target_names_its_leads() {
    for (record, has) in [
        (
            "ludb/data/1",
            "it has I, II, III, aVR, aVL, aVF, V1, V2, V3, V4, V5, V6",
        ),
        ("wfdb-samples/100", "it has II (MLII), V5"),
    ] {
        let out = eval_view(&[&common::data_dir().join(record).display().to_string()]);
        assert!(!out.status.success());
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(
            err.contains("no Frank lead (vx, vy, vz)")
                && err.contains(has)
                && err.contains("--target"),
            "{err}"
        );
        assert_eq!(err.trim().lines().count(), 1, "{err}");
    }
}
