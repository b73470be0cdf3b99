//! Powerline hum found and removed only where it is: a record from a cart without a mains
//! filter (some of CinC 2021's Chapman records carry 0.1–0.5 mV of 50 Hz) loses its P waves
//! under it, while a notch on a clean record would only bend its QRS.

use super::filter::notch;
use crate::error::Result;
use crate::record::Record;
use std::borrow::Cow;

/// Mains frequencies looked for.
pub const MAINS_HZ: [f64; 2] = [50.0, 60.0];

/// Hum amplitude (mV) above which a lead is notched. The real records at hand (LUDB, PTB-XL,
/// QTDB, CPSC 2021, PTB, MIT-BIH) carry at most 0.035 mV at 50 or 60 Hz; the Chapman records
/// that lose their P waves to hum carry 0.13–0.52 mV.
pub const HUM_MV: f64 = 0.05;

/// Length of the windows the hum is measured over: short enough that a drifting mains
/// frequency stays in phase within one.
const WINDOW_S: f64 = 2.0;

/// Amplitude (mV) of the sinusoid at `hz` in `x`: the median, over 2-s windows without
/// missing samples, of the window's Fourier amplitude at `hz`. The median keeps a burst of
/// noise or a run of fast beats from passing for hum. 0 when no window fits.
pub fn hum_mv(x: &[f64], fs: f64, hz: f64) -> f64 {
    let n = (WINDOW_S * fs).round() as usize;
    if n < 2 || hz >= fs / 2.0 {
        return 0.0;
    }
    let w = 2.0 * std::f64::consts::PI * hz / fs;
    let (cos, sin): (Vec<f64>, Vec<f64>) = (0..n)
        .map(|k| (w * k as f64).sin_cos())
        .map(|(s, c)| (c, s))
        .unzip();
    let mut amps: Vec<f64> = x
        .chunks_exact(n)
        .filter(|seg| seg.iter().all(|v| v.is_finite()))
        .map(|seg| {
            let mean = seg.iter().sum::<f64>() / n as f64;
            let (re, im) = seg
                .iter()
                .zip(cos.iter().zip(&sin))
                .fold((0.0, 0.0), |(re, im), (v, (c, s))| {
                    (re + (v - mean) * c, im + (v - mean) * s)
                });
            2.0 / n as f64 * re.hypot(im)
        })
        .collect();
    if amps.is_empty() {
        return 0.0;
    }
    amps.sort_by(f64::total_cmp);
    amps[amps.len() / 2]
}

/// `x` with each mains frequency whose hum exceeds [`HUM_MV`] notched out, and the
/// frequencies that were. A lead without hum comes back as it was, uncopied.
pub fn suppress_mains(mut x: Vec<f64>, fs: f64) -> Result<(Vec<f64>, Vec<f64>)> {
    let mut removed = Vec::new();
    for hz in MAINS_HZ {
        if hz < fs / 2.0 && hum_mv(&x, fs, hz) > HUM_MV {
            x = notch(&x, fs, hz)?;
            removed.push(hz);
        }
    }
    Ok((x, removed))
}

/// `record` with hum removed from every lead that carries it (see [`suppress_mains`]);
/// borrowed as it is when no lead does, which is nearly always.
pub fn record_without_mains(record: &Record) -> Result<Cow<'_, Record>> {
    let hummed = |x: &[f64]| {
        MAINS_HZ
            .iter()
            .any(|&hz| hz < record.fs / 2.0 && hum_mv(x, record.fs, hz) > HUM_MV)
    };
    if !record.leads.iter().any(|l| hummed(&l.samples)) {
        return Ok(Cow::Borrowed(record));
    }
    let mut out = record.clone();
    for lead in &mut out.leads {
        lead.samples = suppress_mains(std::mem::take(&mut lead.samples), record.fs)?.0;
    }
    Ok(Cow::Owned(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signal::testing::beat_train;

    const FS: f64 = 500.0;

    #[test]
    fn hum_is_measured_and_removed_only_where_it_is() {
        let clean = beat_train(5000, 1.0, 0.1);
        assert!(hum_mv(&clean, FS, 50.0) < 0.01);
        let (same, removed) = suppress_mains(clean.clone(), FS).unwrap();
        assert!(removed.is_empty());
        assert_eq!(same, clean, "a clean lead passes untouched");
        let hummed: Vec<f64> = clean
            .iter()
            .enumerate()
            .map(|(k, v)| v + 0.3 * (2.0 * std::f64::consts::PI * 60.0 * k as f64 / FS + 0.4).sin())
            .collect();
        let h = hum_mv(&hummed, FS, 60.0);
        assert!((h - 0.3).abs() < 0.02, "{h}");
        let (out, removed) = suppress_mains(hummed.clone(), FS).unwrap();
        assert_eq!(removed, [60.0]);
        // Away from the ends (where a notch rings on), the bump is back above the residue.
        let mid = 2000..3000;
        let err = mid
            .clone()
            .map(|k| (out[k] - clean[k]).abs())
            .fold(0.0, f64::max);
        assert!(err < 0.05, "{err}");
        // Missing samples stay missing and do not stop the measurement.
        let mut gappy = hummed.clone();
        gappy[100..300].fill(f64::NAN);
        assert!(hum_mv(&gappy, FS, 60.0) > 0.25);
        let (out, _) = suppress_mains(gappy, FS).unwrap();
        assert!(out[200].is_nan() && out[2500].is_finite());
    }
}
