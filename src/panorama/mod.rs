//! The panorama engine: the input leads of one cardiac cycle in, the ECG seen from any
//! viewpoint out.
//!
//! An [`Engine`] works in two steps. [`Engine::encode`] turns a [`CycleInput`] (the chosen input
//! leads of one cycle, P onset through the next P onset, with the cycle's seven deflection
//! boundaries) into a [`Field`], the engine's own description of the heart's activity over
//! that cycle. [`Engine::render`] then projects a field onto any number of viewpoints, one
//! signal per viewpoint with as many samples as the cycle, in mV. Encoding once and rendering
//! many times is what lets the app turn the sphere without recomputing the cycle.
//!
//! Engines:
//! - the **dipole** engine ([`DipoleEngine`]): the heart as one moving dipole, fitted by least
//!   squares to the input leads sample by sample; no training, needs 3 non-coplanar leads;
//! - the **Nef-Net** engine, the paper's network ([`crate::model`]), behind the same trait.
//!
//! [`engine_for`] builds an engine by name ([`EngineKind`]) and is the one place engines are
//! wired; without a model file, Nef-Net runs on the weights built into the program.
//!
//! [`ExactLeads`] wraps any engine so that the views the inputs determine exactly — an input
//! lead at its own viewpoint, and the limb leads that Einthoven's and Goldberger's relations
//! derive from two limb-lead inputs ([`exact_lead`]) — are returned exactly, not re-synthesized.
//!
//! **Baseline.** [`CycleInput::from_record`] subtracts from each input lead the straight line
//! through its values at the two P onsets (both ends of the cycle become 0), the same
//! detrending the panorama evaluation uses. Synthesized views are in that detrended frame:
//! nothing is added back, since the baseline of a view nobody recorded is unknown.
//!
//! Cycles come from [`record_cycles`]: the record's lead II wave file, its JSON cycle labels,
//! or the automatic annotator, in that order.

mod band;
mod band_fit;
mod cycles;
mod dipole;
mod exact;
mod nefnet;
mod synth;

pub use band::{DEFAULT_LEVEL, angle_to_inputs, band_scale, check_level, field_band};
pub use band_fit::{BandFit, fit_band};
pub use cycles::{
    CycleRule, CycleSource, cycles_from_annotator, cycles_from_labels, find_record_cycles,
    find_record_cycles_with, record_cycles,
};
pub use dipole::DipoleEngine;
pub use exact::{ExactLeads, exact_lead};
pub use nefnet::NefNetEngine;
pub use synth::{Synthesis, ViewSpec, parse_inputs, synthesize};

use crate::delineate::CycleBounds;
use crate::error::{Error, Result};
use crate::geometry::Viewpoint;
use crate::record::Record;
use crate::signal::detrend;
use std::any::Any;
use std::path::Path;

/// The input leads of one cardiac cycle, from its P onset through the next P onset.
#[derive(Debug, Clone, PartialEq)]
pub struct CycleInput {
    /// Sampling rate in Hz.
    pub fs: f64,
    /// Canonical lead name and its samples in mV, one cycle P onset ..= next P onset.
    pub leads: Vec<(String, Vec<f64>)>,
    /// The cycle's boundaries relative to its start: P onset 0, next P onset the last sample.
    pub boundaries: CycleBounds,
}

impl CycleInput {
    /// The cycle `boundaries` (absolute sample indices) of `record`'s leads `names`, each
    /// detrended by the straight line through its values at the two P onsets.
    pub fn from_record(record: &Record, names: &[&str], boundaries: CycleBounds) -> Result<Self> {
        let (start, end) = (boundaries.start(), boundaries.end());
        if end >= record.len() {
            return Err(Error::CycleOutside {
                record: record.name.clone(),
                start,
                end,
                len: record.len(),
            });
        }
        let leads = names
            .iter()
            .map(|&name| {
                let lead = record.lead(name).ok_or_else(|| Error::MissingLead {
                    record: record.name.clone(),
                    lead: name.to_string(),
                    available: Vec::new(),
                })?;
                let x = &lead.samples[start..=end];
                if let Some(gap) = x.iter().position(|v| !v.is_finite()) {
                    // Said in the record's own time, so the user can find the gap on the paper.
                    let t = |s: usize| s as f64 / record.fs;
                    return Err(Error::Invalid(format!(
                        "the cycle at {:.2}–{:.2} s cannot be synthesized: lead {name} has no \
                         samples from {:.2} s (a gap in the recording); choose another cycle",
                        t(start),
                        t(end),
                        t(start + gap)
                    )));
                }
                Ok((name.to_string(), detrend(x)))
            })
            .collect::<Result<Vec<_>>>()?;
        let input = Self {
            fs: record.fs,
            leads,
            boundaries: boundaries.relative(),
        };
        input.validate()?;
        Ok(input)
    }

    /// Number of samples of the cycle (both P onsets included).
    pub fn samples(&self) -> usize {
        self.boundaries.end() + 1
    }

