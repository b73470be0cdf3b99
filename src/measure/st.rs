//! Levels read off one lead: the PR-segment baseline, the ST level at J + 60 ms and the net
//! QRS value the axis is solved from.

use super::axis::AxisMethod;
use super::beats::BeatMarks;

/// Where the ST level is read: this long after the J point (the QRS offset).
pub const J_OFFSET_S: f64 = 0.060;
/// Half-width of the window averaged at J + 60 ms, so one noisy sample does not make the level.
const ST_HALF_WINDOW_S: f64 = 0.004;
/// Baseline window before the QRS onset of a beat without a P wave (no PR segment to use).
const NO_P_BASELINE_S: f64 = 0.020;

/// Mean of `x[range]`, `None` when the range is empty, outside `x` or holds a non-finite value.
fn mean(x: &[f64], from: usize, to: usize) -> Option<f64> {
    let part = x.get(from..to).filter(|p| !p.is_empty())?;
    let sum: f64 = part.iter().sum();
    sum.is_finite().then(|| sum / part.len() as f64)
}

/// The beat's isoelectric level in lead `x` (mV): the mean of its PR segment (P offset to QRS
/// onset), or of the 20 ms before the QRS onset when it has no P wave or no PR segment.
pub fn baseline(x: &[f64], beat: &BeatMarks, fs: f64) -> Option<f64> {
    let q = beat.qrs.on;
    match beat.p.filter(|p| p.off < q) {
        Some(p) => mean(x, p.off, q),
        None => {
            let w = ((NO_P_BASELINE_S * fs).round() as usize).max(1);
            mean(x, q.checked_sub(w)?, q)
        }
    }
}

/// ST level (mV) of lead `x` at J + 60 ms (`j`: the J point, the lead's own QRS offset when
/// known), relative to the beat's baseline; `None` when that point lies past the next beat's
/// QRS onset or the record's end.
pub fn st_level(x: &[f64], beat: &BeatMarks, j: usize, fs: f64) -> Option<f64> {
    let at = j + (J_OFFSET_S * fs).round() as usize;
    let half = (ST_HALF_WINDOW_S * fs).round() as usize;
    let limit = beat.next_qrs_on.unwrap_or(x.len()).min(x.len());
    if at + half >= limit {
        return None;
    }
    Some(mean(x, at - half.min(at), at + half + 1)? - baseline(x, beat, fs)?)
}

/// The largest positive (R, ≥ 0) and negative (S, ≤ 0) QRS deflections of lead `x` from the
/// beat's baseline, mV.
pub fn qrs_extremes(x: &[f64], beat: &BeatMarks, fs: f64) -> Option<(f64, f64)> {
    let base = baseline(x, beat, fs)?;
    let part = x.get(beat.qrs.on..=beat.qrs.off)?;
    if part.iter().any(|v| !v.is_finite()) {
        return None;
    }
    let hi = part.iter().fold(f64::NEG_INFINITY, |m, &v| m.max(v - base));
    let lo = part.iter().fold(f64::INFINITY, |m, &v| m.min(v - base));
    Some((hi.max(0.0), lo.min(0.0)))
}

/// The net QRS value of lead `x` (baseline-corrected) by `method`: area in mV·ms or the sum
/// of the largest positive and negative deflections in mV.
pub fn net_qrs(x: &[f64], beat: &BeatMarks, fs: f64, method: AxisMethod) -> Option<f64> {
    match method {
        AxisMethod::Area => {
            let base = baseline(x, beat, fs)?;
            let part = x.get(beat.qrs.on..=beat.qrs.off)?;
            let sum = part.iter().map(|v| v - base).sum::<f64>();
            sum.is_finite().then(|| sum * 1000.0 / fs)
        }
        AxisMethod::Amplitude => qrs_extremes(x, beat, fs).map(|(r, s)| r + s),
    }
}
