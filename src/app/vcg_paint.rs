//! Drawing the heart-vector loop: in 3-D inside the gizmo's sphere frame (the same rotation,
//! so turning one turns the other), and projected on the frontal, horizontal and sagittal
//! planes. Only layout and painting: the loop arrives computed.

use super::annotations::DEFLECTIONS;
use super::gizmo::{disk, screen_pos, to_camera};
use super::state::AppState;
use super::vcg_view::{Computed, LABEL};
use crate::geometry::Viewpoint;
use crate::vcg::{HeartLoop, Part};
use eframe::egui;
use egui::{Color32, Pos2, Sense, Stroke, Vec2};
use egui_plot::{Line, Plot, PlotPoints};
use glam::{DVec3, Quat};

/// The drawn parts with their deflection's colour (index into [`DEFLECTIONS`]).
const PARTS: [(Part, usize); 3] = [(Part::P, 0), (Part::Qrs, 2), (Part::T, 4)];

/// Colour of the current viewpoint's axis (the gizmo's handle colour).
const AXIS: Color32 = Color32::from_rgb(230, 50, 60);

fn part_color(k: usize) -> Color32 {
    let [r, g, b] = DEFLECTIONS[k].1;
    // The bands' pastel tones, darkened to read as lines on a light background.
    Color32::from_rgb(r, g, b).gamma_multiply(0.85)
}

/// A line of the parts' colours and the axis colour, as a key to both drawings.
pub fn legend(ui: &mut egui::Ui) {
    ui.horizontal(|ui| {
        for (_, k) in PARTS {
            ui.colored_label(part_color(k), format!("— {}", DEFLECTIONS[k].0));
        }
        ui.colored_label(AXIS, "— viewpoint axis");
    });
}

/// The loop's largest vector length: the sphere's radius in mV.
fn scale(l: &HeartLoop) -> f64 {
    l.vectors
        .iter()
        .map(|v| v.length())
        .fold(0.0, f64::max)
        .max(1e-6)
}

/// A heart-frame vector (mV) on screen in the sphere of `rect`, and its depth toward the viewer.
fn project(rect: egui::Rect, rot: Quat, v: DVec3, mv_per_radius: f64) -> (Pos2, f32) {
    let (c, r) = disk(rect);
    let p = to_camera(rot, v / mv_per_radius);
    (c + Vec2::new(p.x, -p.y) * r, p.z)
}

/// Turn the sphere by a drag, as the gizmo does.
fn rotate(state: &mut AppState, response: &egui::Response) {
    if response.dragged() {
        let d = response.drag_delta() * 0.01;
        let turn = Quat::from_rotation_y(d.x) * Quat::from_rotation_x(d.y);
        state.rotation = (turn * state.rotation).normalize();
    }
}

