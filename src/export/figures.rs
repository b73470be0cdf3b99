//! The figures the app exports, laid out from plain data: the synthesized view (cycle or
//! strip) with the nearest recorded lead, the grid of views of one cycle, and the annotated
//! record. The app and `ecg-panorama figure` both build their figures here, so a figure looks
//! the same whichever made it.

use super::{Band, Figure, Panel, Trace};
use crate::geometry::Viewpoint;
use crate::panorama::EngineKind;
use crate::record::Record;
use crate::signal::detrend;

/// The six deflections of a cycle, in order, with their display colours.
pub const DEFLECTIONS: [(&str, [u8; 3]); 6] = [
    ("P", [230, 120, 120]),
    ("PR", [200, 200, 200]),
    ("QRS", [110, 140, 235]),
    ("ST", [220, 220, 160]),
    ("T", [120, 200, 130]),
    ("TP", [235, 235, 235]),
];

/// A viewpoint in words, e.g. "θ 60° φ −120°".
pub fn angles(v: Viewpoint) -> String {
    let (t, p) = v.degrees();
    format!("θ {t:.0}° φ {p:.0}°")
}

/// The band's label in legends, e.g. "80 % band".
pub fn band_label(level: f64) -> String {
    format!("{:.0} % band", 100.0 * level)
}

/// The engine's name as shown to users.
pub fn engine_name(kind: EngineKind) -> &'static str {
    match kind {
        EngineKind::NefNet => "Nef-Net",
        EngineKind::Dipole => "Dipole",
    }
}

/// One synthesized cycle: its first sample and one signal per view (mV).
#[derive(Debug, Clone, PartialEq)]
pub struct Segment {
    /// Absolute sample of the cycle's P onset.
    pub start: usize,
    /// One signal per view.
    pub signals: Vec<Vec<f64>>,
    /// Half-widths (mV) of each view's confidence band, when asked for and the engine has one.
    pub bands: Option<Vec<Vec<f64>>>,
}

/// Views synthesized cycle by cycle: what the view and grid figures are drawn from.
#[derive(Debug, Clone, Copy)]
pub struct Synthesized<'a> {
    /// The viewpoints, in the order of each segment's signals.
    pub views: &'a [Viewpoint],
    /// The synthesized cycles.
    pub segments: &'a [Segment],
    /// The band's level, when the segments carry bands.
    pub band: Option<f64>,
}

/// Deflection bands `(start, end, index into DEFLECTIONS)` clipped to samples `a..b`.
pub fn deflection_bands(spans: &[(usize, usize, usize)], a: usize, b: usize, fs: f64) -> Vec<Band> {
    spans
        .iter()
        .filter(|&&(_, _, k)| k < DEFLECTIONS.len())
        .map(|&(x, y, k)| Band {
            label: DEFLECTIONS[k].0.to_string(),
            start_s: x.max(a) as f64 / fs,
            end_s: y.min(b) as f64 / fs,
            rgb: DEFLECTIONS[k].1,
        })
        .collect()
}

/// Signals of view `view` stitched over the span of the cycles (NaN between them):
/// (first sample, samples).
fn stitch(s: &Synthesized, view: usize) -> Option<(usize, Vec<f64>)> {
    let start = s.segments.iter().map(|g| g.start).min()?;
    let end = s
        .segments
        .iter()
        .map(|g| g.start + g.signals.get(view).map_or(0, Vec::len))
        .max()?;
    let mut v = vec![f64::NAN; end - start];
    for g in s.segments {
        let x = g.signals.get(view)?;
        v[g.start - start..g.start - start + x.len()].copy_from_slice(x);
    }
    Some((start, v))
}

/// The band's lower and upper limits around `x` (a view's samples from `start`), when the
/// segments carry bands: the same stitching as [`stitch`], as two traces named after `label`.
fn band_traces(
    s: &Synthesized,
    view: usize,
    start: usize,
    x: &[f64],
    label: &str,
    fs: f64,
) -> Vec<Trace> {
    let Some(level) = s.band else {
        return Vec::new();
    };
    let mut h = vec![f64::NAN; x.len()];
    for g in s.segments {
        let Some(w) = g.bands.as_ref().and_then(|b| b.get(view)) else {
            return Vec::new();
        };
        let Some(dst) = h.get_mut(g.start - start..g.start - start + w.len()) else {
            return Vec::new();
        };
        dst.copy_from_slice(w);
    }
    let name = band_label(level);
    [("lower", -1.0), ("upper", 1.0)]
        .into_iter()
        .map(|(side, sign)| {
            let v = x.iter().zip(&h).map(|(v, w)| v + sign * w).collect();
            Trace::new(format!("{label} {name} {side}"), v, fs).starting_at(start as f64 / fs)
        })
        .collect()
}

