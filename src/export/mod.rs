//! Export: figures on calibrated ECG paper (PNG, SVG, PDF) and signals (CSV, WFDB).
//!
//! A [`Figure`] is laid out in millimetres, so the printed scale (25 mm/s, 10 mm/mV by default)
//! holds on paper in every format: the SVG declares its size in mm, the PDF page has the same
//! size in points, and the PNG carries its dpi. Every file is written atomically.

mod atomic;
pub mod figures;
pub mod heat;
mod layout;
mod number;
mod paper;
mod png_encode;
mod raster;
pub mod report;
mod signals;
mod svg;
mod wfdb;

pub use layout::paper_size_mm;
pub use raster::{figure_pdf, figure_png, png_size_px};
pub use signals::write_csv;
pub use svg::figure_svg;
pub use wfdb::write_wfdb;

use crate::error::{Error, Result};
use std::path::Path;

/// Paper speed of a standard ECG, in mm per second.
pub const STANDARD_MM_PER_S: f64 = 25.0;
/// Amplitude scale of a standard ECG, in mm per mV.
pub const STANDARD_MM_PER_MV: f64 = 10.0;
/// Resolution of PNG figures unless another is asked for.
pub const DEFAULT_DPI: f64 = 150.0;

/// One signal to draw, in mV, at `fs` Hz, starting at `t0` seconds.
#[derive(Debug, Clone, PartialEq)]
pub struct Trace {
    /// Name in legends, CSV headers and WFDB signal descriptions.
    pub label: String,
    /// Samples in mV; NaN marks a gap.
    pub samples: Vec<f64>,
    /// Sampling rate in Hz.
    pub fs: f64,
    /// Time of the first sample in seconds.
    pub t0: f64,
}

impl Trace {
    /// A trace starting at time 0.
    pub fn new(label: impl Into<String>, samples: Vec<f64>, fs: f64) -> Self {
        Self {
            label: label.into(),
            samples,
            fs,
            t0: 0.0,
        }
    }

    /// The same trace starting at `t0` seconds.
    pub fn starting_at(mut self, t0: f64) -> Self {
        self.t0 = t0;
        self
    }

    /// Time of the last sample in seconds (`t0` for an empty trace).
    pub fn end_s(&self) -> f64 {
        self.t0 + self.samples.len().saturating_sub(1) as f64 / self.fs
    }
}

/// A coloured time span behind a panel's trace (deflection bands: P, PR, QRS, ST, T, TP).
#[derive(Debug, Clone, PartialEq)]
pub struct Band {
    /// Short name printed at the foot of the band.
    pub label: String,
    /// Start in seconds, on the traces' time axis.
    pub start_s: f64,
    /// End in seconds, on the traces' time axis.
    pub end_s: f64,
    /// Fill colour (drawn translucent so the grid stays readable).
    pub rgb: [u8; 3],
}

/// One strip: a label (lead name, or viewpoint like "θ 60° φ −120°"), the main trace, optional
/// overlays (e.g. the nearest recorded lead, drawn in another colour, named in a legend) and bands.
#[derive(Debug, Clone, PartialEq)]
pub struct Panel {
    /// Lead or view name printed at the top left of the strip.
    pub label: String,
    /// The trace drawn in black.
    pub trace: Trace,
    /// Traces drawn over it in colour, each named in the strip's legend.
    pub overlays: Vec<Trace>,
    /// Time spans shaded behind the traces.
    pub bands: Vec<Band>,
    /// Anomaly scores per sample of the main trace (1 ≈ the engine's 80 % band), drawn as a
    /// heat band along the strip's foot; empty for none.
    pub heat: Vec<f64>,
}

impl Panel {
    /// A strip with one trace and no overlays or bands.
    pub fn new(label: impl Into<String>, trace: Trace) -> Self {
        Self {
            label: label.into(),
            trace,
            overlays: Vec::new(),
            bands: Vec::new(),
            heat: Vec::new(),
        }
    }
}

