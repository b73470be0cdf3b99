//! What normal records score: the reference a record's anomaly map is read against, fitted
//! only on records labelled normal.

use super::AnomalyMap;
use super::phase::Phase;
use super::shapes::ShapeBank;
use super::swaps::{Evidence, Swap, SwapCheck};
use crate::error::{Error, Result};
use crate::record::Record;
use serde::{Deserialize, Serialize};

/// The shipped reference (`models/anomaly-normal.json`), built into the program.
static DEFAULT: &str = include_str!("../../models/anomaly-normal.json");

/// Per lead, the log lead score of normal records (mean and SD), and the swap threshold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NormalModel {
    /// Where it was fitted (database, split, label), for the model card.
    pub fitted_on: String,
    /// Normal records it was fitted on.
    pub records: usize,
    /// Lead names.
    pub leads: Vec<String>,
    /// Mean of ln(lead score) per lead.
    pub mean_log: Vec<f64>,
    /// SD of ln(lead score) per lead.
    pub sd_log: Vec<f64>,
    /// The swap evidence above which a swap is suspected: the 99th percentile of normal
    /// records' best (a false warning sends a technician to electrodes that are right).
    pub swap_threshold: f64,
    /// How the leads' z make the record score, chosen on the training records.
    #[serde(default)]
    pub aggregate: Aggregate,
    /// Per lead, the log score of normal records over the QRS and over ST–T.
    #[serde(default)]
    pub phases: Vec<PhaseReference>,
    /// Which z values the record score reads, chosen on the training records.
    #[serde(default)]
    pub features: Features,
    /// How a swap check reads its evidence (the threshold is that method's), chosen on
    /// swaps simulated on normal training records.
    #[serde(default)]
    pub swap_evidence: Evidence,
    /// The normal-shape restoration: its bank of normal records and what they score.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shapes: Option<ShapeReference>,
}

/// The normal-shape restoration's reference ([`super::shapes`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShapeReference {
    /// Mean of ln(lead shape score) per lead over the normal records, each restored without
    /// itself, in the order of [`NormalModel::leads`].
    pub mean_log: Vec<f64>,
    /// SD of ln(lead shape score) per lead.
    pub sd_log: Vec<f64>,
    /// Per wave (P, QRS, T), the mean of ln(lead wave score) per lead.
    #[serde(default)]
    pub wave_mean_log: Vec<Vec<f64>>,
    /// Per wave, the SD of ln(lead wave score) per lead.
    #[serde(default)]
    pub wave_sd_log: Vec<Vec<f64>>,
    /// The normal records the shapes are restored from.
    pub bank: ShapeBank,
}

/// What normal records score over one part of the cycle (see [`Phase`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PhaseReference {
    /// The part of the cycle.
    pub phase: Phase,
    /// Mean of ln(phase score) per lead, in the order of [`NormalModel::leads`].
    pub mean_log: Vec<f64>,
    /// SD of ln(phase score) per lead.
    pub sd_log: Vec<f64>,
}

/// Which z values make the record score.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Features {
    /// One per lead, over the whole cycle.
    #[default]
    Cycle,
    /// Three per lead: the whole cycle, the QRS and ST–T.
    Phases,
    /// Three per lead: its P, QRS and T shapes against their normal restoration
    /// ([`super::shapes`]).
    Shapes,
    /// Both restorations alike: the mean of the `Phases` score and the `Shapes` score.
    PhasesAndShapes,
}

impl Features {
    /// Every choice, in the order tried.
    pub const ALL: [Features; 4] = [
        Features::Cycle,
        Features::Phases,
        Features::Shapes,
        Features::PhasesAndShapes,
    ];
}

/// How a record's lead z values make its score.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Aggregate {
    /// The mean over the leads: a departure spread over the whole record.
    #[default]
    Mean,
    /// The mean of the three highest: a departure in a few leads (an infarct's territory).
    Top3,
    /// The highest.
    Max,
}

impl Aggregate {
    /// Every aggregate, in the order tried.
    pub const ALL: [Aggregate; 3] = [Aggregate::Mean, Aggregate::Top3, Aggregate::Max];

