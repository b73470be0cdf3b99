//! The evaluation's cardiac cycles: from a P onset to the next P onset (of the lead II boundary
//! file, or of the record's other cycle sources), complete P-QRS-T-P only, each lead detrended
//! by the line through its two P onsets.
//!
//! Unlike the delineator's half-open cycles, an evaluation cycle holds **both** P onsets: its
//! samples run from `start` to `end` inclusive, so the detrending line passes through its first
//! and last samples, which are exactly 0 in every lead afterwards.

use super::metrics::Scale;
use crate::delineate::{CycleBounds, cycles_from_waves};
use crate::error::{Error, Result};
use crate::geometry::STANDARD_12;
use crate::panorama::{CycleRule, CycleSource, find_record_cycles_with};
use crate::record::annotation::{Annotation, read_annotations};
use crate::record::{Record, open_record};
use crate::signal::{detrend, resample_record};
use serde::Serialize;
use std::borrow::Cow;
use std::path::Path;

/// Fewest samples (both P onsets included) a cycle may hold.
pub const MIN_CYCLE_SAMPLES: usize = 100;
/// Most samples (both P onsets included) a cycle may hold.
pub const MAX_CYCLE_SAMPLES: usize = 512;

/// One cardiac cycle of a record: the 12 standard leads, detrended, in mV.
#[derive(Debug, Clone, PartialEq)]
pub struct Cycle {
    /// Record name.
    pub record: String,
    /// Sample index of the cycle's P onset in the record at [`EVAL_FS`] (resampled when it was
    /// recorded at another rate).
    pub start: usize,
    /// Sample index of the next P onset, **inclusive**: the cycle's last sample.
    pub end: usize,
    /// The leads in [`STANDARD_12`] order, `end − start + 1` samples each, in mV, each with the
    /// straight line through its values at the two P onsets subtracted.
    pub leads: Vec<Vec<f64>>,
    /// The boundaries relative to `start` (next P on at `end − start`), from the lead II
    /// boundary file.
    pub bounds: CycleBounds,
}

impl Cycle {
    /// Number of samples per lead (`end − start + 1`).
    pub fn samples(&self) -> usize {
        self.end - self.start + 1
    }

    /// The lead with this canonical name (I, II, …, V6).
    pub fn lead(&self, name: &str) -> Option<&[f64]> {
        lead_index(name).map(|i| self.leads[i].as_slice())
    }

    /// The minimum and maximum over all 12 leads: the paper's normalisation of this cycle.
    pub fn scale(&self) -> Scale {
        let (min, max) = self
            .leads
            .iter()
            .flatten()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
                (lo.min(v), hi.max(v))
            });
        Scale { min, max }
    }
}

/// Position of a canonical lead name in [`STANDARD_12`].
pub fn lead_index(name: &str) -> Option<usize> {
    STANDARD_12.iter().position(|&l| l == name)
}

/// The cycles `(start, end)` (both P onsets, inclusive) of a lead's boundary file: a complete
/// P wave, QRS complex and T wave, in that order and nothing else, up to the onset of the next
/// complete P wave, with `MIN_CYCLE_SAMPLES ..= MAX_CYCLE_SAMPLES` samples.
pub fn cycle_bounds(anns: &[Annotation]) -> Vec<(usize, usize)> {
    cycles_with_bounds(anns)
        .into_iter()
        .map(|b| (b.start(), b.end()))
        .collect()
}

/// [`cycle_bounds`] with each cycle's seven absolute boundaries.
fn cycles_with_bounds(anns: &[Annotation]) -> Vec<CycleBounds> {
    // The engine's own reading of a wave file; the record-length check happens in
    // `cycles_within`, so no length limit here.
    cycles_from_waves(anns, usize::MAX)
        .into_iter()
        .filter(|b| (MIN_CYCLE_SAMPLES..=MAX_CYCLE_SAMPLES).contains(&b.samples()))
        .collect()
}

