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

use super::angular::ANGULAR_FEATURES;
use super::lead_field::LeadField;
use super::local_prior::LocalPrior;
use super::prior::{COMMON_INPUTS, LeadMatrix, LeadPrior};
use super::roi_align::{roi_align, roi_unalign};
use crate::delineate::CycleBounds;
use crate::geometry::LEADS;
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

/// The network; weights live in the `VarBuilder` it was built from.
pub struct NefNet {
    /// Weight of the network's correction to the prior by number of input views (index
    /// `n − 1`), calibrated on validation records after training; 1 when not calibrated.
    residual_weights: Vec<f32>,
    enc: [Conv; 3],
    view_mlp: AngleMlp,
    to_basic: Conv,
    to_deflection: Conv,
    /// `[6, C, C]`: one linear map per deflection (not shared), as the paper's per-deflection convs.
    deflection_maps: Tensor,
    from_basic: Conv,
    query_mlp: AngleMlp,
    skip_mlp: AngleMlp,
    /// The learned lead field's linear estimate ([`LeadField`]), in networks built with it.
    lead_field: Option<LeadField>,
    /// Time-varying gains on the input path ([`NetShape::gates`]), in networks built with them.
    gates: Option<Conv>,
    /// The linear prior ([`NetShape::prior`]), in networks built with it.
    prior: Option<LeadPrior>,
    dec: [Conv; 4],
}

/// Which optional parts a network has (weights written without a part load without it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NetShape {
    /// The learned lead field's linear estimate joins the input path.
    pub lead_field: bool,
    /// The decoder's last features also give one gain per input-path channel and sample, so
    /// the mix of the input signals can change along the cycle (the P wave, QRS and T wave
    /// project differently onto the leads) at full time resolution.
    pub gates: bool,
    /// The linear prior's estimate of the query ([`LeadPrior`], stored beside the weights as
    /// `prior.moments`) is the first input-path channel and the base of the output: the
    /// network learns what linear regression misses.
    pub prior: bool,
}

/// Name of the stored prior moments (`[12, 12]`); the prior's tensors ([`PRIOR_TENSORS`]) are
/// fitted, not trained by the optimiser.
pub const PRIOR_MOMENTS: &str = "prior.moments";
/// Name of the stored calibration `[12]`: how much of the network's correction to the prior
/// to keep for 1…12 input views (fitted on validation records, not trained).
pub const RESIDUAL_WEIGHTS: &str = "calibration.residual";

/// Names of the patient-similar prior's stored tensors ([`LocalPrior::to_flat`]): moments
/// `[R, PHASES, 12, 12]`, totals `[R, PHASES]` and lead shapes `[R, 12, ANGULAR_FEATURES]` of the `R`
/// training records (files with one set of moments per record, `[R, 12, 12]` and `[R]`, load too).
pub const LOCAL_TENSORS: [&str; 3] = ["local.moments", "local.totals", "local.features"];

/// The prior's stored tensors and their shapes ([`LeadPrior::to_flat`]).
pub const PRIOR_TENSORS: [(&str, &[usize]); 3] = [
    (PRIOR_MOMENTS, &[LEADS, LEADS]),
    ("prior.sets", &[COMMON_INPUTS.len(), LEADS, LEADS]),
    ("prior.set_masks", &[COMMON_INPUTS.len(), LEADS]),
];

impl NefNet {
    /// Load the network from weights in `vb`, with the optional parts the weights have.
    pub fn new(vb: VarBuilder) -> Result<Self> {
        let shape = NetShape {
            lead_field: vb.contains_tensor("lead_field.a.weight"),
            gates: vb.contains_tensor("gates.weight"),
            prior: vb.contains_tensor(PRIOR_MOMENTS),
        };
        let residual_weights = if vb.contains_tensor(RESIDUAL_WEIGHTS) {
            let w = vb.get(LEADS, RESIDUAL_WEIGHTS)?.to_vec1::<f32>()?;
            if w.iter().any(|v| !v.is_finite()) {
                candle_core::bail!("{RESIDUAL_WEIGHTS} holds values that are not finite");
            }
            w
        } else {
            vec![1.0; LEADS]
        };
        let net = Self {
            residual_weights,
            ..Self::build(vb.clone(), shape)?
        };
        net.with_local(|name| {
            vb.contains_tensor(name)
                .then(|| vb.get_unchecked(name))
                .transpose()
        })
    }

