//! Where a record departs from what its own leads predict: each lead of each cycle is
//! synthesized from other leads ([`groups`]) and the restoration error, divided by the
//! engine's own 80 % confidence band, is the lead's anomaly score at that sample.
//!
//! A score near or below 1 is what the engine's held-out errors look like; a lead far above
//! its band is unusual — a pathology the model rarely saw, noise, or a misplaced electrode
//! ([`swaps`]). Flat leads and missing samples are marked, never scored as the heart's.

pub mod assess;
pub mod groups;
pub mod normal;
pub mod phase;
pub mod shapes;
pub mod swaps;

use crate::delineate::CycleBounds;
use crate::error::{Error, Result};
use crate::panorama::{CycleInput, Engine};
use crate::record::{Record, finite_span};
use crate::signal::detrend;
use serde::Serialize;

/// The band level the error is divided by.
pub const BAND_LEVEL: f64 = 0.8;
/// Smallest band half-width divided by (mV): below it a band says nothing a recording's noise
/// does not swamp.
pub const FLOOR_MV: f64 = 0.025;
/// A lead whose cycle spans less than this (mV, peak to peak) is flat.
pub const FLAT_MV: f64 = 0.02;

/// Why a lead has no score.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Unscored {
    /// The lead is flat over the record (no electrode contact, or a lead wired to ground).
    Flat,
    /// The lead has no viewpoint (an unknown name): no engine can restore it.
    NoViewpoint,
    /// No other lead restores it.
    Alone,
}

impl Unscored {
    /// Why, in words for messages.
    pub fn reason(&self) -> String {
        match self {
            Unscored::Flat => format!("flat: under {FLAT_MV} mV peak to peak"),
            Unscored::NoViewpoint => {
                "no known viewpoint: an unknown lead name; `convert --leads` names the leads".into()
            }
            Unscored::Alone => "no other lead restores it".into(),
        }
    }
}

/// A record's anomaly map.
#[derive(Debug, Clone, Serialize)]
pub struct AnomalyMap {
    /// The scored leads, in the record's order.
    pub leads: Vec<String>,
    /// Per lead, per record sample: the anomaly score (NaN outside scored cycles).
    #[serde(skip)]
    pub samples: Vec<Vec<f64>>,
    /// The cycles scored.
    #[serde(skip)]
    pub cycles: Vec<CycleBounds>,
    /// Per cycle, per lead: the mean score over the cycle (NaN where it could not be scored).
    pub cycle_scores: Vec<Vec<f64>>,
    /// Per lead: the median of its cycle scores.
    pub lead_scores: Vec<f64>,
    /// Leads left out and why.
    pub unscored: Vec<(String, Unscored)>,
    /// The normal-shape restoration's scores ([`shapes`]), once a normal reference has
    /// attached them ([`normal::NormalModel::attach_shapes`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shapes: Option<shapes::ShapeScores>,
}

impl AnomalyMap {
    /// The mean of the log lead scores: the record's departure, before any normal reference.
    pub fn raw_score(&self) -> f64 {
        let logs: Vec<f64> = self
            .lead_scores
            .iter()
            .filter(|s| s.is_finite() && **s > 0.0)
            .map(|s| s.ln())
            .collect();
        if logs.is_empty() {
            f64::NAN
        } else {
            logs.iter().sum::<f64>() / logs.len() as f64
        }
    }

    /// The normal-shape restoration's score of lead `name`, if attached and scored.
    pub fn shape_score(&self, name: &str) -> Option<f64> {
        let k = self.leads.iter().position(|l| l == name)?;
        let s = self.shapes.as_ref()?;
        s.lead_scores
            .get(k)
            .copied()
            .filter(|v| v.is_finite() && *v > 0.0)
    }

    /// The normal-shape restoration's score of lead `name` over wave `wave` (0 P, 1 QRS, 2 T),
    /// if attached and scored.
    pub fn shape_wave_score(&self, name: &str, wave: usize) -> Option<f64> {
        let k = self.leads.iter().position(|l| l == name)?;
        let s = self.shapes.as_ref()?;
        s.wave_scores
            .get(k)?
            .get(wave)
            .copied()
            .filter(|v| v.is_finite() && *v > 0.0)
    }

    /// The score of lead `name`, if it was scored.
    pub fn lead_score(&self, name: &str) -> Option<f64> {
        let k = self.leads.iter().position(|l| l == name)?;
        self.lead_scores.get(k).copied().filter(|s| s.is_finite())
    }
}

/// True when `x` spans less than [`FLAT_MV`] wherever it is finite (or has no finite sample).
fn flat(x: &[f64]) -> bool {
    finite_span(x).is_none_or(|span| span < FLAT_MV)
}

/// One cycle's scores: per lead its mean (`row`) and its samples from `start`.
struct CycleScores {
    row: Vec<f64>,
    leads: Vec<(usize, usize, Vec<f64>)>,
}

