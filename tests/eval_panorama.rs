//! The panorama evaluation: PSNR and SSIM agree with numpy and scikit-image, LUDB cycles come
//! from the lead II boundary file, the baselines are exact where they must be, the
//! `eval-panorama` JSON holds every task × method cell, and a database without boundary files
//! (PTB-XL) is scored on the annotator's cycles beside LUDB, a 1000 Hz record at 500 Hz.

mod common;

use ecg_panorama::delineate::CycleBounds;
use ecg_panorama::eval::panorama::{
    Cycle, DipoleLeastSquares, LinearRegression, Method, clip, folder_cycles, ludb_cycles, psnr,
    ssim_1d, standard_tasks,
};
use ecg_panorama::geometry::{STANDARD_12, lead_view, normalise_lead_name};
use ecg_panorama::record::open_record;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn ludb() -> PathBuf {
    common::data_dir().join("ludb/data")
}

/// A small deterministic generator (xorshift64*), uniform in [0, 1).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64
    }

    fn signal(&mut self, n: usize, scale: f64) -> Vec<f64> {
        (0..n).map(|_| scale * (self.next() - 0.3)).collect()
    }
}

fn bytes(x: &[f64]) -> Vec<u8> {
    x.iter().flat_map(|v| v.to_le_bytes()).collect()
}

fn max_err(a: &[f64], b: &[f64]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max)
}

/// Run Python `code` on `chunks` (written to a temporary file as little-endian f64, their
/// lengths comma-separated in `sys.argv[2]`); its stdout as f64 values.
fn python_on(code: &str, chunks: &[Vec<f64>]) -> Vec<f64> {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("data.f64");
    std::fs::write(
        &path,
        chunks.iter().flat_map(|c| bytes(c)).collect::<Vec<u8>>(),
    )
    .unwrap();
    let lens: Vec<String> = chunks.iter().map(|c| c.len().to_string()).collect();
    common::f64s(&common::run_python(
        code,
        &[path.to_str().unwrap(), &lens.join(",")],
    ))
}

/// scikit-image SSIM (data_range 1) and numpy PSNR agree with ours on every pair.
fn assert_scores_match(pairs: &[(Vec<f64>, Vec<f64>)]) {
    let code = r#"
import sys, numpy as np
from skimage.metrics import structural_similarity
data = np.fromfile(sys.argv[1], dtype='<f8'); out = []; at = 0
for n in map(int, sys.argv[2].split(',')[::2]):
    a, b = data[at:at + n], data[at + n:at + 2 * n]; at += 2 * n
    out += [structural_similarity(a, b, data_range=1),
            20 * np.log10(1 / np.sqrt(np.mean((a - b) ** 2)))]
sys.stdout.buffer.write(np.array(out, dtype='<f8').tobytes())
"#;
    let chunks: Vec<Vec<f64>> = pairs
        .iter()
        .flat_map(|(a, b)| [a.clone(), b.clone()])
        .collect();
    let want = python_on(code, &chunks);
    for ((a, b), w) in pairs.iter().zip(want.chunks(2)) {
        let (ssim, p) = (ssim_1d(a, b, 1.0), psnr(a, b));
        let ok = (ssim - w[0]).abs() < 1e-9 && (p - w[1]).abs() < 1e-9;
        assert!(
            ok,
            "n={}: SSIM {ssim} vs {}, PSNR {p} vs {}",
            a.len(),
            w[0],
            w[1]
        );
    }
}

#[test]
fn ssim_and_psnr_match_scikit_image_and_numpy_on_random_signals() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let pairs: Vec<_> = [7, 8, 13, 100, 257, 512]
        .into_iter()
        .flat_map(|n| [(n, 1.0, 0.05), (n, 2.0, 0.5), (n, 0.1, 0.01)])
        .map(|(n, scale, noise)| {
            let a = rng.signal(n, scale);
            let b = a.iter().map(|v| v + noise * (rng.next() - 0.5)).collect();
            (a, b)
        })
        .collect();
    assert_scores_match(&pairs);
}

#[test]
fn ssim_and_psnr_match_scikit_image_and_numpy_on_real_cycles() {
    let cycles = ludb_cycles(&ludb(), &["2".to_string(), "4".to_string()]).unwrap();
    assert!(cycles.len() >= 10);
    let pairs: Vec<_> = cycles
        .iter()
        .flat_map(|c| {
            let scale = c.scale();
            let inputs: Vec<(&str, &[f64])> =
                ["II", "V2", "V5"].map(|n| (n, c.lead(n).unwrap())).to_vec();
            ["V4", "I", "aVL"].map(|t| {
                let p = DipoleLeastSquares.predict(&inputs, &c.bounds, t).unwrap();
                (scale.apply(c.lead(t).unwrap()), clip(&scale.apply(&p)))
            })
        })
        .collect();
    assert_scores_match(&pairs);
}

