//! The record view: every lead on calibrated paper with its deflection bands, lead show/hide,
//! filter toggles, zoom, calipers and the annotator's editing.

use super::annotate;
use super::measure_panel;
use super::paper::{Geometry, Row, paper};
use super::state::AppState;
use eframe::egui;
use egui::{Color32, Stroke};

/// What the record view asks the app to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Requests {
    /// The display filters changed: recompute the displayed record.
    pub refilter: bool,
}

/// The toolbar above the paper.
pub fn toolbar(ui: &mut egui::Ui, state: &mut AppState) -> Requests {
    let mut req = Requests::default();
    ui.horizontal_wrapped(|ui| {
        let names: Vec<String> = state
            .record
            .iter()
            .flat_map(|r| r.leads.iter().map(|l| l.name.clone()))
            .collect();
        ui.menu_button("Leads", |ui| {
            for name in &names {
                let mut shown = !state.hidden.contains(name);
                if ui.checkbox(&mut shown, name).changed() {
                    if shown {
                        state.hidden.remove(name);
                    } else {
                        state.hidden.insert(name.clone());
                    }
                }
            }
        });
        ui.separator();
        req.refilter |= ui
            .checkbox(&mut state.filters.baseline, "Baseline filter")
            .changed();
        req.refilter |= ui
            .checkbox(&mut state.filters.powerline, "Powerline filter")
            .changed();
        if state.filters.powerline {
            egui::ComboBox::new("mains", "Mains")
                .width(60.0)
                .selected_text(format!("{} Hz", state.filters.mains_hz))
                .show_ui(ui, |ui| {
                    for hz in [50.0, 60.0] {
                        req.refilter |= ui
                            .selectable_value(&mut state.filters.mains_hz, hz, format!("{hz} Hz"))
                            .changed();
                    }
                });
        }
        ui.separator();
        if ui
            .button("−")
            .on_hover_text("Zoom out (Ctrl + wheel)")
            .clicked()
        {
            state.paper.px_per_mm = (state.paper.px_per_mm / 1.25).max(0.25);
        }
        ui.label(format!("{:.0}%", state.paper.px_per_mm / 4.0 * 100.0));
        if ui
            .button("+")
            .on_hover_text("Zoom in (Ctrl + wheel)")
            .clicked()
        {
            state.paper.px_per_mm = (state.paper.px_per_mm * 1.25).min(20.0);
        }
        if let Some(r) = &state.record {
            let max = r.duration_s().max(0.0);
            ui.add(
                egui::Slider::new(&mut state.paper.t0, 0.0..=max)
                    .text("s")
                    .fixed_decimals(1),
            );
        }
        ui.separator();
        ui.checkbox(&mut state.measurements, "Measurements")
            .on_hover_text("The per-cycle measurements table beside the record");
        if let Some(((t0, v0), (t1, v1))) = state.caliper {
            ui.separator();
            ui.label(format!(
                "Δt {:.0} ms   ΔV {:+.2} mV",
                (t1 - t0).abs() * 1e3,
                v1 - v0
            ));
        }
    });
    req
}

