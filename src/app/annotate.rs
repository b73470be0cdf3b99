//! The annotator on the record view: boundary marks drawn on the paper, dragged with the
//! mouse, set with the keys 1–6 at the cursor, deleted, cycles added and removed, undo/redo;
//! on the cycles or, per the boundary mode, on a lead's own boundaries.

use super::boundary_mode::BoundaryMode;
use super::paper::Geometry;
use super::state::AppState;
use crate::delineate::edit::{AnnotationDoc, BoundaryKind, Target};
use eframe::egui;
use egui::{Color32, Key, Modifiers, Stroke};

/// Pointer distance (points) within which a boundary is grabbed.
const GRAB: f32 = 6.0;

/// The annotator's bar: which boundaries are shown and edited, where they came from, edit
/// buttons.
pub fn bar(ui: &mut egui::Ui, state: &mut AppState) {
    let target = state.edit_target();
    let leads: Vec<String> = state
        .annotations
        .iter()
        .flat_map(|a| a.leads.leads().iter().map(|l| l.name().lead.clone()))
        .collect();
    let Some(a) = state.annotations.as_mut() else {
        ui.label("Cycles: being found…");
        return;
    };
    ui.horizontal_wrapped(|ui| {
        mode_combo(ui, &mut state.boundaries, &leads);
        let cycles = a.doc.cycles().len();
        let is_cycles = |name: &str| a.leads.get(name).is_some_and(|l| l.doc().is_none());
        let lead_text = match &target {
            Some(Target::Lead(name)) if is_cycles(name) => {
                format!("lead {name} (its file is the cycles': edits change the cycles)")
            }
            Some(Target::Lead(name)) => format!("lead {name}"),
            _ => String::new(),
        };
        let doc = target.as_ref().and_then(|t| a.doc_for_mut(t));
        let what = match (&target, &doc) {
            (Some(Target::Cycles), _) => format!("{cycles} cycles"),
            (Some(Target::Lead(_)), Some(_)) => lead_text,
            (Some(Target::Lead(name)), None) => format!("this record has no lead {name}"),
            (None, _) => "point at a lead to edit its boundaries".into(),
        };
        let Some(doc) = doc else {
            ui.label(what);
            return;
        };
        let edited = if doc.is_dirty() { " (edited, not saved)" } else { "" };
        ui.label(format!("{what}, from {}{edited}", doc.origin()));
        ui.separator();
        if ui.add_enabled(doc.can_undo(), egui::Button::new("Undo")).on_hover_text("Ctrl+Z").clicked() {
            doc.undo();
        }
        if ui.add_enabled(doc.can_redo(), egui::Button::new("Redo")).on_hover_text("Ctrl+Shift+Z").clicked() {
            doc.redo();
        }
        ui.weak("Keys at the cursor: 1 P on, 2 P off, 3 QRS on, 4 QRS off, 5 T on, 6 T off, Del delete, A add cycle, R remove cycle; drag a boundary to move it.");
    });
}

/// The boundary mode's combo box: the cycles, the lead under the cursor, or one of `leads`.
fn mode_combo(ui: &mut egui::Ui, mode: &mut BoundaryMode, leads: &[String]) {
    egui::ComboBox::new("boundary_mode", "Boundaries")
        .selected_text(mode.label())
        .show_ui(ui, |ui| {
            let fixed = [BoundaryMode::Cycles, BoundaryMode::UnderCursor];
            let each = leads.iter().map(|l| BoundaryMode::Lead(l.clone()));
            for m in fixed.into_iter().chain(each) {
                let label = m.label();
                ui.selectable_value(mode, m, label);
            }
        })
        .response
        .on_hover_text("Whose boundaries are drawn and edited: the cycles the panorama uses, or a lead's own (LUDB keeps one file per lead)");
}

/// Handle edits on the paper (`rows`: the lead of each row); true while a boundary is being
/// dragged (no caliper then).
pub fn interact(
    ui: &egui::Ui,
    response: &egui::Response,
    geo: &Geometry,
    rows: &[String],
    state: &mut AppState,
) -> bool {
    let cursor = state.cursor;
    let id = response.id.with("moving_mark");
    let tolerance = (GRAB / geo.px_per_s * geo.fs as f32).ceil() as usize;
    if response.drag_started_by(egui::PointerButton::Primary)
        && let Some(origin) = ui.input(|i| i.pointer.press_origin())
    {
        // The drag stays on the document it started on, whichever strip the pointer crosses.
        let lead = geo.row_at(origin.y).and_then(|r| rows.get(r));
        let target = state.boundaries.target(lead.map(String::as_str));
        let grabbed = target.and_then(|t| {
            let doc = state.annotations.as_ref()?.doc_for(&t)?;
            Some((t, doc.nearest(geo.sample(origin.x), tolerance)?))
        });
        if let Some(grabbed) = grabbed {
            ui.data_mut(|d| d.insert_temp(id, grabbed));
        }
    }
    let moving = ui.data(|d| d.get_temp::<(Target, usize)>(id));
    let Some(a) = state.annotations.as_mut() else {
        return false;
    };
    if let Some((target, i)) = &moving
        && let Some(doc) = a.doc_for_mut(target)
    {
        if let Some(pos) = response.interact_pointer_pos() {
            doc.move_mark(
                *i,
                geo.sample(pos.x).min(doc.record_len().saturating_sub(1)),
            );
        }
        if !response.dragged() {
            doc.finish_drag();
            ui.data_mut(|d| d.remove::<(Target, usize)>(id));
        }
    }
    let target = state.boundaries.target(state.hover_lead.as_deref());
    if !ui.ctx().egui_wants_keyboard_input()
        && let Some(doc) = target.and_then(|t| a.doc_for_mut(&t))
    {
        keys(ui, doc, cursor, geo);
    }
    moving.is_some()
}

