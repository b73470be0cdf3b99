//! How well the confidence band of synthesized views is calibrated and how sharp it is: on
//! held-out cycles, the share of each recorded non-input lead's samples that falls inside the
//! band, and the band's mean width against a constant-width band of the same coverage.

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
    errors: Vec<f64>,
    part: [(f64, usize); 4],
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
                        let err = (c.leads[k][t] - y[t]).abs();
                        a.inside += usize::from(err <= hw[t]);
                        a.samples += 1;
                        a.width += 2.0 * hw[t];
                        a.errors.push(err);
                        let seg = ph[t] / THIRDS;
                        for (slot, on) in [
                            (0, seg == SEGMENTS - 1),
                            (1, seg == 2),
                            (2, near),
                            (3, !near),
                        ] {
                            if on {
                                a.part[slot].0 += 2.0 * hw[t];
                                a.part[slot].1 += 1;
                            }
                        }
                    }
                }
            }
            scored += open.len();
        }
        for (li, a) in acc.iter_mut().enumerate() {
            let mean = |(s, n): (f64, usize)| if n == 0 { f64::NAN } else { 1e3 * s / n as f64 };
            let coverage = a.inside as f64 / a.samples.max(1) as f64;
            a.errors.sort_by(f64::total_cmp);
            let k = ((coverage * a.errors.len() as f64).ceil() as usize)
                .clamp(1, a.errors.len().max(1));
            let constant = a.errors.get(k - 1).map_or(f64::NAN, |e| 2e3 * e);
            rows.push(BandRow {
                task: task.name.clone(),
                level: BAND_LEVELS[li],
                views: scored,
                exact_views: exact,
                coverage: 100.0 * coverage,
                width_uv: mean((a.width, a.samples)),
                constant_uv: constant,
                tp_uv: mean(a.part[0]),
                qrs_uv: mean(a.part[1]),
                near_uv: mean(a.part[2]),
                far_uv: mean(a.part[3]),
            });
        }
    }
    Ok(rows)
}

/// The rows as a table: one line per input set and level.
pub fn render_band_table(rows: &[BandRow]) -> String {
    let mut s = format!(
        "{:<28} {:>5} {:>6} {:>9} {:>9} {:>10} {:>7} {:>7} {:>7} {:>7}\n",
        "inputs",
        "level",
        "views",
        "inside %",
        "width µV",
        "const. µV",
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
            "{:<28} {:>4.0}% {:>6} {:>9.1} {:>9.0} {:>10.0} {:>7.0} {:>7.0} {:>7.0} {:>7.0}\n",
            r.task,
            100.0 * r.level,
            r.views,
            r.coverage,
            r.width_uv,
            r.constant_uv,
            r.tp_uv,
            r.qrs_uv,
            r.near_uv,
            r.far_uv
        );
    }
    s
}
