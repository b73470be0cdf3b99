//! The patient-similar regression: linear regression refitted for each cycle with the
//! training records weighted by how much their input leads look like the cycle's.
//!
//! One population regression is a compromise over torsos, electrode positions and lead gains;
//! with three or more inputs it is the spread of those between patients that limits it (a
//! regression fitted on each record's own cycles reaches about 39 dB on (3,9), the population
//! one 33 dB on the validation records). The inputs' own shapes — the QRS, T and P waves of
//! each input lead, scaled by the inputs' largest value — tell something of that patient, so
//! the records whose inputs look alike get the larger say (a Gaussian kernel on the distance
//! between those shapes). Only the inputs are read: it stays honest. With two inputs or more
//! the regressors are their values, slopes and curvatures ([`slopes`]), so the pooled records
//! also say how the patient's leads lead or lag and sharpen one another.

use super::data::TrainCycle;
use super::phases::{PHASES, phase_of};
use super::prior::every_lead;
use super::slopes::{self, WaveMatrix};
use crate::delineate::CycleBounds;
use crate::geometry::LEADS;
use nalgebra::SVector;
use pooled::PhaseMoments;

/// Floor of a cycle's 12-lead range in its weight (mV): keeps flat cycles from dominating.
const RANGE_FLOOR: f64 = 0.05;

/// Regression weights per phase: `[phase][lead k][input a]`.
pub type PhaseRegressions = [Vec<Vec<f64>>; PHASES];

/// Samples each wave is resampled to: P wave, QRS, T wave.
pub const WAVE_SAMPLES: [usize; 3] = [4, 16, 8];
/// Weight of each wave in the distance (the QRS tells most of the lead's projection).
const WAVE_WEIGHTS: [f32; 3] = [0.5, 1.0, 0.5];
/// Shape features per lead: the P wave, QRS and T wave samples of [`lead_features`].
pub const SHAPE_FEATURES: usize = 28;
/// Kernel bandwidth, relative to the median distance from the cycle to the records.
const BANDWIDTH: f64 = 0.3;
/// Rounds in which each record's say in a lead's regression is divided by its own error under
/// the last round's fit: the evaluation averages log errors, so a few records whose leads
/// relate unlike the rest's should not set the weights for everyone.
const ROUNDS: usize = 3;
/// Floor of a record's mean squared error in those rounds, in squared 12-lead ranges (the
/// moments are range-weighted): about 3 % of the range RMS.
const ERROR_FLOOR: f64 = 1e-3;
/// Ridge on the inputs' slopes and curvatures, relative to their values' mean square: pulls
/// the regression toward the instantaneous one, so the timing it reads is the pool's, not
/// the few most similar records' noise.
const SLOPE_RIDGE: f64 = 0.2;

/// One lead's shape features of a cycle: P wave, QRS and T wave, each linearly resampled to a
/// fixed length and weighted (mV); `bounds` as [`TrainCycle::bounds`].
pub fn lead_features(x: &[f32], bounds: &CycleBounds) -> [f32; SHAPE_FEATURES] {
    let spans = [
        (bounds.p_on(), bounds.p_off()),
        (bounds.qrs_on(), bounds.qrs_off()),
        (bounds.t_on(), bounds.t_off()),
    ];
    let mut out = [0f32; SHAPE_FEATURES];
    let mut at = 0;
    for ((&(a, b), &n), &w) in spans.iter().zip(&WAVE_SAMPLES).zip(&WAVE_WEIGHTS) {
        let last = x.len().saturating_sub(1);
        let (a, b) = (a.min(last), b.min(last).max(a.min(last)));
        for i in 0..n {
            let t = a as f64 + (b - a) as f64 * i as f64 / (n - 1) as f64;
            let lo = t.floor() as usize;
            let hi = (lo + 1).min(b);
            let f = (t - lo as f64) as f32;
            let v = x.get(lo).copied().unwrap_or(0.0) * (1.0 - f)
                + x.get(hi).copied().unwrap_or(0.0) * f;
            out[at + i] = w * v;
        }
        at += n;
    }
    out
}

/// Every training record's lead moments and mean lead shapes.
#[derive(Debug, Clone, PartialEq)]
pub struct LocalPrior {
    /// Record names in the order of the other fields (empty when loaded from weights: only
    /// training needs them, to leave a cycle's own record out).
    pub names: Vec<String>,
    /// Per record and phase, the weighted mean of the products of the leads' values, slopes
    /// and curvatures over its samples ([`slopes`], mV²).
    pub moments: Vec<[WaveMatrix; PHASES]>,
    /// Per record and phase, the weight behind its moments per cycle (weighted samples over
    /// cycles): a record's say in the pooled regressions.
    pub totals: Vec<[f64; PHASES]>,
    /// Per record and lead, the mean of [`lead_features`] over its cycles (mV).
    pub features: Vec<[[f32; SHAPE_FEATURES]; LEADS]>,
}

