//! Electrode artifacts a lead's network input leaves out: an electrode pop or a lead that
//! lost contact steps several millivolts and decays for a second under the baseline filter.
//! Seen by the network, such a step reads as a QRS in every slot (its convolutions mix the
//! leads), so the record gains a beat that is not there (PTB-XL 00292: an 8 mV step in V1).
//! The stretch is treated as missing in that lead, as a recorder's gap is, and bridged by a
//! straight line in the network's input.

use std::ops::Range;

/// Times the lead's usual beat amplitude an excursion must exceed.
const FACTOR: f64 = 2.0;
/// Shortest excursion taken for an artifact: longer than any QRS, however tall.
const MIN_RUN_S: f64 = 0.15;
/// Times the usual beat amplitude a lasting jump in level must exceed.
const STEP_FACTOR: f64 = 2.5;
/// And in mV: in a lead of small beats, a PVC's ST–T can sit 0.5 mV off for 300 ms.
const STEP_MIN_MV: f64 = 1.5;
/// Excursions this close together are one (a filtered step swings through zero).
const JOIN_S: f64 = 0.1;
/// Fraction of the usual amplitude the lead must come back within for the artifact to end.
const RELAX: f64 = 0.5;
/// Margin marked missing either side of an artifact.
const MARGIN_S: f64 = 0.05;
/// Windows the usual amplitude is measured over: each holds a beat above 40 bpm.
const WINDOW_S: f64 = 1.5;
/// A lead flatter than this (mV peak to peak, median window) has no usual amplitude.
const FLAT_MV: f64 = 0.02;

/// Mark as missing (NaN) the stretches of `x` (baseline removed, at `fs`) where its level
/// jumps and stays ([`steps`]) or where it stays beyond [`FACTOR`] × its usual peak-to-peak
/// amplitude for [`MIN_RUN_S`] or longer, each until it is back within [`RELAX`] × that
/// amplitude; returns the stretches marked, in order and apart.
pub fn mark_artifacts(x: &mut [f64], fs: f64) -> Vec<Range<usize>> {
    let n = (WINDOW_S * fs).round() as usize;
    if n == 0 {
        return Vec::new();
    }
    let mut spans: Vec<f64> = x
        .chunks_exact(n)
        .filter_map(|w| {
            let finite = w.iter().copied().filter(|v| v.is_finite());
            let (lo, hi) = finite.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
                (lo.min(v), hi.max(v))
            });
            (hi >= lo).then_some(hi - lo)
        })
        .collect();
    if spans.is_empty() {
        return Vec::new();
    }
    spans.sort_by(f64::total_cmp);
    let usual = spans[spans.len() / 2];
    if usual < FLAT_MV {
        return Vec::new();
    }
    let limit = FACTOR * usual;
    let (min_run, join, margin) = (
        (MIN_RUN_S * fs) as usize,
        (JOIN_S * fs) as usize,
        (MARGIN_S * fs) as usize,
    );
    // A missing sample inside an excursion does not end it.
    let beyond = |v: f64, level: f64| v.is_nan() || v.abs() > level;
    // Excursions beyond the limit; the filtered step swings through zero, so excursions a
    // moment apart are one.
    let mut runs: Vec<Range<usize>> = Vec::new();
    let mut i = 0;
    while i < x.len() {
        if !beyond(x[i], limit) {
            i += 1;
            continue;
        }
        let start = i;
        while i < x.len() && beyond(x[i], limit) {
            i += 1;
        }
        match runs.last_mut() {
            Some(r) if start - r.end <= join => r.end = i,
            _ => runs.push(start..i),
        }
    }
    runs.retain(|r| r.len() >= min_run);
    runs.extend(steps(x, fs, usual));
    // Each one widened while the lead stays off its usual level (the filtered step decays for
    // a second), and a margin beyond.
    let mut runs: Vec<Range<usize>> = runs
        .into_iter()
        .map(|r| {
            let (mut a, mut b) = (r.start, r.end);
            while a > 0 && beyond(x[a - 1], RELAX * usual) {
                a -= 1;
            }
            while b < x.len() && beyond(x[b], RELAX * usual) {
                b += 1;
            }
            a.saturating_sub(margin)..(b + margin).min(x.len())
        })
        .collect();
    // The two rules can find one artifact twice: one stretch each, so a bridge spans it.
    runs.sort_by_key(|r| r.start);
    let mut merged: Vec<Range<usize>> = Vec::new();
    for r in runs {
        match merged.last_mut() {
            Some(m) if r.start <= m.end => m.end = m.end.max(r.end),
            _ => merged.push(r),
        }
    }
    let runs = merged;
    for r in &runs {
        x[r.clone()].fill(f64::NAN);
    }
    runs
}

