//! Polyphase resampling by a rational factor, as `scipy.signal.resample_poly`.
//!
//! The anti-aliasing filter is SciPy's: a linear-phase FIR of `20 × max(up, down) + 1` taps,
//! `firwin` with a Kaiser window (β = 5) and cut-off at the lower of the two Nyquist
//! frequencies, applied centred so that output sample `k` sits at input time `k × down / up`.
//!
//! Beyond either end the signal is assumed to hold its edge value (SciPy's `padtype='edge'`):
//! ECG leads carry a DC offset, and SciPy's default zero padding would pull the first and
//! last ten input samples (20–40 ms) towards 0 mV, an artefact a reader could mistake for a
//! wave.

use super::{checks, gaps};
use crate::error::{Error, Result};

/// Largest up or down factor (after reduction) accepted: the FIR grows with it, and rates
/// that need more are not a ratio of two real recorders' rates.
pub const MAX_FACTOR: usize = 1000;

/// Kaiser window shape of SciPy's `resample_poly` default `window=('kaiser', 5.0)`.
const KAISER_BETA: f64 = 5.0;

/// Resample `x` from `fs_in` to `fs_out` Hz, as
/// `resample_poly(x, up, down, padtype='edge')` with `up/down = fs_out/fs_in` reduced.
pub fn resample(x: &[f64], fs_in: f64, fs_out: f64) -> Result<Vec<f64>> {
    let (up, down) = rational_ratio(fs_in, fs_out)?;
    resample_poly(x, up, down)
}

/// The factors `(up, down)`, coprime and at most [`MAX_FACTOR`], with
/// `up / down = fs_out / fs_in` to within 1e-9 relative.
pub fn rational_ratio(fs_in: f64, fs_out: f64) -> Result<(usize, usize)> {
    checks::rate("input sampling rate", fs_in)?;
    checks::rate("output sampling rate", fs_out)?;
    let ratio = fs_out / fs_in;
    // The smallest denominator that fits is the reduced fraction.
    for down in 1..=MAX_FACTOR {
        let up = (ratio * down as f64).round();
        if up >= 1.0 && up <= MAX_FACTOR as f64 && (up / down as f64 - ratio).abs() <= 1e-9 * ratio
        {
            return Ok((up as usize, down));
        }
    }
    Err(Error::Invalid(format!(
        "cannot resample from {fs_in} Hz to {fs_out} Hz: their ratio is not a fraction \
         up/down with both terms at most {MAX_FACTOR}"
    )))
}

/// Output length of resampling `n` samples by `up / down`: `ceil(n × up / down)`.
pub fn resampled_len(n: usize, up: usize, down: usize) -> usize {
    (n * up).div_ceil(down)
}

/// Upsample by `up`, low-pass, downsample by `down`, as
/// `scipy.signal.resample_poly(x, up, down, padtype='edge')`.
pub fn resample_poly(x: &[f64], up: usize, down: usize) -> Result<Vec<f64>> {
    checks::non_empty(x)?;
    if up == 0 || down == 0 {
        return Err(Error::Invalid(format!(
            "resampling factors up={up}, down={down} must be positive"
        )));
    }
    let g = gcd(up, down);
    let (up, down) = (up / g, down / g);
    if up > MAX_FACTOR || down > MAX_FACTOR {
        return Err(Error::Invalid(format!(
            "resampling factors up={up}, down={down} exceed {MAX_FACTOR}"
        )));
    }
    if up == 1 && down == 1 {
        return Ok(x.to_vec());
    }
    let Some(bridged) = gaps::bridge(x) else {
        return Ok(vec![f64::NAN; resampled_len(x.len(), up, down)]);
    };
    let y = polyphase(&bridged.values, up, down);
    if bridged.missing.is_empty() {
        return Ok(y);
    }
    Ok(mark_gaps(y, &bridged.missing, up, down))
}

