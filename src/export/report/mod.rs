//! The standard 12-lead report, as every ECG cart prints it: 3 rows × 4 columns of 2.5 s
//! (I, aVR, V1, V4 / II, aVL, V2, V5 / III, aVF, V3, V6, each column the same 2.5 s), a 10-s
//! lead II rhythm strip, 1 mV calibration pulses, 25 mm/s and 10 mm/mV on a true mm grid, a
//! header with the patient and the measurements, on A4 or Letter landscape.
//!
//! Records without the standard leads get one 10-s strip per lead; a record with I and II but
//! not the other limb leads gets them derived (and says so); missing leads and NaN samples are
//! gaps. Optional rows of synthesized views (drawn in red, named with their engine and inputs)
//! come after the 3 × 4 block. The page goes through the same SVG → PDF / PNG pipeline as every
//! figure.

mod arrange;
mod draw;
mod measures;
mod patient;

pub use measures::{measures_line, page_rate, report_header};
pub use patient::{PatientInfo, patient_info};

use super::FigureFormat;
use crate::error::{Error, Result};
use crate::record::Record;
use std::path::Path;

/// Most synthesized views a report takes (two rows of four).
pub const MAX_VIEWS: usize = 2 * arrange::VIEWS_PER_ROW;

/// Paper sizes, used in landscape.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum PaperSize {
    /// ISO A4, 297 × 210 mm.
    #[default]
    A4,
    /// US Letter, 279.4 × 215.9 mm.
    Letter,
}

impl PaperSize {
    /// Width and height in mm, landscape.
    pub fn size_mm(self) -> (f64, f64) {
        match self {
            PaperSize::A4 => (297.0, 210.0),
            PaperSize::Letter => (279.4, 215.9),
        }
    }
}

/// Views synthesized for the report, each as long as the record (NaN outside the cycles).
#[derive(Debug, Clone, PartialEq)]
pub struct SynthesizedViews {
    /// The engine's name, e.g. "Nef-Net".
    pub engine: String,
    /// The recorded leads it was given.
    pub inputs: Vec<String>,
    /// Label (lead name or viewpoint) and samples in mV.
    pub views: Vec<(String, Vec<f64>)>,
}

/// Everything a report shows.
#[derive(Debug, Clone)]
pub struct ReportInput<'a> {
    /// The record (its first 10 s from `start_s` are printed).
    pub record: &'a Record,
    /// Age, sex, date for the header.
    pub patient: PatientInfo,
    /// The measurements of the header line.
    pub measures: crate::measure::Header,
    /// Rows of synthesized views, if asked for.
    pub synthesized: Option<SynthesizedViews>,
    /// Paper size.
    pub paper: PaperSize,
    /// Time of the page's left edge, s.
    pub start_s: f64,
    /// Small print under the measurements (e.g. where the cycles came from).
    pub note: String,
}

impl<'a> ReportInput<'a> {
    /// A report of `record` on A4 from its start, with nothing known about the patient.
    pub fn new(record: &'a Record) -> Self {
        Self {
            record,
            patient: PatientInfo::default(),
            measures: crate::measure::Header::default(),
            synthesized: None,
            paper: PaperSize::A4,
            start_s: 0.0,
            note: String::new(),
        }
    }

    /// The samples the page shows: `start..start + 10 s`, clipped to the record.
    pub fn window(&self) -> std::ops::Range<usize> {
        let fs = self.record.fs;
        let a = (self.start_s * fs).round() as usize;
        a..(a + (arrange::ROW_S * fs).round() as usize).min(self.record.len())
    }

    fn validate(&self) -> Result<()> {
        let r = self.record;
        let bad = |why: String| Err(Error::Invalid(format!("{}: {why}", r.name)));
        if !(r.fs.is_finite() && r.fs > 0.0) {
            return bad(format!("invalid sampling rate {} Hz", r.fs));
        }
        if r.is_empty() {
            return bad("the record has no samples".into());
        }
        if !(self.start_s.is_finite() && self.start_s >= 0.0 && self.start_s < r.duration_s()) {
            return bad(format!(
                "the page cannot start at {} s: the record lasts {:.1} s",
                self.start_s,
                r.duration_s()
            ));
        }
        if let Some(s) = &self.synthesized {
            if s.views.len() > MAX_VIEWS {
                return bad(format!(
                    "{} synthesized views asked for; a report has room for {MAX_VIEWS}",
                    s.views.len()
                ));
            }
            if let Some((label, x)) = s.views.iter().find(|(_, x)| x.len() != r.len()) {
                return bad(format!(
                    "synthesized view {label} has {} samples, the record {}",
                    x.len(),
                    r.len()
                ));
            }
        }
        Ok(())
    }
}

/// The report as SVG text sized in mm (the text the PDF is converted from).
pub fn report_svg(input: &ReportInput) -> Result<String> {
    input.validate()?;
    Ok(draw::page(input, true).0)
}

/// The report's file bytes (PNG at `dpi`; the vector formats ignore it).
pub fn render_report(input: &ReportInput, format: FigureFormat, dpi: f64) -> Result<Vec<u8>> {
    input.validate()?;
    match format {
        FigureFormat::Svg => Ok(draw::page(input, true).0.into_bytes()),
        FigureFormat::Pdf => super::raster::svg_pdf(&draw::page(input, true).0),
        FigureFormat::Png => {
            let (svg, sheet) = draw::page(input, false);
            let (w, h) = input.paper.size_mm();
            super::raster::svg_png(&svg, w, h, sheet, dpi)
        }
    }
}

/// Write the report to `path` (PNG at `dpi`); a failure leaves no file behind.
pub fn write_report(
    input: &ReportInput,
    format: FigureFormat,
    path: &Path,
    dpi: f64,
) -> Result<()> {
    let bytes = render_report(input, format, dpi).map_err(|e| super::with_path(e, path))?;
    super::atomic::write_files(&[(path, bytes.as_slice())])
}
