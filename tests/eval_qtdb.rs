//! `eval-delineation` on real QT Database files (q1c references): the references scored as
//! their own predictions are perfect, a known shift comes out as the mean error at the records'
//! 250 Hz, each record's own error is kept beside the pooled one, a beat counted twice inside the
//! marked stretch shows as unmatched, a record with no predicted beat counts as all missed, and
//! bad input fails cleanly.

mod common;

use common::eval_cli::{KINDS, cli, json, ok_stdout, s, split_file};
use ecg_panorama::record::annotation::{Annotation, read_annotations, write_annotations};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// A sinus record with P waves and a paced one without any P mark in its q1c.
const FEW: [&str; 2] = ["sel100", "sel102"];

fn qtdb() -> PathBuf {
    common::data_dir().join("qtdb")
}

/// The arguments scoring the marks in `pred` against the `q1c` files of `data` on `split`'s
/// records.
fn scored<'a>(data: &'a Path, split: &'a Path, pred: &'a Path) -> [&'a str; 6] {
    [
        "--records",
        s(data),
        "--split",
        s(split),
        "--predictions",
        s(pred),
    ]
}

/// Prediction files: each record's q1c moved by `shift` samples (`None`: an empty file).
fn predictions(dir: &Path, records: &[(&str, Option<i64>)]) -> PathBuf {
    let pred = dir.join("pred");
    std::fs::create_dir_all(&pred).unwrap();
    for &(name, shift) in records {
        let moved: Vec<Annotation> = match shift {
            Some(d) => read_annotations(&qtdb().join(format!("{name}.q1c")))
                .unwrap()
                .into_iter()
                .map(|a| Annotation {
                    sample: a.sample + d,
                    ..a
                })
                .collect(),
            None => Vec::new(),
        };
        write_annotations(&pred.join(format!("{name}.q1c")), &moved).unwrap();
    }
    pred
}

#[test]
fn references_scored_as_predictions_are_perfect() {
    let tmp = tempfile::tempdir().unwrap();
    let split = split_file(tmp.path(), &FEW);
    let data = qtdb();
    // The folder's q1c files select QTDB scoring without `--reference`.
    let args = scored(&data, &split, &data);
    let report = json(&args);
    assert_eq!(report["records"], FEW.len());
    assert_eq!(report["records_without_beats"], Value::Array(vec![]));
    assert!(report["median_ms_per_record"].is_null());
    for kind in KINDS {
        let k = &report[kind];
        let mut fields: Vec<&str> = k.as_object().unwrap().keys().map(String::as_str).collect();
        fields.sort_unstable();
        assert_eq!(
            fields,
            ["fn", "mean_ms", "sd_ms", "se", "tp", "unmatched"],
            "{kind}"
        );
        assert_eq!(
            (&k["fn"], &k["unmatched"]),
            (&Value::from(0), &Value::from(0))
        );
        if kind == "T on" {
            // q1c marks no T onset on these records.
            assert_eq!(k["tp"], 0, "{k}");
            assert!(k["se"].is_null(), "{k}");
            continue;
        }
        assert!(k["tp"].as_u64().unwrap() >= 30, "{kind}: {k}");
        assert_eq!(k["se"], 1.0, "{kind}: {k}");
        assert_eq!(
            (&k["mean_ms"], &k["sd_ms"]),
            (&Value::from(0.0), &Value::from(0.0))
        );
    }
    let table = ok_stdout(&args);
    assert!(table.contains("q1c references"), "{table}");
    assert!(table.contains("PPV is not reported"), "{table}");
    assert!(table.contains("no beats found (all their reference boundaries missed): 0 of 2"));
    assert!(!table.contains("PPV %"), "{table}");
}

#[test]
fn predictions_shifted_by_8_ms_give_mean_8_and_sd_0() {
    let tmp = tempfile::tempdir().unwrap();
    let split = split_file(tmp.path(), &FEW);
    // QTDB is sampled at 250 Hz: 2 samples are 8 ms.
    let pred = predictions(tmp.path(), &[("sel100", Some(2)), ("sel102", Some(2))]);
    let report = json(&[
        "--records",
        s(&qtdb()),
        "--split",
        s(&split),
        "--reference",
        "q1c",
        "--predictions",
        s(&pred),
    ]);
    for kind in ["P on", "P off", "QRS on", "QRS off", "T off"] {
        let k = &report[kind];
        assert_eq!(k["mean_ms"], 8.0, "{kind}: {k}");
        assert_eq!(k["sd_ms"], 0.0, "{kind}: {k}");
        assert_eq!((&k["se"], &k["fn"]), (&Value::from(1.0), &Value::from(0)));
    }
}

