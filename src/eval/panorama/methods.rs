//! The methods the panorama evaluation compares: anything that predicts a target lead of a
//! cycle from its input leads ([`Method`]), with the two baselines of the issue — per-target
//! linear regression fitted on training cycles and the dipole least-squares projection.

use super::Task;
use super::cycles::{Cycle, lead_index};
use crate::delineate::CycleBounds;
use crate::geometry::{LEADS, lead_view, normalise_lead_name};
use crate::linalg::solve_spd;
use crate::model::prior::LeadMatrix;
use glam::DVec3;
use nalgebra::{DMatrix, DVector, SVector};
use std::borrow::Cow;

/// A way to synthesize a target lead of a cycle from its input leads.
pub trait Method {
    /// The name shown in the table.
    fn name(&self) -> String;

    /// Honest mode: the target's samples in mV from the input leads (canonical names,
    /// detrended, mV) and the cycle's seven boundaries ([`Cycle::bounds`]); `None` when the
    /// method cannot serve these inputs or this target.
    fn predict(
        &self,
        inputs: &[(&str, &[f64])],
        bounds: &CycleBounds,
        target: &str,
    ) -> Option<Vec<f64>>;

    /// The paper's protocol: inputs already normalised by the cycle's 12-lead range, the target
    /// predicted in the same units. Defaults to [`Method::predict`] (methods without fitted
    /// units simply see other numbers).
    fn predict_normalised(
        &self,
        inputs: &[(&str, &[f64])],
        bounds: &CycleBounds,
        target: &str,
    ) -> Option<Vec<f64>> {
        self.predict(inputs, bounds, target)
    }

    /// Whether the method may be scored on `task` at all (default: every task). A method that
    /// learnt the task's targets from training recordings returns false when they must be unseen.
    fn applies_to(&self, task: &Task) -> bool {
        let _ = task;
        true
    }
}

/// `Σ w_l · x_l` sample by sample, plus `bias`.
fn combine(inputs: &[(&str, &[f64])], weights: &[f64], bias: f64) -> Vec<f64> {
    let n = inputs.first().map_or(0, |(_, x)| x.len());
    (0..n)
        .map(|s| {
            bias + inputs
                .iter()
                .zip(weights)
                .map(|((_, x), w)| w * x[s])
                .sum::<f64>()
        })
        .collect()
}

/// Means and centred cross-products of the 12 leads over every sample of a set of cycles.
#[derive(Debug, Clone)]
struct Moments {
    samples: usize,
    mean: [f64; LEADS],
    cross: LeadMatrix,
}

impl Moments {
    /// Two passes (means, then centred products) keep the sums well conditioned.
    fn of(cycles: &[Cycle], normalised: bool) -> Self {
        fn leads(c: &Cycle, normalised: bool) -> Cow<'_, [Vec<f64>]> {
            if normalised {
                let s = c.scale();
                Cow::Owned(c.leads.iter().map(|l| s.apply(l)).collect())
            } else {
                Cow::Borrowed(&c.leads)
            }
        }
        let mut m = Moments {
            samples: 0,
            mean: [0.0; LEADS],
            cross: LeadMatrix::zeros(),
        };
        for c in cycles {
            let l = leads(c, normalised);
            m.samples += c.samples();
            for (mean, lead) in m.mean.iter_mut().zip(l.iter()) {
                *mean += lead.iter().sum::<f64>();
            }
        }
        if m.samples == 0 {
            return m;
        }
        m.mean.iter_mut().for_each(|v| *v /= m.samples as f64);
        for c in cycles {
            let l = leads(c, normalised);
            for s in 0..c.samples() {
                let d = SVector::<f64, LEADS>::from_fn(|i, _| l[i][s] - m.mean[i]);
                m.cross += d * d.transpose();
            }
        }
        m
    }

    /// Ordinary least squares with intercept of lead `target` on leads `inputs`: the slopes
    /// and the intercept.
    fn regression(&self, inputs: &[usize], target: usize) -> Option<(Vec<f64>, f64)> {
        if self.samples <= inputs.len() {
            return None;
        }
        let n = inputs.len();
        let a = DMatrix::from_fn(n, n, |a, b| self.cross[(inputs[a], inputs[b])]);
        let b = DVector::from_fn(n, |a, _| self.cross[(inputs[a], target)]);
        let beta: Vec<f64> = solve_spd(a, b)?.as_slice().to_vec();
        let mean_x: f64 = inputs
            .iter()
            .zip(&beta)
            .map(|(&i, w)| w * self.mean[i])
            .sum();
        Some((beta, self.mean[target] - mean_x))
    }
}

/// Per-target linear regression: ordinary least squares with intercept from the input leads to
/// the target lead, sample by sample, over every sample of every training cycle.
///
/// Fitting keeps the 12-lead means and cross-products (in mV, and in the paper's normalised
/// units for [`Method::predict_normalised`]), so one fit serves any inputs and target: each
/// prediction solves the normal equations of its own input set exactly as a fit on those
/// leads alone would.
#[derive(Debug, Clone)]
pub struct LinearRegression {
    mv: Moments,
    normalised: Moments,
    cycles: usize,
}

