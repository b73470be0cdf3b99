//! The sphere gizmo: a 3-D sphere painted with egui shapes, the lead directions on it, and the
//! current viewpoint as a handle. Orthographic projection; the sphere turns with a quaternion.

use super::state::AppState;
use crate::geometry::{Viewpoint, is_extra_lead};
use eframe::egui;
use egui::{Color32, Pos2, Rect, Response, Sense, Stroke, Vec2};
use glam::{Quat, Vec3};

/// Accessible name of the gizmo widget.
pub const LABEL: &str = "Sphere gizmo";

/// Label of the toggle that shows the extra leads on the sphere and among the snap buttons.
pub const EXTRA_TOGGLE: &str = "Extra leads (V3R–V6R, V7–V9)";

/// Colour of the extra leads' points: apart from the recorded (dark) and input (orange) ones.
pub const EXTRA_COLOR: Color32 = Color32::from_rgb(20, 140, 160);

/// Pointer distance (points) within which a lead point or the handle is grabbed.
const GRAB: f32 = 12.0;

#[derive(Clone, Copy, PartialEq)]
enum Drag {
    Handle,
    Rotate,
}

/// Camera coordinates (right, up, toward the viewer) of a heart-frame direction: unrotated,
/// the patient faces the viewer, head up, the patient's left on screen right.
pub fn to_camera(rotation: Quat, u: glam::DVec3) -> Vec3 {
    rotation * Vec3::new(u.y as f32, u.z as f32, u.x as f32)
}

/// The heart-frame direction of camera coordinates (inverse of [`to_camera`]).
pub fn from_camera(rotation: Quat, c: Vec3) -> glam::DVec3 {
    let w = rotation.inverse() * c;
    glam::DVec3::new(w.z as f64, w.x as f64, w.y as f64)
}

/// Geometry of the sphere in a widget rect: centre and radius.
pub fn disk(rect: Rect) -> (Pos2, f32) {
    (rect.center(), rect.width().min(rect.height()) * 0.5 - 22.0)
}

/// Where a viewpoint sits on screen in a gizmo drawn in `rect`, and whether it faces the viewer.
pub fn screen_pos(rect: Rect, rotation: Quat, v: Viewpoint) -> (Pos2, bool) {
    let (c, r) = disk(rect);
    let p = to_camera(rotation, v.unit_vector());
    (c + Vec2::new(p.x, -p.y) * r, p.z >= 0.0)
}

/// The viewpoint under a screen position: on the front half of the sphere, or on its rim
/// when the pointer is outside it.
fn viewpoint_at(rect: Rect, rotation: Quat, pos: Pos2) -> Viewpoint {
    let (c, r) = disk(rect);
    let mut d = (pos - c) / r;
    d.y = -d.y;
    let len = d.length();
    if len > 1.0 {
        d /= len;
    }
    let z = (1.0 - d.length_sq()).max(0.0).sqrt();
    Viewpoint::from_vector(from_camera(rotation, Vec3::new(d.x, d.y, z)))
}

/// Draw the gizmo and handle its input: dragging the handle moves the viewpoint, dragging
/// elsewhere turns the sphere, clicking a lead point snaps to it. True when the viewpoint moved.
/// Below it, the toggle of the extra leads.
pub fn gizmo(ui: &mut egui::Ui, state: &mut AppState, size: f32) -> bool {
    let (rect, response) = ui.allocate_exact_size(Vec2::splat(size), Sense::click_and_drag());
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Canvas, true, LABEL));
    let moved = interact(ui, &response, rect, state);
    paint(ui, rect, state, response.hovered());
    ui.checkbox(&mut state.extra_leads, EXTRA_TOGGLE)
        .on_hover_text("Right-sided and posterior leads, synthesized from the inputs");
    moved
}

fn interact(ui: &egui::Ui, response: &Response, rect: Rect, state: &mut AppState) -> bool {
    let id = response.id.with("drag");
    let before = state.viewpoint;
    if response.drag_started() {
        let origin = ui
            .input(|i| i.pointer.press_origin())
            .unwrap_or(rect.center());
        let (handle, _) = screen_pos(rect, state.rotation, state.viewpoint);
        let mode = if origin.distance(handle) <= GRAB {
            Drag::Handle
        } else {
            Drag::Rotate
        };
        ui.data_mut(|d| d.insert_temp(id, mode));
    }
    if response.dragged() {
        match ui.data(|d| d.get_temp::<Drag>(id)) {
            Some(Drag::Handle) => {
                if let Some(pos) = response.interact_pointer_pos() {
                    state.viewpoint = viewpoint_at(rect, state.rotation, pos);
                }
            }
            _ => {
                let delta = response.drag_delta() * 0.01;
                let turn = Quat::from_rotation_y(delta.x) * Quat::from_rotation_x(delta.y);
                state.rotation = (turn * state.rotation).normalize();
            }
        }
    }
    if response.drag_stopped() {
        ui.data_mut(|d| d.remove::<Drag>(id));
    }
    if response.clicked()
        && let Some(pos) = response.interact_pointer_pos()
    {
        let hit = state
            .lead_points()
            .into_iter()
            .map(|(_, v, _)| (v, screen_pos(rect, state.rotation, v)))
            .filter(|(_, (_, front))| *front)
            .min_by(|a, b| a.1.0.distance(pos).total_cmp(&b.1.0.distance(pos)))
            .filter(|(_, (p, _))| p.distance(pos) <= GRAB);
        state.viewpoint = match hit {
            Some((v, _)) => v,
            None => viewpoint_at(rect, state.rotation, pos),
        };
    }
    state.viewpoint != before
}

