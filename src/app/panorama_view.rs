//! The panorama view: the sphere gizmo and its controls beside the synthesized cycle for the
//! current viewpoint (with the nearest recorded lead), and the synthesized strip on paper above
//! the recorded leads.

use super::band_paint::{BAND_FILL, band_label};
use super::gizmo::gizmo;
use super::paper::{Row, paper};
use super::state::AppState;
use super::synth::Output;
use crate::delineate::CycleBounds;
use crate::geometry::Viewpoint;
use crate::panorama::DEFAULT_LEVEL;
use crate::panorama::EngineKind;
use crate::signal::detrend;
use eframe::egui;
use egui::Color32;
use egui_plot::{Legend, Line, Plot, PlotPoints, Polygon};

/// What the panorama view knows about the engine and the latest synthesis.
pub struct Status<'a> {
    /// The newest rendered result for this view.
    pub output: Option<&'a Output>,
    /// A newer request is being rendered.
    pub busy: bool,
    /// Why the chosen engine is unavailable.
    pub engine_error: Option<&'a str>,
    /// The chosen engine is still loading.
    pub engine_loading: bool,
    /// The anomaly scores of the recorded lead the viewpoint sits on, if any.
    pub heat: Option<&'a [f64]>,
}

/// Colour of synthesized signals.
pub const SYNTH_COLOR: Color32 = Color32::from_rgb(200, 30, 40);

/// Label of a viewpoint in degrees, and an engine's display name (shared with the exports).
pub use crate::export::figures::{angles, engine_name};

