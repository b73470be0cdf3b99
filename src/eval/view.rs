//! Views against their recordings: how well a method synthesizes leads the inputs do not
//! include — PTB's Frank leads vx, vy, vz (vz a posterior view no standard lead records) from
//! the 12 standard leads.
//!
//! A method is anything that turns one cycle's input leads into views ([`ViewMethod`]): every
//! panorama [`Engine`] ([`EngineMethod`]), and [`KorsRegression`], Kors's matrix projected on
//! the target's viewpoint. All of them are scored by [`score_views`], so they see the same
//! cycles and the same inputs and are measured the same way.
//!
//! Per cycle (P onset through the next P onset, both included) every lead is detrended by the
//! line through its two P onsets; the recorded and the synthesized target are normalised by the
//! min and max over the cycle's recorded inputs and target (the panorama protocol's 12-lead
//! normalisation, with the target among the leads), the prediction clipped to [−0.5, 1.5];
//! PSNR = 20·log10(1/RMSE) and Pearson's r per cycle, averaged over the cycles; RMSE in µV is
//! taken on the detrended signals in mV, unclipped.

use super::panorama::{Scale, clip, psnr};
use crate::delineate::CycleBounds;
use crate::error::{Error, Result};
use crate::geometry::{
    KORS_INPUTS, StdLead, Viewpoint, kors_weights, lead_view, normalise_lead_name,
};
use crate::panorama::{CycleInput, Engine, exact_lead};
use crate::record::Record;
use crate::signal::detrend;
use serde::Serialize;

/// Frank's orthogonal leads, in the order they are scored.
pub const FRANK_LEADS: [&str; 3] = ["vx", "vy", "vz"];

/// The scores of one method on one target lead.
#[derive(Debug, Clone, Serialize)]
pub struct ViewScore {
    /// The recorded lead synthesized (canonical name).
    pub target: String,
    /// Method name: an engine's ("nefnet", "dipole") or "kors".
    pub method: String,
    /// Cycles scored.
    pub cycles: usize,
    /// Mean PSNR in dB.
    pub psnr_db: f64,
    /// Mean Pearson correlation between the synthesized and the recorded cycle.
    pub correlation: f64,
    /// Mean RMSE in µV (unclipped, mV).
    pub rmse_uv: f64,
}

/// A way to synthesize views of one cycle from its input leads, scored by [`score_views`].
pub trait ViewMethod {
    /// The name shown in the table.
    fn label(&self) -> String;

    /// Why the method cannot work from the input leads `inputs` (canonical names), or `None`
    /// when it can.
    fn unavailable(&self, inputs: &[&str]) -> Option<String> {
        let _ = inputs;
        None
    }

    /// One signal per viewpoint, in order, each as long as the cycle, in mV, from the cycle's
    /// detrended input leads.
    fn synthesize(&self, input: &CycleInput, views: &[Viewpoint]) -> Result<Vec<Vec<f64>>>;
}

/// A panorama engine as a view method: each cycle encoded once, then rendered from the views.
#[derive(Clone, Copy)]
pub struct EngineMethod<'a>(pub &'a dyn Engine);

impl ViewMethod for EngineMethod<'_> {
    fn label(&self) -> String {
        self.0.name().to_string()
    }

    fn synthesize(&self, input: &CycleInput, views: &[Viewpoint]) -> Result<Vec<Vec<f64>>> {
        let field = self.0.encode(input)?;
        self.0.render(&field, views)
    }
}

/// Kors's regression (Kors et al., 1990): the heart vector from I, II and V1–V6 by Kors's
/// matrix, projected on each view ([`kors_weights`]). At Frank's own directions this is Kors's
/// estimate of vx, vy and vz.
#[derive(Debug, Clone, Copy, Default)]
pub struct KorsRegression;

impl ViewMethod for KorsRegression {
    fn label(&self) -> String {
        "kors".to_string()
    }

    fn unavailable(&self, inputs: &[&str]) -> Option<String> {
        let missing: Vec<&str> = KORS_INPUTS
            .iter()
            .map(|l| l.name())
            .filter(|name| !inputs.contains(name))
            .collect();
        (!missing.is_empty()).then(|| {
            format!(
                "Kors's matrix reads I, II and V1–V6; the inputs lack {}",
                missing.join(", ")
            )
        })
    }

    fn synthesize(&self, input: &CycleInput, views: &[Viewpoint]) -> Result<Vec<Vec<f64>>> {
        let names: Vec<&str> = input.leads.iter().map(|(n, _)| n.as_str()).collect();
        if let Some(why) = self.unavailable(&names) {
            return Err(Error::Invalid(why));
        }
        let columns: Vec<(usize, &[f64])> = KORS_INPUTS
            .iter()
            .filter_map(|l| {
                let (_, x) = input.leads.iter().find(|(n, _)| n == l.name())?;
                Some((l.index(), x.as_slice()))
            })
            .collect();
        Ok(views
            .iter()
            .map(|&view| {
                let w = kors_weights(view);
                (0..input.samples())
                    .map(|t| columns.iter().map(|&(slot, x)| w[slot] * x[t]).sum())
                    .collect()
            })
            .collect())
    }
}

