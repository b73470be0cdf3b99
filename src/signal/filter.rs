//! Zero-phase filters for ECG: baseline-wander high-pass, powerline notch and band-pass.
//!
//! Every filter runs forward then backward over the signal (SciPy's `sosfiltfilt`: odd
//! extension at each end, steady-state initial conditions), so waves keep their timing and the
//! ST segment is not skewed the way a one-way filter skews it. The magnitude response is that
//! of the designed filter squared. The extension is longer than SciPy's default (see
//! [`padlen`]) so the first and last seconds of a strip are as clean as its middle; signals
//! shorter than it get the longest extension they allow instead of an error.
//!
//! Missing samples (NaN, ±inf) are bridged by straight lines for the arithmetic and come back
//! as NaN at the same positions, so a gap stays a gap and never spreads over the lead.

use sci_rs::signal::filter::design::{
    DigitalFilter, FilterBandType, FilterOutputType, Sos, butter_dyn,
};
use sci_rs::signal::filter::{sosfilt_dyn, sosfilt_zi_dyn};

use super::{checks, gaps};
use crate::error::{Error, Result};

/// Cut-off of the baseline-wander high-pass: below the fundamental of any heart rate over
/// 30 bpm, high enough to flatten respiration and electrode-motion drift; zero phase keeps the
/// ST level from being skewed.
pub const BASELINE_CUTOFF_HZ: f64 = 0.5;

/// Order of the Butterworth designs, before the forward-backward pass doubles it: gentle
/// enough not to ring after a QRS complex.
pub const BUTTERWORTH_ORDER: usize = 2;

/// Quality factor of the powerline notch: a -3 dB width of mains/Q (1.7 Hz at 50 Hz) removes
/// the hum without eating into the QRS spectrum around it.
pub const NOTCH_Q: f64 = 30.0;

/// Remove baseline wander (respiration, electrode motion) with a zero-phase Butterworth
/// high-pass at [`BASELINE_CUTOFF_HZ`], as
/// `sosfiltfilt(butter(2, 0.5, 'highpass', fs=fs, output='sos'), x, padlen=…)`.
pub fn remove_baseline(x: &[f64], fs: f64) -> Result<Vec<f64>> {
    checks::rate("sampling rate", fs)?;
    checks::frequency("baseline cut-off", BASELINE_CUTOFF_HZ, fs)?;
    let sos = butterworth(FilterBandType::Highpass, vec![BASELINE_CUTOFF_HZ], fs)?;
    zero_phase(x, &sos)
}

/// Remove powerline hum at `mains_hz` (50 or 60 Hz) with a zero-phase notch of quality
/// [`NOTCH_Q`], as `filtfilt(*iirnotch(mains_hz, 30, fs=fs), x, padlen=…)`.
///
/// Odd extension shifts the hum's phase at each end, so some hum rings on for up to about
/// half a second at both ends of the strip, whatever the padding.
pub fn notch(x: &[f64], fs: f64, mains_hz: f64) -> Result<Vec<f64>> {
    checks::rate("sampling rate", fs)?;
    checks::frequency("powerline frequency", mains_hz, fs)?;
    zero_phase(x, &[iirnotch(mains_hz, NOTCH_Q, fs)])
}

/// Keep `low_hz`..`high_hz` with a zero-phase Butterworth band-pass, as
/// `sosfiltfilt(butter(2, [low_hz, high_hz], 'bandpass', fs=fs, output='sos'), x, padlen=…)`.
pub fn bandpass(x: &[f64], fs: f64, low_hz: f64, high_hz: f64) -> Result<Vec<f64>> {
    checks::rate("sampling rate", fs)?;
    checks::frequency("band-pass low cut-off", low_hz, fs)?;
    checks::frequency("band-pass high cut-off", high_hz, fs)?;
    if low_hz >= high_hz {
        return Err(Error::Invalid(format!(
            "band-pass low cut-off {low_hz} Hz must be below the high cut-off {high_hz} Hz"
        )));
    }
    let sos = butterworth(FilterBandType::Bandpass, vec![low_hz, high_hz], fs)?;
    zero_phase(x, &sos)
}

