//! The linear prior: the regression estimate of any view from any set of standard input leads,
//! which the network corrects.
//!
//! Linear regression from input leads `S` to a lead `k` uses the weights `M_SS⁻¹ M_Sk`, where
//! `M` holds the leads' second moments over the training cycles; one 12 × 12 matrix serves
//! every input set and target. Both the moments and the regressions are fitted **robustly**
//! (iteratively reweighted: a cycle counts by the inverse of its squared error), because the
//! quality that matters is PSNR per lead per cycle, a mean of log errors, which a few cycles
//! of unusual morphology must not dominate as they dominate plain least squares. The common
//! input sets ([`COMMON_INPUTS`]) keep their own reweighted regression to each lead.
//!
//! **A view at any direction.** The prior estimates the 12 standard leads; a viewpoint between
//! or beyond them is the heart vector's projection on it, with Kors's regression matrix
//! ([`crate::geometry::kors_weights`]) giving the heart vector from those leads, plus the
//! leads' departures from that projection interpolated over the 12 lead directions with a
//! smooth kernel on the sphere (kriging with a known trend). So each lead is exact at its own
//! direction, and far from every lead — the back, the right side, the head — the view is
//! what a Frank-type lead system would record there: a population regression fitted on
//! simultaneous Frank and standard recordings, where the idealised lead directions alone (a
//! dipole fitted to the 12 leads) know nothing of the back. It depends on the unit vector
//! alone, so it is the same at a pole whatever φ says.
//!
//! Stored under `prior.*` beside the network's weights; fitted, never moved by the optimiser.

use super::data::TrainCycle;
use super::dynamics::{self, DynamicRegressions, Dynamics};
use super::local_prior::{LocalPrior, PhaseRegressions, SHAPE_FEATURES};
use super::phases::{PHASES, phase_blend};
use super::slopes;
use crate::delineate::CycleBounds;
use crate::geometry::StdLead::{self, AVL, I, II, III, V1, V2, V3, V4, V5, V6};
use crate::geometry::{LEADS, Viewpoint, kors_weights};
use crate::linalg::{solve, solve_spd};
use glam::DVec3;
use nalgebra::{DMatrix, DVector, SMatrix, SVector};

/// Names of the stored tensors ([`Prior::tensors`]).
pub const STORED: [&str; 6] = [
    "prior.moments",
    "prior.sets",
    "prior.set_masks",
    "prior.patients.wave_moments",
    "prior.patients.totals",
    "prior.patients.features",
];

/// Angular length scale of the interpolation kernel, radians (the spacing of the limb leads).
const KERNEL_SCALE: f64 = 0.5;
/// Relative ridge on the input moments: keeps nearly dependent inputs (I, II, III) solvable.
pub(crate) const RIDGE: f64 = 1e-6;
/// Floor of a cycle's mean squared error in the reweighting (mV²; about 3 µV RMS).
const MSE_FLOOR: f64 = 1e-5;
/// Reweighting rounds.
const ROUNDS: usize = 3;

/// The input sets devices and users most often have: lead II or lead I alone (monitors,
/// single-lead recorders), II, V2, V5 (the paper's three-lead set) and the eight independent
/// leads of a 12-lead ECG (`STANDARD_12` slots, ascending).
pub const COMMON_INPUTS: [&[usize]; 4] = [
    &StdLead::slots([II]),
    &StdLead::slots([I]),
    &StdLead::slots([II, V2, V5]),
    &StdLead::slots([I, II, V1, V2, V3, V4, V5, V6]),
];

/// Input sets whose errors weight a cycle in the shared moments: the common ones and a spread
/// of others of one to six leads.
const WEIGHTING_SETS: [&[usize]; 12] = [
    COMMON_INPUTS[0],
    COMMON_INPUTS[1],
    COMMON_INPUTS[2],
    COMMON_INPUTS[3],
    &StdLead::slots([III]),
    &StdLead::slots([V1]),
    &StdLead::slots([V4]),
    &StdLead::slots([I, II]),
    &StdLead::slots([V2, V5]),
    &StdLead::slots([II, V1, V4]),
    &StdLead::slots([I, V3, V6]),
    &StdLead::slots([III, AVL, V1, V3, V5, V6]),
];

