//! The 15- and 18-lead presets of the grid pane: the record's recorded leads for the current
//! cycle in the usual columns, beside the clinical extra leads synthesized by the grid's
//! synthesis worker (marked "synthesized", red and dashed).

use super::panorama_view::{SYNTH_COLOR, engine_name};
use super::state::{AppState, GridKind, View};
use super::synth::Output;
use crate::geometry::{Viewpoint, lead_view, normalise_lead_name};
use crate::record::Lead;
use crate::signal::detrend;
use eframe::egui;
use egui::{Color32, Pos2, Rect, Sense, Stroke, Vec2};

/// The common clinical 15-lead set's extras: one right-sided and two posterior leads.
const LEADS_15: [&[&str]; 1] = [&["V4R", "V8", "V9"]];

/// The 18-lead preset's extras: a right-sided column and a posterior column.
const LEADS_18: [&[&str]; 2] = [&["V4R", "V5R", "V6R"], &["V7", "V8", "V9"]];

/// Rows of recorded leads per column, as on a 12-lead page (I II III, aVR aVL aVF, …).
const ROWS: usize = 3;

/// The extra leads a grid mode adds, column by column, when it is a lead preset.
pub fn preset_columns(kind: GridKind) -> Option<&'static [&'static [&'static str]]> {
    match kind {
        GridKind::Leads15 => Some(&LEADS_15),
        GridKind::Leads18 => Some(&LEADS_18),
        GridKind::Panorama | GridKind::PoleFree => None,
    }
}

/// The viewpoints a preset asks the synthesis worker for: its extra leads, in column order.
pub fn preset_views(columns: &[&[&str]]) -> Vec<Viewpoint> {
    columns
        .iter()
        .flat_map(|c| c.iter())
        .filter_map(|n| lead_view(&normalise_lead_name(n), false).map(|v| v.viewpoint))
        .collect()
}

/// Accessible name (and, for synthesized leads, the caption) of a preset cell.
pub fn cell_label(name: &str, synthesized: bool) -> String {
    let how = if synthesized {
        "synthesized"
    } else {
        "recorded"
    };
    format!("{name} {how}")
}

/// What one cell draws.
enum Trace<'a> {
    /// A recorded lead over the cycle, detrended as the engine's inputs are.
    Recorded(Vec<f64>),
    /// A synthesized view from the worker's output, when it has arrived.
    Synthesized(Option<&'a [f64]>),
}

struct Cell<'a> {
    name: String,
    viewpoint: Option<Viewpoint>,
    trace: Trace<'a>,
    /// Half-widths (mV) of a synthesized trace's confidence band, when it has one.
    spread: Option<&'a [f64]>,
}

/// The preset view of `columns` (the worker's newest grid result in `output`).
pub fn preset_view(
    ui: &mut egui::Ui,
    state: &mut AppState,
    output: Option<&Output>,
    columns: &[&[&str]],
) {
    let cycles = state.cycles();
    let (Some(display), Some(&b)) = (state.display.clone(), cycles.get(state.cycle)) else {
        ui.label("Waiting for the record and its cycles…");
        return;
    };
    let views = preset_views(columns);
    // Only a result for these views and this cycle is drawn: never another preset's.
    let synth = output
        .filter(|o| o.views == views)
        .and_then(|o| o.segments.iter().find(|s| s.start == b.start()));
    let recorded_cell = |l: &Lead| Cell {
        name: l.name.clone(),
        viewpoint: l.view.map(|v| v.viewpoint),
        trace: Trace::Recorded(
            l.samples
                .get(b.start()..=b.end())
                .map(detrend)
                .unwrap_or_default(),
        ),
        spread: None,
    };
    let extras: Vec<&str> = columns.iter().flat_map(|c| c.iter().copied()).collect();
    let mut grid: Vec<Vec<Cell>> = recorded_leads(&display.leads, &extras)
        .chunks(ROWS)
        .map(|chunk| chunk.iter().map(|l| recorded_cell(l)).collect())
        .collect();
    let mut k = 0;
    for column in columns {
        let mut cells = Vec::new();
        for &name in column.iter() {
            // A record that holds the extra lead itself shows it as recorded.
            cells.push(match display.lead(name) {
                Some(l) => recorded_cell(l),
                None => Cell {
                    name: name.to_string(),
                    viewpoint: views.get(k).copied(),
                    trace: Trace::Synthesized(synth.and_then(|s| s.signals.get(k)).map(|x| &x[..])),
                    spread: synth
                        .and_then(|s| s.bands.as_ref()?.get(k))
                        .map(Vec::as_slice),
                },
            });
            k += 1;
        }
        grid.push(cells);
    }
    ui.horizontal(|ui| {
        ui.label("Recorded leads in black;");
        ui.colored_label(
            SYNTH_COLOR,
            "synthesized leads in red, dashed, over their confidence band,",
        );
        ui.label(format!(
            "by {} from {}.",
            engine_name(state.engine),
            state.inputs.join(", ")
        ));
    });
    let peak = grid
        .iter()
        .flatten()
        .filter_map(|c| match &c.trace {
            Trace::Recorded(x) => Some(x.as_slice()),
            Trace::Synthesized(x) => *x,
        })
        .flatten()
        .filter(|v| v.is_finite())
        .fold(0.2f64, |m, v| m.max(v.abs()));
    let rows = grid.iter().map(Vec::len).max().unwrap_or(1).max(1);
    let avail = ui.available_size();
    let size = Vec2::new(
        avail.x / grid.len().max(1) as f32 - 4.0,
        (avail.y / rows as f32 - 4.0).max(60.0),
    );
    egui::Grid::new("lead_preset")
        .spacing(Vec2::splat(4.0))
        .show(ui, |ui| {
            for r in 0..rows {
                for column in &grid {
                    match column.get(r) {
                        Some(cell) => {
                            if let Some(v) = cell_ui(ui, cell, peak, size) {
                                state.viewpoint = v;
                                state.view = View::Panorama;
                            }
                        }
                        None => {
                            ui.allocate_exact_size(size, Sense::hover());
                        }
                    }
                }
                ui.end_row();
            }
        });
}

