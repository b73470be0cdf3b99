//! Training batches drawn from cycles: a database, a record, a cycle, then random input views
//! and a query, each item prepared as the engine prepares its inputs.

use super::angular::{ANGULAR_FEATURES, JITTER_SD, angular_features};
use super::data::TrainCycle;
use super::nefnet::{T_X, deflection_rois};
use super::prepare::{InputLead, NetInputs};
use super::prior::Prior;
use super::standin::NefBatch;
use crate::error::{Error, Result};
use crate::geometry::{STANDARD_12, Viewpoint, lead_view, normalise_lead_name};
use candle_core::{Device, Tensor};
use rand::Rng;
use rand::rngs::StdRng;
use rand_distr::{Distribution, Normal};
use rayon::prelude::*;
use std::collections::HashMap;

/// Angular Encoding of a standard lead's viewpoint, jittered by `sd` radians when given, and
/// the (jittered) viewpoint itself.
fn lead_angles(
    slot: usize,
    jitter: Option<(&mut StdRng, f64)>,
) -> ([f32; ANGULAR_FEATURES], Viewpoint) {
    let v = lead_view(&normalise_lead_name(STANDARD_12[slot]), false)
        .map(|v| v.viewpoint)
        .unwrap_or(Viewpoint::new(0.0, 0.0));
    let (mut t, mut p) = (v.theta, v.phi);
    if let Some((rng, sd)) = jitter {
        let n = Normal::new(0.0, sd).unwrap_or_else(|_| unreachable!());
        t += n.sample(rng);
        p += n.sample(rng);
    }
    (angular_features(t, p), Viewpoint::new(t, p))
}

/// The random choices of one batch item ([`Batcher::draw_item`]).
struct ItemDraw {
    cycle: usize,
    chosen: Vec<usize>,
    angles: Vec<[f32; ANGULAR_FEATURES]>,
    query: usize,
    query_angles: [f32; ANGULAR_FEATURES],
    standin: u32,
}

/// One batch item made ready for the network ([`Batcher::prepare`]).
struct PreparedItem {
    inputs: NetInputs,
    target: Vec<f32>,
    prior: Vec<f32>,
}

/// Draws training batches from a set of cycles: a database first (by the square root of its
/// record count, so a large database leads without setting every lead relation), then one of
/// its records, then one of the record's cycles, so every patient of a database counts alike
/// however many cycles (and lead files) its record gives.
pub struct Batcher<'a> {
    prior: &'a Prior,
    cycles: &'a [TrainCycle],
    /// Indices into `cycles`, one list per record.
    by_record: Vec<Vec<usize>>,
    /// Indices into `by_record`, one list per database.
    by_database: Vec<Vec<usize>>,
    /// Cumulative draw weights of the databases (the last is the total).
    database_weights: Vec<f64>,
    target_slots: &'a [usize],
    device: &'a Device,
}

impl<'a> Batcher<'a> {
    /// Index `cycles` by database and record; queries come from `target_slots`, and every
    /// batch carries `prior`'s estimate of each query from that item's inputs.
    pub fn new(
        prior: &'a Prior,
        cycles: &'a [TrainCycle],
        target_slots: &'a [usize],
        device: &'a Device,
    ) -> Self {
        let mut by_record: Vec<Vec<usize>> = Vec::new();
        let mut by_database: Vec<Vec<usize>> = Vec::new();
        let (mut records, mut databases) = (HashMap::new(), HashMap::new());
        for (i, c) in cycles.iter().enumerate() {
            let k = *records
                .entry((c.database.as_str(), c.record.as_str()))
                .or_insert_with(|| {
                    by_record.push(Vec::new());
                    let d = *databases.entry(c.database.as_str()).or_insert_with(|| {
                        by_database.push(Vec::new());
                        by_database.len() - 1
                    });
                    by_database[d].push(by_record.len() - 1);
                    by_record.len() - 1
                });
            by_record[k].push(i);
        }
        let database_weights = by_database
            .iter()
            .scan(0.0, |total, d| {
                *total += (d.len() as f64).sqrt();
                Some(*total)
            })
            .collect();
        Self {
            prior,
            cycles,
            by_record,
            by_database,
            database_weights,
            target_slots,
            device,
        }
    }

    /// A database by its weight, then one of its records.
    fn pick_record(&self, rng: &mut StdRng) -> usize {
        let total = self.database_weights.last().copied().unwrap_or(0.0);
        let u = rng.random_range(0.0..total.max(f64::MIN_POSITIVE));
        let d = self
            .database_weights
            .iter()
            .position(|&w| u < w)
            .unwrap_or(self.by_database.len() - 1);
        let records = &self.by_database[d];
        records[rng.random_range(0..records.len())]
    }

