//! The export dialog: the current view, the grid or the annotated record as a figure on
//! calibrated paper (PNG, SVG, PDF), or their signals as CSV or a WFDB record. The figure is
//! laid out here from what is on screen; the files are written in the background.

use super::annotations::DEFLECTIONS;
use super::band_paint::band_label;
use super::core::App;
use super::jobs::Job;
use super::panorama_view::{angles, engine_name};
use super::synth::{Output, Purpose};
use crate::delineate::edit::Target;
use crate::export::{
    Band, Figure, FigureFormat, Panel, Trace, write_csv, write_figure, write_wfdb,
};
use crate::signal::detrend;
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
}

/// Signals of `out` stitched over the span of its cycles (NaN between them): (first sample, samples).
fn stitch(out: &Output, view: usize) -> Option<(usize, Vec<f64>)> {
    let start = out.segments.iter().map(|s| s.start).min()?;
    let end = out
        .segments
        .iter()
        .map(|s| s.start + s.signals.get(view).map_or(0, Vec::len))
        .max()?;
    let mut v = vec![f64::NAN; end - start];
    for s in &out.segments {
        let x = s.signals.get(view)?;
        v[s.start - start..s.start - start + x.len()].copy_from_slice(x);
    }
    Some((start, v))
}

/// The band's lower and upper limits around `x` (a view's samples from `start`), when `out`
/// carries bands: the same stitching as [`stitch`], as two traces named after `label`.
fn band_traces(
    out: &Output,
    view: usize,
    start: usize,
    x: &[f64],
    label: &str,
    fs: f64,
) -> Vec<Trace> {
    let Some(level) = out.band else {
        return Vec::new();
    };
    let mut h = vec![f64::NAN; x.len()];
    for s in &out.segments {
        let Some(w) = s.bands.as_ref().and_then(|b| b.get(view)) else {
            return Vec::new();
        };
        let Some(dst) = h.get_mut(s.start - start..s.start - start + w.len()) else {
            return Vec::new();
        };
        dst.copy_from_slice(w);
    }
    let name = band_label(level);
    [("lower", -1.0), ("upper", 1.0)]
        .into_iter()
        .map(|(side, sign)| {
            let v = x.iter().zip(&h).map(|(v, w)| v + sign * w).collect();
            Trace::new(format!("{label} {name} {side}"), v, fs).starting_at(start as f64 / fs)
        })
        .collect()
}