/// Products of the standard leads, `m[(i, j)]` for leads `i` and `j` (`STANDARD_12` order).
pub type LeadMatrix = SMatrix<f64, LEADS, LEADS>;

/// One cycle's sums of products of its leads, and its sample count.
struct CycleMoments {
    p: LeadMatrix,
    n: f64,
}

impl CycleMoments {
    /// Mean squared error over the cycle of `Σ w_j x_{s_j}` against lead `k`.
    fn mse(&self, slots: &[usize], w: &[f64], k: usize) -> f64 {
        (squared_error(&self.p, slots, w, k) / self.n).max(0.0)
    }
}

/// `Σ (x_k − Σ_a w_a x_{slots[a]})²` from the sums (or means) of lead products `m`.
pub(crate) fn squared_error(m: &LeadMatrix, slots: &[usize], w: &[f64], k: usize) -> f64 {
    let mut e = m[(k, k)];
    for (a, &i) in slots.iter().enumerate() {
        e -= 2.0 * w[a] * m[(i, k)];
        for (b, &j) in slots.iter().enumerate() {
            e += w[a] * w[b] * m[(i, j)];
        }
    }
    e
}

/// Each cycle's sums of lead products.
fn cycle_moments(cycles: &[TrainCycle]) -> Vec<CycleMoments> {
    cycles
        .iter()
        .map(|c| {
            let mut p = LeadMatrix::zeros();
            for s in 0..c.len {
                let x = SVector::<f64, LEADS>::from_fn(|i, _| f64::from(c.leads[i][s]));
                p += x * x.transpose();
            }
            CycleMoments { p, n: c.len as f64 }
        })
        .collect()
}

/// `Σ_c weight_c P_c / Σ_c weight_c n_c`.
fn pooled(cycles: &[CycleMoments], weights: &[f64]) -> LeadMatrix {
    let mut m = LeadMatrix::zeros();
    let mut n = 0.0;
    for (c, w) in cycles.iter().zip(weights) {
        m += c.p * *w;
        n += w * c.n;
    }
    m / n.max(1e-300)
}

/// Every lead's regression weights on `inputs` under moments `m` (`out[k][a]`; a unit vector
/// for an input's own lead); `None` when one cannot be solved.
pub(crate) fn regressions_under(m: &LeadMatrix, inputs: &[usize]) -> Option<Vec<Vec<f64>>> {
    every_lead(inputs, inputs.len(), |k| {
        regress(m, inputs, k).filter(|w| w.iter().all(|v| v.is_finite()))
    })
}

/// Every lead's weights over `regressors` values whose first ones are `inputs`' own: a unit
/// vector for an input's lead (returned as it is), `fit(k)` for any other lead `k`; `None`
/// when one fit fails.
pub(crate) fn every_lead(
    inputs: &[usize],
    regressors: usize,
    mut fit: impl FnMut(usize) -> Option<Vec<f64>>,
) -> Option<Vec<Vec<f64>>> {
    (0..LEADS)
        .map(|k| match inputs.iter().position(|&s| s == k) {
            Some(own) => Some(
                (0..regressors)
                    .map(|a| f64::from(u8::from(a == own)))
                    .collect(),
            ),
            None => fit(k),
        })
        .collect()
}

/// Regression weights of lead `k` on `slots` under moments `m` (with the relative ridge).
pub(crate) fn regress(m: &LeadMatrix, slots: &[usize], k: usize) -> Option<Vec<f64>> {
    let scale = slots.iter().map(|&i| m[(i, i)]).sum::<f64>() / slots.len().max(1) as f64;
    let n = slots.len();
    let gram = DMatrix::from_fn(n, n, |a, b| {
        m[(slots[a], slots[b])] + if a == b { RIDGE * scale } else { 0.0 }
    });
    let rhs = DVector::from_fn(n, |a, _| m[(slots[a], k)]);
    solve_spd(gram, rhs).map(|w| w.as_slice().to_vec())
}