/// The cycles of a record whose lead II boundaries are `lead_ii`: every cycle of
/// [`cycle_bounds`] that lies inside the record, has no missing sample and is not flat.
pub fn record_cycles(record: &Record, lead_ii: &[Annotation]) -> Result<Vec<Cycle>> {
    cycles_within(record, cycles_with_bounds(lead_ii))
}

/// The evaluation's cycles of `record` at the absolute boundaries `found`: those of
/// `MIN_CYCLE_SAMPLES ..= MAX_CYCLE_SAMPLES` samples (both P onsets included) that lie inside
/// the record, have no missing sample and are not flat, each lead detrended.
fn cycles_within(record: &Record, found: Vec<CycleBounds>) -> Result<Vec<Cycle>> {
    let leads = STANDARD_12
        .iter()
        .map(|&name| {
            record
                .lead(name)
                .map(|l| l.samples.as_slice())
                .ok_or_else(|| Error::MissingLead {
                    record: record.name.clone(),
                    lead: name.to_string(),
                    available: Vec::new(),
                })
        })
        .collect::<Result<Vec<_>>>()?;
    let cycles = found
        .into_iter()
        .filter(|b| (MIN_CYCLE_SAMPLES..=MAX_CYCLE_SAMPLES).contains(&b.samples()))
        .filter(|b| b.end() < record.len())
        .filter(|b| {
            let (s, e) = (b.start(), b.end());
            leads.iter().all(|l| l[s..=e].iter().all(|v| v.is_finite()))
        })
        .map(|b| Cycle {
            record: record.name.clone(),
            start: b.start(),
            end: b.end(),
            leads: leads
                .iter()
                .map(|l| detrend(&l[b.start()..=b.end()]))
                .collect(),
            bounds: b.relative(),
        })
        .filter(|c| {
            let s = c.scale();
            s.max > s.min
        })
        .collect();
    Ok(cycles)
}

/// The cycles of LUDB-layout records `names` in `dir` (`NAME.hea`/`.dat`, boundaries from
/// `NAME.ii`), in the order given.
pub fn ludb_cycles(dir: &Path, names: &[String]) -> Result<Vec<Cycle>> {
    let mut out = Vec::new();
    for name in names {
        let record = open_record(&dir.join(name))?;
        let anns = read_annotations(&dir.join(format!("{name}.ii")))?;
        out.extend(record_cycles(&record, &anns)?);
    }
    Ok(out)
}

/// The sampling rate of the evaluation's cycles: the panorama engine's 512-sample windows are
/// 500 Hz windows.
pub const EVAL_FS: f64 = 500.0;

/// A record of a database folder that gave the evaluation no cycle, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Skipped {
    /// Record name.
    pub record: String,
    /// Why it was left out.
    pub reason: String,
}

/// How many records of a folder took their cycles from each source.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct SourceCounts {
    /// Lead II wave files (`NAME.ii`, LUDB's reference boundaries).
    pub wave_files: usize,
    /// JSON cycle labels beside the record (`NAME.json`).
    pub labels: usize,
    /// The built-in automatic annotator.
    pub annotator: usize,
}

/// The evaluation's cycles of some records of a database folder.
#[derive(Debug, Clone, Default)]
pub struct FolderCycles {
    /// Every cycle, record by record in the order asked.
    pub cycles: Vec<Cycle>,
    /// Where the records' cycles came from.
    pub sources: SourceCounts,
    /// Records left out: without the 12 standard leads, or at a rate that cannot be resampled.
    pub skipped: Vec<Skipped>,
}

impl FolderCycles {
    /// Records contributing at least one cycle.
    pub fn records(&self) -> usize {
        self.cycles
            .iter()
            .map(|c| &c.record)
            .collect::<std::collections::BTreeSet<_>>()
            .len()
    }
}

