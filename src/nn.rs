//! Small neural-network building blocks shared by the delineator and Nef-Net.

pub mod seeded_init;
pub mod weight_average;

use candle_core::{Result, Tensor};
use candle_nn::VarBuilder;

/// A "same" 1-D convolution as one matrix product over stacked shifted copies of the input.
///
/// candle's own conv1d spends most of a training step in thread barriers and dot products
/// of its backward pass at these small widths; shifted copies + one batched GEMM are several
/// times faster and differentiate through `narrow`, `stack` and `matmul`.
pub struct Conv {
    /// `[cout, cin * k]`, tap-major within each input channel.
    weight: Tensor,
    /// `[1, cout, 1]`.
    bias: Tensor,
    k: usize,
}

impl Conv {
    /// A convolution of `cin` to `cout` channels over `k` taps (Kaiming-normal weights).
    pub fn new(cin: usize, cout: usize, k: usize, vb: VarBuilder) -> Result<Self> {
        Self::scaled(cin, cout, k, 1.0, vb)
    }

    /// A convolution whose fresh weights and biases are `scale` times the usual ones: a small
    /// scale starts a correction branch close to "no correction".
    pub fn scaled(cin: usize, cout: usize, k: usize, scale: f64, vb: VarBuilder) -> Result<Self> {
        let fan_in = (cin * k) as f64;
        let weight = vb.get_with_hints(
            (cout, cin * k),
            "weight",
            candle_nn::Init::Randn {
                mean: 0.0,
                stdev: scale * (2.0 / fan_in).sqrt(),
            },
        )?;
        let bound = scale / fan_in.sqrt();
        let bias = vb.get_with_hints(
            (1, cout, 1),
            "bias",
            candle_nn::Init::Uniform {
                lo: -bound,
                up: bound,
            },
        )?;
        Ok(Self { weight, bias, k })
    }

