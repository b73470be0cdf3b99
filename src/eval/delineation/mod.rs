//! Boundary scoring: onsets and offsets of P, QRS and T waves matched to reference ones.
//!
//! A predicted boundary matches a reference boundary of the same kind when they lie within
//! [`TOLERANCE_MS`] of each other; matching is one-to-one, nearest pairs first. Matched pairs
//! are true positives, unmatched references false negatives and unmatched predictions false
//! positives, except predictions far outside the span the reference annotates, which are
//! ignored: a cardiologist annotating only part of a record says nothing about the rest.
//! Counts and error sums add up over leads and records, so results pool by simple addition.
//!
//! The code is split by stage: `boundaries` reads boundaries out of annotation lists and
//! delineated waves, `matching` pairs them and scores a lead, `counts` holds the poolable
//! counts and the figures derived from them, and `report` the pooled report with its table,
//! JSON form and the median time per record.

mod boundaries;
mod counts;
mod matching;
mod report;

#[cfg(test)]
mod tests;

pub use crate::stats::median;
pub use boundaries::{
    Boundary, BoundaryKind, annotated_span, annotation_boundaries, wave_boundaries,
};
pub use counts::{Counts, Tally};
pub use matching::{
    SpanRule, TOLERANCE_MS, match_nearest, score_boundaries, score_boundaries_with, score_lead,
    score_lead_with,
};
pub(crate) use report::fmt_or_dash;
pub use report::{DelineationReport, KindScore};
