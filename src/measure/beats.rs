//! One beat's record-level boundaries as the measurements read them, from each source.

use crate::delineate::cycles::{Cycle, CycleFlag};
use crate::delineate::edit::{BoundaryKind, Mark};
use crate::delineate::{BeatRhythm, CycleBounds};
use serde::{Deserialize, Serialize};

/// A wave's onset and offset (sample indices, `on ≤ off`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Span {
    /// First sample.
    pub on: usize,
    /// Last sample.
    pub off: usize,
}

impl Span {
    /// A span when `on < off`; a wave of no length is not a measured wave.
    pub fn new(on: usize, off: usize) -> Option<Self> {
        (on < off).then_some(Self { on, off })
    }
}

/// One beat: its waves where they were found, and the neighbouring beats' QRS onsets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BeatMarks {
    /// The P wave; `None` for a beat without one (`no_p_wave`) or cut by the record's start.
    pub p: Option<Span>,
    /// The QRS complex.
    pub qrs: Span,
    /// The T wave; `None` when missing, cut by the record's end, or clipped at the next P.
    pub t: Option<Span>,
    /// QRS onset of the beat just before (no beat left out between them).
    pub prev_qrs_on: Option<usize>,
    /// QRS onset of the beat just after.
    pub next_qrs_on: Option<usize>,
    /// What the annotator's rhythm rules took the beat for (why it has no P wave).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rhythm: Option<BeatRhythm>,
}

/// Give each beat the rhythm named at its QRS onset (`named`: QRS onsets with their names in
/// time order, as [`crate::delineate::edit::AnnotationDoc::named_beats`] gives them).
pub fn with_rhythm(mut beats: Vec<BeatMarks>, named: &[(usize, BeatRhythm)]) -> Vec<BeatMarks> {
    for b in &mut beats {
        b.rhythm = named
            .binary_search_by_key(&b.qrs.on, |&(on, _)| on)
            .ok()
            .map(|k| named[k].1);
    }
    beats
}

/// Fill each beat's neighbours from a list where `adjacent(i)` says beats `i` and `i + 1` follow
/// each other directly.
fn link(mut beats: Vec<BeatMarks>, adjacent: impl Fn(usize) -> bool) -> Vec<BeatMarks> {
    for i in 1..beats.len() {
        if adjacent(i - 1) {
            beats[i].prev_qrs_on = Some(beats[i - 1].qrs.on);
            beats[i - 1].next_qrs_on = Some(beats[i].qrs.on);
        }
    }
    beats
}

/// Beats of the annotator's flagged cycles ([`crate::delineate::cycles::cycles`]): no P for
/// `no_p_wave` or a P cut at sample 0, no T for `no_t_wave`, `t_overlaps_next_p` (its offset
/// was moved) or a T reaching the record's end; a QRS cut by the record's start is left out.
pub fn beats_from_cycles(cycles: &[Cycle], len: usize) -> Vec<BeatMarks> {
    let mut kept: Vec<(usize, BeatMarks)> = Vec::new();
    for (i, c) in cycles.iter().enumerate() {
        let Some(qrs) = Span::new(c.qrs_on, c.qrs_off).filter(|q| q.on > 0) else {
            continue;
        };
        let cut_p = c.has(CycleFlag::CutAtStart) && c.p_on == 0;
        let p = (c.has_p() && !cut_p)
            .then(|| Span::new(c.p_on, c.p_off))
            .flatten();
        let t_ok = c.has_t() && !c.has(CycleFlag::TOverlapsNextP) && c.t_off + 1 < len;
        let t = t_ok.then(|| Span::new(c.t_on, c.t_off)).flatten();
        let beat = BeatMarks {
            p,
            qrs,
            t,
            prev_qrs_on: None,
            next_qrs_on: None,
            rhythm: c.flags.iter().find_map(|f| f.rhythm()),
        };
        kept.push((i, beat));
    }
    let index: Vec<usize> = kept.iter().map(|(i, _)| *i).collect();
    link(kept.into_iter().map(|(_, b)| b).collect(), |k| {
        index[k + 1] == index[k] + 1
    })
}

/// Beats of complete cycles (a wave file's or a document's): every wave present; neighbours
/// only where one cycle's next P onset is the other's P onset.
pub fn beats_from_bounds(cycles: &[CycleBounds]) -> Vec<BeatMarks> {
    let beats: Vec<(CycleBounds, BeatMarks)> = cycles
        .iter()
        .filter_map(|c| {
            let beat = BeatMarks {
                p: Span::new(c.p_on(), c.p_off()),
                qrs: Span::new(c.qrs_on(), c.qrs_off())?,
                t: Span::new(c.t_on(), c.t_off()),
                prev_qrs_on: None,
                next_qrs_on: None,
                rhythm: None,
            };
            Some((*c, beat))
        })
        .collect();
    let bounds: Vec<CycleBounds> = beats.iter().map(|(c, _)| *c).collect();
    link(beats.into_iter().map(|(_, b)| b).collect(), |k| {
        bounds[k].next_p_on() == bounds[k + 1].p_on()
    })
}

/// Beats of an annotation document's marks (sorted by sample): every QRS onset directly
/// followed by its offset is a beat, with the P wave whose offset directly precedes it and the
/// T wave whose onset (or, unmarked, offset) directly follows it. Any QRS onset counts as a
/// neighbour, so a beat with a lone mark never makes an RR interval span two beats.
pub fn beats_from_marks(marks: &[Mark]) -> Vec<BeatMarks> {
    let kind = |i: usize| marks.get(i).map(|m| m.kind);
    let pair = |i: usize, on: BoundaryKind, off: BoundaryKind| {
        (kind(i) == Some(on) && kind(i + 1) == Some(off))
            .then(|| Span::new(marks[i].sample, marks[i + 1].sample))
            .flatten()
    };
    let onsets: Vec<usize> = marks
        .iter()
        .filter(|m| m.kind == BoundaryKind::QrsOn)
        .map(|m| m.sample)
        .collect();
    let mut out = Vec::new();
    for i in 0..marks.len() {
        let Some(qrs) = pair(i, BoundaryKind::QrsOn, BoundaryKind::QrsOff) else {
            continue;
        };
        let p = i
            .checked_sub(2)
            .and_then(|j| pair(j, BoundaryKind::POn, BoundaryKind::POff));
        // A T offset with no onset marked (QTDB's q1c marks none) still ends the QT: the wave
        // is taken to start at the QRS offset, as nothing here reads a T onset.
        let t = pair(i + 2, BoundaryKind::TOn, BoundaryKind::TOff).or_else(|| {
            (kind(i + 2) == Some(BoundaryKind::TOff))
                .then(|| Span::new(qrs.off, marks[i + 2].sample))
                .flatten()
        });
        let k = onsets.partition_point(|&s| s < qrs.on);
        out.push(BeatMarks {
            p,
            qrs,
            t,
            prev_qrs_on: k.checked_sub(1).map(|j| onsets[j]),
            next_qrs_on: onsets.get(k + 1).copied(),
            rhythm: None,
        });
    }
    out
}
