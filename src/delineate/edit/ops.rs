//! Reading cycles and bands off the marks, and the edits with their undo history.

use super::{AnnotationDoc, BoundaryKind, MAX_UNDO, Mark, Splice, valid_fs};
use crate::delineate::CycleBounds;
use crate::delineate::cycles::{Deflection, window_from_pr};
use std::ops::Range;

/// Window within which a key press moves an existing mark instead of adding one.
const MOVE_WINDOW_S: f64 = 0.040;

/// Template cycle durations in seconds: P wave, PR segment, QRS, ST segment, T wave.
const TEMPLATE_S: [f64; 5] = [0.100, 0.060, 0.100, 0.100, 0.160];

/// Rank of `kind` among marks sharing a sample, counted along the cycle from the kind of the
/// mark before them (its successor first); without one, plain cycle order.
fn tie_rank(prev: Option<BoundaryKind>, kind: BoundaryKind) -> usize {
    match prev {
        Some(p) => (kind.index() + 5 - p.index()) % 6,
        None => kind.index(),
    }
}

/// Sort marks by sample, ordering those at one sample along the cycle (for sources such as the
/// JSON lists that say nothing about order at a shared sample).
pub(super) fn sort_in_cycle_order(marks: &mut [Mark]) {
    marks.sort_by_key(|m| (m.sample, m.kind));
    let mut i = 0;
    while i < marks.len() {
        let s = marks[i].sample;
        let j = i + marks[i..].iter().take_while(|m| m.sample == s).count();
        if j - i > 1 {
            let prev = i.checked_sub(1).map(|p| marks[p].kind);
            marks[i..j].sort_by_key(|m| tie_rank(prev, m.kind));
        }
        i = j;
    }
}

/// One beat's marks: indices of its first and last mark, and its waves' (onset, offset).
struct MarkedBeat {
    first: usize,
    last: usize,
    p: Option<(usize, usize)>,
    qrs: (usize, usize),
    t: (usize, usize),
}

/// Samples in `seconds` at `fs`, or `None` when `fs` is not a positive finite rate.
fn samples(seconds: f64, fs: f64) -> Option<usize> {
    valid_fs(fs).then(|| (seconds * fs).round().max(0.0) as usize)
}

impl AnnotationDoc {
    /// The cycles: each beat whose marks run, one after another, [P on, P off,] QRS on, QRS
    /// off, T on, T off, up to the next beat's start (its P on, or for a beat without a P wave
    /// the start of its window). A beat without a P wave (atrial fibrillation, a ventricular
    /// ectopic beat) starts its cycle the record's median PR interval before its QRS onset
    /// ([`window_from_pr`]), never before the mark ahead of it, with a P wave of no length
    /// there, as the annotator's own cycles do (`crate::delineate::cycles::cycles`). With every
    /// P wave marked these are the runs of seven marks P on … T off, next P on (what
    /// `cycles_from_waves` takes from a wave file).
    pub fn cycles(&self) -> Vec<CycleBounds> {
        let beats = self.beats();
        let pr = beats
            .iter()
            .filter_map(|b| b.p.map(|p| b.qrs.0 - p.0))
            .collect();
        let window = window_from_pr(pr, self.fs);
        let start = |b: &MarkedBeat| match b.p {
            Some((on, _)) => on,
            None => {
                let floor = b.first.checked_sub(1).map_or(0, |i| self.marks[i].sample);
                b.qrs.0.saturating_sub(window).max(floor)
            }
        };
        beats
            .iter()
            .enumerate()
            .filter_map(|(k, b)| {
                let next = self.marks.get(b.last + 1)?;
                let next_start = match beats.get(k + 1) {
                    Some(n) if n.first == b.last + 1 => start(n),
                    _ if next.kind == BoundaryKind::POn => next.sample,
                    _ => return None,
                };
                let p_on = start(b);
                let p_off = b.p.map_or(p_on, |p| p.1);
                CycleBounds::new(
                    [p_on, p_off, b.qrs.0, b.qrs.1, b.t.0, b.t.1, next_start],
                    self.len,
                )
            })
            .collect()
    }

    /// The beats of the marks: [P on, P off,] QRS on, QRS off, T on, T off one after another.
    fn beats(&self) -> Vec<MarkedBeat> {
        let m = &self.marks;
        let kind = |i: usize| m.get(i).map(|x| x.kind);
        let mut out = Vec::new();
        let mut i = 0;
        while i < m.len() {
            let with_p = kind(i) == Some(BoundaryKind::POn)
                && kind(i + 1) == Some(BoundaryKind::POff)
                && kind(i + 2) == Some(BoundaryKind::QrsOn);
            let q = if with_p { i + 2 } else { i };
            // Without a P wave the beat follows the last one's T offset: a lone P mark before it
            // is a P wave being edited, and before the first mark a P wave may be unmarked
            // (LUDB's files start at a QRS), not absent.
            let after_t = with_p || (q > 0 && kind(q - 1) == Some(BoundaryKind::TOff));
            let whole = after_t
                && kind(q) == Some(BoundaryKind::QrsOn)
                && kind(q + 1) == Some(BoundaryKind::QrsOff)
                && kind(q + 2) == Some(BoundaryKind::TOn)
                && kind(q + 3) == Some(BoundaryKind::TOff);
            if !whole {
                i += 1;
                continue;
            }
            out.push(MarkedBeat {
                first: i,
                last: q + 3,
                p: with_p.then(|| (m[i].sample, m[i + 1].sample)),
                qrs: (m[q].sample, m[q + 1].sample),
                t: (m[q + 2].sample, m[q + 3].sample),
            });
            i = q + 4;
        }
        out
    }