/// The leads a record shows beside the extras: the standard ones in the 12-lead order, then
/// the others (Frank, extra leads the preset lacks, leads of unknown view) in file order.
fn recorded_leads<'a>(leads: &'a [Lead], extras: &[&str]) -> Vec<&'a Lead> {
    let standard = |l: &Lead| {
        crate::geometry::STANDARD_12
            .iter()
            .position(|n| *n == l.name)
    };
    let mut shown: Vec<&Lead> = leads
        .iter()
        .filter(|l| !extras.contains(&l.name.as_str()))
        .collect();
    shown.sort_by_key(|l| standard(l).unwrap_or(usize::MAX));
    shown
}

/// One cell: its trace on a light ground and its caption; the viewpoint when clicked.
fn cell_ui(ui: &mut egui::Ui, cell: &Cell, peak: f64, size: Vec2) -> Option<Viewpoint> {
    let synthesized = matches!(cell.trace, Trace::Synthesized(_));
    let label = cell_label(&cell.name, synthesized);
    let (rect, response, painter) = super::grid_view::cell_frame(ui, size, &label);
    let (caption, color) = match &cell.trace {
        Trace::Recorded(x) => {
            let stroke = Stroke::new(1.2, Color32::BLACK);
            for run in polyline(rect, x, peak) {
                painter.add(egui::Shape::line(run, stroke));
            }
            (cell.name.clone(), Color32::BLACK)
        }
        Trace::Synthesized(Some(x)) => {
            synthesized_trace(&painter, rect, x, cell.spread, peak);
            (label, SYNTH_COLOR)
        }
        Trace::Synthesized(None) => {
            painter.text(
                rect.center(),
                egui::Align2::CENTER_CENTER,
                "waiting for the synthesis…",
                egui::FontId::proportional(11.0),
                Color32::GRAY,
            );
            (label, SYNTH_COLOR)
        }
    };
    painter.text(
        rect.left_top() + Vec2::new(3.0, 2.0),
        egui::Align2::LEFT_TOP,
        caption,
        egui::FontId::proportional(12.0),
        color,
    );
    let clicked = response
        .on_hover_text("Open in the panorama view")
        .clicked();
    cell.viewpoint.filter(|_| clicked)
}

/// Draw a synthesized trace: red and dashed, so it never passes for a recorded lead, over its
/// confidence band (`spread`, half-widths in mV) when it has one.
fn synthesized_trace(
    painter: &egui::Painter,
    rect: Rect,
    x: &[f64],
    spread: Option<&[f64]>,
    peak: f64,
) {
    super::band_paint::cell_band(painter, rect, x, spread, peak);
    let stroke = Stroke::new(1.4, SYNTH_COLOR);
    for run in polyline(rect, x, peak) {
        painter.extend(egui::Shape::dashed_line(&run, stroke, 5.0, 3.0));
    }
}

/// `x` spread over the cell's width at `peak` mV per 0.45 of its height, split where samples
/// are missing (NaN).
fn polyline(rect: Rect, x: &[f64], peak: f64) -> Vec<Vec<Pos2>> {
    if x.len() < 2 {
        return Vec::new();
    }
    let dx = rect.width() / (x.len() - 1) as f32;
    let dy = rect.height() * 0.45 / peak as f32;
    let mid = rect.center().y;
    let mut runs = vec![Vec::new()];
    for (i, &y) in x.iter().enumerate() {
        if y.is_finite() {
            let p = Pos2::new(rect.left() + i as f32 * dx, mid - y as f32 * dy);
            runs.last_mut().expect("never empty").push(p);
        } else if !runs.last().expect("never empty").is_empty() {
            runs.push(Vec::new());
        }
    }
    runs.retain(|r| r.len() > 1);
    runs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geometry::EXTRA_LEADS;

    #[test]
    fn presets_ask_for_their_extra_leads_in_column_order() {
        let v = |n: &str| lead_view(&normalise_lead_name(n), false).unwrap().viewpoint;
        let c15 = preset_columns(GridKind::Leads15).unwrap();
        assert_eq!(preset_views(c15), [v("V4R"), v("V8"), v("V9")]);
        let c18 = preset_columns(GridKind::Leads18).unwrap();
        let all: Vec<&str> = c18.iter().flat_map(|c| c.iter().copied()).collect();
        // The clinical 18-lead set: every extra lead but V3R.
        assert_eq!(all, EXTRA_LEADS[1..]);
        assert_eq!(preset_views(c18).len(), 6);
        assert!(preset_columns(GridKind::Panorama).is_none());
    }

    #[test]
    fn a_line_breaks_where_samples_are_missing() {
        let rect = Rect::from_min_size(Pos2::ZERO, Vec2::new(100.0, 50.0));
        let runs = polyline(rect, &[0.0, 0.1, f64::NAN, 0.2, 0.3, 0.1, f64::NAN], 1.0);
        assert_eq!(runs.iter().map(Vec::len).collect::<Vec<_>>(), [2, 3]);
        assert!(polyline(rect, &[f64::NAN; 4], 1.0).is_empty());
    }
}