fn paint(ui: &egui::Ui, rect: Rect, state: &AppState, hovered: bool) {
    let painter = ui.painter_at(rect);
    let visuals = ui.visuals();
    let (c, r) = disk(rect);
    let rot = state.rotation;
    painter.circle_filled(c, r, visuals.extreme_bg_color);
    let rim = if hovered {
        visuals.widgets.hovered.fg_stroke.color
    } else {
        visuals.widgets.noninteractive.fg_stroke.color
    };
    painter.circle_stroke(c, r, Stroke::new(1.5, rim));
    let faint = visuals.weak_text_color().gamma_multiply(0.5);
    // Equator and two meridians, their far halves fainter.
    let circles: [fn(f64) -> Viewpoint; 3] = [
        |a| Viewpoint::new(std::f64::consts::FRAC_PI_2, a),
        |a| Viewpoint::new(a.abs(), if a < 0.0 { std::f64::consts::PI } else { 0.0 }),
        |a| {
            Viewpoint::new(
                a.abs(),
                if a < 0.0 { -1.0 } else { 1.0 } * std::f64::consts::FRAC_PI_2,
            )
        },
    ];
    for circle in circles {
        let pts: Vec<(Pos2, bool)> = (0..=72)
            .map(|i| circle(-std::f64::consts::PI + i as f64 * std::f64::consts::TAU / 72.0))
            .map(|v| screen_pos(rect, rot, v))
            .collect();
        for w in pts.windows(2) {
            let alpha = if w[0].1 && w[1].1 { 1.0 } else { 0.35 };
            painter.line_segment(
                [w[0].0, w[1].0],
                Stroke::new(1.0, faint.gamma_multiply(alpha)),
            );
        }
    }
    for (name, axis) in [
        ("head", glam::DVec3::Z),
        ("left", glam::DVec3::Y),
        ("front", glam::DVec3::X),
    ] {
        let (p, front) = screen_pos(rect, rot, Viewpoint::from_vector(axis));
        let p = c + (p - c) * 1.12;
        let color = faint.gamma_multiply(if front { 1.6 } else { 0.8 });
        painter.text(
            p,
            egui::Align2::CENTER_CENTER,
            name,
            egui::FontId::proportional(10.0),
            color,
        );
    }
    let mut points = state.lead_points();
    // Far points first, so near ones are painted over them.
    points.sort_by(|a, b| {
        let za = to_camera(rot, a.1.unit_vector()).z;
        za.total_cmp(&to_camera(rot, b.1.unit_vector()).z)
    });
    for (name, v, recorded) in points {
        let (p, front) = screen_pos(rect, rot, v);
        let input = state.inputs.iter().any(|n| n == &name);
        let fade = if front { 1.0 } else { 0.3 };
        let mut label = visuals.text_color();
        if is_extra_lead(&name) && !recorded {
            // Hollow: a view no electrode of this record saw, only ever synthesized.
            painter.circle_stroke(p, 4.0, Stroke::new(2.0, EXTRA_COLOR.gamma_multiply(fade)));
            label = EXTRA_COLOR;
        } else {
            let (radius, fill) = match (input, recorded) {
                (true, _) => (5.5, Color32::from_rgb(255, 160, 40)),
                (false, true) => (4.0, visuals.strong_text_color()),
                (false, false) => (3.5, visuals.weak_text_color()),
            };
            painter.circle_filled(p, radius, fill.gamma_multiply(fade));
        }
        painter.text(
            p + Vec2::new(7.0, -7.0),
            egui::Align2::LEFT_BOTTOM,
            &name,
            egui::FontId::proportional(11.0),
            label.gamma_multiply(fade),
        );
    }
    let (h, front) = screen_pos(rect, rot, state.viewpoint);
    let red = Color32::from_rgb(230, 50, 60);
    painter.line_segment(
        [c, h],
        Stroke::new(1.5, red.gamma_multiply(if front { 0.9 } else { 0.3 })),
    );
    painter.circle(
        h,
        7.0,
        red.gamma_multiply(if front { 1.0 } else { 0.4 }),
        Stroke::new(2.0, Color32::WHITE),
    );
}
