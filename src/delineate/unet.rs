//! A small 1-D U-Net that labels every sample of every lead as none, P, QRS or T.
//!
//! One pass sees all twelve standard-lead slots at once (absent leads are zero), so each
//! lead's labels use the whole record's context, and the cost is that of one lead, not twelve.
//! It runs at 250 Hz (inputs are averaged in pairs, outputs interpolated back to 500 Hz):
//! boundaries keep a 4 ms grid, well inside the tolerances that matter, at half the cost.

use super::train::{NONE, T};
use crate::nn::{Conv, pool2, pool2_cl, upsample2, upsample2_cl};
use candle_core::{D, DType, Device, Result, Tensor};
use candle_nn::VarBuilder;

/// Output classes per lead, in channel order: none, P, QRS, T.
pub const CLASSES: usize = 4;
/// Lead slots: the twelve standard leads in `STANDARD_12` order.
pub const SLOTS: usize = 12;
/// Input channels: one per lead slot.
pub const IN_CHANNELS: usize = SLOTS;
/// Channel widths per level, finest first.
pub const WIDTHS: [usize; 5] = [16, 24, 32, 48, 64];
/// Convolution kernel length (28 ms at the network's 250 Hz).
pub const KERNEL: usize = 7;
/// Inputs (at 500 Hz) must be a multiple of this many samples: one halving to 250 Hz and one
/// per pooling step.
pub const MULTIPLE: usize = 2 << (WIDTHS.len() - 1);

struct Block {
    a: Conv,
    b: Conv,
}

impl Block {
    fn new(cin: usize, cout: usize, vb: VarBuilder) -> Result<Self> {
        Ok(Self {
            a: Conv::new(cin, cout, KERNEL, vb.pp("a"))?,
            b: Conv::new(cout, cout, KERNEL, vb.pp("b"))?,
        })
    }

    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        self.b.forward(&self.a.forward(x)?.relu()?)?.relu()
    }

    /// The same on channels-last `[B, L, C]`.
    fn forward_cl(&self, x: &Tensor) -> Result<Tensor> {
        self.b.forward_cl(&self.a.forward_cl(x)?.relu()?)?.relu()
    }
}

/// The network; weights live in the `VarBuilder` it was built from.
pub struct UNet {
    enc: Vec<Block>,
    up: Vec<Conv>,
    dec: Vec<Block>,
    head: Conv,
}

impl UNet {
    /// Build (or load, depending on `vb`) the network.
    pub fn new(vb: VarBuilder) -> Result<Self> {
        let mut enc = Vec::new();
        let mut cin = IN_CHANNELS;
        for (i, &w) in WIDTHS.iter().enumerate() {
            enc.push(Block::new(cin, w, vb.pp(format!("enc{i}")))?);
            cin = w;
        }
        let mut up = Vec::new();
        let mut dec = Vec::new();
        for i in 0..WIDTHS.len() - 1 {
            up.push(Conv::new(
                WIDTHS[i + 1],
                WIDTHS[i],
                3,
                vb.pp(format!("up{i}")),
            )?);
            dec.push(Block::new(
                2 * WIDTHS[i],
                WIDTHS[i],
                vb.pp(format!("dec{i}")),
            )?);
        }
        let head = Conv::new(WIDTHS[0], SLOTS * CLASSES, 1, vb.pp("head"))?;
        Ok(Self { enc, up, dec, head })
    }

