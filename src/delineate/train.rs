//! Training the delineation U-Net on LUDB (and QTDB, see [`super::train_q1c`]): per-sample labels from the cardiologists' wave
//! boundaries, heavy augmentation (tempo, amplitude, noise, wander, hum, missing leads, pure
//! noise and flat lines), masked cross-entropy, AdamW with a cosine schedule (or a constant
//! rate whose weights are averaged).

use super::prep::{NET_FS, Prepared, prepare};
use super::unet::{MULTIPLE, SLOTS, UNet, masked_cross_entropy, record_cross_entropy};
use crate::error::{Error, Result};
use crate::nn::weight_average::WeightAverage;
use crate::record::annotation::read_annotations;
use crate::record::open_record;
use candle_core::{DType, Device, Tensor};
use candle_nn::{AdamW, Optimizer, ParamsAdamW, VarBuilder, VarMap};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rand_distr::{Distribution, Normal};
use std::path::Path;

/// Class index of each wave kind in the network's output.
pub const NONE: u8 = 0;
/// Class of P-wave samples.
pub const P: u8 = 1;
/// Class of QRS samples.
pub const QRS: u8 = 2;
/// Class of T-wave samples.
pub const T: u8 = 3;
/// A record-level sample that is "none" or T, the reference does not say which: between a
/// QRS offset and the T peak, where QTDB never marks the T onset. It is not a QRS or a P wave,
/// and the loss says so: its probability is that of "none" and T together.
pub const NONE_OR_T: u8 = 4;

/// One annotated record, ready to crop: inputs, labels and the mask of annotated samples.
pub struct Example {
    /// Record name.
    pub name: String,
    /// How often it is drawn, relative to the other examples (before the no-P weight).
    pub weight: f64,
    /// The labels are the record's (QTDB), not each lead's: the loss then scores the
    /// probabilities averaged over the live leads, as the engine finds the record's beats.
    pub record_level: bool,
    /// Network input.
    pub input: Prepared,
    /// `[SLOTS][len]` class per sample.
    pub labels: Vec<Vec<u8>>,
    /// `[SLOTS][len]` 1 where the reference annotates (between its first and last complete wave).
    pub mask: Vec<Vec<u8>>,
}

impl Example {
    /// True when the reference marks a P wave in any lead.
    pub fn has_p(&self) -> bool {
        self.labels.iter().any(|l| l.contains(&P))
    }
}

/// Per-sample classes and annotated span of one LUDB-style annotation file.
fn label_lead(path: &Path, len: usize) -> Result<(Vec<u8>, Vec<u8>)> {
    let anns = read_annotations(path)?;
    let mut labels = vec![NONE; len];
    let mut mask = vec![0u8; len];
    let (mut on, mut kind): (Option<usize>, Option<u8>) = (None, None);
    let (mut first, mut last) = (usize::MAX, 0usize);
    for a in &anns {
        let s = usize::try_from(a.sample)
            .unwrap_or(0)
            .min(len.saturating_sub(1));
        match a.symbol.as_str() {
            "(" => (on, kind) = (Some(s), None),
            "p" => kind = Some(P),
            "N" => kind = Some(QRS),
            "t" => kind = Some(T),
            ")" => {
                if let (Some(o), Some(k)) = (on, kind) {
                    labels[o..=s].fill(k);
                    first = first.min(o);
                    last = last.max(s);
                }
                (on, kind) = (None, None);
            }
            _ => {}
        }
    }
    if first <= last {
        mask[first..=last].fill(1);
    }
    Ok((labels, mask))
}

