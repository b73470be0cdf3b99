//! Writing delineations to files: one WFDB annotation file per lead, named and laid out as LUDB's
//! (`NAME.i`, `NAME.ii`, … `NAME.v6`: `(` onset, `p`/`N`/`t` peak, `)` offset), and the seed's
//! JSON cycle labels (`NAME.json`) extended with the record's cycles.
//!
//! Cycle flags go into every lead file as WFDB notes (`"`, the flag in `aux`), one per flag, at a
//! sample outside every wave of that lead: the cycle's start when it is free, else the middle of
//! the free stretch before the QRS, else the free sample nearest the cycle's start. Never at
//! sample 0, which readers take for a file-level note and drop.
//!
//! The JSON file holds `"record"`, `"fs"` and `"samples"`, the six seed lists (`"P on"`, `"P off"`,
//! `"R on"`, `"R off"`, `"T on"`, `"T off"`) and `"cycles"`: one object per beat with its seven
//! boundaries and `"flags"`. In the seed lists every beat gives an `"R on"`/`"R off"` pair, and
//! beats without a P (or T) wave simply give no `"P on"`/`"P off"` (or T) pair, as in the seed's
//! own files; the per-beat alignment is in `"cycles"`, whose order follows `"R on"`.
//!
//! This file holds [`OutputFormat`]; the rest is split by what it writes: `paths` names the
//! files (each lead's extension), `lead_annotations` builds one lead's WFDB annotation list
//! with its notes, `json` builds the labels document, and `write` checks for clashes and writes
//! every file atomically.

mod json;
mod lead_annotations;
mod paths;
mod write;

#[cfg(test)]
mod tests;

pub use json::{LabelsDocument, global_labels, labels_document, rhythm_notes};
pub use lead_annotations::lead_annotations;
pub use paths::{lead_extension, lead_extensions, output_paths, unique_extensions};
pub use write::write_outputs;

/// Which files `write_outputs` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OutputFormat {
    /// One WFDB annotation file per lead.
    Wfdb,
    /// The JSON cycle labels.
    Json,
    /// Both.
    #[default]
    Both,
}

impl OutputFormat {
    fn wfdb(self) -> bool {
        matches!(self, OutputFormat::Wfdb | OutputFormat::Both)
    }

    fn json(self) -> bool {
        matches!(self, OutputFormat::Json | OutputFormat::Both)
    }
}
