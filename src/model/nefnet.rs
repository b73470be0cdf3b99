//! The Nef-Net network (section 3 of the paper), sized for a laptop CPU (≈ 0.2 M weights).
//!
//! Encoding: each input view (one lead's cycle, 512 samples) goes through a shared 1-D
//! convolutional encoder to a time-aligned feature map `W` (64 channels × 64 steps); the
//! viewpoint's Angular Encoding, through an MLP, is multiplied in to remove the view from it.
//! Two convolutions then give the basic representation `Z_b` and, pooled by ROIAlign over each
//! of the six deflections, the deflection representations `Z_d`. Both are averaged over the
//! input views. Decoding: each deflection's representation goes through its own linear map and
//! is stretched back over its span (reverse ROIAlign), stacked with the basic features, the
//! query viewpoint multiplied in, then upsampled by convolutions to 512 samples.
//!
//! One addition to the paper: a **viewpoint-weighted input path**. For each input view, an MLP
//! of the (query, input, mean of all inputs) Angular Encodings gives `SKIP` weights; the weighted input signals,
//! averaged over the views, join the last full-resolution decoder layer and their first channel
//! is added to the output. Under the dipole model a view is a linear combination of others with
//! weights that depend only on the directions, so this path gives the decoder that geometry at
//! full time resolution (a QRS is 40 samples wide; the features have 64 steps for 512 samples)
//! and leaves the representations to model what is not linear.
//!
//! The network is the **residual** part of the panorama model: the first channel of its input
//! path is the linear prior's estimate of the query ([`super::prior::Prior`]), which is also
//! the base of its output, so it learns what the prior misses. Its weights are stored under
//! `residual.*`.

use super::angular::ANGULAR_FEATURES;
use super::roi_align::{roi_align, roi_unalign};
use crate::delineate::CycleBounds;
use crate::nn::{Conv, pool2, upsample2_cl};
use candle_core::{Result, Tensor};
use candle_nn::{Linear, Module, VarBuilder, linear};

/// Samples per cycle window (500 Hz, from a P onset).
pub const T_X: usize = 512;
/// Time steps of the feature maps (`T_X / 8`).
pub const T_W: usize = 64;
/// Feature channels.
pub const C: usize = 64;
/// Samples each deflection is pooled to.
pub const ROI_LEN: usize = 8;
/// Deflections per cycle: P, PR, QRS, ST, T, TP.
pub const DEFLECTIONS: usize = 6;
/// Channels of the viewpoint-weighted input path.
pub const SKIP: usize = 4;

/// Angular Encoding → features: a two-layer MLP.
struct AngleMlp {
    a: Linear,
    b: Linear,
}

impl AngleMlp {
    fn new(out: usize, vb: VarBuilder) -> Result<Self> {
        Self::with_inputs(ANGULAR_FEATURES, out, vb)
    }

    fn with_inputs(inputs: usize, out: usize, vb: VarBuilder) -> Result<Self> {
        Ok(Self {
            a: linear(inputs, 64, vb.pp("a"))?,
            b: linear(64, out, vb.pp("b"))?,
        })
    }

    fn forward(&self, angles: &Tensor) -> Result<Tensor> {
        self.b.forward(&self.a.forward(angles)?.relu()?)
    }
}

/// What encoding one batch of cycles yields.
pub struct Encoded {
    /// Averaged basic representation `[B, C, T_W]`.
    pub zb: Tensor,
    /// Averaged deflection representations `[B, 6·C, ROI_LEN]`.
    pub zd: Tensor,
    /// Per-view basic representations `[B·L, C, T_W]` (for Standin learning).
    pub zb_views: Tensor,
    /// Per-view deflection representations `[B·L, 6·C, ROI_LEN]`.
    pub zd_views: Tensor,
}

/// Prefix of the network's stored weights.
pub const RESIDUAL_PREFIX: &str = "residual";

/// The network; weights live in the `VarBuilder` it was built from.
pub struct NefNet {
    enc: [Conv; 3],
    view_mlp: AngleMlp,
    to_basic: Conv,
    to_deflection: Conv,
    /// `[6, C, C]`: one linear map per deflection (not shared), as the paper's per-deflection convs.
    deflection_maps: Tensor,
    from_basic: Conv,
    query_mlp: AngleMlp,
    skip_mlp: AngleMlp,
    /// Time-varying gains on the input path: the decoder's last features give one gain per
    /// input-path channel and sample, so the mix of the inputs can change along the cycle (the
    /// P wave, QRS and T wave project differently onto the leads) at full time resolution.
    gates: Conv,
    dec: [Conv; 4],
}

