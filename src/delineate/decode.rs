//! From per-sample class probabilities to waves and beats.

use super::{Beat, Wave, WaveKind};

/// How label runs become waves.
#[derive(Debug, Clone, Copy)]
pub struct DecodeParams {
    /// Shortest P, QRS, T kept, in ms: shorter runs are label flicker, not waves.
    pub min_ms: [f64; 3],
    /// Runs of one class separated by at most this many ms of "none" are one wave (P, QRS, T).
    pub merge_ms: [f64; 3],
    /// A wave is kept only if its class probability reaches this somewhere in it (P, QRS, T).
    pub min_prob: [f32; 3],
}

impl Default for DecodeParams {
    fn default() -> Self {
        Self {
            min_ms: [20.0, 20.0, 40.0],
            merge_ms: [10.0, 10.0, 10.0],
            min_prob: [0.0, 0.0, 0.0],
        }
    }
}

/// Longest P onset to QRS onset accepted when pairing a P wave with its QRS.
const MAX_PR_MS: f64 = 450.0;

fn kind_of(class: usize) -> Option<WaveKind> {
    match class {
        1 => Some(WaveKind::P),
        2 => Some(WaveKind::Qrs),
        3 => Some(WaveKind::T),
        _ => None,
    }
}

/// Waves from class probabilities `probs[class][sample]` (at `fs`), peaks taken where
/// `energy` (≥ 0, same length) is largest within each wave.
pub fn waves_from_probabilities(
    probs: &[Vec<f32>; 4],
    energy: &[f32],
    fs: f64,
    params: &DecodeParams,
) -> Vec<Wave> {
    let n = probs[0].len();
    let mut label: Vec<usize> = (0..n)
        .map(|i| {
            (0..4)
                .max_by(|&a, &b| probs[a][i].total_cmp(&probs[b][i]))
                .unwrap_or(0)
        })
        .collect();
    let samples = |ms: f64| ((ms * fs / 1000.0).round() as usize).max(1);
    // Drop flicker, then bridge short gaps inside one wave.
    for (class, min_ms) in (1..4).zip(params.min_ms) {
        for (s, e) in runs(&label, class) {
            if e - s < samples(min_ms) {
                label[s..e].fill(0);
            }
        }
    }
    for (class, merge_ms) in (1..4).zip(params.merge_ms) {
        let r = runs(&label, class);
        for w in r.windows(2) {
            let (gap_s, gap_e) = (w[0].1, w[1].0);
            if gap_e - gap_s <= samples(merge_ms) && label[gap_s..gap_e].iter().all(|&c| c == 0) {
                label[gap_s..gap_e].fill(class);
            }
        }
    }
    let mut waves: Vec<Wave> = (1..4)
        .flat_map(|class| {
            let label = &label;
            runs(label, class)
                .into_iter()
                .map(move |(s, e)| (class, s, e))
        })
        .filter(|&(class, s, e)| {
            let best = probs[class][s..e].iter().copied().fold(0.0f32, f32::max);
            best >= params.min_prob[class - 1]
        })
        .filter_map(|(class, s, e)| {
            let kind = kind_of(class)?;
            let peak = (s..e)
                .max_by(|&a, &b| energy[a].total_cmp(&energy[b]))
                .unwrap_or(s);
            Some(Wave {
                kind,
                on: s,
                peak,
                off: e - 1,
            })
        })
        .collect();
    waves.sort_by_key(|w| w.on);
    waves
}

/// Half-open runs `[start, end)` of `class` in `label`.
fn runs(label: &[usize], class: usize) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, &c) in label.iter().enumerate() {
        match (c == class, start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push((s, i));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((s, label.len()));
    }
    out
}

/// Group waves into beats: each QRS with the last P that ends before it (after the previous
/// QRS, within a PR limit) and the first T that starts after it (before the next QRS).
pub fn beats_from_waves(waves: &[Wave], fs: f64) -> Vec<Beat> {
    let qrs: Vec<&Wave> = waves.iter().filter(|w| w.kind == WaveKind::Qrs).collect();
    let max_pr = (MAX_PR_MS * fs / 1000.0) as usize;
    qrs.iter()
        .enumerate()
        .map(|(k, q)| {
            let prev_off = if k > 0 { Some(qrs[k - 1].off) } else { None };
            let next_on = qrs.get(k + 1).map(|n| n.on);
            let p = waves
                .iter()
                .rfind(|w| {
                    w.kind == WaveKind::P
                        && w.off <= q.on
                        && q.on - w.on <= max_pr
                        && prev_off.is_none_or(|o| w.on > o)
                })
                .copied();
            let t = waves
                .iter()
                .find(|w| {
                    w.kind == WaveKind::T && w.on >= q.off && next_on.is_none_or(|n| w.off < n)
                })
                .copied();
            Beat {
                p,
                qrs: **q,
                t,
                rhythm: None,
            }
        })
        .collect()
}

