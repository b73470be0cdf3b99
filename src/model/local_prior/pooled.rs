//! One phase's patient-similar regressions with their reweighting rounds, on the records'
//! moments laid out flat: each round reads every record's moments of the regressors and the
//! target once for its errors and once to pool them, so they are gathered once per cycle into
//! contiguous rows (a record's regressor moments as an upper triangle) rather than read
//! scattered out of each record's 36 × 36 matrix.

use super::{ERROR_FLOOR, ROUNDS, SLOPE_RIDGE};
use crate::geometry::LEADS;
use crate::linalg::solve_spd;
use crate::model::prior::RIDGE;
use crate::model::slopes::WaveMatrix;
use nalgebra::{DMatrix, DVector};

/// The moments one phase's regressions read, record by record.
pub(super) struct PhaseMoments<'a> {
    /// The regressors' feature indices ([`crate::model::slopes::regressors`]).
    features: &'a [usize],
    /// Regressors' moments per record: the upper triangle of their matrix, row by row.
    gram: Vec<f64>,
    /// Per record and target, the regressors' moments with that target.
    cross: Vec<f64>,
    /// Per record and target, the target's own mean square.
    own: Vec<f64>,
    /// Targets (leads regressed), in the order of `cross` and `own`.
    targets: usize,
    /// Records.
    records: usize,
}

/// `Σ a_i · b_i`.
fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