/// Channels of the input path: the prior's estimate, then the viewpoint-weighted inputs.
pub const PATH_CHANNELS: usize = SKIP + 1;

impl NefNet {
    /// Build the network on `vb` (fresh from a `VarMap`, or loading stored weights; callers
    /// pass `vb.pp(RESIDUAL_PREFIX)`).
    pub fn new(vb: VarBuilder) -> Result<Self> {
        let enc = [
            Conv::new(1, 16, 7, vb.pp("enc0"))?,
            Conv::new(16, 32, 7, vb.pp("enc1"))?,
            Conv::new(32, C, 7, vb.pp("enc2"))?,
        ];
        let deflection_maps = vb.get_with_hints(
            (DEFLECTIONS, C, C),
            "deflection_maps",
            candle_nn::Init::Randn {
                mean: 0.0,
                stdev: (2.0 / C as f64).sqrt(),
            },
        )?;
        Ok(Self {
            enc,
            view_mlp: AngleMlp::new(C, vb.pp("view_mlp"))?,
            to_basic: Conv::new(C, C, 3, vb.pp("to_basic"))?,
            to_deflection: Conv::new(C, C, 3, vb.pp("to_deflection"))?,
            deflection_maps,
            from_basic: Conv::new(C, C, 3, vb.pp("from_basic"))?,
            query_mlp: AngleMlp::new(2 * C, vb.pp("query_mlp"))?,
            skip_mlp: AngleMlp::with_inputs(3 * ANGULAR_FEATURES, SKIP, vb.pp("skip_mlp"))?,
            gates: Conv::scaled(16, PATH_CHANNELS, 1, 0.05, vb.pp("gates"))?,
            dec: [
                Conv::new(2 * C, C, 5, vb.pp("dec0"))?,
                Conv::new(C, 32, 5, vb.pp("dec1"))?,
                Conv::new(32 + PATH_CHANNELS, 16, 5, vb.pp("dec2"))?,
                Conv::new(16, 1, 1, vb.pp("dec3"))?,
            ],
        })
    }

    /// Encode `B` cycles of `L` views each: `views [B·L, T_X]` (normalised, view-major within
    /// each cycle), `angles [B·L, 12]` their Angular Encodings, `rois` the 6 deflection spans
    /// of each cycle in feature steps (`B·6`).
    pub fn encode(
        &self,
        views: &Tensor,
        angles: &Tensor,
        n_views: usize,
        rois: &[(f32, f32)],
    ) -> Result<Encoded> {
        let (bl, t) = views.dims2()?;
        let b = bl / n_views;
        let mut h = views.reshape((bl, 1, t))?;
        for conv in &self.enc {
            h = pool2(&conv.forward(&h)?.relu()?)?;
        }
        let theta = self.view_mlp.forward(angles)?.unsqueeze(2)?;
        let w = h.broadcast_mul(&theta)?;
        let zb_views = self.to_basic.forward(&w)?;
        let wd = self.to_deflection.forward(&w)?;
        let view_rois: Vec<(f32, f32)> = (0..bl)
            .flat_map(|i| {
                rois[(i / n_views) * DEFLECTIONS..(i / n_views + 1) * DEFLECTIONS]
                    .iter()
                    .copied()
            })
            .collect();
        let zd_views = roi_align(&wd, &view_rois, ROI_LEN)?;
        let zb = zb_views.reshape((b, n_views, C, T_W))?.mean(1)?;
        let zd = zd_views
            .reshape((b, n_views, DEFLECTIONS * C, ROI_LEN))?
            .mean(1)?;
        Ok(Encoded {
            zb,
            zd,
            zb_views,
            zd_views,
        })
    }

    /// The input path `[B, PATH_CHANNELS, T_X]`: the prior's estimate `prior [B, 1, T_X]`, then
    /// the viewpoint-weighted inputs; `views [B, L, T_X]` (the inputs of each item),
    /// `pairs [B, L, 24]` each input's query Angular Encoding followed by its own.
    ///
    /// The weights also see the mean encoding of all the item's inputs: the best weight of one
    /// input depends on which others are there (II alone, or II beside V2 and V5).
    pub fn skip(&self, views: &Tensor, pairs: &Tensor, prior: &Tensor) -> Result<Tensor> {
        let (b, l, f) = pairs.dims3()?;
        let set = pairs
            .narrow(2, ANGULAR_FEATURES, ANGULAR_FEATURES)?
            .mean_keepdim(1)?
            .broadcast_as((b, l, ANGULAR_FEATURES))?;
        let features = Tensor::cat(&[pairs, &set], 2)?.reshape((b * l, f + ANGULAR_FEATURES))?;
        let g = self.skip_mlp.forward(&features)?;
        let g = g.reshape((b, l, SKIP))?.transpose(1, 2)?.contiguous()?;
        let weighted = (g.matmul(&views.contiguous()?)? / l as f64)?;
        Tensor::cat(&[prior, &weighted], 1)
    }

