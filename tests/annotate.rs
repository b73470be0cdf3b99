//! `annotate` and the files it writes, independent of how well the delineator does: hand-made
//! delineations read back in wfdb-python's `rdann`, and the command line on copies of a LUDB
//! record (never reading or replacing the cardiologists' files beside it without `--force`).

mod common;

use ecg_panorama::delineate::cycles::{Cycle, cycles};
use ecg_panorama::delineate::output::{OutputFormat, lead_annotations, write_outputs};
use ecg_panorama::delineate::{Beat, Delineation, LeadWaves, Wave, WaveKind};
use ecg_panorama::record::annotation::read_annotations;
use ecg_panorama::record::labels::CycleLabels;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Sample, symbol and aux of every annotation of each file, as `rdann` returns them.
const RDANN: &str = r#"
import json, sys, wfdb
out = []
for path in sys.argv[1:]:
    base, ext = path.rsplit('.', 1)
    a = wfdb.rdann(base, ext)
    out.append([[int(s), str(y), str(x)] for s, y, x in zip(a.sample, a.symbol, a.aux_note)])
print(json.dumps(out))
"#;

type Row = (i64, String, String);

fn rdann(paths: &[PathBuf]) -> Vec<Vec<Row>> {
    let args: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    serde_json::from_slice(&common::run_python(RDANN, &args)).expect("rdann JSON")
}

fn wave(kind: WaveKind, on: usize, peak: usize, off: usize) -> Wave {
    Wave {
        kind,
        on,
        peak,
        off,
    }
}

/// A 4 s record at 500 Hz: the first beat cut by the start (no P), a beat without T, a
/// junctional beat (no P), the last beat's T cut by the end; leads whose waves differ a little from the
/// global ones, so some cycle starts fall inside a lead's P wave.
fn hand_made() -> Delineation {
    let beat = |q: usize, p: bool, t: bool| Beat {
        p: p.then(|| wave(WaveKind::P, q - 80, q - 55, q - 30)),
        qrs: wave(WaveKind::Qrs, q, q + 20, q + 45),
        t: t.then(|| wave(WaveKind::T, q + 150, q + 220, q + 290)),
        rhythm: None,
    };
    let beats = vec![
        beat(30, false, true),
        beat(450, true, true),
        beat(870, true, false),
        beat(1290, false, true),
        Beat {
            t: Some(wave(WaveKind::T, 1860, 1930, 1999)),
            ..beat(1710, true, true)
        },
    ];
    let leads = ["I", "II", "V1", "aVR"]
        .iter()
        .enumerate()
        .map(|(k, name)| LeadWaves {
            lead: name.to_string(),
            waves: beats
                .iter()
                .flat_map(|b| [b.p, Some(b.qrs), b.t])
                .flatten()
                .map(|w| Wave {
                    on: w.on.saturating_sub(3 * k),
                    off: (w.off + k).min(1999),
                    ..w
                })
                .collect(),
        })
        .collect();
    Delineation {
        missing: Default::default(),
        fs: 500.0,
        len: 2000,
        leads,
        beats,
    }
}

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ecg-panorama"))
        .args(args)
        .output()
        .unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

const LUDB_LEADS: [&str; 12] = [
    "i", "ii", "iii", "avr", "avl", "avf", "v1", "v2", "v3", "v4", "v5", "v6",
];

/// A folder holding LUDB record 1's header and signals (and the listed annotation files).
fn ludb_copy(annotations: &[&str]) -> tempfile::TempDir {
    let src = common::data_dir().join("ludb/data");
    let dir = tempfile::tempdir().unwrap();
    for ext in ["hea", "dat"].iter().chain(annotations) {
        let name = format!("1.{ext}");
        std::fs::copy(src.join(&name), dir.path().join(&name)).unwrap();
    }
    dir
}

