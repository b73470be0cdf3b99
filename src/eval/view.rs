//! One view against its recording: how well an engine synthesizes a lead the inputs do not
//! include — PTB's Frank lead vz, a posterior view no standard lead records, from the 12
//! standard leads.
//!
//! Per cycle (P onset through the next P onset, both included) every lead is detrended by the
//! line through its two P onsets; the recorded and the synthesized target are normalised by the
//! min and max over the cycle's recorded inputs and target (the panorama protocol's 12-lead
//! normalisation, with the target among the leads), the prediction clipped to [−0.5, 1.5];
//! PSNR = 20·log10(1/RMSE) and Pearson's r per cycle, averaged over the cycles.

use super::panorama::{Scale, clip, psnr};
use crate::delineate::CycleBounds;
use crate::error::{Error, Result};
use crate::geometry::{lead_view, normalise_lead_name};
use crate::panorama::{CycleInput, Engine};
use crate::record::Record;
use crate::signal::detrend;
use serde::Serialize;

/// The scores of one engine on one target lead.
#[derive(Debug, Clone, Serialize)]
pub struct ViewScore {
    /// Engine name.
    pub engine: String,
    /// Cycles scored.
    pub cycles: usize,
    /// Mean PSNR in dB.
    pub psnr_db: f64,
    /// Mean Pearson correlation between the synthesized and the recorded cycle.
    pub correlation: f64,
    /// Mean RMSE in µV (unclipped, mV).
    pub rmse_uv: f64,
}

/// Pearson's correlation of two equally long signals (0 when either is constant).
pub fn pearson(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len().min(b.len()) as f64;
    let (ma, mb) = (a.iter().sum::<f64>() / n, b.iter().sum::<f64>() / n);
    let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
    for (x, y) in a.iter().zip(b) {
        sab += (x - ma) * (y - mb);
        saa += (x - ma) * (x - ma);
        sbb += (y - mb) * (y - mb);
    }
    if saa <= 0.0 || sbb <= 0.0 {
        0.0
    } else {
        sab / (saa * sbb).sqrt()
    }
}

/// Score `engine` synthesizing `target` from `inputs` over `cycles` of `record`.
pub fn score_view(
    record: &Record,
    cycles: &[CycleBounds],
    inputs: &[&str],
    target: &str,
    engine: &dyn Engine,
) -> Result<ViewScore> {
    let view = lead_view(&normalise_lead_name(target), false)
        .ok_or_else(|| Error::NoViewpoint {
            lead: target.to_string(),
            needed_by: None,
        })?
        .viewpoint;
    let recorded = record.lead(target).ok_or_else(|| Error::MissingLead {
        record: record.name.clone(),
        lead: target.to_string(),
        available: Vec::new(),
    })?;
    let (mut n, mut sum_psnr, mut sum_r, mut sum_rmse) = (0usize, 0.0, 0.0, 0.0);
    for &bounds in cycles {
        let input = CycleInput::from_record(record, inputs, bounds)?;
        let truth = detrend(&recorded.samples[bounds.start()..=bounds.end()]);
        if truth.iter().any(|v| !v.is_finite()) {
            continue;
        }
        let field = engine.encode(&input)?;
        let pred = engine.render(&field, &[view])?.remove(0);
        let (lo, hi) = input
            .leads
            .iter()
            .flat_map(|(_, x)| x.iter())
            .chain(&truth)
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
                (lo.min(v), hi.max(v))
            });
        if hi <= lo {
            continue;
        }
        let scale = Scale { min: lo, max: hi };
        sum_psnr += psnr(&scale.apply(&truth), &clip(&scale.apply(&pred)));
        sum_r += pearson(&pred, &truth);
        let mse = pred
            .iter()
            .zip(&truth)
            .map(|(p, t)| (p - t) * (p - t))
            .sum::<f64>()
            / truth.len() as f64;
        sum_rmse += 1000.0 * mse.sqrt();
        n += 1;
    }
    if n == 0 {
        return Err(Error::Invalid(format!(
            "record {}: no cycle to score",
            record.name
        )));
    }
    Ok(ViewScore {
        engine: engine.name().to_string(),
        cycles: n,
        psnr_db: sum_psnr / n as f64,
        correlation: sum_r / n as f64,
        rmse_uv: sum_rmse / n as f64,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pearson_of_a_line_and_its_mirror() {
        let a: Vec<f64> = (0..50).map(|i| (i as f64 * 0.3).sin()).collect();
        let b: Vec<f64> = a.iter().map(|v| 3.0 * v + 1.0).collect();
        let c: Vec<f64> = a.iter().map(|v| -v).collect();
        assert!((pearson(&a, &b) - 1.0).abs() < 1e-12);
        assert!((pearson(&a, &c) + 1.0).abs() < 1e-12);
        assert_eq!(pearson(&a, &[1.0; 50]), 0.0);
    }
}
