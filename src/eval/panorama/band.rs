//! How well the confidence band of synthesized views is calibrated and how sharp it is: on
//! held-out cycles, the share of each recorded non-input lead's samples that falls inside the
//! band, and the band's mean width against a constant-width band of the same coverage. Both
//! are also scored by the interval score at the band's level (Gneiting & Raftery 2007: the
//! width plus 2/α times each miss's distance, α = 1 − level; lower is better), the proper
//! scoring rule for central intervals, which rewards a band for being narrow only as far as
//! it stays calibrated; and by the share of QRS samples each covers.

use super::{Cycle, Task};
use crate::error::{Error, Result};
use crate::geometry::{STANDARD_12, Viewpoint, lead_view, normalise_lead_name};
use crate::model::band::{SEGMENTS, THIRDS, phases};
use crate::panorama::{CycleInput, Engine, angle_to_inputs, exact_lead};
use serde::Serialize;

/// The levels the band is checked at.
pub const BAND_LEVELS: [f64; 3] = [0.5, 0.8, 0.95];
/// Views nearer than this (radians) to an input lead count as "near" in the sharpness columns.
pub const NEAR: f64 = 0.6;

/// One input set at one level.
#[derive(Debug, Clone, Serialize)]
pub struct BandRow {
    /// The task's name (its input set).
    pub task: String,
    /// The band's level.
    pub level: f64,
    /// Views scored (recorded leads that are not inputs and not exact).
    pub views: usize,
    /// Views the inputs determine exactly (served as they are, no band).
    pub exact_views: usize,
    /// Share of samples inside the band, %.
    pub coverage: f64,
    /// Mean full width of the band, µV.
    pub width_uv: f64,
    /// Full width of a constant band with the same coverage, µV.
    pub constant_uv: f64,
    /// Mean interval score of the band at its level, µV.
    pub score_uv: f64,
    /// Mean interval score of the best constant band at the level (its half-width the
    /// level's quantile of the errors), µV.
    pub constant_score_uv: f64,
    /// Share of QRS samples inside the band, %.
    pub qrs_coverage: f64,
    /// Share of QRS samples inside the constant band of the same coverage, %.
    pub constant_qrs_coverage: f64,
    /// Mean width over the TP segment, µV.
    pub tp_uv: f64,
    /// Mean width over the QRS, µV.
    pub qrs_uv: f64,
    /// Mean width of views within [`NEAR`] of an input, µV (NaN with none).
    pub near_uv: f64,
    /// Mean width of views farther than [`NEAR`], µV (NaN with none).
    pub far_uv: f64,
}

#[derive(Default)]
struct Acc {
    inside: usize,
    samples: usize,
    width: f64,
    score: f64,
    qrs_inside: usize,
    /// Each sample's error and whether it lies in the QRS.
    errors: Vec<(f64, bool)>,
    part: [(f64, usize); 4],
}

impl Acc {
    /// One sample at `level`: its error and the band's half-width (mV), its segment, and
    /// whether its view is near an input.
    fn push(&mut self, level: f64, err: f64, hw: f64, seg: usize, near: bool) {
        let qrs = seg == 2;
        self.inside += usize::from(err <= hw);
        self.qrs_inside += usize::from(err <= hw && qrs);
        self.samples += 1;
        self.width += 2.0 * hw;
        self.score += interval_score(level, hw, err);
        self.errors.push((err, qrs));
        for (slot, on) in [(0, seg == SEGMENTS - 1), (1, qrs), (2, near), (3, !near)] {
            if on {
                self.part[slot].0 += 2.0 * hw;
                self.part[slot].1 += 1;
            }
        }
    }