/// The panorama view; returns the cycles (indices) whose synthesis it wants.
pub fn panorama_view(ui: &mut egui::Ui, state: &mut AppState, status: &Status) -> Vec<usize> {
    let mut wanted = Vec::new();
    egui::Panel::left("panorama_controls")
        .resizable(false)
        .exact_size(330.0)
        .show(ui, |ui| {
            egui::ScrollArea::vertical().show(ui, |ui| controls(ui, state, status));
        });
    egui::CentralPanel::default().show(ui, |ui| {
        let cycles = state.cycles();
        if state.record.is_none() || cycles.is_empty() {
            ui.label("Waiting for the record and its cycles…");
            return;
        }
        state.cycle = state.cycle.min(cycles.len() - 1);
        wanted.push(state.cycle);
        cycle_plot(ui, state, status, &cycles[state.cycle]);
        ui.separator();
        let Some(display) = state.display.clone() else {
            return;
        };
        let shown: Vec<&super::synth::Segment> = status
            .output
            .map(|o| {
                o.segments
                    .iter()
                    .filter(|s| !s.signals.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        let synth_rows: Vec<(usize, &[f64])> = shown
            .iter()
            .map(|s| (s.start, s.signals[0].as_slice()))
            .collect();
        // A band for every piece or for none: the row's spread runs parallel to its pieces.
        let spread: Vec<&[f64]> = shown
            .iter()
            .map(|s| s.bands.as_ref().and_then(|b| b.first()).map(Vec::as_slice))
            .collect::<Option<Vec<_>>>()
            .unwrap_or_default();
        let mut rows = vec![Row {
            label: format!("synth {}", angles(state.viewpoint).replace("φ", "\nφ")),
            segments: synth_rows,
            spread,
            heat: status.heat,
            color: SYNTH_COLOR,
            bands: Vec::new(),
        }];
        rows.extend(
            display
                .leads
                .iter()
                .filter(|l| !state.hidden.contains(&l.name))
                .map(|l| Row {
                    label: l.name.clone(),
                    segments: vec![(0, l.samples.as_slice())],
                    spread: Vec::new(),
                    heat: None,
                    color: Color32::BLACK,
                    bands: Vec::new(),
                }),
        );
        let bands = state
            .annotations
            .as_ref()
            .map(|a| a.bands(0..display.len()))
            .unwrap_or_default();
        egui::ScrollArea::vertical()
            .auto_shrink(false)
            .show(ui, |ui| {
                let (_, geo) = paper(
                    ui,
                    &mut state.paper,
                    display.fs,
                    display.len(),
                    &rows,
                    &bands,
                );
                if state.strip {
                    let vis = geo.visible();
                    wanted.extend((0..cycles.len()).filter(|&i| {
                        cycles[i].start() < vis.end
                            && cycles[i].end() >= vis.start
                            && i != state.cycle
                    }));
                }
            });
    });
    wanted
}

fn controls(ui: &mut egui::Ui, state: &mut AppState, status: &Status) {
    gizmo(ui, state, 310.0);
    ui.horizontal(|ui| {
        let (mut t, mut p) = state.viewpoint.degrees();
        let a = ui.add(
            egui::DragValue::new(&mut t)
                .range(0.0..=180.0)
                .speed(0.5)
                .suffix("°")
                .prefix("θ "),
        );
        let b = ui.add(
            egui::DragValue::new(&mut p)
                .range(-180.0..=180.0)
                .speed(0.5)
                .suffix("°")
                .prefix("φ "),
        );
        if a.changed() || b.changed() {
            state.viewpoint = Viewpoint::from_degrees(t, p);
        }
        if ui.button("Reset sphere").clicked() {
            state.rotation = super::state::default_rotation();
        }
    });
    ui.label("Snap to a lead:");
    ui.horizontal_wrapped(|ui| {
        for (name, v, _) in state.lead_points() {
            if ui.small_button(&name).clicked() {
                state.viewpoint = v;
            }
        }
    });
    ui.separator();
    egui::ComboBox::new("engine", "Engine")
        .selected_text(engine_name(state.engine))
        .show_ui(ui, |ui| {
            for kind in EngineKind::ALL {
                ui.selectable_value(&mut state.engine, kind, engine_name(kind));
            }
        });
    ui.label("Input leads:");
    ui.horizontal_wrapped(|ui| {
        for name in state.input_candidates() {
            let mut on = state.inputs.contains(&name);
            if ui.checkbox(&mut on, &name).changed() {
                if on {
                    state.inputs.push(name);
                } else {
                    state.inputs.retain(|n| n != &name);
                }
            }
        }
    });
    let n = state.cycles().len();
    ui.horizontal(|ui| {
        let label = ui.label("Cycle");
        if n > 0 {
            let mut c = state.cycle + 1;
            if ui
                .add(egui::DragValue::new(&mut c).range(1..=n))
                .labelled_by(label.id)
                .changed()
            {
                state.cycle = c - 1;
            }
            ui.label(format!("of {n}"));
        }
        ui.checkbox(&mut state.strip, "All cycles (strip)");
    });
    band_controls(ui, state, status);
    ui.separator();
    if status.engine_loading {
        ui.label(format!("Loading the {} engine…", engine_name(state.engine)));
    }
    if let Some(e) = status.engine_error {
        ui.colored_label(ui.visuals().error_fg_color, e);
    }
    if state.inputs.is_empty() {
        ui.colored_label(ui.visuals().warn_fg_color, state.no_inputs_message());
    }
    if let Some(o) = status.output {
        if let Some(e) = &o.error {
            ui.colored_label(ui.visuals().error_fg_color, e);
        }
        ui.weak(format!(
            "{} cycle(s) rendered in {:.1} ms{}",
            o.segments.len(),
            o.elapsed_ms,
            if status.busy { " (updating)" } else { "" }
        ));
    }
}

/// The confidence band's toggle and level, and why there is none when the engine has none.
fn band_controls(ui: &mut egui::Ui, state: &mut AppState, status: &Status) {
    ui.horizontal(|ui| {
        let mut on = state.band.is_some();
        let toggle = ui.checkbox(&mut on, "Confidence band").on_hover_text(
            "Where the recorded ECG of this viewpoint lies, given the inputs, for the chosen \
                 share of samples (calibrated on held-out records); none where a view is an input",
        );
        if toggle.changed() {
            state.band = on.then_some(DEFAULT_LEVEL);
        }
        if let Some(level) = state.band.as_mut() {
            egui::ComboBox::new("band_level", "Band level")
                .selected_text(band_label(*level))
                .show_ui(ui, |ui| {
                    for l in [0.5, 0.8, 0.95] {
                        ui.selectable_value(level, l, band_label(l));
                    }
                });
        }
    });
    if state.band.is_some()
        && let Some(o) = status.output
        && o.error.is_none()
        && !o.segments.is_empty()
        && o.band.is_none()
    {
        ui.weak(format!(
            "The {} engine has no calibrated band.",
            engine_name(state.engine)
        ));
    }
}

fn cycle_plot(ui: &mut egui::Ui, state: &AppState, status: &Status, b: &CycleBounds) {
    let Some(record) = &state.display else { return };
    let ms = |i: usize| i as f64 * 1e3 / record.fs;
    let synth = status
        .output
        .and_then(|o| o.segments.iter().find(|s| s.start == b.start()))
        .and_then(|s| s.signals.first());
    let band = status
        .output
        .and_then(|o| Some((o.band?, o.segments.iter().find(|s| s.start == b.start())?)))
        .and_then(|(level, s)| Some((level, s.bands.as_ref()?.first()?)));
    let nearest = state.nearest_recorded();
    let overlay = nearest
        .as_ref()
        .and_then(|(name, _)| record.lead(name))
        .map(|l| detrend(&l.samples[b.start()..=b.end()]));
    ui.label(format!(
        "{} — cycle {} ({:.0} ms), {} from {}",
        angles(state.viewpoint),
        state.cycle + 1,
        ms(b.end() - b.start()),
        engine_name(state.engine),
        state.inputs.join(", ")
    ));
    let height = (ui.available_height() * 0.45).clamp(160.0, 320.0);
    Plot::new("synth_cycle")
        .height(height)
        .legend(Legend::default())
        .x_axis_label("ms from P onset")
        .y_axis_label("mV")
        .allow_scroll(false)
        .show(ui, |plot| {
            if let (Some(x), Some((name, angle))) = (overlay, &nearest) {
                let pts: PlotPoints = x.iter().enumerate().map(|(i, v)| [ms(i), *v]).collect();
                plot.line(
                    Line::new(
                        format!("{name} recorded ({:.0}° away)", angle.to_degrees()),
                        pts,
                    )
                    .color(Color32::GRAY),
                );
            }
            if let (Some(s), Some((level, h))) = (synth, band) {
                // Thin convex quads: a plot polygon must be convex, a band rarely is.
                let name = band_label(level);
                let step = (s.len() / 200).max(1);
                let cols: Vec<usize> = (0..s.len()).step_by(step).chain([s.len() - 1]).collect();
                for w in cols.windows(2) {
                    let (i, j) = (w[0], w[1]);
                    if i == j {
                        continue;
                    }
                    let quad = vec![
                        [ms(i), s[i] - h[i]],
                        [ms(j), s[j] - h[j]],
                        [ms(j), s[j] + h[j]],
                        [ms(i), s[i] + h[i]],
                    ];
                    plot.polygon(
                        Polygon::new(name.clone(), PlotPoints::new(quad))
                            .fill_color(BAND_FILL)
                            .stroke(egui::Stroke::NONE),
                    );
                }
            }
            if let Some(s) = synth {
                let pts: PlotPoints = s.iter().enumerate().map(|(i, v)| [ms(i), *v]).collect();
                plot.line(
                    Line::new(format!("synthesized {}", angles(state.viewpoint)), pts)
                        .color(SYNTH_COLOR)
                        .width(2.0),
                );
            }
        });
}