/// The record view: toolbar, annotator bar and the leads on paper.
/// `anomaly` gives each lead's heat band, when the record has a map.
pub fn record_view(
    ui: &mut egui::Ui,
    state: &mut AppState,
    anomaly: &super::anomaly_pane::AnomalyPane,
) -> Requests {
    let req = toolbar(ui, state);
    annotate::bar(ui, state);
    ui.separator();
    measure_panel::refresh(state);
    let mut open = state.measurements;
    egui::Panel::right("measurements")
        .resizable(true)
        .default_size(430.0)
        .show_collapsible(ui, &mut open, |ui| measure_panel::table(ui, state));
    state.measurements = open;
    let Some(display) = state.display.clone() else {
        ui.label("No record loaded.");
        return req;
    };
    let shown: Vec<&crate::record::Lead> = display
        .leads
        .iter()
        .filter(|l| !state.hidden.contains(&l.name))
        .collect();
    let names: Vec<String> = shown.iter().map(|l| l.name.clone()).collect();
    let strip_bands = |lead: &str| match &state.annotations {
        Some(a) if state.boundaries.per_lead() => {
            a.bands_of(&state.boundaries.strip_target(lead), 0..display.len())
        }
        _ => Vec::new(),
    };
    let rows: Vec<Row> = shown
        .iter()
        .map(|l| Row {
            label: l.name.clone(),
            segments: vec![(0, l.samples.as_slice())],
            spread: Vec::new(),
            heat: anomaly.heat(&l.name),
            color: Color32::BLACK,
            bands: strip_bands(&l.name),
        })
        .collect();
    egui::ScrollArea::vertical()
        .auto_shrink(false)
        .show(ui, |ui| {
            let bands = match &state.annotations {
                Some(a) if !state.boundaries.per_lead() => a.bands(0..display.len()),
                _ => Vec::new(),
            };
            let (response, geo) = paper(
                ui,
                &mut state.paper,
                display.fs,
                display.len(),
                &rows,
                &bands,
            );
            let hover = response.hover_pos();
            state.cursor = hover
                .map(|p| geo.sample(p.x))
                .filter(|&s| s < display.len());
            // Kept when the pointer leaves, so the bar's buttons act on the last lead pointed at.
            if let Some(lead) = hover
                .and_then(|p| geo.row_at(p.y))
                .and_then(|r| names.get(r))
            {
                state.hover_lead = Some(lead.clone());
            }
            let editing = annotate::interact(ui, &response, &geo, &names, state);
            if !editing {
                caliper(ui, &response, &geo, state);
            }
            annotate::paint_marks(ui, &geo, &names, state);
            if !editing && let Some(pos) = hover {
                let text = match (
                    gap_text(&geo, &shown, pos),
                    annotate::mark_at(&geo, &names, state, pos),
                ) {
                    (Some(gap), Some(mark)) => Some(format!("{gap}\n{mark}")),
                    (gap, mark) => gap
                        .or(mark)
                        .or_else(|| state.cursor.and_then(|s| measure_panel::tooltip(state, s))),
                };
                if let Some(text) = text {
                    response.clone().on_hover_text_at_pointer(text);
                }
            }
            paint_caliper(ui, &geo, state);
            paint_cursor(ui, &geo, state);
        });
    req
}

/// "No samples in V3 from 4.00 to 4.40 s …" when the pointer is over a lead's gap.
fn gap_text(geo: &Geometry, shown: &[&crate::record::Lead], pos: egui::Pos2) -> Option<String> {
    let lead = shown.get(geo.row_at(pos.y)?)?;
    let gap = crate::delineate::gaps::gap_at(&lead.samples, geo.sample(pos.x))?;
    let t = |s: usize| s as f64 / geo.fs;
    Some(format!(
        "No samples in {} from {:.2} to {:.2} s (a gap in the recording)",
        lead.name,
        t(gap.start),
        t(gap.end)
    ))
}

/// mV of a screen y on the row under it (the row's centre is 0).
fn mv_at(geo: &Geometry, y: f32) -> f64 {
    let row_pos = (y - geo.rect.top()) / geo.row_h;
    let mid = geo.rect.top() + (row_pos.floor() + 0.5) * geo.row_h;
    ((mid - y) / geo.px_per_mv) as f64
}

fn caliper(ui: &egui::Ui, response: &egui::Response, geo: &Geometry, state: &mut AppState) {
    if !response.dragged_by(egui::PointerButton::Primary) {
        return;
    }
    let (Some(origin), Some(pos)) = (
        ui.input(|i| i.pointer.press_origin()),
        response.interact_pointer_pos(),
    ) else {
        return;
    };
    // ΔV is measured on the row where the drag began.
    let v0 = mv_at(geo, origin.y);
    let v1 = v0 + ((origin.y - pos.y) / geo.px_per_mv) as f64;
    state.caliper = Some(((geo.time(origin.x), v0), (geo.time(pos.x), v1)));
}

fn paint_caliper(ui: &egui::Ui, geo: &Geometry, state: &AppState) {
    let Some(((t0, _), (t1, v1))) = state.caliper else {
        return;
    };
    let painter = ui.painter_at(geo.rect);
    let x = |t: f64| geo.rect.left() + ((t - geo.t0) as f32) * geo.px_per_s;
    let blue = Color32::from_rgb(20, 90, 220);
    for t in [t0, t1] {
        painter.vline(x(t), geo.rect.y_range(), Stroke::new(1.0, blue));
    }
    let text = format!(
        "Δt {:.0} ms  ΔV {:+.2} mV",
        (t1 - t0).abs() * 1e3,
        v1 - state.caliper.map_or(0.0, |c| c.0.1)
    );
    let pos = egui::pos2(x(t0.max(t1)) + 4.0, geo.rect.top() + 4.0);
    painter.text(
        pos,
        egui::Align2::LEFT_TOP,
        text,
        egui::FontId::proportional(12.0),
        blue,
    );
}

fn paint_cursor(ui: &egui::Ui, geo: &Geometry, state: &AppState) {
    if let Some(s) = state.cursor {
        ui.painter_at(geo.rect).vline(
            geo.x(s),
            geo.rect.y_range(),
            Stroke::new(0.5, Color32::DARK_GRAY),
        );
    }
}
