//! The share of the residual network's correction kept, fitted on validation records per
//! input count and for each standard lead alone.

use super::batch::Batcher;
use super::calibration::Calibration;
use super::data::TrainCycle;
use super::nefnet::{NefNet, T_X};
use super::prior::{COMMON_INPUTS, Prior};
use super::train::TrainConfig;
use crate::error::{Error, Result};
use crate::geometry::LEADS;
use candle_core::Device;
use rand::SeedableRng;
use rand::rngs::StdRng;

/// Batches of validation cycles each lone standard lead is calibrated on.
const SINGLE_LEAD_BATCHES: usize = 8;

/// The share of the network's correction to its prior that minimises the mean log RMSE of
/// the queried views of `cycles`, for 1 to 12 input views (index `n − 1`; counts the run never
/// draws take the largest drawn count's share), and for each standard lead alone: the
/// correction is kept where it helps on records the network did not train on, and shrunk
/// where the prior is already better.
pub fn calibrate_residual(
    net: &NefNet,
    prior: &Prior,
    cfg: &TrainConfig,
    cycles: &[TrainCycle],
    device: &Device,
) -> Result<Calibration> {
    let mut out = [1f32; LEADS];
    if cycles.is_empty() {
        return Ok(Calibration {
            residual: out,
            single: None,
            band: None,
        });
    }
    let most = if cfg.targets.iter().all(|s| cfg.inputs.contains(s)) {
        cfg.inputs.len().saturating_sub(1)
    } else {
        cfg.inputs.len()
    };
    let batcher = Batcher::new(prior, cycles, &cfg.targets, device);
    for n in 1..=most.min(LEADS) {
        let mut rng = StdRng::seed_from_u64(cfg.seed ^ 0xCA11 ^ n as u64);
        // Random sets of n leads, and the common set of that size when there is one.
        let mut sets: Vec<Vec<usize>> = vec![cfg.inputs.clone(); 6];
        for set in COMMON_INPUTS.iter().filter(|s| s.len() == n) {
            if set.iter().all(|s| cfg.inputs.contains(s)) {
                sets.extend(std::iter::repeat_n(set.to_vec(), 6));
            }
        }
        if let Some(share) = best_share(net, &batcher, cfg.batch, n, &sets, &mut rng)? {
            out[n - 1] = share;
        }
    }
    // Counts the run never draws take the share of the largest count it draws.
    if (1..LEADS).contains(&most) {
        let last = out[most - 1];
        out[most..].iter_mut().for_each(|v| *v = last);
    }
    // Each standard lead alone; a lead the run never feeds takes the share for one input.
    let mut single = [out[0]; LEADS];
    if most >= 1 {
        for (k, share) in single.iter_mut().enumerate() {
            if !cfg.inputs.contains(&k) {
                continue;
            }
            let mut rng = StdRng::seed_from_u64(cfg.seed ^ 0x5106 ^ k as u64);
            let sets = vec![vec![k]; SINGLE_LEAD_BATCHES];
            if let Some(s) = best_share(net, &batcher, cfg.batch, 1, &sets, &mut rng)? {
                *share = s;
            }
        }
    }
    Ok(Calibration {
        residual: out,
        single: Some(single),
        band: None,
    })
}

/// The share (0, 0.1, …, 1) of the correction with the least mean log RMSE over batches of
/// `b` cycles seen from `n` leads of each of `sets`; `None` when nothing was drawn.
fn best_share(
    net: &NefNet,
    batcher: &Batcher,
    b: usize,
    n: usize,
    sets: &[Vec<usize>],
    rng: &mut StdRng,
) -> Result<Option<f32>> {
    let shares: Vec<f32> = (0..=10).map(|i| i as f32 / 10.0).collect();
    let mut score = vec![0f64; shares.len()];
    let mut items = 0usize;
    for inputs in sets {
        let batch = batcher.draw(b, n, inputs, rng)?;
        let prior = &batch.prior;
        let views = batch.views.reshape((b, batch.n_views, T_X))?;
        let enc = net.encode(&batch.views, &batch.view_angles, batch.n_views, &batch.rois)?;
        let skip = net.skip(&views, &batch.pairs, prior)?;
        let full = net.decode(&enc.zb, &enc.zd, &batch.query_angles, &batch.rois, &skip)?;
        let rows = |x: &candle_core::Tensor| x.to_vec2::<f32>().map_err(Error::from);
        let (full, prior, target, mask) = (
            rows(&full)?,
            rows(&prior.squeeze(1)?)?,
            rows(&batch.target)?,
            rows(&batch.mask)?,
        );
        for i in 0..full.len() {
            for (k, &share) in shares.iter().enumerate() {
                let (mut se, mut count) = (0f64, 0f64);
                for j in 0..full[i].len() {
                    if mask[i][j] > 0.0 {
                        let y = prior[i][j] + share * (full[i][j] - prior[i][j]);
                        se += f64::from(y - target[i][j]).powi(2);
                        count += 1.0;
                    }
                }
                score[k] += 0.5 * (se / count.max(1.0) + 2.5e-5).ln();
            }
            items += 1;
        }
    }
    Ok((items > 0).then(|| {
        let best = (0..shares.len())
            .min_by(|&a, &b| score[a].total_cmp(&score[b]))
            .unwrap_or(shares.len() - 1);
        shares[best]
    }))
}