    /// What the score is, in words.
    pub fn describe(self) -> &'static str {
        match self {
            Aggregate::Mean => "the mean z of the leads",
            Aggregate::Top3 => "the mean z of the three most unusual leads",
            Aggregate::Max => "the z of the most unusual lead",
        }
    }

    /// The score of lead values `z`.
    pub fn of(self, mut z: Vec<f64>) -> f64 {
        z.retain(|v| v.is_finite());
        if z.is_empty() {
            return f64::NAN;
        }
        z.sort_by(|a, b| b.total_cmp(a));
        let k = match self {
            Aggregate::Mean => z.len(),
            Aggregate::Top3 => z.len().min(3),
            Aggregate::Max => 1,
        };
        z[..k].iter().sum::<f64>() / k as f64
    }
}

impl NormalModel {
    /// The shipped reference.
    pub fn load_default() -> Result<Self> {
        serde_json::from_str(DEFAULT)
            .map_err(|e| Error::Invalid(format!("models/anomaly-normal.json: {e}")))
    }

    /// Fit on the maps of normal records (the swap threshold is set apart:
    /// [`Self::fit_swap_threshold`]).
    pub fn fit(fitted_on: &str, maps: &[AnomalyMap]) -> Result<Self> {
        let leads: Vec<String> = crate::geometry::STANDARD_12
            .iter()
            .map(|s| s.to_string())
            .collect();
        let reference = |phase: Phase| -> Result<PhaseReference> {
            let (mean_log, sd_log) = log_reference(&leads, "score", |l| {
                maps.iter()
                    .filter_map(|m| m.phase_score(l, phase))
                    .filter(|s| *s > 0.0)
                    .collect()
            })?;
            Ok(PhaseReference {
                phase,
                mean_log,
                sd_log,
            })
        };
        let cycle = reference(Phase::Cycle)?;
        let phases = vec![reference(Phase::Qrs)?, reference(Phase::StT)?];
        let (mean_log, sd_log) = (cycle.mean_log, cycle.sd_log);
        Ok(Self {
            fitted_on: fitted_on.to_string(),
            records: maps.len(),
            leads,
            mean_log,
            sd_log,
            swap_threshold: f64::INFINITY,
            aggregate: Aggregate::Mean,
            phases,
            features: Features::Cycle,
            swap_evidence: Evidence::AllLeads,
            shapes: None,
        })
    }

    /// Restore normal records' shapes with `bank`: `maps` are their anomaly maps with the
    /// shape scores attached, each made without its own record in the bank.
    pub fn fit_shapes(&mut self, bank: ShapeBank, maps: &[AnomalyMap]) -> Result<()> {
        let (mean_log, sd_log) = log_reference(&self.leads, "have a shape score for", |l| {
            maps.iter().filter_map(|m| m.shape_score(l)).collect()
        })?;
        let (mut wave_mean_log, mut wave_sd_log) = (Vec::new(), Vec::new());
        for wave in 0..3 {
            let (m, sd) = log_reference(&self.leads, "have a wave shape score for", |l| {
                maps.iter()
                    .filter_map(|m| m.shape_wave_score(l, wave))
                    .collect()
            })?;
            wave_mean_log.push(m);
            wave_sd_log.push(sd);
        }
        self.shapes = Some(ShapeReference {
            mean_log,
            sd_log,
            wave_mean_log,
            wave_sd_log,
            bank,
        });
        Ok(())
    }

    /// Attach the normal-shape restoration's scores of `record` to its `map` (nothing when
    /// this reference has no bank).
    pub fn attach_shapes(&self, map: &mut AnomalyMap, record: &Record) {
        if let Some(s) = &self.shapes {
            map.shapes = Some(s.bank.score(record, map, None));
        }
    }

    /// Read swaps by `how`, warning above the 99th percentile of the best evidence in the
    /// normal records' `checks` (made by `how`).
    pub fn fit_swap_threshold(&mut self, how: Evidence, checks: &[SwapCheck]) {
        let mut top: Vec<f64> = checks
            .iter()
            .filter_map(|c| c.best().map(|b| b.1))
            .collect();
        top.sort_by(f64::total_cmp);
        self.swap_evidence = how;
        self.swap_threshold = top
            .get(((top.len() as f64) * 0.99) as usize)
            .or(top.last())
            .copied()
            .unwrap_or(f64::INFINITY);
    }

    /// What the record score is, in words.
    pub fn describe(&self) -> String {
        self.describe_features(self.features)
    }