/// The first synthesized view over its cycles, with its band and the recorded lead `nearest`
/// (name, angle in rad) detrended cycle by cycle as the engine's inputs are; `None` when
/// nothing was synthesized. `bands(a, b)` gives the deflection bands of samples `a..b`.
pub fn view_figure(
    record: &Record,
    method: &str,
    s: Synthesized,
    nearest: Option<(String, f64)>,
    bands: &dyn Fn(usize, usize) -> Vec<Band>,
) -> Option<(Figure, Vec<Trace>)> {
    let fs = record.fs;
    let (start, samples) = stitch(&s, 0)?;
    let end = start + samples.len();
    let label = angles(*s.views.first()?);
    let limits = band_traces(&s, 0, start, &samples, "synth", fs);
    let trace = Trace::new(format!("synth {label}"), samples, fs).starting_at(start as f64 / fs);
    let mut panel = Panel::new(label.clone(), trace.clone());
    panel.overlays.extend(limits.iter().cloned());
    let mut subtitle = format!("{method}; viewpoint {label}");
    if let Some((name, angle)) = nearest
        && let Some(lead) = record.lead(&name)
    {
        let mut v = vec![f64::NAN; end - start];
        for seg in s.segments {
            let n = seg.signals.first().map_or(0, Vec::len);
            let Some(x) = lead.samples.get(seg.start..seg.start + n) else {
                continue;
            };
            v[seg.start - start..seg.start - start + n].copy_from_slice(&detrend(x));
        }
        panel
            .overlays
            .push(Trace::new(format!("{name} recorded"), v, fs).starting_at(start as f64 / fs));
        subtitle += &format!(
            "; nearest recorded lead {name} ({:.0}° away)",
            angle.to_degrees()
        );
    }
    panel.bands = bands(start, end);
    if let Some(level) = s.band.filter(|_| !limits.is_empty()) {
        subtitle += &format!("; {} (calibrated on held-out records)", band_label(level));
    }
    let mut fig = Figure::new(record.name.clone(), vec![panel]);
    fig.subtitle = subtitle;
    let mut traces = vec![trace];
    traces.extend(limits);
    Some((fig, traces))
}

/// Every view of the first synthesized cycle (cycle `cycle` of `count`), 6 per row for the
/// 24-view panorama grid, else 8; `None` when nothing was synthesized.
pub fn grid_figure(
    record_name: &str,
    fs: f64,
    method: &str,
    s: Synthesized,
    cycle: usize,
    count: usize,
) -> Option<(Figure, Vec<Trace>)> {
    let seg = s.segments.first()?;
    let traces: Vec<Trace> = s
        .views
        .iter()
        .zip(&seg.signals)
        .map(|(v, x)| {
            let (t, p) = v.degrees();
            Trace::new(format!("theta{t:.0}_phi{p:.0}"), x.clone(), fs)
                .starting_at(seg.start as f64 / fs)
        })
        .collect();
    let limits: Vec<Vec<Trace>> = traces
        .iter()
        .enumerate()
        .map(|(i, t)| band_traces(&s, i, seg.start, &t.samples, &t.label, fs))
        .collect();
    let panels = s
        .views
        .iter()
        .zip(&traces)
        .zip(&limits)
        .map(|((v, t), l)| {
            let mut p = Panel::new(angles(*v), t.clone());
            p.overlays.extend(l.iter().cloned());
            p
        })
        .collect();
    let traces: Vec<Trace> = traces
        .into_iter()
        .zip(limits)
        .flat_map(|(t, l)| std::iter::once(t).chain(l))
        .collect();
    let mut fig = Figure::new(record_name.to_string(), panels);
    fig.columns = if s.views.len() == 24 && s.views[0].theta == 0.0 {
        6
    } else {
        8
    };
    fig.subtitle = format!("{method}; cycle {} of {count}", cycle + 1);
    Some((fig, traces))
}

/// The record's leads that `shown` keeps, 10 s from `t0_s`, each strip with the deflection
/// bands `bands_of(lead, a, b)` gives for samples `a..b`; `None` for a record without samples.
pub fn record_figure(
    record: &Record,
    t0_s: f64,
    shown: &dyn Fn(&str) -> bool,
    bands_of: &dyn Fn(&str, usize, usize) -> Vec<Band>,
    subtitle: String,
) -> Option<(Figure, Vec<Trace>)> {
    let fs = record.fs;
    let a = ((t0_s.max(0.0) * fs) as usize).min(record.len().checked_sub(1)?);
    let b = (a + (10.0 * fs) as usize).min(record.len());
    let traces: Vec<Trace> = record
        .leads
        .iter()
        .filter(|l| shown(&l.name))
        .map(|l| {
            Trace::new(l.name.clone(), l.samples[a..b].to_vec(), fs).starting_at(a as f64 / fs)
        })
        .collect();
    let panels = traces
        .iter()
        .map(|t| {
            let mut p = Panel::new(t.label.clone(), t.clone());
            p.bands = bands_of(&t.label, a, b);
            p
        })
        .collect();
    let mut fig = Figure::new(record.name.clone(), panels);
    fig.subtitle = subtitle;
    Some((fig, traces))
}

/// Put each strip's stretch of its lead's anomaly scores (`heat_of(lead)`, one per record
/// sample at `fs`) under it; strips of leads without a map keep none.
pub fn attach_heat<'a>(fig: &mut Figure, fs: f64, heat_of: &dyn Fn(&str) -> Option<&'a [f64]>) {
    for p in &mut fig.panels {
        let Some(h) = heat_of(&p.label) else { continue };
        let a = (p.trace.t0 * fs).round().max(0.0) as usize;
        let b = a + p.trace.samples.len();
        if b <= h.len() {
            p.heat = h[a..b].to_vec();
        }
    }
}
