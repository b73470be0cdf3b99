//! The export dialog: the current view, the grid or the annotated record as a figure on
//! calibrated paper (PNG, SVG, PDF), or their signals as CSV or a WFDB record. The figure is
//! laid out here from what is on screen; the files are written in the background.

use super::core::App;
use super::jobs::Job;
use super::panorama_view::engine_name;
use super::synth::{Output, Purpose};
use crate::delineate::edit::Target;
use crate::export::figures::{self, Synthesized, deflection_bands};
use crate::export::report::PaperSize;
use crate::export::{Band, Figure, FigureFormat, Trace, write_csv, write_figure, write_wfdb};
use eframe::egui;
use std::path::{Path, PathBuf};

/// What to export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum What {
    /// The synthesized signal at the current viewpoint (cycle or strip) with the nearest lead.
    View,
    /// The 24 views of the selected cycle.
    Grid,
    /// The displayed leads (10 s from the paper's left edge) with their deflection bands.
    Record,
    /// The standard 12-lead report of the 10 s from the paper's left edge.
    Report,
}

/// The file kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Figure as PNG.
    Png,
    /// Figure as SVG.
    Svg,
    /// Figure as PDF.
    Pdf,
    /// Signals as CSV (time in s, one column per signal, mV).
    Csv,
    /// Signals as a WFDB record (header + format-16 signal file).
    Wfdb,
}

impl Format {
    /// Every format, in menu order.
    pub const ALL: [Format; 5] = [
        Format::Png,
        Format::Svg,
        Format::Pdf,
        Format::Csv,
        Format::Wfdb,
    ];

    /// File extension (none for a WFDB record path).
    pub fn extension(self) -> &'static str {
        match self {
            Format::Png => "png",
            Format::Svg => "svg",
            Format::Pdf => "pdf",
            Format::Csv => "csv",
            Format::Wfdb => "",
        }
    }
}

/// The dialog's state.
#[derive(Debug, Clone)]
pub struct ExportDialog {
    /// Shown.
    pub open: bool,
    /// What to export.
    pub what: What,
    /// File kind.
    pub format: Format,
    /// Output path (a WFDB record path has no extension).
    pub path: String,
    /// Paper of the 12-lead report.
    pub paper: PaperSize,
}

impl App {
    /// Lay out what to export from what is on screen: the figure and the signals (the layout
    /// itself is [`crate::export::figures`], shared with `ecg-panorama figure`).
    pub fn export_content(&self, what: What) -> Result<(Figure, Vec<Trace>), String> {
        let s = &self.state;
        let record = s.display.as_ref().ok_or("no record is open")?;
        let fs = record.fs;
        // Each strip shows the bands it shows on screen: its own lead's in the per-lead modes.
        let bands_of = |target: &Target, a: usize, b: usize| -> Vec<Band> {
            s.annotations.as_ref().map_or_else(Vec::new, |ann| {
                deflection_bands(&ann.bands_of(target, a..b), a, b, fs)
            })
        };
        let method = format!("{} from {}", engine_name(s.engine), s.inputs.join(", "));
        let missing = "nothing synthesized yet: open the view first and wait for it";
        let synthesized = |purpose| {
            self.output(purpose).map(|o: &Output| Synthesized {
                views: &o.views,
                segments: &o.segments,
                band: o.band,
            })
        };
        match what {
            What::View => {
                let out = synthesized(Purpose::Panorama).ok_or(missing)?;
                let bands = |a, b| bands_of(&Target::Cycles, a, b);
                figures::view_figure(record, &method, out, s.nearest_recorded(), &bands)
                    .ok_or_else(|| missing.to_string())
            }
            What::Grid => {
                let out = synthesized(Purpose::Grid).ok_or(missing)?;
                let count = s.cycles().len();
                figures::grid_figure(&record.name, fs, &method, out, s.cycle, count)
                    .ok_or_else(|| missing.to_string())
            }
            What::Record | What::Report => {
                let subtitle = s
                    .annotations
                    .as_ref()
                    .map(|x| format!("boundaries from {}", x.source()))
                    .unwrap_or_default();
                let shown = |name: &str| !s.hidden.contains(name);
                let bands = |lead: &str, a, b| bands_of(&s.boundaries.strip_target(lead), a, b);
                let (mut fig, traces) =
                    figures::record_figure(record, s.paper.t0, &shown, &bands, subtitle)
                        .ok_or_else(|| "the record has no samples".to_string())?;
                // The heat bands on screen go on paper too.
                if s.anomaly_map {
                    figures::attach_heat(&mut fig, fs, &|lead| self.anomaly.heat(lead));
                }
                Ok((fig, traces))
            }
        }
    }