/// Every complete `( p ) ( N ) ( t )` beat followed by `( p )` in `NAME.ii`, as wfdb-python
/// reads it: (P onset, next P onset).
fn python_complete_cycles(name: &str) -> Vec<(usize, usize)> {
    let code = r#"
import sys, wfdb, numpy as np
a = wfdb.rdann(sys.argv[1], 'ii'); s = list(a.symbol); x = list(a.sample); out = []
beat = ['(', 'p', ')', '(', 'N', ')', '(', 't', ')']
for i in range(len(s)):
    if s[i:i + 9] == beat and s[i + 9:i + 12] == ['(', 'p', ')']:
        out += [x[i], x[i + 9]]
sys.stdout.buffer.write(np.array(out, dtype='<f8').tobytes())
"#;
    let path = ludb().join(name);
    let v = common::f64s(&common::run_python(code, &[path.to_str().unwrap()]));
    v.chunks(2)
        .map(|c| (c[0] as usize, c[1] as usize))
        .collect()
}

#[test]
fn cycles_come_from_the_lead_ii_boundaries_complete_and_detrended() {
    for name in ["1", "2", "4"] {
        let complete = python_complete_cycles(name);
        let want: Vec<(usize, usize)> = complete
            .iter()
            .copied()
            .filter(|(s, e)| (100..=512).contains(&(e - s + 1)))
            .collect();
        let cycles = ludb_cycles(&ludb(), &[name.to_string()]).unwrap();
        let got: Vec<(usize, usize)> = cycles.iter().map(|c| (c.start, c.end)).collect();
        assert_eq!(got, want, "record {name}");
        if name == "1" {
            // Sinus bradycardia: every complete beat is longer than 512 samples.
            assert!(!complete.is_empty() && got.is_empty());
        } else {
            assert!(got.len() >= 5, "record {name}: {got:?}");
        }
        // Record 4 has one 522-sample beat.
        assert_eq!(want.len() < complete.len(), name != "2", "record {name}");
        let record = open_record(&ludb().join(name)).unwrap();
        for c in &cycles {
            assert!((100..=512).contains(&c.samples()) && c.record == name);
            for (lead, d) in STANDARD_12.iter().zip(&c.leads) {
                assert_eq!(d.len(), c.samples());
                assert_eq!((d[0], d[d.len() - 1]), (0.0, 0.0), "{name} {lead}");
                let raw = &record.lead(lead).unwrap().samples[c.start..=c.end];
                let span = (c.end - c.start) as f64;
                for (i, (&r, &v)) in raw.iter().zip(d).enumerate() {
                    let line = raw[0] + (raw[raw.len() - 1] - raw[0]) * i as f64 / span;
                    assert!((r - line - v).abs() < 1e-12);
                }
            }
        }
    }
}

fn unit(name: &str) -> glam::DVec3 {
    lead_view(&normalise_lead_name(name), false)
        .unwrap()
        .viewpoint
        .unit_vector()
}

#[test]
fn dipole_least_squares_recovers_a_pure_dipole_view() {
    let mut rng = Rng(7);
    let d: Vec<glam::DVec3> = (0..300)
        .map(|_| glam::DVec3::new(rng.next(), rng.next(), rng.next()) - 0.5)
        .collect();
    let project = |name: &str| -> Vec<f64> { d.iter().map(|v| v.dot(unit(name))).collect() };
    let bounds = CycleBounds::new([0, 30, 60, 90, 150, 200, 299], 300).unwrap();
    for inputs in [
        vec!["II", "V2", "V5"],
        vec!["I", "aVF", "V1"],
        STANDARD_12[..8].to_vec(),
    ] {
        let signals: Vec<Vec<f64>> = inputs.iter().map(|n| project(n)).collect();
        let given: Vec<(&str, &[f64])> = inputs
            .iter()
            .zip(&signals)
            .map(|(n, s)| (*n, s.as_slice()))
            .collect();
        for target in ["V4", "I", "aVR", "V6"] {
            let got = DipoleLeastSquares.predict(&given, &bounds, target).unwrap();
            let err = max_err(&got, &project(target));
            assert!(err < 1e-12, "{inputs:?} → {target}: {err}");
        }
    }
    let one = [("II", project("II"))];
    let given: Vec<(&str, &[f64])> = one.iter().map(|(n, s)| (*n, s.as_slice())).collect();
    assert!(
        DipoleLeastSquares.predict(&given, &bounds, "V4").is_none(),
        "fewer than 3 inputs"
    );
}