/// A regression fitted for one input set: the weights over its slots for each of the 12 leads.
#[derive(Debug, Clone, PartialEq)]
pub struct SetRegression {
    /// The set's `STANDARD_12` slots, ascending.
    pub slots: Vec<usize>,
    /// `weights[k]`: lead `k` as a combination of the set's leads (a unit vector for its own).
    pub weights: Vec<Vec<f64>>,
}

/// The lead moments and set regressions the prior estimates with.
#[derive(Debug, Clone, PartialEq)]
pub struct Prior {
    /// `M[i][j]`: weighted mean of `x_i · x_j` over every sample of the training cycles
    /// (`STANDARD_12` order, in mV²).
    pub moments: LeadMatrix,
    /// Reweighted regressions of the common input sets.
    pub sets: Vec<SetRegression>,
    /// The patient-similar regression ([`LocalPrior`]), used instead of the two above when
    /// the inputs' shapes are known.
    pub local: Option<LocalPrior>,
    /// The dynamic correction ([`Dynamics`]); absent in files written before it.
    pub dynamics: Option<Dynamics>,
}

/// Unit vectors of the 12 standard leads.
fn lead_directions() -> [DVec3; LEADS] {
    StdLead::ALL.map(|l| l.viewpoint().unit_vector())
}

fn kernel(a: DVec3, b: DVec3) -> f64 {
    ((a.dot(b) - 1.0) / (KERNEL_SCALE * KERNEL_SCALE)).exp()
}

impl Prior {
    /// Fit on `cycles` (detrended, mV): the reweighted moments, then a reweighted regression
    /// for each common input set.
    pub fn from_cycles(cycles: &[TrainCycle]) -> Self {
        let per = cycle_moments(cycles);
        let mut weights = vec![1.0; per.len()];
        let mut moments = pooled(&per, &weights);
        for _ in 0..ROUNDS {
            // A cycle's weight: the inverse geometric mean of its squared errors over many
            // input sets and targets.
            let fits: Vec<(&[usize], usize, Vec<f64>)> = WEIGHTING_SETS
                .iter()
                .flat_map(|&set| {
                    (0..LEADS)
                        .filter(|k| !set.contains(k))
                        .filter_map(|k| Some((set, k, regress(&moments, set, k)?)))
                        .collect::<Vec<_>>()
                })
                .collect();
            for (w, c) in weights.iter_mut().zip(&per) {
                let mean_log = fits
                    .iter()
                    .map(|(set, k, fit)| (c.mse(set, fit, *k) + MSE_FLOOR).ln())
                    .sum::<f64>()
                    / fits.len().max(1) as f64;
                *w = (-mean_log).exp();
            }
            moments = pooled(&per, &weights);
        }
        let local = Some(LocalPrior::fit(cycles));
        let dynamics = Dynamics::fit(cycles, &weights);
        let sets = COMMON_INPUTS
            .iter()
            .map(|&set| SetRegression {
                slots: set.to_vec(),
                weights: (0..LEADS)
                    .map(|k| match set.iter().position(|&s| s == k) {
                        Some(own) => (0..set.len())
                            .map(|j| f64::from(u8::from(j == own)))
                            .collect(),
                        None => reweighted(&per, &moments, set, k),
                    })
                    .collect(),
            })
            .collect();
        Self {
            moments,
            sets,
            local,
            dynamics,
        }
    }

    /// The stored tensors, by name, shape and values (row-major): the population part
    /// (`prior.moments`, `prior.sets`, `prior.set_masks`, see [`Prior::to_flat`]) and the
    /// patient-similar part (`prior.patients.*`, see [`LocalPrior::to_flat`]).
    pub fn tensors(&self) -> Vec<(&'static str, Vec<usize>, Vec<f32>)> {
        let [m, sets, masks] = self.to_flat();
        let n = COMMON_INPUTS.len();
        let mut out = vec![
            (STORED[0], vec![LEADS, LEADS], m),
            (STORED[1], vec![n, LEADS, LEADS], sets),
            (STORED[2], vec![n, LEADS], masks),
        ];
        if let Some(local) = &self.local {
            let r = local.len();
            let [m, totals, features] = local.to_flat();
            out.push((STORED[3], vec![r, PHASES, slopes::PACKED], m));
            out.push((STORED[4], vec![r, PHASES], totals));
            out.push((STORED[5], vec![r, LEADS, SHAPE_FEATURES], features));
        }
        if let Some(d) = &self.dynamics {
            let n = LEADS * dynamics::TAPS;
            out.push((dynamics::STORED, vec![n, n], d.to_flat()));
        }
        out
    }

