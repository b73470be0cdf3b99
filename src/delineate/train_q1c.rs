//! Training examples from QT Database records: a cardiologist's record-level boundaries
//! (`NAME.q1c`: P on/peak/off, QRS on/peak/off, T peak/off, some U waves) on a stretch of about
//! 30 beats, applied to every lead of the record.
//!
//! What the reference leaves open is not guessed. From a QRS offset to the T peak (QTDB never
//! marks the T onset) the samples are "none or T" (`NONE_OR_T`), which the loss scores as
//! either; the stretch before a QRS whose P is not marked, and any unmarked beats inside the
//! stretch (an RR gap well above the record's median), are masked out of the loss.

use super::prep::{NET_FS, prepare};
use super::train::{Example, NONE, NONE_OR_T, P, QRS, T};
use super::unet::SLOTS;
use crate::error::Result;
use crate::record::annotation::{Annotation, Q1C, is_beat_symbol, read_annotations};
use crate::record::open_record;
use std::path::Path;

/// Context kept on each side of the annotated stretch (s): crops reach past its ends.
const CONTEXT_S: f64 = 4.0;
/// Unlabelled margin before the first and after the last mark counted as "none" (s).
const EDGE_S: f64 = 0.04;
/// An RR interval this many times the record's median holds beats the reference skipped (the
/// labels mask it; the QTDB scorer counts no unmatched prediction in it).
pub const SKIPPED_RR: f64 = 1.6;

/// One marked wave at the network's rate; QTDB never marks T onsets.
#[derive(Debug, Clone, Copy)]
struct Marked {
    class: Option<u8>,
    on: Option<usize>,
    peak: Option<usize>,
    off: Option<usize>,
}

impl Marked {
    fn first(&self) -> Option<usize> {
        self.on.or(self.peak).or(self.off)
    }
    fn last(&self) -> Option<usize> {
        self.off.or(self.peak).or(self.on)
    }
}

/// The waves of a q1c file, at `scale` network samples per record sample. QRS peaks carry the
/// beat's label (`N`, `A`, `V`, `B`, `Q`…); `u` (U wave) closes a wave that is not labelled.
fn marked_waves(anns: &[Annotation], scale: f64) -> Vec<Marked> {
    let at = |a: &Annotation| (a.sample.max(0) as f64 * scale).round() as usize;
    let mut out = Vec::new();
    let mut cur: Option<Marked> = None;
    for a in anns {
        match a.symbol.as_str() {
            "(" => {
                if let Some(w) = cur.take() {
                    out.push(w);
                }
                cur = Some(Marked {
                    class: None,
                    on: Some(at(a)),
                    peak: None,
                    off: None,
                });
            }
            ")" => {
                if let Some(mut w) = cur.take() {
                    w.off = Some(at(a));
                    out.push(w);
                }
            }
            sym => {
                let class = match sym {
                    "p" => Some(P),
                    "t" => Some(T),
                    "u" => None,
                    s if is_beat_symbol(s) => Some(QRS),
                    _ => continue,
                };
                // A peak after a closed wave, or a second peak, starts a wave without onset.
                if cur.as_ref().is_some_and(|w| w.peak.is_some()) || cur.is_none() {
                    if let Some(w) = cur.take() {
                        out.push(w);
                    }
                    cur = Some(Marked {
                        class,
                        on: None,
                        peak: Some(at(a)),
                        off: None,
                    });
                } else if let Some(w) = cur.as_mut() {
                    w.class = class;
                    w.peak = Some(at(a));
                }
            }
        }
    }
    out.extend(cur);
    out.retain(|w| w.first().is_some());
    out
}