/// Load the named LUDB records of `dir` with their per-lead reference files.
pub fn load_examples(dir: &Path, names: &[String]) -> Result<Vec<Example>> {
    names
        .iter()
        .map(|name| {
            let record = open_record(&dir.join(name))?;
            if record.fs != NET_FS {
                return Err(Error::Invalid(format!(
                    "{name}: training expects 500 Hz records"
                )));
            }
            let input = prepare(&record)?;
            let mut labels = vec![vec![NONE; input.len]; SLOTS];
            let mut mask = vec![vec![0u8; input.len]; SLOTS];
            for (slot, src) in input.source.iter().enumerate() {
                let Some(i) = src else { continue };
                let ext = record.leads[*i].raw_name.to_lowercase();
                let path = dir.join(format!("{name}.{ext}"));
                if path.is_file() {
                    (labels[slot], mask[slot]) = label_lead(&path, input.len)?;
                }
            }
            Ok(Example {
                name: name.clone(),
                weight: 1.0,
                record_level: false,
                input,
                labels,
                mask,
            })
        })
        .collect()
}

/// Settings of a training run.
#[derive(Debug, Clone)]
pub struct TrainConfig {
    /// Optimiser steps.
    pub steps: usize,
    /// Crops per step.
    pub batch: usize,
    /// Crop length in samples at 500 Hz (a multiple of the network's).
    pub crop: usize,
    /// Peak learning rate.
    pub lr: f64,
    /// Seed of every random choice.
    pub seed: u64,
    /// How much more often records without P waves are drawn.
    pub no_p_weight: f64,
    /// Weight averaging: `Some(every)` holds the learning rate constant after the warm-up and
    /// returns the mean of the weights at every `every`-th step after the run's first fifth
    /// (and at its last step); `None` decays the rate along a cosine and returns the last weights.
    pub average_every: Option<usize>,
}

impl Default for TrainConfig {
    fn default() -> Self {
        Self {
            steps: 2500,
            batch: 16,
            crop: 2048,
            lr: 3e-3,
            seed: 20_201_120,
            no_p_weight: 1.0,
            average_every: None,
        }
    }
}

/// One augmented batch: inputs `[B, SLOTS, crop]`, per-lead labels and mask `[B, SLOTS, crop]`,
/// and for record-level examples the slot weights `[B, SLOTS]`, labels and mask `[B, crop]`.
pub struct Batch {
    /// Network inputs.
    pub x: Tensor,
    /// Per-lead target classes.
    pub y: Tensor,
    /// Per-lead loss weights (0 or 1).
    pub m: Tensor,
    /// Weight of each slot in the record-level average (1/n on the n live slots).
    pub rw: Tensor,
    /// Record-level target classes.
    pub ry: Tensor,
    /// Record-level loss weights (0 or 1; 0 for per-lead examples).
    pub rm: Tensor,
}

impl Batch {
    /// The training loss: per-lead cross-entropy plus record-level cross-entropy, each a mean
    /// over its own annotated samples.
    pub fn loss(&self, logits: &Tensor) -> Result<Tensor> {
        let lead = masked_cross_entropy(logits, &self.y, &self.m)?;
        let record = record_cross_entropy(logits, &self.rw, &self.ry, &self.rm)?;
        Ok((lead + record)?)
    }
}

