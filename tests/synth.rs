//! The panorama engine and `ecg-panorama synth`: the dipole engine on a known dipole, exact
//! limb leads, where cycles come from, and the CSV the command writes on LUDB record 2.

mod common;

use ecg_panorama::delineate::CycleBounds;
use ecg_panorama::eval::panorama::DipoleLeastSquares;
use ecg_panorama::geometry::{Viewpoint, lead_view, normalise_lead_name};
use ecg_panorama::panorama::{
    CycleInput, CycleSource, DipoleEngine, Engine, EngineKind, engine_for, find_record_cycles,
    record_cycles,
};
use ecg_panorama::record::annotation::read_annotations;
use ecg_panorama::record::open_record;
use ecg_panorama::signal::detrend;
use glam::DVec3;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn ludb(name: &str) -> PathBuf {
    common::data_dir().join("ludb/data").join(name)
}

fn view(name: &str) -> Viewpoint {
    lead_view(&normalise_lead_name(name), false)
        .unwrap()
        .viewpoint
}

fn synth(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ecg-panorama"))
        .arg("synth")
        .args(args)
        .output()
        .unwrap()
}

/// Run `synth` and return the CSV it wrote.
fn synth_csv(record: &Path, args: &[&str], dir: &Path) -> String {
    let out = dir.join(format!("out-{}.csv", std::process::id()));
    let mut all = vec![record.to_str().unwrap()];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--out", out.to_str().unwrap()]);
    let run = synth(&all);
    assert!(
        run.status.success(),
        "synth {all:?} failed: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    let text = std::fs::read_to_string(&out).unwrap();
    std::fs::remove_file(&out).unwrap();
    text
}

/// A deterministic stream of numbers in [0, 1).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// A cycle whose leads `names` are exact projections of a moving heart vector.
fn pure_dipole(names: &[&str], n: usize) -> (CycleInput, Vec<DVec3>) {
    let d: Vec<DVec3> = (0..n)
        .map(|i| {
            let t = i as f64 / n as f64;
            DVec3::new(
                0.4 * (5.0 * t).sin() + (-(t - 0.35).powi(2) * 300.0).exp(),
                1.2 * (-(t - 0.37).powi(2) * 500.0).exp() - 0.2,
                0.5 * (9.0 * t + 1.0).cos(),
            )
        })
        .collect();
    let leads = names
        .iter()
        .map(|&name| {
            let u = view(name).unit_vector();
            (name.to_string(), d.iter().map(|v| u.dot(*v)).collect())
        })
        .collect();
    let input = CycleInput {
        fs: 500.0,
        leads,
        boundaries: CycleBounds::new([0, 45, 80, 130, 200, 280, n - 1], n).unwrap(),
    };
    (input, d)
}

#[test]
fn dipole_engine_reproduces_a_pure_dipole_at_arbitrary_viewpoints() {
    let (input, d) = pure_dipole(&["II", "V2", "V5"], 400);
    let mut rng = Lcg(7);
    let views: Vec<Viewpoint> = (0..200)
        .map(|_| Viewpoint::new(rng.next() * std::f64::consts::PI, (rng.next() - 0.5) * 6.3))
        .collect();
    let wrapped = engine_for(EngineKind::Dipole, None).unwrap();
    assert_eq!(wrapped.name(), "dipole");
    for engine in [&DipoleEngine as &dyn Engine, wrapped.as_ref()] {
        let field = engine.encode(&input).unwrap();
        let out = engine.render(&field, &views).unwrap();
        assert_eq!(out.len(), views.len());
        for (v, x) in views.iter().zip(&out) {
            assert_eq!(x.len(), 400);
            let u = v.unit_vector();
            for (got, dv) in x.iter().zip(&d) {
                assert!(
                    (got - u.dot(*dv)).abs() < 1e-9,
                    "{v:?}: {got} vs {}",
                    u.dot(*dv)
                );
            }
        }
    }
}

#[test]
fn limb_leads_from_i_and_ii_are_exact() {
    let (input, _) = pure_dipole(&["I", "II", "V2"], 300);
    let (i, ii) = (&input.leads[0].1, &input.leads[1].1);
    let engine = engine_for(EngineKind::Dipole, None).unwrap();
    let field = engine.encode(&input).unwrap();
    let names = ["I", "II", "V2", "III", "aVR", "aVL", "aVF"];
    let views: Vec<Viewpoint> = names.iter().map(|n| view(n)).collect();
    let out = engine.render(&field, &views).unwrap();
    let from =
        |f: fn(f64, f64) -> f64| -> Vec<f64> { i.iter().zip(ii).map(|(&a, &b)| f(a, b)).collect() };
    assert_eq!(&out[0], i);
    assert_eq!(&out[1], ii);
    assert_eq!(out[2], input.leads[2].1);
    assert_eq!(out[3], from(|a, b| b - a), "III = II − I");
    assert_eq!(out[4], from(|a, b| -(a + b) / 2.0), "aVR = −(I + II)/2");
    assert_eq!(out[5], from(|a, b| a - b / 2.0), "aVL = I − II/2");
    assert_eq!(out[6], from(|a, b| b - a / 2.0), "aVF = II − I/2");
}

/// The cycles of a LUDB wave file read straight from its annotations: `( p ) ( N ) ( t ) ( p`
/// in a row, boundaries at the brackets.
fn cycles_by_hand(path: &Path) -> Vec<[usize; 7]> {
    let anns = read_annotations(path).unwrap();
    let sym: Vec<&str> = anns.iter().map(|a| a.symbol.as_str()).collect();
    let pattern = ["(", "p", ")", "(", "N", ")", "(", "t", ")", "(", "p", ")"];
    (0..anns.len().saturating_sub(pattern.len() - 1))
        .filter(|&i| sym[i..i + pattern.len()] == pattern)
        .map(|i| [0, 2, 3, 5, 6, 8, 9].map(|k| anns[i + k].sample as usize))
        .collect()
}

#[test]
fn record_cycles_come_from_the_lead_ii_wave_file() {
    let path = ludb("2");
    let record = open_record(&path).unwrap();
    let (source, found) = find_record_cycles(&record, Some(&path)).unwrap();
    assert_eq!(source, CycleSource::WaveFile(ludb("2.ii")));
    let want = cycles_by_hand(&ludb("2.ii"));
    assert!(want.len() >= 5, "{} cycles in 2.ii", want.len());
    let got: Vec<[usize; 7]> = found.iter().map(CycleBounds::as_array).collect();
    assert_eq!(got, want);
    // The same with the header's path.
    assert_eq!(record_cycles(&record, Some(&ludb("2.hea"))).unwrap(), found);
}

#[test]
fn record_cycles_fall_back_to_the_annotator_without_a_wave_file() {
    let dir = tempfile::tempdir().unwrap();
    for ext in ["hea", "dat"] {
        std::fs::copy(
            ludb(&format!("2.{ext}")),
            dir.path().join(format!("2.{ext}")),
        )
        .unwrap();
    }
    let path = dir.path().join("2");
    let record = open_record(&path).unwrap();
    let (source, found) = find_record_cycles(&record, Some(&path)).unwrap();
    assert_eq!(source, CycleSource::Annotator);
    assert!(found.len() >= 5, "{} cycles", found.len());
    assert!(found.iter().all(|b| b.end() < record.len()));
    // The annotator finds the cardiologists' cycles: every P onset of 2.ii within 40 ms.
    for b in cycles_by_hand(&ludb("2.ii")) {
        let nearest = found
            .iter()
            .map(|c| c.start().abs_diff(b[0]))
            .min()
            .unwrap();
        assert!(
            nearest <= 20,
            "P onset {} missed by {nearest} samples",
            b[0]
        );
    }
}

/// Cells of a CSV row, `None` when empty.
fn parse_row(line: &str) -> Vec<Option<f64>> {
    line.split(',')
        .map(|c| (!c.is_empty()).then(|| c.parse().unwrap()))
        .collect()
}

#[test]
fn synth_on_ludb_2_writes_every_sample_with_exact_avf_and_dipole_v1() {
    let dir = tempfile::tempdir().unwrap();
    let record = open_record(&ludb("2")).unwrap();
    let args = [
        "--engine", "dipole", "--inputs", "I,II,V2", "--view", "V1", "--view", "90,180", "--view",
        "aVF",
    ];
    let csv = synth_csv(&ludb("2"), &args, dir.path());
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some("time_s,V1,theta90_phi180,aVF"));
    let rows: Vec<Vec<Option<f64>>> = lines.map(parse_row).collect();
    assert_eq!(rows.len(), record.len(), "one row per record sample");

    let cycles: Vec<CycleBounds> = record_cycles(&record, Some(&ludb("2"))).unwrap();
    // Which cycle owns each sample: the later one where two share their P onset.
    let mut owner = vec![None; record.len()];
    for (k, c) in cycles.iter().enumerate() {
        owner[c.start()..=c.end()]
            .iter_mut()
            .for_each(|o| *o = Some(k));
    }
    let lead = |n: &str| record.lead(n).unwrap().samples.as_slice();
    let (i, ii, v2) = (lead("I"), lead("II"), lead("V2"));
    // What the cycle sees: each input lead detrended by the line through its two P onsets.
    // aVF is II − I/2 of those; compared with II − I/2 of the record detrended the same way
    // (detrending is linear, so the two differ by rounding only).
    let avf_ref: Vec<Vec<f64>> = cycles
        .iter()
        .map(|c| {
            let x: Vec<f64> = (c.start()..=c.end()).map(|t| ii[t] - i[t] / 2.0).collect();
            detrend(&x)
        })
        .collect();
    let w = DipoleLeastSquares::weights(&["I", "II", "V2"], "V1").unwrap();
    let detrended: Vec<[Vec<f64>; 3]> = cycles
        .iter()
        .map(|c| [i, ii, v2].map(|x| detrend(&x[c.start()..=c.end()])))
        .collect();
    let mut filled = 0;
    for (t, row) in rows.iter().enumerate() {
        assert_eq!(row.len(), 4);
        let time = row[0].unwrap();
        assert!((time - t as f64 / record.fs).abs() < 1e-12, "time at {t}");
        match owner[t] {
            None => assert!(
                row[1..].iter().all(Option::is_none),
                "sample {t} outside cycles"
            ),
            Some(k) => {
                filled += 1;
                let j = t - cycles[k].start();
                let avf = row[3].unwrap();
                assert!((avf - avf_ref[k][j]).abs() < 1e-9, "aVF at {t}: {avf}");
                let x = &detrended[k];
                let v1: f64 = (0..3).map(|l| w[l] * x[l][j]).sum();
                assert!((row[1].unwrap() - v1).abs() < 1e-9, "V1 at {t}");
                assert!(row[2].unwrap().is_finite());
            }
        }
    }
    assert!(filled > record.len() / 2, "{filled} samples in cycles");

    // --cycle keeps one cycle, in place.
    let mut one = args.to_vec();
    one.extend_from_slice(&["--cycle", "2"]);
    let csv_one = synth_csv(&ludb("2"), &one, dir.path());
    let (s, e) = (cycles[2].start(), cycles[2].end());
    for (t, line) in csv_one.lines().skip(1).enumerate() {
        let row = parse_row(line);
        assert_eq!(row[3].is_some(), (s..=e).contains(&t), "sample {t}");
        if (s..=e).contains(&t) {
            assert_eq!(row, rows[t]);
        }
    }
}