fn keys(ui: &egui::Ui, doc: &mut AnnotationDoc, cursor: Option<usize>, geo: &Geometry) {
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

/// Draw every boundary in view as a labelled vertical line: the cycles' across the paper, or
/// in a per-lead mode each lead's own on its strip (`rows`: the lead of each row), labelled on
/// the strip being edited.
pub fn paint_marks(ui: &egui::Ui, geo: &Geometry, rows: &[String], state: &AppState) {
    let Some(a) = &state.annotations else {
        return;
    };
    let painter = ui.painter_at(geo.rect);
    if !state.boundaries.per_lead() {
        paint_doc(&painter, geo, &a.doc, geo.rect.y_range(), true);
        return;
    }
    let edited = state.edit_target();
    for (r, lead) in rows.iter().enumerate() {
        let target = state.boundaries.strip_target(lead);
        if let Some(doc) = a.doc_for(&target) {
            let labelled = edited.as_ref() == Some(&target);
            paint_doc(&painter, geo, doc, geo.row_span(r), labelled);
        }
    }
}

/// One document's marks over the screen y range `ys`; labelled ones are drawn stronger.
fn paint_doc(
    painter: &egui::Painter,
    geo: &Geometry,
    doc: &AnnotationDoc,
    ys: egui::Rangef,
    labelled: bool,
) {
    let vis = geo.visible();
    let color = Color32::from_rgb(90, 60, 140);
    let alpha = if labelled { 0.6 } else { 0.3 };
    // A name is drawn only where it clears the last one drawn; hovering a mark names it.
    let mut free_from = f32::NEG_INFINITY;
    for m in doc.marks() {
        if !vis.contains(&m.sample) {
            continue;
        }
        let x = geo.x(m.sample);
        painter.vline(x, ys, Stroke::new(1.0, color.gamma_multiply(alpha)));
        if labelled && x + 2.0 >= free_from {
            let galley = painter.layout_no_wrap(
                m.kind.label().to_string(),
                egui::FontId::proportional(9.0),
                color,
            );
            free_from = x + 2.0 + galley.size().x + LABEL_GAP;
            painter.galley(egui::pos2(x + 2.0, ys.min + 2.0), galley, color);
        }
    }
    if labelled {
        paint_beat_names(painter, geo, doc, ys);
    }
}

/// The letter of each beat the annotator's rhythm rules named ("V" ventricular ectopic, "AF"
/// in fibrillation) at its QRS onset, on the line below the boundary names; one that would
/// overprint the last drawn is left for the tooltip.
fn paint_beat_names(
    painter: &egui::Painter,
    geo: &Geometry,
    doc: &AnnotationDoc,
    ys: egui::Rangef,
) {
    let vis = geo.visible();
    let color = Color32::from_rgb(190, 40, 40);
    let mut free_from = f32::NEG_INFINITY;
    for (qrs_on, rhythm) in doc.named_beats() {
        if !vis.contains(&qrs_on) {
            continue;
        }
        let x = geo.x(qrs_on);
        if x < free_from {
            continue;
        }
        let galley = painter.layout_no_wrap(
            rhythm.letter().to_string(),
            egui::FontId::proportional(11.0),
            color,
        );
        free_from = x + galley.size().x + LABEL_GAP;
        painter.galley(egui::pos2(x + 2.0, ys.min + NAME_LINE), galley, color);
    }
}

/// Height of the line of boundary names at the top of a strip, points.
const NAME_LINE: f32 = 13.0;

/// Room left between two boundary names, points.
const LABEL_GAP: f32 = 3.0;

/// The name and time of the boundary within grab distance of `pos` on the strip under it
/// (the cycles' marks, or per the boundary mode the lead's own), for a tooltip.
pub fn mark_at(
    geo: &Geometry,
    rows: &[String],
    state: &AppState,
    pos: egui::Pos2,
) -> Option<String> {
    let lead = geo.row_at(pos.y).and_then(|r| rows.get(r));
    let target = if state.boundaries.per_lead() {
        state.boundaries.strip_target(lead?)
    } else {
        Target::Cycles
    };
    let doc = state.annotations.as_ref()?.doc_for(&target)?;
    let tolerance = (GRAB / geo.px_per_s * geo.fs as f32).ceil() as usize;
    let m = doc.marks()[doc.nearest(geo.sample(pos.x), tolerance)?];
    Some(format!(
        "{} at {:.3} s",
        m.kind.label(),
        m.sample as f64 / geo.fs
    ))
}
