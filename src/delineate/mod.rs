//! Delineation: P, QRS and T waves (onset, peak, offset) in every lead of a record, the
//! record's global beats, and the cardiac cycles the panorama engine uses.

pub mod bounds;
pub mod cycles;
pub mod edit;
pub mod output;
pub mod wave_cycles;

use serde::{Deserialize, Serialize};

/// The three waves a delineator finds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum WaveKind {
    /// Atrial depolarisation.
    P,
    /// Ventricular depolarisation.
    Qrs,
    /// Ventricular repolarisation.
    T,
}

impl WaveKind {
    /// The WFDB peak symbol of this wave (`p`, `N`, `t`), as LUDB writes them.
    pub fn symbol(self) -> &'static str {
        match self {
            WaveKind::P => "p",
            WaveKind::Qrs => "N",
            WaveKind::T => "t",
        }
    }

    /// The wave of a WFDB peak symbol.
    pub fn from_symbol(symbol: &str) -> Option<Self> {
        match symbol {
            "p" => Some(WaveKind::P),
            "N" => Some(WaveKind::Qrs),
            "t" => Some(WaveKind::T),
            _ => None,
        }
    }
}

/// One wave: onset, peak and offset sample indices at the record's own rate (`on ≤ peak ≤ off`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Wave {
    /// Which wave.
    pub kind: WaveKind,
    /// First sample of the wave.
    pub on: usize,
    /// Sample of its largest deflection.
    pub peak: usize,
    /// Last sample of the wave.
    pub off: usize,
}

impl Wave {
    /// A wave of `kind` from `on` to `off` with its peak at `peak`.
    pub fn new(kind: WaveKind, on: usize, peak: usize, off: usize) -> Self {
        Self {
            kind,
            on,
            peak,
            off,
        }
    }
}

/// The waves found in one lead, sorted by onset.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LeadWaves {
    /// Canonical lead name.
    pub lead: String,
    /// Its waves.
    pub waves: Vec<Wave>,
}

/// What the annotator's rhythm rules took a beat for, when they took it for more than a beat
/// of the record's own rhythm. It says why a beat has no P wave.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BeatRhythm {
    /// In a stretch of atrial fibrillation or flutter (irregular RR without steady P waves).
    AtrialFibrillation,
    /// Ventricular ectopic: a QRS unlike the record's own that comes early, or continues a run.
    VentricularEctopic,
}

impl BeatRhythm {
    /// The name written in JSON flags and in the measurements.
    pub fn as_str(self) -> &'static str {
        match self {
            BeatRhythm::AtrialFibrillation => "atrial_fibrillation",
            BeatRhythm::VentricularEctopic => "ventricular_ectopic",
        }
    }

    /// The name of a beat with (`with_p`) or without a P wave: a beat whose P wave was marked
    /// (by hand, after the annotator named it) is not in fibrillation; a ventricular beat stays
    /// one (a sinus P may fall before it without conducting it).
    pub fn named_with_p(self, with_p: bool) -> Option<Self> {
        (!(with_p && self == BeatRhythm::AtrialFibrillation)).then_some(self)
    }

    /// The beat's letter on the ECG paper, as Holter reports mark beats.
    pub fn letter(self) -> &'static str {
        match self {
            BeatRhythm::AtrialFibrillation => "AF",
            BeatRhythm::VentricularEctopic => "V",
        }
    }

    /// The name a reader sees in the app's notes. The rule reads an irregular rhythm without
    /// steady P waves, which atrial flutter with varying conduction is too (LUDB's two flutter
    /// records are named by it), so the name says both.
    pub fn label(self) -> &'static str {
        match self {
            BeatRhythm::AtrialFibrillation => "atrial fibrillation or flutter",
            BeatRhythm::VentricularEctopic => "ventricular ectopic beat",
        }
    }
}

/// What the annotator's rhythm rules took a beat for, kept at a sample of the beat's cycle
/// before its QRS (its P onset): a cycle carries the notes that fall inside it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RhythmNote {
    /// A sample of the beat's cycle before its QRS onset.
    pub sample: usize,
    /// What the beat was taken for.
    pub rhythm: BeatRhythm,
}

/// One beat of the record as a whole: its QRS and, when present, the P before it and the T after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Beat {
    /// The P wave, absent in atrial fibrillation, flutter, some paced and junctional beats.
    pub p: Option<Wave>,
    /// The QRS complex.
    pub qrs: Wave,
    /// The T wave, absent when cut by the record's end or not found.
    pub t: Option<Wave>,
    /// What the rhythm rules took the beat for (`None`: a beat of the record's own rhythm, or
    /// a beat no rule looked at, such as one read from a file).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rhythm: Option<BeatRhythm>,
}

/// Everything a delineator finds in a record; sample indices at the record's own rate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Delineation {
    /// Sampling rate of the record the indices refer to.
    pub fs: f64,
    /// Samples per lead of that record.
    pub len: usize,
    /// Per-lead waves, in the record's lead order.
    pub leads: Vec<LeadWaves>,
    /// The record's global beats (all leads considered), in time order.
    pub beats: Vec<Beat>,
    /// Half-open stretches, in order, where a lead that has samples elsewhere in the record
    /// has none (a recorder's gap, an electrode that came off): cycles over them are flagged.
    #[serde(skip_serializing_if = "gaps::Gaps::is_empty")]
    pub missing: gaps::Gaps,
}

mod artifact;
pub mod decode;
pub mod ectopic;
mod engine;
pub mod gaps;
pub mod no_beats;
pub mod prep;
pub mod rhythm;
pub mod train;
pub mod train_q1c;
pub mod unet;

pub use bounds::CycleBounds;
pub use engine::{Delineator, LeadUse, lead_use};
pub use wave_cycles::cycles_from_waves;
