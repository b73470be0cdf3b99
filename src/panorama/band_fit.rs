//! Fitting the confidence band ([`crate::model::band`]) on held-out cycles: each cycle is
//! synthesized from several input sets, and every standard lead the inputs leave open is
//! compared with its recording.

use super::band::{angle_to_inputs, band_scale};
use super::{CycleInput, Engine, exact_lead};
use crate::error::{Error, Result};
use crate::geometry::{STANDARD_12, Viewpoint, lead_view, normalise_lead_name};
use crate::model::band::{Band, CELLS, cell, input_group, nearest_angle, phases};
use crate::model::data::TrainCycle;
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::{IndexedRandom, SliceRandom};
use std::collections::BTreeMap;

/// Input sets every held-out cycle is synthesized from: one limb lead alone, the paper's three
/// leads, and the eight independent leads of a 12-lead ECG.
const NAMED_SETS: [&[&str]; 4] = [
    &["II"],
    &["I"],
    &["II", "V2", "V5"],
    &["I", "II", "V1", "V2", "V3", "V4", "V5", "V6"],
];
/// Sizes of the random input sets drawn for each cycle besides the named ones.
const RANDOM_SIZES: [usize; 5] = [1, 1, 2, 3, 5];
/// Every `STRIDE`-th sample of a view is compared: neighbours say nearly the same.
const STRIDE: usize = 2;
/// Fewest errors a cell needs to stand on its own (else it borrows from a neighbour).
pub const MIN_CELL: usize = 400;

/// What a band fit saw.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BandFit {
    /// Cycles per database.
    pub cycles: BTreeMap<String, usize>,
    /// Views compared with their recordings.
    pub views: usize,
    /// Cells with at least [`MIN_CELL`] errors of their own.
    pub full_cells: usize,
}

/// The band of `engine` fitted on `cycles` (500 Hz, 12 leads): random input sets come from a
/// generator seeded with `seed`, so a fit is repeatable. Each database weighs alike.
/// `progress` hears the number of cycles done.
pub fn fit_band(
    engine: &dyn Engine,
    cycles: &[TrainCycle],
    seed: u64,
    progress: &mut dyn FnMut(usize),
) -> Result<(Band, BandFit)> {
    let mut fit = BandFit::default();
    for c in cycles {
        *fit.cycles.entry(c.database.clone()).or_default() += 1;
    }
    let weight: BTreeMap<&str, f32> = fit
        .cycles
        .iter()
        .map(|(db, &n)| (db.as_str(), 1.0 / n as f32))
        .collect();
    let views: Vec<Viewpoint> = STANDARD_12
        .iter()
        .map(|n| {
            lead_view(&normalise_lead_name(n), false)
                .map(|v| v.viewpoint)
                .ok_or_else(|| Error::Invalid(format!("no viewpoint for {n}")))
        })
        .collect::<Result<_>>()?;
    let mut rng = StdRng::seed_from_u64(seed);
    let mut cells: Vec<Vec<(f32, f32)>> = vec![Vec::new(); CELLS];
    for (done, c) in cycles.iter().enumerate() {
        let w = weight[c.database.as_str()];
        let mut sets: Vec<Vec<usize>> = NAMED_SETS
            .iter()
            .map(|s| {
                s.iter()
                    .filter_map(|n| STANDARD_12.iter().position(|m| m == n))
                    .collect()
            })
            .collect();
        let mut all: Vec<usize> = (0..STANDARD_12.len()).collect();
        for &k in &RANDOM_SIZES {
            all.shuffle(&mut rng);
            sets.push(all.choose_multiple(&mut rng, k).copied().collect());
        }
        let ph = phases(&c.bounds, c.len);
        for set in sets {
            let input = CycleInput {
                fs: 500.0,
                leads: set
                    .iter()
                    .map(|&i| {
                        let x = c.leads[i].iter().map(|&v| f64::from(v)).collect();
                        (STANDARD_12[i].to_string(), x)
                    })
                    .collect(),
                boundaries: c.bounds,
            };
            let field = engine.encode(&input)?;
            let targets: Vec<usize> = (0..STANDARD_12.len())
                .filter(|&k| exact_lead(field.inputs(), &views[k]).is_none())
                .collect();
            let asked: Vec<Viewpoint> = targets.iter().map(|&k| views[k]).collect();
            let rendered = engine.render(&field, &asked)?;
            let scale = band_scale(&field) as f32;
            let slots: Vec<Option<usize>> = set.iter().map(|&i| Some(i)).collect();
            let count = input_group(&slots);
            for (&k, y) in targets.iter().zip(&rendered) {
                let a = nearest_angle(angle_to_inputs(&field, &views[k]));
                for t in (0..c.len).step_by(STRIDE) {
                    let err = (c.leads[k][t] - y[t] as f32).abs() / scale;
                    cells[cell(count, a, ph[t])].push((err, w));
                }
                fit.views += 1;
            }
        }
        progress(done + 1);
    }
    fit.full_cells = cells.iter().filter(|c| c.len() >= MIN_CELL).count();
    let band = Band::fit(cells, MIN_CELL).map_err(Error::Invalid)?;
    Ok((band, fit))
}