/// The resampling proper, on a signal without gaps.
fn polyphase(x: &[f64], up: usize, down: usize) -> Vec<f64> {
    let max_rate = up.max(down);
    let half_len = 10 * max_rate;
    // Zeros in front centre the filter on the output samples, as resample_poly pads it.
    let pre_pad = down - half_len % down;
    let pre_remove = (half_len + pre_pad) / down;
    let mut h = vec![0.0; pre_pad];
    h.extend(
        kaiser_lowpass(2 * half_len + 1, 1.0 / max_rate as f64)
            .iter()
            .map(|v| v * up as f64),
    );

    let n = x.len() as isize;
    let at = |i: isize| x[i.clamp(0, n - 1) as usize];
    (0..resampled_len(x.len(), up, down))
        .map(|k| {
            // Output k is sample m of the upsampled-then-filtered signal.
            let m = (k + pre_remove) * down;
            let newest = (m / up) as isize;
            let taps = (h.len() - m % up).div_ceil(up) as isize;
            // Oldest input first, the order of SciPy's accumulation.
            (newest - taps + 1..=newest)
                .map(|i| at(i) * h[(m as isize - i * up as isize) as usize])
                .sum()
        })
        .collect()
}

/// Missing where the input sample just before or at the output's time was missing, or the
/// one just after when the output falls between two inputs.
fn mark_gaps(mut y: Vec<f64>, missing: &[bool], up: usize, down: usize) -> Vec<f64> {
    for (k, v) in y.iter_mut().enumerate() {
        let (i, frac) = ((k * down) / up, (k * down) % up);
        let after = frac != 0 && missing.get(i + 1).copied().unwrap_or(false);
        if missing.get(i).copied().unwrap_or(false) || after {
            *v = f64::NAN;
        }
    }
    y
}

/// Low-pass FIR as `scipy.signal.firwin(numtaps, cutoff, window=('kaiser', 5.0))`, cut-off
/// relative to Nyquist, scaled to unit gain at DC.
fn kaiser_lowpass(numtaps: usize, cutoff: f64) -> Vec<f64> {
    let alpha = 0.5 * (numtaps - 1) as f64;
    let i0_beta = bessel_i0(KAISER_BETA);
    let mut h: Vec<f64> = (0..numtaps)
        .map(|n| {
            let m = n as f64 - alpha;
            let r = m / alpha;
            let window = bessel_i0(KAISER_BETA * (1.0 - r * r).max(0.0).sqrt()) / i0_beta;
            cutoff * sinc(cutoff * m) * window
        })
        .collect();
    let sum: f64 = h.iter().sum();
    h.iter_mut().for_each(|v| *v /= sum);
    h
}

/// Normalised sinc, `sin(πx) / (πx)`.
fn sinc(x: f64) -> f64 {
    if x == 0.0 {
        1.0
    } else {
        let y = std::f64::consts::PI * x;
        y.sin() / y
    }
}

/// Modified Bessel function of the first kind, order 0, by its power series: the Kaiser
/// window only needs arguments up to β = 5, where the series converges to machine precision
/// in about 25 terms.
fn bessel_i0(x: f64) -> f64 {
    let q = x * x / 4.0;
    let (mut term, mut sum) = (1.0, 1.0);
    for k in 1..100 {
        term *= q / (k * k) as f64;
        sum += term;
        if term < sum * f64::EPSILON {
            break;
        }
    }
    sum
}