    /// The prior from its stored tensors (`get` gives a tensor's values by name, `None` when
    /// the file lacks it); the error names what is missing or does not fit.
    pub fn from_tensors(
        get: impl Fn(&str) -> Option<Vec<f32>>,
    ) -> std::result::Result<Self, String> {
        let values: Vec<Option<Vec<f32>>> = STORED.iter().map(|n| get(n)).collect();
        let missing: Vec<&str> = STORED
            .iter()
            .zip(&values)
            .filter(|(_, v)| v.is_none())
            .map(|(n, _)| *n)
            .collect();
        if !missing.is_empty() {
            return Err(format!("no {}", missing.join(", ")));
        }
        let v: Vec<Vec<f32>> = values.into_iter().flatten().collect();
        let mut prior = Self::from_flat(&v[0], &v[1], &v[2])
            .ok_or("the population prior's tensors do not fit (sizes, or values not finite)")?;
        prior.local = Some(LocalPrior::from_flat(&v[3], &v[4], &v[5]).ok_or(
            "the patient-similar prior's tensors do not fit (sizes, or values not finite or not positive)",
        )?);
        // Files written before the dynamic correction estimate without it.
        if let Some(v) = get(dynamics::STORED) {
            prior.dynamics = Some(Dynamics::from_flat(&v).ok_or(
                "the dynamic correction's tensor does not fit (size, or values not finite or not positive)",
            )?);
        }
        Ok(prior)
    }

    /// The stored form: `prior.moments [12, 12]`, and per common set `prior.sets [4, 12, 12]`
    /// (set, lead, input slot; zero outside the set) with `prior.set_masks [4, 12]` (1 on the
    /// set's slots).
    pub fn to_flat(&self) -> [Vec<f32>; 3] {
        // Row by row, as the stored tensor is laid out (nalgebra keeps columns).
        let moments = self.moments.transpose().iter().map(|&v| v as f32).collect();
        let mut sets = vec![0f32; COMMON_INPUTS.len() * LEADS * LEADS];
        let mut masks = vec![0f32; COMMON_INPUTS.len() * LEADS];
        for (i, set) in self.sets.iter().take(COMMON_INPUTS.len()).enumerate() {
            for (a, &slot) in set.slots.iter().enumerate() {
                masks[i * LEADS + slot] = 1.0;
                for k in 0..LEADS {
                    sets[i * LEADS * LEADS + k * LEADS + slot] = set.weights[k][a] as f32;
                }
            }
        }
        [moments, sets, masks]
    }

    /// The prior from its stored form ([`Prior::to_flat`]); `None` unless the values are
    /// finite with a positive diagonal.
    pub fn from_flat(moments: &[f32], sets: &[f32], masks: &[f32]) -> Option<Self> {
        let n = COMMON_INPUTS.len();
        if moments.len() != LEADS * LEADS
            || sets.len() != n * LEADS * LEADS
            || masks.len() != n * LEADS
        {
            return None;
        }
        if moments
            .iter()
            .chain(sets)
            .chain(masks)
            .any(|v| !v.is_finite())
        {
            return None;
        }
        let moments = LeadMatrix::from_fn(|i, j| f64::from(moments[i * LEADS + j]));
        if moments.diagonal().iter().any(|&v| v <= 0.0) {
            return None;
        }
        let sets = (0..n)
            .map(|i| {
                let slots: Vec<usize> =
                    (0..LEADS).filter(|&s| masks[i * LEADS + s] > 0.5).collect();
                let weights = (0..LEADS)
                    .map(|k| {
                        slots
                            .iter()
                            .map(|&s| f64::from(sets[i * LEADS * LEADS + k * LEADS + s]))
                            .collect()
                    })
                    .collect();
                SetRegression { slots, weights }
            })
            .filter(|s| !s.slots.is_empty())
            .collect();
        Some(Self {
            moments,
            sets,
            local: None,
            dynamics: None,
        })
    }

