//! Atrial fibrillation beat by beat: a stretch of beats is fibrillation when its RR intervals
//! are irregularly irregular — no short repeating pattern (bigeminy, trigeminy) explains their
//! changes — and the waves before its QRS complexes do not behave like P waves (no steady PR
//! interval). Sinus rhythm with ectopic beats keeps its P waves; the ectopic beats lose theirs
//! only when the network finds none.

use super::Beat;

/// Beats on each side of a beat whose RR intervals decide its rhythm.
pub const HALF_WINDOW: usize = 6;
/// Fewest RR intervals a decision is made on.
const MIN_RR: usize = 6;
/// Irregularity above which a stretch is fibrillation whatever its P waves.
pub const CHAOTIC: f64 = 0.2;
/// Irregularity above which a stretch is fibrillation when its P waves are not steady.
pub const IRREGULAR: f64 = 0.06;
/// Share of a stretch's beats with a P wave at a steady PR interval below which its P waves
/// are not taken as sinus ones.
pub const STEADY_P: f64 = 0.85;
/// PR intervals within this many ms of the stretch's median are steady.
const PR_TOLERANCE_MS: f64 = 40.0;

/// How irregular RR intervals are: the smallest, over lags 1–3, of the median change
/// |RR(i) − RR(i−lag)| relative to the mean RR. Bigeminy alternates, so its lag-2 changes are
/// small; trigeminy's lag-3 ones; only a rhythm without pattern is irregular at every lag.
/// `None` with fewer than [`MIN_RR`] intervals.
pub fn rr_irregularity(rr: &[f64]) -> Option<f64> {
    if rr.len() < MIN_RR {
        return None;
    }
    let mean = rr.iter().sum::<f64>() / rr.len() as f64;
    if mean <= 0.0 {
        return None;
    }
    (1..=3)
        .map(|lag| {
            let mut d: Vec<f64> = (lag..rr.len())
                .map(|i| (rr[i] - rr[i - lag]).abs())
                .collect();
            d.sort_by(f64::total_cmp);
            d[d.len() / 2] / mean
        })
        .reduce(f64::min)
}

/// Share of `beats` that have a P wave whose PR interval (P onset to QRS onset) is within
/// [`PR_TOLERANCE_MS`] of their median one.
pub fn steady_p_share(beats: &[Beat], fs: f64) -> f64 {
    let mut pr: Vec<f64> = beats
        .iter()
        .filter_map(|b| b.p.map(|p| b.qrs.on as f64 - p.on as f64))
        .collect();
    if pr.is_empty() || beats.is_empty() {
        return 0.0;
    }
    pr.sort_by(f64::total_cmp);
    let median = pr[pr.len() / 2];
    let tol = PR_TOLERANCE_MS * fs / 1000.0;
    pr.iter().filter(|&&v| (v - median).abs() <= tol).count() as f64 / beats.len() as f64
}

/// Thresholds of the rule (see the constants); overridable for tuning on training records.
#[derive(Debug, Clone, Copy)]
pub struct RhythmParams {
    /// See [`CHAOTIC`].
    pub chaotic: f64,
    /// See [`IRREGULAR`].
    pub irregular: f64,
    /// See [`STEADY_P`].
    pub steady_p: f64,
}

impl Default for RhythmParams {
    fn default() -> Self {
        Self {
            chaotic: CHAOTIC,
            irregular: IRREGULAR,
            steady_p: STEADY_P,
        }
    }
}

