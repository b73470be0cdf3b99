//! The automatic delineator: the U-Net labels every sample of every standard lead, then runs
//! of labels become waves, and the leads' averaged probabilities become the record's beats.

use super::decode::{DecodeParams, beats_from_waves, join_split_t, waves_from_probabilities};
use super::ectopic::ventricular_ectopic;
use super::gaps::{Gaps, missing_in_any_lead};
use super::prep::{NET_FS, Prepared, prepare, slot_of};
use super::rhythm::{RhythmParams, fibrillation_beats};
use super::unet::{CLASSES, MULTIPLE, SLOTS, UNet, probabilities};
use super::{BeatRhythm, Delineation, LeadWaves, Wave, WaveKind};
use crate::error::{Error, Result};
use crate::record::Record;
use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use std::path::Path;

/// The shipped weights (trained on the LUDB training records; see `models/delineator.md`).
static DEFAULT_WEIGHTS: &[u8] = include_bytes!("../../models/delineator.safetensors");

/// Window length (samples at 500 Hz) for long records: windows overlap by [`MARGIN`] on each
/// side, and only their centres are kept, so every sample sees context on both sides.
const WINDOW: usize = 8192;
/// Context kept on each side of a window's centre.
const MARGIN: usize = 512;
/// How much shorter than the record's median QT a beat's QT must be before the T runs that
/// follow its T wave are joined to it ([`join_split_t`]); 40, 60 and 100 ms did alike on the
/// QTDB validation records.
const T_JOIN_SLACK_MS: f64 = 60.0;
/// Longest gap between the T runs [`join_split_t`] joins: a split T's parts lie close (20 ms
/// was too short for the QTDB validation records, 30–100 ms did alike).
const T_JOIN_GAP_MS: f64 = 40.0;
/// A wave this close to a stretch without samples is cut by it, or made of its edge, and is
/// dropped.
const GAP_MARGIN_MS: f64 = 20.0;
/// The class "no wave" of the network's output.
const NONE: usize = 0;
/// A lead whose peak-to-peak amplitude is below this (mV) carries no waves.
const FLAT_MV: f32 = 0.02;

/// The automatic delineator.
pub struct Delineator {
    net: UNet,
    device: Device,
    params: DecodeParams,
    /// One worker: the network is small, and splitting its matrix products over threads costs
    /// more than it saves (12 leads × 10 s: 13 ms on one thread, 21 ms on two, here).
    pool: rayon::ThreadPool,
    /// Weight of the all-lead average in each lead's probabilities (the rest is the lead's own).
    blend: f32,
    rhythm: RhythmParams,
}

impl std::fmt::Debug for Delineator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Delineator")
    }
}

impl Delineator {
    /// The delineator with the shipped weights.
    pub fn load_default() -> Result<Self> {
        Self::from_bytes(DEFAULT_WEIGHTS, Path::new("models/delineator.safetensors"))
    }

    /// A delineator with weights from a safetensors file.
    pub fn load(path: &Path) -> Result<Self> {
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        Self::from_bytes(&bytes, path)
    }

    fn from_bytes(bytes: &[u8], path: &Path) -> Result<Self> {
        let device = Device::Cpu;
        let vb = VarBuilder::from_buffered_safetensors(bytes.to_vec(), DType::F32, &device)
            .map_err(|cause| Error::NotWeights {
                path: path.to_path_buf(),
                network: "delineation",
                cause: Box::new(cause),
            })?;
        let net = UNet::new(vb).map_err(|cause| Error::ModelMismatch {
            path: path.to_path_buf(),
            network: "delineation",
            cause: Box::new(cause),
        })?;
        let (params, blend, rhythm) = tuning();
        let pool = crate::nn::one_worker()
            .map_err(|e| Error::Invalid(format!("cannot start the delineator's worker: {e}")))?;
        Ok(Self {
            net,
            device,
            params,
            pool,
            blend,
            rhythm,
        })
    }

