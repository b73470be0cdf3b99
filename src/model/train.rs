//! Training Nef-Net on annotated cycles: random input subsets and random query leads, AdamW
//! with warm-up and a cosine schedule, deterministic batches (each step's draws come from the
//! seed and the step number alone, so a resumed run sees the same data as an uninterrupted one).

use super::batch::Batcher;
use super::data::TrainCycle;
use super::local_prior::record_names;
use super::nefnet::{NefNet, RESIDUAL_PREFIX};
use super::prior::Prior;
use super::standin::training_loss;
use crate::error::{Error, Result};
use crate::geometry::LEADS;
use crate::nn::weight_average::WeightAverage;
use candle_core::{DType, Device};
use candle_nn::{AdamW, Optimizer, ParamsAdamW, VarBuilder, VarMap};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};

/// Settings of a training run.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TrainConfig {
    /// Optimiser steps.
    pub steps: usize,
    /// Cycles per step.
    pub batch: usize,
    /// Peak learning rate.
    pub lr: f64,
    /// Seed of every random choice.
    pub seed: u64,
    /// Lead slots (`STANDARD_12` order) inputs are drawn from.
    pub inputs: Vec<usize>,
    /// Lead slots queries are drawn from.
    pub targets: Vec<usize>,
    /// Always feed every allowed input (a fixed-input model) instead of random subsets.
    pub all_inputs: bool,
    /// Share of batches fed one of [`COMMON_INPUTS`] exactly (when its leads are allowed).
    pub common_share: f64,
    /// Warm restarts: steps where a cosine cycle ends before the run's last one. The cycle
    /// after a restart takes the rate the cosine of a run to the next end (or to the averaged
    /// steps) has at that step.
    #[serde(default)]
    pub restarts: Vec<usize>,
    /// The run's last steps (0: none) run at the constant `average_lr`; the network ends as the
    /// mean of its weights every `snapshot_every` steps of their last three quarters.
    #[serde(default)]
    pub average_steps: usize,
    /// Learning rate of the averaged steps.
    #[serde(default)]
    pub average_lr: f64,
    /// Steps between the snapshots the averaging takes.
    #[serde(default = "default_snapshot_every")]
    pub snapshot_every: usize,
    /// Steps up to this one train over the prior without its dynamic correction (0: none):
    /// the network first learns for itself what one lead tells of the others' timing, then
    /// corrects the whole prior.
    #[serde(default)]
    pub without_dynamics_until: usize,
}

fn default_snapshot_every() -> usize {
    100
}

/// The input sets devices and users most often have: lead II or lead I alone (monitors,
/// single-lead recorders), II, V2, V5 (the paper's three-lead set) and the eight independent
/// leads of a 12-lead ECG. The rest of the batches draw random subsets, so any set works.
pub use super::prior::COMMON_INPUTS;

impl Default for TrainConfig {
    fn default() -> Self {
        Self {
            steps: 8000,
            batch: 24,
            lr: 2e-3,
            seed: 20_210_819,
            inputs: (0..LEADS).collect(),
            targets: (0..LEADS).collect(),
            all_inputs: false,
            common_share: 0.4,
            restarts: vec![3200],
            average_steps: 1600,
            average_lr: 6e-4,
            snapshot_every: default_snapshot_every(),
            without_dynamics_until: 3200,
        }
    }
}

impl TrainConfig {
    /// The input slots and view count of one step's batch: a common set with probability
    /// `common_share`, else random subsets of the allowed inputs.
    pub fn inputs_for_step(&self, rng: &mut StdRng) -> (Vec<usize>, usize) {
        let common: Vec<&[usize]> = COMMON_INPUTS
            .iter()
            .copied()
            .filter(|set| set.iter().all(|s| self.inputs.contains(s)))
            .collect();
        if !self.all_inputs && !common.is_empty() && rng.random_bool(self.common_share) {
            let set = common[rng.random_range(0..common.len())];
            return (set.to_vec(), set.len());
        }
        let n = self.views_for_step(rng);
        (self.inputs.clone(), n)
    }

