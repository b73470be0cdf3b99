//! Stretches without samples (a recorder's gap, a lead that came off): the network sees zeros
//! there, so nothing it finds at a gap is a wave, and an RR interval across one is not a
//! measured one.

use crate::record::Record;
use std::ops::Range;

/// Where a lead of `record` that has samples elsewhere has none, at the record's rate (a lead
/// without a single sample is no lead, not a gap in every cycle).
pub fn missing_in_any_lead(record: &Record) -> Gaps {
    let gaps = per_lead(record);
    Gaps::union(&gaps.iter().map(|(_, g)| g).collect::<Vec<_>>())
}

/// The leads of `record` with gaps, by name, and their gaps (leads without a single sample
/// left out, as in [`missing_in_any_lead`]).
pub fn per_lead(record: &Record) -> Vec<(String, Gaps)> {
    record
        .leads
        .iter()
        .filter(|l| l.samples.iter().any(|v| v.is_finite()))
        .map(|l| (l.name.clone(), Gaps::of(&l.samples)))
        .filter(|(_, g)| !g.is_empty())
        .collect()
}

/// The stretch of `x` without samples that holds sample `i`, if `i` is missing.
pub fn gap_at(x: &[f64], i: usize) -> Option<Range<usize>> {
    let missing = |k: usize| x.get(k).is_some_and(|v| !v.is_finite());
    if !missing(i) {
        return None;
    }
    let start = (0..i).rev().find(|&k| !missing(k)).map_or(0, |k| k + 1);
    let end = (i..x.len()).find(|&k| !missing(k)).unwrap_or(x.len());
    Some(start..end)
}

/// Half-open stretches of missing samples, in order and disjoint.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Gaps(Vec<Range<usize>>);

impl Gaps {
    /// Gaps from runs already in order and disjoint.
    pub fn new(runs: Vec<Range<usize>>) -> Self {
        Self(runs)
    }

    /// The stretches of `x` without a finite sample.
    pub fn of(x: &[f64]) -> Self {
        let mut runs: Vec<Range<usize>> = Vec::new();
        for (i, v) in x.iter().enumerate() {
            if v.is_finite() {
                continue;
            }
            match runs.last_mut() {
                Some(r) if r.end == i => r.end = i + 1,
                _ => runs.push(i..i + 1),
            }
        }
        Self(runs)
    }

    /// The stretches every one of `leads` misses: where the record as a whole has no sample.
    /// None when `leads` is empty.
    pub fn common(leads: &[&Gaps]) -> Self {
        let Some((first, rest)) = leads.split_first() else {
            return Self::default();
        };
        let runs = rest
            .iter()
            .fold(first.0.clone(), |acc, g| intersect(&acc, &g.0));
        Self(runs)
    }

    /// The stretches any of `leads` misses, merged where they overlap or meet.
    pub fn union(leads: &[&Gaps]) -> Self {
        let mut all: Vec<Range<usize>> = leads.iter().flat_map(|g| g.0.iter().cloned()).collect();
        all.sort_by_key(|r| r.start);
        let mut runs: Vec<Range<usize>> = Vec::with_capacity(all.len());
        for r in all {
            match runs.last_mut() {
                Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
                _ => runs.push(r),
            }
        }
        Self(runs)
    }

    /// True when some sample of `range` is missing.
    pub fn overlaps(&self, range: Range<usize>) -> bool {
        let k = self.0.partition_point(|r| r.end <= range.start);
        self.0.get(k).is_some_and(|r| r.start < range.end)
    }

    /// The stretches, in order.
    pub fn runs(&self) -> &[Range<usize>] {
        &self.0
    }

    /// True when there is no gap.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// True when sample `i` is missing.
    pub fn contains(&self, i: usize) -> bool {
        let k = self.0.partition_point(|r| r.end <= i);
        self.0.get(k).is_some_and(|r| r.start <= i)
    }

    /// True when a gap lies within `margin` samples of `on..=off` (a wave cut by a gap, or one
    /// made of its edge).
    pub fn touches(&self, on: usize, off: usize, margin: usize) -> bool {
        let k = self.0.partition_point(|r| r.end + margin <= on);
        self.0.get(k).is_some_and(|r| r.start <= off + margin)
    }

    /// True when a gap lies strictly between samples `a` and `b` (`a < b`).
    pub fn between(&self, a: usize, b: usize) -> bool {
        let k = self.0.partition_point(|r| r.end <= a);
        self.0.get(k).is_some_and(|r| r.start < b)
    }
}

/// The overlap of two ordered lists of disjoint ranges.
fn intersect(a: &[Range<usize>], b: &[Range<usize>]) -> Vec<Range<usize>> {
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < a.len() && j < b.len() {
        let (start, end) = (a[i].start.max(b[j].start), a[i].end.min(b[j].end));
        if start < end {
            out.push(start..end);
        }
        if a[i].end < b[j].end {
            i += 1;
        } else {
            j += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_record_misses_only_what_every_lead_misses() {
        let a = Gaps::new(vec![10..20, 50..60]);
        let b = Gaps::new(std::iter::once(15..55).collect());
        assert_eq!(Gaps::common(&[&a, &b]), Gaps::new(vec![15..20, 50..55]));
        assert_eq!(Gaps::common(&[&a]), a);
        assert!(Gaps::common(&[]).is_empty());
        assert!(Gaps::common(&[&a, &Gaps::default()]).is_empty());
    }

    #[test]
    fn a_stretch_any_lead_misses_counts_once() {
        let a = Gaps::new(vec![10..20, 50..60]);
        let b = Gaps::new(vec![15..30, 60..70, 90..95]);
        assert_eq!(
            Gaps::union(&[&a, &b]),
            Gaps::new(vec![10..30, 50..70, 90..95])
        );
        assert!(Gaps::union(&[]).is_empty());
        let u = Gaps::union(&[&a, &b]);
        assert!(u.overlaps(25..40) && u.overlaps(0..11) && u.overlaps(94..200));
        assert!(!u.overlaps(30..50) && !u.overlaps(0..10) && !u.overlaps(95..200));
    }

    #[test]
    fn missing_samples_make_runs() {
        let x = [f64::NAN, 1.0, f64::NAN, f64::INFINITY, 2.0, 3.0, f64::NAN];
        assert_eq!(Gaps::of(&x), Gaps::new(vec![0..1, 2..4, 6..7]));
        assert!(Gaps::of(&[1.0, 2.0]).is_empty());
        assert_eq!(gap_at(&x, 3), Some(2..4));
        assert_eq!(gap_at(&x, 0), Some(0..1));
        assert_eq!(gap_at(&x, 6), Some(6..7));
        assert_eq!(gap_at(&x, 4), None);
        assert_eq!(gap_at(&x, 7), None, "past the end is no gap");
    }

    #[test]
    fn waves_at_a_gap_and_intervals_across_one_are_found() {
        let g = Gaps::new(std::iter::once(100..200).collect());
        assert!(g.contains(100) && g.contains(199));
        assert!(!g.contains(99) && !g.contains(200));
        // A wave that ends 3 samples before the gap touches it with a margin of 5, not of 2.
        assert!(g.touches(80, 97, 5));
        assert!(!g.touches(80, 97, 2));
        // One that starts right after it, and one inside it.
        assert!(g.touches(202, 220, 5));
        assert!(g.touches(120, 130, 0));
        assert!(!g.touches(210, 220, 5));
        assert!(g.between(50, 250));
        assert!(!g.between(200, 250));
        assert!(!g.between(20, 100));
    }
}
