//! The cycles a record is synthesized in: P onset through the next P onset with the seven
//! deflection boundaries, from the best source at hand.

use crate::delineate::cycles::{Cycle, CycleFlag, cycles};
use crate::delineate::output::LabelsDocument;
use crate::delineate::{CycleBounds, Delineator, cycles_from_waves};
use crate::error::{Error, Result, read_text};
use crate::record::annotation::read_annotations;
use crate::record::labels::CycleLabels;
use crate::record::tianchi::find_tianchi_labels;
use crate::record::{Record, record_stem};
use std::path::{Path, PathBuf};

/// Where a record's cycles came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CycleSource {
    /// The record's lead II WFDB wave file (LUDB's `NAME.ii`).
    WaveFile(PathBuf),
    /// The JSON cycle labels beside the record (`NAME.json`).
    Labels(PathBuf),
    /// The built-in automatic annotator.
    Annotator,
}

impl std::fmt::Display for CycleSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CycleSource::WaveFile(p) => write!(f, "lead II wave file {}", p.display()),
            CycleSource::Labels(p) => write!(f, "cycle labels {}", p.display()),
            CycleSource::Annotator => f.write_str("the automatic annotator"),
        }
    }
}

/// The cycles of the seed's JSON boundary lists: from each P onset to the next, when exactly
/// one P offset, QRS onset, QRS offset, T onset and T offset lie between them, in order (a T
/// offset may coincide with the next P onset, and a previous T offset with this P onset).
pub fn cycles_from_labels(labels: &CycleLabels, len: usize) -> Vec<CycleBounds> {
    let sorted = |v: &[i64]| -> Vec<usize> {
        let mut s: Vec<usize> = v.iter().filter_map(|&x| usize::try_from(x).ok()).collect();
        s.sort_unstable();
        s
    };
    let p_on = sorted(&labels.p_on);
    let lists = [
        sorted(&labels.p_off),
        sorted(&labels.r_on),
        sorted(&labels.r_off),
        sorted(&labels.t_on),
        sorted(&labels.t_off),
    ];
    p_on.windows(2)
        .filter_map(|w| {
            let (p, q) = (w[0], w[1]);
            let mut b = [p, 0, 0, 0, 0, 0, q];
            for (k, list) in lists.iter().enumerate() {
                // T offsets lie in (p, q], every other boundary in [p, q).
                let inside = |&&s: &&usize| {
                    if k == 4 {
                        s > p && s <= q
                    } else {
                        s >= p && s < q
                    }
                };
                let mut hits = list.iter().filter(inside);
                match (hits.next(), hits.next()) {
                    (Some(&s), None) => b[k + 1] = s,
                    _ => return None,
                }
            }
            CycleBounds::new(b, len)
        })
        .collect()
}

/// Which of a source's cycles are kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CycleRule {
    /// Every cycle not cut by the record's ends; beats without a P or T wave keep their
    /// estimated windows (what synthesis uses).
    Any,
    /// Complete P-QRS-T-P cycles only: a P wave, a QRS complex and a T wave, up to the onset of
    /// the next beat's P wave, every lead with all its samples (what the panorama evaluation
    /// scores). Wave files and the seed's six boundary lists only ever give such cycles.
    Complete,
}

/// The absolute boundaries of the flagged cycles (in time order) that `rule` keeps.
fn kept_bounds(found: &[Cycle], len: usize, rule: CycleRule) -> Vec<CycleBounds> {
    let cut = |c: &Cycle| c.has(CycleFlag::CutAtStart) || c.has(CycleFlag::CutAtEnd);
    found
        .iter()
        .enumerate()
        .filter(|(_, c)| !cut(c))
        .filter(|(i, c)| {
            rule == CycleRule::Any
                || (c.has_p()
                    && c.has_t()
                    && !c.has(CycleFlag::MissingSamples)
                    && found
                        .get(i + 1)
                        .is_some_and(|n| n.has_p() && n.p_on == c.next_p_on))
        })
        .filter_map(|(_, c)| c.bounds(len))
        .collect()
}

/// The cycles the automatic annotator finds in `record` (every lead it holds), without those
/// cut by the record's start or end.
pub fn cycles_from_annotator(record: &Record) -> Result<Vec<CycleBounds>> {
    annotator_cycles(record, CycleRule::Any)
}

fn annotator_cycles(record: &Record, rule: CycleRule) -> Result<Vec<CycleBounds>> {
    let d = Delineator::load_default()?.delineate(record)?;
    Ok(kept_bounds(&cycles(&d), record.len(), rule))
}

/// `STEM.ext` (the stem may itself hold dots).
fn sibling(stem: &Path, ext: &str) -> PathBuf {
    let mut s = stem.as_os_str().to_owned();
    s.push(".");
    s.push(ext);
    PathBuf::from(s)
}

