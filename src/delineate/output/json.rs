//! The JSON cycle-label document: the seed's six boundary lists plus the record, its rate and
//! its cycles.

use crate::delineate::cycles::Cycle;
use crate::delineate::{Delineation, RhythmNote};
use crate::record::labels::CycleLabels;
use serde::{Deserialize, Serialize};

/// The seed's six boundary lists from the cycles: every beat's QRS, and P and T waves where found.
pub fn global_labels(cycles: &[Cycle]) -> CycleLabels {
    let mut l = CycleLabels::default();
    let i = |s: usize| s as i64;
    for c in cycles {
        if c.has_p() {
            l.p_on.push(i(c.p_on));
            l.p_off.push(i(c.p_off));
        }
        l.r_on.push(i(c.qrs_on));
        l.r_off.push(i(c.qrs_off));
        if c.has_t() {
            l.t_on.push(i(c.t_on));
            l.t_off.push(i(c.t_off));
        }
    }
    l
}

/// The JSON cycle-label file: the seed's six lists plus the record, its rate and its cycles.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LabelsDocument {
    /// Record name.
    pub record: String,
    /// Sampling rate the sample indices refer to (the record's own).
    pub fs: f64,
    /// Samples per lead of the record.
    pub samples: usize,
    /// The six seed lists.
    #[serde(flatten)]
    pub labels: CycleLabels,
    /// Every cycle with its seven boundaries and flags, in time order.
    pub cycles: Vec<Cycle>,
    /// The beats the annotator's rhythm rules named, each at its cycle's P onset: a beat
    /// without a P wave is no complete cycle in an edited document, so its name is kept here.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rhythm: Vec<RhythmNote>,
}

/// A note at each cycle's P onset for the rhythm its flags name.
pub fn rhythm_notes(cycles: &[Cycle]) -> Vec<RhythmNote> {
    cycles
        .iter()
        .filter_map(|c| {
            let rhythm = c.flags.iter().find_map(|f| f.rhythm())?;
            Some(RhythmNote {
                sample: c.p_on,
                rhythm,
            })
        })
        .collect()
}

/// The JSON document of a delineation.
pub fn labels_document(record_name: &str, d: &Delineation, cycles: &[Cycle]) -> LabelsDocument {
    LabelsDocument {
        record: record_name.to_string(),
        fs: d.fs,
        samples: d.len,
        labels: global_labels(cycles),
        cycles: cycles.to_vec(),
        rhythm: rhythm_notes(cycles),
    }
}
