//! Signals and paths the export tests share: a synthetic beat train and unwritable paths.

use std::path::{Path, PathBuf};

/// Sampling rate of the synthetic signals.
pub const FS: f64 = 500.0;

/// A plausible ECG beat train: P, QRS and T as Gaussians, lead-dependent amplitudes.
pub fn ecg(seconds: f64, lead: usize) -> Vec<f64> {
    let n = (seconds * FS) as usize;
    let gain = 0.6 + 0.15 * lead as f64;
    let sign = if lead == 3 { -1.0 } else { 1.0 };
    (0..n)
        .map(|i| {
            let t = (i as f64 / FS) % 0.8;
            let g = |c: f64, w: f64, a: f64| a * (-((t - c) / w).powi(2) / 2.0).exp();
            sign * gain * (g(0.1, 0.02, 0.15) + g(0.25, 0.008, 1.2) + g(0.5, 0.04, 0.3))
                + 0.01 * (i as f64 * 0.37).sin()
        })
        .collect()
}

/// Two seconds of lead II with samples 300–399 missing (NaN).
pub fn lead_ii_with_a_gap() -> Vec<f64> {
    let mut samples = ecg(2.0, 1);
    for v in &mut samples[300..400] {
        *v = f64::NAN;
    }
    samples
}

/// A viewpoint label as the grid prints it.
pub fn view_label(k: usize) -> String {
    format!("θ {}° φ −{}°", 30 * (k / 6 + 1), 60 * (k % 6))
}

/// Paths that cannot be written: inside a regular file, and in a folder that does not exist.
pub fn unwritable(dir: &Path) -> Vec<PathBuf> {
    let blocker = dir.join("blocker");
    std::fs::write(&blocker, b"not a folder").unwrap();
    vec![blocker.join("out"), dir.join("no-such-folder").join("out")]
}

/// Asserts nothing but the blocking file was written in `dir`.
pub fn only_blocker_left(dir: &Path) {
    let names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["blocker"], "nothing written");
}
