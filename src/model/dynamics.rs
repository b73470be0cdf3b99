//! The prior's dynamic part: what the inputs a few milliseconds earlier and later add to the
//! instantaneous regression.
//!
//! The leads are not one dipole's projections: the wavefront reaches each electrode's region
//! at its own time, so one lead seen from another is partly a slightly shifted and smoothed
//! copy of it. A regression on each input at a few time lags (an FIR filter per input, fitted on the
//! population) captures that; the instantaneous regression cannot. For each lead, the
//! population FIR regression of what its instantaneous regression leaves — the dynamic
//! correction — is added to the prior's own (patient-similar, per-phase) estimate. An input
//! lead, or one the inputs fix exactly, gets no correction.
//!
//! It serves a single input lead only. Cross-validated over the training records (prior
//! alone, 4 folds, `eval-prior` with the rule lifted), it raises the patient-similar prior
//! from one lead (II, I, V2, V5) by 0.35–0.86 dB on LUDB and 0.38–1.03 dB on PTB-XL; from two
//! leads by 0.01–0.22 dB; from II, V2, V5 it lowers it (−0.17 and −0.28 dB): with several
//! inputs the patient-similar regression already blends them into the shifted wave, and a
//! population timing on top of it is a step too far.
//!
//! Lags are in samples at 500 Hz, the rate the prior and the network work at; a lag that falls
//! outside the cycle reads the cycle's nearest end (the cycle is detrended to zero there).

use super::data::TrainCycle;
use crate::geometry::LEADS;
use crate::linalg::solve_spd;
use nalgebra::{DMatrix, DVector};

/// Name of the stored tensor (`[LEADS·TAPS, LEADS·TAPS]`).
pub const STORED: &str = "prior.dynamics";
/// Time lags read from each input, samples at 500 Hz (0, ±8 ms, ±20 ms).
pub const LAGS: [isize; 5] = [0, -4, 4, -10, 10];
/// Lags per lead.
pub const TAPS: usize = LAGS.len();
/// Features of the lagged moments: every lead at every lag.
const DIM: usize = LEADS * TAPS;
/// Relative ridge of the lagged regressions: lagged copies of a smooth wave are nearly
/// collinear.
const RIDGE: f64 = 1e-3;
/// Most input leads the correction serves (see the module's note).
pub const MAX_INPUTS: usize = 1;
/// Relative ridge of the instantaneous regression, as the prior's own: a lead the inputs fix
/// exactly keeps a zero residual.
const INSTANT_RIDGE: f64 = 1e-6;

/// Per lead `k`, the correction's weights over input `a` at lag `τ` (`[k][a · TAPS + τ]`).
pub type DynamicRegressions = Vec<Vec<f64>>;

/// The population's second moments of every lead at every lag.
#[derive(Debug, Clone, PartialEq)]
pub struct Dynamics {
    /// `m[(i·TAPS + τ, j·TAPS + σ)]`: weighted mean of `x_i(t + LAGS[τ]) · x_j(t + LAGS[σ])`.
    moments: DMatrix<f64>,
}

/// Index of sample `t + lag` inside a cycle of `len` samples (its nearest end outside).
fn lagged(t: usize, lag: isize, len: usize) -> usize {
    (t as isize + lag).clamp(0, len as isize - 1) as usize
}

impl Dynamics {
    /// Fit on `cycles` (detrended, mV, 500 Hz), each counted by `weights` (the prior's cycle
    /// weights); `None` without samples.
    pub fn fit(cycles: &[TrainCycle], weights: &[f64]) -> Option<Self> {
        let mut m = DMatrix::<f64>::zeros(DIM, DIM);
        let mut n = 0.0;
        for (c, &w) in cycles.iter().zip(weights) {
            if c.len == 0 || w <= 0.0 {
                continue;
            }
            let x = DMatrix::<f64>::from_fn(c.len, DIM, |t, f| {
                let (lead, tap) = (f / TAPS, f % TAPS);
                f64::from(c.leads[lead][lagged(t, LAGS[tap], c.len)])
            });
            m += x.tr_mul(&x) * w;
            n += w * c.len as f64;
        }
        (n > 0.0).then(|| Self { moments: m / n })
    }

    /// The stored form, row by row.
    pub fn to_flat(&self) -> Vec<f32> {
        self.moments.transpose().iter().map(|&v| v as f32).collect()
    }

    /// From the stored form; `None` unless it has the right size, finite values and a
    /// positive diagonal.
    pub fn from_flat(v: &[f32]) -> Option<Self> {
        if v.len() != DIM * DIM || v.iter().any(|x| !x.is_finite()) {
            return None;
        }
        let moments = DMatrix::from_fn(DIM, DIM, |i, j| f64::from(v[i * DIM + j]));
        (0..DIM)
            .all(|i| moments[(i, i)] > 0.0)
            .then_some(Self { moments })
    }

    /// Weights over `features` (indices into the lagged moments) of the regression whose
    /// right-hand side is `rhs(f)`: the moments of each feature with the target.
    fn solve(
        &self,
        features: &[usize],
        ridge: f64,
        rhs: impl Fn(usize) -> f64,
    ) -> Option<DVector<f64>> {
        let n = features.len();
        let scale = features.iter().map(|&f| self.moments[(f, f)]).sum::<f64>() / n.max(1) as f64;
        let gram = DMatrix::from_fn(n, n, |a, b| {
            self.moments[(features[a], features[b])] + if a == b { ridge * scale } else { 0.0 }
        });
        let rhs = DVector::from_fn(n, |a, _| rhs(features[a]));
        solve_spd(gram, rhs).filter(|w| w.iter().all(|v| v.is_finite()))
    }