/// Per-sample classes and loss mask over `len` network samples from a record's q1c waves.
fn label_record(waves: &[Marked], len: usize) -> (Vec<u8>, Vec<u8>) {
    let mut labels = vec![NONE; len];
    let mut mask = vec![0u8; len];
    let edge = (EDGE_S * NET_FS) as usize;
    let (Some(first), Some(last)) = (
        waves.iter().filter_map(Marked::first).min(),
        waves.iter().filter_map(Marked::last).max(),
    ) else {
        return (labels, mask);
    };
    let clamp = |i: usize| i.min(len.saturating_sub(1));
    mask[clamp(first.saturating_sub(edge))..=clamp(last + edge)].fill(1);
    let unmask = |mask: &mut Vec<u8>, from: usize, to: usize| {
        if from < to {
            mask[clamp(from)..clamp(to)].fill(0);
        }
    };
    let qrs: Vec<&Marked> = waves.iter().filter(|w| w.class == Some(QRS)).collect();
    for w in waves {
        match (w.class, w.on, w.off) {
            (Some(class), Some(on), Some(off)) if on <= off => {
                labels[clamp(on)..=clamp(off)].fill(class);
            }
            // A T wave from its peak: its onset lies somewhere after the QRS.
            (Some(T), None, Some(off)) => {
                let peak = w.peak.unwrap_or(off);
                labels[clamp(peak)..=clamp(off)].fill(T);
                let qrs_off = qrs
                    .iter()
                    .filter_map(|q| q.last())
                    .filter(|&e| e < peak)
                    .max();
                match qrs_off {
                    // Between the QRS offset and the T peak: "none" or T, never a QRS, so the
                    // QRS cannot run on into the ST segment for free.
                    Some(q) if q + 1 < peak => labels[clamp(q + 1)..clamp(peak)].fill(NONE_OR_T),
                    Some(_) => {}
                    // No marked QRS before it: the 250 ms before the peak may hold one.
                    None => unmask(&mut mask, peak.saturating_sub(NET_FS as usize / 4), peak),
                }
            }
            // U waves are "none"; other half-marked waves leave their neighbourhood open.
            (None, ..) => {}
            _ => {
                let (a, b) = (w.first().unwrap_or(0), w.last().unwrap_or(0));
                let pad = NET_FS as usize / 10;
                unmask(&mut mask, a.saturating_sub(pad), b + pad);
            }
        }
    }
    let any_p = waves.iter().any(|w| w.class == Some(P));
    let mut rr: Vec<usize> = qrs
        .windows(2)
        .filter_map(|q| Some(q[1].first()?.saturating_sub(q[0].first()?)))
        .collect();
    rr.sort_unstable();
    let median_rr = rr
        .get(rr.len().saturating_sub(1) / 2)
        .copied()
        .unwrap_or(usize::MAX);
    for pair in qrs.windows(2) {
        let (Some(prev_end), Some(next_on)) = (pair[0].last(), pair[1].first()) else {
            continue;
        };
        let end_of_beat = waves
            .iter()
            .filter(|w| w.class == Some(T))
            .filter_map(Marked::last)
            .filter(|&e| e > prev_end && e < next_on)
            .max()
            .unwrap_or(prev_end);
        let p_on = waves
            .iter()
            .filter(|w| w.class == Some(P))
            .filter_map(Marked::first)
            .filter(|&s| s > end_of_beat && s < next_on)
            .min();
        let skipped =
            (next_on - pair[0].first().unwrap_or(prev_end)) as f64 > SKIPPED_RR * median_rr as f64;
        if skipped {
            unmask(&mut mask, end_of_beat + 1, p_on.unwrap_or(next_on));
        } else if p_on.is_none() || !any_p {
            // No P marked before this QRS: absent, or not marked; the reference does not say.
            unmask(&mut mask, end_of_beat + 1, next_on);
        }
    }
    // Before the first QRS of the stretch, without a P mark, the same holds.
    if let Some(q) = qrs.first().and_then(|q| q.first()) {
        let has_p = waves
            .iter()
            .any(|w| w.class == Some(P) && w.last().is_some_and(|e| e < q));
        if !has_p {
            unmask(&mut mask, 0, q);
        }
    }
    (labels, mask)
}

