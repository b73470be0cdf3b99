//! The command line as a user runs it: info on every shared record, CSV conversion, the read
//! benchmark, the demo record when no file is given, and the app failing cleanly without a display.

mod common;

use common::run;
use ecg_panorama::record::open_record;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn info_json(record: &Path) -> Value {
    serde_json::from_str(&run(&["info", record.to_str().unwrap(), "--json"])).unwrap()
}

/// Every record (header stem) in a folder.
fn records_in(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "hea"))
        .map(|p| p.with_extension(""))
        .collect();
    out.sort();
    out
}

#[test]
fn info_json_on_every_shared_record() {
    let data = common::data_dir();
    let mut all = Vec::new();
    for dir in [
        "ludb/data",
        "wfdb-samples",
        "cinc2021-samples",
        "cpsc2021-samples",
    ] {
        all.extend(records_in(&data.join(dir)));
    }
    assert!(
        all.len() >= 160 + 2 + 40 + 18,
        "found {} records",
        all.len()
    );
    for rec in &all {
        let info = info_json(rec);
        let loaded = open_record(rec).unwrap();
        assert_eq!(info["fs"].as_f64().unwrap(), loaded.fs, "{}", rec.display());
        assert_eq!(
            info["samples"].as_u64().unwrap() as usize,
            loaded.len(),
            "{}",
            rec.display()
        );
        let leads = info["leads"].as_array().unwrap();
        assert_eq!(leads.len(), loaded.leads.len(), "{}", rec.display());
        // LUDB's per-lead header gains are replaced by one, and only LUDB's.
        let notes = info["notes"].as_array().unwrap();
        let ludb = rec.parent().is_some_and(|p| p.ends_with("ludb/data"));
        assert_eq!(
            notes.len(),
            usize::from(ludb),
            "{}: {notes:?}",
            rec.display()
        );
        for lead in leads {
            let known =
                ecg_panorama::geometry::normalise_lead_name(lead["raw_name"].as_str().unwrap())
                    .known;
            assert_eq!(
                lead["theta"].is_number(),
                known,
                "{}: {lead}",
                rec.display()
            );
        }
    }
}

#[test]
fn info_reports_ludb_annotation_files_with_counts_from_wfdb_python() {
    let rec = common::data_dir().join("ludb/data/1");
    let info = info_json(&rec);
    let files = info["annotation_files"].as_array().unwrap();
    let exts: Vec<String> = files
        .iter()
        .map(|f| {
            Path::new(f["path"].as_str().unwrap())
                .extension()
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    assert_eq!(
        exts,
        [
            "avf", "avl", "avr", "i", "ii", "iii", "v1", "v2", "v3", "v4", "v5", "v6"
        ]
    );
    let code = r#"
import sys, json, wfdb, collections
out = {}
for ext in sys.argv[2:]:
    a = wfdb.rdann(sys.argv[1], ext)
    out[ext] = collections.Counter(a.symbol)
print(json.dumps(out))
"#;
    let mut args = vec![rec.to_str().unwrap()];
    args.extend(exts.iter().map(String::as_str));
    let want: Value = serde_json::from_slice(&common::run_python(code, &args)).unwrap();
    for (f, ext) in files.iter().zip(&exts) {
        assert_eq!(f["counts"], want[ext], "{ext}");
    }
}

#[test]
fn info_reports_mitbih_beat_labels() {
    let info = info_json(&common::data_dir().join("wfdb-samples/100"));
    let files = info["annotation_files"].as_array().unwrap();
    assert_eq!(files.len(), 1);
    assert!(files[0]["path"].as_str().unwrap().ends_with("100.atr"));
    assert_eq!(files[0]["counts"]["N"], 2239);
    assert_eq!(files[0]["counts"]["A"], 33);
    assert_eq!(info["leads"][0]["approximate"], true);
}

#[test]
fn info_finds_tianchi_labels_in_the_interval_folder_or_from_labels() {
    let npy = common::data_dir()
        .join("electrocardio-panorama/tianchi/npy_data/tianchi_train_round1/40723.npy");
    let info = info_json(&npy);
    let files = info["annotation_files"].as_array().unwrap();
    assert_eq!(files.len(), 1, "{files:?}");
    assert!(
        files[0]["path"]
            .as_str()
            .unwrap()
            .ends_with("tianchi_interval/40723.json")
    );
    assert!(files[0]["counts"]["R on"].as_u64().unwrap() > 5);
    let other = common::data_dir().join("electrocardio-panorama/ManualAnnotation/1005.json");
    let out = run(&[
        "info",
        npy.to_str().unwrap(),
        "--labels",
        other.to_str().unwrap(),
    ]);
    assert!(out.contains("1005.json"), "{out}");
}

#[test]
fn convert_csv_holds_every_sample_in_mv() {
    let rec = common::data_dir().join("wfdb-samples/s0010_re");
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("s0010_re.csv");
    run(&[
        "convert",
        rec.to_str().unwrap(),
        "--to",
        "csv",
        "--out",
        csv.to_str().unwrap(),
    ]);
    let text = std::fs::read_to_string(&csv).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next().unwrap(),
        "time_s,I,II,III,aVR,aVL,aVF,V1,V2,V3,V4,V5,V6,vx,vy,vz"
    );
    let loaded = open_record(&rec).unwrap();
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), loaded.len());
    for (i, row) in rows.iter().enumerate().step_by(997) {
        let cells: Vec<f64> = row.split(',').map(|c| c.parse().unwrap()).collect();
        assert!(
            (cells[0] - i as f64 / 1000.0).abs() < 1e-12,
            "time at row {i}"
        );
        for (k, lead) in loaded.leads.iter().enumerate() {
            assert_eq!(cells[k + 1], lead.samples[i], "row {i} lead {}", lead.name);
        }
    }
    // The CSV is itself a record the program opens.
    let back = open_record(&csv).unwrap();
    assert_eq!(back.fs, 1000.0);
    assert_eq!(back.leads[13].samples, loaded.leads[13].samples);
}