/// Draw one augmented crop of `ex` into the output slices.
fn augment(
    ex: &Example,
    crop: usize,
    rng: &mut StdRng,
    x: &mut [f32],
    y: &mut [u32],
    m: &mut [f32],
) {
    let normal = Normal::new(0.0f32, 1.0).unwrap_or_else(|_| unreachable!());
    // Counter-examples: no waves in noise or a flat line.
    if rng.random_bool(0.04) {
        let sigma = if rng.random_bool(0.5) {
            0.0
        } else {
            rng.random_range(0.01f32..0.4)
        };
        let level = rng.random_range(-1.0f32..1.0) * 0.5;
        for v in x.iter_mut() {
            *v = level * f32::from(sigma == 0.0) + sigma * normal.sample(rng);
        }
        y.fill(u32::from(NONE));
        m.fill(1.0);
        return;
    }
    let len = ex.input.len;
    // Tempo: log-uniform stretch, slower and faster rhythms than the data holds.
    let stretch = (rng.random_range(-0.45f64..0.45)).exp();
    let src_len = crop as f64 * stretch;
    let start = rng.random_range(-(src_len * 0.2)..(len as f64 - src_len * 0.8).max(1.0));
    let gain = (rng.random_range(-0.7f32..0.7)).exp();
    let keep_all = rng.random_bool(0.5);
    let n_keep = rng.random_range(1..=SLOTS);
    let mut order: Vec<usize> = (0..SLOTS).collect();
    for i in (1..SLOTS).rev() {
        order.swap(i, rng.random_range(0..=i));
    }
    let noise = if rng.random_bool(0.7) {
        rng.random_range(0.0f32..0.06)
    } else {
        0.0
    };
    let wander_amp = rng.random_range(0.0f32..0.2);
    let wander_f = rng.random_range(0.05f32..0.5);
    let hum_amp = if rng.random_bool(0.3) {
        rng.random_range(0.0f32..0.08)
    } else {
        0.0
    };
    let hum_f = if rng.random_bool(0.5) { 50.0f32 } else { 60.0 };
    for slot in 0..SLOTS {
        let present =
            ex.input.source[slot].is_some() && (keep_all || order[..n_keep].contains(&slot));
        let (xs, ys, ms) = (
            &mut x[slot * crop..(slot + 1) * crop],
            &mut y[slot * crop..(slot + 1) * crop],
            &mut m[slot * crop..(slot + 1) * crop],
        );
        if !present {
            xs.fill(0.0);
            ys.fill(u32::from(NONE));
            ms.fill(0.0);
            continue;
        }
        let lead_gain = gain * rng.random_range(0.8f32..1.25);
        let phase = rng.random_range(0.0f32..6.3);
        let (src, lab, msk) = (&ex.input.slots[slot], &ex.labels[slot], &ex.mask[slot]);
        for i in 0..crop {
            let pos = start + i as f64 * stretch;
            let t = i as f32 / NET_FS as f32;
            let extra = noise * normal.sample(rng)
                + wander_amp * (std::f32::consts::TAU * wander_f * t + phase).sin()
                + hum_amp * (std::f32::consts::TAU * hum_f * t * stretch as f32).sin();
            if pos < 0.0 || pos >= (len - 1) as f64 {
                xs[i] = extra;
                ys[i] = u32::from(NONE);
                ms[i] = 0.0;
                continue;
            }
            let k = pos as usize;
            let frac = (pos - k as f64) as f32;
            xs[i] = (src[k] * (1.0 - frac) + src[k + 1] * frac) * lead_gain + extra;
            let nearest = if frac < 0.5 { k } else { k + 1 };
            ys[i] = u32::from(lab[nearest]);
            ms[i] = f32::from(msk[nearest]);
        }
    }
}

/// Set the draw weights so that `share` of the crops come from `extra` and the rest from
/// `base`, each example of a set as likely as the others of its set.
pub fn balance(base: &mut [Example], extra: &mut [Example], share: f64) {
    let share = share.clamp(0.0, 1.0);
    let (nb, ne) = (base.len() as f64, extra.len() as f64);
    base.iter_mut().for_each(|e| e.weight = (1.0 - share) / nb);
    extra.iter_mut().for_each(|e| e.weight = share / ne);
}