    /// One item's random choices: a cycle, its input slots with their jittered angles, the
    /// queried slot with its jittered angles, and the view that stands in for the average.
    fn draw_item(&self, n_views: usize, input_slots: &[usize], rng: &mut StdRng) -> ItemDraw {
        let group = &self.by_record[self.pick_record(rng)];
        let cycle = group[rng.random_range(0..group.len())];
        let mut pool = input_slots.to_vec();
        let mut chosen = Vec::with_capacity(n_views);
        for _ in 0..n_views.min(pool.len()) {
            chosen.push(pool.swap_remove(rng.random_range(0..pool.len())));
        }
        let angles = chosen
            .iter()
            .map(|&s| lead_angles(s, Some((rng, JITTER_SD))).0)
            .collect();
        // The query is a lead that is not an input whenever the target set allows it: an
        // input is returned as recorded, never synthesized.
        let open: Vec<usize> = self
            .target_slots
            .iter()
            .copied()
            .filter(|s| !chosen.contains(s))
            .collect();
        let pool = if open.is_empty() {
            self.target_slots
        } else {
            &open
        };
        let query = pool[rng.random_range(0..pool.len())];
        let query_angles = lead_angles(query, Some((rng, JITTER_SD))).0;
        let standin = rng.random_range(0..chosen.len() as u32);
        ItemDraw {
            cycle,
            chosen,
            angles,
            query,
            query_angles,
            standin,
        }
    }

    /// The inputs, target and prior estimate of one drawn item.
    fn prepare(&self, d: &ItemDraw) -> PreparedItem {
        let c = &self.cycles[d.cycle];
        let leads: Vec<InputLead> = d
            .chosen
            .iter()
            .zip(&d.angles)
            .map(|(&s, &angles)| InputLead {
                slot: Some(s),
                angles,
                samples: &c.leads[s],
            })
            .collect();
        let exclude = self
            .prior
            .local
            .as_ref()
            .and_then(|l| l.index_of(&c.record));
        let inputs = NetInputs::new(self.prior, &leads, c.bounds, exclude);
        // The prior at the lead's own direction, as it is when that lead is queried in use:
        // the jitter teaches the network smooth angles, not a prior blurred between leads.
        let prior = inputs.prior_estimate(lead_angles(d.query, None).1);
        PreparedItem {
            target: inputs.scaled(&c.leads[d.query]),
            prior,
            inputs,
        }
    }