#[test]
fn synth_reads_only_the_input_leads() {
    let dir = tempfile::tempdir().unwrap();
    let record = open_record(&ludb("2")).unwrap();
    let channels = record.leads.len();
    // III stays too: LUDB's limb leads I, II, III tell the reader their common gain.
    let keep: Vec<usize> = ["I", "II", "III", "V2"]
        .iter()
        .map(|n| record.leads.iter().position(|l| l.name == *n).unwrap())
        .collect();
    // Format 16: little-endian i16 samples, channels interleaved; every other lead becomes noise.
    let mut dat = std::fs::read(ludb("2.dat")).unwrap();
    let mut rng = Lcg(99);
    for (k, pair) in dat.chunks_exact_mut(2).enumerate() {
        if !keep.contains(&(k % channels)) {
            let v = ((rng.next() - 0.5) * 60000.0) as i16;
            pair.copy_from_slice(&v.to_le_bytes());
        }
    }
    let garbled = dir.path().join("2");
    std::fs::write(garbled.with_extension("dat"), &dat).unwrap();
    for ext in ["hea", "ii"] {
        std::fs::copy(ludb(&format!("2.{ext}")), garbled.with_extension(ext)).unwrap();
    }
    let changed = open_record(&garbled).unwrap();
    assert_ne!(changed.lead("V1"), record.lead("V1"));
    assert_eq!(changed.lead("II"), record.lead("II"));
    for engine in ["dipole", "nefnet"] {
        let args = [
            "--engine", engine, "--inputs", "I,II,V2", "--view", "V1", "--view", "90,180",
            "--view", "aVF", "--view", "V6",
        ];
        assert_eq!(
            synth_csv(&garbled, &args, dir.path()),
            synth_csv(&ludb("2"), &args, dir.path()),
            "{engine}"
        );
    }
}