/// A page: title (record name), subtitle (e.g. "Nef-Net from II, V2, V5"), panels, columns
/// (1 = stacked strips; 6 = the 24-view grid as 4 rows × 6), and the scale (default 25 mm/s, 10 mm/mV).
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    /// First header line, usually the record name.
    pub title: String,
    /// Second header line, e.g. the method and its input leads.
    pub subtitle: String,
    /// Strips, laid out row by row.
    pub panels: Vec<Panel>,
    /// Strips per row.
    pub columns: usize,
    /// Paper speed in mm per second.
    pub mm_per_s: f64,
    /// Amplitude scale in mm per mV.
    pub mm_per_mv: f64,
}

impl Figure {
    /// Stacked strips at the standard scale, with no subtitle.
    pub fn new(title: impl Into<String>, panels: Vec<Panel>) -> Self {
        Self {
            title: title.into(),
            subtitle: String::new(),
            panels,
            columns: 1,
            mm_per_s: STANDARD_MM_PER_S,
            mm_per_mv: STANDARD_MM_PER_MV,
        }
    }
}

/// The kinds of figure file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FigureFormat {
    /// Raster image at a chosen dpi.
    Png,
    /// Vector image sized in mm.
    Svg,
    /// One-page vector document sized in mm.
    Pdf,
}

impl FigureFormat {
    /// The format named by a path's extension (case-insensitive), if any.
    pub fn from_path(path: &Path) -> Option<Self> {
        let ext = path.extension()?.to_string_lossy().to_ascii_lowercase();
        match ext.as_str() {
            "png" => Some(Self::Png),
            "svg" => Some(Self::Svg),
            "pdf" => Some(Self::Pdf),
            _ => None,
        }
    }

    /// The usual file extension.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Png => "png",
            Self::Svg => "svg",
            Self::Pdf => "pdf",
        }
    }
}

/// The file's bytes for a figure (PNG at `dpi`; the dpi is ignored by the vector formats).
pub fn render_figure(fig: &Figure, format: FigureFormat, dpi: f64) -> Result<Vec<u8>> {
    match format {
        FigureFormat::Svg => figure_svg_checked(fig).map(String::into_bytes),
        FigureFormat::Png => figure_png(fig, dpi),
        FigureFormat::Pdf => figure_pdf(fig),
    }
}

/// Write `text` to `path` atomically (a CSV or report beside a figure).
pub fn write_text(path: &Path, text: &str) -> Result<()> {
    atomic::write_files(&[(path, text.as_bytes())])
}

/// Write a figure (PNG at [`DEFAULT_DPI`]); a failure leaves no file behind.
pub fn write_figure(fig: &Figure, format: FigureFormat, path: &Path) -> Result<()> {
    write_figure_dpi(fig, format, path, DEFAULT_DPI)
}

/// Write a figure with PNG at `dpi`; a failure leaves no file behind.
pub fn write_figure_dpi(fig: &Figure, format: FigureFormat, path: &Path, dpi: f64) -> Result<()> {
    let bytes = render_figure(fig, format, dpi).map_err(|e| with_path(e, path))?;
    atomic::write_files(&[(path, bytes.as_slice())])
}

/// The SVG text, or why the figure cannot be drawn.
pub fn figure_svg_checked(fig: &Figure) -> Result<String> {
    let layout = layout::Layout::of(fig)?;
    Ok(svg::draw(fig, &layout, true))
}

/// Prefix the output path to errors that do not name a file yet.
fn with_path(e: Error, path: &Path) -> Error {
    match e {
        Error::Invalid(msg) => Error::Invalid(format!("{}: {msg}", path.display())),
        other => other,
    }
}

/// Reject a trace that cannot be placed on a time axis.
fn check_trace(trace: &Trace, what: &str) -> Result<()> {
    if !(trace.fs.is_finite() && trace.fs > 0.0) {
        return Err(Error::Invalid(format!(
            "{what}: invalid sampling rate {} Hz (it must be a positive number)",
            trace.fs
        )));
    }
    if !trace.t0.is_finite() {
        return Err(Error::Invalid(format!(
            "{what}: start time {} s is not a number",
            trace.t0
        )));
    }
    if trace.samples.is_empty() {
        return Err(Error::Invalid(format!("{what}: the trace has no samples")));
    }
    Ok(())
}
