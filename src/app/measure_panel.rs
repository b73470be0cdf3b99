//! The measurements table beside the record: one row per cycle, the record's medians on top,
//! the current cycle highlighted; a click goes to that cycle. Recomputed only when the record
//! or its annotations change (keyed by their revision), never per frame.

use super::state::AppState;
use crate::delineate::gaps::Gaps;
use crate::measure::{
    CycleMeasures, LeadBeats, MeasureOptions, RecordMeasures, beats_from_marks, measure_record,
    with_rhythm,
};
use eframe::egui;

/// The record's measurements and what they were computed from.
#[derive(Debug, Clone, Default)]
pub struct MeasureCache {
    /// (record id, annotations' revision) the measurements belong to.
    key: Option<(u64, u64)>,
    /// The measurements; `None` before annotations exist.
    pub measures: Option<RecordMeasures>,
    /// How many times they were computed (the cache's work, for tests).
    pub computed: u64,
    /// Per cycle row, the leads without samples somewhere in its cycle ("no samples: V3").
    pub notes: Vec<String>,
    /// The record's leads with their stretches without samples (by record id: they change
    /// only with the record, not with edits).
    gaps: Option<(u64, Vec<(String, Gaps)>)>,
}

/// Bring `state.measures` up to date with the record and its annotations.
pub fn refresh(state: &mut AppState) {
    let (Some(record), Some(a)) = (&state.record, &state.annotations) else {
        state.measures = MeasureCache::default();
        return;
    };
    let key = Some((state.record_id, a.revision()));
    if state.measures.key == key {
        return;
    }
    let beats = with_rhythm(beats_from_marks(a.doc.marks()), &a.doc.named_beats());
    let leads: LeadBeats = a
        .leads
        .leads()
        .iter()
        .filter_map(|l| Some((l.name().lead.clone(), beats_from_marks(l.doc()?.marks()))))
        .collect();
    let m = measure_record(record, &beats, &leads, MeasureOptions::default());
    let gaps = match state.measures.gaps.take() {
        Some((id, g)) if id == state.record_id => g,
        _ => crate::delineate::gaps::per_lead(record),
    };
    // The doc's cycles are in time order: each row finds its cycle by bisection, so a day-long
    // Holter record's hundred thousand beats stay quick to note.
    let cycles = state.cycles();
    let notes = m
        .cycles
        .iter()
        .map(|c| {
            let k = cycles.partition_point(|b| b.p_on() <= c.qrs_on);
            let span = k
                .checked_sub(1)
                .map(|k| cycles[k])
                .filter(|b| c.qrs_on < b.next_p_on())
                .map_or(c.qrs_on..c.qrs_on + 1, |b| b.p_on()..b.next_p_on() + 1);
            let off: Vec<&str> = gaps
                .iter()
                .filter(|(_, g)| g.overlaps(span.clone()))
                .map(|(name, _)| name.as_str())
                .collect();
            let mut note: Vec<String> = c
                .rhythm
                .map(|r| r.label().to_string())
                .into_iter()
                .collect();
            if !off.is_empty() {
                note.push(format!("no samples: {}", off.join(", ")));
            }
            note.join("; ")
        })
        .collect();
    let computed = state.measures.computed + 1;
    state.measures = MeasureCache {
        key,
        measures: Some(m),
        computed,
        notes,
        gaps: Some((state.record_id, gaps)),
    };
}

fn ms(v: Option<f64>) -> String {
    v.map_or("–".into(), |x| format!("{x:.0}"))
}

/// The cells of one row after its name: RR, HR, P, PR, QRS, QT, QTc B, QTc F, axis.
pub fn cells(c: &CycleMeasures) -> [String; 9] {
    [
        ms(c.rr_ms),
        ms(c.hr_bpm),
        ms(c.p_ms),
        ms(c.pr_ms),
        ms(c.qrs_ms),
        ms(c.qt_ms),
        ms(c.qtc_bazett_ms),
        ms(c.qtc_fridericia_ms),
        c.axis
            .as_ref()
            .map_or("–".into(), |a| format!("{:.0}°", a.degrees)),
    ]
}

