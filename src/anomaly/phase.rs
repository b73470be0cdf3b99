//! A lead's anomaly score over one part of the cycle: an infarct's Q waves or a conduction
//! block show in the QRS, ischaemia in the ST segment and T wave, and a whole-cycle mean dilutes
//! either with the quiet stretches around it.

use super::AnomalyMap;
use crate::delineate::CycleBounds;
use serde::{Deserialize, Serialize};
use std::ops::Range;

/// The part of each cycle a score averages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Phase {
    /// The whole cycle, P onset to the next P onset.
    Cycle,
    /// QRS onset to QRS offset.
    Qrs,
    /// QRS offset to T offset: the ST segment and the T wave.
    StT,
}

impl Phase {
    /// The record samples of cycle `b` this phase covers.
    pub fn span(self, b: &CycleBounds) -> Range<usize> {
        match self {
            Phase::Cycle => b.start()..b.end() + 1,
            Phase::Qrs => b.qrs_on()..b.qrs_off() + 1,
            Phase::StT => b.qrs_off()..b.t_off() + 1,
        }
    }
}

impl AnomalyMap {
    /// Lead `name`'s score over `phase`: the median over the cycles of the mean score in that
    /// part of each cycle (over the whole cycle, the lead score the map holds); `None` when the
    /// lead was not scored.
    pub fn phase_score(&self, name: &str, phase: Phase) -> Option<f64> {
        if phase == Phase::Cycle {
            return self.lead_score(name);
        }
        let k = self.leads.iter().position(|l| l == name)?;
        let s = self.samples.get(k)?;
        let mut per_cycle: Vec<f64> = self
            .cycles
            .iter()
            .filter_map(|b| {
                let r = phase.span(b);
                let v: Vec<f64> = s
                    .get(r)?
                    .iter()
                    .copied()
                    .filter(|x| x.is_finite())
                    .collect();
                (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
            })
            .collect();
        if per_cycle.is_empty() {
            return None;
        }
        per_cycle.sort_by(f64::total_cmp);
        Some(per_cycle[per_cycle.len() / 2])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_departure_in_the_qrs_shows_in_the_qrs_score_only() {
        let b = CycleBounds::new([0, 40, 60, 110, 150, 250, 400], 500).unwrap();
        let mut s = vec![0.5; 500];
        s[60..=110].fill(4.0);
        let map = AnomalyMap {
            leads: vec!["V2".into()],
            samples: vec![s],
            cycles: vec![b],
            cycle_scores: vec![vec![1.0]],
            lead_scores: vec![1.0],
            unscored: Vec::new(),
            shapes: None,
        };
        assert_eq!(map.phase_score("V2", Phase::Qrs), Some(4.0));
        let st_t = map.phase_score("V2", Phase::StT).unwrap();
        assert!(st_t < 0.6, "{st_t}");
        let whole = map.phase_score("V2", Phase::Cycle).unwrap();
        assert!(whole > 0.5 && whole < 1.5, "{whole}");
        assert_eq!(map.phase_score("V3", Phase::Qrs), None);
    }
}
