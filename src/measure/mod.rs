//! Measurements a cardiologist reads first, per cycle and per record: RR and heart rate, P
//! duration, PR, QRS, QT, QTc (Bazett and Fridericia), the frontal-plane QRS axis with its
//! category, and the ST level at J + 60 ms in every lead.
//!
//! Data path: record → signal → delineate → **measure**; the app and the CLI only show what
//! [`measure_record`] returns. Boundaries come in as [`BeatMarks`] built from whichever source
//! a caller holds ([`beats_from_cycles`] for the annotator's flagged cycles,
//! [`beats_from_marks`] for an annotation document, [`beats_from_bounds`] for complete
//! cycles). A value that cannot be measured is `None`, never 0.

mod axis;
mod beats;
mod record;
mod source;
mod st;
mod stats;
#[cfg(test)]
mod tests;

pub use axis::{
    AXIS_CONVENTION, Axis, AxisCategory, AxisCategoryRule, AxisMethod, frontal_axis, lead_vector,
    read_category,
};
pub use beats::{
    BeatMarks, Span, beats_from_bounds, beats_from_cycles, beats_from_marks, with_rhythm,
};
pub use record::{
    CycleMeasures, Header, LeadSt, LeadStStats, MeasureOptions, RecordMeasures, Summary,
    measure_record,
};
pub use source::{
    BeatSource, LeadBeats, annotator_beats, lead_beats_beside, record_beats, record_beats_in,
};
pub use st::{J_OFFSET_S, st_level};
pub use stats::Stats;

/// Milliseconds between two samples at `fs` Hz; `None` unless `to` lies after `from`.
pub fn interval_ms(from: usize, to: usize, fs: f64) -> Option<f64> {
    (to > from && fs > 0.0).then(|| (to - from) as f64 * 1000.0 / fs)
}

/// QT corrected by Bazett (QT / √RR, RR in seconds), in ms.
pub fn qtc_bazett(qt_ms: f64, rr_ms: f64) -> Option<f64> {
    (qt_ms > 0.0 && rr_ms > 0.0).then(|| qt_ms / (rr_ms / 1000.0).sqrt())
}

/// QT corrected by Fridericia (QT / ∛RR, RR in seconds), in ms.
pub fn qtc_fridericia(qt_ms: f64, rr_ms: f64) -> Option<f64> {
    (qt_ms > 0.0 && rr_ms > 0.0).then(|| qt_ms / (rr_ms / 1000.0).cbrt())
}