#[test]
fn each_record_s_own_error_is_kept_beside_the_pooled_one() {
    let tmp = tempfile::tempdir().unwrap();
    let split = split_file(tmp.path(), &FEW);
    // sel100 two samples (8 ms) late, sel102 on time: pooled, the mean lies between them and
    // the scatter is the records' difference; per record, each has its own mean and no scatter.
    let pred = predictions(tmp.path(), &[("sel100", Some(2)), ("sel102", Some(0))]);
    let data = qtdb();
    let args = scored(&data, &split, &pred);
    let report = json(&args);
    let qrs_on = |r: &Value, key: &str| r["QRS on"][key].as_f64().unwrap();
    let pooled = qrs_on(&report, "mean_ms");
    assert!(pooled > 0.0 && pooled < 8.0, "{pooled}");
    assert!(qrs_on(&report, "sd_ms") > 1.0, "{report}");
    let per = &report["per_record"];
    assert_eq!(per.as_object().unwrap().len(), 2, "{per}");
    for (name, mean) in [("sel100", 8.0), ("sel102", 0.0)] {
        assert_eq!(qrs_on(&per[name], "mean_ms"), mean, "{name}: {}", per[name]);
        assert_eq!(qrs_on(&per[name], "sd_ms"), 0.0, "{name}");
    }
    let tp: u64 = ["sel100", "sel102"]
        .iter()
        .map(|n| per[n]["QRS on"]["tp"].as_u64().unwrap())
        .sum();
    assert_eq!(Value::from(tp), report["QRS on"]["tp"]);
    // Averaged over the two records: their means' mean, and no scatter within either.
    let across = &report["across_records"]["QRS on"];
    assert_eq!(across["records"], 2, "{across}");
    assert_eq!(across["mean_ms"].as_f64(), Some(4.0), "{across}");
    assert_eq!(across["sd_ms"].as_f64(), Some(0.0), "{across}");
    let table = ok_stdout(&[&args[..], &["--per-record"]].concat());
    assert!(table.contains("averaged over records"), "{table}");
    let row = |name: &str| {
        table
            .lines()
            .find(|l| l.starts_with(name))
            .unwrap_or_else(|| panic!("no row for {name} in {table}"))
            .to_string()
    };
    assert!(row("sel100").contains("8.0±0.0"), "{table}");
    assert!(row("sel102").contains("0.0±0.0"), "{table}");
    // Without the flag the table stays the pooled one.
    assert!(!ok_stdout(&args).contains("per record: mean"));
}

#[test]
fn an_extra_beat_inside_the_marked_stretch_is_unmatched_and_one_outside_is_not() {
    let tmp = tempfile::tempdir().unwrap();
    let split = split_file(tmp.path(), &["sel100"]);
    let reference = read_annotations(&qtdb().join("sel100.q1c")).unwrap();
    let qrs_peaks: Vec<i64> = reference
        .iter()
        .filter(|a| a.symbol == "N")
        .map(|a| a.sample)
        .collect();
    // A delineator counting one beat twice: a second beat (QRS and T) in the widest gap between
    // the marks from the first T offset to the next QRS (inside every kind's stretch), and a QRS
    // 10 s after the last one (outside it, where q1c says nothing).
    let first_t = reference.iter().position(|a| a.symbol == "t").unwrap();
    assert_eq!(
        reference[first_t + 1].symbol,
        ")",
        "a T peak without its offset"
    );
    let first_t_off = reference[first_t + 1].sample;
    let next_qrs = qrs_peaks
        .iter()
        .copied()
        .find(|&r| r > first_t_off)
        .unwrap();
    let between: Vec<i64> = reference
        .iter()
        .map(|a| a.sample)
        .filter(|&t| t >= first_t_off && t <= next_qrs)
        .collect();
    let (gap, start) = between
        .windows(2)
        .map(|w| (w[1] - w[0], w[0]))
        .max()
        .unwrap();
    assert!(
        gap > 45,
        "no room for a beat between the marks: {between:?}"
    );
    let wave = |symbol: &str, peak: i64| {
        [("(", peak - 5), (symbol, peak), (")", peak + 5)]
            .map(|(symbol, sample)| Annotation::new(sample, symbol))
    };
    let mut marks = reference.clone();
    marks.extend(wave("N", start + gap / 3));
    marks.extend(wave("t", start + 2 * gap / 3));
    marks.extend(wave("N", qrs_peaks[qrs_peaks.len() - 1] + 2500));
    marks.sort_by_key(|a| a.sample);
    let pred = tmp.path().join("pred");
    std::fs::create_dir_all(&pred).unwrap();
    write_annotations(&pred.join("sel100.q1c"), &marks).unwrap();
    let data = qtdb();
    let args = scored(&data, &split, &pred);
    let report = json(&args);
    for kind in ["QRS on", "QRS off"] {
        let k = &report[kind];
        assert_eq!(k["unmatched"], 1, "{kind}: {k}");
        assert_eq!(
            (&k["se"], &k["mean_ms"]),
            (&Value::from(1.0), &Value::from(0.0))
        );
        assert_eq!(report["per_record"]["sel100"][kind]["unmatched"], 1);
    }
    assert_eq!(report["T off"]["unmatched"], 1, "{report}");
    // q1c marks no T onset on sel100: the reference says nothing of it, so nothing is unmatched.
    assert_eq!(report["T on"]["tp"], 0, "{report}");
    assert_eq!(report["T on"]["unmatched"], 0, "{report}");
    assert_eq!(report["P on"]["unmatched"], 0, "{report}");
    let table = ok_stdout(&[&args[..], &["--per-record"]].concat());
    let qrs_row = table.lines().find(|l| l.starts_with("QRS on")).unwrap();
    assert_eq!(qrs_row.split_whitespace().last(), Some("1"), "{table}");
    let record_row = table.lines().find(|l| l.starts_with("sel100")).unwrap();
    assert!(record_row.contains("0.0±0.0 +1"), "{table}");
}

