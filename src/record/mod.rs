//! Records: leads in mV at one sampling rate, read from WFDB, Tianchi `.npy` or CSV files,
//! with their WFDB annotation files and the seed's JSON cycle labels.

pub mod annotation;
pub mod channels;
pub mod csv_io;
pub mod demo;
pub mod edf;
pub mod gains;
pub mod inverted;
pub mod labels;
mod open;
pub mod split;
pub mod tianchi;
pub mod units;
mod wfdb_decode;
pub mod wfdb_io;
pub mod wfdb_multi;

pub use open::{AnnotationFile, find_annotation_files, open_record, record_stem};

use crate::geometry::{LeadView, lead_view, normalise_lead_name};

/// One recorded lead: its name and viewpoint, and its samples in mV.
#[derive(Debug, Clone, PartialEq)]
pub struct Lead {
    /// Canonical lead name (I, II, …, V6, V3R–V6R, V7–V9, vx, vy, vz) or the file's name for
    /// unknown leads.
    pub name: String,
    /// The name exactly as the file wrote it.
    pub raw_name: String,
    /// Where the lead looks from, when it is a known lead.
    pub view: Option<LeadView>,
    /// Samples in mV; invalid samples of the file (WFDB's "no value") are NaN.
    pub samples: Vec<f64>,
}

impl Lead {
    /// A lead from its name in a file; the viewpoint comes from the lead table.
    pub fn new(raw_name: &str, samples: Vec<f64>, approximate_hint: bool) -> Self {
        let id = normalise_lead_name(raw_name);
        Self {
            view: lead_view(&id, approximate_hint),
            name: id.name,
            raw_name: raw_name.to_string(),
            samples,
        }
    }
}

/// A multi-lead ECG record in physical units (mV) at one sampling rate.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// Record name (the file stem).
    pub name: String,
    /// Sampling rate in Hz.
    pub fs: f64,
    /// The leads, in file order; all have the same length.
    pub leads: Vec<Lead>,
    /// Free-text comments of the header (diagnoses, age, sex).
    pub comments: Vec<String>,
    /// What reading the files changed and the user should know (e.g. restored lead gains).
    pub notes: Vec<String>,
}

/// Peak-to-peak span of the finite samples of `x` (0 for a constant signal); `None` when no
/// sample is finite.
pub fn finite_span(x: &[f64]) -> Option<f64> {
    let (lo, hi) = x
        .iter()
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
            (lo.min(v), hi.max(v))
        });
    (hi >= lo).then_some(hi - lo)
}

impl Record {
    /// Number of samples per lead.
    pub fn len(&self) -> usize {
        self.leads.first().map_or(0, |l| l.samples.len())
    }

    /// True when the record holds no samples.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Duration in seconds.
    pub fn duration_s(&self) -> f64 {
        self.len() as f64 / self.fs
    }

    /// The lead with this canonical name (I, II, aVR, V1, vx…), if recorded.
    pub fn lead(&self, name: &str) -> Option<&Lead> {
        self.leads.iter().find(|l| l.name == name)
    }

    /// The lead names in record order, comma separated, for messages.
    pub fn lead_list(&self) -> String {
        let names: Vec<&str> = self.leads.iter().map(|l| l.name.as_str()).collect();
        names.join(", ")
    }

    /// Total number of samples over all leads.
    pub fn total_samples(&self) -> usize {
        self.leads.iter().map(|l| l.samples.len()).sum()
    }
}
