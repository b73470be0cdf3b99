//! The panorama evaluation's scores and baselines: PSNR and SSIM agree with numpy and
//! scikit-image, LUDB cycles come from the lead II boundary file, the baselines are exact where
//! they must be. `eval_panorama_folders.rs` covers database folders and the CLI.

mod common;

use ecg_panorama::delineate::CycleBounds;
use ecg_panorama::eval::panorama::{
    Cycle, DipoleLeastSquares, LinearRegression, Method, clip, ludb_cycles, psnr, ssim_1d,
    standard_tasks,
};
use ecg_panorama::geometry::{STANDARD_12, lead_view, normalise_lead_name};
use ecg_panorama::record::open_record;
use std::path::PathBuf;

fn ludb() -> PathBuf {
    common::ludb_data()
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
