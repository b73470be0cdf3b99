//! `measure` and `eval-measure` as a user runs them: CSV and JSON of a LUDB record, a bad
//! record failing cleanly without an output file, and small evaluations on LUDB and QTDB.

mod common;

use common::eval_cli::split_file;
use common::run;
use serde_json::Value;
use std::process::{Command, Output};

fn cli(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ecg-panorama"))
        .args(args)
        .output()
        .unwrap()
}

fn qtdb(name: &str) -> String {
    common::data_dir()
        .join("qtdb")
        .join(name)
        .display()
        .to_string()
}

fn ludb(name: &str) -> String {
    common::data_dir()
        .join("ludb/data")
        .join(name)
        .display()
        .to_string()
}

#[test]
fn a_ludb_record_gives_one_csv_row_per_cycle_and_summary_rows() {
    let text = run(&["measure", &ludb("4")]);
    let rows: Vec<Vec<&str>> = text.lines().map(|l| l.split(',').collect()).collect();
    let header = &rows[0];
    assert_eq!(
        &header[..13],
        [
            "cycle",
            "qrs_on_s",
            "rr_ms",
            "hr_bpm",
            "p_ms",
            "pr_ms",
            "qrs_ms",
            "qt_ms",
            "qtc_bazett_ms",
            "qtc_fridericia_ms",
            "axis_deg",
            "axis_category",
            "rhythm"
        ]
    );
    assert_eq!(header.len(), 13 + 12, "one ST column per lead");
    assert!(header.contains(&"st_V2_mv"), "{header:?}");
    assert!(rows.iter().all(|r| r.len() == header.len()));
    let names: Vec<&str> = rows[rows.len() - 3..].iter().map(|r| r[0]).collect();
    assert_eq!(names, ["median", "min", "max"]);
    let cycles = &rows[1..rows.len() - 3];
    assert!(cycles.len() >= 5, "{} cycles", cycles.len());
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    for r in cycles {
        for (c, lo, hi) in [("qrs_ms", 40.0, 200.0), ("hr_bpm", 30.0, 200.0)] {
            let cell = r[col(c)];
            if !cell.is_empty() {
                let v: f64 = cell.parse().unwrap();
                assert!((lo..hi).contains(&v), "{c} {v}");
            }
        }
        for cell in &r[2..10] {
            assert_ne!(*cell, "0.0", "an unmeasured value is empty, never 0");
        }
    }
    let median = &rows[rows.len() - 3];
    let min = &rows[rows.len() - 2];
    let max = &rows[rows.len() - 1];
    let qrs = col("qrs_ms");
    let v = |r: &Vec<&str>| r[qrs].parse::<f64>().unwrap();
    assert!(v(min) <= v(median) && v(median) <= v(max));
    assert!(!median[col("axis_category")].is_empty());
}

#[test]
fn json_carries_cycles_summary_and_the_boundary_source() {
    let v: Value = serde_json::from_str(&run(&["measure", &ludb("4"), "--json"])).unwrap();
    assert!(
        v["boundaries"].as_str().unwrap().contains("4.ii"),
        "{}",
        v["boundaries"]
    );
    let cycles = v["cycles"].as_array().unwrap();
    assert!(cycles.len() >= 5);
    for c in cycles {
        assert!(c["qrs_ms"].as_f64().is_some_and(|q| q > 0.0));
        assert_eq!(c["st"].as_array().unwrap().len(), 12);
    }
    let axis = &v["summary"]["axis"];
    let deg = axis["degrees"].as_f64().unwrap();
    assert!((-180.0..=180.0).contains(&deg));
    assert_eq!(axis["leads"], "I+aVF");
    let pr = &v["summary"]["pr_ms"];
    assert!(pr["min"].as_f64() <= pr["median"].as_f64());
}