/// Score cycle `b`: restore each group's targets and divide the error by the band.
fn score_cycle(
    engine: &dyn Engine,
    record: &Record,
    plan: &[groups::Group],
    leads: &[String],
    b: CycleBounds,
) -> Result<CycleScores> {
    let mut out = CycleScores {
        row: vec![f64::NAN; leads.len()],
        leads: Vec::new(),
    };
    for g in plan {
        let inputs: Vec<&str> = g.inputs.iter().map(String::as_str).collect();
        let Ok(input) = CycleInput::from_record(record, &inputs, b) else {
            // A cycle with a missing input sample stays unscored.
            continue;
        };
        let field = engine.encode(&input)?;
        let views: Vec<_> = g
            .targets
            .iter()
            .filter_map(|t| record.lead(t)?.view.map(|v| v.viewpoint))
            .collect();
        let restored = engine.render(&field, &views)?;
        let band = engine.band(&field, &views, BAND_LEVEL)?.ok_or_else(|| {
            Error::Invalid(format!(
                "the {} engine has no calibrated band to scale the anomaly map by",
                engine.name()
            ))
        })?;
        for ((t, y), h) in g.targets.iter().zip(&restored).zip(&band) {
            let (Some(k), Some(lead)) = (leads.iter().position(|l| l == t), record.lead(t)) else {
                continue;
            };
            let recorded = detrend(&lead.samples[b.start()..=b.end()]);
            let scores: Vec<f64> = recorded
                .iter()
                .zip(y)
                .zip(h)
                .map(|((r, p), w)| (r - p).abs() / w.max(FLOOR_MV))
                .collect();
            let finite: Vec<f64> = scores.iter().copied().filter(|s| s.is_finite()).collect();
            if !finite.is_empty() {
                out.row[k] = finite.iter().sum::<f64>() / finite.len() as f64;
            }
            out.leads.push((k, b.start(), scores));
        }
    }
    Ok(out)
}

/// The anomaly map of `record`'s `cycles` with `engine` (which must have a calibrated band).
pub fn anomaly_map(
    engine: &dyn Engine,
    record: &Record,
    cycles: &[CycleBounds],
) -> Result<AnomalyMap> {
    let mut unscored = Vec::new();
    let mut usable: Vec<&str> = Vec::new();
    for l in &record.leads {
        if l.view.is_none() {
            unscored.push((l.name.clone(), Unscored::NoViewpoint));
        } else if flat(&l.samples) {
            unscored.push((l.name.clone(), Unscored::Flat));
        } else {
            usable.push(&l.name);
        }
    }
    let plan = groups::groups(&usable);
    let leads: Vec<String> = usable
        .iter()
        .filter(|n| plan.iter().any(|g| g.targets.iter().any(|t| t == *n)))
        .map(|s| s.to_string())
        .collect();
    for n in &usable {
        if !leads.iter().any(|l| l == n) {
            unscored.push((n.to_string(), Unscored::Alone));
        }
    }
    if leads.is_empty() {
        return Err(Error::Invalid(format!(
            "{}: no anomaly map: it needs two or more non-flat leads with a known viewpoint \
             (not scored: {})",
            record.name,
            [Unscored::Flat, Unscored::NoViewpoint, Unscored::Alone]
                .iter()
                .filter_map(|kind| {
                    let names: Vec<&str> = unscored
                        .iter()
                        .filter(|(_, why)| why == kind)
                        .map(|(n, _)| n.as_str())
                        .collect();
                    (!names.is_empty()).then(|| format!("{} ({})", names.join(", "), kind.reason()))
                })
                .collect::<Vec<_>>()
                .join("; ")
        )));
    }
    // Cycles are independent: halves of the record run side by side, one per core (the
    // engine gives each caller its own worker).
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(cycles.len().max(1));
    let chunk = cycles.len().div_ceil(threads).max(1);
    let scored: Vec<Result<Vec<CycleScores>>> = std::thread::scope(|scope| {
        let handles: Vec<_> = cycles
            .chunks(chunk)
            .map(|part| {
                let (plan, leads) = (&plan, &leads);
                scope.spawn(move || {
                    part.iter()
                        .map(|&b| score_cycle(engine, record, plan, leads, b))
                        .collect::<Result<Vec<_>>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(Error::Invalid("an anomaly worker failed".into())))
            })
            .collect()
    });
    let mut samples = vec![vec![f64::NAN; record.len()]; leads.len()];
    let mut cycle_scores = Vec::with_capacity(cycles.len());
    for part in scored {
        for c in part? {
            for (k, start, scores) in c.leads {
                samples[k][start..start + scores.len()].copy_from_slice(&scores);
            }
            cycle_scores.push(c.row);
        }
    }
    let lead_scores = (0..leads.len())
        .map(|k| {
            let mut v: Vec<f64> = cycle_scores
                .iter()
                .map(|r| r[k])
                .filter(|s| s.is_finite())
                .collect();
            v.sort_by(f64::total_cmp);
            if v.is_empty() {
                f64::NAN
            } else {
                v[v.len() / 2]
            }
        })
        .collect();
    Ok(AnomalyMap {
        leads,
        samples,
        cycles: cycles.to_vec(),
        cycle_scores,
        lead_scores,
        unscored,
        shapes: None,
    })
}
