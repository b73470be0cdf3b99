//! One-to-one matching of predicted to reference boundaries within [`TOLERANCE_MS`], and the
//! scoring of one lead from it.

use super::{Boundary, BoundaryKind, Tally, annotated_span, annotation_boundaries};
use crate::record::annotation::Annotation;

/// Largest distance between a predicted and a reference boundary that still counts as a match.
pub const TOLERANCE_MS: f64 = 150.0;

/// Match predicted to reference samples one-to-one, nearest first, within `tolerance` samples.
///
/// Every pair within tolerance is a candidate; candidates are taken by increasing distance
/// (ties: earlier reference, then earlier prediction), each skipped when its reference or its
/// prediction is already taken. Returns `(reference index, prediction index)` pairs, sorted.
pub fn match_nearest(reference: &[i64], predicted: &[i64], tolerance: f64) -> Vec<(usize, usize)> {
    let mut order: Vec<usize> = (0..predicted.len()).collect();
    order.sort_by_key(|&j| predicted[j]);
    // Candidates come from a binary search per reference: lists are long, candidates few.
    let mut candidates: Vec<(i64, usize, usize)> = Vec::new();
    for (i, &r) in reference.iter().enumerate() {
        let start = order.partition_point(|&j| ((r - predicted[j]) as f64) > tolerance);
        for &j in &order[start..] {
            let d = predicted[j] - r;
            if d as f64 > tolerance {
                break;
            }
            candidates.push((d.abs(), i, j));
        }
    }
    candidates.sort_unstable();
    let mut ref_taken = vec![false; reference.len()];
    let mut pred_taken = vec![false; predicted.len()];
    let mut pairs = Vec::new();
    for (_, i, j) in candidates {
        if !ref_taken[i] && !pred_taken[j] {
            ref_taken[i] = true;
            pred_taken[j] = true;
            pairs.push((i, j));
        }
    }
    pairs.sort_unstable();
    pairs
}

/// Which part of a lead counts: predictions outside it (by more than [`TOLERANCE_MS`]) are
/// ignored, because the reference says nothing there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SpanRule {
    /// From the first to the last reference mark of any kind in the lead.
    #[default]
    Lead,
    /// From the first to the last reference boundary of the same kind (the lead's span when it
    /// has none of that kind, so P waves predicted in atrial fibrillation still count as
    /// false positives). LUDB's files start at a
    /// QRS and end at a QRS without its T wave, so under [`SpanRule::Lead`] a correct P before
    /// the first QRS or T after the last counts as a false positive.
    Kind,
}

/// Score predicted boundaries of one lead against its reference boundaries.
///
/// `span` is the first and last sample the reference annotates ([`annotated_span`]);
/// predictions more than [`TOLERANCE_MS`] outside it are ignored, and with `None` (nothing
/// annotated) every prediction is. `fs` (Hz) converts samples to ms.
pub fn score_boundaries(
    reference: &[Boundary],
    predicted: &[Boundary],
    span: Option<(i64, i64)>,
    fs: f64,
) -> Tally {
    score_boundaries_with(reference, predicted, span, fs, SpanRule::Lead)
}

/// [`score_boundaries`] with a choice of [`SpanRule`].
pub fn score_boundaries_with(
    reference: &[Boundary],
    predicted: &[Boundary],
    span: Option<(i64, i64)>,
    fs: f64,
    rule: SpanRule,
) -> Tally {
    let tolerance = TOLERANCE_MS * fs / 1000.0;
    let ms_per_sample = 1000.0 / fs;
    let within = |span: Option<(i64, i64)>, s: i64| {
        span.is_some_and(|(first, last)| {
            (first - s) as f64 <= tolerance && (s - last) as f64 <= tolerance
        })
    };
    let mut tally = Tally::default();
    for kind in BoundaryKind::ALL {
        let refs: Vec<i64> = reference
            .iter()
            .filter(|b| b.kind == kind)
            .map(|b| b.sample)
            .collect();
        let span = match rule {
            SpanRule::Lead => span,
            // A lead without any reference boundary of this kind (P in atrial fibrillation)
            // keeps the lead's span: predicting what is not there must cost.
            SpanRule::Kind => match (refs.iter().min(), refs.iter().max()) {
                (Some(&a), Some(&b)) => Some((a, b)),
                _ => span,
            },
        };
        let inside = |s: i64| within(span, s);
        let preds: Vec<i64> = predicted
            .iter()
            .filter(|b| b.kind == kind && inside(b.sample))
            .map(|b| b.sample)
            .collect();
        let pairs = match_nearest(&refs, &preds, tolerance);
        let c = &mut tally.counts[kind.index()];
        c.tp = pairs.len();
        c.fn_ = refs.len() - pairs.len();
        c.fp = preds.len() - pairs.len();
        for (i, j) in pairs {
            let err = (preds[j] - refs[i]) as f64 * ms_per_sample;
            c.sum_err_ms += err;
            c.sum_sq_err_ms += err * err;
        }
    }
    tally
}

/// Score one lead: reference annotations (boundaries and annotated span) against predicted
/// boundaries, at `fs` Hz.
pub fn score_lead(reference: &[Annotation], predicted: &[Boundary], fs: f64) -> Tally {
    score_lead_with(reference, predicted, fs, SpanRule::Lead)
}

/// [`score_lead`] with a choice of [`SpanRule`].
pub fn score_lead_with(
    reference: &[Annotation],
    predicted: &[Boundary],
    fs: f64,
    rule: SpanRule,
) -> Tally {
    score_boundaries_with(
        &annotation_boundaries(reference),
        predicted,
        annotated_span(reference),
        fs,
        rule,
    )
}
