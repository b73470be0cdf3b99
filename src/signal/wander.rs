//! Strong baseline wander found and removed only where it is. The 0.5 Hz high-pass
//! ([`super::remove_baseline`]) leaves half of a 0.5 Hz sway (breathing during exercise, a
//! moving patient): a 1 mV sway then still lifts a beat in a trough by 0.5 mV against the next,
//! and the delineator loses P waves and even a QRS under it. Where so much is left, the
//! isoelectric line is followed by two running medians (200 ms, which steps over the P wave and
//! the QRS, then 600 ms, which steps over the T wave; de Chazal et al. 2004) and subtracted.
//! A lead with an ordinary baseline is left as it is: the medians would bend its long ST
//! segments and T waves a little, for nothing.

use super::filter::remove_baseline;
use crate::error::Result;
use crate::record::Record;
use std::borrow::Cow;

/// Sway (mV) left after the high-pass above which a lead's baseline is followed and
/// subtracted: the median over 2-s windows of the baseline's rise and fall. LUDB 102 with
/// 1 mV of 0.5 Hz sway added reads 0.88 mV; of the 643 real records at hand, 12 have a lead
/// above it (up to 1.09 mV, CinC JS20003), every QTDB record and LUDB test record stays below.
pub const WANDER_MV: f64 = 0.4;

/// Rate (Hz) the baseline is followed at: the sway is below 1 Hz, and medians over a few
/// dozen samples keep a 15-minute record's cost to milliseconds.
const BASELINE_FS: f64 = 50.0;
/// The two running medians' lengths, in seconds.
const MEDIANS_S: [f64; 2] = [0.2, 0.6];
/// Length of the windows the sway is measured over.
const WINDOW_S: f64 = 2.0;

/// The isoelectric line of `x` (at `fs` Hz) by the two running medians, at every sample; NaN
/// where the lead has no sample within the medians' reach.
pub fn isoelectric_line(x: &[f64], fs: f64) -> Vec<f64> {
    let step = ((fs / BASELINE_FS).round() as usize).max(1);
    let coarse: Vec<f64> = x.iter().step_by(step).copied().collect();
    let rate = fs / step as f64;
    let line = MEDIANS_S.iter().fold(coarse, |y, &s| {
        running_median(&y, ((s * rate).round() as usize).max(1))
    });
    (0..x.len())
        .map(|i| {
            let pos = i as f64 / step as f64;
            let k = (pos.floor() as usize).min(line.len() - 1);
            let next = (k + 1).min(line.len() - 1);
            let frac = pos - k as f64;
            line[k] * (1.0 - frac) + line[next] * frac
        })
        .collect()
}

/// The sway of `x` (mV): the median over 2-s windows of how far its isoelectric line rises and
/// falls within the window. 0 when no window fits.
pub fn wander_mv(x: &[f64], fs: f64) -> f64 {
    if x.is_empty() {
        return 0.0;
    }
    sway(&isoelectric_line(x, fs), fs)
}

fn sway(line: &[f64], fs: f64) -> f64 {
    let n = ((WINDOW_S * fs).round() as usize).max(1);
    let mut spans: Vec<f64> = line
        .chunks_exact(n)
        .filter_map(|w| {
            let finite = w.iter().filter(|v| v.is_finite());
            let (lo, hi) = finite.fold((f64::MAX, f64::MIN), |(l, h), &v| (l.min(v), h.max(v)));
            (lo <= hi).then_some(hi - lo)
        })
        .collect();
    if spans.is_empty() {
        return 0.0;
    }
    spans.sort_by(f64::total_cmp);
    spans[spans.len() / 2]
}

/// `x` with its isoelectric line subtracted when its sway exceeds [`WANDER_MV`], and whether
/// it was. A lead with an ordinary baseline comes back as it was, uncopied.
pub fn suppress_wander(mut x: Vec<f64>, fs: f64) -> (Vec<f64>, bool) {
    if x.is_empty() {
        return (x, false);
    }
    let line = isoelectric_line(&x, fs);
    if sway(&line, fs) <= WANDER_MV {
        return (x, false);
    }
    subtract(&mut x, &line);
    (x, true)
}

/// `x` less `line` wherever the line is known.
fn subtract(x: &mut [f64], line: &[f64]) {
    for (v, b) in x.iter_mut().zip(line) {
        if b.is_finite() {
            *v -= b;
        }
    }
}

/// `record` with the isoelectric line subtracted from every lead that sways by more than
/// [`WANDER_MV`] after the baseline high-pass (the delineator's rule); borrowed as it is when
/// no lead does, which is nearly always. For readers of the raw leads (the anomaly map), whose
/// per-cycle line through the P onsets cannot follow a sway within the cycle.
pub fn record_without_wander(record: &Record) -> Result<Cow<'_, Record>> {
    let mut swaying = Vec::new();
    for (i, lead) in record.leads.iter().enumerate() {
        if lead.samples.iter().any(|v| v.is_finite())
            && wander_mv(&remove_baseline(&lead.samples, record.fs)?, record.fs) > WANDER_MV
        {
            swaying.push(i);
        }
    }
    if swaying.is_empty() {
        return Ok(Cow::Borrowed(record));
    }
    let mut out = record.clone();
    for i in swaying {
        let lead = &mut out.leads[i];
        let line = isoelectric_line(&lead.samples, record.fs);
        subtract(&mut lead.samples, &line);
    }
    Ok(Cow::Owned(out))
}