    /// What `map`'s record score is, in words (see [`Self::features_for`]).
    pub fn describe_for(&self, map: &AnomalyMap) -> String {
        let f = self.features_for(map);
        let words = self.describe_features(f);
        if f == self.features {
            words
        } else {
            format!("{words}; the shape reference needs the 12 standard leads")
        }
    }

    /// The z values `map`'s record score reads: the chosen ones, except that a record without
    /// the 12 standard leads is read on the engine's map. The shape reference was fitted on
    /// 12-lead restorations (II from V1–V6, …); restored from fewer inputs, a normal record's
    /// shapes depart more, while the engine's band is calibrated for the inputs at hand.
    pub fn features_for(&self, map: &AnomalyMap) -> Features {
        let twelve = crate::geometry::STANDARD_12
            .iter()
            .all(|n| map.leads.iter().any(|l| l == n));
        match self.features {
            Features::Shapes | Features::PhasesAndShapes if !twelve => Features::Phases,
            f => f,
        }
    }

    fn describe_features(&self, features: Features) -> String {
        match features {
            Features::Cycle => self.aggregate.describe().to_string(),
            Features::Phases => match self.aggregate {
                Aggregate::Mean => "the mean z of the leads over the whole cycle, QRS and ST–T",
                Aggregate::Top3 => {
                    "the mean z of the three most unusual of the leads' whole cycles, QRS and ST–T"
                }
                Aggregate::Max => {
                    "the z of the most unusual of the leads' whole cycles, QRS and ST–T"
                }
            }
            .to_string(),
            Features::Shapes => format!(
                "{} (P, QRS and T shapes against their restoration from normal records)",
                self.aggregate.describe()
            ),
            Features::PhasesAndShapes => format!(
                "the mean of two scores, {} for each: the engine's restoration error (whole \
                 cycle, QRS, ST–T) and the P, QRS and T shapes' departure from their normal restoration",
                self.aggregate.describe()
            ),
        }
    }

    /// The swap to warn about: the most likely one when its evidence passes the threshold.
    pub fn suspected(&self, check: &SwapCheck) -> Option<Swap> {
        check
            .best()
            .filter(|(_, e)| *e > self.swap_threshold)
            .map(|(s, _)| s)
    }

    /// Per lead of `map`: how many normal SDs its log score lies above the normal mean.
    pub fn lead_z(&self, map: &AnomalyMap) -> Vec<(String, f64)> {
        self.leads
            .iter()
            .zip(self.mean_log.iter().zip(&self.sd_log))
            .filter_map(|(l, (m, sd))| Some((l.clone(), (map.lead_score(l)?.ln() - m) / sd)))
            .collect()
    }

    /// Per lead of `map`: how many normal SDs its log shape score lies above the normal mean
    /// (empty without shape scores or a shape reference, or when the reference does not apply:
    /// [`Self::features_for`]).
    pub fn shape_z(&self, map: &AnomalyMap) -> Vec<(String, f64)> {
        let Some(r) = &self.shapes else {
            return Vec::new();
        };
        if self.features_for(map) != self.features {
            return Vec::new();
        }
        self.leads
            .iter()
            .zip(r.mean_log.iter().zip(&r.sd_log))
            .filter_map(|(l, (m, sd))| Some((l.clone(), (map.shape_score(l)?.ln() - m) / sd)))
            .collect()
    }

    /// The record score: the z values the model reads for `map` ([`Self::features_for`]),
    /// aggregated as it says (NaN when no lead is scored, or when it reads shapes and `map` has
    /// none attached).
    pub fn record_score(&self, map: &AnomalyMap) -> f64 {
        let phases = || {
            let mut z: Vec<f64> = self.lead_z(map).into_iter().map(|(_, v)| v).collect();
            for r in &self.phases {
                for (l, (m, sd)) in self.leads.iter().zip(r.mean_log.iter().zip(&r.sd_log)) {
                    if let Some(s) = map.phase_score(l, r.phase).filter(|s| *s > 0.0) {
                        z.push((s.ln() - m) / sd);
                    }
                }
            }
            self.aggregate.of(z)
        };
        let shapes = || {
            let mut z = Vec::new();
            if let Some(r) = &self.shapes {
                for (wave, (means, sds)) in r.wave_mean_log.iter().zip(&r.wave_sd_log).enumerate() {
                    for (l, (m, sd)) in self.leads.iter().zip(means.iter().zip(sds)) {
                        if let Some(s) = map.shape_wave_score(l, wave) {
                            z.push((s.ln() - m) / sd);
                        }
                    }
                }
            }
            self.aggregate.of(z)
        };
        match self.features_for(map) {
            Features::Cycle => {
                self.aggregate
                    .of(self.lead_z(map).into_iter().map(|(_, v)| v).collect())
            }
            Features::Phases => phases(),
            Features::Shapes => shapes(),
            Features::PhasesAndShapes => 0.5 * (phases() + shapes()),
        }
    }
}

