//! `ecg-panorama report` and `ecg-panorama figure` as a user runs them: real records to valid
//! PDF, SVG and PNG files, a two-lead QTDB record, a folder with a broken record in it, an
//! unreadable record, and bad arguments.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ecg-panorama"))
        .args(args)
        .output()
        .unwrap()
}

fn ok(args: &[&str]) -> String {
    let out = run(args);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{args:?} failed: {stderr}");
    stderr
}

fn fails(args: &[&str]) -> String {
    let out = run(args);
    assert!(!out.status.success(), "{args:?} should fail");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// The file starts as its format says.
fn assert_valid(path: &Path) {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    match path.extension().unwrap().to_str().unwrap() {
        "pdf" => {
            assert!(bytes.starts_with(b"%PDF-"));
            let tail = &bytes[bytes.len().saturating_sub(32)..];
            assert!(tail.windows(5).any(|w| w == b"%%EOF"), "a complete PDF");
        }
        "svg" => {
            assert!(bytes.starts_with(b"<svg "));
            resvg::usvg::Tree::from_data(&bytes, &resvg::usvg::Options::default()).unwrap();
        }
        "png" => {
            let reader = png::Decoder::new(std::io::Cursor::new(&bytes))
                .read_info()
                .unwrap();
            assert!(reader.info().width > 100 && reader.info().height > 100);
        }
        other => panic!("unexpected extension {other}"),
    }
}

fn ludb(n: u32) -> PathBuf {
    common::data_dir().join(format!("ludb/data/{n}"))
}

#[test]
fn report_of_an_ludb_record_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    for ext in ["pdf", "svg", "png"] {
        let out = dir.path().join(format!("1.{ext}"));
        ok(&["report", s(&ludb(1)), "--out", s(&out)]);
        assert_valid(&out);
    }
    let svg = std::fs::read_to_string(dir.path().join("1.svg")).unwrap();
    // LUDB's header comments: "#<age>: 51", "#<sex>: F".
    assert!(svg.contains(">Age 51  ·  Sex F<"), "patient line");
    let rate: f64 = svg
        .split(">Rate ")
        .nth(1)
        .and_then(|r| r.split(' ').next())
        .and_then(|r| r.parse().ok())
        .expect("a rate from the cycles of 1.ii");
    assert!((30.0..200.0).contains(&rate), "{rate}");
    assert!(svg.contains("1.ii"), "says where the cycles came from");

    // Letter paper, with synthesized extra leads from the dipole engine.
    let out = dir.path().join("letter.svg");
    ok(&[
        "report",
        s(&ludb(1)),
        "--out",
        s(&out),
        "--paper",
        "letter",
        "--views",
        "V4R,V8,90,180",
        "--engine",
        "dipole",
        "--inputs",
        "I,II,V2",
    ]);
    let svg = std::fs::read_to_string(&out).unwrap();
    assert!(svg.contains(r#"width="279.4mm" height="215.9mm""#));
    assert_eq!(svg.matches("class=\"trace synthesized\"").count(), 3);
    assert!(svg.contains("Synthesized by Dipole from I, II, V2"));
}

#[test]
fn report_and_record_figure_of_a_two_lead_qtdb_record() {
    let dir = tempfile::tempdir().unwrap();
    let rec = common::data_dir().join("qtdb/sel100");
    let out = dir.path().join("sel100.svg");
    ok(&["report", s(&rec), "--out", s(&out)]);
    assert_valid(&out);
    let svg = std::fs::read_to_string(&out).unwrap();
    assert!(svg.contains(">2-lead ECG<"));
    assert_eq!(
        svg.matches("class=\"trace\"").count(),
        2,
        "one 10-s strip per lead"
    );
    let fig = dir.path().join("sel100-record.png");
    ok(&["figure", s(&rec), "--kind", "record", "--out", s(&fig)]);
    assert_valid(&fig);
}

#[test]
fn holter_channels_without_a_viewpoint_get_their_record_figure_and_a_plain_no_for_views() {
    let dir = tempfile::tempdir().unwrap();
    // sel34 names its leads ECG1 and ECG2: their direction from the heart is unknown.
    let rec = common::data_dir().join("qtdb/sel34");
    let fig = dir.path().join("sel34-record.svg");
    ok(&["figure", s(&rec), "--kind", "record", "--out", s(&fig)]);
    assert_valid(&fig);
    let grid = dir.path().join("sel34-grid.svg");
    let err = fails(&["figure", s(&rec), "--kind", "grid", "--out", s(&grid)]);
    assert!(
        err.contains("ECG1, ECG2") && err.contains("has a known viewpoint"),
        "{err}"
    );
    assert!(!grid.exists(), "nothing is written on a refusal");
}

#[test]
fn figures_without_the_window() {
    let dir = tempfile::tempdir().unwrap();
    let cases: [(&str, &[&str]); 4] = [
        ("record", &[]),
        ("grid", &["--engine", "dipole", "--cycle", "2"]),
        ("panorama", &["--view", "V4R"]),
        (
            "panorama",
            &["--view", "60,-120", "--strip", "--engine", "dipole"],
        ),
    ];
    let rec = ludb(2);
    for (i, (kind, extra)) in cases.iter().enumerate() {
        for ext in ["pdf", "svg", "png"] {
            let out = dir.path().join(format!("{kind}{i}.{ext}"));
            let mut args = vec!["figure", s(&rec), "--kind", kind, "--out", s(&out)];
            args.extend_from_slice(extra);
            ok(&args);
            assert_valid(&out);
        }
    }
    let grid = std::fs::read_to_string(dir.path().join("grid1.svg")).unwrap();
    assert_eq!(grid.matches("class=\"trace\"").count(), 24);
    assert!(grid.contains("cycle 3 of"));
    let view = std::fs::read_to_string(dir.path().join("panorama2.svg")).unwrap();
    assert!(view.contains("Nef-Net from II, V2, V5") && view.contains("recorded"));
    let err = fails(&[
        "figure",
        s(&ludb(2)),
        "--kind",
        "grid",
        "--cycle",
        "99",
        "--out",
        s(&dir.path().join("x.png")),
    ]);
    assert!(err.contains("--cycle 99"), "{err}");
}

/// A folder with LUDB records 1 and 2 (links to the shared files) and a broken header.
fn folder_with_a_broken_record(dir: &Path) -> PathBuf {
    let records = dir.join("records");
    std::fs::create_dir_all(&records).unwrap();
    let data = common::data_dir().join("ludb/data");
    for entry in std::fs::read_dir(&data).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        if name.starts_with("1.") || name.starts_with("2.") {
            std::os::unix::fs::symlink(&path, records.join(&name)).unwrap();
        }
    }
    std::fs::write(
        records.join("broken.hea"),
        "broken 12 500 5000\nnot a signal line\n",
    )
    .unwrap();
    records
}

#[test]
fn a_folder_is_drawn_in_one_call_and_broken_records_are_listed() {
    let dir = tempfile::tempdir().unwrap();
    let records = folder_with_a_broken_record(dir.path());
    for (cmd, extra, names) in [
        ("report", vec![], ["1.pdf", "2.pdf"]),
        (
            "figure",
            vec!["--kind", "record", "--format", "svg"],
            ["1-record.svg", "2-record.svg"],
        ),
    ] {
        let out = dir.path().join(cmd);
        let mut args = vec![cmd, s(&records), "--out", s(&out)];
        args.extend(extra);
        let stderr = ok(&args);
        assert!(stderr.contains("2 of 3 records written"), "{stderr}");
        let skipped = stderr.split("skipped 1:").nth(1).expect("a skipped list");
        assert!(skipped.contains("broken"), "{stderr}");
        let mut written: Vec<String> = std::fs::read_dir(&out)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        written.sort();
        assert_eq!(written, names);
        for n in names {
            assert_valid(&out.join(n));
        }
    }
    // Only broken records: the call fails.
    let only = dir.path().join("only-broken");
    std::fs::create_dir_all(&only).unwrap();
    std::fs::copy(records.join("broken.hea"), only.join("broken.hea")).unwrap();
    let err = fails(&["report", s(&only), "--out", s(&dir.path().join("none"))]);
    assert!(err.contains("every record"), "{err}");
}

#[test]
fn an_unreadable_record_or_bad_arguments_fail_cleanly_leaving_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let records = folder_with_a_broken_record(dir.path());
    let out_dir = dir.path().join("out");
    std::fs::create_dir_all(&out_dir).unwrap();
    let out = out_dir.join("broken.pdf");
    let err = fails(&["report", s(&records.join("broken")), "--out", s(&out)]);
    assert!(err.contains("broken"), "{err}");
    let err = fails(&[
        "figure",
        s(&records.join("broken")),
        "--kind",
        "record",
        "--out",
        s(&out),
    ]);
    assert!(err.contains("broken"), "{err}");
    let missing = dir.path().join("no-such-record");
    fails(&["report", s(&missing), "--out", s(&out)]);
    let (txt, pdf) = (out_dir.join("x.txt"), out_dir.join("x.pdf"));
    for (args, what) in [
        (vec!["--out", s(&txt)], ".pdf, .svg or .png"),
        (vec!["--out", s(&pdf), "--format", "png"], "--format png"),
        (vec!["--out", s(&pdf), "--views", "V10"], "V10"),
        (vec!["--out", s(&pdf), "--views", "90"], "no φ"),
        (vec!["--out", s(&pdf), "--paper", "a3"], "a3"),
    ] {
        let rec = ludb(1);
        let mut all = vec!["report", s(&rec)];
        all.extend(args);
        let err = fails(&all);
        assert!(err.contains(what), "{all:?}: {err}");
    }
    assert_eq!(
        std::fs::read_dir(&out_dir).unwrap().count(),
        0,
        "nothing half-written"
    );
}

