//! The heart-vector loop (vectorcardiogram) of one cardiac cycle and the measures the VCG
//! literature reports from it.
//!
//! The heart vector is given per sample in the viewpoint frame (x anterior, y the patient's
//! left, z the head; mV), so that a lead looking along `u` records `u·v`. It comes from Kors's
//! regression when the cycle has I, II and V1–V6, else from the dipole engine's least-squares
//! fit to every usable lead with a known direction (three or more, not in one plane). Recorded
//! Frank leads give it directly ([`HeartLoop::from_frank`]), which is how the other two are
//! checked. A lead is unusable when its direction is unknown, a sample is missing (NaN) or it is
//! flat.

mod measures;
#[cfg(test)]
mod tests;

pub use measures::{Measures, angle_deg, frontal_axis_deg, loop_area, mean_vector, peak_vector};

use crate::delineate::CycleBounds;
use crate::error::{Error, Result};
use crate::geometry::{KORS_INPUTS, Viewpoint, kors_vector, lead_view, normalise_lead_name};
use crate::panorama::{CycleInput, DipoleEngine, Engine};
use glam::DVec3;
use std::ops::RangeInclusive;

/// A lead whose samples span less than this (mV) carries no signal: a disconnected electrode.
const FLAT_MV: f64 = 1e-6;

/// Where a loop's heart vectors came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// Kors's regression matrix over I, II, V1–V6.
    Kors,
    /// The dipole engine's least-squares fit to these leads.
    Dipole(Vec<String>),
    /// The recorded Frank leads vx, vy, vz.
    Frank,
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::Kors => f.write_str("Kors regression (I, II, V1–V6)"),
            Source::Dipole(leads) => write!(f, "dipole fit ({})", leads.join(", ")),
            Source::Frank => f.write_str("recorded Frank leads (vx, vy, vz)"),
        }
    }
}

/// The parts of a cycle the loop is split into for drawing and measuring.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// P onset ..= P offset.
    P,
    /// QRS onset ..= QRS offset.
    Qrs,
    /// T onset ..= T offset (T onset is QRS offset when the cycle's boundaries mark no ST).
    T,
}

/// The heart vector at every sample of one cycle, with the cycle's boundaries.
#[derive(Debug, Clone, PartialEq)]
pub struct HeartLoop {
    /// Where the vectors came from.
    pub source: Source,
    /// Sampling rate in Hz.
    pub fs: f64,
    /// One vector per sample, P onset ..= next P onset (x anterior, y left, z head; mV).
    pub vectors: Vec<DVec3>,
    /// The cycle's boundaries, relative to its start.
    pub boundaries: CycleBounds,
}

/// A lead of the cycle that can feed the heart vector: its name and samples.
#[derive(Clone, Copy)]
struct Usable<'a> {
    name: &'a str,
    samples: &'a [f64],
}

/// The usable leads of `cycle`, and why each other lead is not.
fn usable_leads(cycle: &CycleInput) -> (Vec<Usable<'_>>, Vec<String>) {
    let n = cycle.samples();
    let (mut ok, mut not) = (Vec::new(), Vec::new());
    for (name, x) in &cycle.leads {
        let why = if lead_view(&normalise_lead_name(name), false).is_none() {
            Some("no known direction")
        } else if x.len() != n {
            Some("a different length")
        } else if x.iter().any(|v| !v.is_finite()) {
            Some("missing samples")
        } else if x.iter().fold(f64::NEG_INFINITY, |m, v| m.max(*v))
            - x.iter().fold(f64::INFINITY, |m, v| m.min(*v))
            < FLAT_MV
        {
            Some("flat")
        } else {
            None
        };
        match why {
            None => ok.push(Usable { name, samples: x }),
            Some(w) => not.push(format!("{name}: {w}")),
        }
    }
    (ok, not)
}

/// The plain reason a cycle has no loop: what it needs and what it has.
fn no_loop(ok: &[Usable], not: &[String]) -> Error {
    let has = if ok.is_empty() {
        "no usable lead".to_string()
    } else {
        ok.iter().map(|u| u.name).collect::<Vec<_>>().join(", ")
    };
    Error::Invalid(format!(
        "the heart vector needs I, II, V1–V6 or three non-coplanar leads; this record has {has}{}",
        unusable_note(not)
    ))
}

/// " (unusable: V3: missing samples; …)", or nothing when every lead is usable.
fn unusable_note(not: &[String]) -> String {
    if not.is_empty() {
        String::new()
    } else {
        format!(" (unusable: {})", not.join("; "))
    }
}

