//! Signal conditioning checked sample by sample against SciPy, on a real ECG lead (LUDB record
//! 1, lead II) with synthetic baseline wander and 50 Hz hum added.
//!
//! Every reference is computed live by the SciPy call written out in the test. The filters
//! and the resampler replicate SciPy's design, extension, initial conditions and FIR exactly,
//! so only floating-point rounding separates the two: at most ~4e-12 mV (the 0.05 Hz band-pass,
//! whose poles sit nearest the unit circle and amplify rounding most), ~1e-15 mV for
//! resampling. The tolerance, 1e-9 mV, is almost a million times below the 0.83 µV quantum of
//! the recording (1/1206 mV) yet well above rounding noise, so any real difference in design,
//! padding, phase or filter taps (which shows at 1e-4 mV and above) fails the test.

mod common;

use std::io::Write;
use std::sync::Mutex;

use ecg_panorama::record::{Lead, Record};
use ecg_panorama::signal::{
    Conditioning, bandpass, notch, rational_ratio, remove_baseline, resample, resample_record,
};

/// Largest allowed |Rust − SciPy|, in mV (see the file comment).
const TOLERANCE_MV: f64 = 1e-9;

/// Lead II of LUDB record 1 at `fs` Hz (its native 500 Hz, or resampled from it by SciPy),
/// plus baseline wander (two slow sines and a linear drift) and 50 Hz hum, in mV.
const REALISTIC_INPUT: &str = r#"
import sys
from fractions import Fraction
import numpy as np
import scipy.signal as sig

dat, fs = sys.argv[1], int(sys.argv[2])
# Format 16: 12 interleaved little-endian int16 leads; lead ii is column 1, gain 1206/mV,
# ADC baseline 2 (from 1.hea).
ecg = (np.fromfile(dat, dtype='<i2').reshape(-1, 12)[:, 1].astype(np.float64) - 2) / 1206
if fs != 500:
    r = Fraction(fs, 500)
    ecg = sig.resample_poly(ecg, r.numerator, r.denominator, padtype='edge')
t = np.arange(len(ecg)) / fs
wander = 0.3 * np.sin(2 * np.pi * 0.15 * t + 0.4) + 0.15 * np.sin(2 * np.pi * 0.4 * t) + 0.04 * t
hum = 0.1 * np.sin(2 * np.pi * 50 * t + 0.7)
sys.stdout.buffer.write((ecg + wander + hum).astype('<f8').tobytes())
"#;

/// Loads the signal (argv[1], f64 bytes) and defines the padding of the zero-phase filters:
/// long enough for the slowest pole to decay to 1e-3, at least SciPy's default
/// 3 × (2 × sections + 1), at most len(x) − 1.
const PRELUDE: &str = r#"
import sys
import numpy as np
import scipy.signal as sig

x = np.fromfile(sys.argv[1], dtype='<f8')

def padlen(sos, n):
    r = max(np.abs(np.roots(s[3:])).max() for s in sos)
    return min(n - 1, max(3 * (2 * len(sos) + 1), int(np.ceil(np.log(1e-3) / np.log(r)))))

def out(y):
    sys.stdout.buffer.write(np.asarray(y, dtype='<f8').tobytes())
"#;

/// The realistic input at `fs` Hz, built once per rate.
fn input(fs: u32) -> Vec<f64> {
    static CACHE: Mutex<Vec<(u32, Vec<f64>)>> = Mutex::new(Vec::new());
    let mut cache = CACHE.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((_, x)) = cache.iter().find(|(f, _)| *f == fs) {
        return x.clone();
    }
    let dat = common::data_dir().join("ludb/data/1.dat");
    let x = common::f64s(&common::run_python(
        REALISTIC_INPUT,
        &[dat.to_str().unwrap(), &fs.to_string()],
    ));
    assert_eq!(
        x.len(),
        5000 * fs as usize / 500,
        "LUDB record 1 holds 10 s"
    );
    cache.push((fs, x.clone()));
    x
}

/// Run `body` (after [`PRELUDE`]) on `x` passed through a temporary file, return its output.
fn scipy(x: &[f64], body: &str) -> Vec<f64> {
    let mut file = tempfile::NamedTempFile::new().unwrap();
    let bytes: Vec<u8> = x.iter().flat_map(|v| v.to_le_bytes()).collect();
    file.write_all(&bytes).unwrap();
    file.flush().unwrap();
    let code = format!("{PRELUDE}\n{body}");
    common::f64s(&common::run_python(&code, &[file.path().to_str().unwrap()]))
}