    /// How many input views the batch of one step gets: one lead a third of the time (the
    /// hardest case and the commonest device), two or three another third, then up to all but
    /// one of the allowed leads.
    pub fn views_for_step(&self, rng: &mut StdRng) -> usize {
        let n = self.inputs.len();
        if self.all_inputs || n <= 1 {
            return n.max(1);
        }
        let most = if self.targets.iter().all(|t| self.inputs.contains(t)) {
            n - 1
        } else {
            n
        };
        let u: f64 = rng.random();
        if u < 1.0 / 3.0 {
            1
        } else if u < 2.0 / 3.0 {
            rng.random_range(2..=3.min(most).max(2)).min(most)
        } else {
            rng.random_range(1..=most)
        }
    }

    /// The last step of the cosine cycles (the averaged steps follow it).
    pub fn cosine_end(&self) -> usize {
        self.steps - self.average_steps.min(self.steps)
    }

    /// The step after which averaging snapshots count: the averaged steps' first quarter
    /// lets the weights leave the decayed rate's minimum first.
    pub fn average_from(&self) -> usize {
        self.cosine_end() + self.average_steps.min(self.steps) / 4
    }

    /// Learning rate at `step` (1-based): linear warm-up over 5 % of the first cycle, cosine
    /// decay to 2 % of the peak to each cycle's end, then the averaged steps' constant rate.
    pub fn lr_at(&self, step: usize) -> f64 {
        let cosine_end = self.cosine_end();
        if step > cosine_end {
            // A run that only averages still warms up.
            let warmup = if cosine_end == 0 {
                (self.steps / 20).max(1)
            } else {
                1
            };
            return self.average_lr * (step as f64 / warmup as f64).min(1.0);
        }
        let end = self
            .restarts
            .iter()
            .copied()
            .filter(|&r| r >= step && r < cosine_end)
            .min()
            .unwrap_or(cosine_end);
        let warmup = (end / 20).max(1);
        if step <= warmup {
            self.lr * step as f64 / warmup as f64
        } else {
            let p = (step - warmup) as f64 / (end - warmup).max(1) as f64;
            self.lr * (0.02 + 0.98 * 0.5 * (1.0 + (std::f64::consts::PI * p.min(1.0)).cos()))
        }
    }

    fn check(&self) -> Result<()> {
        if self.inputs.is_empty() || self.targets.is_empty() || self.batch == 0 {
            return Err(Error::Invalid(
                "training needs input leads, target leads and a batch of at least 1".into(),
            ));
        }
        if self.inputs.iter().chain(&self.targets).any(|&s| s >= LEADS) {
            return Err(Error::Invalid("lead slots run from 0 to 11".into()));
        }
        Ok(())
    }
}

/// What the training loop reports after each step.
pub struct StepReport {
    /// Step just finished (1-based).
    pub step: usize,
    /// MAE of the queried views (inputs' scale).
    pub mae: f32,
    /// Standin loss.
    pub standin: f32,
    /// Validation MAE, on the steps where it was measured.
    pub val_mae: Option<f32>,
}

/// The linear prior fitted on `cycles` (every run, resumed or not: the same cycles give the
/// same prior), with the record names that let each training cycle's own record be left out
/// of its patient-similar regression.
pub fn fit_prior(cycles: &[TrainCycle]) -> Prior {
    let mut prior = Prior::from_cycles(cycles);
    if let Some(local) = prior.local.as_mut() {
        local.names = record_names(cycles);
    }
    prior
}

/// The residual network whose variables live in `varmap` (registered there when new).
pub fn net_from_varmap(varmap: &VarMap) -> Result<NefNet> {
    let vb = VarBuilder::from_varmap(varmap, DType::F32, &Device::Cpu);
    Ok(NefNet::new(vb.pp(RESIDUAL_PREFIX))?)
}

/// Register a new residual network's variables in `varmap`, their initial weights drawn from
/// `seed` (candle's own draws take no seed: two runs of a recipe would start apart).
pub fn seed_net(varmap: &VarMap, seed: u64) -> Result<()> {
    let vb = crate::nn::seeded_init::seeded_builder(varmap, seed);
    NefNet::new(vb.pp(RESIDUAL_PREFIX))?;
    Ok(())
}