    /// Class probabilities `[slot][class][sample]` at 500 Hz for a prepared record; empty for
    /// slots no lead fills (a 24-hour two-lead Holter record would otherwise hold ten slots of
    /// probabilities nobody reads, gigabytes of them).
    fn slot_probabilities(&self, input: &Prepared) -> Result<Vec<[Vec<f32>; CLASSES]>> {
        let len = input.len;
        let mut out: Vec<[Vec<f32>; CLASSES]> = (0..SLOTS)
            .map(|s| {
                let n = if input.source[s].is_some() { len } else { 0 };
                std::array::from_fn(|_| vec![0f32; n])
            })
            .collect();
        let single = len.div_ceil(MULTIPLE) * MULTIPLE;
        let (win, step) = if single <= WINDOW {
            (single, single)
        } else {
            (WINDOW, WINDOW - 2 * MARGIN)
        };
        let mut start = 0usize;
        loop {
            // Window [start - margin, start - margin + win) keeps [start, start + step).
            let from = if win == single {
                0
            } else {
                start as isize - MARGIN as isize
            };
            let mut x = vec![0f32; SLOTS * win];
            for (s, slot) in input
                .slots
                .iter()
                .enumerate()
                .filter(|(_, x)| !x.is_empty())
            {
                for i in 0..win {
                    let j = from + i as isize;
                    if j >= 0 && (j as usize) < len {
                        x[s * win + i] = slot[j as usize];
                    }
                }
            }
            let xt = Tensor::from_vec(x, (1, SLOTS, win), &self.device)?;
            let p = probabilities(&self.net, &xt)?;
            for (s, probs) in out.iter_mut().enumerate() {
                if input.source[s].is_none() {
                    continue;
                }
                for (c, pc) in probs.iter_mut().enumerate() {
                    let row = &p[(s * CLASSES + c) * win..(s * CLASSES + c + 1) * win];
                    for i in start..(start + step).min(len) {
                        pc[i] = row[(i as isize - from) as usize];
                    }
                }
            }
            start += step;
            if start >= len {
                break;
            }
        }
        Ok(out)
    }