    /// Weights over the 12 standard leads that give the view from `query`: lead `k` alone at
    /// its own direction, Kors's heart vector projected on `query` far from every lead.
    pub fn interpolation(query: Viewpoint) -> [f64; LEADS] {
        let dirs = lead_directions();
        let q = query.unit_vector();
        // Simple kriging of the leads' departures from the trend (a tiny nugget on the
        // kernel's diagonal keeps it solvable).
        let a = DMatrix::from_fn(LEADS, LEADS, |i, j| {
            kernel(dirs[i], dirs[j]) + if i == j { 1e-9 } else { 0.0 }
        });
        let b = DVector::from_fn(LEADS, |i, _| kernel(dirs[i], q));
        let Some(c) = solve(a, b) else {
            return [0.0; LEADS];
        };
        // The kernel matrix is ill-conditioned (I, aVL and V6 lie close), so its solution
        // leaks small weights far from every lead; a taper on the angle to the nearest lead
        // (1 at a lead, so each stays exact) leaves the trend alone there.
        let nearest = dirs
            .iter()
            .map(|d| d.dot(q).clamp(-1.0, 1.0).acos())
            .fold(f64::INFINITY, f64::min);
        let c = c * (-0.5 * (nearest / KERNEL_SCALE).powi(2)).exp();
        let trend = kors_weights(query);
        let mut beta = trend;
        for (j, dir) in dirs.iter().enumerate() {
            // + c_j · (x_j − trend at lead j's direction).
            let at_j = kors_weights(Viewpoint::from_vector(*dir));
            beta[j] += c[j];
            for (b, t) in beta.iter_mut().zip(at_j) {
                *b -= c[j] * t;
            }
        }
        beta
    }

    /// Weights over the inputs (`inputs`: their `STANDARD_12` slots) that give the prior's
    /// estimate of the view from `query`; `None` when the inputs' moments cannot be solved.
    pub fn weights(&self, inputs: &[usize], query: Viewpoint) -> Option<Vec<f64>> {
        let [whole, ..] = self.regressions(inputs, None, None)?;
        Some(Self::mix(&whole, query))
    }

    /// Every lead's dynamic correction on `inputs` ([`Dynamics::corrections`]); `None` without
    /// one.
    pub fn dynamic(&self, inputs: &[usize]) -> Option<DynamicRegressions> {
        self.dynamics.as_ref()?.corrections(inputs)
    }

    /// Regression weights of every lead on `inputs` in each phase of the cycle (`out[g][k][a]`:
    /// input `a` for lead `k` in phase `g`). With the inputs' shape features (`shapes`, one per
    /// input) and a patient-similar prior, its regressions (leaving record `exclude` out); else
    /// the common set's own regression, or the shared moments', alike in every phase. `None`
    /// when the inputs' moments cannot be solved.
    pub fn regressions(
        &self,
        inputs: &[usize],
        shapes: Option<&[[f32; SHAPE_FEATURES]]>,
        exclude: Option<usize>,
    ) -> Option<PhaseRegressions> {
        if inputs.is_empty() || inputs.iter().any(|&s| s >= LEADS) {
            return None;
        }
        if let (Some(local), Some(shapes)) = (&self.local, shapes)
            && let Some(r) = local.regressions(inputs, shapes, exclude)
        {
            return Some(r);
        }
        let whole = self.whole_cycle_regressions(inputs)?;
        Some(std::array::from_fn(|_| whole.clone()))
    }

    /// One regression of every lead on `inputs` for the whole cycle: the common set's own, or
    /// the shared moments'.
    fn whole_cycle_regressions(&self, inputs: &[usize]) -> Option<Vec<Vec<f64>>> {
        let mut sorted = inputs.to_vec();
        sorted.sort_unstable();
        if let Some(set) = self.sets.iter().find(|s| s.slots == sorted) {
            // The set's own regressions, in the caller's order.
            let at: Vec<usize> = inputs
                .iter()
                .map(|slot| set.slots.iter().position(|s| s == slot).unwrap_or(0))
                .collect();
            return Some(
                (0..LEADS)
                    .map(|k| at.iter().map(|&a| set.weights[k][a]).collect())
                    .collect(),
            );
        }
        regressions_under(&self.moments, inputs)
    }