impl App {
    /// Lay out what to export from what is on screen: the figure and the signals.
    pub fn export_content(&self, what: What) -> Result<(Figure, Vec<Trace>), String> {
        let s = &self.state;
        let record = s.display.as_ref().ok_or("no record is open")?;
        let fs = record.fs;
        // Each strip shows the bands it shows on screen: its own lead's in the per-lead modes.
        let bands_of = |target: &Target, a: usize, b: usize| -> Vec<Band> {
            let Some(ann) = &s.annotations else {
                return Vec::new();
            };
            ann.bands_of(target, a..b)
                .into_iter()
                .map(|(x, y, k)| Band {
                    label: DEFLECTIONS[k].0.to_string(),
                    start_s: x.max(a) as f64 / fs,
                    end_s: y.min(b) as f64 / fs,
                    rgb: DEFLECTIONS[k].1,
                })
                .collect()
        };
        let bands = |a: usize, b: usize| bands_of(&Target::Cycles, a, b);
        let method = format!("{} from {}", engine_name(s.engine), s.inputs.join(", "));
        let missing = "nothing synthesized yet: open the view first and wait for it";
        match what {
            What::View => {
                let out = self.output(Purpose::Panorama).ok_or(missing)?;
                let (start, samples) = stitch(out, 0).ok_or(missing)?;
                let end = start + samples.len();
                let label = angles(out.views[0]);
                let limits = band_traces(out, 0, start, &samples, "synth", fs);
                let trace = Trace::new(format!("synth {label}"), samples, fs)
                    .starting_at(start as f64 / fs);
                let mut panel = Panel::new(label.clone(), trace.clone());
                panel.overlays.extend(limits.iter().cloned());
                let mut subtitle = format!("{method}; viewpoint {label}");
                if let Some((name, angle)) = s.nearest_recorded()
                    && let Some(lead) = record.lead(&name)
                {
                    let mut v = vec![f64::NAN; end - start];
                    for seg in &out.segments {
                        let n = seg.signals[0].len();
                        v[seg.start - start..seg.start - start + n]
                            .copy_from_slice(&detrend(&lead.samples[seg.start..seg.start + n]));
                    }
                    panel.overlays.push(
                        Trace::new(format!("{name} recorded"), v, fs)
                            .starting_at(start as f64 / fs),
                    );
                    subtitle += &format!(
                        "; nearest recorded lead {name} ({:.0}° away)",
                        angle.to_degrees()
                    );
                }
                panel.bands = bands(start, end);
                if let Some(level) = out.band.filter(|_| !limits.is_empty()) {
                    subtitle +=
                        &format!("; {} (calibrated on held-out records)", band_label(level));
                }
                let mut fig = Figure::new(record.name.clone(), vec![panel]);
                fig.subtitle = subtitle;
                let mut traces = vec![trace];
                traces.extend(limits);
                Ok((fig, traces))
            }
            What::Grid => {
                let out = self.output(Purpose::Grid).ok_or(missing)?;
                let seg = out.segments.first().ok_or(missing)?;
                let traces: Vec<Trace> = out
                    .views
                    .iter()
                    .zip(&seg.signals)
                    .map(|(v, x)| {
                        let (t, p) = v.degrees();
                        Trace::new(format!("theta{t:.0}_phi{p:.0}"), x.clone(), fs)
                            .starting_at(seg.start as f64 / fs)
                    })
                    .collect();
                let limits: Vec<Vec<Trace>> = traces
                    .iter()
                    .enumerate()
                    .map(|(i, t)| band_traces(out, i, seg.start, &t.samples, &t.label, fs))
                    .collect();
                let panels = out
                    .views
                    .iter()
                    .zip(&traces)
                    .zip(&limits)
                    .map(|((v, t), l)| {
                        let mut p = Panel::new(angles(*v), t.clone());
                        p.overlays.extend(l.iter().cloned());
                        p
                    })
                    .collect();
                let traces: Vec<Trace> = traces
                    .into_iter()
                    .zip(limits)
                    .flat_map(|(t, l)| std::iter::once(t).chain(l))
                    .collect();
                let mut fig = Figure::new(record.name.clone(), panels);
                fig.columns = if out.views.len() == 24 && out.views[0].theta == 0.0 {
                    6
                } else {
                    8
                };
                fig.subtitle = format!("{method}; cycle {} of {}", s.cycle + 1, s.cycles().len());
                Ok((fig, traces))
            }
            What::Record => {
                let a = ((s.paper.t0 * fs) as usize).min(record.len().saturating_sub(1));
                let b = (a + (10.0 * fs) as usize).min(record.len());
                let leads = record.leads.iter().filter(|l| !s.hidden.contains(&l.name));
                let traces: Vec<Trace> = leads
                    .map(|l| {
                        Trace::new(l.name.clone(), l.samples[a..b].to_vec(), fs)
                            .starting_at(a as f64 / fs)
                    })
                    .collect();
                let panels = traces
                    .iter()
                    .map(|t| {
                        let mut p = Panel::new(t.label.clone(), t.clone());
                        p.bands = bands_of(&s.boundaries.strip_target(&t.label), a, b);
                        p
                    })
                    .collect();
                let mut fig = Figure::new(record.name.clone(), panels);
                fig.subtitle = s
                    .annotations
                    .as_ref()
                    .map(|x| format!("boundaries from {}", x.source()))
                    .unwrap_or_default();
                Ok((fig, traces))
            }
        }
    }

    /// Export in the background; the job's result names the files written.
    pub fn export(&mut self, what: What, format: Format, path: PathBuf) {
        let content = self.export_content(what);
        self.export_job = Some(Job::spawn("Exporting", self.ctx.clone(), move |p| {
            let (fig, traces) = content.map_err(anyhow::Error::msg)?;
            p.report(0.2, path.display().to_string());
            let fig_format = |f| write_figure(&fig, f, &path);
            match format {
                Format::Png => fig_format(FigureFormat::Png)?,
                Format::Svg => fig_format(FigureFormat::Svg)?,
                Format::Pdf => fig_format(FigureFormat::Pdf)?,
                Format::Csv => write_csv(&traces, &path)?,
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
        let mut go = false;
        egui::Window::new("Export")
            .collapsible(false)
            .open(&mut d.open)
            .show(ui.ctx(), |ui| {
                ui.horizontal(|ui| {
                    ui.label("What");
                    ui.selectable_value(&mut d.what, What::View, "Current view");
                    ui.selectable_value(&mut d.what, What::Grid, "Grid");
                    ui.selectable_value(&mut d.what, What::Record, "Annotated record");
                });
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
        if go {
            self.export(d.what, d.format, PathBuf::from(d.path.trim()));
        }
        self.export_dialog = d;
    }

    /// Open the export window with a default file name in the data folder.
    pub(super) fn open_export(&mut self, what: What) {
        let name = self
            .state
            .record
            .as_ref()
            .map_or("export".to_string(), |r| r.name.clone());
        let suffix = match what {
            What::View => "view",
            What::Grid => "grid",
            What::Record => "record",
        };
        let dir = self.data_dir.join("exports");
        let _ = std::fs::create_dir_all(&dir);
        let d = &mut self.export_dialog;
        d.open = true;
        d.what = what;
        d.path = dir
            .join(format!("{name}-{suffix}"))
            .with_extension(d.format.extension())
            .display()
            .to_string();
    }
}

impl Default for ExportDialog {
    fn default() -> Self {
        Self {
            open: false,
            what: What::View,
            format: Format::Png,
            path: String::new(),
        }
    }
}