#[test]
fn out_writes_the_file_and_a_bad_record_fails_without_one() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("m.csv");
    run(&["measure", &ludb("4"), "--out", out.to_str().unwrap()]);
    assert!(std::fs::read_to_string(&out).unwrap().starts_with("cycle,"));
    let bad = dir.path().join("bad.hea");
    std::fs::write(&bad, "bad 12 500 garbage\nnot a signal line\n").unwrap();
    for record in [bad.clone(), dir.path().join("absent")] {
        let target = dir.path().join("never.csv");
        let run = cli(&[
            "measure",
            record.to_str().unwrap(),
            "--out",
            target.to_str().unwrap(),
        ]);
        let err = String::from_utf8_lossy(&run.stderr);
        assert!(!run.status.success());
        assert!(
            err.starts_with("error:")
                && err.contains(record.file_name().unwrap().to_str().unwrap()),
            "{err}"
        );
        assert!(!target.exists(), "nothing written");
        assert!(run.stdout.is_empty());
    }
}

#[test]
fn eval_measure_on_three_ludb_test_records() {
    let dir = tempfile::tempdir().unwrap();
    let split = split_file(dir.path(), &["4", "12", "14"]);
    let records = common::data_dir().join("ludb/data");
    let args = [
        "eval-measure",
        "--records",
        records.to_str().unwrap(),
        "--split",
        split.to_str().unwrap(),
    ];
    let v: Value = serde_json::from_str(&run(&[&args[..], &["--json"]].concat())).unwrap();
    assert_eq!(v["rows"].as_array().unwrap().len(), 3);
    for k in ["pr", "qrs", "qt"] {
        let n = v[k]["n"].as_u64().unwrap();
        assert!((2..=3).contains(&n), "{k}: {n}");
        let mean = v[k]["mean_ms"].as_f64().unwrap();
        assert!(mean.abs() < 100.0, "{k}: {mean}");
        assert!(v[k]["sd_ms"].as_f64().unwrap() >= 0.0);
    }
    let confusion: u64 = v["axis_confusion"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r.as_array().unwrap().iter().map(|x| x.as_u64().unwrap()))
        .sum();
    assert_eq!(confusion, 3, "every record has an axis line and an axis");
    let pct = v["axis_agreement_pct"].as_f64().unwrap();
    assert!((0.0..=100.0).contains(&pct));
    let table = run(&args);
    for word in ["PR", "QRS", "QT", "agreement", "reference \\ auto", "LAD"] {
        assert!(table.contains(word), "{word}: {table}");
    }
}

#[test]
fn eval_measure_on_a_qtdb_record_compares_beat_qt() {
    let dir = tempfile::tempdir().unwrap();
    let split = split_file(dir.path(), &["sele0122"]);
    let records = common::data_dir().join("qtdb");
    let text = run(&[
        "eval-measure",
        "--records",
        records.to_str().unwrap(),
        "--split",
        split.to_str().unwrap(),
        "--json",
    ]);
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["records"], 1);
    let n = v["qt"]["n"].as_u64().unwrap();
    assert!(
        n >= 10 && n <= v["reference_beats"].as_u64().unwrap(),
        "{v}"
    );
    assert!(v["qt"]["mean_ms"].as_f64().unwrap().abs() < 150.0);
}

#[test]
fn eval_measure_scores_another_method_s_qtdb_marks() {
    let dir = tempfile::tempdir().unwrap();
    let split = split_file(dir.path(), &["sele0122"]);
    let records = common::data_dir().join("qtdb");
    let args = |pred: &str| {
        cli(&[
            "eval-measure",
            "--records",
            records.to_str().unwrap(),
            "--split",
            split.to_str().unwrap(),
            "--predictions",
            pred,
            "--json",
        ])
    };
    // The cardiologist's own marks as the method's: every beat matched, no difference.
    let out = args(records.to_str().unwrap());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["qt"]["n"], v["reference_beats"], "{v}");
    assert!(v["qt"]["n"].as_u64().unwrap() >= 30, "{v}");
    assert_eq!(
        (v["qt"]["mean_ms"].as_f64(), v["qt"]["sd_ms"].as_f64()),
        (Some(0.0), Some(0.0))
    );
    // Marks whose T ends lie 2 samples (8 ms at 250 Hz) later give QT 8 ms longer.
    let pred = dir.path().join("pred");
    std::fs::create_dir(&pred).unwrap();
    let marks =
        ecg_panorama::record::annotation::read_annotations(&records.join("sele0122.q1c")).unwrap();
    let mut in_t = false;
    let moved: Vec<_> = marks
        .into_iter()
        .map(|mut a| {
            if a.symbol == ")" && in_t {
                a.sample += 2;
            }
            if a.symbol != "(" {
                in_t = a.symbol == "t";
            }
            a
        })
        .collect();
    ecg_panorama::record::annotation::write_annotations(&pred.join("sele0122.q1c"), &moved)
        .unwrap();
    let out = args(pred.to_str().unwrap());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["qt"]["mean_ms"].as_f64(), Some(8.0), "{v}");
    // One record: its own mean, averaged over one record.
    assert_eq!(v["qt_across_records"]["n"], 1, "{v}");
    assert_eq!(v["qt_across_records"]["mean_ms"].as_f64(), Some(8.0), "{v}");
    // A missing folder, or a LUDB folder, is refused with a message that says why.
    let out = args(dir.path().join("absent").to_str().unwrap());
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("predictions folder not found"));
    let out = cli(&[
        "eval-measure",
        "--records",
        &ludb(""),
        "--predictions",
        records.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("QTDB-layout"));
}