/// Mean MAE over `batches` fixed validation batches (the same draws at every call).
pub fn validation_mae(
    net: &NefNet,
    prior: &Prior,
    cfg: &TrainConfig,
    cycles: &[TrainCycle],
    batches: usize,
    device: &Device,
) -> Result<f32> {
    let mut rng = StdRng::seed_from_u64(cfg.seed ^ 0x5EED);
    let mut total = 0.0;
    let batcher = Batcher::new(prior, cycles, &cfg.targets, device);
    for _ in 0..batches {
        let (inputs, n) = cfg.inputs_for_step(&mut rng);
        let b = batcher.draw(cfg.batch, n, &inputs, &mut rng)?;
        total += training_loss(net, &b)?.mae;
    }
    Ok(total / batches.max(1) as f32)
}

/// Train from `start_step + 1` to `cfg.steps` on `varmap`'s network (fresh or loaded) over
/// `prior` (fitted on `train_set`, [`fit_prior`]; the optimiser never moves it), calling
/// `on_step` after every step (checkpoints and progress live there). A run with averaged
/// steps (`cfg.average_steps`) leaves the mean of the snapshots it took in `varmap` and returns
/// how many there were (0 without averaging; a run resumed among the averaged steps averages
/// the snapshots after its resumption); the checkpoints `on_step` writes on the way hold the
/// current weights.
pub fn train(
    cfg: &TrainConfig,
    varmap: &VarMap,
    prior: &Prior,
    start_step: usize,
    train_set: &[TrainCycle],
    val_set: &[TrainCycle],
    mut on_step: impl FnMut(&StepReport) -> Result<()>,
) -> Result<usize> {
    cfg.check()?;
    if train_set.is_empty() {
        return Err(Error::Invalid("no training cycles".into()));
    }
    let device = Device::Cpu;
    let net = net_from_varmap(varmap)?;
    let adam = || {
        AdamW::new(
            varmap.all_vars(),
            ParamsAdamW {
                lr: cfg.lr,
                weight_decay: 1e-4,
                ..Default::default()
            },
        )
    };
    let mut opt = adam()?;
    // Each cycle after the first, and the averaged steps, start from fresh moments: a restart
    // leaves the decayed minimum as a new run from those weights would.
    let fresh_at: Vec<usize> = cfg
        .restarts
        .iter()
        .copied()
        .filter(|&r| r < cfg.cosine_end())
        .chain((cfg.average_steps > 0).then(|| cfg.cosine_end()))
        .filter(|&r| r > 0)
        .map(|r| r + 1)
        .collect();
    let batcher = Batcher::new(prior, train_set, &cfg.targets, &device);
    let without_dynamics = Prior {
        dynamics: None,
        ..prior.clone()
    };
    let early_batcher = Batcher::new(&without_dynamics, train_set, &cfg.targets, &device);
    let mut average = WeightAverage::default();
    let average_from = cfg.average_from();
    for step in start_step + 1..=cfg.steps {
        if fresh_at.contains(&step) && step > start_step + 1 {
            opt = adam()?;
        }
        opt.set_learning_rate(cfg.lr_at(step));
        let mut rng = StdRng::seed_from_u64(cfg.seed.wrapping_mul(1_000_003) + step as u64);
        let (inputs, n) = cfg.inputs_for_step(&mut rng);
        let batch = if step <= cfg.without_dynamics_until {
            early_batcher.draw(cfg.batch, n, &inputs, &mut rng)?
        } else {
            batcher.draw(cfg.batch, n, &inputs, &mut rng)?
        };
        let losses = training_loss(&net, &batch)?;
        opt.backward_step(&losses.total)?;
        if cfg.average_steps > 0
            && step > average_from
            && step.is_multiple_of(cfg.snapshot_every.max(1))
        {
            average.add(varmap)?;
        }
        let val_mae = if !val_set.is_empty() && (step % 200 == 0 || step == cfg.steps) {
            Some(validation_mae(&net, prior, cfg, val_set, 8, &device)?)
        } else {
            None
        };
        on_step(&StepReport {
            step,
            mae: losses.mae,
            standin: losses.standin,
            val_mae,
        })?;
    }
    average.apply(varmap)?;
    Ok(average.count())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn view_counts_stay_within_the_allowed_leads() {
        let mut rng = StdRng::seed_from_u64(1);
        let cfg = TrainConfig::default();
        let counts: Vec<usize> = (0..3000).map(|_| cfg.views_for_step(&mut rng)).collect();
        assert!(counts.iter().all(|&n| (1..=11).contains(&n)));
        let ones = counts.iter().filter(|&&n| n == 1).count() as f64 / 3000.0;
        assert!(
            (0.3..0.45).contains(&ones),
            "share of one-lead batches {ones}"
        );
        assert!(counts.contains(&11));
        let fixed = TrainConfig {
            inputs: StdLead::slots([StdLead::II, StdLead::V2, StdLead::V5]).to_vec(),
            targets: vec![2, 3],
            all_inputs: true,
            ..Default::default()
        };
        assert_eq!(fixed.views_for_step(&mut rng), 3);
    }

    use crate::geometry::StdLead;

    #[test]
    fn training_keeps_the_prior_out_of_the_optimiser_and_lowers_the_validation_error() {
        let dir = crate::test_data_dir().join("ludb/data");
        let cycles = super::super::data::training_cycles(&dir, &["2".to_string()]).unwrap();
        let (val, train_set) = cycles.split_at(8);
        let cfg = TrainConfig {
            steps: 25,
            batch: 6,
            ..Default::default()
        };
        let vm = VarMap::new();
        let dev = Device::Cpu;
        let prior = fit_prior(train_set);
        let before = prior.clone();
        net_from_varmap(&vm).unwrap();
        let mut first = None;
        train(&cfg, &vm, &prior, 0, train_set, val, |r| {
            if r.step == 1 {
                let net = net_from_varmap(&vm)?;
                first = Some(validation_mae(&net, &prior, &cfg, val, 4, &dev)?);
            }
            Ok(())
        })
        .unwrap();
        assert_eq!(prior, before);
        // Only the residual network's weights are variables.
        assert!(
            vm.data()
                .lock()
                .unwrap()
                .keys()
                .all(|k| k.starts_with("residual."))
        );
        let net = net_from_varmap(&vm).unwrap();
        let last = validation_mae(&net, &prior, &cfg, val, 4, &dev).unwrap();
        let first = first.unwrap();
        assert!(last < first, "validation MAE {first} → {last}");
    }

    #[test]
    fn an_averaged_run_ends_at_the_mean_of_its_snapshots_after_the_first_quarter() {
        let dir = crate::test_data_dir().join("ludb/data");
        let cycles = super::super::data::training_cycles(&dir, &["2".to_string()]).unwrap();
        let cfg = TrainConfig {
            steps: 10,
            batch: 4,
            restarts: Vec::new(),
            average_steps: 8,
            snapshot_every: 2,
            ..Default::default()
        };
        let vm = VarMap::new();
        let prior = fit_prior(&cycles);
        net_from_varmap(&vm).unwrap();
        let weights = crate::nn::weight_average::flat_weights;
        let mut snapshots = Vec::new();
        let averaged = train(&cfg, &vm, &prior, 0, &cycles, &[], |r| {
            // Steps 3 and 4 are the averaged steps' first quarter; 6, 8 and 10 are averaged.
            if r.step % 2 == 0 && r.step > 4 {
                snapshots.push(weights(&vm));
            }
            Ok(())
        })
        .unwrap();
        assert_eq!((snapshots.len(), averaged), (3, 3));
        let last = snapshots.last().unwrap().clone();
        let averaged = weights(&vm);
        let mut moved = 0;
        for (i, w) in averaged.iter().enumerate() {
            let mean = snapshots.iter().map(|s| s[i]).sum::<f32>() / 3.0;
            assert!((w - mean).abs() <= 1e-5 * (1.0 + mean.abs()), "weight {i}");
            moved += usize::from((w - last[i]).abs() > 1e-7);
        }
        assert!(
            moved > averaged.len() / 2,
            "the mean differs from the last step"
        );
    }

    #[test]
    fn one_call_with_a_restart_trains_as_the_two_runs_it_stands_for() {
        let dir = crate::test_data_dir().join("ludb/data");
        let cycles = super::super::data::training_cycles(&dir, &["2".to_string()]).unwrap();
        let prior = fit_prior(&cycles);
        let cfg = TrainConfig {
            steps: 6,
            batch: 4,
            restarts: vec![3],
            average_steps: 0,
            ..Default::default()
        };
        // The network's initial weights are random: both runs start from the same ones.
        let init = VarMap::new();
        net_from_varmap(&init).unwrap();
        let run = |legs: &[(usize, usize)]| {
            let vm = VarMap::new();
            net_from_varmap(&vm).unwrap();
            let from = init.data().lock().unwrap();
            for (name, var) in vm.data().lock().unwrap().iter() {
                var.set(from[name].as_tensor()).unwrap();
            }
            drop(from);
            for &(start, steps) in legs {
                let leg = TrainConfig {
                    steps,
                    ..cfg.clone()
                };
                train(&leg, &vm, &prior, start, &cycles, &[], |_| Ok(())).unwrap();
            }
            crate::nn::weight_average::flat_weights(&vm)
        };
        // Three steps (a run of its own), then three more resumed from them.
        let (one, two) = (run(&[(0, 6)]), run(&[(0, 3), (3, 6)]));
        assert_eq!(one.len(), two.len());
        for (i, (a, b)) in one.iter().zip(&two).enumerate() {
            assert!(
                (a - b).abs() <= 1e-6 * (1.0 + a.abs()),
                "weight {i}: {a} against {b}"
            );
        }
    }

    #[test]
    fn the_first_steps_train_over_the_prior_without_its_dynamic_correction() {
        let dir = crate::test_data_dir().join("ludb/data");
        let cycles = super::super::data::training_cycles(&dir, &["2".to_string()]).unwrap();
        let prior = fit_prior(&cycles);
        assert!(prior.dynamics.is_some());
        let without = Prior {
            dynamics: None,
            ..prior.clone()
        };
        // Lead II alone: the input count the dynamic correction serves.
        let cfg = TrainConfig {
            steps: 2,
            batch: 4,
            inputs: vec![1],
            all_inputs: true,
            restarts: Vec::new(),
            average_steps: 0,
            ..Default::default()
        };
        let run = |prior: &Prior, until: usize| {
            let vm = VarMap::new();
            seed_net(&vm, 7).unwrap();
            let cfg = TrainConfig {
                without_dynamics_until: until,
                ..cfg.clone()
            };
            train(&cfg, &vm, prior, 0, &cycles, &[], |_| Ok(())).unwrap();
            crate::nn::weight_average::flat_weights(&vm)
        };
        let early = run(&prior, 2);
        assert_eq!(early, run(&without, 0));
        assert_ne!(early, run(&prior, 0));
        // The step after them trains over the whole prior.
        assert_ne!(run(&prior, 1), early);
    }

    #[test]
    fn an_averaging_run_keeps_its_rate_after_the_warm_up() {
        let cfg = TrainConfig {
            steps: 1000,
            restarts: Vec::new(),
            average_steps: 1000,
            ..Default::default()
        };
        assert!(cfg.lr_at(1) < cfg.lr_at(50));
        assert_eq!(cfg.lr_at(51), cfg.average_lr);
        assert_eq!(cfg.lr_at(1000), cfg.average_lr);
    }

    #[test]
    fn learning_rate_warms_up_then_decays() {
        let cfg = TrainConfig {
            steps: 1000,
            restarts: Vec::new(),
            average_steps: 0,
            ..Default::default()
        };
        assert!(cfg.lr_at(1) < cfg.lr_at(50));
        assert!((cfg.lr_at(50) - cfg.lr).abs() < 1e-12);
        assert!(cfg.lr_at(1000) < 0.03 * cfg.lr);
    }

    #[test]
    fn the_default_recipe_restarts_warm_then_averages_at_a_constant_rate() {
        let cfg = TrainConfig::default();
        let one_cycle = |steps| TrainConfig {
            steps,
            restarts: Vec::new(),
            average_steps: 0,
            ..Default::default()
        };
        // The first cycle is a run of 3,200 steps; the second continues a 6,400-step cosine.
        for step in [1, 100, 160, 2000, 3200] {
            assert_eq!(cfg.lr_at(step), one_cycle(3200).lr_at(step), "step {step}");
        }
        for step in [3201, 5000, 6400] {
            assert_eq!(cfg.lr_at(step), one_cycle(6400).lr_at(step), "step {step}");
        }
        assert!(cfg.lr_at(3201) > 20.0 * cfg.lr_at(3200));
        assert!(cfg.lr_at(6400) < 0.03 * cfg.lr);
        assert!([6401, 7000, 8000].iter().all(|&s| cfg.lr_at(s) == 6e-4));
        // Snapshots after step 6,800: 6,900 … 8,000.
        assert_eq!(cfg.average_from(), 6800);
    }
}