    /// Class logits `[B, SLOTS, CLASSES, L]` for inputs `[B, SLOTS, L]` at 500 Hz, L a multiple
    /// of [`MULTIPLE`].
    pub fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let (b, _, l) = x.dims3()?;
        let h = x.reshape((b, SLOTS, l / 2, 2))?.mean(D::Minus1)?;
        let logits = self.layers(h, Layout::ChannelsFirst)?;
        upsample2_linear(&logits)?.reshape((b, SLOTS, CLASSES, l))
    }

    /// The same logits as [`forward`](Self::forward), computed channels-last: each
    /// convolution is a few large matrix products over the time axis instead of one over
    /// stacked shifted copies of its input, which costs less at inference (no gradient needed).
    pub fn forward_inference(&self, x: &Tensor) -> Result<Tensor> {
        let (b, _, l) = x.dims3()?;
        let h = x
            .reshape((b, SLOTS, l / 2, 2))?
            .mean(D::Minus1)?
            .transpose(1, 2)?
            .contiguous()?;
        let logits = self
            .layers(h, Layout::ChannelsLast)?
            .transpose(1, 2)?
            .contiguous()?;
        upsample2_linear(&logits)?.reshape((b, SLOTS, CLASSES, l))
    }

    /// Encoder, decoder and head at 250 Hz, in either layout; logits in the input's layout.
    fn layers(&self, mut h: Tensor, layout: Layout) -> Result<Tensor> {
        let cl = layout == Layout::ChannelsLast;
        let conv = |c: &Conv, x: &Tensor| if cl { c.forward_cl(x) } else { c.forward(x) };
        let block = |b: &Block, x: &Tensor| if cl { b.forward_cl(x) } else { b.forward(x) };
        let channels = if cl { 2 } else { 1 };
        let mut skips = Vec::with_capacity(WIDTHS.len());
        for (i, enc) in self.enc.iter().enumerate() {
            h = block(enc, &h)?;
            if i + 1 < self.enc.len() {
                skips.push(h.clone());
                h = if cl { pool2_cl(&h)? } else { pool2(&h)? };
            }
        }
        for i in (0..self.dec.len()).rev() {
            let up = if cl {
                upsample2_cl(&h)?
            } else {
                upsample2(&h)?
            };
            h = conv(&self.up[i], &up)?.relu()?;
            h = Tensor::cat(&[&h, &skips[i]], channels)?;
            h = block(&self.dec[i], &h)?;
        }
        conv(&self.head, &h)
    }
}

/// How a tensor of the network's hidden layers is laid out.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Layout {
    /// `[B, C, L]`: what training differentiates through.
    ChannelsFirst,
    /// `[B, L, C]`: cheaper at inference.
    ChannelsLast,
}

/// Linear interpolation by 2 along time: sample 2i is the average of i−½ and i (mirrored at
/// the ends), 2i+1 that of i and i+½ — the positions of 500 Hz samples on a 250 Hz grid of
/// pair averages.
fn upsample2_linear(x: &Tensor) -> Result<Tensor> {
    let (b, c, l) = x.dims3()?;
    let prev = Tensor::cat(&[&x.narrow(2, 0, 1)?, &x.narrow(2, 0, l - 1)?], 2)?;
    let next = Tensor::cat(&[&x.narrow(2, 1, l - 1)?, &x.narrow(2, l - 1, 1)?], 2)?;
    let even = ((x * 0.75)? + (prev * 0.25)?)?;
    let odd = ((x * 0.75)? + (next * 0.25)?)?;
    Tensor::stack(&[even, odd], 3)?.reshape((b, c, 2 * l))
}

/// Masked mean cross-entropy: `logits [B, S, C, L]`, `target [B, S, L]` (u32), `mask [B, S, L]` (f32).
pub fn masked_cross_entropy(logits: &Tensor, target: &Tensor, mask: &Tensor) -> Result<Tensor> {
    let logp = candle_nn::ops::log_softmax(logits, 2)?;
    let picked = logp.gather(&target.unsqueeze(2)?, 2)?.squeeze(2)?;
    let total = mask.sum_all()?.maximum(1.0)?;
    (picked * mask)?.sum_all()?.neg()?.div(&total)
}

/// Masked cross-entropy of record-level probabilities: each slot's softmax `[B, SLOTS, CLASSES,
/// L]` averaged with `weights` `[B, SLOTS]` (1/n on the n live slots, as the engine averages its
/// live leads), against record-level classes `target` `[B, L]` where `mask` `[B, L]` is 1; a
/// target of [`NONE_OR_T`](super::train::NONE_OR_T) scores "none" and T together. Zero when nothing is masked in.
pub fn record_cross_entropy(
    logits: &Tensor,
    weights: &Tensor,
    target: &Tensor,
    mask: &Tensor,
) -> Result<Tensor> {
    let p = candle_nn::ops::softmax(logits, 2)?;
    let mean = p
        .broadcast_mul(&weights.unsqueeze(2)?.unsqueeze(3)?)?
        .sum(1)?;
    // A fifth target, "none or T" (`train::NONE_OR_T`): the two classes' probability together.
    let class = |c: u8| mean.narrow(1, usize::from(c), 1);
    let none_or_t = (class(NONE)? + class(T)?)?;
    let mean = Tensor::cat(&[&mean, &none_or_t], 1)?;
    let logp = (mean + 1e-6)?.log()?;
    let picked = logp.gather(&target.unsqueeze(1)?, 1)?.squeeze(1)?;
    let total = mask.sum_all()?.maximum(1.0)?;
    (picked * mask)?.sum_all()?.neg()?.div(&total)
}

