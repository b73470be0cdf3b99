//! Documents from one source: the annotator's beats, a WFDB wave file, JSON cycle labels.

use super::ops::sort_in_cycle_order;
use super::{AnnotationDoc, BoundaryKind, Mark, Origin, Peak, valid_fs};
use crate::delineate::cycles::{CycleFlag, cycles};
use crate::delineate::output::{LabelsDocument, rhythm_notes};
use crate::delineate::{BeatRhythm, RhythmNote};
use crate::delineate::{Delineation, WaveKind};
use crate::error::{Error, Result, read_text};
use crate::record::annotation::{Annotation, read_annotations};
use crate::record::labels::CycleLabels;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const WAVE_KIND: &str = "WFDB wave annotation file";
const LABELS_KIND: &str = "JSON cycle-label file";

/// Notes the annotator writes: derived from the waves and the record, so dropping them loses
/// nothing.
const FLAG_NOTES: [CycleFlag; 6] = [
    CycleFlag::NoPWave,
    CycleFlag::NoTWave,
    CycleFlag::CutAtStart,
    CycleFlag::CutAtEnd,
    CycleFlag::TOverlapsNextP,
    CycleFlag::MissingSamples,
];

/// Marks (including the notes that keep lone marks), peaks and what was skipped, from a wave
/// file's annotations.
type WaveContent = (Vec<Mark>, Vec<Peak>, Vec<RhythmNote>, Vec<String>);

fn read_waves(anns: &[Annotation], len: usize, path: &Path) -> Result<WaveContent> {
    let is_note = |a: &Annotation| a.symbol == "\"";
    let wave_at = |i: Option<usize>| i.and_then(|i| WaveKind::from_symbol(&anns[i].symbol));
    let (mut marks, mut peaks, mut rhythm_notes) = (Vec::new(), Vec::new(), Vec::new());
    let mut skipped: BTreeMap<String, usize> = BTreeMap::new();
    for (i, a) in anns.iter().enumerate() {
        let s = usize::try_from(a.sample)
            .ok()
            .filter(|&s| s < len)
            .ok_or_else(|| {
                Error::malformed(
                    path,
                    WAVE_KIND,
                    format!(
                        "`{}` at sample {} lies outside the record ({len} samples); is this file \
                         another record's?",
                        a.symbol, a.sample
                    ),
                )
            })?;
        match a.symbol.as_str() {
            "\"" => {
                let text = a.aux.as_deref().unwrap_or("");
                if let Some(kind) = BoundaryKind::from_label(text) {
                    marks.push(Mark::new(kind, s));
                } else if let Some(rhythm) = rhythm_of_note(text) {
                    rhythm_notes.push(RhythmNote { sample: s, rhythm });
                } else if !FLAG_NOTES.iter().any(|f| f.as_str() == text) {
                    *skipped.entry("note".into()).or_default() += 1;
                }
            }
            "(" => {
                let next = anns[i + 1..]
                    .iter()
                    .position(|a| !is_note(a))
                    .map(|p| i + 1 + p);
                match wave_at(next) {
                    Some(w) => marks.push(Mark::new(BoundaryKind::onset(w), s)),
                    None => {
                        *skipped
                            .entry("`(` without a wave after it".into())
                            .or_default() += 1
                    }
                }
            }
            ")" => match wave_at(anns[..i].iter().rposition(|a| !is_note(a))) {
                Some(w) => marks.push(Mark::new(BoundaryKind::offset(w), s)),
                None => {
                    *skipped
                        .entry("`)` without a wave before it".into())
                        .or_default() += 1
                }
            },
            symbol => match WaveKind::from_symbol(symbol) {
                Some(wave) => peaks.push(Peak { wave, sample: s }),
                None => *skipped.entry(format!("`{symbol}`")).or_default() += 1,
            },
        }
    }
    peaks.sort_by_key(|p| p.sample);
    let warnings = if skipped.is_empty() {
        Vec::new()
    } else {
        let list: Vec<String> = skipped.iter().map(|(k, n)| format!("{n} × {k}")).collect();
        vec![format!(
            "{}: annotations that are not wave boundaries were not opened and will not be saved: {}",
            path.display(),
            list.join(", ")
        )]
    };
    Ok((marks, peaks, rhythm_notes, warnings))
}

/// The beat rhythm a flag note names ("ventricular_ectopic", …), if it names one.
fn rhythm_of_note(text: &str) -> Option<BeatRhythm> {
    [
        BeatRhythm::AtrialFibrillation,
        BeatRhythm::VentricularEctopic,
    ]
    .into_iter()
    .find(|r| r.as_str() == text)
}

/// The rhythm notes of a JSON label document: its list, else its cycles' flags.
fn document_rhythm(d: &LabelsDocument) -> Vec<RhythmNote> {
    match d.rhythm.is_empty() {
        true => rhythm_notes(&d.cycles),
        false => d.rhythm.clone(),
    }
}

