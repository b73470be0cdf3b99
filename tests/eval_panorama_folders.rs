//! `eval-panorama` on database folders: the JSON holds every task × method cell and each
//! engine's margin, a database without boundary files (PTB-XL) is scored on the annotator's
//! cycles beside LUDB, a 1000 Hz record at 500 Hz, and bad folders are named.

mod common;

use ecg_panorama::eval::panorama::{folder_cycles, ludb_cycles, standard_tasks};
use ecg_panorama::geometry::STANDARD_12;
use ecg_panorama::record::open_record;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn ludb() -> PathBuf {
    common::ludb_data()
}

/// `ecg-panorama eval-panorama ARGS`, whatever its exit.
fn cli(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_ecg-panorama"))
        .arg("eval-panorama")
        .args(args)
        .output()
        .unwrap()
}

/// `eval-panorama ARGS --json`, which must succeed, parsed.
fn cli_json(args: &[&str]) -> Value {
    let out = common::run(&[&["eval-panorama"], args, &["--json"]].concat());
    serde_json::from_str(&out).unwrap()
}

#[test]
fn the_cli_json_has_every_task_and_method_cell() {
    let tmp = tempfile::tempdir().unwrap();
    let split = tmp.path().join("split.txt");
    std::fs::write(&split, "train 2\ntrain 3\ntest 4\ntest 1\n").unwrap();
    let dir = ludb();
    let (d, s) = (dir.to_str().unwrap(), split.to_str().unwrap());
    // LUDB fitted on its own train records: one ridge row serves as both baselines.
    let same = ["--records", d, "--split", s, "--ludb", d, "--ludb-split", s];
    let reports = cli_json(&same);
    assert_eq!(
        reports.as_array().unwrap().len(),
        1,
        "one report per database"
    );
    let v = &reports[0];
    assert_eq!(v["held_out"], true);
    assert_eq!(
        (&v["train_records"], &v["sources"]["wave_files"]),
        (&2.into(), &2.into())
    );
    assert_eq!(
        v["records"], 1,
        "record 1 has no cycle of at most 512 samples"
    );
    let cells = v["cells"].as_array().unwrap();
    let methods = [
        "Nef-Net",
        "Nef-Net (V4, I unseen)",
        "ridge (in-domain = LUDB)",
        "dipole least squares",
    ];
    assert_eq!(cells.len(), standard_tasks().len() * methods.len());
    for task in standard_tasks() {
        for method in methods {
            let cell = cells
                .iter()
                .find(|c| c["task"] == task.name.as_str() && c["method"] == method)
                .unwrap_or_else(|| panic!("no cell {} × {method}", task.name));
            let applicable = match method {
                "Nef-Net" | "ridge (in-domain = LUDB)" => !task.unseen,
                "Nef-Net (V4, I unseen)" => task.unseen,
                _ => task.inputs.len() >= 3,
            };
            for key in ["psnr_db", "ssim", "rmse_uv", "paper_psnr_db", "paper_ssim"] {
                assert_eq!(
                    cell[key].is_f64(),
                    applicable,
                    "{} × {method}: {key}",
                    task.name
                );
            }
            if applicable {
                assert!(cell["psnr_db"].as_f64().unwrap() > 15.0);
                assert_eq!(cell["scored"], cell["lead_cycles"]);
            }
        }
    }
    // Each engine's margin is its cell minus the best other cell of the task (every lead-cycle
    // is scored by both), inside its own interval.
    let psnr = |task: &str, method: &str| {
        cells
            .iter()
            .find(|c| c["task"] == task && c["method"] == method)
            .and_then(|c| c["psnr_db"].as_f64())
    };
    let margins = v["margins"].as_array().unwrap();
    assert_eq!(
        margins.len(),
        standard_tasks().len(),
        "one per task: {margins:?}"
    );
    for m in margins {
        let task = m["task"].as_str().unwrap();
        let best = methods
            .iter()
            .filter(|n| !n.starts_with("Nef-Net"))
            .filter_map(|n| psnr(task, n).map(|p| (p, *n)))
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .unwrap();
        assert_eq!(m["baseline"], best.1, "{m}");
        let own = psnr(task, m["method"].as_str().unwrap()).unwrap();
        let diff = m["diff_db"].as_f64().unwrap();
        assert!((diff - (own - best.0)).abs() < 1e-9, "{m}");
        // One scored record: too few to resample.
        assert!(m["low_db"].is_null() && m["high_db"].is_null(), "{m}");
    }
    let text = cli(&same);
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(text.contains("method − best other method"), "{text}");
    assert!(
        text.contains("(3,9) from II, V2, V5") && text.contains('—'),
        "{text}"
    );
    // Without a split every record is scored, and the report says the figures are not held
    // out; three records show it as well as LUDB's 200.
    let few = tmp.path().join("few");
    std::fs::create_dir(&few).unwrap();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let stem = path.file_stem().and_then(|s| s.to_str());
        if matches!(stem, Some("2" | "3" | "4")) {
            std::fs::copy(&path, few.join(path.file_name().unwrap())).unwrap();
        }
    }
    let all = cli(&["--records", few.to_str().unwrap(), "--ludb-split", s]);
    assert!(
        all.status.success(),
        "{}",
        String::from_utf8_lossy(&all.stderr)
    );
    assert!(String::from_utf8_lossy(&all.stderr).contains("not held out"));
}