#[test]
fn convert_names_channels_so_their_views_can_be_synthesized() {
    use ecg_panorama::record::csv_io::write_csv;
    // LUDB 102 as a cart that files its twelve leads as CH1…CH12, in its own order (I, II,
    // V1–V6, III, aVR, aVL, aVF), which the limb-lead check cannot take for the usual one.
    let dir = tempfile::tempdir().unwrap();
    let original = open_record(&common::data_dir().join("ludb/data/102")).unwrap();
    let numbered = |order: &[usize]| {
        let mut record = original.clone();
        record.leads = order
            .iter()
            .enumerate()
            .map(|(k, &from)| {
                ecg_panorama::record::Lead::new(
                    &format!("CH{}", k + 1),
                    original.leads[from].samples.clone(),
                    false,
                )
            })
            .collect();
        record
    };
    let order = [0, 1, 6, 7, 8, 9, 10, 11, 2, 3, 4, 5];
    let record = numbered(&order);
    let standard: Vec<String> = order
        .iter()
        .map(|&k| original.leads[k].name.clone())
        .collect();
    let channels = dir.path().join("channels.csv");
    write_csv(&record, &mut std::fs::File::create(&channels).unwrap()).unwrap();
    // In the usual order the same channels are read as the standard leads without help.
    let usual = dir.path().join("usual.csv");
    let in_order: Vec<usize> = (0..12).collect();
    write_csv(
        &numbered(&in_order),
        &mut std::fs::File::create(&usual).unwrap(),
    )
    .unwrap();
    let bin = env!("CARGO_BIN_EXE_ecg-panorama");
    let figure = |rec: &Path| {
        let png = dir.path().join("pan.png");
        Command::new(bin)
            .args(["figure", rec.to_str().unwrap(), "--kind", "panorama"])
            .args(["--out", png.to_str().unwrap()])
            .output()
            .unwrap()
    };
    assert!(figure(&usual).status.success());
    let refused = figure(&channels);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("convert --leads"));

    let named = dir.path().join("named.csv");
    let list = standard.join(",");
    run(&[
        "convert",
        channels.to_str().unwrap(),
        "--leads",
        &list,
        "--to",
        "csv",
        "--out",
        named.to_str().unwrap(),
    ]);
    let back = open_record(&named).unwrap();
    assert!(back.leads.iter().all(|l| l.view.is_some()));
    assert_eq!(back.leads[1].samples, record.leads[1].samples);
    assert!(figure(&named).status.success());

    // A list of the wrong length writes nothing and says why.
    let short = dir.path().join("short.csv");
    let out = Command::new(bin)
        .args(["convert", channels.to_str().unwrap(), "--leads", "I,II"])
        .args(["--to", "csv", "--out", short.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!out.status.success() && !short.exists());
    assert!(String::from_utf8_lossy(&out.stderr).contains("the record has 12"));
}

#[test]
fn bench_read_reports_throughput() {
    let rec = common::data_dir().join("wfdb-samples/100");
    let out: Value = serde_json::from_str(&run(&[
        "bench",
        "read",
        rec.to_str().unwrap(),
        "--repeat",
        "3",
        "--json",
    ]))
    .unwrap();
    assert_eq!(out["samples"], 1_300_000);
    let median = out["median_ms"].as_f64().unwrap();
    let msps = out["msamples_per_s"].as_f64().unwrap();
    assert!(median > 0.0);
    assert!(
        (msps - 1.3 / median * 1e3).abs() / msps < 1e-9,
        "throughput follows the median"
    );
}

#[test]
fn info_summarises_a_record_and_reports_a_missing_one() {
    let rec = common::data_dir().join("ludb/data/1");
    let out = run(&["info", rec.to_str().unwrap()]);
    assert!(
        out.contains("record     1") && out.contains("fs         500 Hz"),
        "{out}"
    );
    let missing = Command::new(env!("CARGO_BIN_EXE_ecg-panorama"))
        .args(["info", "/nonexistent/rec"])
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("rec.hea: file not found"));
}

/// The binary without a display: no subcommand means the app, which cannot open a window.
fn app_without_display(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_ecg-panorama"))
        .args(args)
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .output()
        .unwrap()
}

#[test]
fn the_app_without_a_display_fails_with_one_clear_line() {
    let rec = common::data_dir().join("ludb/data/1");
    for args in [vec![], vec![rec.to_str().unwrap(), "--show", "panorama"]] {
        let out = app_without_display(&args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(err.trim().lines().count(), 1, "{err}");
        assert!(err.contains("no display"), "{err}");
    }
    let bad_view = app_without_display(&["--show", "sideways"]);
    assert_eq!(bad_view.status.code(), Some(2));
}

#[test]
fn info_without_a_record_shows_the_synthetic_demo() {
    let out = run(&["info"]);
    assert!(
        out.contains("demo-synthetic") && out.contains("synthetic"),
        "{out}"
    );
    assert!(out.contains("V6"));
    assert!(
        out.contains("(built-in demo labels)  P off: 12, P on: 12"),
        "{out}"
    );
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("demo.csv");
    run(&["convert", "--to", "csv", "--out", csv.to_str().unwrap()]);
    let demo = open_record(&csv).unwrap();
    assert_eq!((demo.fs, demo.len(), demo.leads.len()), (500.0, 5000, 12));
}