    /// Attach the patient-similar prior ([`LOCAL_TENSORS`]) when `get` finds its tensors and
    /// the network has a prior; a stored one that does not fit is refused.
    pub fn with_local(mut self, get: impl Fn(&str) -> Result<Option<Tensor>>) -> Result<Self> {
        let mut values = Vec::with_capacity(3);
        for name in LOCAL_TENSORS {
            match get(name)? {
                Some(t) => values.push(t.flatten_all()?.to_vec1::<f32>()?),
                None => return Ok(self),
            }
        }
        let Some(prior) = self.prior.as_mut() else {
            candle_core::bail!("the weights have a patient-similar prior but no prior");
        };
        let local = LocalPrior::from_flat(&values[0], &values[1], &values[2]).ok_or_else(|| {
            candle_core::Error::Msg("the patient-similar prior's tensors do not fit".into())
        })?;
        prior.local = Some(local);
        Ok(self)
    }

    /// Weight of the correction to the prior for `n` input views ([`RESIDUAL_WEIGHTS`]).
    pub fn residual_weight(&self, n: usize) -> f32 {
        self.residual_weights
            .get(n.clamp(1, LEADS) - 1)
            .copied()
            .unwrap_or(1.0)
    }

    /// Build the network (fresh from a `VarMap`, or loading) with the optional parts of `shape`.
    pub fn build(vb: VarBuilder, shape: NetShape) -> Result<Self> {
        let lead_field = shape.lead_field;
        let extra = usize::from(lead_field) + usize::from(shape.prior);
        let prior = if shape.prior {
            let mut values = Vec::with_capacity(3);
            for (name, dims) in PRIOR_TENSORS {
                let t = vb.get_with_hints(dims, name, candle_nn::Init::Const(0.0))?;
                values.push(t.flatten_all()?.to_vec1::<f32>()?);
            }
            // A fresh network's zeros stand for "not fitted yet": the prior then gives nothing.
            Some(
                LeadPrior::from_flat(&values[0], &values[1], &values[2]).unwrap_or(LeadPrior {
                    moments: LeadMatrix::zeros(),
                    sets: Vec::new(),
                    local: None,
                }),
            )
        } else {
            None
        };
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
            residual_weights: vec![1.0; LEADS],
            enc,
            view_mlp: AngleMlp::new(C, vb.pp("view_mlp"))?,
            to_basic: Conv::new(C, C, 3, vb.pp("to_basic"))?,
            to_deflection: Conv::new(C, C, 3, vb.pp("to_deflection"))?,
            deflection_maps,
            from_basic: Conv::new(C, C, 3, vb.pp("from_basic"))?,
            query_mlp: AngleMlp::new(2 * C, vb.pp("query_mlp"))?,
            skip_mlp: AngleMlp::with_inputs(3 * ANGULAR_FEATURES, SKIP, vb.pp("skip_mlp"))?,
            lead_field: if lead_field {
                Some(LeadField::new(vb.pp("lead_field"))?)
            } else {
                None
            },
            prior,
            gates: if shape.gates {
                Some(Conv::scaled(16, SKIP + extra, 1, 0.05, vb.pp("gates"))?)
            } else {
                None
            },
            dec: [
                Conv::new(2 * C, C, 5, vb.pp("dec0"))?,
                Conv::new(C, 32, 5, vb.pp("dec1"))?,
                Conv::new(32 + SKIP + extra, 16, 5, vb.pp("dec2"))?,
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

    /// The input path `[B, skip_channels, T_X]`: the prior's estimate `prior [B, 1, T_X]`
    /// first when the network has a prior (required then), the lead field's estimate next when
    /// it has one, then the viewpoint-weighted inputs; `views [B, L, T_X]` (the inputs of each
    /// item), `pairs [B, L, 24]` each input's query Angular Encoding followed by its own.
    ///
    /// The weights also see the mean encoding of all the item's inputs: the best weight of one
    /// input depends on which others are there (II alone, or II beside V2 and V5).
    pub fn skip(&self, views: &Tensor, pairs: &Tensor, prior: Option<&Tensor>) -> Result<Tensor> {
        let (b, l, f) = pairs.dims3()?;
        let set = pairs
            .narrow(2, ANGULAR_FEATURES, ANGULAR_FEATURES)?
            .mean_keepdim(1)?
            .broadcast_as((b, l, ANGULAR_FEATURES))?;
        let features = Tensor::cat(&[pairs, &set], 2)?.reshape((b * l, f + ANGULAR_FEATURES))?;
        let g = self.skip_mlp.forward(&features)?;
        let g = g.reshape((b, l, SKIP))?.transpose(1, 2)?.contiguous()?;
        let weighted = (g.matmul(&views.contiguous()?)? / l as f64)?;
        let mut channels = Vec::with_capacity(3);
        match (&self.prior, prior) {
            (Some(_), Some(p)) => channels.push(p.clone()),
            (Some(_), None) => candle_core::bail!("this network needs the prior's estimate"),
            (None, _) => {}
        }
        if let Some(field) = &self.lead_field {
            channels.push(field.estimate(views, pairs)?);
        }
        channels.push(weighted);
        Tensor::cat(&channels, 1)
    }

    /// The linear prior, in networks that have one.
    pub fn prior(&self) -> Option<&LeadPrior> {
        self.prior.as_ref()
    }

    /// The linear prior, to attach what is not stored (record names in training).
    pub fn prior_mut(&mut self) -> Option<&mut LeadPrior> {
        self.prior.as_mut()
    }

    /// The optional parts this network has.
    pub fn shape(&self) -> NetShape {
        NetShape {
            lead_field: self.lead_field.is_some(),
            gates: self.gates.is_some(),
            prior: self.prior.is_some(),
        }
    }

    /// Channels [`NefNet::skip`] returns.
    pub fn skip_channels(&self) -> usize {
        SKIP + usize::from(self.lead_field.is_some()) + usize::from(self.prior.is_some())
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
        let q = self.query_mlp.forward(query)?.unsqueeze(1)?;
        // Channels last from here: each layer is one matrix product over every view.
        let mut h = m.broadcast_mul(&q)?;
        for conv in &self.dec[..2] {
            h = conv.forward_cl(&upsample2_cl(&h)?)?.relu()?;
        }
        let skip_cl = skip.transpose(1, 2)?.contiguous()?;
        let h = Tensor::cat(&[&upsample2_cl(&h)?, &skip_cl], 2)?;
        let h = self.dec[2].forward_cl(&h)?.relu()?;
        let out = self.dec[3].forward_cl(&h)?.squeeze(2)?;
        let out = (out + skip.narrow(1, 0, 1)?.squeeze(1)?)?;
        match &self.gates {
            Some(gates) => out + (gates.forward_cl(&h)? * skip_cl)?.sum(2)?,
            None => Ok(out),
        }
    }
}

/// Mean absolute error over the samples where `mask` is 1: `a, b, mask [B, T]`.
pub fn masked_mae(a: &Tensor, b: &Tensor, mask: &Tensor) -> Result<Tensor> {
    let total = mask.sum_all()?.maximum(1.0)?;
    ((a - b)?.abs()? * mask)?.sum_all()?.div(&total)
}

/// Floor of the mean squared error in [`masked_log_rmse`] (an RMSE of 0.005 of the inputs'
/// peak, about 5 µV on a 1 mV QRS): below it a view is as good as recorded.
const LOG_RMSE_FLOOR: f64 = 2.5e-5;

/// Mean over the `B` views of `ln RMSE` over the samples where `mask` is 1: `a, b, mask [B, T]`.
pub fn masked_log_rmse(a: &Tensor, b: &Tensor, mask: &Tensor) -> Result<Tensor> {
    let count = mask.sum(1)?.maximum(1.0)?;
    let mse = ((a - b)?.sqr()? * mask)?.sum(1)?.div(&count)?;
    ((mse + LOG_RMSE_FLOOR)?.log()? * 0.5)?.mean_all()
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

    #[test]
    fn shapes_and_size_fit_the_budget() {
        let dev = Device::Cpu;
        let vm = VarMap::new();
        let net = NefNet::new(VarBuilder::from_varmap(&vm, DType::F32, &dev)).unwrap();
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
        let skip = net
            .skip(&views.reshape((b, l, T_X)).unwrap(), &pairs, None)
            .unwrap();
        assert_eq!(skip.dims(), [b, SKIP, T_X]);
        let vm2 = VarMap::new();
        let shape = NetShape {
            lead_field: true,
            gates: true,
            prior: true,
        };
        let with_field =
            NefNet::build(VarBuilder::from_varmap(&vm2, DType::F32, &dev), shape).unwrap();
        let weights: usize = vm2.all_vars().iter().map(|v| v.elem_count()).sum();
        assert!(weights * 4 <= 2 << 20, "{weights} weights exceed 2 MB");
        let prior = Tensor::zeros((b, 1, T_X), DType::F32, &dev).unwrap();
        let skip2 = with_field
            .skip(&views.reshape((b, l, T_X)).unwrap(), &pairs, Some(&prior))
            .unwrap();
        assert_eq!(skip2.dims(), [b, SKIP + 2, T_X]);
        assert!(
            with_field
                .skip(&views.reshape((b, l, T_X)).unwrap(), &pairs, None)
                .is_err()
        );
        let e2 = with_field.encode(&views, &angles, l, &rois).unwrap();
        assert_eq!(
            with_field
                .decode(&e2.zb, &e2.zd, &q, &rois, &skip2)
                .unwrap()
                .dims(),
            [b, T_X]
        );
        assert_eq!(
            net.decode(&e.zb, &e.zd, &q, &rois, &skip).unwrap().dims(),
            [b, T_X]
        );
    }

    #[test]
    fn many_views_from_shared_features_equal_each_view_decoded_alone() {
        let dev = Device::Cpu;
        let vm = VarMap::new();
        let shape = NetShape {
            lead_field: false,
            gates: true,
            prior: true,
        };
        let net = NefNet::build(VarBuilder::from_varmap(&vm, DType::F32, &dev), shape).unwrap();
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
        let skip = net.skip(&all_views, &pairs, Some(&prior)).unwrap();
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
    fn weights_load_with_exactly_the_parts_they_were_trained_with() {
        let dev = Device::Cpu;
        for (lead_field, gates, prior) in [
            (false, false, false),
            (true, false, false),
            (false, true, true),
            (true, true, false),
        ] {
            {
                let shape = NetShape {
                    lead_field,
                    gates,
                    prior,
                };
                let vm = VarMap::new();
                NefNet::build(VarBuilder::from_varmap(&vm, DType::F32, &dev), shape).unwrap();
                let tensors: std::collections::HashMap<String, Tensor> = vm
                    .data()
                    .lock()
                    .unwrap()
                    .iter()
                    .map(|(k, v)| (k.clone(), v.as_tensor().clone()))
                    .collect();
                let vb = VarBuilder::from_tensors(tensors, DType::F32, &dev);
                assert_eq!(NefNet::new(vb).unwrap().shape(), shape);
            }
        }
    }

    #[test]
    fn log_rmse_averages_each_views_log_rmse_over_its_own_samples() {
        let dev = Device::Cpu;
        let a = Tensor::new(&[[1f32, -1.0, 9.0, 9.0], [0.5, 0.5, 0.5, 0.5]], &dev).unwrap();
        let b = Tensor::zeros((2, 4), DType::F32, &dev).unwrap();
        // The first view's last two samples are padding: its RMSE is 1, the second's 0.5.
        let mask = Tensor::new(&[[1f32, 1.0, 0.0, 0.0], [1.0, 1.0, 1.0, 1.0]], &dev).unwrap();
        let got = masked_log_rmse(&a, &b, &mask)
            .unwrap()
            .to_scalar::<f32>()
            .unwrap();
        let want = 0.5 * (0.5 * (1.0 + LOG_RMSE_FLOOR).ln() + 0.5 * (0.25 + LOG_RMSE_FLOOR).ln());
        assert!((f64::from(got) - want).abs() < 1e-6, "{got} vs {want}");
    }

    #[test]
    fn deflection_spans_scale_to_feature_steps() {
        let r = deflection_rois(&CycleBounds::new([0, 64, 128, 192, 256, 320, 512], 513).unwrap());
        assert_eq!(r[0], (0.0, 8.0));
        assert_eq!(r[5], (40.0, 64.0));
    }
}