    /// Decode `[B, T_X]` signals from representations `zb [B, C, T_W]`, `zd [B, 6C, ROI_LEN]`,
    /// query Angular Encodings `[B, 12]`, each item's deflection spans (`B·6`) and its
    /// viewpoint-weighted input path `skip [B, SKIP, T_X]` ([`NefNet::skip`]).
    pub fn decode(
        &self,
        zb: &Tensor,
        zd: &Tensor,
        query: &Tensor,
        rois: &[(f32, f32)],
        skip: &Tensor,
    ) -> Result<Tensor> {
        self.decode_views(&self.decode_shared(zb, zd, rois)?, query, skip)
    }

    /// The decoder's features before the query is multiplied in, channels last
    /// `[B, T_W, 2C]`: they depend on the encoding only, so many views of one cycle share them.
    pub fn decode_shared(&self, zb: &Tensor, zd: &Tensor, rois: &[(f32, f32)]) -> Result<Tensor> {
        let b = zb.dim(0)?;
        // Per-deflection linear maps as one batched product: [6, C, C] × [6, C, B·ROI_LEN].
        let zd6 = zd
            .reshape((b, DEFLECTIONS, C, ROI_LEN))?
            .permute((1, 2, 0, 3))?
            .contiguous()?
            .reshape((DEFLECTIONS, C, b * ROI_LEN))?;
        let md6 = self.deflection_maps.matmul(&zd6)?.relu()?;
        let md = md6
            .reshape((DEFLECTIONS, C, b, ROI_LEN))?
            .permute((2, 0, 1, 3))?
            .contiguous()?
            .reshape((b, DEFLECTIONS * C, ROI_LEN))?;
        let md = roi_unalign(&md, rois, T_W)?;
        let mb = self.from_basic.forward(zb)?.relu()?;
        Tensor::cat(&[&mb, &md], 1)?.transpose(1, 2)?.contiguous()
    }

    /// Decode `[Q, T_X]` signals from shared features `m` ([`NefNet::decode_shared`]) of `Q`
    /// cycles, or of one cycle seen from all `Q` queries; `query [Q, 12]`, `skip [Q, S, T_X]`.
    pub fn decode_views(&self, m: &Tensor, query: &Tensor, skip: &Tensor) -> Result<Tensor> {
        let q = self.query_mlp.forward(query)?;
        // Channels last from here: each layer is one matrix product over every view. The
        // query scales the shared features' channels, and upsampling commutes with that, so
        // one cycle seen from many queries convolves its features once for the first layer.
        let h = if m.dim(0)? == 1 && q.dim(0)? > 1 {
            self.dec[0].forward_cl_scaled(&upsample2_cl(m)?, &q)?
        } else {
            self.dec[0].forward_cl(&upsample2_cl(&m.broadcast_mul(&q.unsqueeze(1)?)?)?)?
        };
        let h = self.dec[1].forward_cl(&upsample2_cl(&h.relu()?)?)?.relu()?;
        let skip_cl = skip.transpose(1, 2)?.contiguous()?;
        let h = Tensor::cat(&[&upsample2_cl(&h)?, &skip_cl], 2)?;
        let h = self.dec[2].forward_cl(&h)?.relu()?;
        let out = self.dec[3].forward_cl(&h)?.squeeze(2)?;
        let out = (out + skip.narrow(1, 0, 1)?.squeeze(1)?)?;
        out + (self.gates.forward_cl(&h)? * skip_cl)?.sum(2)?
    }
}

/// Mean absolute error over the samples where `mask` is 1: `a, b, mask [B, T]`.
pub fn masked_mae(a: &Tensor, b: &Tensor, mask: &Tensor) -> Result<Tensor> {
    let total = mask.sum_all()?.maximum(1.0)?;
    ((a - b)?.abs()? * mask)?.sum_all()?.div(&total)
}