/// Cycles of a JSON label file: the `"cycles"` of a file `annotate` wrote (without those cut
/// by the record's ends), else the seed's six boundary lists.
fn cycles_from_json(path: &Path, record: &Record, rule: CycleRule) -> Result<Vec<CycleBounds>> {
    let text = read_text(path)?;
    if let Ok(doc) = serde_json::from_str::<LabelsDocument>(&text) {
        if doc.fs != record.fs {
            return Err(Error::malformed(
                path,
                "JSON cycle-label file",
                format!(
                    "its sample indices are at {} Hz, the record is at {} Hz",
                    doc.fs, record.fs
                ),
            ));
        }
        return Ok(kept_bounds(&doc.cycles, record.len(), rule));
    }
    Ok(cycles_from_labels(
        &CycleLabels::from_json(&text, path)?,
        record.len(),
    ))
}

/// The record's cycles and where they came from: the first of these sources that exists and
/// yields a cycle — the lead II wave file beside the record (`NAME.ii`, complete P-QRS-T-P
/// sequences), the JSON cycle labels beside it (`NAME.json`; a Tianchi record's wherever its
/// labels are found), the automatic annotator on `record` (cycles cut by the record's ends
/// left out). A source that exists but cannot be read is an error, not skipped.
pub fn find_record_cycles(
    record: &Record,
    record_path: Option<&Path>,
) -> Result<(CycleSource, Vec<CycleBounds>)> {
    find_record_cycles_with(record, record_path, CycleRule::Any)
}

/// [`find_record_cycles`] keeping only the cycles `rule` allows: the same sources in the same
/// order, a source counting as found when it yields a cycle under `rule`.
pub fn find_record_cycles_with(
    record: &Record,
    record_path: Option<&Path>,
    rule: CycleRule,
) -> Result<(CycleSource, Vec<CycleBounds>)> {
    if let Some(path) = record_path {
        let stem = record_stem(path);
        let wave_file = sibling(&stem, "ii");
        if wave_file.is_file() {
            let found = cycles_from_waves(&read_annotations(&wave_file)?, record.len());
            if !found.is_empty() {
                return Ok((CycleSource::WaveFile(wave_file), found));
            }
        }
        let is_npy = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("npy"));
        let labels = Some(sibling(&stem, "json"))
            .filter(|p| p.is_file())
            .or_else(|| is_npy.then(|| find_tianchi_labels(path)).flatten());
        if let Some(labels) = labels {
            let found = cycles_from_json(&labels, record, rule)?;
            if !found.is_empty() {
                return Ok((CycleSource::Labels(labels), found));
            }
        }
    }
    Ok((CycleSource::Annotator, annotator_cycles(record, rule)?))
}

/// The record's cycles (absolute boundaries) from its lead II wave file, else its
/// JSON cycle labels, else the automatic annotator (see [`find_record_cycles`]).
pub fn record_cycles(record: &Record, record_path: Option<&Path>) -> Result<Vec<CycleBounds>> {
    find_record_cycles(record, record_path).map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flagged(p_on: usize, next_p_on: usize, flags: &[CycleFlag]) -> Cycle {
        Cycle {
            p_on,
            p_off: p_on + 40,
            qrs_on: p_on + 60,
            qrs_off: p_on + 100,
            t_on: p_on + 150,
            t_off: p_on + 250,
            next_p_on,
            flags: flags.to_vec(),
        }
    }

    #[test]
    fn the_complete_rule_keeps_p_qrs_t_up_to_a_real_next_p_onset() {
        let found = [
            flagged(0, 400, &[]),
            flagged(400, 800, &[CycleFlag::NoPWave]),
            flagged(800, 1200, &[]),
            flagged(1200, 1600, &[]),
            flagged(1600, 2000, &[CycleFlag::NoTWave]),
            flagged(2000, 2400, &[CycleFlag::CutAtEnd]),
        ];
        let starts = |rule| -> Vec<usize> {
            kept_bounds(&found, 2400, rule)
                .iter()
                .map(CycleBounds::p_on)
                .collect()
        };
        // 0 ends where a beat without P wave starts; 1600 has no T wave.
        assert_eq!(starts(CycleRule::Complete), [800, 1200]);
        assert_eq!(starts(CycleRule::Any), [0, 400, 800, 1200, 1600]);
    }

    #[test]
    fn seed_labels_give_cycles_with_exactly_one_of_each_boundary() {
        let labels = CycleLabels {
            p_on: vec![385, 811, 1245, 1677, 2447],
            p_off: vec![442, 858, 1287, 1726, 2482],
            r_on: vec![453, 875, 1316, 1742, 1963, 2509],
            r_off: vec![504, 929, 1367, 1798, 2035, 2564],
            t_on: vec![552, 979, 1419, 1846, 2078, 2611],
            t_off: vec![658, 1079, 1518, 1935, 2166, 2716],
        };
        // 1677 → 2447 holds a second QRS (a beat without P wave): not one cycle.
        let got: Vec<[usize; 7]> = cycles_from_labels(&labels, 5000)
            .iter()
            .map(CycleBounds::as_array)
            .collect();
        assert_eq!(
            got,
            [
                [385, 442, 453, 504, 552, 658, 811],
                [811, 858, 875, 929, 979, 1079, 1245],
                [1245, 1287, 1316, 1367, 1419, 1518, 1677],
            ]
        );
    }
}