/// Every boundary of the six lists as a mark, or why one cannot be.
fn label_marks(labels: &CycleLabels, len: usize) -> std::result::Result<Vec<Mark>, String> {
    let mut marks = Vec::with_capacity(labels.total());
    for (kind, (key, list)) in BoundaryKind::ALL.into_iter().zip(labels.kinds()) {
        for &s in list.iter() {
            let sample = usize::try_from(s)
                .ok()
                .filter(|&s| s < len)
                .ok_or_else(|| {
                    format!(
                        "\"{key}\" holds sample {s}, outside the record ({len} samples); are \
                         these another record's labels?"
                    )
                })?;
            marks.push(Mark::new(kind, sample));
        }
    }
    sort_in_cycle_order(&mut marks);
    Ok(marks)
}

impl AnnotationDoc {
    /// The automatic proposal: P, QRS and T boundaries of the delineation's beats (through
    /// [`cycles`], so they never run backwards; boundaries at the record's end move to its
    /// last sample), with the beats' peaks kept for saving.
    pub fn from_delineation(d: &Delineation, record_len: usize) -> Self {
        let mut marks = Vec::new();
        if let Some(last) = record_len.checked_sub(1) {
            for c in cycles(d) {
                let mut push = |kind, s: usize| marks.push(Mark::new(kind, s.min(last)));
                if c.has_p() {
                    push(BoundaryKind::POn, c.p_on);
                    push(BoundaryKind::POff, c.p_off);
                }
                push(BoundaryKind::QrsOn, c.qrs_on);
                push(BoundaryKind::QrsOff, c.qrs_off);
                if c.has_t() {
                    push(BoundaryKind::TOn, c.t_on);
                    push(BoundaryKind::TOff, c.t_off);
                }
            }
        }
        let mut doc = Self::new(record_len, d.fs, marks, Origin::Annotator);
        doc.set_rhythm_notes(rhythm_notes(&cycles(d)));
        doc.peaks = d
            .beats
            .iter()
            .flat_map(|b| [b.p, Some(b.qrs), b.t])
            .flatten()
            .filter(|w| w.peak < record_len)
            .map(|w| Peak {
                wave: w.kind,
                sample: w.peak,
            })
            .collect();
        doc.peaks.sort_by_key(|p| p.sample);
        doc
    }

    /// Open a WFDB wave annotation file (LUDB's `NAME.ii`): `(` onset and `)` offset around a
    /// `p`/`N`/`t` peak give the marks, notes naming a boundary ("P on", …) give lone marks.
    /// An annotation outside the record is an error; anything else not understood is skipped
    /// with a warning.
    pub fn from_wave_file(path: &Path, record_len: usize, fs: f64) -> Result<Self> {
        if !valid_fs(fs) {
            return Err(Error::SamplingRate {
                path: path.to_path_buf(),
                fs,
            });
        }
        let anns = read_annotations(path)?;
        let (marks, peaks, rhythm, warnings) = read_waves(&anns, record_len, path)?;
        let mut doc = Self::new(record_len, fs, marks, Origin::WaveFile(path.to_path_buf()));
        doc.peaks = peaks;
        doc.set_rhythm_notes(rhythm);
        doc.warnings.extend(warnings);
        Ok(doc)
    }

    /// Open the seed's six boundary lists held in memory (origin: labels with an empty path).
    pub fn from_labels(labels: &CycleLabels, record_len: usize, fs: f64) -> Result<Self> {
        if !valid_fs(fs) {
            return Err(Error::Invalid(format!(
                "invalid sampling rate {fs} Hz (it must be a positive number)"
            )));
        }
        let marks = label_marks(labels, record_len).map_err(Error::Invalid)?;
        Ok(Self::new(
            record_len,
            fs,
            marks,
            Origin::Labels(PathBuf::new()),
        ))
    }

    /// Open a JSON label file: the seed's format, or the annotator's (whose `fs` must be the
    /// record's).
    pub fn from_labels_file(path: &Path, record_len: usize, fs: f64) -> Result<Self> {
        if !valid_fs(fs) {
            return Err(Error::SamplingRate {
                path: path.to_path_buf(),
                fs,
            });
        }
        let text = read_text(path)?;
        let (labels, rhythm) = match serde_json::from_str::<LabelsDocument>(&text) {
            Ok(doc) if doc.fs != fs => {
                return Err(Error::malformed(
                    path,
                    LABELS_KIND,
                    format!(
                        "its sample indices are at {} Hz, the record is at {fs} Hz",
                        doc.fs
                    ),
                ));
            }
            Ok(doc) => {
                let rhythm = document_rhythm(&doc);
                (doc.labels, rhythm)
            }
            Err(_) => (CycleLabels::from_json(&text, path)?, Vec::new()),
        };
        let marks =
            label_marks(&labels, record_len).map_err(|r| Error::malformed(path, LABELS_KIND, r))?;
        let mut doc = Self::new(record_len, fs, marks, Origin::Labels(path.to_path_buf()));
        doc.set_rhythm_notes(rhythm);
        Ok(doc)
    }

    /// The rhythm notes of the JSON label file at `path` (the flags of its cycles), for a
    /// document opened from the wave file beside it: the wave file a document saves carries
    /// none. Nothing when the file holds none or cannot be read as the annotator's labels.
    pub fn rhythm_notes_from_labels(path: &Path, fs: f64) -> Vec<RhythmNote> {
        read_text(path)
            .ok()
            .and_then(|t| serde_json::from_str::<LabelsDocument>(&t).ok())
            .filter(|d| d.fs == fs)
            .map(|d| document_rhythm(&d))
            .unwrap_or_default()
    }
}