/// The 3-D loop in a `size` square: dragging turns the sphere. Returns the screen points of the
/// viewpoint axis (origin, viewpoint end) when a loop is drawn.
pub fn loop_3d(
    ui: &mut egui::Ui,
    state: &mut AppState,
    computed: Option<&Computed>,
    size: f32,
) -> Option<[Pos2; 2]> {
    let (rect, response) = ui.allocate_exact_size(Vec2::splat(size), Sense::drag());
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Canvas, true, LABEL));
    rotate(state, &response);
    let painter = ui.painter_at(rect);
    let visuals = ui.visuals();
    let (c, r) = disk(rect);
    let rot = state.rotation;
    painter.circle_filled(c, r, visuals.extreme_bg_color);
    painter.circle_stroke(c, r, Stroke::new(1.0, visuals.weak_text_color()));
    let faint = visuals.weak_text_color().gamma_multiply(0.6);
    for (name, axis) in [("head", DVec3::Z), ("left", DVec3::Y), ("front", DVec3::X)] {
        let (end, front) = screen_pos(rect, rot, Viewpoint::from_vector(axis));
        let fade = if front { 1.0 } else { 0.5 };
        painter.line_segment([c, end], Stroke::new(0.5, faint.gamma_multiply(fade)));
        painter.text(
            c + (end - c) * 1.1,
            egui::Align2::CENTER_CENTER,
            name,
            egui::FontId::proportional(10.0),
            faint.gamma_multiply(fade * 1.5),
        );
    }
    let l = &computed?.heart_loop;
    let s = scale(l);
    // The rest of the cycle (segments, baseline) thin and grey, the waves in their colours.
    let pts: Vec<(Pos2, f32)> = l
        .vectors
        .iter()
        .map(|v| project(rect, rot, *v, s))
        .collect();
    let grey = visuals.weak_text_color().gamma_multiply(0.4);
    for w in pts.windows(2) {
        painter.line_segment([w[0].0, w[1].0], Stroke::new(0.75, grey));
    }
    for (part, k) in PARTS {
        let range = l.range(part);
        if range.is_empty() {
            continue;
        }
        let color = part_color(k);
        for w in pts[range].windows(2) {
            // Segments behind the origin's plane are drawn fainter, for depth.
            let fade = if w[0].1 + w[1].1 >= 0.0 { 1.0 } else { 0.55 };
            painter.line_segment(
                [w[0].0, w[1].0],
                Stroke::new(2.0, color.gamma_multiply(fade)),
            );
        }
    }
    let (end, front) = screen_pos(rect, rot, state.viewpoint);
    let opposite = c - (end - c);
    let fade = if front { 1.0 } else { 0.45 };
    painter.line_segment([opposite, end], Stroke::new(1.5, AXIS.gamma_multiply(fade)));
    painter.circle(
        end,
        5.0,
        AXIS.gamma_multiply(fade),
        Stroke::new(1.5, Color32::WHITE),
    );
    painter.circle_filled(c, 2.5, visuals.strong_text_color());
    Some([c, end])
}

/// A plane's two screen axes as heart-frame directions, with its name and axis labels.
struct Plane {
    name: &'static str,
    right: DVec3,
    up: DVec3,
    labels: (&'static str, &'static str),
}

/// Frontal (seen from the front), horizontal (seen from the feet), sagittal (seen from the
/// patient's right): the patient's left is on screen right in the first two.
const PLANES: [Plane; 3] = [
    Plane {
        name: "Frontal",
        right: DVec3::Y,
        up: DVec3::Z,
        labels: ("left (mV)", "head (mV)"),
    },
    Plane {
        name: "Horizontal",
        right: DVec3::Y,
        up: DVec3::X,
        labels: ("left (mV)", "anterior (mV)"),
    },
    Plane {
        name: "Sagittal",
        right: DVec3::X,
        up: DVec3::Z,
        labels: ("anterior (mV)", "head (mV)"),
    },
];

/// The three plane projections side by side, each with the viewpoint axis projected on it.
pub fn projections(ui: &mut egui::Ui, state: &AppState, c: &Computed) {
    let l = &c.heart_loop;
    let s = scale(l);
    let u = state.viewpoint.unit_vector() * s;
    let side = ((ui.available_width() - 24.0) / 3.0)
        .min(ui.available_height() - 40.0)
        .max(120.0);
    ui.horizontal_top(|ui| {
        for plane in &PLANES {
            ui.vertical(|ui| {
                ui.strong(plane.name);
                let xy = |v: &DVec3| [v.dot(plane.right), v.dot(plane.up)];
                Plot::new(("vcg_plane", plane.name))
                    .width(side)
                    .height(side)
                    .data_aspect(1.0)
                    .x_axis_label(plane.labels.0)
                    .y_axis_label(plane.labels.1)
                    .allow_scroll(false)
                    .show(ui, |plot| {
                        let all: PlotPoints = l.vectors.iter().map(xy).collect();
                        plot.line(Line::new("cycle", all).color(Color32::LIGHT_GRAY));
                        for (part, k) in PARTS {
                            let pts: PlotPoints = l.part(part).iter().map(xy).collect();
                            plot.line(
                                Line::new(DEFLECTIONS[k].0, pts)
                                    .color(part_color(k))
                                    .width(2.0),
                            );
                        }
                        let axis: PlotPoints = vec![xy(&-u), xy(&u)].into();
                        plot.line(Line::new("viewpoint axis", axis).color(AXIS));
                    });
            });
        }
    });
}