/// Per beat, whether it lies in atrial fibrillation (or flutter with a varying block): decided
/// on the beats within [`HALF_WINDOW`] of it (the whole record when it is short).
/// `after_gap[i]` says the record has no samples somewhere between beats `i − 1` and `i`:
/// the RR interval there is not a measured one and is left out. `ectopic[i]` says beat `i` is
/// ventricular ectopic ([`super::ectopic::ventricular_ectopic`]): it has no P wave of its own,
/// so it does not count against the steadiness of the P waves around it. Its RR intervals
/// still count: leaving them out too made fibrillation look regular (in fibrillation the
/// early, aberrant beats that rule names are the short intervals; models/delineator.md).
pub fn fibrillation_beats(
    beats: &[Beat],
    after_gap: &[bool],
    ectopic: &[bool],
    fs: f64,
    params: &RhythmParams,
) -> Vec<bool> {
    let n = beats.len();
    (0..n)
        .map(|i| {
            let (mut from, mut to) = (i.saturating_sub(HALF_WINDOW), (i + HALF_WINDOW + 1).min(n));
            // Near the ends, slide the window rather than shrink it.
            let want = (2 * HALF_WINDOW + 1).min(n);
            if to - from < want {
                if from == 0 {
                    to = want;
                } else {
                    from = n - want;
                }
            }
            let window: Vec<Beat> = (from..to)
                .filter(|&k| !ectopic.get(k).copied().unwrap_or(false))
                .map(|k| beats[k])
                .collect();
            let rr: Vec<f64> = (from + 1..to)
                .filter(|&k| !after_gap.get(k).copied().unwrap_or(false))
                .map(|k| beats[k].qrs.on as f64 - beats[k - 1].qrs.on as f64)
                .collect();
            match rr_irregularity(&rr) {
                Some(irr) if irr > params.chaotic => true,
                Some(irr) if irr > params.irregular => {
                    steady_p_share(&window, fs) < params.steady_p
                }
                _ => false,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::delineate::{Wave, WaveKind};

    fn beat(on: usize, pr: Option<usize>) -> Beat {
        let w = |kind, on: usize, len: usize| Wave {
            kind,
            on,
            peak: on + len / 2,
            off: on + len,
        };
        Beat {
            p: pr.map(|pr| w(WaveKind::P, on - pr, 50)),
            qrs: w(WaveKind::Qrs, on, 40),
            t: None,
            rhythm: None,
        }
    }

    fn beats_at(onsets: &[usize], pr: impl Fn(usize) -> Option<usize>) -> Vec<Beat> {
        onsets
            .iter()
            .enumerate()
            .map(|(i, &on)| beat(on, pr(i)))
            .collect()
    }

    fn onsets(rr: impl Fn(usize) -> usize, n: usize) -> Vec<usize> {
        let mut t = 1000;
        (0..n)
            .map(|i| {
                t += rr(i);
                t
            })
            .collect()
    }

    #[test]
    fn bigeminy_and_trigeminy_are_patterns_not_chaos() {
        let bigeminy: Vec<f64> = (0..20)
            .map(|i| if i % 2 == 0 { 300.0 } else { 500.0 })
            .collect();
        let trigeminy: Vec<f64> = (0..21).map(|i| [400.0, 400.0, 250.0][i % 3]).collect();
        assert!(rr_irregularity(&bigeminy).unwrap() < 0.01);
        assert!(rr_irregularity(&trigeminy).unwrap() < 0.01);
        let chaotic = [
            300.0, 520.0, 210.0, 600.0, 380.0, 250.0, 550.0, 200.0, 450.0, 330.0,
        ];
        assert!(rr_irregularity(&chaotic).unwrap() > 0.3);
        assert!(rr_irregularity(&[400.0; 4]).is_none(), "too few intervals");
    }

    #[test]
    fn fibrillation_is_found_beat_by_beat_and_sinus_with_ectopy_keeps_its_p() {
        let p = RhythmParams::default();
        // 20 sinus beats at 400 samples with steady PR, then 20 chaotic beats without steady P.
        let chaos = [300, 450, 200, 550, 250, 520, 210, 380, 600, 280];
        let on = onsets(|i| if i < 20 { 400 } else { chaos[i % 10] }, 40);
        let beats = beats_at(&on, |i| {
            if i < 20 {
                Some(80)
            } else {
                [None, Some(30), Some(150)][i % 3]
            }
        });
        let af = fibrillation_beats(&beats, &[], &[], 500.0, &p);
        assert!(af[..12].iter().all(|&a| !a), "{af:?}");
        assert!(af[28..].iter().all(|&a| a), "{af:?}");
        // Sinus bigeminy: premature beats without P after every sinus beat.
        let on = onsets(|i| if i % 2 == 0 { 300 } else { 500 }, 30);
        let beats = beats_at(&on, |i| (i % 2 == 1).then_some(80));
        assert!(
            fibrillation_beats(&beats, &[], &[], 500.0, &p)
                .iter()
                .all(|&a| !a)
        );
    }

    #[test]
    fn steady_p_waves_keep_a_moderately_irregular_stretch_sinus() {
        let p = RhythmParams::default();
        // Sinus arrhythmia with frequent changes, every beat with a P at PR 80.
        let rr = [350, 440, 330, 460, 380, 380, 380, 350, 470, 460];
        let on = onsets(|i| rr[i % 10], 30);
        let irr = rr_irregularity(&rr.iter().map(|&v| v as f64).collect::<Vec<_>>()).unwrap();
        assert!(irr > p.irregular && irr < p.chaotic, "{irr}");
        let sinus = beats_at(&on, |_| Some(80));
        assert!(
            fibrillation_beats(&sinus, &[], &[], 500.0, &p)
                .iter()
                .all(|&a| !a)
        );
        let no_p = beats_at(&on, |_| None);
        assert!(
            fibrillation_beats(&no_p, &[], &[], 500.0, &p)
                .iter()
                .all(|&a| a)
        );
        // The same rhythm with every third beat a ventricular ectopic one without a P: only a
        // third of the P waves are missing, which alone would call it fibrillation, but the
        // ectopic beats do not count against the sinus P waves between them.
        let with_pvcs = beats_at(&on, |i| (i % 3 != 2).then_some(80));
        let ectopic: Vec<bool> = (0..on.len()).map(|i| i % 3 == 2).collect();
        assert!(
            fibrillation_beats(&with_pvcs, &[], &[], 500.0, &p)
                .iter()
                .all(|&a| a)
        );
        assert!(
            fibrillation_beats(&with_pvcs, &[], &ectopic, 500.0, &p)
                .iter()
                .all(|&a| !a)
        );
    }
}