/// Where the lead's level jumps and stays: the mean 40–120 ms after a sample and the mean
/// 120–300 ms after it both differ from the mean 40–120 ms before it by more than
/// [`STEP_FACTOR`] × the usual beat amplitude (and [`STEP_MIN_MV`]), the same way. A QRS
/// returns to its baseline within that time, however tall; a step does not.
fn steps(x: &[f64], fs: f64, usual: f64) -> Vec<Range<usize>> {
    let at = |ms: f64| (ms * fs / 1000.0).round() as usize;
    let (a, b, c) = (at(40.0), at(120.0), at(300.0));
    if x.len() <= b + c || a == 0 {
        return Vec::new();
    }
    // Prefix sums over finite samples (a gap counts as 0 with no weight).
    let mut sum = vec![0.0; x.len() + 1];
    let mut cnt = vec![0usize; x.len() + 1];
    for (i, v) in x.iter().enumerate() {
        let ok = v.is_finite();
        sum[i + 1] = sum[i] + if ok { *v } else { 0.0 };
        cnt[i + 1] = cnt[i] + usize::from(ok);
    }
    let mean = |r: Range<usize>| {
        let n = cnt[r.end] - cnt[r.start];
        (n > 0).then(|| (sum[r.end] - sum[r.start]) / n as f64)
    };
    let limit = (STEP_FACTOR * usual).max(STEP_MIN_MV);
    let mut out: Vec<Range<usize>> = Vec::new();
    for t in b..x.len() - c {
        let (Some(before), Some(near), Some(far)) =
            (mean(t - b..t - a), mean(t + a..t + b), mean(t + b..t + c))
        else {
            continue;
        };
        let (d1, d2) = (near - before, far - before);
        if d1.abs() > limit && d2.abs() > limit && d1.signum() == d2.signum() {
            match out.last_mut() {
                Some(r) if t <= r.end + 1 => r.end = t + 1,
                _ => out.push(t..t + 1),
            }
        }
    }
    out
}

/// Fill the stretches `runs` of a network input with straight lines between the samples
/// either side: zeros there would make edges the network takes for waves.
pub fn bridge(x: &mut [f32], runs: &[Range<usize>]) {
    for r in runs {
        let before = r.start.checked_sub(1).map(|i| x[i]);
        let after = x.get(r.end).copied();
        let (a, b) = match (before, after) {
            (Some(a), Some(b)) => (a, b),
            (Some(a), None) => (a, a),
            (None, Some(b)) => (b, b),
            (None, None) => (0.0, 0.0),
        };
        let n = (r.len() + 1) as f32;
        for (k, v) in x[r.clone()].iter_mut().enumerate() {
            let w = (k + 1) as f32 / n;
            *v = a + (b - a) * w;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signal::testing::beat_train;

    const FS: f64 = 500.0;

    #[test]
    fn a_step_is_marked_and_tall_beats_are_not() {
        let mut clean = beat_train(5000, 1.5, 0.0);
        assert!(mark_artifacts(&mut clean, FS).is_empty());
        // Every beat twice as tall as usual for a stretch (ectopic beats): still beats.
        let mut tall = beat_train(5000, 1.5, 0.0);
        for v in &mut tall[2000..2800] {
            *v *= 2.5;
        }
        assert!(mark_artifacts(&mut tall, FS).is_empty());
        // An electrode pop: a 12 mV step, as the zero-phase baseline filter leaves it (a swing
        // down before it, up after it, decaying over a second).
        let mut pop = beat_train(5000, 1.5, 0.0);
        for (k, v) in pop.iter_mut().enumerate() {
            let t = (k as f64 - 3000.0) / FS;
            *v += 6.0 * t.signum() * (-t.abs() / 0.4).exp();
        }
        let runs = mark_artifacts(&mut pop, FS);
        assert_eq!(runs.len(), 1, "one step, one stretch: {runs:?}");
        assert!(runs[0].len() > 500, "{runs:?}");
        assert!(pop[3000].is_nan() && pop[3300].is_nan());
        assert!(pop[1000].is_finite() && pop[4900].is_finite());
    }

    #[test]
    fn a_bridge_joins_the_samples_either_side() {
        let mut x = [1.0f32, 0.0, 0.0, 0.0, 5.0, 9.0];
        bridge(&mut x, std::slice::from_ref(&(1..4)));
        assert_eq!(x, [1.0, 2.0, 3.0, 4.0, 5.0, 9.0]);
        let mut edge = [0.0f32, 0.0, 7.0];
        bridge(&mut edge, std::slice::from_ref(&(0..2)));
        assert_eq!(edge, [7.0, 7.0, 7.0]);
    }
}