/// Draw a batch of augmented crops.
pub fn draw_batch(
    examples: &[Example],
    cfg: &TrainConfig,
    rng: &mut StdRng,
    device: &Device,
) -> Result<Batch> {
    let n = cfg.batch * SLOTS * cfg.crop;
    let (mut x, mut y, mut m) = (vec![0f32; n], vec![0u32; n], vec![0f32; n]);
    let mut rw = vec![0f32; cfg.batch * SLOTS];
    let (mut ry, mut rm) = (
        vec![0u32; cfg.batch * cfg.crop],
        vec![0f32; cfg.batch * cfg.crop],
    );
    let per = SLOTS * cfg.crop;
    // Records without any P wave (atrial fibrillation, flutter) are few; drawing them more
    // often teaches the network that fibrillatory waves are not P waves.
    let weight = |e: &Example| e.weight * if e.has_p() { 1.0 } else { cfg.no_p_weight };
    let total: f64 = examples.iter().map(weight).sum();
    for b in 0..cfg.batch {
        let mut pick = rng.random_range(0.0..total);
        let ex = examples
            .iter()
            .find(|e| {
                pick -= weight(e);
                pick < 0.0
            })
            .unwrap_or(&examples[examples.len() - 1]);
        let (xs, ys, ms) = (
            &mut x[b * per..(b + 1) * per],
            &mut y[b * per..(b + 1) * per],
            &mut m[b * per..(b + 1) * per],
        );
        augment(ex, cfg.crop, rng, xs, ys, ms);
        if ex.record_level {
            to_record_level(
                ys,
                ms,
                cfg.crop,
                &mut rw[b * SLOTS..(b + 1) * SLOTS],
                &mut ry[b * cfg.crop..(b + 1) * cfg.crop],
                &mut rm[b * cfg.crop..(b + 1) * cfg.crop],
            );
        }
    }
    let shape = (cfg.batch, SLOTS, cfg.crop);
    Ok(Batch {
        x: Tensor::from_vec(x, shape, device)?,
        y: Tensor::from_vec(y, shape, device)?,
        m: Tensor::from_vec(m, shape, device)?,
        rw: Tensor::from_vec(rw, (cfg.batch, SLOTS), device)?,
        ry: Tensor::from_vec(ry, (cfg.batch, cfg.crop), device)?,
        rm: Tensor::from_vec(rm, (cfg.batch, cfg.crop), device)?,
    })
}

/// Move a record-level crop's labels from the per-lead rows (identical on every live slot)
/// to the record-level ones, weighting the slots that carry labels equally. Pure-noise and
/// flat crops stay per-lead: "none" holds in every lead.
fn to_record_level(
    y: &mut [u32],
    m: &mut [f32],
    crop: usize,
    rw: &mut [f32],
    ry: &mut [u32],
    rm: &mut [f32],
) {
    let labelled: Vec<usize> = (0..SLOTS)
        .filter(|&s| m[s * crop..(s + 1) * crop].iter().any(|&v| v > 0.0))
        .collect();
    if !labelled.is_empty()
        && !(0..SLOTS).all(|s| m[s * crop..(s + 1) * crop].iter().all(|&v| v > 0.0))
    {
        let first = labelled[0];
        ry.copy_from_slice(&y[first * crop..(first + 1) * crop]);
        rm.copy_from_slice(&m[first * crop..(first + 1) * crop]);
        for &s in &labelled {
            rw[s] = 1.0 / labelled.len() as f32;
        }
        m.fill(0.0);
    }
    // "None or T" is a record-level target only; the per-lead loss reads every row's class,
    // masked or not.
    for c in y.iter_mut().filter(|c| **c == u32::from(NONE_OR_T)) {
        *c = u32::from(NONE);
    }
}

/// Mean masked loss of the network on whole records (no augmentation), for validation.
pub fn evaluate_loss(net: &UNet, examples: &[Example], device: &Device) -> Result<f32> {
    let mut total = 0.0;
    for ex in examples {
        let len = ex.input.len / MULTIPLE * MULTIPLE;
        // An empty slot (no lead fills it) reads as zeros.
        let flat = |v: &Vec<Vec<f32>>| {
            v.iter()
                .flat_map(|r| match r.is_empty() {
                    true => vec![0.0; len],
                    false => r[..len].to_vec(),
                })
                .collect::<Vec<f32>>()
        };
        let x = Tensor::from_vec(flat(&ex.input.slots), (1, SLOTS, len), device)?;
        let y: Vec<u32> = ex
            .labels
            .iter()
            .flat_map(|r| r[..len].iter().map(|&c| u32::from(c)))
            .collect();
        let m: Vec<f32> = ex
            .mask
            .iter()
            .flat_map(|r| r[..len].iter().map(|&c| f32::from(c)))
            .collect();
        let y = Tensor::from_vec(y, (1, SLOTS, len), device)?;
        let m = Tensor::from_vec(m, (1, SLOTS, len), device)?;
        let logits = net.forward(&x)?;
        let loss = if ex.record_level {
            let live: Vec<usize> = (0..SLOTS)
                .filter(|&s| ex.input.source[s].is_some())
                .collect();
            let share = 1.0 / live.len().max(1) as f32;
            let w: Vec<f32> = (0..SLOTS)
                .map(|s| if live.contains(&s) { share } else { 0.0 })
                .collect();
            let first = live.first().copied().unwrap_or(0);
            record_cross_entropy(
                &logits,
                &Tensor::from_vec(w, (1, SLOTS), device)?,
                &y.get(0)?.get(first)?.unsqueeze(0)?,
                &m.get(0)?.get(first)?.unsqueeze(0)?,
            )?
        } else {
            masked_cross_entropy(&logits, &y, &m)?
        };
        total += loss.to_scalar::<f32>()?;
    }
    Ok(total / examples.len().max(1) as f32)
}