    /// A batch of `b` cycles, each seen from the same number of random input leads (from
    /// `input_slots`), queried at one random target slot; everything scaled by the inputs'
    /// largest absolute value (the honest mode: no target's range is used).
    pub fn draw(
        &self,
        b: usize,
        n_views: usize,
        input_slots: &[usize],
        rng: &mut StdRng,
    ) -> Result<NefBatch> {
        let (cycles, device) = (self.cycles, self.device);
        let mut views: Vec<f32> = Vec::new();
        let mut angles: Vec<f32> = Vec::new();
        let (mut q, mut target, mut mask): (Vec<f32>, Vec<f32>, Vec<f32>) = Default::default();
        let (mut rois, mut standin) = (Vec::new(), Vec::new());
        let mut pairs: Vec<f32> = Vec::new();
        let mut prior_est: Vec<f32> = Vec::new();
        if self.by_record.is_empty() {
            return Err(Error::Invalid("batch: no cycles to draw from".into()));
        }
        // Every random draw first, in one order (a step's batch depends on its seed alone);
        // then the items' preparation, most of a step's time outside the network, in parallel.
        let draws: Vec<ItemDraw> = (0..b)
            .map(|_| self.draw_item(n_views, input_slots, rng))
            .collect();
        let items: Vec<PreparedItem> = draws.par_iter().map(|d| self.prepare(d)).collect();
        for (d, it) in draws.iter().zip(items) {
            views.extend_from_slice(&it.inputs.views);
            target.extend(it.target);
            q.extend(d.query_angles);
            prior_est.extend(it.prior);
            for a in &it.inputs.angles {
                angles.extend(a);
            }
            it.inputs.push_pairs(&d.query_angles, &mut pairs);
            mask.extend((0..T_X).map(|i| if i < cycles[d.cycle].len { 1f32 } else { 0.0 }));
            rois.extend(deflection_rois(&cycles[d.cycle].bounds));
            standin.push(d.standin);
        }
        let n = n_views.min(input_slots.len());
        Ok(NefBatch {
            views: Tensor::from_vec(views, (b * n, T_X), device)?,
            view_angles: Tensor::from_vec(angles, (b * n, ANGULAR_FEATURES), device)?,
            n_views: n,
            rois,
            query_angles: Tensor::from_vec(q, (b, ANGULAR_FEATURES), device)?,
            pairs: Tensor::from_vec(pairs, (b, n, 2 * ANGULAR_FEATURES), device)?,
            target: Tensor::from_vec(target, (b, T_X), device)?,
            mask: Tensor::from_vec(mask, (b, T_X), device)?,
            prior: Tensor::from_vec(prior_est, (b, 1, T_X), device)?,
            standin_view: standin,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::delineate::CycleBounds;
    use crate::geometry::StdLead;
    use crate::model::data::training_cycles;
    use rand::SeedableRng;

    fn ludb() -> std::path::PathBuf {
        crate::test_data_dir().join("ludb/data")
    }

    /// A prior without patients: leads independent of each other.
    fn plain_prior() -> Prior {
        Prior {
            moments: crate::model::prior::LeadMatrix::identity(),
            sets: Vec::new(),
            local: None,
            dynamics: None,
        }
    }

    #[test]
    fn every_record_is_drawn_alike_however_many_cycles_it_has() {
        let mut cycles = training_cycles(&ludb(), &["2".to_string()]).unwrap();
        assert!(cycles.len() > 20);
        // One cycle of a second "record", told apart by its length.
        let mut single = cycles[0].clone();
        single.record = "other".into();
        single.len = 111;
        single.leads.iter_mut().for_each(|l| l.truncate(111));
        single.bounds = CycleBounds::new([0, 10, 20, 40, 60, 90, 110], 111).unwrap();
        cycles.push(single);
        let mut rng = StdRng::seed_from_u64(5);
        let b = Batcher::new(&plain_prior(), &cycles, &[0], &Device::Cpu)
            .draw(400, 1, &[1], &mut rng)
            .unwrap();
        let lens = b.mask.sum(1).unwrap().to_vec1::<f32>().unwrap();
        let share = lens.iter().filter(|&&n| n == 111.0).count() as f64 / 400.0;
        assert!(
            (0.4..0.6).contains(&share),
            "share of the one-cycle record {share}"
        );
    }

    #[test]
    fn databases_are_drawn_by_the_square_root_of_their_records() {
        let one = training_cycles(&ludb(), &["2".to_string()]).unwrap();
        let mut cycles = Vec::new();
        // Database "big" holds four records (one cycle each), "small" one.
        for (database, record) in [("big", "a"), ("big", "b"), ("big", "c"), ("big", "d")]
            .into_iter()
            .chain([("small", "e")])
        {
            let mut c = one[0].clone();
            c.database = database.into();
            c.record = record.into();
            if database == "small" {
                c.len = 111;
                c.leads.iter_mut().for_each(|l| l.truncate(111));
                c.bounds = CycleBounds::new([0, 10, 20, 40, 60, 90, 110], 111).unwrap();
            }
            cycles.push(c);
        }
        let mut rng = StdRng::seed_from_u64(9);
        let b = Batcher::new(&plain_prior(), &cycles, &[0], &Device::Cpu)
            .draw(600, 1, &[1], &mut rng)
            .unwrap();
        let lens = b.mask.sum(1).unwrap().to_vec1::<f32>().unwrap();
        let share = lens.iter().filter(|&&n| n == 111.0).count() as f64 / 600.0;
        // √1 / (√4 + √1) = 1/3, where drawing records alike would give 1/5.
        assert!(
            (0.28..0.39).contains(&share),
            "share of the small database {share}"
        );
    }

    #[test]
    fn batches_scale_by_the_inputs_only() {
        let cycles = training_cycles(&ludb(), &["2".to_string()]).unwrap();
        let mut rng = StdRng::seed_from_u64(3);
        let b = Batcher::new(&plain_prior(), &cycles, &[0], &Device::Cpu)
            .draw(
                4,
                3,
                &StdLead::slots([StdLead::II, StdLead::V2, StdLead::V5]),
                &mut rng,
            )
            .unwrap();
        assert_eq!(b.views.dims(), [12, T_X]);
        let v = b.views.flatten_all().unwrap().to_vec1::<f32>().unwrap();
        let peak = v.iter().fold(0f32, |m, x| m.max(x.abs()));
        assert!(
            (peak - 1.0).abs() < 1e-6,
            "inputs peak at 1 after scaling: {peak}"
        );
        assert_eq!(b.rois.len(), 4 * 6);
    }

    #[test]
    fn a_batch_is_the_same_however_many_threads_prepare_it() {
        let cycles = training_cycles(&ludb(), &["2".to_string(), "3".to_string()]).unwrap();
        let prior = crate::model::train::fit_prior(&cycles);
        let batcher = Batcher::new(&prior, &cycles, &[0, 2, 6, 9], &Device::Cpu);
        let draw = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            pool.install(|| {
                let mut rng = StdRng::seed_from_u64(11);
                batcher
                    .draw(
                        6,
                        2,
                        &StdLead::slots([StdLead::II, StdLead::V2, StdLead::V5]),
                        &mut rng,
                    )
                    .unwrap()
            })
        };
        let flat = |t: &Tensor| t.flatten_all().unwrap().to_vec1::<f32>().unwrap();
        let (one, two) = (draw(1), draw(2));
        for (a, b) in [
            (&one.views, &two.views),
            (&one.pairs, &two.pairs),
            (&one.target, &two.target),
            (&one.prior, &two.prior),
            (&one.query_angles, &two.query_angles),
        ] {
            assert_eq!(flat(a), flat(b));
        }
        assert_eq!(one.standin_view, two.standin_view);
        // The prior's estimate is there: not the zeros of an input set it cannot read.
        assert!(flat(&one.prior).iter().any(|v| v.abs() > 0.05));
    }
}