/// Max |a − b|, requiring equal lengths and NaN at the same places; reported for the record.
fn max_diff(what: &str, ours: &[f64], reference: &[f64]) -> f64 {
    assert_eq!(ours.len(), reference.len(), "{what}: lengths differ");
    let mut worst = 0.0_f64;
    for (i, (a, b)) in ours.iter().zip(reference).enumerate() {
        assert_eq!(
            a.is_nan(),
            b.is_nan(),
            "{what}: sample {i} is {a} here, {b} in SciPy"
        );
        if !a.is_nan() {
            worst = worst.max((a - b).abs());
        }
    }
    println!(
        "{what}: max |Rust - SciPy| = {worst:.3e} mV over {} samples",
        ours.len()
    );
    worst
}

fn assert_matches(what: &str, ours: &[f64], reference: &[f64]) {
    let worst = max_diff(what, ours, reference);
    assert!(worst < TOLERANCE_MV, "{what}: {worst:e} mV from SciPy");
}

#[test]
fn baseline_removal_matches_sosfiltfilt_highpass() {
    let x = input(500);
    let reference = scipy(
        &x,
        "sos = sig.butter(2, 0.5, 'highpass', fs=500, output='sos')\n\
         out(sig.sosfiltfilt(sos, x, padlen=padlen(sos, len(x))))",
    );
    assert_matches(
        "remove_baseline",
        &remove_baseline(&x, 500.0).unwrap(),
        &reference,
    );
}

#[test]
fn notch_matches_iirnotch_filtfilt_at_50_and_60_hz() {
    let x = input(500);
    for mains in [50, 60] {
        let reference = scipy(
            &x,
            &format!(
                "b, a = sig.iirnotch({mains}, 30, fs=500)\n\
                 out(sig.filtfilt(b, a, x, padlen=padlen(np.array([[*b, *a]]), len(x))))"
            ),
        );
        let ours = notch(&x, 500.0, f64::from(mains)).unwrap();
        assert_matches(&format!("notch {mains} Hz"), &ours, &reference);
    }
}

#[test]
fn bandpass_matches_sosfiltfilt_bandpass() {
    let x = input(500);
    for (low, high) in [(0.5, 40.0), (0.05, 150.0)] {
        let reference = scipy(
            &x,
            &format!(
                "sos = sig.butter(2, [{low}, {high}], 'bandpass', fs=500, output='sos')\n\
                 out(sig.sosfiltfilt(sos, x, padlen=padlen(sos, len(x))))"
            ),
        );
        let ours = bandpass(&x, 500.0, low, high).unwrap();
        assert_matches(&format!("bandpass {low}-{high} Hz"), &ours, &reference);
    }
}

#[test]
fn filters_at_other_rates_match_too() {
    for fs in [1000, 360, 257, 200] {
        let x = input(fs);
        let reference = scipy(
            &x,
            &format!(
                "sos = sig.butter(2, 0.5, 'highpass', fs={fs}, output='sos')\n\
                 out(sig.sosfiltfilt(sos, x, padlen=padlen(sos, len(x))))"
            ),
        );
        let ours = remove_baseline(&x, f64::from(fs)).unwrap();
        assert_matches(&format!("remove_baseline at {fs} Hz"), &ours, &reference);
    }
}

#[test]
fn short_signals_match_sosfiltfilt_with_the_padding_they_allow() {
    let x = &input(500)[..200];
    let reference = scipy(
        x,
        "sos = sig.butter(2, [0.5, 40], 'bandpass', fs=500, output='sos')\n\
         assert padlen(sos, len(x)) == len(x) - 1\n\
         out(sig.sosfiltfilt(sos, x, padlen=len(x) - 1))",
    );
    let ours = bandpass(x, 500.0, 0.5, 40.0).unwrap();
    assert_matches("bandpass on 200 samples", &ours, &reference);
}

#[test]
fn gaps_are_bridged_linearly_then_restored() {
    let mut x = input(500);
    x[0..30].fill(f64::NAN);
    x[2400..2460].fill(f64::NAN);
    x[4990] = f64::NAN;
    let reference = scipy(
        &x,
        "bad = ~np.isfinite(x)\n\
         xi = x.copy()\n\
         xi[bad] = np.interp(np.flatnonzero(bad), np.flatnonzero(~bad), x[~bad])\n\
         sos = sig.butter(2, 0.5, 'highpass', fs=500, output='sos')\n\
         y = sig.sosfiltfilt(sos, xi, padlen=padlen(sos, len(xi)))\n\
         y[bad] = np.nan\n\
         out(y)",
    );
    let ours = remove_baseline(&x, 500.0).unwrap();
    assert_matches("remove_baseline with gaps", &ours, &reference);
    assert_eq!(ours.iter().filter(|v| v.is_nan()).count(), 91);
}

