//! The patient-similar regression: linear regression refitted for each cycle with the
//! training records weighted by how much their input leads look like the cycle's.
//!
//! One population regression is a compromise over torsos, electrode positions and lead gains;
//! with three or more inputs it is the spread of those between patients that limits it (a
//! regression fitted on each record's own cycles reaches about 39 dB on (3,9), the population
//! one 33 dB on the validation records). The inputs' own shapes — the QRS, T and P waves of
//! each input lead, scaled by the inputs' largest value — tell something of that patient, so
//! the records whose inputs look alike get the larger say (a Gaussian kernel on the distance
//! between those shapes). Only the inputs are read: it stays honest.

use super::data::TrainCycle;
use super::prior::{regress, regressions_under};

/// Phases of the cycle with their own regressions: atrial (P wave and PR segment), ventricular
/// depolarisation (QRS) and repolarisation (ST, T, TP). The heart's electrical axis differs
/// between them, so one set of weights for the whole cycle is a compromise.
pub const PHASES: usize = 3;
/// Samples over which one phase's weights hand over to the next (a hard switch would put a
/// step into the estimate at the QRS onset and offset).
const HANDOVER: f32 = 6.0;
/// Floor of a cycle's 12-lead range in its weight (mV): keeps flat cycles from dominating.
const RANGE_FLOOR: f64 = 0.05;

/// Regression weights per phase: `[phase][lead k][input a]`.
pub type PhaseRegressions = [Vec<Vec<f64>>; PHASES];

/// The phase of sample `s` of a cycle with boundaries `bounds` ([`TrainCycle::bounds`]).
pub fn phase_of(s: usize, bounds: &[usize; 7]) -> usize {
    if s < bounds[2] {
        0
    } else if s <= bounds[3] {
        1
    } else {
        2
    }
}

/// How much each phase's weights count at each of `len` samples: the phases of
/// [`phase_of`], handing over linearly across the QRS onset and offset.
pub fn phase_blend(bounds: &[usize; 7], len: usize) -> Vec<[f32; PHASES]> {
    let ramp = |s: usize, at: f32| ((s as f32 - at) / HANDOVER + 0.5).clamp(0.0, 1.0);
    (0..len)
        .map(|s| {
            let after_on = ramp(s, bounds[2] as f32 - 0.5);
            let after_off = ramp(s, bounds[3] as f32 + 0.5);
            [1.0 - after_on, after_on - after_off, after_off]
        })
        .collect()
}

/// Samples each wave is resampled to: P wave, QRS, T wave.
const WAVE_SAMPLES: [usize; 3] = [4, 16, 8];
/// Weight of each wave in the distance (the QRS tells most of the lead's projection).
const WAVE_WEIGHTS: [f32; 3] = [0.5, 1.0, 0.5];
/// Features per lead.
pub const FEATURES: usize = 28;
/// Kernel bandwidth, relative to the median distance from the cycle to the records.
const BANDWIDTH: f64 = 0.45;
/// Rounds in which each record's say in a lead's regression is divided by its own error under
/// the last round's fit: the evaluation averages log errors, so a few records whose leads
/// relate unlike the rest's should not set the weights for everyone.
const ROUNDS: usize = 3;
/// Floor of a record's mean squared error in those rounds, in squared 12-lead ranges (the
/// moments are range-weighted): about 3 % of the range RMS.
const ERROR_FLOOR: f64 = 1e-3;