/// The cycles of records `names` of any 12-lead database folder `dir`, from the first source
/// at hand as `synth` takes them: the lead II wave file `NAME.ii` (as [`ludb_cycles`]; when it
/// exists it is final), else ([`find_record_cycles_with`]) JSON cycle labels, else the
/// automatic annotator on the whole record, kept to complete P-QRS-T-P cycles under the rules
/// of [`record_cycles`], so the cycles do not depend on any task's inputs. A record at another
/// rate is cut where its own boundaries say, then resampled to [`EVAL_FS`] (the cycles'
/// `start`/`end` count samples at that rate). Records without the 12 standard leads, or whose
/// rate cannot be resampled, are skipped and listed; an unreadable record is an error.
/// `progress` hears the number of records done after each.
pub fn folder_cycles(
    dir: &Path,
    names: &[String],
    progress: &mut dyn FnMut(usize),
) -> Result<FolderCycles> {
    let mut out = FolderCycles::default();
    for (done, name) in names.iter().enumerate() {
        let path = dir.join(name);
        let record = open_record(&path)?;
        match record_at_eval_rate(&record) {
            Ok(at_rate) => {
                let wave_file = dir.join(format!("{name}.ii"));
                let (source, found) = if wave_file.is_file() {
                    // The reference boundaries are final: where the cardiologist marked no
                    // complete cycle (atrial fibrillation, paced beats) the annotator may not
                    // add one. Their lengths are checked at the evaluation's rate.
                    let anns = read_annotations(&wave_file)?;
                    let found = cycles_from_waves(&anns, usize::MAX);
                    (CycleSource::WaveFile(wave_file), found)
                } else {
                    find_record_cycles_with(&record, Some(&path), CycleRule::Complete)?
                };
                *match source {
                    CycleSource::WaveFile(_) => &mut out.sources.wave_files,
                    CycleSource::Labels(_) => &mut out.sources.labels,
                    CycleSource::Annotator => &mut out.sources.annotator,
                } += 1;
                let found = found
                    .iter()
                    .filter_map(|b| b.at_rate(record.fs, at_rate.fs, at_rate.len()))
                    .collect();
                out.cycles.extend(cycles_within(&at_rate, found)?);
            }
            Err(reason) => out.skipped.push(Skipped {
                record: name.clone(),
                reason,
            }),
        }
        progress(done + 1);
    }
    Ok(out)
}

/// `record` at [`EVAL_FS`] (resampled when recorded at another rate), or why it cannot be
/// scored.
fn record_at_eval_rate(record: &Record) -> std::result::Result<Cow<'_, Record>, String> {
    let missing: Vec<&str> = STANDARD_12
        .iter()
        .copied()
        .filter(|l| record.lead(l).is_none())
        .collect();
    if !missing.is_empty() {
        return Err(format!(
            "no lead {} (the evaluation needs the 12 standard leads)",
            missing.join(", ")
        ));
    }
    if (record.fs - EVAL_FS).abs() <= 1e-6 {
        return Ok(Cow::Borrowed(record));
    }
    resample_record(record, EVAL_FS)
        .map(Cow::Owned)
        .map_err(|e| {
            format!(
                "recorded at {} Hz, which cannot be brought to the evaluation's {EVAL_FS} Hz: {e}",
                record.fs
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::delineate::wave_cycles::test_beat as beat;

    #[test]
    fn complete_cycles_run_from_p_onset_to_next_p_onset_inclusive() {
        let anns: Vec<_> = [0, 300, 700, 1000].into_iter().flat_map(beat).collect();
        // 300 → 700 holds 401 samples; 700 → 1000 ends at a P whose beat is complete.
        assert_eq!(cycle_bounds(&anns), [(0, 300), (300, 700), (700, 1000)]);
        let long: Vec<_> = [0, 600].into_iter().flat_map(beat).collect();
        assert!(cycle_bounds(&long).is_empty(), "601 samples is too long");
    }

    #[test]
    fn incomplete_waves_break_the_chain() {
        let mut anns: Vec<_> = [0, 300, 600].into_iter().flat_map(beat).collect();
        anns.remove(4); // the first QRS loses its peak: a stray `( )`
        assert_eq!(cycle_bounds(&anns), [(300, 600)]);
        let mut no_t: Vec<_> = [0, 300, 600].into_iter().flat_map(beat).collect();
        no_t.drain(15..18); // the second beat has no T wave
        assert_eq!(cycle_bounds(&no_t), [(0, 300)]);
    }
}