/// The Frank leads `record` holds, in [`FRANK_LEADS`] order; an error naming the leads it has
/// when there is none.
pub fn frank_targets(record: &Record) -> Result<Vec<String>> {
    let found: Vec<String> = FRANK_LEADS
        .iter()
        .filter(|name| record.lead(name).is_some())
        .map(|name| name.to_string())
        .collect();
    if found.is_empty() {
        let has: Vec<String> = record
            .leads
            .iter()
            .map(|l| {
                if l.raw_name.eq_ignore_ascii_case(&l.name) {
                    l.name.clone()
                } else {
                    format!("{} ({})", l.name, l.raw_name)
                }
            })
            .collect();
        return Err(Error::Invalid(format!(
            "record {} has no Frank lead ({}) to score; it has {}: name the lead(s) to \
             synthesize with --target",
            record.name,
            FRANK_LEADS.join(", "),
            has.join(", ")
        )));
    }
    Ok(found)
}

/// The standard lead whose table viewpoint `target` shares, when the inputs `inputs` fix that
/// view exactly: the engines then return the inputs' signal there ([`exact_lead`]) instead of
/// synthesizing it. In the lead table vx looks from I's viewpoint and vy from aVF's.
pub fn exact_stand_in(target: &str, inputs: &[&str]) -> Option<&'static str> {
    let view = lead_view(&normalise_lead_name(target), false)?.viewpoint;
    let lead = StdLead::ALL
        .into_iter()
        .find(|l| l.name() != target && l.viewpoint().angle_to(&view) < 1e-9)?;
    let named: Vec<(String, Vec<f64>)> =
        inputs.iter().map(|n| (n.to_string(), Vec::new())).collect();
    exact_lead(&named, &view).map(|_| lead.name())
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

/// Running sums of one target's per-cycle scores.
#[derive(Default)]
struct Sums {
    cycles: usize,
    psnr: f64,
    r: f64,
    rmse_uv: f64,
}

impl Sums {
    /// Add one cycle: `truth` the recorded target, `pred` the synthesized one (both detrended,
    /// mV), normalised by the cycle's inputs and truth. A flat cycle is left out.
    fn add(&mut self, input: &CycleInput, truth: &[f64], pred: &[f64]) {
        let (lo, hi) = input
            .leads
            .iter()
            .flat_map(|(_, x)| x.iter())
            .chain(truth)
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
                (lo.min(v), hi.max(v))
            });
        if hi <= lo {
            return;
        }
        let scale = Scale { min: lo, max: hi };
        self.psnr += psnr(&scale.apply(truth), &clip(&scale.apply(pred)));
        self.r += pearson(pred, truth);
        let mse = pred
            .iter()
            .zip(truth)
            .map(|(p, t)| (p - t) * (p - t))
            .sum::<f64>()
            / truth.len() as f64;
        self.rmse_uv += 1000.0 * mse.sqrt();
        self.cycles += 1;
    }
}