    /// Check what every engine relies on: a positive rate, at least one lead, unique names,
    /// boundaries from 0, every lead one sample per boundary step, finite.
    pub fn validate(&self) -> Result<()> {
        let bad = |why: String| Err(Error::Invalid(format!("cycle input: {why}")));
        if !(self.fs.is_finite() && self.fs > 0.0) {
            return bad(format!("invalid sampling rate {} Hz", self.fs));
        }
        if self.leads.is_empty() {
            return bad("no input lead".into());
        }
        if self.boundaries.start() != 0 {
            return bad(format!(
                "boundaries must start at 0, got {:?}",
                self.boundaries
            ));
        }
        let n = self.samples();
        for (i, (name, x)) in self.leads.iter().enumerate() {
            if self.leads[..i].iter().any(|(other, _)| other == name) {
                return bad(format!("lead {name} given twice"));
            }
            if x.len() != n {
                return bad(format!(
                    "lead {name} has {} samples, the cycle {n} (P onset ..= next P onset)",
                    x.len()
                ));
            }
            if let Some(s) = x.iter().position(|v| !v.is_finite()) {
                return bad(format!("lead {name} has a missing sample at {s}"));
            }
        }
        Ok(())
    }
}

/// What an engine made of one cycle: opaque to callers, rendered by the engine that made it.
pub struct Field {
    engine: String,
    samples: usize,
    bounds: CycleBounds,
    inputs: Vec<(String, Vec<f64>)>,
    state: Box<dyn Any + Send + Sync>,
}

impl std::fmt::Debug for Field {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Field")
            .field("engine", &self.engine)
            .field("samples", &self.samples)
            .field(
                "inputs",
                &self.inputs.iter().map(|(n, _)| n).collect::<Vec<_>>(),
            )
            .finish_non_exhaustive()
    }
}

impl Field {
    /// A field of `engine` for `cycle`, holding the engine's own `state`; the cycle's input
    /// leads are kept so that [`exact_lead`] can serve any engine.
    pub fn new<T: Any + Send + Sync>(engine: &str, cycle: &CycleInput, state: T) -> Self {
        Self {
            engine: engine.to_string(),
            samples: cycle.samples(),
            bounds: cycle.boundaries,
            inputs: cycle.leads.clone(),
            state: Box::new(state),
        }
    }

    /// Name of the engine that encoded this field.
    pub fn engine(&self) -> &str {
        &self.engine
    }

    /// Samples per rendered view (the cycle's, both P onsets included).
    pub fn samples(&self) -> usize {
        self.samples
    }

    /// The cycle's boundaries, relative to its first sample.
    pub fn bounds(&self) -> CycleBounds {
        self.bounds
    }

    /// The cycle's input leads as encoded (canonical name, mV).
    pub fn inputs(&self) -> &[(String, Vec<f64>)] {
        &self.inputs
    }

    /// The engine state, for the engine `renderer` that expects it to be a `T`.
    pub fn state<T: Any>(&self, renderer: &str) -> Result<&T> {
        self.state.downcast_ref::<T>().ok_or_else(|| {
            Error::Invalid(format!(
                "this field was encoded by the {} engine; the {renderer} engine cannot render it",
                self.engine
            ))
        })
    }
}

/// A panorama engine: encodes one cycle's input leads, renders the cycle from any viewpoint.
pub trait Engine: Send + Sync {
    /// Short name shown to the user ("dipole", "nefnet").
    fn name(&self) -> &str;

    /// Encode one cycle's input leads (mV) into a field.
    fn encode(&self, cycle: &CycleInput) -> Result<Field>;

    /// One signal per viewpoint, in order, each as long as the cycle, in mV.
    fn render(&self, field: &Field, views: &[Viewpoint]) -> Result<Vec<Vec<f64>>>;

    /// Half-widths (mV) of the central band at `level` (0.5–0.99) around each view `render`
    /// gives, per sample; `None` when the engine has no calibrated band.
    fn band(
        &self,
        field: &Field,
        views: &[Viewpoint],
        level: f64,
    ) -> Result<Option<Vec<Vec<f64>>>> {
        let _ = (field, views, level);
        Ok(None)
    }
}

/// The engines this build knows by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, clap::ValueEnum)]
pub enum EngineKind {
    /// The Nef-Net network (needs its trained weights).
    #[value(name = "nefnet")]
    NefNet,
    /// The single-dipole least-squares projection.
    #[value(name = "dipole")]
    Dipole,
}

impl EngineKind {
    /// Every kind, in the order shown to users.
    pub const ALL: [EngineKind; 2] = [EngineKind::NefNet, EngineKind::Dipole];

    /// The name used on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            EngineKind::NefNet => "nefnet",
            EngineKind::Dipole => "dipole",
        }
    }
}

impl std::fmt::Display for EngineKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The engine of `kind`, with the views its inputs fix exactly passed through ([`ExactLeads`]).
///
/// `model_path` names Nef-Net weights; the dipole engine has none and ignores it. This is the
/// one place where engines are built, so a new engine is wired here and nowhere else.
pub fn engine_for(kind: EngineKind, model_path: Option<&Path>) -> Result<Box<dyn Engine>> {
    match kind {
        EngineKind::Dipole => Ok(Box::new(ExactLeads(DipoleEngine))),
        EngineKind::NefNet => Ok(Box::new(ExactLeads(NefNetEngine::load_or_default(
            model_path,
        )?))),
    }
}