/// A copy of PTB-XL record `from` as record `to` in `dir`, its header edited by `edit`.
fn copy_record(dir: &Path, from: &str, to: &str, edit: impl Fn(String) -> String) {
    let src = common::data_dir().join("ptbxl/records500");
    std::fs::copy(
        src.join(format!("{from}.dat")),
        dir.join(format!("{to}.dat")),
    )
    .unwrap();
    let header = std::fs::read_to_string(src.join(format!("{from}.hea"))).unwrap();
    std::fs::write(
        dir.join(format!("{to}.hea")),
        edit(header.replace(from, to)),
    )
    .unwrap();
}

#[test]
fn wave_file_records_give_the_same_cycles_as_the_ludb_reader() {
    // Record 93's wave file holds no complete P-QRS-T-P cycle: it stays without cycles rather
    // than falling back to the annotator.
    let names: Vec<String> = ["2", "4", "93"].map(String::from).to_vec();
    let mut done = Vec::new();
    let got = folder_cycles(&ludb(), &names, &mut |n| done.push(n)).unwrap();
    assert_eq!(got.cycles, ludb_cycles(&ludb(), &names).unwrap());
    assert_eq!((got.sources.wave_files, got.sources.annotator), (3, 0));
    assert_eq!((done, got.records()), (vec![1, 2, 3], 2));
}

#[test]
fn the_cli_scores_ptb_xl_on_annotator_cycles_beside_ludb() {
    let tmp = tempfile::tempdir().unwrap();
    let ptb = tmp.path().join("ptbxl");
    std::fs::create_dir(&ptb).unwrap();
    for name in ["00001_hr", "00003_hr", "00004_hr", "00005_hr", "00006_hr"] {
        copy_record(&ptb, name, name, |h| h);
    }
    // One record at a rate no resampling brings to 500 Hz (no ratio of two whole numbers up to
    // 1,000), one whose V6 is a Holter lead: both skipped with a note.
    copy_record(&ptb, "00007_hr", "odd", |h| {
        h.replacen(" 500 ", " 333.3333 ", 1)
    });
    copy_record(&ptb, "00011_hr", "nov6", |h| h.replace(" V6\n", " CM5\n"));
    let ptb_split = tmp.path().join("ptbxl-split.txt");
    std::fs::write(
        &ptb_split,
        "# three train, two test\ntrain 00001_hr\ntrain 00003_hr\ntrain 00004_hr\ntrain odd\n\
         train nov6\ntest 00005_hr\ntest 00006_hr\n",
    )
    .unwrap();
    let ludb_split = tmp.path().join("ludb-split.txt");
    std::fs::write(&ludb_split, "train 2\ntrain 3\ntest 4\n").unwrap();
    let (l, ls) = (ludb(), ludb_split.to_str().unwrap().to_string());
    let args = [
        "--records",
        l.to_str().unwrap(),
        "--split",
        &ls,
        "--records",
        ptb.to_str().unwrap(),
        "--split",
        ptb_split.to_str().unwrap(),
        "--ludb-split",
        &ls,
    ];
    let out = cli(&args);
    let (text, notes) = (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    );
    assert!(out.status.success(), "{notes}");
    // One table per database, each with its header line.
    let ptb_header = format!("== {}: ", ptb.display());
    for header in [format!("== {}: ", l.display()), ptb_header.clone()] {
        assert_eq!(text.matches(&header).count(), 1, "{header} in {text}");
    }
    let ptb_part = &text[text.find(&ptb_header).unwrap()..];
    let header_line = ptb_part.lines().next().unwrap();
    assert!(
        header_line.contains("of 2 record(s) scored, held out"),
        "{header_line}"
    );
    assert!(
        ptb_part.contains("cycles from the automatic annotator (2 record(s)); 2 record(s) skipped")
    );
    // The in-domain ridge is fitted on this database's three usable train records, the LUDB
    // ridge on LUDB's two.
    let fitted = |method: &str| -> (usize, usize) {
        let line = ptb_part
            .lines()
            .find(|l| l.starts_with(&format!("{method}: fitted on ")))
            .unwrap_or_else(|| panic!("no fit line for {method} in {ptb_part}"));
        let n: Vec<usize> = line
            .split_whitespace()
            .filter_map(|w| w.parse().ok())
            .collect();
        (n[0], n[1])
    };
    let (cycles, records) = fitted("ridge (in-domain)");
    assert!(
        records == 3 && cycles >= 25,
        "{cycles} cycles of {records} records"
    );
    assert_eq!(fitted("ridge (LUDB)").1, 2);
    assert!(ptb_part.contains("of this folder"));
    // LUDB is fitted on its own train records here: one ridge row says so.
    let ludb_part = &text[..text.find(&ptb_header).unwrap()];
    assert!(ludb_part.contains("ridge (in-domain = LUDB)") && !ludb_part.contains("ridge (LUDB)"));
    for (record, why) in [("odd", "333.3333 Hz"), ("nov6", "no lead V6")] {
        assert!(
            notes.lines().any(|n| n.starts_with("note: ")
                && n.contains(&format!("record {record} skipped"))
                && n.contains(why)),
            "{record}: {notes}"
        );
    }
    // Every method that applies to (3,9) has its numbers.
    for method in [
        "Nef-Net",
        "ridge (in-domain)",
        "ridge (LUDB)",
        "dipole least squares",
    ] {
        let row = ptb_part
            .lines()
            .find(|l| {
                l.starts_with("(3,9) from II, V2, V5") && l.contains(&format!("  {method}  "))
            })
            .unwrap_or_else(|| panic!("no (3,9) row for {method}"));
        let numbers: Vec<f64> = row
            .split_whitespace()
            .filter_map(|w| w.parse().ok())
            .collect();
        assert_eq!(numbers.len(), 5, "{row}");
        assert!(numbers[0].is_finite() && numbers[0] > 15.0, "{row}");
    }
}