    /// The row of what was pushed at `level` (task and view counts left for the caller).
    fn row(&mut self, level: f64) -> BandRow {
        let mean = |(s, n): (f64, usize)| if n == 0 { f64::NAN } else { 1e3 * s / n as f64 };
        let coverage = self.inside as f64 / self.samples.max(1) as f64;
        self.errors.sort_by(|x, y| x.0.total_cmp(&y.0));
        let errors = &self.errors;
        let quantile = |p: f64| {
            let k = ((p * errors.len() as f64).ceil() as usize).clamp(1, errors.len().max(1));
            errors.get(k - 1).map_or(f64::NAN, |e| e.0)
        };
        let same = quantile(coverage);
        // The constant band that scores best at this level: the level's quantile.
        let best = quantile(level);
        let constant_score: f64 = errors
            .iter()
            .map(|e| interval_score(level, best, e.0))
            .sum();
        let qrs = errors.iter().filter(|e| e.1).count().max(1) as f64;
        let qrs_in_constant = errors.iter().filter(|e| e.1 && e.0 <= same).count() as f64;
        BandRow {
            task: String::new(),
            level,
            views: 0,
            exact_views: 0,
            coverage: 100.0 * coverage,
            width_uv: mean((self.width, self.samples)),
            constant_uv: 2e3 * same,
            score_uv: mean((self.score, self.samples)),
            constant_score_uv: mean((constant_score, errors.len())),
            qrs_coverage: 100.0 * self.qrs_inside as f64 / qrs,
            constant_qrs_coverage: 100.0 * qrs_in_constant / qrs,
            tp_uv: mean(self.part[0]),
            qrs_uv: mean(self.part[1]),
            near_uv: mean(self.part[2]),
            far_uv: mean(self.part[3]),
        }
    }
}

/// The interval score of a central band of half-width `hw` at `level` for an error `err`:
/// its full width plus 2/α times how far the truth falls outside (α = 1 − level).
fn interval_score(level: f64, hw: f64, err: f64) -> f64 {
    2.0 * hw + 2.0 / (1.0 - level) * (err - hw).max(0.0)
}

/// The band's coverage and widths for every task without unseen views, on `cycles`.
pub fn band_coverage(
    engine: &dyn Engine,
    cycles: &[Cycle],
    tasks: &[Task],
) -> Result<Vec<BandRow>> {
    let mut rows = Vec::new();
    for task in tasks.iter().filter(|t| !t.unseen) {
        let views: Vec<(usize, Viewpoint)> = task
            .targets
            .iter()
            .filter_map(|n| {
                let k = STANDARD_12.iter().position(|m| m == n)?;
                Some((k, lead_view(&normalise_lead_name(n), false)?.viewpoint))
            })
            .collect();
        let mut acc: Vec<Acc> = BAND_LEVELS.iter().map(|_| Acc::default()).collect();
        let (mut scored, mut exact) = (0, 0);
        for c in cycles {
            let input = CycleInput {
                fs: 500.0,
                leads: task
                    .inputs
                    .iter()
                    .map(|n| {
                        c.lead(n)
                            .map(|x| (n.clone(), x.to_vec()))
                            .ok_or_else(|| Error::Invalid(format!("cycle without lead {n}")))
                    })
                    .collect::<Result<_>>()?,
                boundaries: c.bounds,
            };
            let field = engine.encode(&input)?;
            let open: Vec<&(usize, Viewpoint)> = views
                .iter()
                .filter(|(_, v)| exact_lead(field.inputs(), v).is_none())
                .collect();
            exact += views.len() - open.len();
            if open.is_empty() {
                continue;
            }
            let asked: Vec<Viewpoint> = open.iter().map(|(_, v)| *v).collect();
            let rendered = engine.render(&field, &asked)?;
            let ph = phases(&c.bounds, c.samples());
            for (li, &level) in BAND_LEVELS.iter().enumerate() {
                let band = engine.band(&field, &asked, level)?.ok_or_else(|| {
                    Error::Invalid(format!(
                        "the {} engine has no calibrated band",
                        engine.name()
                    ))
                })?;
                let a = &mut acc[li];
                for ((&&(k, v), y), hw) in open.iter().zip(&rendered).zip(&band) {
                    let near = angle_to_inputs(&field, &v) < NEAR;
                    for t in 0..c.samples() {
                        a.push(
                            level,
                            (c.leads[k][t] - y[t]).abs(),
                            hw[t],
                            ph[t] / THIRDS,
                            near,
                        );
                    }
                }
            }
            scored += open.len();
        }
        for (li, a) in acc.iter_mut().enumerate() {
            let mut row = a.row(BAND_LEVELS[li]);
            (row.task, row.views, row.exact_views) = (task.name.clone(), scored, exact);
            rows.push(row);
        }
    }
    Ok(rows)
}