/// Join a T wave cut short to the T-labelled runs that follow it: when a beat's QRS onset to
/// T end is shorter than the record's median by more than `slack` samples, the T runs that
/// follow it, each within `max_gap` samples of the last, before the next QRS and keeping the
/// beat within `slack` of the median, become part of it; its peak is then where `energy` is
/// largest over the joined wave.
///
/// Why: the network sometimes splits a long or notched T wave into two runs, and the first
/// alone would end the beat's QT 100–300 ms early. Joining only beats that are short against
/// their own record leaves a U wave after a T of usual length where it is (joining every T run
/// before the next QRS pulled U waves into the T).
pub fn join_split_t(
    beats: &mut [Beat],
    waves: &[Wave],
    energy: &[f32],
    slack: usize,
    max_gap: usize,
) {
    let mut qt: Vec<usize> = beats
        .iter()
        .filter_map(|b| b.t.map(|t| t.off.saturating_sub(b.qrs.on)))
        .collect();
    if qt.len() < 3 {
        return;
    }
    qt.sort_unstable();
    let median = qt[qt.len() / 2];
    let next_on: Vec<Option<usize>> = (0..beats.len())
        .map(|k| beats.get(k + 1).map(|n| n.qrs.on))
        .collect();
    for (b, next) in beats.iter_mut().zip(next_on) {
        let on = b.qrs.on;
        let Some(t) = b.t.as_mut() else { continue };
        if t.off.saturating_sub(on) + slack >= median {
            continue;
        }
        let mut end = None;
        let mut last = t.off;
        for w in waves
            .iter()
            .filter(|w| w.kind == WaveKind::T && w.on > t.off)
        {
            if w.on - last > max_gap
                || next.is_some_and(|n| w.off >= n)
                || w.off.saturating_sub(on) > median + slack
            {
                break;
            }
            last = w.off;
            end = Some(w.off);
        }
        if let Some(e) = end {
            t.off = e;
            t.peak = (t.on..=e.min(energy.len().saturating_sub(1)))
                .max_by(|&a, &b| energy[a].total_cmp(&energy[b]))
                .unwrap_or(t.peak);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn probs_from_labels(labels: &[usize]) -> [Vec<f32>; 4] {
        std::array::from_fn(|c| {
            labels
                .iter()
                .map(|&l| if l == c { 0.9 } else { 0.033 })
                .collect()
        })
    }

    #[test]
    fn runs_become_waves_and_flicker_is_dropped() {
        let fs = 500.0;
        let mut labels = vec![0usize; 400];
        labels[20..60].fill(1); // P, 80 ms
        labels[100..140].fill(2); // QRS, 80 ms
        labels[145..147].fill(3); // flicker, 4 ms
        labels[200..300].fill(3); // T, 200 ms
        let energy: Vec<f32> = (0..400).map(|i| if i == 120 { 5.0 } else { 0.1 }).collect();
        let waves = waves_from_probabilities(
            &probs_from_labels(&labels),
            &energy,
            fs,
            &DecodeParams::default(),
        );
        let got: Vec<(WaveKind, usize, usize)> =
            waves.iter().map(|w| (w.kind, w.on, w.off)).collect();
        assert_eq!(
            got,
            [
                (WaveKind::P, 20, 59),
                (WaveKind::Qrs, 100, 139),
                (WaveKind::T, 200, 299)
            ]
        );
        assert_eq!(waves[1].peak, 120);
    }

    #[test]
    fn a_short_gap_inside_a_wave_is_bridged() {
        let mut labels = vec![0usize; 200];
        labels[50..70].fill(2);
        labels[72..90].fill(2);
        let waves = waves_from_probabilities(
            &probs_from_labels(&labels),
            &[0.0; 200],
            500.0,
            &DecodeParams::default(),
        );
        assert_eq!(waves.len(), 1);
        assert_eq!((waves[0].on, waves[0].off), (50, 89));
    }

    #[test]
    fn beats_pair_p_and_t_with_their_qrs() {
        let w = |kind, on, off| Wave {
            kind,
            on,
            peak: on,
            off,
        };
        let waves = vec![
            w(WaveKind::Qrs, 10, 50),
            w(WaveKind::T, 100, 180),
            w(WaveKind::P, 300, 340),
            w(WaveKind::Qrs, 380, 420),
            w(WaveKind::T, 480, 560),
            w(WaveKind::Qrs, 800, 840),
        ];
        let beats = beats_from_waves(&waves, 500.0);
        assert_eq!(beats.len(), 3);
        assert!(beats[0].p.is_none() && beats[0].t.unwrap().on == 100);
        assert_eq!(beats[1].p.unwrap().on, 300);
        assert_eq!(beats[1].t.unwrap().on, 480);
        assert!(
            beats[2].p.is_none(),
            "no P between the T at 560 and this QRS"
        );
        assert!(beats[2].t.is_none());
    }

    #[test]
    fn a_t_wave_cut_short_is_joined_but_a_u_wave_after_a_usual_t_is_not() {
        let w = |kind, on, off| Wave {
            kind,
            on,
            peak: on,
            off,
        };
        // Beats every 500 samples: QRS 0–40, T 120–200 (QT 200), a U wave 230–260; joins reach
        // across gaps of up to 20 samples.
        let mut waves = Vec::new();
        for k in 0..5 {
            let o = k * 500;
            waves.push(w(WaveKind::Qrs, o, o + 40));
            if k == 2 {
                // Split in two: the first run ends 80 samples early.
                waves.push(w(WaveKind::T, o + 100, o + 120));
                waves.push(w(WaveKind::T, o + 135, o + 205));
            } else if k == 3 {
                // Cut short, but what follows lies too far off to be its other part.
                waves.push(w(WaveKind::T, o + 100, o + 120));
                waves.push(w(WaveKind::T, o + 150, o + 205));
            } else {
                waves.push(w(WaveKind::T, o + 120, o + 200));
            }
            waves.push(w(WaveKind::T, o + 230, o + 260));
        }
        waves.sort_by_key(|w| w.on);
        let mut beats = beats_from_waves(&waves, 500.0);
        // The split T's larger part peaks at 1170.
        let energy: Vec<f32> = (0..2500)
            .map(|i| if i == 1170 { 1.0 } else { 0.1 })
            .collect();
        join_split_t(&mut beats, &waves, &energy, 30, 20);
        let ends: Vec<usize> = beats.iter().map(|b| b.t.unwrap().off).collect();
        assert_eq!(ends, [200, 700, 1205, 1620, 2200]);
        assert_eq!(beats[2].t.unwrap().peak, 1170);
    }
}