/// Residual of a start-up transient, relative to its initial size, below which the padding
/// counts as long enough.
const SETTLE: f64 = 1e-3;

/// Samples of odd extension added at each end of a signal of `n` samples.
///
/// SciPy's default (`3 × taps`, 9 samples for a biquad) is far shorter than a 0.5 Hz
/// high-pass takes to settle, which leaves a baseline step over the first second of every
/// strip. The extension therefore covers the slowest pole's decay to [`SETTLE`] (about 3 s for
/// the baseline filter), never less than SciPy's default, and at most `n - 1` samples, the
/// longest odd extension a signal allows, so short signals are still filtered.
pub(crate) fn padlen(sos: &[Sos<f64>], n: usize) -> usize {
    let slowest = sos.iter().map(pole_radius).fold(0.0, f64::max);
    let settle = if slowest <= 0.0 {
        0
    } else if slowest < 1.0 {
        (SETTLE.ln() / slowest.ln()).ceil() as usize
    } else {
        usize::MAX
    };
    let b_zeros = sos.iter().filter(|s| s.b[2] == 0.0).count();
    let a_zeros = sos.iter().filter(|s| s.a[2] == 0.0).count();
    let scipy_default = 3 * (2 * sos.len() + 1 - b_zeros.min(a_zeros));
    settle.max(scipy_default).min(n.saturating_sub(1))
}

/// Largest pole magnitude of one section, `z² + a1·z + a2 = 0`.
fn pole_radius(s: &Sos<f64>) -> f64 {
    let (a1, a2) = (s.a[1] / s.a[0], s.a[2] / s.a[0]);
    let disc = a1 * a1 - 4.0 * a2;
    if disc < 0.0 {
        a2.sqrt()
    } else {
        let root = disc.sqrt();
        ((-a1 + root) / 2.0).abs().max(((-a1 - root) / 2.0).abs())
    }
}

/// Forward-backward filtering with odd extension and steady-state initial conditions,
/// exactly `sosfiltfilt(sos, x, padlen=padlen(sos, len(x)))`, with gaps bridged.
fn zero_phase(x: &[f64], sos: &[Sos<f64>]) -> Result<Vec<f64>> {
    checks::non_empty(x)?;
    let Some(bridged) = gaps::bridge(x) else {
        return Ok(vec![f64::NAN; x.len()]);
    };
    let x = &bridged.values;
    let (n, pad) = (x.len(), padlen(sos, x.len()));
    let (first, last) = (x[0], x[n - 1]);
    let mut ext = Vec::with_capacity(n + 2 * pad);
    ext.extend((1..=pad).rev().map(|i| 2.0 * first - x[i]));
    ext.extend_from_slice(x);
    ext.extend((1..=pad).map(|i| 2.0 * last - x[n - 1 - i]));

    let mut zi = sos.to_vec();
    sosfilt_zi_dyn::<_, _, Sos<f64>>(zi.iter_mut());
    let primed = |scale: f64| -> Vec<Sos<f64>> {
        let mut s = zi.clone();
        s.iter_mut().for_each(|s| {
            s.zi0 *= scale;
            s.zi1 *= scale;
        });
        s
    };
    let forward = sosfilt_dyn(ext.iter(), &mut primed(ext[0]));
    let end = forward[forward.len() - 1];
    let mut y = sosfilt_dyn(forward.iter().rev(), &mut primed(end));
    y.reverse();
    let y = y[pad..pad + n].to_vec();
    Ok(gaps::restore(y, &bridged.missing))
}

/// Butterworth second-order sections, as `butter(BUTTERWORTH_ORDER, wn, band, fs=fs, output='sos')`.
fn butterworth(band: FilterBandType, wn: Vec<f64>, fs: f64) -> Result<Vec<Sos<f64>>> {
    let design = butter_dyn(
        BUTTERWORTH_ORDER,
        wn,
        Some(band),
        Some(false),
        Some(FilterOutputType::Sos),
        Some(fs),
    );
    match design {
        DigitalFilter::Sos(s) => Ok(s.sos),
        _ => Err(Error::Invalid(
            "Butterworth design did not return second-order sections".into(),
        )),
    }
}

