//! Record-level reference beats from LUDB's per-lead cardiologist files.

use super::ludb::LUDB_LEADS;
use super::measure::reference_beats;
use crate::error::Result;
use crate::measure::{BeatMarks, Span};
use crate::record::Record;
use serde::Serialize;
use std::path::Path;

/// How the cardiologists' per-lead boundaries become one set per beat.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum ReferenceRule {
    /// Lead II's file alone (`NAME.ii`, what the app opens).
    LeadIi,
    /// Per beat, the median of each boundary over the leads that mark it.
    Median,
    /// Per beat, the earliest onset and latest offset over the leads (global intervals).
    Global,
}

/// The reference beats of LUDB record `stem` by `rule` (lead II's beats give the beats; the
/// other leads' overlapping waves join them).
pub fn ludb_reference(stem: &Path, record: &Record, rule: ReferenceRule) -> Result<Vec<BeatMarks>> {
    let lead_ii = reference_beats(&stem.with_extension("ii"), record)?;
    if rule == ReferenceRule::LeadIi {
        return Ok(lead_ii);
    }
    let mut leads = Vec::new();
    for ext in LUDB_LEADS {
        let path = stem.with_extension(ext);
        if path.is_file() {
            leads.push(reference_beats(&path, record)?);
        }
    }
    Ok(lead_ii
        .iter()
        .map(|b| {
            let same: Vec<&BeatMarks> = leads
                .iter()
                .filter_map(|l| {
                    l.iter()
                        .find(|o| o.qrs.on <= b.qrs.off && o.qrs.off >= b.qrs.on)
                })
                .collect();
            let span = |get: fn(&BeatMarks) -> Option<Span>| -> Option<Span> {
                let spans: Vec<Span> = same.iter().filter_map(|o| get(o)).collect();
                get(b)?;
                let (on, off) = combine(&spans, rule)?;
                Span::new(on, off)
            };
            BeatMarks {
                p: span(|o| o.p),
                qrs: span(|o| Some(o.qrs)).unwrap_or(b.qrs),
                t: span(|o| o.t),
                ..*b
            }
        })
        .collect())
}

fn combine(spans: &[Span], rule: ReferenceRule) -> Option<(usize, usize)> {
    if spans.is_empty() {
        return None;
    }
    let median = |mut v: Vec<usize>| {
        v.sort_unstable();
        v[v.len() / 2]
    };
    Some(match rule {
        ReferenceRule::Global => (
            spans.iter().map(|s| s.on).min()?,
            spans.iter().map(|s| s.off).max()?,
        ),
        _ => (
            median(spans.iter().map(|s| s.on).collect()),
            median(spans.iter().map(|s| s.off).collect()),
        ),
    })
}