/// What the training loop reports after each step.
pub struct StepReport {
    /// Step just finished (1-based).
    pub step: usize,
    /// Its training loss.
    pub loss: f32,
    /// Validation loss, on the steps where it was measured.
    pub val_loss: Option<f32>,
}

/// Train a fresh network (or continue `resume`'s weights) and return its variables.
pub fn train(
    cfg: &TrainConfig,
    train_set: &[Example],
    val_set: &[Example],
    resume: Option<&Path>,
    mut on_step: impl FnMut(&StepReport, &VarMap) -> Result<()>,
) -> Result<VarMap> {
    if train_set.is_empty() {
        return Err(Error::Invalid("no training records".into()));
    }
    if !cfg.crop.is_multiple_of(MULTIPLE) {
        return Err(Error::Invalid(format!(
            "crop must be a multiple of {MULTIPLE}"
        )));
    }
    let device = Device::Cpu;
    let mut vm = VarMap::new();
    let net = UNet::new(VarBuilder::from_varmap(&vm, DType::F32, &device))?;
    if let Some(path) = resume {
        vm.load(path).map_err(|cause| Error::NotWeights {
            path: path.to_path_buf(),
            network: "delineation",
            cause: Box::new(cause),
        })?;
    }
    let mut opt = AdamW::new(
        vm.all_vars(),
        ParamsAdamW {
            lr: cfg.lr,
            weight_decay: 1e-4,
            ..Default::default()
        },
    )?;
    let mut rng = StdRng::seed_from_u64(cfg.seed);
    let warmup = (cfg.steps / 20).max(1);
    let mut average = WeightAverage::default();
    for step in 1..=cfg.steps {
        let lr = if step <= warmup {
            cfg.lr * step as f64 / warmup as f64
        } else if cfg.average_every.is_some() {
            cfg.lr
        } else {
            let p = (step - warmup) as f64 / (cfg.steps - warmup).max(1) as f64;
            cfg.lr * (0.02 + 0.98 * 0.5 * (1.0 + (std::f64::consts::PI * p).cos()))
        };
        opt.set_learning_rate(lr);
        let batch = draw_batch(train_set, cfg, &mut rng, &device)?;
        let loss = batch.loss(&net.forward(&batch.x)?)?;
        opt.backward_step(&loss)?;
        if let Some(every) = cfg.average_every
            && step > cfg.steps / 5
            && (step.is_multiple_of(every.max(1)) || step == cfg.steps)
        {
            average.add(&vm)?;
        }
        let val_loss = if !val_set.is_empty() && (step % 100 == 0 || step == cfg.steps) {
            Some(evaluate_loss(&net, val_set, &device)?)
        } else {
            None
        };
        on_step(
            &StepReport {
                step,
                loss: loss.to_scalar::<f32>()?,
                val_loss,
            },
            &vm,
        )?;
    }
    average.apply(&vm)?;
    Ok(vm)
}

#[cfg(test)]
mod tests;