    /// Delineate every lead of `record` (any sampling rate).
    pub fn delineate(&self, record: &Record) -> Result<Delineation> {
        let input = prepare(record)?;
        let probs = self.pool.install(|| self.slot_probabilities(&input))?;
        let active: Vec<usize> = (0..SLOTS)
            .filter(|&s| input.source[s].is_some() && !is_flat(&input.slots[s]))
            .collect();
        let scale = record.fs / NET_FS;
        let to_record = |w: Wave| Wave {
            kind: w.kind,
            on: to_index(w.on, scale, record.len()),
            peak: to_index(w.peak, scale, record.len()),
            off: to_index(w.off, scale, record.len()),
        };
        // The record's own view: probabilities averaged over its live leads (those with a
        // sample there), peaks where the leads together deflect most.
        let present = |s: usize, i: usize| !input.missing[s].contains(i);
        let mut mean: [Vec<f32>; CLASSES] = std::array::from_fn(|_| vec![0.0; input.len]);
        let mut count = vec![0u16; input.len];
        for &s in &active {
            let whole = input.missing[s].is_empty();
            for i in (0..input.len).filter(|&i| whole || present(s, i)) {
                count[i] += 1;
                for c in 0..CLASSES {
                    mean[c][i] += probs[s][c][i];
                }
            }
        }
        for (i, &n) in count.iter().enumerate() {
            for (c, m) in mean.iter_mut().enumerate() {
                m[i] = match n {
                    0 => f32::from(c == NONE),
                    n => m[i] / f32::from(n),
                };
            }
        }
        let gaps = Gaps::common(
            &active
                .iter()
                .map(|&s| &input.missing[s])
                .collect::<Vec<_>>(),
        );
        let margin = (GAP_MARGIN_MS * NET_FS / 1000.0) as usize;
        let (global_waves, beats, (qrs_on, no_p)) = if active.is_empty() {
            (Vec::new(), Vec::new(), (Vec::new(), Vec::new()))
        } else {
            let energy: Vec<f32> = (0..input.len)
                .map(|i| active.iter().map(|&s| input.slots[s][i].powi(2)).sum())
                .collect();
            let mut waves = waves_from_probabilities(&mean, &energy, NET_FS, &self.params);
            waves.retain(|w| !gaps.touches(w.on, w.off, margin));
            let mut beats = beats_from_waves(&waves, NET_FS);
            join_split_t(
                &mut beats,
                &waves,
                &energy,
                (T_JOIN_SLACK_MS * NET_FS / 1000.0) as usize,
                (T_JOIN_GAP_MS * NET_FS / 1000.0) as usize,
            );
            // In atrial fibrillation what the network takes for P waves are fibrillatory ones;
            // a premature ventricular beat is not conducted by the P wave before it.
            // An RR interval is not measured across a gap, nor from a QRS the record's start
            // cuts (where it began is unknown, and a fragment there may be a T wave's tail).
            let after_gap: Vec<bool> = (0..beats.len())
                .map(|k| {
                    k > 0
                        && (beats[k - 1].qrs.on == 0
                            || gaps.between(beats[k - 1].qrs.on, beats[k].qrs.on))
                })
                .collect();
            let live: Vec<&[f32]> = active.iter().map(|&s| input.slots[s].as_slice()).collect();
            let ectopic = ventricular_ectopic(&beats, &after_gap, &live, NET_FS);
            let af = fibrillation_beats(&beats, &after_gap, &ectopic, NET_FS, &self.rhythm);
            // A ventricular beat in fibrillation is named for its own origin, the more specific.
            let rhythm: Vec<Option<BeatRhythm>> = af
                .iter()
                .zip(&ectopic)
                .map(|(&a, &e)| match (a, e) {
                    (_, true) => Some(BeatRhythm::VentricularEctopic),
                    (true, false) => Some(BeatRhythm::AtrialFibrillation),
                    _ => None,
                })
                .collect();
            let mut no_p: Vec<bool> = rhythm.iter().map(Option::is_some).collect();
            // Waves after the last QRS belong to a beat the record cut off: in fibrillation
            // when the record ends in it, never ectopic.
            no_p.push(af.last().copied().unwrap_or(false));
            let qrs_on: Vec<usize> = beats.iter().map(|b| b.qrs.on).collect();
            waves
                .retain(|w| w.kind != WaveKind::P || !before_beat_without_p(&qrs_on, &no_p, w.off));
            for (b, &f) in beats.iter_mut().zip(&no_p) {
                if f {
                    b.p = None;
                }
            }
            let beats = beats
                .into_iter()
                .zip(&rhythm)
                .map(|(b, &rhythm)| super::Beat {
                    p: b.p.map(to_record),
                    qrs: to_record(b.qrs),
                    t: b.t.map(to_record),
                    rhythm,
                })
                .collect();
            (waves, beats, (qrs_on, no_p))
        };
        let leads = record
            .leads
            .iter()
            .enumerate()
            .map(|(i, lead)| {
                let slot = input
                    .slot_for(i)
                    .or_else(|| slot_of(&lead.name).filter(|s| input.source[*s].is_some()));
                let waves = match slot {
                    Some(s) if active.contains(&s) => {
                        let energy: Vec<f32> = input.slots[s].iter().map(|v| v.abs()).collect();
                        let own: [Vec<f32>; CLASSES] = std::array::from_fn(|c| {
                            probs[s][c]
                                .iter()
                                .zip(&mean[c])
                                .enumerate()
                                .map(|(i, (&a, &m))| match present(s, i) {
                                    true => (1.0 - self.blend) * a + self.blend * m,
                                    false => f32::from(c == NONE),
                                })
                                .collect()
                        });
                        let mut waves =
                            waves_from_probabilities(&own, &energy, NET_FS, &self.params);
                        let lead_gaps = &input.missing[s];
                        waves.retain(|w| {
                            !lead_gaps.touches(w.on, w.off, margin)
                                && (w.kind != WaveKind::P
                                    || !before_beat_without_p(&qrs_on, &no_p, w.off))
                        });
                        waves
                    }
                    Some(_) => Vec::new(),
                    // Leads the network does not take (Frank, unknown) get the record's waves.
                    None => global_waves.clone(),
                };
                LeadWaves {
                    lead: lead.name.clone(),
                    waves: waves.into_iter().map(to_record).collect(),
                }
            })
            .collect();
        Ok(Delineation {
            fs: record.fs,
            len: record.len(),
            leads,
            beats,
            missing: missing_in_any_lead(record),
        })
    }
}