/// Score `method` synthesizing each of `targets` (recorded leads of `record` with a known
/// viewpoint) from `inputs` over `cycles`: one score per target, in order. Each cycle is
/// synthesized once for all targets; a cycle where a target has a missing sample is left out
/// for that target.
pub fn score_views(
    record: &Record,
    cycles: &[CycleBounds],
    inputs: &[&str],
    targets: &[&str],
    method: &dyn ViewMethod,
) -> Result<Vec<ViewScore>> {
    if let Some(why) = method.unavailable(inputs) {
        return Err(Error::Invalid(why));
    }
    let mut views = Vec::with_capacity(targets.len());
    let mut recorded = Vec::with_capacity(targets.len());
    for &target in targets {
        views.push(
            lead_view(&normalise_lead_name(target), false)
                .ok_or_else(|| Error::NoViewpoint {
                    lead: target.to_string(),
                    needed_by: None,
                })?
                .viewpoint,
        );
        recorded.push(record.lead(target).ok_or_else(|| Error::MissingLead {
            record: record.name.clone(),
            lead: target.to_string(),
            available: record.leads.iter().map(|l| l.name.clone()).collect(),
        })?);
    }
    let mut sums: Vec<Sums> = targets.iter().map(|_| Sums::default()).collect();
    for &bounds in cycles {
        let input = CycleInput::from_record(record, inputs, bounds)?;
        let preds = method.synthesize(&input, &views)?;
        for ((lead, pred), sum) in recorded.iter().zip(&preds).zip(&mut sums) {
            let truth = detrend(&lead.samples[bounds.start()..=bounds.end()]);
            if truth.iter().all(|v| v.is_finite()) {
                sum.add(&input, &truth, pred);
            }
        }
    }
    targets
        .iter()
        .zip(sums)
        .map(|(target, s)| {
            if s.cycles == 0 {
                return Err(Error::Invalid(format!(
                    "record {}: no cycle to score {target}",
                    record.name
                )));
            }
            let n = s.cycles as f64;
            Ok(ViewScore {
                target: target.to_string(),
                method: method.label(),
                cycles: s.cycles,
                psnr_db: s.psnr / n,
                correlation: s.r / n,
                rmse_uv: s.rmse_uv / n,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geometry::STANDARD_12;
    use crate::record::Lead;

    #[test]
    fn pearson_of_a_line_and_its_mirror() {
        let a: Vec<f64> = (0..50).map(|i| (i as f64 * 0.3).sin()).collect();
        let b: Vec<f64> = a.iter().map(|v| 3.0 * v + 1.0).collect();
        let c: Vec<f64> = a.iter().map(|v| -v).collect();
        assert!((pearson(&a, &b) - 1.0).abs() < 1e-12);
        assert!((pearson(&a, &c) + 1.0).abs() < 1e-12);
        assert_eq!(pearson(&a, &[1.0; 50]), 0.0);
    }

    const N: usize = 600;

    /// Twelve standard leads of smooth made-up waves plus `extra` leads, in mV.
    fn record(extra: &[(&str, Vec<f64>)]) -> Record {
        let mut leads: Vec<Lead> = STANDARD_12
            .iter()
            .enumerate()
            .map(|(k, name)| {
                let x = (0..N)
                    .map(|i| {
                        let t = i as f64 / 100.0;
                        (t * (1.0 + 0.3 * k as f64)).sin() + 0.2 * (t * 7.0 + k as f64).cos()
                    })
                    .collect();
                Lead::new(name, x, false)
            })
            .collect();
        leads.extend(extra.iter().map(|(n, x)| Lead::new(n, x.clone(), false)));
        Record {
            name: "made-up".into(),
            fs: 500.0,
            leads,
            comments: Vec::new(),
            notes: Vec::new(),
        }
    }

    fn cycles() -> Vec<CycleBounds> {
        vec![
            CycleBounds::new([10, 40, 80, 120, 160, 220, 290], N).unwrap(),
            CycleBounds::new([290, 320, 360, 400, 440, 500, 580], N).unwrap(),
        ]
    }

    /// vz exactly as Kors's matrix gives it from the record's leads.
    fn kors_vz(base: &Record) -> Vec<f64> {
        let w = kors_weights(
            lead_view(&normalise_lead_name("vz"), false)
                .unwrap()
                .viewpoint,
        );
        (0..N)
            .map(|i| {
                STANDARD_12
                    .iter()
                    .enumerate()
                    .map(|(k, n)| w[k] * base.lead(n).unwrap().samples[i])
                    .sum()
            })
            .collect()
    }

    #[test]
    fn kors_scores_its_own_projection_perfectly_and_skips_cycles_with_gaps() {
        let mut vz = kors_vz(&record(&[]));
        let rec = record(&[("vz", vz.clone())]);
        let score = |rec: &Record| {
            score_views(rec, &cycles(), &STANDARD_12, &["vz"], &KorsRegression)
                .unwrap()
                .remove(0)
        };
        let s = score(&rec);
        assert_eq!((s.target.as_str(), s.method.as_str()), ("vz", "kors"));
        assert_eq!(s.cycles, 2);
        assert!(s.correlation > 1.0 - 1e-9 && s.rmse_uv < 1e-6, "{s:?}");
        vz[300] = f64::NAN;
        assert_eq!(score(&record(&[("vz", vz)])).cycles, 1);
    }

    #[test]
    fn kors_needs_its_eight_leads() {
        let inputs = ["I", "II", "V2", "V5"];
        let why = KorsRegression.unavailable(&inputs).unwrap();
        assert!(why.contains("V1, V3, V4, V6"), "{why}");
        assert_eq!(KorsRegression.unavailable(&STANDARD_12), None);
        let rec = record(&[("vz", vec![0.0; N])]);
        assert!(score_views(&rec, &cycles(), &inputs, &["vz"], &KorsRegression).is_err());
    }

    #[test]
    fn frank_targets_in_order_or_an_error_naming_the_leads() {
        let rec = record(&[("Z", vec![0.0; N]), ("vx", vec![0.0; N])]);
        assert_eq!(frank_targets(&rec).unwrap(), ["vx", "vz"]);
        let err = frank_targets(&record(&[("MLII", vec![0.0; N])]))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("no Frank lead") && err.contains("aVF, V1") && err.contains("II (MLII)"),
            "{err}"
        );
    }

    #[test]
    fn vx_and_vy_stand_where_i_and_avf_do() {
        assert_eq!(exact_stand_in("vx", &STANDARD_12), Some("I"));
        assert_eq!(exact_stand_in("vy", &STANDARD_12), Some("aVF"));
        // aVF from two other limb leads, as the engines derive it.
        assert_eq!(exact_stand_in("vy", &["I", "II", "V1"]), Some("aVF"));
        assert_eq!(exact_stand_in("vz", &STANDARD_12), None);
        assert_eq!(exact_stand_in("vx", &["V1", "V2", "V5"]), None);
    }
}