fn gcd(a: usize, b: usize) -> usize {
    if b == 0 { a } else { gcd(b, a % b) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ecg_rates_to_500_hz_reduce_to_small_ratios() {
        assert_eq!(rational_ratio(1000.0, 500.0).unwrap(), (1, 2));
        assert_eq!(rational_ratio(360.0, 500.0).unwrap(), (25, 18));
        assert_eq!(rational_ratio(257.0, 500.0).unwrap(), (500, 257));
        assert_eq!(rational_ratio(200.0, 500.0).unwrap(), (5, 2));
        assert_eq!(rational_ratio(500.0, 500.0).unwrap(), (1, 1));
        assert_eq!(rational_ratio(128.0, 500.0).unwrap(), (125, 32));
    }

    #[test]
    fn unreasonable_ratios_and_rates_are_errors() {
        assert!(matches!(
            rational_ratio(1001.0, 500.0),
            Err(Error::Invalid(_))
        ));
        assert!(matches!(
            rational_ratio(500.0, 499.9),
            Err(Error::Invalid(_))
        ));
        assert!(matches!(
            rational_ratio(std::f64::consts::PI, 500.0),
            Err(Error::Invalid(_))
        ));
        for fs in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            assert!(matches!(
                resample(&[1.0; 10], fs, 500.0),
                Err(Error::Invalid(_))
            ));
            assert!(matches!(
                resample(&[1.0; 10], 500.0, fs),
                Err(Error::Invalid(_))
            ));
        }
        assert!(matches!(
            resample(&[], 360.0, 500.0),
            Err(Error::Invalid(_))
        ));
        assert!(matches!(
            resample_poly(&[1.0], 0, 2),
            Err(Error::Invalid(_))
        ));
        assert!(matches!(
            resample_poly(&[1.0], 1001, 1),
            Err(Error::Invalid(_))
        ));
        // Large factors with a common divisor are fine once reduced.
        assert_eq!(resample_poly(&[1.0; 4], 3000, 6000).unwrap().len(), 2);
    }

    #[test]
    fn output_length_is_ceil_of_n_up_over_down() {
        for (fs_in, up, down) in [
            (1000.0, 1, 2),
            (360.0, 25, 18),
            (257.0, 500, 257),
            (200.0, 5, 2),
        ] {
            for n in [1, 2, 17, 257, 1001, 3600] {
                let y = resample(&vec![0.3; n], fs_in, 500.0).unwrap();
                assert_eq!(y.len(), (n * up).div_ceil(down), "{fs_in} Hz, {n} samples");
                assert_eq!(y.len(), resampled_len(n, up, down));
            }
        }
    }

    #[test]
    fn identity_is_a_copy() {
        let x = [0.1, f64::NAN, -0.3];
        let y = resample(&x, 500.0, 500.0).unwrap();
        assert_eq!(y.len(), 3);
        assert_eq!((y[0], y[2]), (0.1, -0.3));
        assert!(y[1].is_nan());
    }

    #[test]
    fn a_constant_offset_survives_to_the_edges() {
        // Edge padding keeps the offset; the polyphase branches' gains differ from 1 by the
        // Kaiser design's ripple, ~1.4e-4 mV here.
        for fs_in in [1000.0, 360.0, 257.0, 200.0] {
            let y = resample(&vec![-0.2; 700], fs_in, 500.0).unwrap();
            let worst = y.iter().map(|v| (v + 0.2).abs()).fold(0.0, f64::max);
            assert!(worst < 1e-3, "{fs_in} Hz: {worst}");
        }
    }

    #[test]
    fn a_slow_wave_keeps_its_shape_and_timing() {
        let (fs_in, fs_out) = (360.0, 500.0);
        let wave = |t: f64| (2.0 * std::f64::consts::PI * 5.0 * t).sin();
        let x: Vec<f64> = (0..3600).map(|i| wave(i as f64 / fs_in)).collect();
        let y = resample(&x, fs_in, fs_out).unwrap();
        let worst = y[100..y.len() - 100]
            .iter()
            .enumerate()
            .map(|(k, v)| (v - wave((k + 100) as f64 / fs_out)).abs())
            .fold(0.0, f64::max);
        assert!(worst < 1e-3, "{worst}");
    }

    #[test]
    fn a_gap_keeps_its_duration() {
        let mut x = vec![0.5; 1000];
        x[400..436].fill(f64::NAN); // 0.1 s at 360 Hz
        let y = resample(&x, 360.0, 500.0).unwrap();
        let missing: Vec<usize> = (0..y.len()).filter(|&k| y[k].is_nan()).collect();
        let (first, last) = (missing[0], *missing.last().unwrap());
        assert_eq!(missing.len(), last - first + 1, "one contiguous gap");
        let (t0, t1) = (first as f64 / 500.0, last as f64 / 500.0);
        assert!(
            (t0 - 400.0 / 360.0).abs() < 1.0 / 360.0,
            "gap starts at {t0}"
        );
        assert!((t1 - 435.0 / 360.0).abs() < 1.0 / 360.0, "gap ends at {t1}");
        // The bridge is flat, so what remains is the FIR's passband ripple (~3e-4 relative).
        assert!(
            y.iter()
                .filter(|v| !v.is_nan())
                .all(|v| (v - 0.5).abs() < 1e-3)
        );
    }

    #[test]
    fn bessel_i0_matches_known_values() {
        // Reference values: scipy.special.i0(1.0) and i0(5.0).
        assert_eq!(bessel_i0(0.0), 1.0);
        assert!((bessel_i0(1.0) - 1.266_065_877_752_008_4).abs() < 1e-15);
        assert!((bessel_i0(5.0) - 27.239_871_823_604_442).abs() < 1e-13);
    }
}