/// Per-sample class probabilities `[B, SLOTS, CLASSES, L]`, flattened in that order.
///
/// The softmax over the class axis runs on the flat logits: candle's softmax over an inner
/// axis of a 4-D tensor cost a fifth of the network's own time here.
pub fn probabilities(net: &UNet, x: &Tensor) -> Result<Vec<f32>> {
    let logits = net.forward_inference(x)?;
    let l = logits.dim(3)?;
    let mut p = logits
        .to_dtype(DType::F32)?
        .flatten_all()?
        .to_vec1::<f32>()?;
    for item in p.chunks_exact_mut(CLASSES * l) {
        for i in 0..l {
            let top = (0..CLASSES)
                .map(|c| item[c * l + i])
                .fold(f32::NEG_INFINITY, f32::max);
            let mut sum = 0.0;
            for c in 0..CLASSES {
                let e = (item[c * l + i] - top).exp();
                item[c * l + i] = e;
                sum += e;
            }
            for c in 0..CLASSES {
                item[c * l + i] /= sum;
            }
        }
    }
    Ok(p)
}

/// The CPU device the engine runs on.
pub fn device() -> Device {
    Device::Cpu
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_nn::VarMap;

    #[test]
    fn shapes_and_weight_count() {
        let vm = VarMap::new();
        let net = UNet::new(VarBuilder::from_varmap(&vm, DType::F32, &Device::Cpu)).unwrap();
        let x = Tensor::zeros((3, IN_CHANNELS, 2 * MULTIPLE), DType::F32, &Device::Cpu).unwrap();
        assert_eq!(
            net.forward(&x).unwrap().dims(),
            [3, SLOTS, CLASSES, 2 * MULTIPLE]
        );
        let n: usize = vm.all_vars().iter().map(|v| v.elem_count()).sum();
        assert!(n < 250_000, "{n} weights");
    }

    #[test]
    fn the_inference_path_gives_the_training_paths_logits() {
        let vm = VarMap::new();
        let net = UNet::new(VarBuilder::from_varmap(&vm, DType::F32, &Device::Cpu)).unwrap();
        let x = Tensor::randn(0f32, 1.0, (2, IN_CHANNELS, 3 * MULTIPLE), &Device::Cpu).unwrap();
        let want = net.forward(&x).unwrap();
        let got = net.forward_inference(&x).unwrap();
        assert_eq!(got.dims(), want.dims());
        let diff = (want - got).unwrap().abs().unwrap().max_all().unwrap();
        assert!(diff.to_scalar::<f32>().unwrap() < 1e-4);
    }

    #[test]
    fn probabilities_are_the_softmax_of_the_logits_over_the_classes() {
        let vm = VarMap::new();
        let net = UNet::new(VarBuilder::from_varmap(&vm, DType::F32, &Device::Cpu)).unwrap();
        let x = Tensor::randn(0f32, 1.0, (2, IN_CHANNELS, MULTIPLE), &Device::Cpu).unwrap();
        let want = candle_nn::ops::softmax(&net.forward(&x).unwrap(), 2)
            .unwrap()
            .flatten_all()
            .unwrap()
            .to_vec1::<f32>()
            .unwrap();
        let got = probabilities(&net, &x).unwrap();
        assert_eq!(got.len(), want.len());
        assert!(got.iter().zip(&want).all(|(a, b)| (a - b).abs() < 1e-5));
    }

    #[test]
    fn upsample_and_pool_invert_on_constant_pairs() {
        let x = Tensor::new(&[[[1f32, 2.0, 3.0]]], &Device::Cpu).unwrap();
        let up = upsample2(&x).unwrap();
        assert_eq!(
            up.to_vec3::<f32>().unwrap(),
            [[[1.0, 1.0, 2.0, 2.0, 3.0, 3.0]]]
        );
        assert_eq!(
            pool2(&up).unwrap().to_vec3::<f32>().unwrap(),
            [[[1.0, 2.0, 3.0]]]
        );
    }

    #[test]
    fn linear_upsampling_interpolates_between_neighbours() {
        let x = Tensor::new(&[[[0f32, 4.0, 8.0]]], &Device::Cpu).unwrap();
        let up = upsample2_linear(&x).unwrap().to_vec3::<f32>().unwrap();
        assert_eq!(up, [[[0.0, 1.0, 3.0, 5.0, 7.0, 8.0]]]);
    }

    #[test]
    fn record_loss_scores_the_average_of_the_live_slots() {
        let d = Device::Cpu;
        // Slot 0 says class 0, slot 1 class 1, with near certainty, on one sample.
        let logits = Tensor::new(
            &[[
                [[9f32], [-9.0], [-9.0], [-9.0]],
                [[-9.0], [9.0], [-9.0], [-9.0]],
            ]],
            &d,
        )
        .unwrap();
        let target = Tensor::new(&[[0u32]], &d).unwrap();
        let mask = Tensor::new(&[[1f32]], &d).unwrap();
        let loss = |w: [f32; 2]| {
            let w = Tensor::new(&[w], &d).unwrap();
            record_cross_entropy(&logits, &w, &target, &mask)
                .unwrap()
                .to_scalar::<f32>()
                .unwrap()
        };
        assert!((loss([0.5, 0.5]) - std::f32::consts::LN_2).abs() < 1e-3);
        assert!(loss([1.0, 0.0]) < 1e-3);
        assert!(loss([0.0, 1.0]) > 9.0);
        let none = Tensor::new(&[[0f32]], &d).unwrap();
        let w = Tensor::new(&[[0.5f32, 0.5]], &d).unwrap();
        let zero = record_cross_entropy(&logits, &w, &target, &none).unwrap();
        assert_eq!(zero.to_scalar::<f32>().unwrap(), 0.0);
    }

    #[test]
    fn none_or_t_costs_nothing_for_either_and_much_for_a_qrs() {
        let d = Device::Cpu;
        // One slot, three samples: sure of "none", of T, and of a QRS.
        let logits = Tensor::new(
            &[[[
                [9f32, -9.0, -9.0],
                [-9.0, -9.0, -9.0],
                [-9.0, -9.0, 9.0],
                [-9.0, 9.0, -9.0],
            ]]],
            &d,
        )
        .unwrap();
        let w = Tensor::new(&[[1f32]], &d).unwrap();
        let c = u32::from(crate::delineate::train::NONE_OR_T);
        let either = Tensor::new(&[[c, c, c]], &d).unwrap();
        let at = |i: usize| {
            let mut m = [0f32; 3];
            m[i] = 1.0;
            let mask = Tensor::new(&[m], &d).unwrap();
            record_cross_entropy(&logits, &w, &either, &mask)
                .unwrap()
                .to_scalar::<f32>()
                .unwrap()
        };
        assert!(at(0) < 1e-3 && at(1) < 1e-3, "{} {}", at(0), at(1));
        assert!(at(2) > 9.0, "{}", at(2));
    }

    #[test]
    fn masked_loss_ignores_masked_samples() {
        let d = Device::Cpu;
        let logits =
            Tensor::new(&[[[[5f32, -5.0], [-5.0, 5.0], [0.0, 0.0], [0.0, 0.0]]]], &d).unwrap();
        let good = Tensor::new(&[[[0u32, 1]]], &d).unwrap();
        let bad = Tensor::new(&[[[0u32, 0]]], &d).unwrap();
        let first_only = Tensor::new(&[[[1f32, 0.0]]], &d).unwrap();
        let a = masked_cross_entropy(&logits, &good, &first_only)
            .unwrap()
            .to_scalar::<f32>()
            .unwrap();
        let b = masked_cross_entropy(&logits, &bad, &first_only)
            .unwrap()
            .to_scalar::<f32>()
            .unwrap();
        assert!((a - b).abs() < 1e-6, "the masked sample must not count");
        let all = Tensor::new(&[[[1f32, 1.0]]], &d).unwrap();
        let c = masked_cross_entropy(&logits, &bad, &all)
            .unwrap()
            .to_scalar::<f32>()
            .unwrap();
        assert!(c > a + 1.0);
    }
}