fn path_str(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn hand_made_delineation_reads_back_in_rdann() {
    let d = hand_made();
    let cs = cycles(&d);
    eprintln!("cycles: {cs:#?}");
    let dir = tempfile::tempdir().unwrap();
    let paths = write_outputs("made", &d, dir.path(), OutputFormat::Wfdb, false).unwrap();
    let names: Vec<String> = paths
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["made.i", "made.ii", "made.v1", "made.avr"]);
    let flags: Vec<String> = cs
        .iter()
        .flat_map(|c| c.flags.iter().map(|f| f.to_string()))
        .collect();
    assert_eq!(flags.len(), 5, "{flags:?}");
    let theirs = rdann(&paths);
    for ((lead, rows), path) in d.leads.iter().zip(&theirs).zip(&paths) {
        let ours = lead_annotations(lead, &cs, d.len);
        assert_eq!(read_annotations(path).unwrap(), ours, "{}", lead.lead);
        let (notes, triples): (Vec<&Row>, Vec<&Row>) = rows.iter().partition(|r| r.1 == "\"");
        // Same triples, in order.
        let want: Vec<Row> = lead
            .waves
            .iter()
            .flat_map(|w| {
                [
                    (w.on as i64, "(".to_string(), String::new()),
                    (w.peak as i64, w.kind.symbol().to_string(), String::new()),
                    (w.off as i64, ")".to_string(), String::new()),
                ]
            })
            .collect();
        let got: Vec<Row> = triples.into_iter().cloned().collect();
        assert_eq!(got, want, "{}", lead.lead);
        // Every flag once, as a note outside every triple (so none was dropped at sample 0).
        let aux: Vec<&str> = notes.iter().map(|n| n.2.as_str()).collect();
        assert_eq!(aux, flags, "{}", lead.lead);
        for n in &notes {
            assert!(n.0 > 0, "{n:?}");
            assert!(
                !lead
                    .waves
                    .iter()
                    .any(|w| w.on as i64 <= n.0 && n.0 <= w.off as i64),
                "{}: note {n:?} inside a wave",
                lead.lead
            );
        }
        // In file order too, no note sits between a `(` and its `)`.
        let mut open = false;
        for r in rows {
            match r.1.as_str() {
                "(" => open = true,
                ")" => open = false,
                "\"" => assert!(!open, "{}: {r:?} inside a triple", lead.lead),
                _ => {}
            }
        }
    }
}

#[test]
fn json_labels_carry_fs_cycles_and_the_seed_keys() {
    let d = hand_made();
    let dir = tempfile::tempdir().unwrap();
    let paths = write_outputs("made", &d, dir.path(), OutputFormat::Json, false).unwrap();
    assert_eq!(listing(dir.path()), ["made.json"]);
    let labels = CycleLabels::read(&paths[0]).unwrap();
    assert_eq!(labels.r_on, [30, 450, 870, 1290, 1710]);
    assert_eq!(labels.p_on.len(), 3);
    assert_eq!(labels.p_off.len(), 3);
    assert_eq!(labels.t_on.len(), 4);
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&paths[0]).unwrap()).unwrap();
    assert_eq!(doc["fs"], 500.0);
    assert_eq!(doc["record"], "made");
    assert_eq!(doc["samples"], 2000);
    let cycles: Vec<Cycle> = serde_json::from_value(doc["cycles"].clone()).unwrap();
    assert_eq!(cycles.len(), 5);
    for w in cycles.windows(2) {
        assert_eq!(w[0].next_p_on, w[1].p_on);
    }
    assert_eq!(doc["cycles"][0]["flags"][0], "no_p_wave");
    assert!(
        doc["cycles"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["flags"].as_array().unwrap().contains(&"no_t_wave".into()))
    );
}

#[test]
fn a_delineation_without_beats_writes_files_without_waves() {
    let mut d = hand_made();
    d.beats.clear();
    for lead in &mut d.leads {
        lead.waves.clear();
    }
    let dir = tempfile::tempdir().unwrap();
    let paths = write_outputs("flat", &d, dir.path(), OutputFormat::Both, false).unwrap();
    assert_eq!(paths.len(), 5);
    for p in &paths[..4] {
        assert_eq!(read_annotations(p).unwrap(), []);
    }
    assert_eq!(rdann(&paths[..4]), vec![Vec::<Row>::new(); 4]);
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&paths[4]).unwrap()).unwrap();
    assert_eq!(doc["cycles"], Value::Array(vec![]));
    assert_eq!(doc["R on"], Value::Array(vec![]));
}