/// A synthetic cycle whose limb leads obey Einthoven's and Goldberger's relations exactly.
fn einthoven_cycle(rng: &mut Rng, n: usize) -> Cycle {
    let i = rng.signal(n, 1.0);
    let ii = rng.signal(n, 1.5);
    // I, II, III, aVR, aVL, aVF as a·I + b·II.
    let mut leads: Vec<Vec<f64>> = [
        (1.0, 0.0),
        (0.0, 1.0),
        (-1.0, 1.0),
        (-0.5, -0.5),
        (1.0, -0.5),
    ]
    .into_iter()
    .chain([(-0.5, 1.0)])
    .map(|(a, b)| i.iter().zip(&ii).map(|(x, y)| a * x + b * y).collect())
    .collect();
    leads.extend((0..6).map(|_| rng.signal(n, 2.0)));
    Cycle {
        record: "synthetic".into(),
        start: 0,
        end: n - 1,
        leads,
        bounds: CycleBounds::new([0, n / 8, n / 5, n / 4, n / 2, 2 * n / 3, n - 1], n).unwrap(),
    }
}

#[test]
fn linear_regression_is_exact_when_targets_are_linear_in_the_inputs() {
    let mut rng = Rng(42);
    let train: Vec<Cycle> = (0..20)
        .map(|k| einthoven_cycle(&mut rng, 150 + k))
        .collect();
    let test: Vec<Cycle> = (0..5)
        .map(|k| einthoven_cycle(&mut rng, 200 + 7 * k))
        .collect();
    let lr = LinearRegression::fit(&train);
    let task = &standard_tasks()[3];
    let (w, b) = lr.coefficients(&["I", "II"], "III").unwrap();
    assert!((w[0] + 1.0).abs() < 1e-9 && (w[1] - 1.0).abs() < 1e-9 && b.abs() < 1e-9);
    for c in &test {
        let inputs: Vec<(&str, &[f64])> = task
            .inputs
            .iter()
            .map(|n| (n.as_str(), c.lead(n).unwrap()))
            .collect();
        for t in &task.targets {
            let got = lr.predict(&inputs, &c.bounds, t).unwrap();
            let err = max_err(&got, c.lead(t).unwrap());
            assert!(err < 1e-9, "{t}: {err}");
        }
    }
}

#[test]
fn linear_regression_matches_numpy_least_squares_on_ludb_cycles() {
    let cycles = ludb_cycles(&ludb(), &["2".to_string(), "3".to_string()]).unwrap();
    let lr = LinearRegression::fit(&cycles);
    // Lead-major per cycle: 12 rows of the cycle's samples.
    let code = r#"
import sys, numpy as np
data = np.fromfile(sys.argv[1], dtype='<f8'); parts = []; at = 0
for n in map(int, sys.argv[2].split(',')):
    parts.append(data[at:at + n].reshape(12, n // 12)); at += n
X = np.concatenate(parts, axis=1)
A = np.column_stack([X[1], X[7], X[10], np.ones(X.shape[1])])
coef = np.linalg.lstsq(A, X[0], rcond=None)[0]
sys.stdout.buffer.write(coef.astype('<f8').tobytes())
"#;
    let chunks: Vec<Vec<f64>> = cycles.iter().map(|c| c.leads.concat()).collect();
    let want = python_on(code, &chunks);
    let (w, b) = lr.coefficients(&["II", "V2", "V5"], "I").unwrap();
    for (got, want) in w.iter().chain([&b]).zip(&want) {
        assert!(
            (got - want).abs() < 1e-9 * (1.0 + want.abs()),
            "{got} vs {want}"
        );
    }
}

fn cli(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_ecg-panorama"))
        .arg("eval-panorama")
        .args(args)
        .output()
        .unwrap()
}

/// `eval-panorama ARGS --json`, which must succeed, parsed.
fn cli_json(args: &[&str]) -> Value {
    let out = cli(&[args, &["--json"]].concat());
    let notes = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{notes}");
    serde_json::from_slice(&out.stdout).unwrap()
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