#[test]
fn ectopic_beats_say_why_they_have_no_pr() {
    // QTDB sel223 (sinus rhythm with frequent premature ventricular beats): the wave files
    // beside it (q1c, pu0) are not its boundaries, so the beats come from the annotator.
    let rec = qtdb("sel223");
    let text = run(&["measure", &rec]);
    let rows: Vec<Vec<&str>> = text.lines().map(|l| l.split(',').collect()).collect();
    let col = |name: &str| rows[0].iter().position(|h| *h == name).unwrap();
    let (rhythm, pr) = (col("rhythm"), col("pr_ms"));
    let cycles = &rows[1..rows.len() - 3];
    let ectopic: Vec<&Vec<&str>> = cycles
        .iter()
        .filter(|r| r[rhythm] == "ventricular_ectopic")
        .collect();
    assert!(
        ectopic.len() > 150,
        "{} named of {}",
        ectopic.len(),
        cycles.len()
    );
    assert!(ectopic.iter().all(|r| r[pr].is_empty()), "no PR for them");
    let names: std::collections::BTreeSet<&str> = cycles.iter().map(|r| r[rhythm]).collect();
    assert!(
        names.is_subset(&["", "atrial_fibrillation", "ventricular_ectopic"].into()),
        "{names:?}"
    );
    // The summary rows carry no rhythm.
    assert!(rows[rows.len() - 3..].iter().all(|r| r[rhythm].is_empty()));
}

#[test]
fn a_qtdb_record_is_measured_from_the_annotator_or_the_file_the_user_names() {
    // Beside sel100 lie another program's boundaries (pu0, pu1) and a cardiologist's on 30
    // beats (q1c): none is taken for the record's own.
    let v: Value = serde_json::from_str(&run(&["measure", &qtdb("sel100"), "--json"])).unwrap();
    assert_eq!(
        v["boundaries"], "the automatic annotator",
        "{}",
        v["boundaries"]
    );
    let auto = v["cycles"].as_array().unwrap().len();
    assert!(auto > 1000, "{auto} cycles in 15 min at 75 bpm");
    let auto_qt = v["summary"]["qt_ms"]["median"].as_f64().unwrap();

    let q1c = format!("{}.q1c", qtdb("sel100"));
    let text = run(&["measure", &qtdb("sel100"), "--annotations", &q1c, "--json"]);
    let v: Value = serde_json::from_str(&text).unwrap();
    assert!(v["boundaries"].as_str().unwrap().contains("sel100.q1c"));
    let cycles = v["cycles"].as_array().unwrap();
    assert_eq!(cycles.len(), 30, "q1c marks 30 beats");
    // q1c marks no T onset; its T offsets still give every beat a QT.
    assert!(cycles.iter().all(|c| {
        c["qt_ms"]
            .as_f64()
            .is_some_and(|qt| (300.0..500.0).contains(&qt))
    }));
    let ref_qt = v["summary"]["qt_ms"]["median"].as_f64().unwrap();
    assert!(
        (auto_qt - ref_qt).abs() < 30.0,
        "QT {auto_qt} vs the cardiologist's {ref_qt}"
    );

    // A file that holds no waves is a clear error.
    let atr = format!("{}.atr", qtdb("sel100"));
    let out = cli(&["measure", &qtdb("sel100"), "--annotations", &atr]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no cycle found"));
}