    /// Every lead's dynamic correction on `inputs` (`STANDARD_12` slots, in the caller's
    /// order): what the lagged inputs explain of the lead's instantaneous regression's
    /// residual. Zero for an input's own lead and for a lead the inputs fix exactly (III from
    /// I and II); `None` when the moments cannot be solved or there are more than
    /// [`MAX_INPUTS`] inputs.
    pub fn corrections(&self, inputs: &[usize]) -> Option<DynamicRegressions> {
        if inputs.is_empty() || inputs.len() > MAX_INPUTS || inputs.iter().any(|&s| s >= LEADS) {
            return None;
        }
        let all: Vec<usize> = inputs
            .iter()
            .flat_map(|&s| (0..TAPS).map(move |t| s * TAPS + t))
            .collect();
        let now: Vec<usize> = inputs.iter().map(|&s| s * TAPS).collect();
        (0..LEADS)
            .map(|k| {
                if inputs.contains(&k) {
                    return Some(vec![0.0; all.len()]);
                }
                let m = &self.moments;
                let inst = self.solve(&now, INSTANT_RIDGE, |f| m[(f, k * TAPS)])?;
                // Moments of each lagged input with the residual x_k − Σ inst_a x_a.
                let residual = |f: usize| {
                    m[(f, k * TAPS)]
                        - now
                            .iter()
                            .zip(inst.iter())
                            .map(|(&g, w)| w * m[(f, g)])
                            .sum::<f64>()
                };
                Some(self.solve(&all, RIDGE, residual)?.iter().copied().collect())
            })
            .collect()
    }
}

/// Add the correction with weights `w` over the inputs' lags (`[a · TAPS + τ]`: the leads'
/// corrections mixed for a view as the regressions are) of `inputs` to `out` (`len` samples;
/// each input at least that long).
pub fn add_to(out: &mut [f32], w: &[f64], inputs: &[&[f32]], len: usize) {
    for (s, o) in out.iter_mut().enumerate().take(len) {
        let mut v = 0.0;
        for (a, x) in inputs.iter().enumerate() {
            for (tap, &lag) in LAGS.iter().enumerate() {
                v += w[a * TAPS + tap] * f64::from(x[lagged(s, lag, len)]);
            }
        }
        *o += v as f32;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::delineate::CycleBounds;

    /// Cycles whose lead 1 is lead 0 delayed by 4 samples (8 ms), the rest noise-free
    /// combinations: an instantaneous regression cannot express the delay.
    fn delayed_cycles() -> Vec<TrainCycle> {
        (0..6)
            .map(|c| {
                let len = 300;
                let wave = |t: isize| {
                    let t = t as f32 - 150.0 - 10.0 * c as f32;
                    (-(t / 12.0).powi(2)).exp() - 0.3 * (-(t / 40.0 - 2.0).powi(2)).exp()
                };
                let mut leads = vec![vec![0f32; len]; LEADS];
                for t in 0..len {
                    let ti = t as isize;
                    leads[0][t] = wave(ti);
                    leads[1][t] = wave(ti - 4);
                    for (k, lead) in leads.iter_mut().enumerate().skip(2) {
                        lead[t] = wave(ti) * (k as f32 * 0.1) + wave(ti - 2) * 0.05;
                    }
                }
                TrainCycle {
                    database: "synthetic".into(),
                    record: format!("{c}"),
                    leads,
                    bounds: CycleBounds::new([0, 40, 80, 130, 170, 260, len - 1], len).unwrap(),
                    len,
                }
            })
            .collect()
    }

    #[test]
    fn a_delayed_lead_is_recovered_and_an_input_stays_exact() {
        let cycles = delayed_cycles();
        let dynamics = Dynamics::fit(&cycles, &vec![1.0; cycles.len()]).unwrap();
        let corr = dynamics.corrections(&[0]).unwrap();
        assert!(
            corr[0].iter().all(|&w| w == 0.0),
            "an input has no correction"
        );
        // Lead 1 from lead 0: the instantaneous fit misses the delay; with the correction the
        // error falls several-fold.
        let inst = dynamics
            .solve(&[0], INSTANT_RIDGE, |f| dynamics.moments[(f, TAPS)])
            .unwrap()[0];
        let c = &cycles[2];
        let mut beta = [0.0; LEADS];
        beta[1] = 1.0;
        let w = crate::model::prior::Prior::mix_with(&corr, &beta);
        let x0: &[f32] = &c.leads[0];
        let mut est: Vec<f32> = x0.iter().map(|v| v * inst as f32).collect();
        let err = |e: &[f32]| -> f32 {
            e.iter()
                .zip(&c.leads[1])
                .map(|(a, b)| (a - b).powi(2))
                .sum::<f32>()
                .sqrt()
        };
        let before = err(&est);
        add_to(&mut est, &w, &[x0], c.len);
        let after = err(&est);
        assert!(after < before / 3.0, "{before} → {after}");
    }

    #[test]
    fn the_stored_form_round_trips_and_refuses_what_does_not_fit() {
        let cycles = delayed_cycles();
        let d = Dynamics::fit(&cycles, &vec![1.0; cycles.len()]).unwrap();
        let back = Dynamics::from_flat(&d.to_flat()).unwrap();
        assert!((back.moments.clone() - &d.moments).abs().max() < 1e-6);
        assert!(Dynamics::from_flat(&[1.0; 10]).is_none());
        let mut bad = d.to_flat();
        bad[0] = f32::NAN;
        assert!(Dynamics::from_flat(&bad).is_none());
    }
}