/// The records of `cycles` in order of first appearance (the order [`LocalPrior::fit`] keeps).
pub fn record_names(cycles: &[TrainCycle]) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    cycles
        .iter()
        .filter(|c| seen.insert(c.record.as_str()))
        .map(|c| c.record.clone())
        .collect()
}

/// `v` divided by its largest absolute value (unchanged when that is ~0).
fn unit_peak(v: &mut [f32]) {
    let peak = v.iter().fold(0f32, |m, x| m.max(x.abs()));
    if peak > 1e-6 {
        v.iter_mut().for_each(|x| *x /= peak);
    }
}

impl LocalPrior {
    /// Fit on `cycles`: per record and phase, the lead moments with each cycle counted by the
    /// inverse square of its 12-lead range, as the evaluation normalises each cycle by that
    /// range (a cycle of large amplitude would otherwise decide the fit alone).
    pub fn fit(cycles: &[TrainCycle]) -> Self {
        let mut index = std::collections::HashMap::new();
        let mut out = Self {
            names: Vec::new(),
            moments: Vec::new(),
            totals: Vec::new(),
            features: Vec::new(),
        };
        let mut counts: Vec<usize> = Vec::new();
        for c in cycles {
            let r = *index.entry(c.record.clone()).or_insert_with(|| {
                out.names.push(c.record.clone());
                out.moments.push([WaveMatrix::zeros(); PHASES]);
                out.totals.push([0.0; PHASES]);
                out.features.push([[0.0; SHAPE_FEATURES]; LEADS]);
                counts.push(0);
                out.names.len() - 1
            });
            let (lo, hi) = c
                .leads
                .iter()
                .flat_map(|l| &l[..c.len])
                .fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), &v| {
                    (lo.min(v), hi.max(v))
                });
            let w = 1.0 / f64::from(hi - lo).max(RANGE_FLOOR).powi(2);
            let series: Vec<[Vec<f32>; slopes::KINDS]> =
                c.leads.iter().map(|l| slopes::series(l, c.len)).collect();
            let at = |s: usize| {
                SVector::<f64, { slopes::DIM }>::from_fn(|f, _| {
                    f64::from(series[f % LEADS][f / LEADS][s])
                })
            };
            for s in 0..c.len {
                let g = phase_of(s, &c.bounds);
                let z = at(s);
                out.moments[r][g] += (z * w) * z.transpose();
                out.totals[r][g] += w;
            }
            for (acc, lead) in out.features[r].iter_mut().zip(&c.leads) {
                for (a, f) in acc.iter_mut().zip(lead_features(lead, &c.bounds)) {
                    *a += f;
                }
            }
            counts[r] += 1;
        }
        let records = out.moments.iter_mut().zip(&mut out.features);
        for (((m, f), totals), &count) in records.zip(&mut out.totals).zip(&counts) {
            for (phase, total) in m.iter_mut().zip(totals.iter_mut()) {
                // A phase no cycle of the record reached (never in complete cycles) counts nil.
                let t = total.max(1e-300);
                *phase /= t;
            }
            let k = count.max(1) as f32;
            f.iter_mut().flatten().for_each(|v| *v /= k);
            // A record's say is its cycles' mean weight, not their sum: every patient counts
            // alike, however many beats its record holds or how many lead files cut them (an
            // LUDB record gives each beat once per lead file, a PTB-XL record once).
            totals.iter_mut().for_each(|t| *t /= f64::from(k));
        }
        out
    }

    /// Records the prior holds.
    pub fn len(&self) -> usize {
        self.moments.len()
    }

    /// Whether it holds no record.
    pub fn is_empty(&self) -> bool {
        self.moments.is_empty()
    }

    /// Index of the record whose file name is `name`'s (the folder a run read it from may
    /// differ), to leave it out of a regression as [`Self::index_of`]'s is in training.
    pub fn find(&self, name: &str) -> Option<usize> {
        let file = |s: &str| {
            std::path::Path::new(s)
                .file_name()
                .map(|f| f.to_os_string())
        };
        self.names.iter().position(|n| file(n) == file(name))
    }

    /// Index of the record called `name`, when the names are known.
    pub fn index_of(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| n == name)
    }

    /// Kernel weight of each record for a cycle whose inputs (`STANDARD_12` slots) have the
    /// shape features `shapes` (one per input, mV); record `exclude` gets none.
    fn kernel_weights(
        &self,
        inputs: &[usize],
        shapes: &[[f32; SHAPE_FEATURES]],
        exclude: Option<usize>,
    ) -> Vec<f64> {
        let mut query: Vec<f32> = shapes.iter().flatten().copied().collect();
        unit_peak(&mut query);
        let d2: Vec<f64> = self
            .features
            .iter()
            .map(|f| {
                let mut v: Vec<f32> = inputs.iter().flat_map(|&s| f[s]).collect();
                unit_peak(&mut v);
                v.iter()
                    .zip(&query)
                    .map(|(a, b)| f64::from(a - b).powi(2))
                    .sum()
            })
            .collect();
        let mut sorted: Vec<f64> = d2
            .iter()
            .enumerate()
            .filter(|(r, _)| Some(*r) != exclude)
            .map(|(_, d)| *d)
            .collect();
        sorted.sort_by(f64::total_cmp);
        let median = sorted
            .get(sorted.len() / 2)
            .copied()
            .unwrap_or(1.0)
            .max(1e-12);
        d2.iter()
            .enumerate()
            .map(|(r, d)| {
                if Some(r) == exclude {
                    0.0
                } else {
                    (-d / (BANDWIDTH * BANDWIDTH * median)).exp()
                }
            })
            .collect()
    }

    /// Regression weights of every lead on `inputs` (`STANDARD_12` slots, any order) in each
    /// phase, for a cycle whose inputs have the shape features `shapes`: `out[g][k][a]` weighs
    /// regressor `a` ([`slopes::regressors`]: the inputs' values, then with two inputs or more
    /// their slopes and curvatures) for lead `k` in phase `g`. `exclude` leaves one record out
    /// (the cycle's own, in training). `None` when the pooled moments cannot be solved.
    pub fn regressions(
        &self,
        inputs: &[usize],
        shapes: &[[f32; SHAPE_FEATURES]],
        exclude: Option<usize>,
    ) -> Option<PhaseRegressions> {
        if inputs.is_empty() || inputs.len() != shapes.len() || inputs.iter().any(|&s| s >= LEADS) {
            return None;
        }
        let kernel = self.kernel_weights(inputs, shapes, exclude);
        let features = slopes::regressors(inputs);
        let targets: Vec<usize> = (0..LEADS).filter(|k| !inputs.contains(k)).collect();
        let phase = |g: usize| {
            let moments =
                PhaseMoments::gather(self.moments.iter().map(|m| &m[g]), &features, &targets);
            let base: Vec<f64> = (0..self.len())
                .map(|r| kernel[r] * self.totals[r][g])
                .collect();
            every_lead(inputs, features.len(), |k| {
                moments.regress(targets.iter().position(|&t| t == k)?, &base)
            })
        };
        Some([phase(0)?, phase(1)?, phase(2)?])
    }

    /// The stored form: `[R, PHASES, slopes::PACKED]` moments (each phase's upper triangle),
    /// `[R, PHASES]` totals, `[R, 12, SHAPE_FEATURES]` features.
    pub fn to_flat(&self) -> [Vec<f32>; 3] {
        [
            self.moments
                .iter()
                .flatten()
                .flat_map(slopes::pack)
                .collect(),
            self.totals.iter().flatten().map(|&v| v as f32).collect(),
            self.features.iter().flatten().flatten().copied().collect(),
        ]
    }

    /// The prior from its stored form ([`LocalPrior::to_flat`]); `None` unless the sizes agree
    /// and every value is finite with positive totals.
    pub fn from_flat(moments: &[f32], totals: &[f32], features: &[f32]) -> Option<Self> {
        let r = features.len() / (LEADS * SHAPE_FEATURES);
        if r == 0
            || totals.len() != r * PHASES
            || moments.len() != r * PHASES * slopes::PACKED
            || features.len() != r * LEADS * SHAPE_FEATURES
        {
            return None;
        }
        if moments
            .iter()
            .chain(totals)
            .chain(features)
            .any(|v| !v.is_finite())
            || totals.iter().any(|&t| t <= 0.0)
        {
            return None;
        }
        let at = |rec: usize, g: usize| rec * PHASES + g;
        let phases = moments
            .chunks_exact(slopes::PACKED)
            .map(slopes::unpack)
            .collect::<Option<Vec<_>>>()?;
        Some(Self {
            names: Vec::new(),
            moments: (0..r)
                .map(|rec| std::array::from_fn(|g| phases[at(rec, g)]))
                .collect(),
            totals: (0..r)
                .map(|rec| std::array::from_fn(|g| f64::from(totals[at(rec, g)])))
                .collect(),
            features: features
                .chunks_exact(LEADS * SHAPE_FEATURES)
                .map(|f| {
                    std::array::from_fn(|k| std::array::from_fn(|i| f[k * SHAPE_FEATURES + i]))
                })
                .collect(),
        })
    }
}

mod pooled;
#[cfg(test)]
mod tests;