/// One lead's shape features of a cycle: P wave, QRS and T wave, each linearly resampled to a
/// fixed length and weighted (mV); `bounds` as [`TrainCycle::bounds`].
pub fn lead_features(x: &[f32], bounds: &[usize; 7]) -> [f32; FEATURES] {
    let spans = [
        (bounds[0], bounds[1]),
        (bounds[2], bounds[3]),
        (bounds[4], bounds[5]),
    ];
    let mut out = [0f32; FEATURES];
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
    /// Per record and phase, the weighted mean of `x_i · x_j` over its samples (mV²).
    pub moments: Vec<[[[f64; 12]; 12]; PHASES]>,
    /// Per record and phase, the total weight behind its moments (weighted sample count).
    pub totals: Vec<[f64; PHASES]>,
    /// Per record and lead, the mean of [`lead_features`] over its cycles (mV).
    pub features: Vec<[[f32; FEATURES]; 12]>,
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

/// Mean squared error of `Σ_a w_a x_{inputs[a]}` against lead `k` under moments `m`.
fn record_error(m: &[[f64; 12]; 12], inputs: &[usize], w: &[f64], k: usize) -> f64 {
    let mut e = m[k][k];
    for (a, &i) in inputs.iter().enumerate() {
        e -= 2.0 * w[a] * m[i][k];
        for (b, &j) in inputs.iter().enumerate() {
            e += w[a] * w[b] * m[i][j];
        }
    }
    e.max(0.0)
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
                out.moments.push([[[0.0; 12]; 12]; PHASES]);
                out.totals.push([0.0; PHASES]);
                out.features.push([[0.0; FEATURES]; 12]);
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
            for s in 0..c.len {
                let g = phase_of(s, &c.bounds);
                let x: [f64; 12] = std::array::from_fn(|i| f64::from(c.leads[i][s]));
                for (row, xi) in out.moments[r][g].iter_mut().zip(&x) {
                    for (v, xj) in row.iter_mut().zip(&x) {
                        *v += w * xi * xj;
                    }
                }
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
                phase.iter_mut().flatten().for_each(|v| *v /= t);
            }
            let k = count.max(1) as f32;
            f.iter_mut().flatten().for_each(|v| *v /= k);
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

    /// Index of the record called `name`, when the names are known.
    pub fn index_of(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| n == name)
    }

    /// Kernel weight of each record for a cycle whose inputs (`STANDARD_12` slots) have the
    /// shape features `shapes` (one per input, mV); record `exclude` gets none.
    fn kernel_weights(
        &self,
        inputs: &[usize],
        shapes: &[[f32; FEATURES]],
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
    /// input `a` for lead `k` in phase `g`. `exclude` leaves one record out (the cycle's own,
    /// in training). `None` when the pooled moments cannot be solved.
    pub fn regressions(
        &self,
        inputs: &[usize],
        shapes: &[[f32; FEATURES]],
        exclude: Option<usize>,
    ) -> Option<PhaseRegressions> {
        if inputs.is_empty() || inputs.len() != shapes.len() || inputs.iter().any(|&s| s >= 12) {
            return None;
        }
        let kernel = self.kernel_weights(inputs, shapes, exclude);
        let phase = |g: usize| {
            let pooled = |say: &dyn Fn(usize) -> f64| {
                let mut m = [[0.0; 12]; 12];
                let mut total = 0.0;
                for (r, rec) in self.moments.iter().enumerate() {
                    let w = say(r);
                    for (row, rrow) in m.iter_mut().zip(&rec[g]) {
                        for (v, x) in row.iter_mut().zip(rrow) {
                            *v += w * x;
                        }
                    }
                    total += w;
                }
                m.iter_mut().flatten().for_each(|v| *v /= total);
                (total > 0.0).then_some(m)
            };
            let base = |r: usize| kernel[r] * self.totals[r][g];
            let mut out = regressions_under(&pooled(&base)?, inputs)?;
            for (k, fit) in out.iter_mut().enumerate() {
                if inputs.contains(&k) {
                    continue;
                }
                for _ in 0..ROUNDS {
                    let say = |r: usize| {
                        base(r) / (record_error(&self.moments[r][g], inputs, fit, k) + ERROR_FLOOR)
                    };
                    match pooled(&say).and_then(|m| regress(&m, inputs, k)) {
                        Some(next) if next.iter().all(|v| v.is_finite()) => *fit = next,
                        _ => break,
                    }
                }
            }
            Some(out)
        };
        Some([phase(0)?, phase(1)?, phase(2)?])
    }

    /// The stored form: `[R, PHASES, 12, 12]` moments, `[R, PHASES]` totals,
    /// `[R, 12, FEATURES]` features.
    pub fn to_flat(&self) -> [Vec<f32>; 3] {
        [
            self.moments
                .iter()
                .flatten()
                .flatten()
                .flatten()
                .map(|&v| v as f32)
                .collect(),
            self.totals.iter().flatten().map(|&v| v as f32).collect(),
            self.features.iter().flatten().flatten().copied().collect(),
        ]
    }

    /// The prior from its stored form ([`LocalPrior::to_flat`]), or from the earlier form
    /// with one set of moments per record (`[R, 12, 12]`, `[R]`), which serves every phase;
    /// `None` unless the sizes agree and every value is finite with positive totals.
    pub fn from_flat(moments: &[f32], totals: &[f32], features: &[f32]) -> Option<Self> {
        let r = features.len() / (12 * FEATURES);
        let phases_stored = if r > 0 && totals.len() == r {
            1
        } else {
            PHASES
        };
        if r == 0
            || totals.len() != r * phases_stored
            || moments.len() != r * phases_stored * 144
            || features.len() != r * 12 * FEATURES
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
        let matrix = |m: &[f32]| -> [[f64; 12]; 12] {
            std::array::from_fn(|i| std::array::from_fn(|j| f64::from(m[i * 12 + j])))
        };
        let at = |rec: usize, g: usize| rec * phases_stored + g.min(phases_stored - 1);
        Some(Self {
            names: Vec::new(),
            moments: (0..r)
                .map(|rec| std::array::from_fn(|g| matrix(&moments[at(rec, g) * 144..][..144])))
                .collect(),
            totals: (0..r)
                .map(|rec| std::array::from_fn(|g| f64::from(totals[at(rec, g)])))
                .collect(),
            features: features
                .chunks_exact(12 * FEATURES)
                .map(|f| std::array::from_fn(|k| std::array::from_fn(|i| f[k * FEATURES + i])))
                .collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wave_features_resample_each_wave_and_weigh_the_qrs_most() {
        let x: Vec<f32> = (0..100).map(|i| i as f32).collect();
        let f = lead_features(&x, &[0, 10, 20, 40, 60, 80, 99]);
        // P wave: 4 samples from 0 to 10, weighted by a half.
        for (got, want) in f[..4].iter().zip([0.0, 10.0 / 6.0, 20.0 / 6.0, 5.0]) {
            assert!((got - want).abs() < 1e-5, "{got} against {want}");
        }
        // QRS: 16 samples from 20 to 40 at full weight.
        assert!((f[4] - 20.0).abs() < 1e-6 && (f[19] - 40.0).abs() < 1e-6);
        assert!((f[5] - (20.0 + 20.0 / 15.0)).abs() < 1e-5);
        // T wave: 8 samples from 60 to 80, halved.
        assert!((f[20] - 30.0).abs() < 1e-6 && (f[27] - 40.0).abs() < 1e-6);
        // Boundaries past a short signal stay inside it.
        let g = lead_features(&x[..30], &[0, 10, 20, 40, 60, 80, 99]);
        assert!(g.iter().all(|v| v.is_finite() && *v <= 29.0));
    }

    /// A cycle of record `name`: lead II is `shape`, V1 is `gain` times it, the rest small
    /// independent waves so every moment is solvable.
    fn cycle(name: &str, shape: &[f32], gain: f32) -> TrainCycle {
        let len = shape.len();
        let mut leads = vec![vec![0f32; len]; 12];
        for (k, lead) in leads.iter_mut().enumerate() {
            for (i, v) in lead.iter_mut().enumerate() {
                *v = 0.05 * ((i * (k + 2)) as f32 * 0.37).sin();
            }
        }
        leads[1] = shape.to_vec();
        leads[6] = shape.iter().map(|v| gain * v).collect();
        TrainCycle {
            record: name.into(),
            leads,
            bounds: [0, 20, 40, 60, 80, 110, len - 1],
            len,
        }
    }

    /// Records whose QRS points up have V1 = 0.5·II; those whose QRS points down, V1 = −0.5·II.
    fn two_kinds() -> (Vec<TrainCycle>, Vec<f32>, Vec<f32>) {
        let up: Vec<f32> = (0..150)
            .map(|i| {
                if (40..60).contains(&i) {
                    1.0 - ((i as f32 - 50.0) / 10.0).abs()
                } else {
                    0.1 * (i as f32 * 0.05).sin()
                }
            })
            .collect();
        let down: Vec<f32> = up
            .iter()
            .enumerate()
            .map(|(i, v)| if (40..60).contains(&i) { -v } else { *v })
            .collect();
        let mut cycles = Vec::new();
        for r in 0..6 {
            cycles.push(cycle(&format!("up{r}"), &up, 0.5));
            cycles.push(cycle(&format!("down{r}"), &down, -0.5));
        }
        (cycles, up, down)
    }

    fn fitted(cycles: &[TrainCycle]) -> LocalPrior {
        LocalPrior::fit(cycles)
    }

    #[test]
    fn records_whose_inputs_look_alike_decide_the_regression() {
        let (cycles, up, down) = two_kinds();
        let local = fitted(&cycles);
        assert_eq!(local.len(), 12);
        let bounds = cycles[0].bounds;
        let v1 = |shape: &[f32]| {
            local
                .regressions(&[1], &[lead_features(shape, &bounds)], None)
                .unwrap()[1][6][0]
        };
        // The population regression of V1 on II is near 0 here; the similar records' is not.
        assert!((v1(&up) - 0.5).abs() < 0.05, "QRS up: {}", v1(&up));
        assert!((v1(&down) + 0.5).abs() < 0.05, "QRS down: {}", v1(&down));
        // An input is returned as it is.
        let own = local
            .regressions(&[1], &[lead_features(&up, &bounds)], None)
            .unwrap();
        assert!(own.iter().all(|phase| phase[1] == vec![1.0]));
    }

    #[test]
    fn a_left_out_record_has_no_say_in_its_own_regression() {
        let (mut cycles, up, _) = two_kinds();
        // One more record unlike the others: a biphasic QRS, and V1 = −2·II.
        let biphasic: Vec<f32> = up
            .iter()
            .enumerate()
            .map(|(i, v)| if i < 50 { *v } else { -v })
            .collect();
        cycles.push(cycle("odd", &biphasic, -2.0));
        let mut local = fitted(&cycles);
        local.names = record_names(&cycles);
        let odd = local.index_of("odd");
        assert_eq!(odd, Some(12));
        // A cycle shaped like the odd record: that record decides its regression, unless it is
        // left out, when the others (V1 = ±0.5·II) do.
        let shapes = [lead_features(&biphasic, &cycles[0].bounds)];
        let with = local.regressions(&[1], &shapes, None).unwrap()[1][6][0];
        let without = local.regressions(&[1], &shapes, odd).unwrap()[1][6][0];
        assert!((with + 2.0).abs() < 0.2, "with the odd record: {with}");
        assert!(without.abs() <= 0.5 + 1e-6, "left out: {without}");
    }

    #[test]
    fn the_stored_form_round_trips_and_refuses_what_does_not_fit() {
        let (cycles, _, _) = two_kinds();
        let local = fitted(&cycles);
        let [m, t, f] = local.to_flat();
        let back = LocalPrior::from_flat(&m, &t, &f).unwrap();
        assert_eq!(back.len(), local.len());
        for (a, b) in back
            .moments
            .iter()
            .flatten()
            .flatten()
            .flatten()
            .zip(local.moments.iter().flatten().flatten().flatten())
        {
            assert!((a - b).abs() <= 1e-6 * b.abs().max(1e-6));
        }
        assert!(LocalPrior::from_flat(&m[1..], &t, &f).is_none());
        assert!(LocalPrior::from_flat(&m, &t, &f[..f.len() - 1]).is_none());
        let mut bad = t.clone();
        bad[0] = f32::NAN;
        assert!(LocalPrior::from_flat(&m, &bad, &f).is_none());
        bad[0] = 0.0;
        assert!(LocalPrior::from_flat(&m, &bad, &f).is_none());
        assert!(LocalPrior::from_flat(&[], &[], &[]).is_none());
    }

    #[test]
    fn each_phase_gets_its_own_regression() {
        // V1 = 0.5·II during the QRS (samples 40..=60) and −0.5·II elsewhere.
        let (cycles, up, _) = two_kinds();
        let cycles: Vec<TrainCycle> = cycles
            .into_iter()
            .map(|mut c| {
                let ii = c.leads[1].clone();
                c.leads[6] = ii
                    .iter()
                    .enumerate()
                    .map(|(s, v)| match phase_of(s, &c.bounds) {
                        1 => 0.5 * v,
                        _ => -0.5 * v,
                    })
                    .collect();
                c
            })
            .collect();
        let local = fitted(&cycles);
        let r = local
            .regressions(&[1], &[lead_features(&up, &cycles[0].bounds)], None)
            .unwrap();
        for (g, want) in [(0, -0.5), (1, 0.5), (2, -0.5)] {
            assert!(
                (r[g][6][0] - want).abs() < 0.05,
                "phase {g}: {}",
                r[g][6][0]
            );
        }
    }

    #[test]
    fn phases_hand_over_gradually_and_always_sum_to_one() {
        let bounds = [0, 20, 40, 60, 80, 110, 149];
        let blend = phase_blend(&bounds, 150);
        assert_eq!(blend[10], [1.0, 0.0, 0.0]);
        assert_eq!(blend[50], [0.0, 1.0, 0.0]);
        assert_eq!(blend[100], [0.0, 0.0, 1.0]);
        for (s, b) in blend.iter().enumerate() {
            assert!((b.iter().sum::<f32>() - 1.0).abs() < 1e-6, "sample {s}");
            assert!(
                b.iter().all(|v| (0.0..=1.0).contains(v)),
                "sample {s}: {b:?}"
            );
        }
        for pair in blend.windows(2) {
            for (a, b) in pair[0].iter().zip(&pair[1]) {
                assert!((b - a).abs() <= 1.0 / HANDOVER + 1e-6);
            }
        }
        // The samples themselves belong to their phase at least halfway.
        assert!(blend[40][1] >= 0.5 && blend[39][0] >= 0.5 && blend[60][1] >= 0.5);
    }

    #[test]
    fn a_cycle_of_large_amplitude_counts_no_more_than_a_small_one() {
        let (cycles, up, _) = two_kinds();
        // V6 sets both cycles' range, so the big one is the small one ten times over but for
        // the sign of V1.
        let with_v6 = |mut c: TrainCycle| {
            c.leads[11] = (0..c.len).map(|s| 2.0 * (s as f32 * 0.1).sin()).collect();
            c
        };
        let small = with_v6(cycle("one", &up, 0.5));
        let mut big = with_v6(cycle("one", &up, -0.5));
        big.leads.iter_mut().flatten().for_each(|v| *v *= 10.0);
        let local = fitted(&[small, big]);
        let w = local
            .regressions(&[1], &[lead_features(&up, &cycles[0].bounds)], None)
            .unwrap()[1][6][0];
        // Unweighted, the tenfold cycle would pull the fit to about −0.5.
        assert!(w.abs() < 0.1, "weight of V1 on II: {w}");
    }

    #[test]
    fn the_earlier_one_phase_form_loads_and_serves_every_phase() {
        let (cycles, _, _) = two_kinds();
        let local = fitted(&cycles);
        let [m, t, f] = local.to_flat();
        let r = local.len();
        // The QRS phase's moments and totals alone, as a file of the earlier form holds them.
        let one_m: Vec<f32> = (0..r)
            .flat_map(|rec| m[(rec * PHASES + 1) * 144..][..144].to_vec())
            .collect();
        let one_t: Vec<f32> = (0..r).map(|rec| t[rec * PHASES + 1]).collect();
        let back = LocalPrior::from_flat(&one_m, &one_t, &f).unwrap();
        assert_eq!(back.len(), r);
        for rec in &back.moments {
            assert_eq!(rec[0], rec[1]);
            assert_eq!(rec[2], rec[1]);
        }
        assert!(LocalPrior::from_flat(&one_m, &t, &f).is_none());
    }
}