    /// What [`Prior::estimate`] reads of `inputs` besides their values under `regressions`:
    /// their slopes and curvatures when the regressions weigh them ([`slopes::derived`], over
    /// `len` samples of which the cycle holds the first `cycle`), else nothing.
    pub fn derived(
        regressions: &PhaseRegressions,
        inputs: &[&[f32]],
        cycle: usize,
        len: usize,
    ) -> Vec<Vec<f32>> {
        if regressions[0].first().map_or(0, Vec::len) > inputs.len() {
            slopes::derived(inputs, cycle, len)
        } else {
            Vec::new()
        }
    }

    /// The prior's estimate of the view from `query` over `len` samples of a cycle with
    /// boundaries `bounds`, from its `inputs` (each at least `len` samples, in the order of the
    /// regressions' inputs) and, when the regressions read them, the inputs' slopes and
    /// curvatures (`derived`, [`Prior::derived`]): each phase's weights, handed
    /// over at the QRS onset and offset, plus the dynamic correction when one is given
    /// ([`Prior::dynamic`], same inputs).
    pub fn estimate(
        regressions: &PhaseRegressions,
        dynamic: Option<&DynamicRegressions>,
        query: Viewpoint,
        inputs: &[&[f32]],
        derived: &[Vec<f32>],
        bounds: &CycleBounds,
        len: usize,
    ) -> Vec<f32> {
        let beta = Self::interpolation(query);
        let w: [Vec<f64>; PHASES] = std::array::from_fn(|g| Self::mix_with(&regressions[g], &beta));
        let regressor = |a: usize, s: usize| match inputs.get(a) {
            Some(x) => x[s],
            None => derived[a - inputs.len()][s],
        };
        let mut out: Vec<f32> = phase_blend(bounds, len)
            .iter()
            .enumerate()
            .map(|(s, blend)| {
                (0..w[0].len())
                    .map(|a| {
                        let wa: f64 = (0..PHASES).map(|g| f64::from(blend[g]) * w[g][a]).sum();
                        wa as f32 * regressor(a, s)
                    })
                    .sum()
            })
            .collect();
        if let Some(d) = dynamic {
            dynamics::add_to(&mut out, &Self::mix_with(d, &beta), inputs, len);
        }
        out
    }

    /// The view from `query` as weights over the inputs, from every lead's regression on them
    /// ([`Prior::regressions`]) mixed by [`Prior::interpolation`].
    pub fn mix(regressions: &[Vec<f64>], query: Viewpoint) -> Vec<f64> {
        Self::mix_with(regressions, &Self::interpolation(query))
    }

    /// [`Prior::mix`] with the query's interpolation weights already solved; per-lead weights
    /// over anything (inputs, or inputs at lags) mix the same way.
    pub(crate) fn mix_with(regressions: &[Vec<f64>], beta: &[f64; LEADS]) -> Vec<f64> {
        let n = regressions.first().map_or(0, Vec::len);
        (0..n)
            .map(|a| (0..LEADS).map(|k| beta[k] * regressions[k][a]).sum())
            .collect()
    }
}

/// Lead `k` regressed on `set`, each cycle weighted by the inverse of its squared error under
/// the previous round's fit (starting from the shared moments' regression).
fn reweighted(per: &[CycleMoments], moments: &LeadMatrix, set: &[usize], k: usize) -> Vec<f64> {
    let Some(mut fit) = regress(moments, set, k) else {
        return vec![0.0; set.len()];
    };
    for _ in 0..ROUNDS {
        let weights: Vec<f64> = per
            .iter()
            .map(|c| 1.0 / (c.mse(set, &fit, k) + MSE_FLOOR))
            .collect();
        match regress(&pooled(per, &weights), set, k) {
            Some(next) => fit = next,
            None => break,
        }
    }
    fit
}

#[cfg(test)]
mod tests;