impl HeartLoop {
    /// The loop of `cycle`: Kors's regression when I, II, V1–V6 are all usable, else the
    /// dipole fit to every usable lead; an error saying what is missing when neither works.
    pub fn from_cycle(cycle: &CycleInput) -> Result<Self> {
        let (ok, not) = usable_leads(cycle);
        let find = |name: &str| ok.iter().find(|u| u.name == name).map(|u| u.samples);
        let kors: Option<Vec<&[f64]>> = KORS_INPUTS.iter().map(|l| find(l.name())).collect();
        if let Some(cols) = kors {
            let vectors = (0..cycle.samples())
                .map(|t| kors_vector(&std::array::from_fn(|c| cols[c][t])))
                .collect();
            return Ok(Self::new(Source::Kors, cycle, vectors));
        }
        let names: Vec<String> = ok.iter().map(|u| u.name.to_string()).collect();
        let vectors = dipole_vectors(cycle, &ok).map_err(|_| no_loop(&ok, &not))?;
        Ok(Self::new(Source::Dipole(names), cycle, vectors))
    }

    /// The loop of the recorded Frank leads vx, vy, vz of `cycle`, along their directions in
    /// the lead table (left, feet, back).
    pub fn from_frank(cycle: &CycleInput) -> Result<Self> {
        let (ok, not) = usable_leads(cycle);
        let frank: Vec<Usable> = ["vx", "vy", "vz"]
            .iter()
            .filter_map(|n| ok.iter().find(|u| u.name == *n).copied())
            .collect();
        if frank.len() < 3 {
            let has: Vec<&str> = ok.iter().map(|u| u.name).collect();
            return Err(Error::Invalid(format!(
                "the recorded heart vector needs the Frank leads vx, vy, vz; this record has {}{}",
                if has.is_empty() {
                    "none usable".to_string()
                } else {
                    has.join(", ")
                },
                unusable_note(&not)
            )));
        }
        let vectors = dipole_vectors(cycle, &frank)?;
        Ok(Self::new(Source::Frank, cycle, vectors))
    }

    fn new(source: Source, cycle: &CycleInput, vectors: Vec<DVec3>) -> Self {
        Self {
            source,
            fs: cycle.fs,
            vectors,
            boundaries: cycle.boundaries,
        }
    }

    /// The sample range of `part` (empty when the cycle has none, e.g. no T wave).
    pub fn range(&self, part: Part) -> RangeInclusive<usize> {
        let b = &self.boundaries;
        let (a, z) = match part {
            Part::P => (b.p_on(), b.p_off()),
            Part::Qrs => (b.qrs_on(), b.qrs_off()),
            Part::T => (b.t_on().max(b.qrs_off()), b.t_off()),
        };
        let last = self.vectors.len().saturating_sub(1);
        if z <= a || a > last {
            #[allow(clippy::reversed_empty_ranges)]
            return 1..=0;
        }
        a..=z.min(last)
    }

    /// The vectors of `part` (empty when the cycle has none).
    pub fn part(&self, part: Part) -> &[DVec3] {
        let r = self.range(part);
        if r.is_empty() {
            return &[];
        }
        &self.vectors[r]
    }

    /// The loop's measures (QRS and T axes, QRS–T angles, QRS loop area, peak magnitudes).
    pub fn measures(&self) -> Measures {
        Measures::of(self.part(Part::Qrs), self.part(Part::T))
    }
}

/// The heart vectors of the dipole engine fitted to `leads`, read back along the three axes.
fn dipole_vectors(cycle: &CycleInput, leads: &[Usable]) -> Result<Vec<DVec3>> {
    let input = CycleInput {
        fs: cycle.fs,
        leads: leads
            .iter()
            .map(|u| (u.name.to_string(), u.samples.to_vec()))
            .collect(),
        boundaries: cycle.boundaries,
    };
    let engine = DipoleEngine;
    let field = engine.encode(&input)?;
    // A view along a unit axis records that component of the fitted vector.
    let axes = [
        Viewpoint::from_vector(DVec3::X),
        Viewpoint::from_vector(DVec3::Y),
        Viewpoint::from_vector(DVec3::Z),
    ];
    let xyz = engine.render(&field, &axes)?;
    Ok((0..cycle.samples())
        .map(|t| DVec3::new(xyz[0][t], xyz[1][t], xyz[2][t]))
        .collect())
}