    /// Apply to `[B, cin, L]`, giving `[B, cout, L]`.
    pub fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let (b, cin, l) = x.dims3()?;
        let cols = if self.k == 1 {
            x.clone()
        } else {
            let p = self.k / 2;
            let xp = x.pad_with_zeros(2, p, self.k - 1 - p)?;
            let shifted: Vec<Tensor> = (0..self.k)
                .map(|t| xp.narrow(2, t, l))
                .collect::<Result<_>>()?;
            Tensor::stack(&shifted, 2)?.reshape((b, cin * self.k, l))?
        };
        let (cout, ck) = self.weight.dims2()?;
        self.weight
            .broadcast_as((b, cout, ck))?
            .matmul(&cols)?
            .broadcast_add(&self.bias)
    }

    /// The same convolution on channels-last input `[B, L, cin]`, giving `[B, L, cout]`.
    ///
    /// The padded batch is laid end to end as rows `[B·(L+k−1), cin]`, and each tap is one
    /// matrix product of a window of those rows (a plain offset, no copy) with that tap's
    /// `[cin, cout]` weights; the sum's rows that straddle two items are dropped. At inference
    /// a grid of 24 views then costs k large GEMMs per layer, not 24·k small ones, and no
    /// stacked copies of the input (which cost more than the products at these widths).
    pub fn forward_cl(&self, x: &Tensor) -> Result<Tensor> {
        let (b, l, cin) = x.dims3()?;
        let cout = self.weight.dim(0)?;
        let bias = self.bias.reshape((1, 1, cout))?;
        if self.k == 1 {
            return x
                .reshape((b * l, cin))?
                .matmul(&self.weight.t()?)?
                .reshape((b, l, cout))?
                .broadcast_add(&bias);
        }
        let p = self.k / 2;
        let lp = l + self.k - 1;
        let rows = x
            .pad_with_zeros(1, p, self.k - 1 - p)?
            .reshape((b * lp, cin))?;
        // `[k, cin, cout]`: tap t's weights as one contiguous matrix.
        let taps = self
            .weight
            .reshape((cout, cin, self.k))?
            .permute((2, 1, 0))?
            .contiguous()?;
        let n = b * lp - (self.k - 1);
        let mut acc = rows.narrow(0, 0, n)?.matmul(&taps.get(0)?)?;
        for t in 1..self.k {
            acc = (acc + rows.narrow(0, t, n)?.matmul(&taps.get(t)?)?)?;
        }
        // Row b·lp + j holds item b's output j.
        acc.pad_with_zeros(0, 0, self.k - 1)?
            .reshape((b, lp, cout))?
            .narrow(1, 0, l)?
            .broadcast_add(&bias)
    }

    /// [`forward_cl`](Self::forward_cl) of one input `x [1, L, cin]` under `Q` scalings of its
    /// channels `scales [Q, cin]` at once, giving `[Q, L, cout]`. Each input channel's own
    /// contribution is convolved once; a scaling then costs one product of `cin` by `L·cout`
    /// instead of a whole convolution (the panorama grid scales one cycle's features by 24
    /// query encodings).
    pub fn forward_cl_scaled(&self, x: &Tensor, scales: &Tensor) -> Result<Tensor> {
        let (_, l, cin) = x.dims3()?;
        let q = scales.dim(0)?;
        let cout = self.weight.dim(0)?;
        let p = self.k / 2;
        let padded = x.squeeze(0)?.pad_with_zeros(0, p, self.k - 1 - p)?;
        let taps: Vec<Tensor> = (0..self.k)
            .map(|t| padded.narrow(0, t, l))
            .collect::<Result<_>>()?;
        // `[cin, L, k]` windows times `[cin, k, cout]` taps: each channel's contribution.
        let windows = Tensor::stack(&taps, 2)?.permute((1, 0, 2))?.contiguous()?;
        let weights = self
            .weight
            .reshape((cout, cin, self.k))?
            .permute((1, 2, 0))?
            .contiguous()?;
        let parts = windows.matmul(&weights)?.reshape((cin, l * cout))?;
        scales
            .contiguous()?
            .matmul(&parts)?
            .reshape((q, l, cout))?
            .broadcast_add(&self.bias.reshape((1, 1, cout))?)
    }
}

/// A pool of one worker thread to run a small network's inference in: splitting its matrix
/// products over threads costs more in synchronisation than it saves at these widths (the
/// panorama engine renders one view in 0.4 ms on one thread, 0.8–1.3 ms on two here).
pub fn one_worker() -> std::result::Result<rayon::ThreadPool, rayon::ThreadPoolBuildError> {
    rayon::ThreadPoolBuilder::new().num_threads(1).build()
}

/// One-thread workers for concurrent callers: each call runs on a worker no other call is
/// using when there is one, so two threads (a synthesis and an anomaly map, or two halves of a
/// record) run side by side, each on one thread as [`one_worker`] wants.
pub struct Workers {
    pools: Vec<(rayon::ThreadPool, std::sync::atomic::AtomicBool)>,
}

impl Workers {
    /// `n` workers of one thread each.
    pub fn new(n: usize) -> std::result::Result<Self, rayon::ThreadPoolBuildError> {
        let pools = (0..n.max(1))
            .map(|_| Ok((one_worker()?, std::sync::atomic::AtomicBool::new(false))))
            .collect::<std::result::Result<_, _>>()?;
        Ok(Self { pools })
    }

    /// Run `f` on an idle worker (the first one when all are busy).
    pub fn install<R: Send>(&self, f: impl FnOnce() -> R + Send) -> R {
        use std::sync::atomic::Ordering;
        let free = self.pools.iter().find(|(_, busy)| {
            busy.compare_exchange(false, true, Ordering::Acquire, Ordering::Relaxed)
                .is_ok()
        });
        match free {
            Some((pool, busy)) => {
                let r = pool.install(f);
                busy.store(false, Ordering::Release);
                r
            }
            None => self.pools[0].0.install(f),
        }
    }
}