    /// The deflection bands to draw: every pair of consecutive marks that follow each other in
    /// a cycle (P on → P off is the P wave, T off → P on the TP segment), so partial cycles at
    /// the record's edges are coloured too. Empty bands are left out.
    pub fn bands(&self) -> Vec<(Deflection, Range<usize>)> {
        self.marks
            .windows(2)
            .filter(|w| w[1].kind == w[0].kind.next() && w[0].sample < w[1].sample)
            .map(|w| (Deflection::ALL[w[0].kind.index()], w[0].sample..w[1].sample))
            .collect()
    }

    /// The marks as a file lays them out: `(index, true)` for a whole wave (an onset directly
    /// followed by its offset, at `index` and `index + 1`), `(index, false)` for a lone mark.
    pub(super) fn pieces(&self) -> Vec<(usize, bool)> {
        let mut out = Vec::new();
        let mut i = 0;
        while i < self.marks.len() {
            let m = self.marks[i];
            let whole = m.kind.is_onset()
                && self
                    .marks
                    .get(i + 1)
                    .is_some_and(|n| n.kind == BoundaryKind::offset(m.kind.wave()));
            out.push((i, whole));
            i += if whole { 2 } else { 1 };
        }
        out
    }

    /// Indices of marks that are not part of a whole wave (an onset directly followed by its
    /// offset): the ones a wave file can only keep as notes.
    pub fn incomplete(&self) -> Vec<usize> {
        self.pieces()
            .into_iter()
            .filter(|&(_, whole)| !whole)
            .map(|(i, _)| i)
            .collect()
    }

    /// Index of the mark nearest `sample` within `max_dist` samples (the first of equals).
    pub fn nearest(&self, sample: usize, max_dist: usize) -> Option<usize> {
        let p = self.marks.partition_point(|m| m.sample < sample);
        let after = (p < self.marks.len()).then_some(p);
        // The first of the marks sharing the nearest sample before `sample`.
        let before = p.checked_sub(1).map(|b| {
            let s = self.marks[b].sample;
            self.marks.partition_point(|m| m.sample < s)
        });
        [before, after]
            .into_iter()
            .flatten()
            .map(|i| (self.marks[i].sample.abs_diff(sample), i))
            .filter(|&(d, _)| d <= max_dist)
            .min()
            .map(|(_, i)| i)
    }

    /// Where a new mark goes: after the marks before its sample, and among those at its sample
    /// where the cycle order puts it.
    fn insert_position(&self, kind: BoundaryKind, sample: usize) -> usize {
        let lo = self.marks.partition_point(|m| m.sample < sample);
        let hi = self.marks.partition_point(|m| m.sample <= sample);
        let prev = lo.checked_sub(1).map(|i| self.marks[i].kind);
        let rank = tie_rank(prev, kind);
        (lo..hi)
            .find(|&i| tie_rank(prev, self.marks[i].kind) > rank)
            .unwrap_or(hi)
    }

    /// Key 1–6 at the cursor: move the nearest mark of `kind` within 40 ms to `sample` when no
    /// other mark lies between them, else insert a new mark. Returns the mark's index, or
    /// `None` (and changes nothing) for a sample past the record's end.
    pub fn set(&mut self, kind: BoundaryKind, sample: usize) -> Option<usize> {
        if sample >= self.len {
            return None;
        }
        let window = samples(MOVE_WINDOW_S, self.fs).unwrap_or(0);
        let candidate = self
            .marks
            .iter()
            .enumerate()
            .filter(|(_, m)| m.kind == kind && m.sample.abs_diff(sample) <= window)
            .min_by_key(|(i, m)| (m.sample.abs_diff(sample), *i))
            .map(|(i, _)| i);
        if let Some(i) = candidate
            && self.fits_at(i, sample)
        {
            if self.marks[i].sample != sample {
                self.splice(i, 1, vec![Mark::new(kind, sample)]);
            }
            return Some(i);
        }
        let at = self.insert_position(kind, sample);
        self.splice(at, 0, vec![Mark::new(kind, sample)]);
        Some(at)
    }

    /// True when mark `i` can sit at `sample` without passing a neighbour.
    fn fits_at(&self, i: usize, sample: usize) -> bool {
        let lo = i.checked_sub(1).map_or(0, |p| self.marks[p].sample);
        let hi = self.marks.get(i + 1).map_or(usize::MAX, |n| n.sample);
        lo <= sample && sample <= hi
    }