/// Deflection spans in feature steps from the seven cycle boundaries in window samples
/// (P onset 0, next P onset at most `T_X`).
pub fn deflection_rois(bounds: &CycleBounds) -> [(f32, f32); DEFLECTIONS] {
    let scale = T_W as f32 / T_X as f32;
    let b = bounds.as_array();
    std::array::from_fn(|i| (b[i] as f32 * scale, b[i + 1] as f32 * scale))
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::{DType, Device};
    use candle_nn::VarMap;

    fn fresh() -> (VarMap, NefNet) {
        let vm = VarMap::new();
        let vb = VarBuilder::from_varmap(&vm, DType::F32, &Device::Cpu);
        let net = NefNet::new(vb.pp(RESIDUAL_PREFIX)).unwrap();
        (vm, net)
    }

    #[test]
    fn shapes_and_size_fit_the_budget() {
        let dev = Device::Cpu;
        let (vm, net) = fresh();
        let weights: usize = vm.all_vars().iter().map(|v| v.elem_count()).sum();
        assert!(weights * 4 <= 2 << 20, "{weights} weights exceed 2 MB");
        let (b, l) = (2, 3);
        let views = Tensor::randn(0f32, 1.0, (b * l, T_X), &dev).unwrap();
        let angles = Tensor::randn(0f32, 1.0, (b * l, ANGULAR_FEATURES), &dev).unwrap();
        let bounds = CycleBounds::new([0, 50, 80, 130, 200, 300, 400], 401).unwrap();
        let rois: Vec<(f32, f32)> = (0..b).flat_map(|_| deflection_rois(&bounds)).collect();
        let e = net.encode(&views, &angles, l, &rois).unwrap();
        assert_eq!(e.zb.dims(), [b, C, T_W]);
        assert_eq!(e.zd.dims(), [b, DEFLECTIONS * C, ROI_LEN]);
        let q = Tensor::randn(0f32, 1.0, (b, ANGULAR_FEATURES), &dev).unwrap();
        let pairs = Tensor::randn(0f32, 1.0, (b, l, 2 * ANGULAR_FEATURES), &dev).unwrap();
        let prior = Tensor::zeros((b, 1, T_X), DType::F32, &dev).unwrap();
        let skip = net
            .skip(&views.reshape((b, l, T_X)).unwrap(), &pairs, &prior)
            .unwrap();
        assert_eq!(skip.dims(), [b, PATH_CHANNELS, T_X]);
        assert_eq!(
            net.decode(&e.zb, &e.zd, &q, &rois, &skip).unwrap().dims(),
            [b, T_X]
        );
        assert!(
            vm.data()
                .lock()
                .unwrap()
                .keys()
                .all(|k| k.starts_with("residual."))
        );
    }

    #[test]
    fn many_views_from_shared_features_equal_each_view_decoded_alone() {
        let dev = Device::Cpu;
        let (_vm, net) = fresh();
        let (l, q) = (3, 5);
        let views = Tensor::randn(0f32, 1.0, (l, T_X), &dev).unwrap();
        let angles = Tensor::randn(0f32, 1.0, (l, ANGULAR_FEATURES), &dev).unwrap();
        let rois =
            deflection_rois(&CycleBounds::new([0, 50, 80, 130, 200, 300, 400], 401).unwrap());
        let e = net.encode(&views, &angles, l, &rois).unwrap();
        let queries = Tensor::randn(0f32, 1.0, (q, ANGULAR_FEATURES), &dev).unwrap();
        let pairs = Tensor::randn(0f32, 1.0, (q, l, 2 * ANGULAR_FEATURES), &dev).unwrap();
        let prior = Tensor::randn(0f32, 1.0, (q, 1, T_X), &dev).unwrap();
        let all_views = views
            .unsqueeze(0)
            .unwrap()
            .broadcast_as((q, l, T_X))
            .unwrap();
        let skip = net.skip(&all_views, &pairs, &prior).unwrap();
        let shared = net.decode_shared(&e.zb, &e.zd, &rois).unwrap();
        let together = net.decode_views(&shared, &queries, &skip).unwrap();
        for i in 0..q {
            let alone = net
                .decode(
                    &e.zb,
                    &e.zd,
                    &queries.narrow(0, i, 1).unwrap(),
                    &rois,
                    &skip.narrow(0, i, 1).unwrap(),
                )
                .unwrap();
            let peak = alone.abs().unwrap().max_all().unwrap();
            let peak = peak.to_scalar::<f32>().unwrap();
            let diff = (alone - together.narrow(0, i, 1).unwrap())
                .unwrap()
                .abs()
                .unwrap()
                .max_all()
                .unwrap()
                .to_scalar::<f32>()
                .unwrap();
            // Only the summation order of the products differs.
            assert!(
                diff <= 1e-5 * (1.0 + peak),
                "view {i}: {diff} (peak {peak})"
            );
        }
    }

    #[test]
    fn deflection_spans_scale_to_feature_steps() {
        let r = deflection_rois(&CycleBounds::new([0, 64, 128, 192, 256, 320, 512], 513).unwrap());
        assert_eq!(r[0], (0.0, 8.0));
        assert_eq!(r[5], (40.0, 64.0));
    }
}