/// Load the named QTDB records of `dir` with labels from their `NAME.q1c` files, cut to the
/// annotated stretch and a few seconds around it. Records without a q1c file are skipped.
pub fn load_q1c_examples(dir: &Path, names: &[String]) -> Result<Vec<Example>> {
    let mut out = Vec::new();
    for name in names {
        let path = dir.join(format!("{name}.{Q1C}"));
        if !path.is_file() {
            continue;
        }
        let record = open_record(&dir.join(name))?;
        let input = prepare(&record)?;
        let waves = marked_waves(&read_annotations(&path)?, NET_FS / record.fs);
        let (labels, mask) = label_record(&waves, input.len);
        let Some(first) = mask.iter().position(|&m| m == 1) else {
            continue;
        };
        let last = mask.iter().rposition(|&m| m == 1).unwrap_or(first);
        let context = (CONTEXT_S * NET_FS) as usize;
        let (from, to) = (
            first.saturating_sub(context),
            (last + context).min(input.len),
        );
        let mut cut = input.clone();
        cut.len = to - from;
        for s in cut.slots.iter_mut().filter(|s| !s.is_empty()) {
            *s = s[from..to].to_vec();
        }
        let per_slot = |v: &[u8], slot: usize| {
            if cut.source[slot].is_some() {
                v[from..to].to_vec()
            } else {
                vec![0u8; to - from]
            }
        };
        out.push(Example {
            name: name.clone(),
            weight: 1.0,
            record_level: true,
            labels: (0..SLOTS).map(|s| per_slot(&labels, s)).collect(),
            mask: (0..SLOTS).map(|s| per_slot(&mask, s)).collect(),
            input: cut,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ann(sample: i64, symbol: &str) -> Annotation {
        Annotation::new(sample, symbol)
    }

    /// Two beats at 250 Hz: P, QRS (labelled `A`), T from its peak; the second without P.
    fn two_beats() -> Vec<Annotation> {
        [
            (100, "("),
            (110, "p"),
            (120, ")"),
            (140, "("),
            (150, "A"),
            (160, ")"),
            (200, "t"),
            (220, ")"),
            (340, "("),
            (350, "N"),
            (360, ")"),
            (400, "t"),
            (420, ")"),
        ]
        .iter()
        .map(|&(s, sym)| ann(s, sym))
        .collect()
    }

    #[test]
    fn marked_waves_become_labels_and_open_questions_are_masked() {
        let waves = marked_waves(&two_beats(), 2.0);
        assert_eq!(waves.len(), 5);
        let (labels, mask) = label_record(&waves, 1000);
        // P 200..=240, QRS 280..=320 at 500 Hz, all in the loss.
        assert!(labels[200..=240].iter().all(|&c| c == P));
        assert!(labels[280..=320].iter().all(|&c| c == QRS));
        assert!(mask[200..=320].iter().all(|&m| m == 1));
        assert_eq!(labels[260], NONE, "PR segment");
        // T from its peak (400) to its offset (440); its onset is unknown, so from the QRS
        // offset up to the peak the loss is told "none or T" (not QRS), not which.
        assert!(labels[400..=440].iter().all(|&c| c == T));
        assert!(labels[321..400].iter().all(|&c| c == NONE_OR_T));
        assert!(mask[321..=440].iter().all(|&m| m == 1));
        // The second QRS has no P mark: the stretch before it is not taught as "none".
        assert!(mask[441..680].iter().all(|&m| m == 0));
        assert!(mask[680..=720].iter().all(|&m| m == 1));
        // Outside the stretch (plus 40 ms) nothing is taught.
        assert_eq!(mask[150], 0);
        assert_eq!(mask[900], 0);
    }

    #[test]
    fn u_waves_stay_none_and_skipped_beats_are_masked() {
        let mut anns = two_beats();
        // U wave after the first T, then a third beat after a long gap.
        anns.splice(8..8, [ann(240, "("), ann(250, "u"), ann(260, ")")]);
        for (s, sym) in [
            (700, "("),
            (710, "p"),
            (720, ")"),
            (740, "("),
            (750, "N"),
            (760, ")"),
        ] {
            anns.push(ann(s, sym));
        }
        let waves = marked_waves(&anns, 2.0);
        let (labels, mask) = label_record(&waves, 2000);
        assert!(labels[480..=520].iter().all(|&c| c == NONE));
        // RR 400 then 1200 samples at 500 Hz: the reference skipped beats in the second.
        assert!(mask[900..1400].iter().all(|&m| m == 0));
        assert!(labels[1400..=1440].iter().all(|&c| c == P));
        assert!(mask[1400..=1520].iter().all(|&m| m == 1));
    }

    #[test]
    fn a_qtdb_record_gives_labels_on_its_annotated_stretch_in_both_leads() {
        let dir = crate::test_data_dir().join("qtdb");
        let ex = load_q1c_examples(&dir, &["sel100".to_string(), "nosuch".to_string()]).unwrap();
        assert_eq!(ex.len(), 1, "a record without a q1c file is skipped");
        let ex = &ex[0];
        let live: Vec<usize> = (0..SLOTS)
            .filter(|&s| ex.input.source[s].is_some())
            .collect();
        assert_eq!(live.len(), 2);
        // sel100's marks span 150272..156196 at 250 Hz: about 23.7 s, plus 4 s either side.
        let span = (156_196 - 150_272) * 2;
        assert!(
            ex.input.len.abs_diff(span + 8 * 500) < 200,
            "{}",
            ex.input.len
        );
        for &s in &live {
            let taught = ex.mask[s].iter().filter(|&&m| m == 1).count();
            assert!(taught > span / 2 && taught <= span + 100, "{taught}");
            for class in [P, QRS, T] {
                let n = ex.labels[s].iter().filter(|&&c| c == class).count();
                assert!(n > 30 * 10, "class {class}: {n} samples");
            }
        }
        assert_eq!(ex.labels[live[0]], ex.labels[live[1]], "record-level marks");
    }
}
