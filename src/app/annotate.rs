//! The annotator on the record view: boundary marks drawn on the paper, dragged with the
//! mouse, set with the keys 1–6 at the cursor, deleted, cycles added and removed, undo/redo.

use super::paper::Geometry;
use super::state::AppState;
use crate::delineate::edit::BoundaryKind;
use eframe::egui;
use egui::{Color32, Key, Modifiers, Stroke};

/// Pointer distance (points) within which a boundary is grabbed.
const GRAB: f32 = 6.0;

/// The annotator's bar: where the boundaries came from, edit buttons.
pub fn bar(ui: &mut egui::Ui, state: &mut AppState) {
    let Some(a) = state.annotations.as_mut() else {
        ui.label("Cycles: being found…");
        return;
    };
    ui.horizontal_wrapped(|ui| {
        ui.label(format!("{} cycles, from {}{}", a.cycles().len(), a.source(), if a.is_dirty() { " (edited, not saved)" } else { "" }));
        ui.separator();
        if ui.add_enabled(a.doc.can_undo(), egui::Button::new("Undo")).on_hover_text("Ctrl+Z").clicked() {
            a.doc.undo();
        }
        if ui.add_enabled(a.doc.can_redo(), egui::Button::new("Redo")).on_hover_text("Ctrl+Shift+Z").clicked() {
            a.doc.redo();
        }
        ui.weak("Keys at the cursor: 1 P on, 2 P off, 3 QRS on, 4 QRS off, 5 T on, 6 T off, Del delete, A add cycle, R remove cycle; drag a boundary to move it.");
    });
}

/// Handle edits on the paper; true while a boundary is being dragged (no caliper then).
pub fn interact(
    ui: &egui::Ui,
    response: &egui::Response,
    geo: &Geometry,
    state: &mut AppState,
) -> bool {
    let cursor = state.cursor;
    let Some(a) = state.annotations.as_mut() else {
        return false;
    };
    let doc = &mut a.doc;
    let id = response.id.with("moving_mark");
    let tolerance = (GRAB / geo.px_per_s * geo.fs as f32).ceil() as usize;
    if response.drag_started_by(egui::PointerButton::Primary)
        && let Some(origin) = ui.input(|i| i.pointer.press_origin())
        && let Some(i) = doc.nearest(geo.sample(origin.x), tolerance)
    {
        ui.data_mut(|d| d.insert_temp(id, i));
    }
    let moving = ui.data(|d| d.get_temp::<usize>(id));
    if let Some(i) = moving {
        if let Some(pos) = response.interact_pointer_pos() {
            doc.move_mark(i, geo.sample(pos.x).min(doc.record_len().saturating_sub(1)));
        }
        if !response.dragged() {
            doc.finish_drag();
            ui.data_mut(|d| d.remove::<usize>(id));
        }
    }
    if !ui.ctx().egui_wants_keyboard_input() {
        keys(ui, doc, cursor, geo);
    }
    moving.is_some()
}

fn keys(
    ui: &egui::Ui,
    doc: &mut crate::delineate::edit::AnnotationDoc,
    cursor: Option<usize>,
    geo: &Geometry,
) {
    let redo = ui.input_mut(|i| {
        i.consume_key(Modifiers::COMMAND | Modifiers::SHIFT, Key::Z)
            || i.consume_key(Modifiers::COMMAND, Key::Y)
    });
    if redo {
        doc.redo();
    }
    if ui.input_mut(|i| i.consume_key(Modifiers::COMMAND, Key::Z)) {
        doc.undo();
    }
    let Some(at) = cursor else { return };
    let pressed = |k: Key| ui.input(|i| i.key_pressed(k) && i.modifiers.is_none());
    let digits = [
        Key::Num1,
        Key::Num2,
        Key::Num3,
        Key::Num4,
        Key::Num5,
        Key::Num6,
    ];
    for (n, key) in digits.into_iter().enumerate() {
        if pressed(key)
            && let Some(kind) = BoundaryKind::from_key(n as u8 + 1)
        {
            doc.set(kind, at);
        }
    }
    if pressed(Key::Delete) || pressed(Key::Backspace) {
        let near = (0.04 * geo.fs).round() as usize;
        if let Some(i) = doc.nearest(at, near) {
            doc.delete(i);
        }
    }
    if pressed(Key::A) {
        doc.add_cycle(at);
    }
    if pressed(Key::R) {
        doc.remove_cycle(at);
    }
}

/// Draw every boundary in view as a labelled vertical line.
pub fn paint_marks(ui: &egui::Ui, geo: &Geometry, state: &AppState) {
    let Some(a) = &state.annotations else {
        return;
    };
    let painter = ui.painter_at(geo.rect);
    let vis = geo.visible();
    let color = Color32::from_rgb(90, 60, 140);
    for (k, m) in a.doc.marks().iter().enumerate() {
        if !vis.contains(&m.sample) {
            continue;
        }
        let x = geo.x(m.sample);
        painter.vline(
            x,
            geo.rect.y_range(),
            Stroke::new(1.0, color.gamma_multiply(0.6)),
        );
        painter.text(
            egui::pos2(x + 2.0, geo.rect.top() + 2.0 + 11.0 * (k % 2) as f32),
            egui::Align2::LEFT_TOP,
            m.kind.label(),
            egui::FontId::proportional(9.0),
            color,
        );
    }
}
