//! How far one method is ahead of another on a task, with how surely: the paired difference of
//! their PSNR over the lead-cycles both scored, and a 95 % interval from resampling records.
//!
//! A test set of a few dozen records is a small sample of patients, and cycles of one record
//! are not independent (the same torso, electrodes and device), so the interval resamples
//! whole records (cluster bootstrap, percentile interval; Efron & Tibshirani 1993, ch. 13).
//! Pairing lead-cycle by lead-cycle removes what both methods share (a noisy target is noisy
//! for both), so the interval is that of the difference, not of either score.

use super::evaluate::Table;
use crate::stats::quantile;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::Serialize;

/// Resamplings of the records behind each interval.
pub const RESAMPLES: usize = 2000;
/// Fewest records an interval is drawn from: resampling two or three records says little of
/// the patients they stand for.
pub const MIN_RECORDS: usize = 5;
/// Seed of the resampling, so a table prints the same interval every run.
const SEED: u64 = 20_251_206;

/// One method's lead over another on one task, honest mode.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Margin {
    /// The task's name.
    pub task: String,
    /// The method ahead (or behind).
    pub method: String,
    /// The method it is compared with.
    pub baseline: String,
    /// Mean over the lead-cycles both scored of method − baseline PSNR (dB).
    pub diff_db: f64,
    /// 2.5th percentile of that mean over [`RESAMPLES`] resamplings of the records (dB);
    /// `None` with fewer than [`MIN_RECORDS`] records.
    pub low_db: Option<f64>,
    /// 97.5th percentile of it (dB); `None` as `low_db`.
    pub high_db: Option<f64>,
    /// Records with at least one lead-cycle both scored.
    pub records: usize,
}

/// Per record with a paired lead-cycle: the sum of the differences and their count.
fn per_record(table: &Table, task: &str, method: &str, baseline: &str) -> Vec<(f64, usize)> {
    let (Some(a), Some(b)) = (table.cell(task, method), table.cell(task, baseline)) else {
        return Vec::new();
    };
    let cycles = table.cycle_records.len();
    if a.scores.len() != b.scores.len() || cycles == 0 || a.scores.len() % cycles != 0 {
        return Vec::new();
    }
    let per_cycle = a.scores.len() / cycles;
    let mut sums: std::collections::BTreeMap<&str, (f64, usize)> = Default::default();
    for (i, (x, y)) in a.scores.iter().zip(&b.scores).enumerate() {
        if let (Some(x), Some(y)) = (x, y) {
            let record = table.cycle_records[i / per_cycle.max(1)].as_str();
            let entry = sums.entry(record).or_default();
            entry.0 += x - y;
            entry.1 += 1;
        }
    }
    sums.into_values().collect()
}

/// The mean difference of the lead-cycles of the records `picks` names (with repeats).
fn pooled(records: &[(f64, usize)], picks: impl Iterator<Item = usize>) -> f64 {
    let (sum, n) = picks.fold((0.0, 0usize), |(s, n), r| {
        (s + records[r].0, n + records[r].1)
    });
    sum / n.max(1) as f64
}

/// `method` − `baseline` on `task` of `table`, with its 95 % interval over resampled records
/// (from [`MIN_RECORDS`] records on); `None` when the two share no scored lead-cycle.
pub fn margin(table: &Table, task: &str, method: &str, baseline: &str) -> Option<Margin> {
    let records = per_record(table, task, method, baseline);
    if records.is_empty() {
        return None;
    }
    let diff_db = pooled(&records, 0..records.len());
    let interval = (records.len() >= MIN_RECORDS).then(|| {
        let mut rng = StdRng::seed_from_u64(SEED);
        let n = records.len();
        let mut means: Vec<f64> = (0..RESAMPLES)
            .map(|_| pooled(&records, (0..n).map(|_| rng.random_range(0..n))))
            .collect();
        means.sort_by(f64::total_cmp);
        (quantile(&means, 0.025), quantile(&means, 0.975))
    });
    let (low_db, high_db) = interval.unwrap_or((None, None));
    Some(Margin {
        task: task.to_string(),
        method: method.to_string(),
        baseline: baseline.to_string(),
        diff_db,
        low_db,
        high_db,
        records: records.len(),
    })
}

/// For each task, each of `engines` (methods named in the table) against the best-scoring
/// other method of that task: the margins the acceptance of a new model reads.
pub fn best_baseline_margins(table: &Table, engines: &[&str]) -> Vec<Margin> {
    let mut out = Vec::new();
    for task in &table.tasks {
        let best = table
            .cells
            .iter()
            .filter(|c| c.task == task.name && !engines.contains(&c.method.as_str()))
            .filter_map(|c| Some((c.psnr_db?, c.method.as_str())))
            .max_by(|a, b| a.0.total_cmp(&b.0));
        let Some((_, baseline)) = best else {
            continue;
        };
        for engine in engines {
            let scored = table
                .cell(&task.name, engine)
                .is_some_and(|c| c.psnr_db.is_some());
            if let Some(m) = scored
                .then(|| margin(table, &task.name, engine, baseline))
                .flatten()
            {
                out.push(m);
            }
        }
    }
    out
}

/// The margins as plain-text lines under a heading.
pub fn render_margins(margins: &[Margin]) -> String {
    use std::fmt::Write;
    let mut out = format!(
        "method − best other method, PSNR dB, with a 95 % interval ({RESAMPLES} resamplings of \
         the scored records)\n"
    );
    let tw = margins.iter().map(|m| m.task.chars().count()).max();
    let mw = margins.iter().map(|m| m.method.chars().count()).max();
    let (tw, mw) = (tw.unwrap_or(4), mw.unwrap_or(6));
    for m in margins {
        let interval = match (m.low_db, m.high_db) {
            (Some(lo), Some(hi)) => format!("[{lo:+.2}, {hi:+.2}]"),
            _ => format!("(no interval: under {MIN_RECORDS} records)"),
        };
        let _ = writeln!(
            out,
            "{:<tw$}  {:<mw$}  {:>+6.2}  {interval}  vs {} ({} record(s))",
            m.task, m.method, m.diff_db, m.baseline, m.records
        );
    }
    out
}

#[cfg(test)]
mod tests;