impl<'a> PhaseMoments<'a> {
    /// Gather from each record's `moments` those of `features` and of the `targets` leads.
    pub(super) fn gather<'m>(
        moments: impl ExactSizeIterator<Item = &'m WaveMatrix>,
        features: &'a [usize],
        targets: &[usize],
    ) -> Self {
        let n = features.len();
        let records = moments.len();
        let mut out = Self {
            features,
            gram: Vec::with_capacity(records * n * (n + 1) / 2),
            cross: Vec::with_capacity(records * targets.len() * n),
            own: Vec::with_capacity(records * targets.len()),
            targets: targets.len(),
            records,
        };
        for m in moments {
            for (a, &i) in features.iter().enumerate() {
                out.gram.extend(features[a..].iter().map(|&j| m[(i, j)]));
            }
            for &k in targets {
                out.cross.extend(features.iter().map(|&i| m[(i, k)]));
                out.own.push(m[(k, k)]);
            }
        }
        out
    }

    /// Values in a record's upper triangle.
    fn packed(&self) -> usize {
        let n = self.features.len();
        n * (n + 1) / 2
    }

    /// The regressors' moments and their moments with target `t`, pooled over the records
    /// with weights `say`; `None` when no record has a say.
    fn pooled(&self, t: usize, say: &[f64]) -> Option<(Vec<f64>, Vec<f64>)> {
        let (n, p) = (self.features.len(), self.packed());
        let mut gram = vec![0.0; p];
        let mut cross = vec![0.0; n];
        let mut total = 0.0;
        for (r, &w) in say.iter().enumerate().filter(|(_, w)| **w != 0.0) {
            for (g, m) in gram.iter_mut().zip(&self.gram[r * p..][..p]) {
                *g += w * m;
            }
            let row = &self.cross[(r * self.targets + t) * n..][..n];
            for (c, m) in cross.iter_mut().zip(row) {
                *c += w * m;
            }
            total += w;
        }
        if total <= 0.0 {
            return None;
        }
        gram.iter_mut().chain(&mut cross).for_each(|v| *v /= total);
        Some((gram, cross))
    }

    /// The regression under pooled moments, with each regressor's ridge relative to the
    /// regressors' values' mean square: [`RIDGE`] on a value (keeps nearly dependent inputs
    /// solvable), [`SLOPE_RIDGE`] on a slope or curvature; `None` unless it solves finitely.
    fn solve(&self, gram: &[f64], cross: &[f64]) -> Option<Vec<f64>> {
        let n = self.features.len();
        let mut m = DMatrix::zeros(n, n);
        let mut at = gram.iter();
        for a in 0..n {
            for b in a..n {
                let v = *at.next()?;
                m[(a, b)] = v;
                m[(b, a)] = v;
            }
        }
        let is_value = |a: usize| self.features[a] < LEADS;
        let values = (0..n).filter(|&a| is_value(a)).count().max(1);
        let scale = (0..n)
            .filter(|&a| is_value(a))
            .map(|a| m[(a, a)])
            .sum::<f64>()
            / values as f64;
        for a in 0..n {
            m[(a, a)] += scale * if is_value(a) { RIDGE } else { SLOPE_RIDGE };
        }
        solve_spd(m, DVector::from_column_slice(cross))
            .map(|w| w.as_slice().to_vec())
            .filter(|w| w.iter().all(|v| v.is_finite()))
    }

    /// Each record's mean squared error of target `t` under regression weights `w`.
    fn errors(&self, t: usize, w: &[f64]) -> Vec<f64> {
        let (n, p) = (self.features.len(), self.packed());
        // The quadratic form w'Gw over the upper triangle: off-diagonal terms count twice.
        let q: Vec<f64> = (0..n)
            .flat_map(|a| {
                (a..n).map(move |b| {
                    if a == b {
                        w[a] * w[a]
                    } else {
                        2.0 * w[a] * w[b]
                    }
                })
            })
            .collect();
        (0..self.records)
            .map(|r| {
                let quad = dot(&self.gram[r * p..][..p], &q);
                let lin = dot(&self.cross[(r * self.targets + t) * n..][..n], w);
                (self.own[r * self.targets + t] - 2.0 * lin + quad).max(0.0)
            })
            .collect()
    }

    /// Target `t` regressed on the regressors with each record's say `base`, then
    /// [`ROUNDS`] times with each record's say divided by its error under the last fit (a
    /// round that cannot be solved ends them); `None` when the first fit cannot be solved.
    pub(super) fn regress(&self, t: usize, base: &[f64]) -> Option<Vec<f64>> {
        let (gram, cross) = self.pooled(t, base)?;
        let mut fit = self.solve(&gram, &cross)?;
        for _ in 0..ROUNDS {
            let say: Vec<f64> = self
                .errors(t, &fit)
                .iter()
                .zip(base)
                .map(|(e, b)| b / (e + ERROR_FLOOR))
                .collect();
            match self
                .pooled(t, &say)
                .and_then(|(gram, cross)| self.solve(&gram, &cross))
            {
                Some(next) => fit = next,
                None => break,
            }
        }
        Some(fit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use nalgebra::SMatrix;

    /// A record whose lead 6 is `gain` times lead 1 plus a little of its own, in every kind.
    fn record(gain: f64) -> WaveMatrix {
        let mut m = WaveMatrix::identity();
        m[(1, 1)] = 1.0;
        m[(1, 6)] = gain;
        m[(6, 1)] = gain;
        m[(6, 6)] = gain * gain + 0.01;
        m
    }

    #[test]
    fn errors_are_each_records_squared_error_under_the_weights() {
        let records: Vec<WaveMatrix> = (0..3)
            .map(|r| {
                let a = SMatrix::<f64, { crate::model::slopes::DIM }, 4>::from_fn(|i, j| {
                    ((i * 5 + j * 7 + r * 3) % 13) as f64 / 13.0 - 0.4
                });
                a * a.transpose()
            })
            .collect();
        let features = [1, 7, 13];
        let targets = [0, 5];
        let moments = PhaseMoments::gather(records.iter(), &features, &targets);
        let w = [0.3, -1.2, 0.7];
        for (t, &k) in targets.iter().enumerate() {
            for (r, m) in records.iter().zip(moments.errors(t, &w)) {
                let mut direct = r[(k, k)];
                for (a, &i) in features.iter().enumerate() {
                    direct -= 2.0 * w[a] * r[(i, k)];
                    for (b, &j) in features.iter().enumerate() {
                        direct += w[a] * w[b] * r[(i, j)];
                    }
                }
                assert!((m - direct.max(0.0)).abs() < 1e-12, "{m} against {direct}");
            }
        }
    }

    #[test]
    fn the_rounds_take_the_say_from_a_record_whose_leads_relate_unlike_the_rest() {
        // Five records with lead 6 = 0.5 · lead 1, one with −2 ·.
        let records: Vec<WaveMatrix> = [0.5, 0.5, 0.5, 0.5, 0.5, -2.0].map(record).to_vec();
        let features = [1];
        let moments = PhaseMoments::gather(records.iter(), &features, &[6]);
        let base = [1.0; 6];
        let pooled = moments.pooled(0, &base).unwrap();
        let plain = moments.solve(&pooled.0, &pooled.1).unwrap()[0];
        assert!(
            (plain - 1.0 / 12.0).abs() < 1e-6,
            "plain pooled fit {plain}"
        );
        let fit = moments.regress(0, &base).unwrap()[0];
        assert!((fit - 0.5).abs() < 0.05, "reweighted fit {fit}");
        // A record with no say changes nothing.
        let more: Vec<WaveMatrix> = records.iter().copied().chain([record(9.0)]).collect();
        let with_zero = PhaseMoments::gather(more.iter(), &features, &[6]);
        let again = with_zero
            .regress(0, &[1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.0])
            .unwrap()[0];
        assert!((again - fit).abs() < 1e-12);
    }
}