/// The second-order notch of `scipy.signal.iirnotch(w0, q, fs)` as one section: filtering one
/// section forward and backward is `filtfilt` on its `(b, a)`, with the same initial state.
fn iirnotch(w0: f64, q: f64, fs: f64) -> Sos<f64> {
    let w0 = 2.0 * w0 / fs;
    let bw = w0 / q * std::f64::consts::PI;
    let w0 = w0 * std::f64::consts::PI;
    let beta = (bw / 2.0).tan();
    let gain = 1.0 / (1.0 + beta);
    let b = [gain, gain * -2.0 * w0.cos(), gain];
    let a = [1.0, -2.0 * gain * w0.cos(), 2.0 * gain - 1.0];
    Sos::new(b, a)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::f64::consts::PI;

    const FS: f64 = 500.0;

    fn tone(hz: f64, seconds: f64) -> Vec<f64> {
        let n = (seconds * FS) as usize;
        (0..n)
            .map(|i| (2.0 * PI * hz * i as f64 / FS).sin())
            .collect()
    }

    fn rms(x: &[f64]) -> f64 {
        (x.iter().map(|v| v * v).sum::<f64>() / x.len() as f64).sqrt()
    }

    /// Amplitude of the `hz` component of `x`, by projection on a sine and a cosine.
    fn amplitude_at(x: &[f64], hz: f64) -> f64 {
        let w = 2.0 * PI * hz / FS;
        let (mut c, mut s) = (0.0, 0.0);
        for (i, v) in x.iter().enumerate() {
            c += v * (w * i as f64).cos();
            s += v * (w * i as f64).sin();
        }
        2.0 * c.hypot(s) / x.len() as f64
    }

    /// The middle of a signal, away from the start-up transients at both ends.
    fn interior(x: &[f64], skip_s: f64) -> &[f64] {
        let skip = (skip_s * FS) as usize;
        &x[skip..x.len() - skip]
    }

    #[test]
    fn notch_removes_mains_and_keeps_a_10_hz_wave() {
        let hum = tone(50.0, 10.0);
        let out = notch(&hum, FS, 50.0).unwrap();
        // The notch's poles settle with a time constant of ~0.2 s: measure past 1 s.
        let attenuation_db = 20.0 * (rms(interior(&out, 1.0)) / rms(interior(&hum, 1.0))).log10();
        assert!(attenuation_db < -30.0, "only {attenuation_db:.1} dB");

        let wave = tone(10.0, 10.0);
        let kept = notch(&wave, FS, 50.0).unwrap();
        let ratio = rms(interior(&kept, 1.0)) / rms(interior(&wave, 1.0));
        assert!((ratio - 1.0).abs() < 0.01, "10 Hz amplitude ratio {ratio}");
    }

    #[test]
    fn notch_at_60_hz_spares_50_hz_area() {
        let hum = tone(60.0, 10.0);
        let out = notch(&hum, FS, 60.0).unwrap();
        assert!(rms(interior(&out, 1.0)) < 0.0316 * rms(interior(&hum, 1.0)));
    }

    #[test]
    fn baseline_removal_leaves_under_one_percent_of_slow_drift() {
        let drift = tone(0.1, 60.0);
        let out = remove_baseline(&drift, FS).unwrap();
        let peak = out.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
        assert!(peak < 0.01, "drift residue {peak}");
    }

    #[test]
    fn baseline_removal_keeps_qrs_band() {
        let wave = tone(10.0, 10.0);
        let out = remove_baseline(&wave, FS).unwrap();
        let ratio = rms(interior(&out, 1.0)) / rms(interior(&wave, 1.0));
        assert!((ratio - 1.0).abs() < 0.001, "10 Hz amplitude ratio {ratio}");
    }

    #[test]
    fn bandpass_keeps_passband_and_rejects_outside() {
        let inside = tone(10.0, 10.0);
        let out = bandpass(&inside, FS, 0.5, 40.0).unwrap();
        let ratio = rms(interior(&out, 1.0)) / rms(interior(&inside, 1.0));
        assert!((ratio - 1.0).abs() < 0.01, "10 Hz amplitude ratio {ratio}");

        // Amplitude of the 150 Hz component itself: the ends of a pure tone ring through the
        // high-pass poles at lower frequencies, which is not what is measured here.
        let outside = tone(150.0, 10.0);
        let out = bandpass(&outside, FS, 0.5, 40.0).unwrap();
        let amplitude = amplitude_at(interior(&out, 1.0), 150.0);
        assert!(amplitude < 0.01 * amplitude_at(interior(&outside, 1.0), 150.0));
    }

    #[test]
    fn bad_parameters_are_errors() {
        let x = tone(10.0, 2.0);
        for fs in [0.0, -500.0, f64::NAN, f64::INFINITY] {
            assert!(matches!(remove_baseline(&x, fs), Err(Error::Invalid(_))));
            assert!(matches!(notch(&x, fs, 50.0), Err(Error::Invalid(_))));
            assert!(matches!(
                bandpass(&x, fs, 0.5, 40.0),
                Err(Error::Invalid(_))
            ));
        }
        for mains in [0.0, -50.0, 250.0, 300.0, f64::NAN] {
            assert!(matches!(notch(&x, FS, mains), Err(Error::Invalid(_))));
        }
        for (lo, hi) in [
            (0.0, 40.0),
            (40.0, 0.5),
            (10.0, 10.0),
            (0.5, 250.0),
            (f64::NAN, 40.0),
        ] {
            assert!(matches!(bandpass(&x, FS, lo, hi), Err(Error::Invalid(_))));
        }
        // 0.5 Hz is not below the Nyquist frequency of a 1 Hz rate.
        assert!(matches!(remove_baseline(&x, 1.0), Err(Error::Invalid(_))));
    }

    #[test]
    fn empty_is_an_error_and_short_signals_get_shorter_padding() {
        assert!(matches!(remove_baseline(&[], FS), Err(Error::Invalid(_))));
        for n in [1, 2, 3, 10] {
            let x: Vec<f64> = (0..n).map(|i| 0.1 * i as f64).collect();
            assert_eq!(remove_baseline(&x, FS).unwrap().len(), n);
            assert_eq!(notch(&x, FS, 50.0).unwrap().len(), n);
            assert_eq!(bandpass(&x, FS, 0.5, 40.0).unwrap().len(), n);
        }
        // A constant passes a notch untouched, however short.
        assert!(
            notch(&[0.3; 2], FS, 50.0)
                .unwrap()
                .iter()
                .all(|v| (v - 0.3).abs() < 1e-12)
        );
    }

    #[test]
    fn padding_covers_the_slowest_pole_and_never_exceeds_the_signal() {
        let sos = butterworth(FilterBandType::Highpass, vec![BASELINE_CUTOFF_HZ], FS).unwrap();
        let pad = padlen(&sos, 100_000);
        assert!((1400..1700).contains(&pad), "{pad} samples at 500 Hz");
        assert_eq!(padlen(&sos, 1000), 999);
        assert_eq!(padlen(&sos, 1), 0);
        // A fast filter keeps SciPy's default padding of 3 x (2 x sections + 1).
        let fast = butterworth(FilterBandType::Lowpass, vec![125.0], FS).unwrap();
        assert_eq!(padlen(&fast, 100_000), 9);
    }

    #[test]
    fn a_gap_stays_a_gap_and_does_not_spread() {
        let clean = tone(10.0, 10.0);
        let mut holed = clean.clone();
        holed[2000..2050].fill(f64::NAN);
        let out = remove_baseline(&holed, FS).unwrap();
        let reference = remove_baseline(&clean, FS).unwrap();
        for (i, &y) in out.iter().enumerate() {
            if (2000..2050).contains(&i) {
                assert!(y.is_nan(), "sample {i} should stay missing");
            } else {
                assert!(y.is_finite(), "sample {i} became {y}");
            }
        }
        // Far from the gap the bridge has no effect worth seeing.
        let far = out[..1000].iter().zip(&reference[..1000]);
        assert!(far.map(|(a, b)| (a - b).abs()).fold(0.0, f64::max) < 1e-3);
    }

    #[test]
    fn a_lead_with_no_value_at_all_stays_missing() {
        let out = notch(&[f64::NAN; 100], FS, 50.0).unwrap();
        assert_eq!(out.len(), 100);
        assert!(out.iter().all(|v| v.is_nan()));
    }
}
