//! Premature ventricular beats: a QRS that comes early and does not look like the record's
//! dominant one is ectopic, and has no P wave of its own — a sinus P that happens to fall
//! before it does not conduct it. Both conditions are needed: a change of shape alone is also
//! intermittent bundle branch block or aberration (conducted, with their P), and prematurity
//! alone is also an atrial premature beat (with its P). A beat of its own shape that follows an
//! ectopic one at about the usual rate continues a couplet or run, and is ectopic too.

use super::Beat;
use crate::stats::median;

/// Correlation with the dominant QRS below which a beat's shape is its own.
pub const SHAPE_MIN: f64 = 0.9;
/// RR before a beat, relative to the median RR around it, below which it is premature.
pub const PREMATURE: f64 = 0.85;
/// The same ratio below which a beat of its own shape right after an ectopic beat continues a
/// couplet or run.
pub const RUN_MAX: f64 = 1.1;
/// The QRS window compared: from this long before the QRS onset…
const BEFORE_MS: f64 = 50.0;
/// …to this long after it.
const AFTER_MS: f64 = 150.0;
/// Largest shift (each way) tried when aligning a beat with the dominant QRS.
const SHIFT_MS: f64 = 30.0;
/// Beats on each side whose RR intervals make the median a beat's RR is compared with.
const HALF_WINDOW: usize = 6;
/// Fewest beats a dominant QRS is made of.
const MIN_BEATS: usize = 4;

/// Per beat, whether it is a premature ventricular beat, from the leads' samples (`leads`, all
/// of one length, at `fs`). Records with fewer than [`MIN_BEATS`] beats have none.
/// `after_gap[i]` says the record has no samples between beats `i − 1` and `i`, so that RR
/// interval says nothing of prematurity.
pub fn ventricular_ectopic(
    beats: &[Beat],
    after_gap: &[bool],
    leads: &[&[f32]],
    fs: f64,
) -> Vec<bool> {
    let mut ectopic = vec![false; beats.len()];
    let Some(shape) = shape_correlation(beats, leads, fs) else {
        return ectopic;
    };
    for i in 0..beats.len() {
        let Some(r) = premature_ratio(beats, after_gap, i) else {
            continue;
        };
        // The second beat of a couplet or run comes at about the sinus rate after the first.
        let early = r < PREMATURE || (ectopic[i - 1] && r < RUN_MAX);
        ectopic[i] = shape[i] < SHAPE_MIN && early;
    }
    ectopic
}

/// The RR interval before beat `i` over the median RR of the beats around it.
fn premature_ratio(beats: &[Beat], after_gap: &[bool], i: usize) -> Option<f64> {
    let measured = |k: usize| k > 0 && !after_gap.get(k).copied().unwrap_or(false);
    if !measured(i) {
        return None;
    }
    let rr = |k: usize| beats[k].qrs.on as f64 - beats[k - 1].qrs.on as f64;
    let (from, to) = (
        i.saturating_sub(HALF_WINDOW).max(1),
        (i + HALF_WINDOW + 1).min(beats.len()),
    );
    let around: Vec<f64> = (from..to)
        .filter(|&k| k != i && measured(k))
        .map(rr)
        .collect();
    if around.len() < 2 {
        return None;
    }
    // The mean of the middle two for an even count: bigeminy's alternating RR give their mean.
    let m = median(&around)?;
    (m > 0.0).then(|| rr(i) / m)
}

