//! The six scored boundary kinds and the boundaries read out of a WFDB annotation list or out
//! of delineated waves, with the span a reference annotates.

use crate::delineate::{Wave, WaveKind};
use crate::record::annotation::Annotation;

/// The six scored boundaries: the ones the annotation documents mark, in the same order.
pub use crate::delineate::edit::BoundaryKind;

/// One wave boundary at a sample index of its record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Boundary {
    /// Which boundary.
    pub kind: BoundaryKind,
    /// Sample index at the record's own rate.
    pub sample: i64,
}

/// The boundaries written in a WFDB annotation list (`(` onset, peak `p`/`N`/`t`, `)` offset).
///
/// A `(` is the onset of the wave whose peak symbol immediately follows it, a `)` the offset of
/// the wave whose peak immediately precedes it. A `(` or `)` not next to a peak is ignored:
/// the reference files hold a few such strays (e.g. LUDB 7, lead V2: `N ( )`, a QRS peak one
/// sample before its own onset), and guessing their wave would score the guess, not the method.
/// A peak without its `(` or `)` (a wave cut by the record's edge) gives only the boundary it has.
pub fn annotation_boundaries(anns: &[Annotation]) -> Vec<Boundary> {
    let peak = |k: usize| anns.get(k).and_then(|a| WaveKind::from_symbol(&a.symbol));
    let mut out = Vec::new();
    for (k, a) in anns.iter().enumerate() {
        let kind = match a.symbol.as_str() {
            "(" => peak(k + 1).map(BoundaryKind::onset),
            ")" => k.checked_sub(1).and_then(peak).map(BoundaryKind::offset),
            _ => None,
        };
        if let Some(kind) = kind {
            out.push(Boundary {
                kind,
                sample: a.sample,
            });
        }
    }
    out
}

/// The boundaries of delineated waves: each wave's onset and offset.
pub fn wave_boundaries(waves: &[Wave]) -> Vec<Boundary> {
    let mut out = Vec::with_capacity(2 * waves.len());
    for w in waves {
        for (onset, sample) in [(true, w.on), (false, w.off)] {
            out.push(Boundary {
                kind: if onset {
                    BoundaryKind::onset(w.kind)
                } else {
                    BoundaryKind::offset(w.kind)
                },
                sample: i64::try_from(sample).unwrap_or(i64::MAX),
            });
        }
    }
    out
}

/// First and last sample annotated in a list (any symbol), or `None` for an empty list.
pub fn annotated_span(anns: &[Annotation]) -> Option<(i64, i64)> {
    let first = anns.iter().map(|a| a.sample).min()?;
    let last = anns.iter().map(|a| a.sample).max()?;
    Some((first, last))
}