#[test]
fn cli_never_replaces_a_reference_file_without_force() {
    let dir = ludb_copy(&["ii"]);
    let reference = std::fs::read(dir.path().join("1.ii")).unwrap();
    let before = listing(dir.path());
    let rec = dir.path().join("1");
    let out = run(&["annotate", path_str(&rec), "--out", path_str(dir.path())]);
    let err = stderr(&out);
    eprintln!("without --force: {err}");
    assert_eq!(out.status.code(), Some(1));
    assert!(err.contains("1.ii") && err.contains("--force"), "{err}");
    assert!(!err.contains("1.i,") && !err.contains("1.v6"), "{err}");
    assert_eq!(listing(dir.path()), before, "something was written");
    assert_eq!(std::fs::read(dir.path().join("1.ii")).unwrap(), reference);

    let out = run(&[
        "annotate",
        path_str(&rec),
        "--out",
        path_str(dir.path()),
        "--force",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let written: Vec<String> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect();
    assert_eq!(written.len(), 13, "{written:?}");
    let mut expected: Vec<String> = LUDB_LEADS.iter().map(|l| format!("1.{l}")).collect();
    expected.extend(["1.dat", "1.hea", "1.json"].map(String::from));
    expected.sort();
    assert_eq!(listing(dir.path()), expected);
    let replaced = std::fs::read(dir.path().join("1.ii")).unwrap();
    assert_ne!(replaced, reference, "--force did not replace 1.ii");
    assert!(read_annotations(&dir.path().join("1.ii")).is_ok());
}

#[test]
fn cli_works_from_the_signals_alone() {
    // Beside one copy, every reference file replaced by bytes no annotation reader accepts.
    let clean = ludb_copy(&[]);
    let cluttered = ludb_copy(&[]);
    for ext in LUDB_LEADS {
        std::fs::write(cluttered.path().join(format!("1.{ext}")), b"\x01").unwrap();
    }
    std::fs::write(cluttered.path().join("1.json"), b"{not json").unwrap();
    let outs = [tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap()];
    for (dir, out) in [&clean, &cluttered].iter().zip(&outs) {
        let rec = dir.path().join("1.hea");
        let o = run(&["annotate", path_str(&rec), "--out", path_str(out.path())]);
        assert!(o.status.success(), "{}", stderr(&o));
    }
    let names = listing(outs[0].path());
    assert_eq!(names.len(), 13);
    assert_eq!(listing(outs[1].path()), names);
    for name in &names {
        assert_eq!(
            std::fs::read(outs[0].path().join(name)).unwrap(),
            std::fs::read(outs[1].path().join(name)).unwrap(),
            "{name} depends on the files beside the record"
        );
    }
    // Written beside the record with --force, where the damaged files lie: still fine.
    let rec = cluttered.path().join("1");
    let o = run(&[
        "annotate",
        path_str(&rec),
        "--out",
        path_str(cluttered.path()),
        "--force",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn cli_json_format_writes_only_the_json() {
    let dir = ludb_copy(&[]);
    let out = tempfile::tempdir().unwrap();
    let rec = dir.path().join("1");
    let o = run(&[
        "annotate",
        path_str(&rec),
        "--out",
        path_str(out.path()),
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(listing(out.path()), ["1.json"]);
    let path = out.path().join("1.json");
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    eprintln!("R on: {}", doc["R on"]);
    assert_eq!(doc["fs"], 500.0);
    assert_eq!(doc["record"], "1");
    assert_eq!(doc["samples"], 5000);
    for key in ["P on", "P off", "R on", "R off", "T on", "T off", "cycles"] {
        assert!(doc[key].is_array(), "{key} missing: {doc}");
    }
    // The seed's reader refuses a file without any boundary, so it can only be asked once the
    // delineator finds beats; `delineation_cases` asks it unconditionally on a real record.
    if !doc["cycles"].as_array().unwrap().is_empty() {
        CycleLabels::read(&path).unwrap();
    }

    let o = run(&[
        "annotate",
        path_str(&rec),
        "--out",
        path_str(out.path()),
        "--format",
        "wfdb",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(listing(out.path()).len(), 13);
}

#[test]
fn cli_refuses_an_output_folder_that_is_a_file() {
    let dir = ludb_copy(&[]);
    let rec = dir.path().join("1");
    let file = dir.path().join("1.hea");
    let o = run(&["annotate", path_str(&rec), "--out", path_str(&file)]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1));
    assert!(err.contains("not a folder"), "{err}");
    assert_eq!(listing(dir.path()), ["1.dat", "1.hea"]);
    let o = run(&["annotate", path_str(&dir.path().join("nothing"))]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("nothing"), "{}", stderr(&o));
}

#[test]
fn cli_annotates_the_demo_record_without_a_path() {
    let out = tempfile::tempdir().unwrap();
    let o = run(&["annotate", "--out", path_str(out.path())]);
    assert!(o.status.success(), "{}", stderr(&o));
    eprintln!("{}", stderr(&o));
    let mut expected: Vec<String> = LUDB_LEADS
        .iter()
        .map(|l| format!("demo-synthetic.{l}"))
        .collect();
    expected.push("demo-synthetic.json".into());
    expected.sort();
    assert_eq!(listing(out.path()), expected);
    for name in &expected[..] {
        if !name.ends_with(".json") {
            assert!(read_annotations(&out.path().join(name)).is_ok(), "{name}");
        }
    }
}

/// LUDB record 1 with its leads renamed by `rename` and, when `flat`, every sample zero.
fn ludb_variant(rename: impl Fn(usize, &str) -> String, flat: bool) -> tempfile::TempDir {
    let dir = ludb_copy(&[]);
    let hea = dir.path().join("1.hea");
    let text = std::fs::read_to_string(&hea).unwrap();
    let lines: Vec<String> = text
        .lines()
        .enumerate()
        .map(|(i, line)| match (i, line.rsplit_once(' ')) {
            (1.., Some((head, name))) => format!("{head} {}", rename(i - 1, name)),
            _ => line.to_string(),
        })
        .collect();
    std::fs::write(&hea, lines.join("\n") + "\n").unwrap();
    if flat {
        // Format 16 with no checksum check: zeros are a flat line in every lead.
        let dat = dir.path().join("1.dat");
        let len = std::fs::metadata(&dat).unwrap().len() as usize;
        std::fs::write(&dat, vec![0u8; len]).unwrap();
    }
    dir
}

#[test]
fn leads_with_holter_names_are_delineated_and_a_flat_record_says_so() {
    // The same signals under names the 12 standard leads do not include.
    let unknown = ludb_variant(|i, _| format!("ECG{}", i + 1), false);
    let out_dir = unknown.path().join("new/out");
    let rec = unknown.path().join("1");
    let out = run(&[
        "annotate",
        path_str(&rec),
        "--out",
        path_str(&out_dir),
        "--format",
        "json",
    ]);
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert!(out_dir.is_dir(), "--out is created when missing");
    let renamed = CycleLabels::read(&out_dir.join("1.json")).unwrap();
    // LUDB record 1: a regular sinus rhythm, 8 beats in its 10 s.
    let original = ludb_copy(&[]);
    let out = run(&[
        "annotate",
        path_str(&original.path().join("1")),
        "--out",
        path_str(original.path()),
        "--format",
        "json",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let standard = CycleLabels::read(&original.path().join("1.json")).unwrap();
    assert!(standard.r_on.len() >= 8, "{:?}", standard.r_on);
    assert_eq!(renamed.r_on.len(), standard.r_on.len());
    for (a, b) in renamed.r_on.iter().zip(&standard.r_on) {
        // 10 ms at 500 Hz: the same QRS, whichever input slots the leads filled.
        assert!(a.abs_diff(*b) <= 5, "QRS onsets {a} and {b}");
    }

    // Standard names over a flat line.
    let flat = ludb_variant(|_, name| name.to_string(), true);
    let rec = flat.path().join("1");
    let err = annotate_without_beats(&rec, &flat.path().join("out"));
    assert!(
        err.contains("no beats found") && err.contains("flat: I, II, III"),
        "{err}"
    );
    assert!(!err.contains("hold no waves"), "{err}");
    assert!(!err.contains("unit label"), "zeros are not volts: {err}");
}

/// `annotate RECORD --out DIR` on a record without beats: it succeeds, and says why on stderr.
fn annotate_without_beats(record: &Path, out_dir: &Path) -> String {
    let out = run(&["annotate", path_str(record), "--out", path_str(out_dir)]);
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert!(err.contains(": 0 cycles"), "{err}");
    err
}

#[test]
fn a_record_in_volts_under_a_millivolt_label_is_told_its_unit_may_be_wrong() {
    // 1.2 mV spikes once a second, written in volts in a CSV that says nothing of units.
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("volts.csv");
    let mut text = String::from("time_s,II,V2\n");
    for i in 0..2500 {
        let v = if i % 250 < 20 { 0.0012 } else { 0.00002 };
        text += &format!("{},{v},{}\n", i as f64 / 250.0, v / 2.0);
    }
    std::fs::write(&csv, text).unwrap();
    let err = annotate_without_beats(&csv, &dir.path().join("out"));
    assert!(
        err.contains("flat: II, V2") && err.contains("if the file stores volts"),
        "{err}"
    );
}