#[test]
fn atrial_fibrillation_records_get_their_views() {
    // LUDB 51 (its wave file marks no P wave) and CPSC 2021 data_84_3 (persistent AF, cycles
    // from the annotator): every cycle lacks a P wave, and each still has a synthesized view.
    let dir = tempfile::tempdir().unwrap();
    for (rec, name) in [
        (ludb(51), "ludb51.svg"),
        (
            common::data_dir().join("cpsc2021-samples/data_84_3"),
            "af.svg",
        ),
    ] {
        let fig = dir.path().join(name);
        ok(&["figure", s(&rec), "--kind", "grid", "--out", s(&fig)]);
        assert_valid(&fig);
    }
}

#[test]
fn a_record_without_beats_is_reported_with_the_reason_not_bare_dashes() {
    // LUDB record 1's header over zeros (format 16: a flat line in every lead), without its
    // wave files, so the annotator cuts the cycles.
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(ludb(1).with_extension("hea"), dir.path().join("1.hea")).unwrap();
    let len = std::fs::metadata(ludb(1).with_extension("dat"))
        .unwrap()
        .len() as usize;
    std::fs::write(dir.path().join("1.dat"), vec![0u8; len]).unwrap();
    let out = dir.path().join("flat.svg");
    let stderr = ok(&["report", s(&dir.path().join("1")), "--out", s(&out)]);
    assert_valid(&out);
    let svg = std::fs::read_to_string(&out).unwrap();
    let said = "no beats found: no lead the annotator reads holds a signal; flat: I, II, III";
    assert!(
        svg.contains(said),
        "the page says why it has no measurements"
    );
    assert!(
        stderr.contains("warning") && stderr.contains(said),
        "{stderr}"
    );
    assert!(svg.contains("Rate — bpm"), "no value is made up");
}
