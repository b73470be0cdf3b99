//! Nef-Net's training objective: the MAE of the queried view plus the Standin loss (paper,
//! Eq. 3–4), which pulls decodings from one view's representations toward the stop-gradient
//! decoding from the averaged ones.

use super::nefnet::{DEFLECTIONS, NefNet, masked_mae};
use candle_core::{Result, Tensor};

/// One training batch of `B` cycles with `L` input views each and one queried view each.
pub struct NefBatch {
    /// Input views `[B·L, T_X]`, normalised, view-major within each cycle.
    pub views: Tensor,
    /// Their Angular Encodings `[B·L, 12]`.
    pub view_angles: Tensor,
    /// Input views per cycle.
    pub n_views: usize,
    /// Deflection spans in feature steps, `B·6`.
    pub rois: Vec<(f32, f32)>,
    /// Angular Encodings of the queried views `[B, 12]`.
    pub query_angles: Tensor,
    /// For each input view, the query's Angular Encoding then its own, `[B, L, 24]`.
    pub pairs: Tensor,
    /// The queried views `[B, T_X]`, normalised like the inputs.
    pub target: Tensor,
    /// 1 on samples of the cycle, 0 on padding `[B, T_X]`.
    pub mask: Tensor,
    /// The linear prior's estimate of each queried view `[B, 1, T_X]`.
    pub prior: Tensor,
    /// For each cycle, which of its views stands in for the average in the Standin loss.
    pub standin_view: Vec<u32>,
}

/// The loss terms of one step.
pub struct Losses {
    /// What the optimiser minimises: the reconstruction MAE plus the Standin term.
    pub total: Tensor,
    /// Reconstruction MAE of the queried view.
    pub mae: f32,
    /// Standin loss through one view's basic representation.
    pub standin: f32,
}

/// Compute the training loss. The Standin terms use one randomly chosen view per cycle (an
/// unbiased estimate of the paper's average over all views, at a third of its cost).
pub fn training_loss(net: &NefNet, batch: &NefBatch) -> Result<Losses> {
    let enc = net.encode(&batch.views, &batch.view_angles, batch.n_views, &batch.rois)?;
    let (bl, t) = batch.views.dims2()?;
    let views = batch
        .views
        .reshape((bl / batch.n_views, batch.n_views, t))?;
    let skip = net.skip(&views, &batch.pairs, &batch.prior)?;
    let full = net.decode(&enc.zb, &enc.zd, &batch.query_angles, &batch.rois, &skip)?;
    let mae = masked_mae(&full, &batch.target, &batch.mask)?;
    let mae_value = mae.to_scalar::<f32>()?;
    if batch.n_views < 2 {
        return Ok(Losses {
            total: mae,
            mae: mae_value,
            standin: 0.0,
        });
    }
    let picks: Vec<u32> = batch
        .standin_view
        .iter()
        .enumerate()
        .map(|(b, &l)| (b * batch.n_views) as u32 + l)
        .collect();
    let idx = Tensor::new(picks.as_slice(), full.device())?;
    let zb_one = enc.zb_views.index_select(&idx, 0)?;
    let zd_one = enc.zd_views.index_select(&idx, 0)?;
    let anchor = full.detach();
    let from_basic = net.decode(&zb_one, &enc.zd, &batch.query_angles, &batch.rois, &skip)?;
    let from_deflections = net.decode(&enc.zb, &zd_one, &batch.query_angles, &batch.rois, &skip)?;
    let lb = masked_mae(&from_basic, &anchor, &batch.mask)?;
    let ld = masked_mae(&from_deflections, &anchor, &batch.mask)?;
    let standin = ((lb + ld)? * 0.5)?;
    let total = (&mae + &standin)?;
    Ok(Losses {
        mae: mae_value,
        standin: standin.to_scalar::<f32>()?,
        total,
    })
}