/// Max-pool by 2 along time (`[B, C, L]`, L even).
pub fn pool2(x: &Tensor) -> Result<Tensor> {
    let (b, c, l) = x.dims3()?;
    x.reshape((b, c, l / 2, 2))?.max(candle_core::D::Minus1)
}

/// Max-pooling by 2 along time of channels-last `[B, L, C]` (L even).
pub fn pool2_cl(x: &Tensor) -> Result<Tensor> {
    let (b, l, c) = x.dims3()?;
    x.reshape((b, l / 2, 2, c))?.max(2)
}

/// Nearest-neighbour upsampling by 2 along time of channels-last `[B, L, C]`.
pub fn upsample2_cl(x: &Tensor) -> Result<Tensor> {
    let (b, l, c) = x.dims3()?;
    x.unsqueeze(2)?
        .broadcast_as((b, l, 2, c))?
        .contiguous()?
        .reshape((b, 2 * l, c))
}

/// Nearest-neighbour upsampling by 2 along time, built from broadcasting so it has a gradient
/// (candle's transposed convolution has none).
pub fn upsample2(x: &Tensor) -> Result<Tensor> {
    let (b, c, l) = x.dims3()?;
    x.unsqueeze(3)?
        .broadcast_as((b, c, l, 2))?
        .contiguous()?
        .reshape((b, c, 2 * l))
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::{DType, Device};
    use candle_nn::VarMap;

    #[test]
    fn one_input_under_many_channel_scalings_equals_each_scaled_input_convolved() {
        let map = VarMap::new();
        let vb = VarBuilder::from_varmap(&map, DType::F32, &Device::Cpu);
        let x = Tensor::randn(0f32, 1.0, (1, 16, 6), &Device::Cpu).unwrap();
        let scales = Tensor::randn(0f32, 1.0, (4, 6), &Device::Cpu).unwrap();
        for (k, name) in [(1, "k1"), (4, "k4"), (5, "k5")] {
            let conv = Conv::new(6, 3, k, vb.pp(name)).unwrap();
            let got = conv.forward_cl_scaled(&x, &scales).unwrap();
            let scaled = x.broadcast_mul(&scales.unsqueeze(1).unwrap()).unwrap();
            let want = conv.forward_cl(&scaled).unwrap();
            assert_eq!(got.dims(), want.dims());
            let diff = (want - got).unwrap().abs().unwrap().max_all().unwrap();
            assert!(diff.to_scalar::<f32>().unwrap() < 1e-5, "k = {k}");
        }
    }

    #[test]
    fn channels_last_convolution_and_upsampling_equal_the_channels_first_ones() {
        let map = VarMap::new();
        let vb = VarBuilder::from_varmap(&map, DType::F32, &Device::Cpu);
        let x = Tensor::randn(0f32, 1.0, (3, 5, 16), &Device::Cpu).unwrap();
        let x_cl = x.transpose(1, 2).unwrap().contiguous().unwrap();
        for (k, name) in [(1, "k1"), (3, "k3"), (4, "k4"), (5, "k5")] {
            let conv = Conv::new(5, 7, k, vb.pp(name)).unwrap();
            let want = conv.forward(&x).unwrap();
            let got = conv.forward_cl(&x_cl).unwrap().transpose(1, 2).unwrap();
            let diff = (want - got).unwrap().abs().unwrap().max_all().unwrap();
            assert!(diff.to_scalar::<f32>().unwrap() < 1e-5, "k = {k}");
        }
        let want = upsample2(&x).unwrap();
        let got = upsample2_cl(&x_cl).unwrap().transpose(1, 2).unwrap();
        let diff = (want - got).unwrap().abs().unwrap().max_all().unwrap();
        assert_eq!(diff.to_scalar::<f32>().unwrap(), 0.0);
    }
}