#[test]
fn bad_requests_exit_1_with_a_message() {
    let rec = ludb("2");
    let rec = rec.to_str().unwrap();
    let mit = common::data_dir().join("wfdb-samples/100");
    let mit = mit.to_str().unwrap();
    let out = std::env::temp_dir().join("ecg-panorama-synth-never-written.csv");
    let out = out.to_str().unwrap();
    for (args, want) in [
        (
            vec![
                rec, "--engine", "dipole", "--inputs", "I,II,V10", "--view", "V1",
            ],
            "unknown input lead 'V10'",
        ),
        (
            vec![
                mit, "--engine", "dipole", "--inputs", "II,V5,V1", "--view", "V2",
            ],
            "has no lead V1",
        ),
        (
            vec![
                rec, "--engine", "dipole", "--inputs", "I,II,V2", "--view", "90,abc",
            ],
            "two numbers",
        ),
        (
            vec![
                rec, "--engine", "dipole", "--inputs", "I,II,V2", "--view", "200,10",
            ],
            "[0, 180]",
        ),
        (
            vec![
                rec, "--engine", "dipole", "--inputs", "I,II,V2", "--view", "-5,10",
            ],
            "[0, 180]",
        ),
        (
            vec![
                rec, "--engine", "dipole", "--inputs", "I,II,V2", "--view", "V10",
            ],
            "unknown lead",
        ),
        (
            vec![
                rec, "--engine", "dipole", "--inputs", "I,II,III", "--view", "V1",
            ],
            "non-coplanar",
        ),
        (
            vec![
                rec,
                "--inputs",
                "I,II,V2",
                "--view",
                "V1",
                "--model",
                "Cargo.toml",
            ],
            "Nef-Net weights",
        ),
        (
            vec![
                rec,
                "--inputs",
                "I,II,V2",
                "--view",
                "V1",
                "--model",
                "models/delineator.safetensors",
            ],
            "do not fit",
        ),
        (
            vec![
                rec, "--engine", "dipole", "--inputs", "I,II,V2", "--view", "V1", "--cycle", "50",
            ],
            "--cycle 50",
        ),
    ] {
        let mut all = args.clone();
        all.extend_from_slice(&["--out", out]);
        let run = synth(&all);
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert_eq!(run.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(stderr.contains(want), "{args:?}: {stderr}");
        assert!(!Path::new(out).exists());
    }
}