/// The median of the finite values within `len / 2` samples of each sample of `y` (NaN where
/// there are none); the window shrinks at the ends.
///
/// The window is kept sorted as it slides (one value in, one out), so each step costs a
/// binary search and a short shift instead of a selection over the whole window.
fn running_median(y: &[f64], len: usize) -> Vec<f64> {
    let half = len / 2;
    let mut sorted: Vec<f64> = Vec::with_capacity(2 * half + 1);
    let insert = |w: &mut Vec<f64>, v: f64| {
        if v.is_finite() {
            let at = w.partition_point(|x| x.total_cmp(&v).is_lt());
            w.insert(at, v);
        }
    };
    for &v in &y[..half.min(y.len())] {
        insert(&mut sorted, v);
    }
    (0..y.len())
        .map(|i| {
            if let Some(&v) = y.get(i + half) {
                insert(&mut sorted, v);
            }
            if i > half {
                let v = y[i - half - 1];
                if v.is_finite() {
                    let at = sorted.partition_point(|x| x.total_cmp(&v).is_lt());
                    sorted.remove(at);
                }
            }
            sorted.get(sorted.len() / 2).copied().unwrap_or(f64::NAN)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signal::testing::beat_train;

    fn sine(n: usize, mv: f64, hz: f64) -> Vec<f64> {
        (0..n)
            .map(|k| mv * (2.0 * std::f64::consts::PI * hz * k as f64 / 500.0).sin())
            .collect()
    }

    #[test]
    fn a_strong_sway_is_followed_and_removed_and_the_beats_stay() {
        let clean = beat_train(5000, 1.5, 0.15);
        let sway = sine(5000, 0.6, 0.4);
        let x: Vec<f64> = clean.iter().zip(&sway).map(|(a, b)| a + b).collect();
        assert!(wander_mv(&x, 500.0) > WANDER_MV, "{}", wander_mv(&x, 500.0));
        let (y, removed) = suppress_wander(x, 500.0);
        assert!(removed);
        // Of the 1.2 mV the sway moved the baseline by, less than a tenth is left between the
        // beats; the QRS and the P wave keep their heights within that.
        let between = |s: &[f64]| (0..12).map(|b| s[b * 400 + 330].abs()).fold(0.0, f64::max);
        assert!(between(&y) < 0.1, "{}", between(&y));
        for b in 1..11 {
            let r = y[b * 400 + 100];
            let p = y[b * 400 + 25];
            assert!((r - 1.5).abs() < 0.1, "beat {b}: R {r}");
            // The medians bend at the sway's crests by up to a tenth of a millivolt there.
            assert!((p - 0.15).abs() < 0.1, "beat {b}: P {p}");
        }
    }

    #[test]
    fn an_ordinary_baseline_is_left_as_it_was() {
        let clean = beat_train(5000, 1.5, 0.15);
        let small: Vec<f64> = clean
            .iter()
            .zip(sine(5000, 0.1, 0.3))
            .map(|(a, b)| a + b)
            .collect();
        let (y, removed) = suppress_wander(small.clone(), 500.0);
        assert!(!removed);
        assert_eq!(y, small);
    }

    #[test]
    fn missing_samples_stay_missing_and_a_flat_or_empty_lead_is_no_trouble() {
        let mut x: Vec<f64> = beat_train(5000, 1.5, 0.15)
            .iter()
            .zip(sine(5000, 0.6, 0.4))
            .map(|(a, b)| a + b)
            .collect();
        x[1000..1500].fill(f64::NAN);
        let (y, removed) = suppress_wander(x, 500.0);
        assert!(removed);
        assert!(y[1000..1500].iter().all(|v| v.is_nan()));
        assert!(y[..1000].iter().chain(&y[1500..]).all(|v| v.is_finite()));
        assert_eq!(
            suppress_wander(vec![0.0; 3000], 500.0),
            (vec![0.0; 3000], false)
        );
        assert_eq!(suppress_wander(Vec::new(), 500.0), (Vec::new(), false));
        assert_eq!(wander_mv(&[], 500.0), 0.0);
    }

    #[test]
    fn the_sliding_median_is_the_median_of_each_window() {
        // A pseudo-random signal with runs of missing samples, against the definition.
        let mut state = 12_345u64;
        let y: Vec<f64> = (0..700)
            .map(|k| {
                state = state
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1);
                let v = (state >> 33) as f64 / f64::from(1u32 << 31) - 0.5;
                if (200..230).contains(&k) || k % 97 == 0 {
                    f64::NAN
                } else {
                    (v * 8.0).round()
                }
            })
            .collect();
        for len in [1, 2, 10, 31, 64] {
            let half = len / 2;
            let got = running_median(&y, len);
            for (i, g) in got.iter().enumerate() {
                let mut w: Vec<f64> = y[i.saturating_sub(half)..(i + half + 1).min(y.len())]
                    .iter()
                    .copied()
                    .filter(|v| v.is_finite())
                    .collect();
                w.sort_by(f64::total_cmp);
                let want = w.get(w.len() / 2).copied().unwrap_or(f64::NAN);
                assert!(
                    g.total_cmp(&want).is_eq() || (g.is_nan() && want.is_nan()),
                    "len {len}, sample {i}: {g} against {want}"
                );
            }
        }
    }
}