#[test]
fn a_record_without_beats_counts_as_all_missed() {
    let tmp = tempfile::tempdir().unwrap();
    let split = split_file(tmp.path(), &FEW);
    let data = qtdb();
    let pred = predictions(tmp.path(), &[("sel100", None), ("sel102", Some(0))]);
    let args = scored(&data, &split, &pred);
    let both = json(&scored(&data, &split, &data));
    let report = json(&args);
    assert_eq!(report["records"], 2);
    assert_eq!(report["records_without_beats"], Value::from(vec!["sel100"]));
    // sel102 (paced) has no P mark: every reference P is sel100's, and all are missed.
    assert_eq!(report["P on"]["tp"], 0);
    assert_eq!(report["P on"]["fn"], both["P on"]["tp"]);
    assert_eq!(report["P on"]["se"], 0.0);
    let n = |r: &Value, key: &str| r["QRS on"][key].as_u64().unwrap();
    assert_eq!(n(&report, "tp") + n(&report, "fn"), n(&both, "tp"));
    assert!(n(&report, "fn") >= 30 && n(&report, "tp") >= 30, "{report}");
    let table = ok_stdout(&args);
    assert!(
        table.contains(
            "records with no beats found (all their reference boundaries missed): 1 of 2 (sel100)"
        ),
        "{table}"
    );
}

#[test]
fn bad_input_fails_with_a_clear_message() {
    let tmp = tempfile::tempdir().unwrap();
    let fail = |args: &[&str], needles: &[&str]| {
        let out = cli(args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        for n in needles {
            assert!(err.contains(n), "{args:?}: {n:?} not in {err}");
        }
    };
    let split = split_file(tmp.path(), &FEW);
    let data = qtdb();
    // A prediction file is missing.
    let pred = predictions(tmp.path(), &[("sel100", Some(0))]);
    let args = ["--records", s(&data), "--split", s(&split), "--predictions"];
    fail(
        &[&args[..], &[s(&pred)]].concat(),
        &["sel102.q1c", "not found"],
    );
    // A prediction file is not an annotation file.
    std::fs::write(pred.join("sel102.q1c"), [1u8, 2, 3]).unwrap();
    fail(
        &[&args[..], &[s(&pred)]].concat(),
        &["sel102.q1c", "malformed"],
    );
    // A folder without q1c files, forced to q1c scoring: nothing to score.
    let bare = tmp.path().join("bare");
    std::fs::create_dir(&bare).unwrap();
    for ext in ["hea", "dat"] {
        std::fs::copy(
            data.join(format!("sel100.{ext}")),
            bare.join(format!("sel100.{ext}")),
        )
        .unwrap();
    }
    let out = cli(&["--records", s(&bare), "--reference", "q1c"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("skipping record sel100"), "{err}");
    assert!(
        err.contains("no record to score") && err.contains("q1c"),
        "{err}"
    );
    // A split naming a record the folder lacks.
    let missing = tmp.path().join("missing");
    std::fs::create_dir(&missing).unwrap();
    let split = split_file(&missing, &["sel100", "sel999"]);
    fail(&["--records", s(&data), "--split", s(&split)], &["sel999"]);
}

#[test]
fn the_built_in_delineator_finds_a_record_s_beats() {
    let tmp = tempfile::tempdir().unwrap();
    let split = split_file(tmp.path(), &["sel100"]);
    let report = json(&["--records", s(&qtdb()), "--split", s(&split)]);
    assert_eq!(report["records"], 1);
    assert_eq!(report["records_without_beats"], Value::Array(vec![]));
    let median = report["median_ms_per_record"].as_f64().unwrap();
    assert!(median.is_finite() && median > 0.0, "median time {median}");
    // sel100 is MLII/V5 sinus rhythm, which the shipped model reads: every marked beat is
    // found and placed within a QRS width (Se 100 %, |mean| ≤ 18 ms, SD ≤ 18 ms today).
    for kind in ["P on", "P off", "QRS on", "QRS off", "T off"] {
        let k = &report[kind];
        let num = |key: &str| k[key].as_f64().unwrap();
        assert!(num("se") >= 0.95, "{kind}: {k}");
        assert!(
            num("mean_ms").abs() <= 30.0 && num("sd_ms") <= 30.0,
            "{kind}: {k}"
        );
    }
}