/// Number of deflection spans a batch of `b` cycles must carry.
pub fn rois_len(b: usize) -> usize {
    b * DEFLECTIONS
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::delineate::CycleBounds;
    use crate::geometry::{LEADS, STANDARD_12, lead_view, normalise_lead_name};
    use crate::model::angular::{ANGULAR_FEATURES, angular_features};
    use crate::model::nefnet::{T_X, deflection_rois};
    use candle_core::{DType, Device};
    use candle_nn::{AdamW, Optimizer, ParamsAdamW, VarBuilder, VarMap};
    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};

    /// Cycles of a moving dipole (Gaussian lobes at P, QRS and T), seen from standard leads.
    fn dipole_batch(rng: &mut StdRng, b: usize, inputs: &[&str], dev: &Device) -> NefBatch {
        let dirs: Vec<glam::DVec3> = STANDARD_12
            .iter()
            .map(|n| {
                lead_view(&normalise_lead_name(n), false)
                    .unwrap()
                    .viewpoint
                    .unit_vector()
            })
            .collect();
        let (mut views, mut angles, mut rois, mut q_angles, mut target, mut mask) =
            (vec![], vec![], vec![], vec![], vec![], vec![]);
        let mut standin = vec![];
        let mut pairs: Vec<f32> = vec![];
        for _ in 0..b {
            let len = rng.random_range(350..500);
            let lobes: Vec<(f64, f64, glam::DVec3)> = [(0.08, 0.02), (0.3, 0.012), (0.6, 0.05)]
                .iter()
                .map(|&(c, w)| {
                    let d = glam::DVec3::new(
                        rng.random_range(-1.0..1.0),
                        rng.random_range(-1.0..1.0),
                        rng.random_range(-1.0..1.0),
                    );
                    (c * len as f64, w * len as f64, d)
                })
                .collect();
            let signal = |dir: glam::DVec3| -> Vec<f32> {
                (0..T_X)
                    .map(|t| {
                        if t >= len {
                            return 0.0;
                        }
                        lobes
                            .iter()
                            .map(|(c, w, d)| {
                                d.dot(dir) * (-(t as f64 - c).powi(2) / (2.0 * w * w)).exp()
                            })
                            .sum::<f64>() as f32
                    })
                    .collect()
            };
            for name in inputs {
                let k = STANDARD_12.iter().position(|n| n == name).unwrap();
                views.extend(signal(dirs[k]));
                let v = lead_view(&normalise_lead_name(name), false)
                    .unwrap()
                    .viewpoint;
                angles.extend(angular_features(v.theta, v.phi));
            }
            let q = rng.random_range(0..LEADS);
            target.extend(signal(dirs[q]));
            let v = lead_view(&normalise_lead_name(STANDARD_12[q]), false)
                .unwrap()
                .viewpoint;
            let qa = angular_features(v.theta, v.phi);
            q_angles.extend(qa);
            let n = inputs.len();
            let own = angles[angles.len() - n * ANGULAR_FEATURES..].to_vec();
            for view in own.chunks(ANGULAR_FEATURES) {
                pairs.extend(qa);
                pairs.extend_from_slice(view);
            }
            mask.extend((0..T_X).map(|t| if t < len { 1f32 } else { 0.0 }));
            let f = |x: f64| (x * len as f64) as usize;
            let bounds = [0, f(0.14), f(0.25), f(0.36), f(0.45), f(0.75), len];
            rois.extend(deflection_rois(&CycleBounds::new(bounds, len + 1).unwrap()));
            standin.push(rng.random_range(0..inputs.len() as u32));
        }
        let n = inputs.len();
        NefBatch {
            views: Tensor::from_vec(views, (b * n, T_X), dev).unwrap(),
            view_angles: Tensor::from_vec(angles, (b * n, ANGULAR_FEATURES), dev).unwrap(),
            n_views: n,
            rois,
            query_angles: Tensor::from_vec(q_angles, (b, ANGULAR_FEATURES), dev).unwrap(),
            pairs: Tensor::from_vec(pairs, (b, n, 24), dev).unwrap(),
            target: Tensor::from_vec(target, (b, T_X), dev).unwrap(),
            mask: Tensor::from_vec(mask, (b, T_X), dev).unwrap(),
            prior: Tensor::zeros((b, 1, T_X), DType::F32, dev).unwrap(),
            standin_view: standin,
        }
    }

    #[test]
    fn a_tiny_training_run_lowers_the_loss() {
        let dev = Device::Cpu;
        let vm = VarMap::new();
        let net =
            NefNet::new(VarBuilder::from_varmap(&vm, DType::F32, &dev).pp("residual")).unwrap();
        let mut opt = AdamW::new(
            vm.all_vars(),
            ParamsAdamW {
                lr: 2e-3,
                ..Default::default()
            },
        )
        .unwrap();
        let mut rng = StdRng::seed_from_u64(7);
        let eval = dipole_batch(&mut rng, 8, &["II", "V2", "V5"], &dev);
        let before = training_loss(&net, &eval).unwrap().mae;
        for _ in 0..80 {
            let batch = dipole_batch(&mut rng, 4, &["II", "V2", "V5"], &dev);
            let l = training_loss(&net, &batch).unwrap();
            assert!(l.standin.is_finite());
            opt.backward_step(&l.total).unwrap();
        }
        let after = training_loss(&net, &eval).unwrap().mae;
        // The weights start at random (candle cannot seed its CPU generator), so the first
        // MAE varies tenfold between runs; a flat output's MAE is the fixed yardstick.
        let flat = masked_mae(&eval.target.zeros_like().unwrap(), &eval.target, &eval.mask)
            .unwrap()
            .to_scalar::<f32>()
            .unwrap();
        eprintln!("MAE {before} → {after} (flat output {flat})");
        assert!(
            after < before && after < 0.85 * flat,
            "MAE {before} → {after} (flat output {flat})"
        );
    }
}