/// Per lead, the mean and SD of the log of its normal records' scores (`scores(lead)`, all
/// positive); an error names a lead with fewer than five (`what` says what they lack).
fn log_reference(
    leads: &[String],
    what: &str,
    scores: impl Fn(&str) -> Vec<f64>,
) -> Result<(Vec<f64>, Vec<f64>)> {
    let mut mean_log = Vec::new();
    let mut sd_log = Vec::new();
    for l in leads {
        let v: Vec<f64> = scores(l).into_iter().map(f64::ln).collect();
        if v.len() < 5 {
            return Err(Error::Invalid(format!(
                "only {} normal record(s) {what} lead {l}: too few to fit a reference",
                v.len()
            )));
        }
        let (m, sd) = mean_sd(&v).unwrap_or((0.0, 1.0));
        mean_log.push(m);
        sd_log.push(sd.max(1e-3));
    }
    Ok((mean_log, sd_log))
}

/// Mean and sample SD of `v` (none with fewer than two values).
fn mean_sd(v: &[f64]) -> Option<(f64, f64)> {
    if v.len() < 2 {
        return None;
    }
    let m = v.iter().sum::<f64>() / v.len() as f64;
    let sd = (v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (v.len() - 1) as f64).sqrt();
    Some((m, sd))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aggregates_read_the_highest_leads() {
        let z = vec![0.0, 3.0, 1.0, f64::NAN, 2.0];
        assert_eq!(Aggregate::Mean.of(z.clone()), 1.5);
        assert_eq!(Aggregate::Top3.of(z.clone()), 2.0);
        assert_eq!(Aggregate::Max.of(z), 3.0);
        assert!(Aggregate::Max.of(vec![f64::NAN]).is_nan());
    }

    #[test]
    fn a_departure_confined_to_the_qrs_scores_higher_when_phases_are_read() {
        use crate::delineate::CycleBounds;
        let b = CycleBounds::new([0, 40, 60, 110, 150, 250, 400], 500).unwrap();
        let mut s = vec![1.0; 500];
        s[60..=110].fill(8.0);
        let map = AnomalyMap {
            leads: vec!["V2".into()],
            samples: vec![s],
            cycles: vec![b],
            cycle_scores: vec![vec![2.0]],
            lead_scores: vec![2.0],
            unscored: Vec::new(),
            shapes: None,
        };
        let unit = |phase| PhaseReference {
            phase,
            mean_log: vec![0.0; 12],
            sd_log: vec![1.0; 12],
        };
        let mut model = NormalModel {
            fitted_on: "test".into(),
            records: 0,
            leads: crate::geometry::STANDARD_12
                .iter()
                .map(|s| s.to_string())
                .collect(),
            mean_log: vec![0.0; 12],
            sd_log: vec![1.0; 12],
            swap_threshold: 1.0,
            aggregate: Aggregate::Max,
            phases: vec![unit(Phase::Qrs), unit(Phase::StT)],
            features: Features::Cycle,
            swap_evidence: Evidence::AllLeads,
            shapes: None,
        };
        let whole = model.record_score(&map);
        assert!((whole - 2f64.ln()).abs() < 1e-9);
        model.features = Features::Phases;
        assert!((model.record_score(&map) - 8f64.ln()).abs() < 1e-9);
        assert!(model.describe().contains("QRS"));
        // A shape reference fitted on 12-lead restorations does not read a one-lead map: its
        // score stays the engine map's, and says why.
        model.features = Features::Shapes;
        assert_eq!(model.features_for(&map), Features::Phases);
        assert!((model.record_score(&map) - 8f64.ln()).abs() < 1e-9);
        assert!(model.describe_for(&map).contains("12 standard leads"));
        assert!(model.shape_z(&map).is_empty());
    }
}
