//! The heart-vector view: the current cycle's 3-D loop in the gizmo's rotatable sphere frame
//! with the current viewpoint's axis through it, its frontal, horizontal and sagittal
//! projections, and the loop's measures.
//!
//! The loop is computed by [`crate::vcg`] on a background job, once per record, cycle and lead
//! set ([`HeartVectorPane`] is the cache); frames only lay out what it returned.

use super::core::App;
use super::jobs::{Job, take_done};
use super::state::AppState;
use super::vcg_paint::{legend, loop_3d, projections};
use crate::delineate::CycleBounds;
use crate::panorama::CycleInput;
use crate::vcg::{HeartLoop, Measures, Part};
use eframe::egui;
use std::sync::Arc;

/// Accessible name of the 3-D loop widget.
pub const LABEL: &str = "Heart-vector loop";

/// A computed loop with its measures.
#[derive(Debug)]
pub struct Computed {
    /// The loop of the cycle.
    pub heart_loop: HeartLoop,
    /// Its measures.
    pub measures: Measures,
}

/// What a loop depends on: a new job starts only when this changes.
#[derive(Debug, Clone, PartialEq)]
struct LoopKey {
    record_id: u64,
    cycle: CycleBounds,
    leads: Vec<String>,
}

/// The heart-vector view's cache: the loop of the current cycle, or why there is none.
#[derive(Default)]
pub struct HeartVectorPane {
    key: Option<LoopKey>,
    job: Option<Job<Arc<Computed>>>,
    /// The loop for the current key once computed, or the reason there is none.
    pub result: Option<Result<Arc<Computed>, String>>,
    /// Screen points of the current viewpoint's axis in the 3-D view as last drawn: the loop's
    /// origin and the axis end toward the viewpoint.
    pub axis: Option<[egui::Pos2; 2]>,
}

impl HeartVectorPane {
    /// True while a loop is being computed.
    pub fn busy(&self) -> bool {
        self.job.is_some()
    }

    /// Take in a finished loop.
    pub(super) fn poll(&mut self) {
        if let Some(r) = take_done(&mut self.job) {
            self.result = Some(r.map_err(|e| format!("{e:#}")));
        }
    }

    /// Start computing the loop of `state`'s current cycle unless it is the one held.
    fn request(&mut self, state: &AppState, ctx: Option<egui::Context>) {
        let (Some(record), Some(cycle)) = (
            state.record.clone(),
            state.cycles().get(state.cycle).copied(),
        ) else {
            return;
        };
        // The heart vector the synthesized views project: from the panorama's chosen inputs
        // (every lead with a known direction while none is chosen).
        let leads: Vec<String> = record
            .leads
            .iter()
            .filter(|l| l.view.is_some())
            .filter(|l| state.inputs.is_empty() || state.inputs.contains(&l.name))
            .map(|l| l.name.clone())
            .collect();
        let key = LoopKey {
            record_id: state.record_id,
            cycle,
            leads,
        };
        if self.key.as_ref() == Some(&key) {
            return;
        }
        self.result = None;
        self.axis = None;
        let leads = key.leads.clone();
        self.job = Some(Job::spawn("Heart-vector loop", ctx, move |_| {
            let names: Vec<&str> = leads.iter().map(String::as_str).collect();
            let input = CycleInput::from_record(&record, &names, cycle)?;
            let heart_loop = HeartLoop::from_cycle(&input)?;
            let measures = heart_loop.measures();
            Ok(Arc::new(Computed {
                heart_loop,
                measures,
            }))
        }));
        self.key = Some(key);
    }
}

impl App {
    /// The heart-vector view's loop, its measures and the axis as last drawn.
    pub fn heart_vector(&self) -> &HeartVectorPane {
        &self.heart_vector
    }

    /// Lay out the heart-vector view and ask for the current cycle's loop.
    pub(super) fn heart_vector_view(&mut self, ui: &mut egui::Ui) {
        self.heart_vector.request(&self.state, self.ctx.clone());
        let computed = match &self.heart_vector.result {
            Some(Ok(c)) => Some(c.clone()),
            _ => None,
        };
        let pane = &mut self.heart_vector;
        let state = &mut self.state;
        egui::Panel::left("vcg_controls")
            .resizable(false)
            .exact_size(360.0)
            .show(ui, |ui| {
                egui::ScrollArea::vertical().show(ui, |ui| {
                    pane.axis = loop_3d(ui, state, computed.as_deref(), 340.0);
                    legend(ui);
                    controls(ui, state);
                    ui.separator();
                    match (&pane.result, &computed) {
                        (_, Some(c)) => numbers(ui, c),
                        (Some(Err(e)), _) => {
                            ui.colored_label(ui.visuals().error_fg_color, e);
                        }
                        _ => {
                            ui.label("Computing the heart-vector loop…");
                        }
                    }
                });
            });
        egui::CentralPanel::default().show(ui, |ui| match &computed {
            Some(c) => projections(ui, state, c),
            None => {
                ui.label("Waiting for the record, its cycles and the loop…");
            }
        });
    }
}

fn controls(ui: &mut egui::Ui, state: &mut AppState) {
    ui.horizontal(|ui| {
        let (t, p) = state.viewpoint.degrees();
        ui.label(format!("Viewpoint θ {t:.0}° φ {p:.0}°"));
        if ui.button("Reset sphere").clicked() {
            state.rotation = super::state::default_rotation();
        }
    });
    let n = state.cycles().len();
    if n > 0 {
        ui.horizontal(|ui| {
            let label = ui.label("Cycle");
            let mut c = state.cycle.min(n - 1) + 1;
            if ui
                .add(egui::DragValue::new(&mut c).range(1..=n))
                .labelled_by(label.id)
                .changed()
            {
                state.cycle = c - 1;
            }
            ui.label(format!("of {n}"));
        });
    }
}

/// "12°", or a dash when the loop has no such value.
fn deg(v: Option<f64>) -> String {
    v.map_or("—".into(), |v| format!("{v:.0}°"))
}

fn mv(v: Option<f64>, unit: &str) -> String {
    v.map_or("—".into(), |v| format!("{v:.2} {unit}"))
}

/// The rows of the measures table, as shown.
pub fn measure_rows(c: &Computed) -> Vec<(&'static str, String)> {
    let m = &c.measures;
    vec![
        ("Frontal QRS axis", deg(m.qrs_axis_deg)),
        ("Frontal T axis", deg(m.t_axis_deg)),
        ("Spatial QRS–T angle (mean)", deg(m.qrs_t_angle_deg)),
        ("Spatial QRS–T angle (peak)", deg(m.qrs_t_peak_angle_deg)),
        ("QRS loop area", mv(m.qrs_loop_area, "mV²")),
        ("Peak QRS vector", mv(m.qrs_peak_mv, "mV")),
        ("Peak T vector", mv(m.t_peak_mv, "mV")),
        ("Source", c.heart_loop.source.to_string()),
    ]
}

fn numbers(ui: &mut egui::Ui, c: &Computed) {
    egui::Grid::new("vcg_numbers")
        .num_columns(2)
        .striped(true)
        .show(ui, |ui| {
            for (label, value) in measure_rows(c) {
                ui.label(label);
                ui.label(value);
                ui.end_row();
            }
        });
    if c.heart_loop.part(Part::T).is_empty() {
        ui.weak("This cycle has no T wave: no T axis or QRS–T angle.");
    }
    ui.weak(
        "Axes: 0° = patient's left, +90° = feet. QRS–T angle between the mean vectors; \
         loop area in the QRS loop's best-fit plane.",
    );
}
