//! One-to-one matching of predicted to reference boundaries within [`TOLERANCE_MS`], and the
//! scoring of one lead from it.

use super::{Boundary, BoundaryKind, Tally, annotated_span, annotation_boundaries, median};
use crate::delineate::train_q1c::SKIPPED_RR;
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
    /// [`SpanRule::Kind`] for matching, but an unmatched prediction counts as a false positive
    /// only between two reference boundaries of its kind that follow each other as consecutive
    /// beats do (at most [`SKIPPED_RR`] × the median interval apart). For references that mark
    /// runs of beats, sometimes far apart or with a beat skipped (QTDB's `q1c`): between runs
    /// a prediction may be a true, unmarked beat; inside a run it is an extra wave.
    Runs,
}

/// Whether `p` lies between two consecutive `refs` (sorted) at most [`SKIPPED_RR`] × their
/// median interval apart; never with fewer than two.
fn inside_a_run(refs: &[i64], p: i64) -> bool {
    let gaps: Vec<f64> = refs.windows(2).map(|w| (w[1] - w[0]) as f64).collect();
    median(&gaps).is_some_and(|typical| {
        refs.windows(2)
            .any(|w| w[0] < p && p < w[1] && ((w[1] - w[0]) as f64) <= SKIPPED_RR * typical)
    })
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
        let mut refs: Vec<i64> = reference
            .iter()
            .filter(|b| b.kind == kind)
            .map(|b| b.sample)
            .collect();
        refs.sort_unstable();
        let span = match rule {
            SpanRule::Lead => span,
            // A lead without any reference boundary of this kind (P in atrial fibrillation)
            // keeps the lead's span: predicting what is not there must cost.
            SpanRule::Kind | SpanRule::Runs => match (refs.first(), refs.last()) {
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
        c.fp = match rule {
            SpanRule::Runs => {
                let mut matched = vec![false; preds.len()];
                for &(_, j) in &pairs {
                    matched[j] = true;
                }
                preds
                    .iter()
                    .zip(matched)
                    .filter(|&(&p, m)| !m && inside_a_run(&refs, p))
                    .count()
            }
            SpanRule::Lead | SpanRule::Kind => preds.len() - pairs.len(),
        };
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