const HEADER: [&str; 11] = [
    "", "RR", "HR", "P", "PR", "QRS", "QT", "QTc B", "QTc F", "Axis", "Notes",
];

/// The cycle index (into [`AppState::cycles`]) holding sample `s`.
fn cycle_of(state: &AppState, s: usize) -> Option<usize> {
    state
        .cycles()
        .iter()
        .position(|c| c.p_on() <= s && s < c.next_p_on())
}

/// The panel's contents.
pub fn table(ui: &mut egui::Ui, state: &mut AppState) {
    ui.heading("Cycle measurements");
    let Some(m) = state.measures.measures.clone() else {
        ui.label("No cycles yet.");
        return;
    };
    let s = &m.summary;
    let med = |x: &Option<crate::measure::Stats>| ms(x.map(|s| s.median));
    let axis = s.axis.as_ref().map_or("–".into(), |a| {
        format!("{:.0}° {} ({})", a.degrees, a.category.label(), a.leads)
    });
    ui.label(format!(
        "Medians: HR {} bpm, PR {} ms, QRS {} ms, QT {} ms, QTc Bazett {} ms, QTc Fridericia {} ms",
        med(&s.hr_bpm),
        med(&s.pr_ms),
        med(&s.qrs_ms),
        med(&s.qt_ms),
        med(&s.qtc_bazett_ms),
        med(&s.qtc_fridericia_ms)
    ));
    // The category may disagree with the angle's textbook range (LUDB's readers call +20°
    // "left axis deviation"): the hover says how it was named.
    ui.label(format!("Axis: {axis}"))
        .on_hover_text(format!("Category {}", m.options.axis_category.describe()));
    ui.weak("ms; HR in bpm; QTc B/F: Bazett, Fridericia; – not measurable");
    let current = state
        .cycles()
        .get(state.cycle)
        .map(|c| c.p_on()..c.next_p_on());
    let notes = state.measures.notes.clone();
    let mut go = None;
    egui::ScrollArea::vertical().show(ui, |ui| {
        egui::Grid::new("measurements_grid")
            .striped(true)
            .num_columns(HEADER.len())
            .show(ui, |ui| {
                for h in HEADER {
                    ui.strong(h);
                }
                ui.end_row();
                for (i, c) in m.cycles.iter().enumerate() {
                    let here = current.as_ref().is_some_and(|r| r.contains(&c.qrs_on));
                    let name = egui::Button::selectable(here, format!("#{}", i + 1));
                    if ui.add(name).on_hover_text("Go to this cycle").clicked() {
                        go = Some(c.qrs_on);
                    }
                    for cell in cells(c) {
                        ui.label(cell);
                    }
                    // A long note ("ventricular ectopic beat; no samples: V3") runs on past
                    // the panel's edge instead of wrapping the row; it shows whole on hover.
                    let note = notes.get(i).map_or("", String::as_str);
                    let cell = ui.add(egui::Label::new(note).extend());
                    if !note.is_empty() {
                        cell.on_hover_text(note);
                    }
                    ui.end_row();
                }
            });
    });
    if let Some(s) = go {
        if let Some(k) = cycle_of(state, s) {
            state.cycle = k;
        }
        let fs = state.record.as_ref().map_or(500.0, |r| r.fs);
        state.paper.t0 = (s as f64 / fs - 0.5).max(0.0);
    }
}

/// The measurements of the cycle holding `sample`, as tooltip lines.
pub fn tooltip(state: &AppState, sample: usize) -> Option<String> {
    let m = state.measures.measures.as_ref()?;
    let k = m.cycle_at(sample)?;
    let v = cells(&m.cycles[k]);
    let mut text = format!(
        "RR {} ms  HR {} bpm\nP {} ms  PR {} ms  QRS {} ms\nQT {} ms  QTc Bazett {} ms  QTc Fridericia {} ms\nAxis {}",
        v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8]
    );
    if let Some(note) = state.measures.notes.get(k).filter(|n| !n.is_empty()) {
        text = format!("{text}\n{note}");
    }
    Some(text)
}