#[test]
fn the_cli_names_a_bad_folder_or_split_count() {
    let tmp = tempfile::tempdir().unwrap();
    let missing = tmp.path().join("nowhere");
    let out = cli(&["--records", missing.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        err.contains("nowhere") && err.contains("no such folder"),
        "{err}"
    );
    // A folder whose only record is at a rate that cannot be resampled has nothing to score.
    copy_record(tmp.path(), "00007_hr", "odd", |h| {
        h.replacen(" 500 ", " 333.3333 ", 1)
    });
    let out = cli(&["--records", tmp.path().to_str().unwrap()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        err.contains("no complete P-QRS-T-P cycle") && err.contains("1 skipped"),
        "{err}"
    );
    let l = ludb();
    let out = cli(&[
        "--records",
        l.to_str().unwrap(),
        "--records",
        tmp.path().to_str().unwrap(),
        "--split",
        "models/ludb-split.txt",
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        err.contains("--split is given 1 time(s) for 2 --records"),
        "{err}"
    );
}

#[test]
fn a_record_at_another_rate_is_cut_at_its_own_then_scored_at_500_hz() {
    // PTB's s0010_re: the 12 standard leads (and Frank's) at 1000 Hz.
    let dir = common::data_dir().join("wfdb-samples");
    let name = "s0010_re".to_string();
    let found = folder_cycles(&dir, std::slice::from_ref(&name), &mut |_| {}).unwrap();
    assert!(found.skipped.is_empty(), "{:?}", found.skipped);
    assert_eq!(found.sources.annotator, 1);
    let record = open_record(&dir.join(&name)).unwrap();
    assert_eq!(record.fs, 1000.0);
    let at500 = ecg_panorama::signal::resample_record(&record, 500.0).unwrap();
    // A 38-s record at 60–80 bpm: dozens of cycles, each as long as it lasted at 500 Hz.
    assert!(found.cycles.len() >= 30, "{} cycles", found.cycles.len());
    for c in &found.cycles {
        assert!((100..=512).contains(&c.samples()), "{}", c.samples());
        assert_eq!(c.bounds.samples(), c.samples());
        // The cycle's leads are the resampled record's samples there, detrended.
        for (k, lead) in STANDARD_12.iter().enumerate() {
            let x = &at500.lead(lead).unwrap().samples[c.start..=c.end];
            let line = |i: usize| x[0] + (x[x.len() - 1] - x[0]) * i as f64 / (x.len() - 1) as f64;
            let err = x
                .iter()
                .enumerate()
                .map(|(i, v)| (v - line(i) - c.leads[k][i]).abs())
                .fold(0.0, f64::max);
            assert!(err < 1e-9, "{lead}: {err}");
        }
    }
    // And the whole evaluation runs on that folder, a table with its numbers.
    let tmp = tempfile::tempdir().unwrap();
    for ext in ["hea", "dat", "xyz"] {
        let f = format!("s0010_re.{ext}");
        std::fs::copy(dir.join(&f), tmp.path().join(&f)).unwrap();
    }
    let reports = cli_json(&["--records", tmp.path().to_str().unwrap()]);
    assert_eq!(
        reports[0]["cycles"].as_u64(),
        Some(found.cycles.len() as u64)
    );
    let cell = reports[0]["cells"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["task"] == "(3,9) from II, V2, V5" && c["method"] == "Nef-Net")
        .unwrap();
    assert!(cell["psnr_db"].as_f64().unwrap() > 20.0, "{cell}");
}