/// How the delineator uses one lead of a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeadUse {
    /// The network reads it.
    Read,
    /// A standard lead too flat to carry waves (below 0.02 mV peak to peak).
    Flat,
    /// A lead without a single sample (every value missing).
    Empty,
    /// No input slot was left for it (a second lead of the same name, or more leads than the
    /// network's twelve inputs).
    NotRead,
}

/// How each lead of `record` is used, in the record's lead order: what a user is told when a
/// record gives no beats.
pub fn lead_use(record: &Record) -> Result<Vec<(String, LeadUse)>> {
    let input = prepare(record)?;
    Ok(record
        .leads
        .iter()
        .enumerate()
        .map(|(i, lead)| {
            let used = match input.slot_for(i) {
                _ if lead.samples.iter().all(|v| !v.is_finite()) => LeadUse::Empty,
                Some(s) if !is_flat(&input.slots[s]) => LeadUse::Read,
                Some(_) => LeadUse::Flat,
                None => LeadUse::NotRead,
            };
            (lead.name.clone(), used)
        })
        .collect())
}

/// Whether a wave ending at `sample` belongs to a beat without a P wave (in fibrillation, or
/// ventricular ectopic): the beat whose QRS follows it. `no_p` has one entry per beat and one
/// more for the beat after the last QRS.
fn before_beat_without_p(qrs_on: &[usize], no_p: &[bool], sample: usize) -> bool {
    let next = qrs_on.partition_point(|&on| on < sample);
    no_p.get(next).copied().unwrap_or(false)
}

fn is_flat(x: &[f32]) -> bool {
    let (lo, hi) = x
        .iter()
        .fold((f32::MAX, f32::MIN), |(l, h), &v| (l.min(v), h.max(v)));
    hi - lo < FLAT_MV
}

fn to_index(i: usize, scale: f64, len: usize) -> usize {
    ((i as f64 * scale).round() as usize).min(len.saturating_sub(1))
}

/// Decoding settings; `ECG_DECODE=minP,minQRS,minT,mergeP,mergeQRS,mergeT,blend` and
/// `ECG_RHYTHM=chaotic,irregular,steadyP` override them for tuning on training records.
fn tuning() -> (DecodeParams, f32, RhythmParams) {
    let mut p = DecodeParams::default();
    let mut blend = 0.0;
    let numbers = |var: &str| -> Vec<f64> {
        std::env::var(var)
            .map(|v| v.split(',').filter_map(|t| t.parse().ok()).collect())
            .unwrap_or_default()
    };
    let x = numbers("ECG_DECODE");
    if x.len() >= 7 {
        p.min_ms = [x[0], x[1], x[2]];
        p.merge_ms = [x[3], x[4], x[5]];
        blend = x[6] as f32;
    }
    if x.len() == 10 {
        p.min_prob = [x[7] as f32, x[8] as f32, x[9] as f32];
    }
    let mut rhythm = RhythmParams::default();
    if let [chaotic, irregular, steady_p] = numbers("ECG_RHYTHM")[..] {
        rhythm = RhythmParams {
            chaotic,
            irregular,
            steady_p,
        };
    }
    (p, blend, rhythm)
}
