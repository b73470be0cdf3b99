//! One preparation of the network's inputs, shared by training and the engine: the inputs
//! scaled by their own peak (the honest mode: no target's range is used), padded to the
//! window, their Angular Encodings, the pairs (query, input) the input path weighs, and the
//! prior's regressions and estimate of a query.

use super::angular::ANGULAR_FEATURES;
use super::dynamics::DynamicRegressions;
use super::local_prior::{PhaseRegressions, lead_features};
use super::nefnet::T_X;
use super::prior::Prior;
use crate::delineate::CycleBounds;
use crate::geometry::Viewpoint;

/// Inputs are scaled by their peak, but never by less than this (mV): a flat cycle stays flat.
pub const MIN_SCALE: f32 = 0.05;

/// One input lead of a cycle.
pub struct InputLead<'a> {
    /// Its `STANDARD_12` slot when it is a standard lead (the prior reads those only).
    pub slot: Option<usize>,
    /// Angular Encoding of its viewpoint.
    pub angles: [f32; ANGULAR_FEATURES],
    /// Its samples in mV at 500 Hz from the cycle's P onset (at most [`T_X`]).
    pub samples: &'a [f32],
}

/// A cycle's inputs as the network and the prior see them.
pub struct NetInputs {
    /// mV per network unit.
    pub scale: f32,
    /// The inputs in network units, `L × T_X` row by row, zero past the cycle's end.
    pub views: Vec<f32>,
    /// Angular Encodings of the inputs.
    pub angles: Vec<[f32; ANGULAR_FEATURES]>,
    /// The cycle's boundaries in window samples (where the prior's phases hand over).
    pub bounds: CycleBounds,
    /// Positions (in `views`) of the standard-lead inputs.
    standard: Vec<usize>,
    /// The `STANDARD_12` slot of the input when there is one input and it is a standard lead.
    pub single: Option<usize>,
    /// The prior's regressions of every lead on the standard-lead inputs, per phase.
    regressions: Option<PhaseRegressions>,
    /// The prior's dynamic correction on the same inputs, when it has one.
    dynamic: Option<DynamicRegressions>,
    /// The standard-lead inputs' slopes and curvatures in network units, when the regressions
    /// read them ([`Prior::derived`]): computed once, read by every query.
    derived: Vec<Vec<f32>>,
}

impl NetInputs {
    /// Scale and pad `leads`; the prior's patient-similar regressions come from their shapes,
    /// leaving training record `exclude` out (a training cycle never sees its own record, as a
    /// new patient's never does).
    pub fn new(
        prior: &Prior,
        leads: &[InputLead],
        bounds: CycleBounds,
        exclude: Option<usize>,
    ) -> Self {
        let scale = leads
            .iter()
            .flat_map(|l| l.samples.iter())
            .fold(MIN_SCALE, |m, v| m.max(v.abs()));
        let mut views = vec![0f32; leads.len() * T_X];
        for (row, lead) in views.chunks_exact_mut(T_X).zip(leads) {
            for (d, v) in row.iter_mut().zip(lead.samples) {
                *d = v / scale;
            }
        }
        let standard: Vec<usize> = (0..leads.len())
            .filter(|&i| leads[i].slot.is_some())
            .collect();
        let slots: Vec<usize> = leads.iter().filter_map(|l| l.slot).collect();
        let shapes: Vec<_> = standard
            .iter()
            .map(|&i| lead_features(&views[i * T_X..(i + 1) * T_X], &bounds))
            .collect();
        let regressions = prior.regressions(&slots, Some(&shapes), exclude);
        let dynamic = prior.dynamic(&slots);
        let derived = regressions.as_ref().map_or_else(Vec::new, |r| {
            let inputs: Vec<&[f32]> = standard
                .iter()
                .map(|&i| &views[i * T_X..(i + 1) * T_X])
                .collect();
            // Up to the cycle's end, as in the training moments (not the window's padding).
            Prior::derived(r, &inputs, bounds.end() + 1, T_X)
        });
        let single = match leads {
            [one] => one.slot,
            _ => None,
        };
        Self {
            scale,
            views,
            angles: leads.iter().map(|l| l.angles).collect(),
            bounds,
            standard,
            single,
            regressions,
            dynamic,
            derived,
        }
    }

    /// Number of inputs.
    pub fn len(&self) -> usize {
        self.angles.len()
    }

    /// True when there is no input.
    pub fn is_empty(&self) -> bool {
        self.angles.is_empty()
    }

    /// `x` (mV, at most [`T_X`] samples) in network units, padded to the window.
    pub fn scaled(&self, x: &[f32]) -> Vec<f32> {
        (0..T_X)
            .map(|i| x.get(i).map_or(0.0, |v| v / self.scale))
            .collect()
    }

    /// Append the input path's pairs for one query: for each input, the query's Angular
    /// Encoding then the input's own (`L × 24` values).
    pub fn push_pairs(&self, query: &[f32; ANGULAR_FEATURES], out: &mut Vec<f32>) {
        for own in &self.angles {
            out.extend_from_slice(query);
            out.extend_from_slice(own);
        }
    }

    /// The prior's estimate of the view from `query` in network units over the window (zeros
    /// when the inputs hold no standard lead, or their moments cannot be solved).
    pub fn prior_estimate(&self, query: Viewpoint) -> Vec<f32> {
        let Some(regressions) = &self.regressions else {
            return vec![0.0; T_X];
        };
        let inputs: Vec<&[f32]> = self
            .standard
            .iter()
            .map(|&i| &self.views[i * T_X..(i + 1) * T_X])
            .collect();
        Prior::estimate(
            regressions,
            self.dynamic.as_ref(),
            query,
            &inputs,
            &self.derived,
            &self.bounds,
            T_X,
        )
    }
}