/// The rows as a table: one line per input set and level.
pub fn render_band_table(rows: &[BandRow]) -> String {
    let mut s = format!(
        "{:<28} {:>5} {:>6} {:>9} {:>9} {:>10} {:>7} {:>9} {:>6} {:>8} {:>7} {:>7} {:>7} {:>7}\n",
        "inputs",
        "level",
        "views",
        "inside %",
        "width µV",
        "const. µV",
        "IS µV",
        "const. IS",
        "QRS %",
        "const. %",
        "TP µV",
        "QRS µV",
        "near µV",
        "far µV"
    );
    for r in rows {
        if r.views == 0 {
            s += &format!(
                "{:<28} {:>4.0}% every target ({}) is exact: served as recorded, no band\n",
                r.task,
                100.0 * r.level,
                r.exact_views
            );
            continue;
        }
        s += &format!(
            "{:<28} {:>4.0}% {:>6} {:>9.1} {:>9.0} {:>10.0} {:>7.0} {:>9.0} {:>6.1} {:>8.1} {:>7.0} {:>7.0} {:>7.0} {:>7.0}\n",
            r.task,
            100.0 * r.level,
            r.views,
            r.coverage,
            r.width_uv,
            r.constant_uv,
            r.score_uv,
            r.constant_score_uv,
            r.qrs_coverage,
            r.constant_qrs_coverage,
            r.tp_uv,
            r.qrs_uv,
            r.near_uv,
            r.far_uv
        );
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Errors whose scale is 1 outside the QRS and 10 inside it (a fifth of the samples),
    /// pushed with half-widths from `hw(scale)`.
    fn heteroscedastic(level: f64, hw: impl Fn(f64) -> f64) -> BandRow {
        let mut a = Acc::default();
        for i in 0..5000 {
            let (seg, scale) = if i % 5 == 0 { (2, 10.0) } else { (5, 1.0) };
            // Errors evenly spread over [0, scale): the quantile p is p × scale.
            let err = scale * ((i / 5) as f64 + 0.5) / 1000.0;
            a.push(level, err, hw(scale), seg, seg == 5);
        }
        a.row(level)
    }

    #[test]
    fn a_band_that_follows_the_error_scale_scores_better_than_a_constant_one() {
        let adaptive = heteroscedastic(0.8, |scale| 0.8 * scale);
        assert!((adaptive.coverage - 80.0).abs() < 0.5, "{adaptive:?}");
        assert!((adaptive.qrs_coverage - 80.0).abs() < 0.5);
        // The constant band of the same coverage leaves most of the QRS out…
        assert!(adaptive.constant_qrs_coverage < 30.0, "{adaptive:?}");
        // …and is narrower on average, yet scores worse on the interval score.
        assert!(adaptive.constant_uv < adaptive.width_uv);
        assert!(
            adaptive.score_uv < adaptive.constant_score_uv,
            "{} vs {}",
            adaptive.score_uv,
            adaptive.constant_score_uv
        );
    }

    #[test]
    fn a_constant_band_scores_the_same_as_the_best_constant() {
        let mut errors: Vec<f64> = (0..5000)
            .map(|i| if i % 5 == 0 { 10.0 } else { 1.0 } * ((i / 5) as f64 + 0.5) / 1000.0)
            .collect();
        errors.sort_by(f64::total_cmp);
        let q = errors[(0.8 * errors.len() as f64).ceil() as usize - 1];
        let flat = heteroscedastic(0.8, |_| q);
        assert!((flat.score_uv - flat.constant_score_uv).abs() < 1e-6 * flat.score_uv);
        assert!((flat.coverage - 80.0).abs() < 0.1);
        assert!((flat.width_uv - flat.constant_uv).abs() < 1e-6 * flat.width_uv);
    }
}