    /// Drag mark `index` to `to`, clamped to the record and to its neighbours (marks never
    /// cross, so the order of every cycle is kept). Consecutive moves of one mark are one undo
    /// step. Returns true when the mark moved; an index out of range is a no-op.
    pub fn move_mark(&mut self, index: usize, to: usize) -> bool {
        if index >= self.marks.len() || self.len == 0 {
            return false;
        }
        let lo = index.checked_sub(1).map_or(0, |p| self.marks[p].sample);
        let hi = self.marks.get(index + 1).map_or(self.len - 1, |n| n.sample);
        let to = to.min(self.len - 1).clamp(lo, hi);
        if self.marks[index].sample == to {
            return false;
        }
        let moved = Mark::new(self.marks[index].kind, to);
        if self.dragging == Some(index)
            && let Some(step) = self.undo.back_mut()
        {
            self.marks[index] = moved;
            step.inserted = vec![moved];
            self.revision += 1;
            return true;
        }
        self.splice(index, 1, vec![moved]);
        self.dragging = Some(index);
        true
    }

    /// End the current drag, so that the next move is an undo step of its own.
    pub fn finish_drag(&mut self) {
        if self.dragging.take().is_some()
            && let Some(step) = self.undo.back()
            && step.removed == step.inserted
        {
            // The drag ended where it started: nothing to undo.
            self.undo.pop_back();
        }
    }

    /// Delete mark `index`; returns false (a no-op) for an index out of range.
    pub fn delete(&mut self, index: usize) -> bool {
        if index >= self.marks.len() {
            return false;
        }
        self.splice(index, 1, Vec::new());
        true
    }

    /// Add a template cycle (P 100 ms, PR segment 60, QRS 100, ST 100, T 160 ms; its six marks
    /// from P on to T off) starting at `at`, when it ends inside the record and no mark lies
    /// in `at..=T off`. Returns false and changes nothing otherwise (or when `fs` is invalid).
    pub fn add_cycle(&mut self, at: usize) -> bool {
        let Some(durations) = TEMPLATE_S
            .iter()
            .map(|&s| samples(s, self.fs).map(|n| n.max(1)))
            .collect::<Option<Vec<usize>>>()
        else {
            return false;
        };
        let mut marks = vec![Mark::new(BoundaryKind::POn, at)];
        for (k, d) in durations.into_iter().enumerate() {
            let Some(s) = marks[k].sample.checked_add(d) else {
                return false;
            };
            marks.push(Mark::new(BoundaryKind::ALL[k + 1], s));
        }
        let end = marks[5].sample;
        let pos = self.marks.partition_point(|m| m.sample < at);
        if end >= self.len || self.marks.get(pos).is_some_and(|m| m.sample <= end) {
            return false;
        }
        self.splice(pos, 0, marks);
        true
    }

    /// Remove the cycle around `containing`: the marks from the last P on at or before that
    /// sample up to the next P on (for a sample before the first P on, the marks before it).
    /// Returns how many marks were removed (0 for a sample past the record's end or an empty
    /// stretch).
    pub fn remove_cycle(&mut self, containing: usize) -> usize {
        if containing >= self.len {
            return 0;
        }
        let is_p_on = |m: &Mark| m.kind == BoundaryKind::POn;
        let upto = self.marks.partition_point(|m| m.sample <= containing);
        let first_p_on = |from: usize| {
            self.marks[from..]
                .iter()
                .position(is_p_on)
                .map_or(self.marks.len(), |p| from + p)
        };
        let (start, end) = match self.marks[..upto].iter().rposition(is_p_on) {
            Some(start) => (start, first_p_on(start + 1)),
            None => (0, first_p_on(0)),
        };
        if start >= end {
            return 0;
        }
        self.splice(start, end - start, Vec::new());
        end - start
    }

    /// Undo the last edit; false when there is none.
    pub fn undo(&mut self) -> bool {
        self.finish_drag();
        let Some(step) = self.undo.pop_back() else {
            return false;
        };
        let inverse = step.inverse();
        self.apply(&inverse);
        self.redo.push(inverse);
        true
    }

    /// Redo the last undone edit; false when there is none.
    pub fn redo(&mut self) -> bool {
        self.finish_drag();
        let Some(inverse) = self.redo.pop() else {
            return false;
        };
        let step = inverse.inverse();
        self.apply(&step);
        self.undo.push_back(step);
        true
    }

    fn apply(&mut self, step: &Splice) {
        let end = step.at + step.removed.len();
        self.marks
            .splice(step.at..end, step.inserted.iter().copied());
        self.revision += 1;
    }

    /// Replace `remove` marks at `at` by `insert` as one undoable edit.
    fn splice(&mut self, at: usize, remove: usize, insert: Vec<Mark>) {
        self.finish_drag();
        let removed: Vec<Mark> = self
            .marks
            .splice(at..at + remove, insert.iter().copied())
            .collect();
        self.revision += 1;
        self.redo.clear();
        self.undo.push_back(Splice {
            at,
            removed,
            inserted: insert,
        });
        if self.undo.len() > MAX_UNDO {
            self.undo.pop_front();
        }
    }
}
