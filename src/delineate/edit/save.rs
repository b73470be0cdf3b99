//! Saving: the marks as a LUDB-style WFDB wave file plus the JSON labels, written together
//! through the crate's atomic writer.

use super::{AnnotationDoc, BoundaryKind, valid_fs};
use crate::delineate::WaveKind;
use crate::delineate::cycles::{Cycle, CycleFlag};
use crate::delineate::output::LabelsDocument;
use crate::error::{Error, Result};
use crate::record::annotation::{Annotation, encode_annotations};
use crate::record::labels::CycleLabels;
use std::path::Path;

impl AnnotationDoc {
    /// The seed's six lists holding every mark.
    pub fn labels(&self) -> CycleLabels {
        let mut l = CycleLabels::default();
        for m in &self.marks {
            let list = match m.kind {
                BoundaryKind::POn => &mut l.p_on,
                BoundaryKind::POff => &mut l.p_off,
                BoundaryKind::QrsOn => &mut l.r_on,
                BoundaryKind::QrsOff => &mut l.r_off,
                BoundaryKind::TOn => &mut l.t_on,
                BoundaryKind::TOff => &mut l.t_off,
            };
            list.push(m.sample as i64);
        }
        l
    }

    /// The JSON document `save` writes: every mark in the six lists, and the complete cycles.
    pub fn labels_document(&self, record_name: &str) -> LabelsDocument {
        let named = self.named_beats();
        LabelsDocument {
            record: record_name.to_string(),
            fs: self.fs,
            samples: self.len,
            labels: self.labels(),
            cycles: self
                .cycles()
                .into_iter()
                .map(|b| Cycle {
                    p_on: b.p_on(),
                    p_off: b.p_off(),
                    qrs_on: b.qrs_on(),
                    qrs_off: b.qrs_off(),
                    t_on: b.t_on(),
                    t_off: b.t_off(),
                    next_p_on: b.next_p_on(),
                    flags: [
                        (b.p_on() == b.p_off()).then_some(CycleFlag::NoPWave),
                        self.missing
                            .overlaps(b.p_on()..b.next_p_on())
                            .then_some(CycleFlag::MissingSamples),
                        named
                            .binary_search_by_key(&b.qrs_on(), |&(on, _)| on)
                            .ok()
                            .map(|k| CycleFlag::from(named[k].1)),
                    ]
                    .into_iter()
                    .flatten()
                    .collect(),
                })
                .collect(),
            rhythm: self.rhythm.clone(),
        }
    }

    /// The peak written for a wave: a known peak of that wave inside it (the one nearest its
    /// middle), else its middle.
    fn peak_of(&self, wave: WaveKind, on: usize, off: usize) -> usize {
        let middle = on + (off - on) / 2;
        let lo = self.peaks.partition_point(|p| p.sample < on);
        let hi = self.peaks.partition_point(|p| p.sample <= off);
        self.peaks[lo..hi]
            .iter()
            .filter(|p| p.wave == wave)
            .map(|p| p.sample)
            .min_by_key(|s| s.abs_diff(middle))
            .unwrap_or(middle)
    }

    /// The annotations `save` writes: `(`, peak, `)` for each whole wave, and a `"` note naming
    /// the boundary ("P on", …) for each lone mark, so that no mark is lost and LUDB-style
    /// readers, which skip notes, still see clean waves. Errors when a lone mark sits at sample
    /// 0, where WFDB readers drop notes.
    pub fn wave_annotations(&self) -> Result<Vec<Annotation>> {
        let mut out = Vec::with_capacity(self.marks.len() * 3 / 2 + 1);
        let mut at_zero = Vec::new();
        for (i, whole) in self.pieces() {
            let m = self.marks[i];
            if whole {
                let off = self.marks[i + 1].sample;
                let wave = m.kind.wave();
                out.push(Annotation::new(m.sample as i64, "("));
                let peak = self.peak_of(wave, m.sample, off);
                out.push(Annotation::new(peak as i64, wave.symbol()));
                out.push(Annotation::new(off as i64, ")"));
            } else {
                if m.sample == 0 {
                    at_zero.push(m.kind.label());
                }
                let mut note = Annotation::new(m.sample as i64, "\"");
                note.aux = Some(m.kind.label().to_string());
                out.push(note);
            }
        }
        if !at_zero.is_empty() {
            return Err(Error::Invalid(format!(
                "nothing was saved: the {} at sample 0 {} not part of a whole wave, and a WFDB \
                 file cannot keep a lone mark there; complete the wave, or move or delete the mark",
                at_zero.join(", "),
                if at_zero.len() == 1 { "is" } else { "are" }
            )));
        }
        Ok(out)
    }

