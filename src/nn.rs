//! Small neural-network building blocks shared by the delineator and Nef-Net.

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
    /// The whole batch is one matrix product `[B·L, cin·k] × [cin·k, cout]`: at inference a
    /// grid of 24 views then costs one large GEMM per layer, not 24 small ones.
    pub fn forward_cl(&self, x: &Tensor) -> Result<Tensor> {
        let (b, l, cin) = x.dims3()?;
        let cout = self.weight.dim(0)?;
        let (rows, weight) = if self.k == 1 {
            (x.reshape((b * l, cin))?, self.weight.clone())
        } else {
            let p = self.k / 2;
            let xp = x.pad_with_zeros(1, p, self.k - 1 - p)?;
            let shifted: Vec<Tensor> = (0..self.k)
                .map(|t| xp.narrow(1, t, l))
                .collect::<Result<_>>()?;
            // `[B, L, k, cin]`, channel runs kept whole (stacking taps innermost would copy
            // element by element); the weights are reordered tap-major to match.
            let rows = Tensor::stack(&shifted, 2)?.reshape((b * l, self.k * cin))?;
            let weight = self
                .weight
                .reshape((cout, cin, self.k))?
                .transpose(1, 2)?
                .contiguous()?
                .reshape((cout, self.k * cin))?;
            (rows, weight)
        };
        rows.matmul(&weight.t()?.contiguous()?)?
            .reshape((b, l, cout))?
            .broadcast_add(&self.bias.reshape((1, 1, cout))?)
    }
}

/// Max-pool by 2 along time (`[B, C, L]`, L even).
pub fn pool2(x: &Tensor) -> Result<Tensor> {
    let (b, c, l) = x.dims3()?;
    x.reshape((b, c, l / 2, 2))?.max(candle_core::D::Minus1)
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
    fn channels_last_convolution_and_upsampling_equal_the_channels_first_ones() {
        let map = VarMap::new();
        let vb = VarBuilder::from_varmap(&map, DType::F32, &Device::Cpu);
        let x = Tensor::randn(0f32, 1.0, (3, 5, 16), &Device::Cpu).unwrap();
        let x_cl = x.transpose(1, 2).unwrap().contiguous().unwrap();
        for (k, name) in [(1, "k1"), (4, "k4"), (5, "k5")] {
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