#[test]
fn resampling_to_500_hz_matches_resample_poly() {
    // The ratios are spelled out so the SciPy call below is explicit.
    for (fs, up, down) in [(1000, 1, 2), (360, 25, 18), (257, 500, 257), (200, 5, 2)] {
        let x = input(fs);
        assert_eq!(rational_ratio(f64::from(fs), 500.0).unwrap(), (up, down));
        let reference = scipy(
            &x,
            &format!("out(sig.resample_poly(x, {up}, {down}, padtype='edge'))"),
        );
        let ours = resample(&x, f64::from(fs), 500.0).unwrap();
        assert_eq!(ours.len(), (x.len() * up).div_ceil(down));
        assert_matches(&format!("resample {fs} -> 500 Hz"), &ours, &reference);
    }
}

#[test]
fn resampling_at_the_same_rate_is_the_identity() {
    let x = input(500);
    let reference = scipy(&x, "out(sig.resample_poly(x, 500, 500, padtype='edge'))");
    let ours = resample(&x, 500.0, 500.0).unwrap();
    assert_eq!(ours, x);
    assert_matches("resample 500 -> 500 Hz", &ours, &reference);
}

#[test]
fn resampling_with_a_gap_marks_the_same_span_missing() {
    let mut x = input(360);
    x[1000..1036].fill(f64::NAN); // 0.1 s
    let ours = resample(&x, 360.0, 500.0).unwrap();
    // Output k sits at input time k·18/25: it is missing when an input sample it falls on or
    // between is missing; elsewhere it is resample_poly of the linearly bridged signal.
    let reference = scipy(
        &x,
        "bad = ~np.isfinite(x)\n\
         xi = x.copy()\n\
         xi[bad] = np.interp(np.flatnonzero(bad), np.flatnonzero(~bad), x[~bad])\n\
         y = sig.resample_poly(xi, 25, 18, padtype='edge')\n\
         pos = np.arange(len(y)) * 18\n\
         i, frac = pos // 25, pos % 25\n\
         after = (frac != 0) & bad[np.minimum(i + 1, len(x) - 1)]\n\
         y[bad[i] | after] = np.nan\n\
         out(y)",
    );
    assert_matches("resample 360 -> 500 Hz with a gap", &ours, &reference);
}

fn ludb_record(fs: u32) -> Record {
    let ii = input(fs);
    let v1: Vec<f64> = ii.iter().map(|v| -0.6 * v).collect();
    Record {
        name: "1".into(),
        fs: f64::from(fs),
        leads: vec![Lead::new("ii", ii, false), Lead::new("v1", v1, false)],
        comments: Vec::new(),
        notes: Vec::new(),
    }
}

#[test]
fn conditioning_a_record_matches_the_scipy_chain() {
    let record = ludb_record(500);
    let conditioning = Conditioning {
        baseline: true,
        powerline_hz: Some(50.0),
        bandpass_hz: Some((0.5, 40.0)),
    };
    let out = conditioning.apply(&record).unwrap();
    let reference = scipy(
        &record.leads[0].samples,
        "hp = sig.butter(2, 0.5, 'highpass', fs=500, output='sos')\n\
         y = sig.sosfiltfilt(hp, x, padlen=padlen(hp, len(x)))\n\
         b, a = sig.iirnotch(50, 30, fs=500)\n\
         y = sig.filtfilt(b, a, y, padlen=padlen(np.array([[*b, *a]]), len(y)))\n\
         bp = sig.butter(2, [0.5, 40], 'bandpass', fs=500, output='sos')\n\
         out(sig.sosfiltfilt(bp, y, padlen=padlen(bp, len(y))))",
    );
    assert_matches(
        "Conditioning::apply, lead II",
        &out.leads[0].samples,
        &reference,
    );
    assert_eq!(out.leads[1].name, "V1");
}

#[test]
fn resampling_a_record_matches_resample_poly_per_lead() {
    let record = ludb_record(360);
    let out = resample_record(&record, 500.0).unwrap();
    assert_eq!((out.fs, out.len()), (500.0, 5000));
    for lead in 0..2 {
        let reference = scipy(
            &record.leads[lead].samples,
            "out(sig.resample_poly(x, 25, 18, padtype='edge'))",
        );
        let what = format!("resample_record, lead {}", out.leads[lead].name);
        assert_matches(&what, &out.leads[lead].samples, &reference);
    }
}
