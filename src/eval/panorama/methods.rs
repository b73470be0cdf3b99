//! The methods the panorama evaluation compares: anything that predicts a target lead of a
//! cycle from its input leads ([`Method`]), with the two baselines of the issue — per-target
//! linear (or ridge) regression fitted on training cycles and the dipole least-squares
//! projection.

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

    /// Least squares with intercept of lead `target` on leads `inputs`, the slopes penalised
    /// by `penalty` times the mean diagonal of the inputs' centred moments (0: ordinary least
    /// squares): the slopes and the intercept.
    fn regression(&self, inputs: &[usize], target: usize, penalty: f64) -> Option<(Vec<f64>, f64)> {
        if self.samples <= inputs.len() {
            return None;
        }
        let n = inputs.len();
        let mut a = DMatrix::from_fn(n, n, |a, b| self.cross[(inputs[a], inputs[b])]);
        let ridge = penalty * a.trace() / n as f64;
        for i in 0..n {
            a[(i, i)] += ridge;
        }
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

/// The ridge penalty of the evaluation's regression baselines, relative to the mean diagonal
/// of the input leads' centred moments (so it does not depend on units or cycle count).
pub const RIDGE_PENALTY: f64 = 1e-3;

/// Per-target linear regression: least squares with intercept from the input leads to the
/// target lead, sample by sample, over every sample of every training cycle — ordinary
/// ([`LinearRegression::fit`]) or with a small ridge penalty on the slopes
/// ([`LinearRegression::ridge`]).
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
    penalty: f64,
    name: String,
}

impl LinearRegression {
    /// Ordinary least squares on the (detrended, mV) training cycles, named "linear
    /// regression"; the normalised fit scales each cycle by its own 12-lead range first.
    pub fn fit(train: &[Cycle]) -> Self {
        Self::fitted(train, 0.0, "linear regression")
    }

    /// Ridge regression on the training cycles, named "ridge": the slopes penalised by
    /// `penalty` (e.g. [`RIDGE_PENALTY`]) times the mean diagonal of the inputs' centred
    /// moments; the intercept is not penalised.
    pub fn ridge(train: &[Cycle], penalty: f64) -> Self {
        Self::fitted(train, penalty, "ridge")
    }

    fn fitted(train: &[Cycle], penalty: f64, name: &str) -> Self {
        Self {
            mv: Moments::of(train, false),
            normalised: Moments::of(train, true),
            cycles: train.len(),
            penalty,
            name: name.to_string(),
        }
    }

    /// The same fit under another table name.
    pub fn named(mut self, name: &str) -> Self {
        self.name = name.to_string();
        self
    }

    /// Number of training cycles.
    pub fn train_cycles(&self) -> usize {
        self.cycles
    }

    /// The relative ridge penalty (0 for ordinary least squares).
    pub fn penalty(&self) -> f64 {
        self.penalty
    }

    /// The slopes (in input order) and intercept for `target` from `inputs` in mV.
    pub fn coefficients(&self, inputs: &[&str], target: &str) -> Option<(Vec<f64>, f64)> {
        self.coefficients_of(&self.mv, inputs, target)
    }

    fn coefficients_of(
        &self,
        m: &Moments,
        inputs: &[&str],
        target: &str,
    ) -> Option<(Vec<f64>, f64)> {
        let idx = inputs
            .iter()
            .map(|n| lead_index(n))
            .collect::<Option<Vec<_>>>()?;
        m.regression(&idx, lead_index(target)?, self.penalty)
    }

    fn predict_with(
        &self,
        m: &Moments,
        inputs: &[(&str, &[f64])],
        target: &str,
    ) -> Option<Vec<f64>> {
        let names: Vec<&str> = inputs.iter().map(|(n, _)| *n).collect();
        let (w, b) = self.coefficients_of(m, &names, target)?;
        Some(combine(inputs, &w, b))
    }
}

impl Method for LinearRegression {
    fn name(&self) -> String {
        self.name.clone()
    }

    fn predict(
        &self,
        inputs: &[(&str, &[f64])],
        _: &CycleBounds,
        target: &str,
    ) -> Option<Vec<f64>> {
        self.predict_with(&self.mv, inputs, target)
    }

    fn predict_normalised(
        &self,
        inputs: &[(&str, &[f64])],
        _: &CycleBounds,
        target: &str,
    ) -> Option<Vec<f64>> {
        self.predict_with(&self.normalised, inputs, target)
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

    /// Cycles whose leads are random but for III = II − I + noise.
    fn noisy_cycles() -> Vec<Cycle> {
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 11) as f64 / (1u64 << 53) as f64 - 0.5
        };
        (0..6)
            .map(|k| {
                let n = 120 + k;
                let mut leads: Vec<Vec<f64>> = (0..LEADS)
                    .map(|_| (0..n).map(|_| next()).collect())
                    .collect();
                leads[2] = (0..n)
                    .map(|s| leads[1][s] - leads[0][s] + 0.1 * next())
                    .collect();
                Cycle {
                    record: format!("r{k}"),
                    start: 0,
                    end: n - 1,
                    leads,
                    bounds: CycleBounds::new([0, 10, 20, 30, 50, 80, n - 1], n).unwrap(),
                }
            })
            .collect()
    }

    #[test]
    fn ridge_solves_the_penalised_normal_equations() {
        let cycles = noisy_cycles();
        let ols = LinearRegression::fit(&cycles);
        let ridge = LinearRegression::ridge(&cycles, 0.05).named("ridge (test)");
        assert_eq!(
            (ols.name(), ridge.name()),
            ("linear regression".into(), "ridge (test)".into())
        );
        let (w0, _) = ols.coefficients(&["I", "II"], "III").unwrap();
        let (w, b) = ridge.coefficients(&["I", "II"], "III").unwrap();
        // By hand: centred moments, λ = 0.05 × their mean diagonal on the slopes only.
        let all: Vec<[f64; 3]> = cycles
            .iter()
            .flat_map(|c| (0..c.samples()).map(|s| [c.leads[0][s], c.leads[1][s], c.leads[2][s]]))
            .collect();
        let mean: Vec<f64> = (0..3)
            .map(|j| all.iter().map(|r| r[j]).sum::<f64>() / all.len() as f64)
            .collect();
        let m = |i: usize, j: usize| -> f64 {
            all.iter()
                .map(|r| (r[i] - mean[i]) * (r[j] - mean[j]))
                .sum()
        };
        let lambda = 0.05 * (m(0, 0) + m(1, 1)) / 2.0;
        let a = nalgebra::Matrix2::new(m(0, 0) + lambda, m(0, 1), m(1, 0), m(1, 1) + lambda);
        let want = a.try_inverse().unwrap() * nalgebra::Vector2::new(m(0, 2), m(1, 2));
        assert!(
            (w[0] - want[0]).abs() < 1e-9 && (w[1] - want[1]).abs() < 1e-9,
            "{w:?} vs {want:?}"
        );
        assert!((b - (mean[2] - w[0] * mean[0] - w[1] * mean[1])).abs() < 1e-12);
        // The penalty shrinks the slopes, which least squares finds near (−1, 1).
        assert!(
            (w0[0] + 1.0).abs() < 0.02 && (w0[1] - 1.0).abs() < 0.02,
            "{w0:?}"
        );
        assert!(w[0].hypot(w[1]) < w0[0].hypot(w0[1]));
    }

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