/// Each beat's best correlation, over small shifts, of its QRS window (all leads together)
/// with the dominant QRS: the sample-wise median of every beat's window. `None` with too few
/// complete windows.
fn shape_correlation(beats: &[Beat], leads: &[&[f32]], fs: f64) -> Option<Vec<f64>> {
    let ms = |v: f64| (v * fs / 1000.0).round() as usize;
    let (before, len, shift) = (ms(BEFORE_MS), ms(BEFORE_MS + AFTER_MS), ms(SHIFT_MS));
    let samples = leads.first().map_or(0, |l| l.len());
    // Start of each beat's widened window, when it lies wholly in the record.
    let starts: Vec<Option<usize>> = beats
        .iter()
        .map(|b| {
            let s = b.qrs.on.checked_sub(before + shift)?;
            (s + len + 2 * shift <= samples).then_some(s)
        })
        .collect();
    let complete: Vec<usize> = starts.iter().flatten().copied().collect();
    if leads.is_empty() || complete.len() < MIN_BEATS {
        return None;
    }
    let mut column = vec![0f64; complete.len()];
    let template: Vec<Vec<f64>> = leads
        .iter()
        .map(|lead| {
            (0..len)
                .map(|j| {
                    for (c, &s) in column.iter_mut().zip(&complete) {
                        *c = lead[s + shift + j] as f64;
                    }
                    median(&column).unwrap_or(0.0)
                })
                .collect()
        })
        .collect();
    let centred = |x: &mut Vec<f64>| {
        let m = x.iter().sum::<f64>() / x.len() as f64;
        x.iter_mut().for_each(|v| *v -= m);
    };
    let template: Vec<Vec<f64>> = template
        .into_iter()
        .map(|mut t| {
            centred(&mut t);
            t
        })
        .collect();
    let t_energy: f64 = template.iter().flatten().map(|v| v * v).sum();
    // Shifts of 4 ms are fine enough for a QRS and keep the search cheap.
    let step = ms(4.0).max(1);
    Some(
        starts
            .iter()
            .map(|start| {
                let Some(s) = *start else { return 1.0 };
                (0..=2 * shift)
                    .step_by(step)
                    .map(|k| {
                        let (mut dot, mut energy) = (0.0, 0.0);
                        for (lead, t) in leads.iter().zip(&template) {
                            let mut seg: Vec<f64> =
                                lead[s + k..s + k + len].iter().map(|&v| v as f64).collect();
                            centred(&mut seg);
                            dot += seg.iter().zip(t).map(|(a, b)| a * b).sum::<f64>();
                            energy += seg.iter().map(|v| v * v).sum::<f64>();
                        }
                        dot / (energy * t_energy).sqrt().max(1e-12)
                    })
                    .fold(f64::MIN, f64::max)
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::delineate::{Wave, WaveKind};

    const FS: f64 = 500.0;

    fn beat(on: usize) -> Beat {
        Beat {
            p: Some(Wave::new(WaveKind::P, on - 80, on - 55, on - 30)),
            qrs: Wave::new(WaveKind::Qrs, on, on + 20, on + 45),
            t: None,
            rhythm: None,
        }
    }

    /// A narrow QRS (one sharp spike) or, for an ectopic beat, a wide one of opposite sign.
    fn draw(x: &mut [f32], on: usize, ectopic: bool) {
        for j in 0..80 {
            let t = j as f32;
            x[on + j] += if ectopic {
                -1.2 * (-((t - 35.0) / 15.0).powi(2)).exp()
            } else {
                1.5 * (-((t - 20.0) / 5.0).powi(2)).exp()
            };
        }
    }

    fn record(onsets: &[usize], ectopic: &[usize]) -> (Vec<Beat>, Vec<f32>) {
        let mut x = vec![0f32; onsets.last().unwrap() + 1000];
        for (i, &on) in onsets.iter().enumerate() {
            draw(&mut x, on, ectopic.contains(&i));
        }
        (onsets.iter().map(|&on| beat(on)).collect(), x)
    }

    #[test]
    fn an_early_beat_of_another_shape_is_ectopic() {
        // Sinus at 400 samples; beat 6 comes 160 samples early with a wide inverted QRS.
        let mut onsets: Vec<usize> = (0..14).map(|i| 500 + 400 * i).collect();
        onsets[6] -= 160;
        let (beats, x) = record(&onsets, &[6]);
        let flags = ventricular_ectopic(&beats, &[], &[&x], FS);
        let expected: Vec<bool> = (0..14).map(|i| i == 6).collect();
        assert_eq!(flags, expected);
    }

    #[test]
    fn a_late_beat_of_another_shape_or_an_early_beat_of_the_usual_one_is_not() {
        // Intermittent bundle branch block: beat 6 wide but on time.
        let onsets: Vec<usize> = (0..14).map(|i| 500 + 400 * i).collect();
        let (beats, x) = record(&onsets, &[6]);
        assert!(
            ventricular_ectopic(&beats, &[], &[&x], FS)
                .iter()
                .all(|&e| !e)
        );
        // Atrial premature beat: early, narrow.
        let mut early = onsets.clone();
        early[6] -= 160;
        let (beats, x) = record(&early, &[]);
        assert!(
            ventricular_ectopic(&beats, &[], &[&x], FS)
                .iter()
                .all(|&e| !e)
        );
    }

    #[test]
    fn both_beats_of_a_couplet_are_ectopic() {
        // Beat 6 early; beat 7 of the same wide shape at the sinus interval after it.
        let mut onsets: Vec<usize> = (0..14).map(|i| 500 + 400 * i).collect();
        onsets[6] -= 160;
        onsets[7] = onsets[6] + 400;
        let (beats, x) = record(&onsets, &[6, 7]);
        let flags = ventricular_ectopic(&beats, &[], &[&x], FS);
        let expected: Vec<bool> = (0..14).map(|i| i == 6 || i == 7).collect();
        assert_eq!(flags, expected);
    }

    #[test]
    fn ventricular_bigeminy_flags_every_premature_beat() {
        let mut onsets = Vec::new();
        let mut t = 500;
        for i in 0..20 {
            onsets.push(t);
            t += if i % 2 == 0 { 280 } else { 520 };
        }
        let ectopic: Vec<usize> = (1..20).step_by(2).collect();
        let (beats, x) = record(&onsets, &ectopic);
        let flags = ventricular_ectopic(&beats, &[], &[&x], FS);
        for (i, f) in flags.iter().enumerate() {
            assert_eq!(*f, i % 2 == 1, "beat {i}: {flags:?}");
        }
    }
}