    /// Export in the background; the job's result names the files written.
    pub fn export(&mut self, what: What, format: Format, path: PathBuf) {
        let figure = match format {
            Format::Png => Some(FigureFormat::Png),
            Format::Svg => Some(FigureFormat::Svg),
            Format::Pdf => Some(FigureFormat::Pdf),
            Format::Csv | Format::Wfdb => None,
        };
        // The report's page is laid out by the export module; its signals go as the record's.
        if let (What::Report, Some(figure)) = (what, figure) {
            self.export_report(figure, path);
            return;
        }
        let content = self.export_content(what);
        // The record's signals go with its anomaly map, when there is one, in a file beside them.
        let map_csv = match (what, format) {
            (What::Record, Format::Csv) if self.state.anomaly_map => {
                let map = self.anomaly.result.as_ref().and_then(|r| r.as_ref().ok());
                let fs = self.state.record.as_ref().map(|r| r.fs);
                map.zip(fs)
                    .map(|(c, fs)| crate::export::heat::map_csv(&c.map, fs))
            }
            _ => None,
        };
        self.export_job = Some(Job::spawn("Exporting", self.ctx.clone(), move |p| {
            let (fig, traces) = content.map_err(anyhow::Error::msg)?;
            p.report(0.2, path.display().to_string());
            let fig_format = |f| write_figure(&fig, f, &path);
            match format {
                Format::Png => fig_format(FigureFormat::Png)?,
                Format::Svg => fig_format(FigureFormat::Svg)?,
                Format::Pdf => fig_format(FigureFormat::Pdf)?,
                Format::Csv => {
                    write_csv(&traces, &path)?;
                    if let Some(text) = &map_csv {
                        let beside = anomaly_csv_path(&path);
                        crate::export::write_text(&beside, text)?;
                        return Ok(format!(
                            "Exported {} and its anomaly map {}",
                            path.display(),
                            beside.display()
                        ));
                    }
                }
                Format::Wfdb => write_wfdb(&traces, &path)?,
            }
            Ok(format!("Exported {}", path.display()))
        }));
    }

    /// The export window.
    pub(super) fn export_window(&mut self, ui: &egui::Ui) {
        let mut d = self.export_dialog.clone();
        if !d.open {
            return;
        }
        let (mut go, before) = (false, d.what);
        egui::Window::new("Export")
            .collapsible(false)
            .open(&mut d.open)
            .show(ui.ctx(), |ui| {
                ui.horizontal(|ui| {
                    ui.label("What");
                    ui.selectable_value(&mut d.what, What::View, "Current view");
                    ui.selectable_value(&mut d.what, What::Grid, "Grid");
                    ui.selectable_value(&mut d.what, What::Record, "Annotated record");
                    ui.selectable_value(&mut d.what, What::Report, "12-lead report");
                });
                if d.what == What::Report {
                    ui.horizontal(|ui| {
                        ui.label("Paper");
                        ui.selectable_value(&mut d.paper, PaperSize::A4, "A4");
                        ui.selectable_value(&mut d.paper, PaperSize::Letter, "Letter");
                    });
                }
                ui.horizontal(|ui| {
                    ui.label("As");
                    for f in Format::ALL {
                        ui.selectable_value(&mut d.format, f, format!("{f:?}").to_uppercase());
                    }
                });
                let ext = d.format.extension();
                let p = Path::new(&d.path).with_extension(ext);
                if !d.path.is_empty() && p != Path::new(&d.path) {
                    d.path = p.display().to_string();
                }
                ui.add(
                    egui::TextEdit::singleline(&mut d.path)
                        .desired_width(420.0)
                        .hint_text("output file"),
                );
                let exists = Path::new(&d.path).exists()
                    || (d.format == Format::Wfdb
                        && Path::new(&d.path).with_extension("hea").exists());
                if exists {
                    ui.colored_label(
                        ui.visuals().warn_fg_color,
                        "This file exists: exporting replaces it.",
                    );
                }
                go = ui
                    .add_enabled(
                        !d.path.trim().is_empty() && self.export_job.is_none(),
                        egui::Button::new(if exists { "Replace" } else { "Export" }),
                    )
                    .clicked();
            });
        // A default name follows the choice of what to export; a name the user typed stays.
        let p = Path::new(&d.path);
        if d.what != before && p.file_stem() == Some(self.default_stem(before).as_ref()) {
            d.path = p
                .with_file_name(self.default_stem(d.what))
                .with_extension(d.format.extension())
                .display()
                .to_string();
        }
        if go {
            self.export(d.what, d.format, PathBuf::from(d.path.trim()));
        }
        self.export_dialog = d;
    }

    /// The default file name (without extension) of `what`, e.g. "1-report".
    fn default_stem(&self, what: What) -> String {
        let name = self
            .state
            .record
            .as_ref()
            .map_or("export".to_string(), |r| r.name.clone());
        let suffix = match what {
            What::View => "view",
            What::Grid => "grid",
            What::Record => "record",
            What::Report => "report",
        };
        format!("{name}-{suffix}")
    }

    /// Open the export window with a default file name in the data folder.
    pub(super) fn open_export(&mut self, what: What) {
        let name = self.default_stem(what);
        let dir = self.data_dir.join("exports");
        let _ = std::fs::create_dir_all(&dir);
        let d = &mut self.export_dialog;
        d.open = true;
        d.what = what;
        d.path = dir
            .join(name)
            .with_extension(d.format.extension())
            .display()
            .to_string();
    }
}

/// Where the anomaly map of a record's CSV goes: `NAME-anomaly.csv` beside `NAME.csv`.
pub fn anomaly_csv_path(path: &Path) -> PathBuf {
    let stem = path.file_stem().map_or_else(
        || "export".to_string(),
        |s| s.to_string_lossy().into_owned(),
    );
    path.with_file_name(format!("{stem}-anomaly.csv"))
}

impl Default for ExportDialog {
    fn default() -> Self {
        Self {
            open: false,
            what: What::View,
            format: Format::Png,
            path: String::new(),
            paper: PaperSize::A4,
        }
    }
}
