//! The grid view: the paper's Electrocardio Panorama figure, one small plot per viewpoint on
//! one amplitude scale; clicking a cell opens that viewpoint in the panorama view. Its lead
//! presets (15- and 18-lead) are drawn by [`super::preset_view`].

use super::panorama_view::{SYNTH_COLOR, angles};
use super::preset_view::{preset_columns, preset_view, preset_views};
use super::state::{AppState, GridKind, View};
use super::synth::Output;
use crate::geometry::{Viewpoint, panorama_grid, pole_free_grid};
use eframe::egui;
use egui::{Color32, Pos2, Sense, Stroke, Vec2};

/// The viewpoints of a grid and its number of columns (a preset's: its synthesized leads).
pub fn grid_views(kind: GridKind) -> (Vec<Viewpoint>, usize) {
    match kind {
        GridKind::Panorama => (panorama_grid(), 6),
        GridKind::PoleFree => (pole_free_grid(), 8),
        GridKind::Leads15 | GridKind::Leads18 => {
            let columns = preset_columns(kind).unwrap_or_default();
            (preset_views(columns), columns.len())
        }
    }
}

/// Accessible name of a grid cell.
pub fn cell_label(v: Viewpoint) -> String {
    format!("view {}", angles(v))
}

/// The grid view (the synthesized views of the selected cycle in `output`).
pub fn grid_view(ui: &mut egui::Ui, state: &mut AppState, output: Option<&Output>, busy: bool) {
    ui.horizontal(|ui| {
        ui.selectable_value(&mut state.grid, GridKind::Panorama, "θ × φ grid (4 × 6)");
        ui.selectable_value(
            &mut state.grid,
            GridKind::PoleFree,
            "Pole-free grid (3 × 8)",
        );
        ui.selectable_value(&mut state.grid, GridKind::Leads15, "15-lead (V4R, V8, V9)");
        ui.selectable_value(
            &mut state.grid,
            GridKind::Leads18,
            "18-lead (V4R–V6R, V7–V9)",
        );
        let n = state.cycles().len();
        if n > 0 {
            ui.separator();
            let mut c = state.cycle.min(n - 1) + 1;
            let label = ui.label("Cycle");
            if ui
                .add(egui::DragValue::new(&mut c).range(1..=n))
                .labelled_by(label.id)
                .changed()
            {
                state.cycle = c - 1;
            }
            ui.label(format!("of {n}"));
        }
        if busy {
            ui.weak("updating…");
        }
        if let Some(e) = output.and_then(|o| o.error.as_ref()) {
            ui.colored_label(ui.visuals().error_fg_color, e);
        }
    });
    if state.inputs.is_empty() {
        ui.colored_label(ui.visuals().warn_fg_color, state.no_inputs_message());
    }
    if let Some(columns) = preset_columns(state.grid) {
        preset_view(ui, state, output, columns);
        return;
    }
    let (views, cols) = grid_views(state.grid);
    // Each cell's signal and band, when the output is for these very views.
    let shown: Vec<CellSignal> = views
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let seg = output
                .filter(|o| o.views.get(i) == Some(v))
                .and_then(|o| o.segments.first());
            let signal = seg.and_then(|s| s.signals.get(i)).map(Vec::as_slice);
            let spread = seg
                .and_then(|s| s.bands.as_ref()?.get(i))
                .map(Vec::as_slice);
            (signal, spread)
        })
        .collect();
    let signals: Vec<Option<&[f64]>> = shown.iter().map(|s| s.0).collect();
    // One amplitude scale for every cell, as in the paper's figure.
    let peak = signals
        .iter()
        .flatten()
        .flat_map(|s| s.iter())
        .fold(0.2f64, |m, v| m.max(v.abs()));
    let rows = views.len().div_ceil(cols);
    let avail = ui.available_size();
    let cell = Vec2::new(
        avail.x / cols as f32 - 4.0,
        (avail.y / rows as f32 - 4.0).max(60.0),
    );
    egui::Grid::new("view_grid")
        .spacing(Vec2::splat(4.0))
        .show(ui, |ui| {
            for (i, v) in views.iter().enumerate() {
                if cell_ui(ui, *v, shown[i], peak, cell) {
                    state.viewpoint = *v;
                    state.view = View::Panorama;
                }
                if (i + 1) % cols == 0 {
                    ui.end_row();
                }
            }
        });
}

/// A clickable cell named `label` (for screen readers): its light ground, a hover frame and
/// the zero line; the painter is clipped to it.
pub(super) fn cell_frame(
    ui: &mut egui::Ui,
    size: Vec2,
    label: &str,
) -> (egui::Rect, egui::Response, egui::Painter) {
    let (rect, response) = ui.allocate_exact_size(size, Sense::click());
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, true, label));
    let painter = ui.painter_at(rect);
    painter.rect_filled(rect, 2.0, Color32::from_rgb(255, 250, 245));
    if response.hovered() {
        painter.rect_stroke(
            rect,
            2.0,
            Stroke::new(1.5, SYNTH_COLOR),
            egui::StrokeKind::Inside,
        );
    }
    painter.hline(
        rect.x_range(),
        rect.center().y,
        Stroke::new(0.5, Color32::from_rgb(235, 150, 150)),
    );
    (rect, response, painter)
}

/// One cell: the view's signal and its band's half-widths, when it has them.
type CellSignal<'a> = (Option<&'a [f64]>, Option<&'a [f64]>);

fn cell_ui(ui: &mut egui::Ui, v: Viewpoint, shown: CellSignal, peak: f64, size: Vec2) -> bool {
    let (signal, spread) = shown;
    let (rect, response, painter) = cell_frame(ui, size, &cell_label(v));
    let mid = rect.center().y;
    if let Some(s) = signal.filter(|s| s.len() > 1) {
        let dx = rect.width() / (s.len() - 1) as f32;
        let dy = rect.height() * 0.45 / peak as f32;
        super::band_paint::cell_band(&painter, rect, s, spread, peak);
        let pts: Vec<Pos2> = s
            .iter()
            .enumerate()
            .map(|(i, &y)| Pos2::new(rect.left() + i as f32 * dx, mid - y as f32 * dy))
            .collect();
        painter.add(egui::Shape::line(pts, Stroke::new(1.2, SYNTH_COLOR)));
    }
    painter.text(
        rect.left_top() + Vec2::new(3.0, 2.0),
        egui::Align2::LEFT_TOP,
        angles(v),
        egui::FontId::proportional(11.0),
        Color32::BLACK,
    );
    response
        .on_hover_text("Open in the panorama view")
        .clicked()
}