impl LinearRegression {
    /// Fit on the (detrended, mV) training cycles; the normalised fit scales each cycle by its
    /// own 12-lead range first.
    pub fn fit(train: &[Cycle]) -> Self {
        Self {
            mv: Moments::of(train, false),
            normalised: Moments::of(train, true),
            cycles: train.len(),
        }
    }

    /// Number of training cycles.
    pub fn train_cycles(&self) -> usize {
        self.cycles
    }

    /// The slopes (in input order) and intercept for `target` from `inputs` in mV.
    pub fn coefficients(&self, inputs: &[&str], target: &str) -> Option<(Vec<f64>, f64)> {
        Self::coefficients_of(&self.mv, inputs, target)
    }

    fn coefficients_of(m: &Moments, inputs: &[&str], target: &str) -> Option<(Vec<f64>, f64)> {
        let idx = inputs
            .iter()
            .map(|n| lead_index(n))
            .collect::<Option<Vec<_>>>()?;
        m.regression(&idx, lead_index(target)?)
    }

    fn predict_with(m: &Moments, inputs: &[(&str, &[f64])], target: &str) -> Option<Vec<f64>> {
        let names: Vec<&str> = inputs.iter().map(|(n, _)| *n).collect();
        let (w, b) = Self::coefficients_of(m, &names, target)?;
        Some(combine(inputs, &w, b))
    }
}

impl Method for LinearRegression {
    fn name(&self) -> String {
        "linear regression".to_string()
    }

    fn predict(
        &self,
        inputs: &[(&str, &[f64])],
        _: &CycleBounds,
        target: &str,
    ) -> Option<Vec<f64>> {
        Self::predict_with(&self.mv, inputs, target)
    }

    fn predict_normalised(
        &self,
        inputs: &[(&str, &[f64])],
        _: &CycleBounds,
        target: &str,
    ) -> Option<Vec<f64>> {
        Self::predict_with(&self.normalised, inputs, target)
    }

    /// Trained on every lead as a target: it cannot claim unseen views.
    fn applies_to(&self, task: &Task) -> bool {
        !task.unseen
    }
}

/// The unit vector a lead looks along (from the lead table), if it is a known lead.
fn direction(name: &str) -> Option<DVec3> {
    lead_view(&normalise_lead_name(name), false).map(|v| v.viewpoint.unit_vector())
}

/// The heart as one dipole: at each sample the vector `d` minimising `Σ (u_l·d − x_l)²` over
/// the input leads (their unit vectors `u_l` from the lead table), projected on the target's
/// unit vector. Needs at least 3 inputs spanning 3-D space; no training.
#[derive(Debug, Clone, Copy, Default)]
pub struct DipoleLeastSquares;

impl DipoleLeastSquares {
    /// The fixed weights `w` with `target = Σ w_l · x_l`: `w = U (UᵀU)⁻¹ u_target`.
    pub fn weights(inputs: &[&str], target: &str) -> Option<Vec<f64>> {
        if inputs.len() < 3 {
            return None;
        }
        let u = inputs
            .iter()
            .map(|n| direction(n))
            .collect::<Option<Vec<_>>>()?;
        let t = direction(target)?;
        let gram = DMatrix::from_fn(3, 3, |i, j| u.iter().map(|v| v[i] * v[j]).sum());
        let g = solve_spd(gram, DVector::from_vec(vec![t.x, t.y, t.z]))?;
        Some(
            u.iter()
                .map(|v| v.dot(DVec3::new(g[0], g[1], g[2])))
                .collect(),
        )
    }
}

impl Method for DipoleLeastSquares {
    fn name(&self) -> String {
        "dipole least squares".to_string()
    }

    fn predict(
        &self,
        inputs: &[(&str, &[f64])],
        _: &CycleBounds,
        target: &str,
    ) -> Option<Vec<f64>> {
        let names: Vec<&str> = inputs.iter().map(|(n, _)| *n).collect();
        Some(combine(inputs, &Self::weights(&names, target)?, 0.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dipole_needs_three_leads_spanning_space() {
        assert!(DipoleLeastSquares::weights(&["II", "V2"], "V4").is_none());
        // I, II and III all lie in the frontal plane.
        assert!(DipoleLeastSquares::weights(&["I", "II", "III"], "V4").is_none());
        assert!(DipoleLeastSquares::weights(&["II", "V2", "V5"], "V4").is_some());
        // A lead among the inputs is reproduced by itself.
        let w = DipoleLeastSquares::weights(&["II", "V2", "V5"], "V2").unwrap();
        assert!((w[1] - 1.0).abs() < 1e-12 && w[0].abs() < 1e-12 && w[2].abs() < 1e-12);
    }
}