    /// Save as a WFDB wave annotation file (LUDB style, readable by wfdb-python's `rdann`) and
    /// the JSON labels (the annotator's format: the seed's six lists with every mark, plus the
    /// complete cycles).
    ///
    /// Marks that do not form a whole wave are kept: as `"` notes naming the boundary in the
    /// wave file (see [`AnnotationDoc::wave_annotations`]) and in the JSON lists; reopening
    /// either file gives them back. Peaks are the source's where one lies inside the wave,
    /// else the wave's middle. With `overwrite` false an existing file stops the save before
    /// anything is written, and the error names it. Both files are staged before either is
    /// renamed into place ([`crate::fsio::write_set`]). Clears the dirty state; the app should then discard the
    /// record's recovery file.
    pub fn save(
        &mut self,
        wave_path: &Path,
        json_path: &Path,
        record_name: &str,
        overwrite: bool,
    ) -> Result<()> {
        if wave_path == json_path {
            return Err(Error::Invalid(format!(
                "{}: the wave file and the JSON labels need two different files",
                wave_path.display()
            )));
        }
        let (wave, json) = (self.wave_bytes()?, self.json_bytes(record_name)?);
        let files = [(wave_path, wave.as_slice()), (json_path, json.as_slice())];
        refuse_existing(&[wave_path, json_path], overwrite)?;
        crate::fsio::write_set(&files, crate::fsio::Replace::allow_if(overwrite))?;
        self.mark_saved();
        Ok(())
    }

    /// The wave file `save` writes, encoded; an error names why nothing can be saved.
    pub(super) fn wave_bytes(&self) -> Result<Vec<u8>> {
        if !valid_fs(self.fs) {
            return Err(Error::Invalid(format!(
                "nothing was saved: invalid sampling rate {} Hz",
                self.fs
            )));
        }
        encode_annotations(&self.wave_annotations()?)
    }

    /// The JSON labels `save` writes.
    pub(super) fn json_bytes(&self, record_name: &str) -> Result<Vec<u8>> {
        let mut json = serde_json::to_vec(&self.labels_document(record_name))?;
        json.push(b'\n');
        Ok(json)
    }

    /// The marks are now what the files hold: the document is clean.
    pub(super) fn mark_saved(&mut self) {
        self.clean = Some(self.marks.clone());
    }

    /// Take the saved state of `saved`, a copy of this document that was saved elsewhere (in
    /// the background): edits made to this one since the copy was taken stay unsaved.
    pub fn take_saved(&mut self, saved: &AnnotationDoc) {
        self.clean = saved.clean.clone();
    }
}

/// Stop before anything is written when one of `paths` exists and `overwrite` is false; the
/// error names every such file, so the user can be asked about all of them at once.
pub fn refuse_existing(paths: &[&Path], overwrite: bool) -> Result<()> {
    let existing: Vec<String> = paths
        .iter()
        .filter(|p| p.symlink_metadata().is_ok())
        .map(|p| p.display().to_string())
        .collect();
    if overwrite || existing.is_empty() {
        return Ok(());
    }
    let verb = if existing.len() == 1 {
        "exists"
    } else {
        "exist"
    };
    Err(Error::Invalid(format!(
        "{}: already {verb}; nothing was saved (confirm to replace)",
        existing.join(", ")
    )))
}
