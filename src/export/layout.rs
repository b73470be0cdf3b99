//! Page layout in millimetres. Every edge and every baseline falls on a 5 mm major grid line,
//! so strips start on the paper's big squares as a cardiologist expects.

use super::{Figure, check_trace};
use crate::error::{Error, Result};

/// White border around the paper.
pub(crate) const MARGIN: f64 = 5.0;
/// Height of the title block above the paper.
pub(crate) const HEADER: f64 = 15.0;
/// Space between strips side by side.
pub(crate) const COLUMN_GAP: f64 = 5.0;
/// Room above a trace for the strip's label.
pub(crate) const LABEL_BAND: f64 = 5.0;
/// Height of one legend line (main trace or overlay) under the label.
pub(crate) const LEGEND_LINE: f64 = 3.5;
/// Font sizes in mm.
pub(crate) const TITLE_FONT: f64 = 5.0;
/// Font size of the subtitle and the printed scale.
pub(crate) const SUBTITLE_FONT: f64 = 3.5;
/// Pages beyond this size (mm) are refused: no printer or viewer handles them.
const MAX_SIDE_MM: f64 = 100_000.0;

/// Where everything goes on the page.
#[derive(Debug, Clone)]
pub(crate) struct Layout {
    /// Page width in mm (a whole number).
    pub width: f64,
    /// Page height in mm (a whole number).
    pub height: f64,
    /// Width of the calibration pulse's slot at the start of each strip.
    pub cal_width: f64,
    /// Width of one strip including its calibration slot.
    pub column_width: f64,
    /// Strips per row actually used.
    pub columns: usize,
    /// Time at the left edge of each column's traces.
    pub column_t0: Vec<f64>,
    /// Time shown by every strip.
    pub span_s: f64,
    /// Rows, top to bottom.
    pub rows: Vec<Row>,
}

/// Vertical placement of one row of strips.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Row {
    /// Top edge of the row.
    pub top: f64,
    /// Where 0 mV lies.
    pub baseline: f64,
    /// Bottom edge of the row.
    pub bottom: f64,
    /// Legend lines under the labels (0 when no strip of the row has overlays).
    pub legend_lines: usize,
}

/// Width and height in mm of the page a figure is drawn on.
pub fn paper_size_mm(fig: &Figure) -> Result<(f64, f64)> {
    let l = Layout::of(fig)?;
    Ok((l.width, l.height))
}

impl Layout {
    /// Lay out a figure, or say why it cannot be drawn.
    pub fn of(fig: &Figure) -> Result<Self> {
        validate(fig)?;
        let mps = fig.mm_per_s;
        let mpv = fig.mm_per_mv;
        let columns = fig.columns.min(fig.panels.len());
        let n_rows = fig.panels.len().div_ceil(columns);

        let mut column_t0 = vec![f64::INFINITY; columns];
        let mut column_t1 = vec![f64::NEG_INFINITY; columns];
        for (i, p) in fig.panels.iter().enumerate() {
            let c = i % columns;
            for t in std::iter::once(&p.trace).chain(&p.overlays) {
                column_t0[c] = column_t0[c].min(t.t0);
                column_t1[c] = column_t1[c].max(t.end_s());
            }
        }
        let span_s = column_t0
            .iter()
            .zip(&column_t1)
            .map(|(a, b)| b - a)
            .fold(0.0, f64::max);

        let cal_width = ceil5(CAL_LEAD_IN + 0.2 * mps + CAL_TAIL);
        let column_width = ceil5(cal_width + span_s * mps + 2.0).max(cal_width + 10.0);
        let plot_width = columns as f64 * column_width + (columns - 1) as f64 * COLUMN_GAP;

        let mut rows = Vec::with_capacity(n_rows);
        let mut top = MARGIN + HEADER;
        for r in 0..n_rows {
            let panels = &fig.panels[r * columns..((r + 1) * columns).min(fig.panels.len())];
            // The calibration pulse rises 1 mV above the baseline.
            let (mut hi, mut lo) = (1.0f64, 0.0f64);
            let mut legend_lines = 0;
            for p in panels {
                for t in std::iter::once(&p.trace).chain(&p.overlays) {
                    for &v in t.samples.iter().filter(|v| v.is_finite()) {
                        hi = hi.max(v);
                        lo = lo.min(v);
                    }
                }
                if !p.overlays.is_empty() {
                    legend_lines = legend_lines.max(1 + p.overlays.len());
                }
            }
            let head = LABEL_BAND + legend_lines as f64 * LEGEND_LINE + 1.0;
            let baseline = top + ceil5(head + hi * mpv);
            let bottom = baseline + ceil5(-lo * mpv + 2.0);
            rows.push(Row {
                top,
                baseline,
                bottom,
                legend_lines,
            });
            top = bottom;
        }

        let header_width = header_text_width(fig);
        let width = 2.0 * MARGIN + ceil5(plot_width.max(header_width));
        let height = top + MARGIN;
        if width > MAX_SIDE_MM || height > MAX_SIDE_MM {
            return Err(Error::Invalid(format!(
                "the figure would be {:.1} m × {:.1} m: shorten the traces or lower the paper speed",
                width / 1000.0,
                height / 1000.0
            )));
        }
        Ok(Self {
            width,
            height,
            cal_width,
            column_width,
            columns,
            column_t0,
            span_s,
            rows,
        })
    }

    /// Left edge of column `c`.
    pub fn column_left(&self, c: usize) -> f64 {
        MARGIN + c as f64 * (self.column_width + COLUMN_GAP)
    }

    /// Top of the paper grid (below the header).
    pub fn paper_top(&self) -> f64 {
        MARGIN + HEADER
    }
}

/// Blank paper before the calibration pulse rises.
pub(crate) const CAL_LEAD_IN: f64 = 1.0;
/// Blank paper after it falls, before the trace starts.
const CAL_TAIL: f64 = 2.0;

/// Round up to the next multiple of 5 mm (with a little slack against float noise).
fn ceil5(mm: f64) -> f64 {
    (mm / 5.0 - 1e-9).ceil().max(0.0) * 5.0
}

/// The printed scale, e.g. "25 mm/s · 10 mm/mV".
pub(crate) fn scale_text(fig: &Figure) -> String {
    let mut s = String::new();
    super::number::push_fixed(&mut s, fig.mm_per_s, 2);
    s.push_str(" mm/s · ");
    super::number::push_fixed(&mut s, fig.mm_per_mv, 2);
    s.push_str(" mm/mV");
    s
}

/// A generous estimate of text width in DejaVu Sans (about 0.6 em per character).
pub(crate) fn text_width(text: &str, font_mm: f64) -> f64 {
    0.62 * font_mm * text.chars().count() as f64
}

/// Font size of the band key in the header.
pub(crate) const KEY_FONT: f64 = 2.8;

/// The distinct bands of a figure (by name and colour), in order of first appearance: the
/// header's key, which names bands too narrow to carry their name in the strip.
pub(crate) fn band_keys(fig: &Figure) -> Vec<(&str, [u8; 3])> {
    let mut keys: Vec<(&str, [u8; 3])> = Vec::new();
    for b in fig.panels.iter().flat_map(|p| &p.bands) {
        if !keys.contains(&(b.label.as_str(), b.rgb)) {
            keys.push((b.label.as_str(), b.rgb));
        }
    }
    if fig.panels.iter().any(|p| !p.heat.is_empty()) {
        let [r, g, b, _] = super::heat::heat_rgba(super::heat::HEAT_FULL).unwrap_or_default();
        keys.push((HEAT_KEY, [r, g, b]));
    }
    keys
}

/// The heat band's entry in the key.
pub(crate) const HEAT_KEY: &str = "anomaly (above the 80 % band)";

/// Width of one key entry: a swatch, the name, and a gap.
pub(crate) fn key_width(label: &str) -> f64 {
    3.6 + text_width(label, KEY_FONT) + 2.5
}

/// Room the header needs: the title or subtitle on the left, the scale and band key on the right.
fn header_text_width(fig: &Figure) -> f64 {
    let left = text_width(&fig.title, TITLE_FONT).max(text_width(&fig.subtitle, SUBTITLE_FONT));
    let key: f64 = band_keys(fig).iter().map(|(l, _)| key_width(l)).sum();
    left + 10.0 + text_width(&scale_text(fig), SUBTITLE_FONT).max(key)
}

fn validate(fig: &Figure) -> Result<()> {
    if fig.panels.is_empty() {
        return Err(Error::Invalid(
            "the figure has no panels: nothing to draw".into(),
        ));
    }
    if fig.columns == 0 {
        return Err(Error::Invalid(
            "the figure has 0 columns: it needs at least one".into(),
        ));
    }
    for (name, v) in [("mm/s", fig.mm_per_s), ("mm/mV", fig.mm_per_mv)] {
        if !(v.is_finite() && v > 0.0) {
            return Err(Error::Invalid(format!(
                "invalid scale {v} {name} (it must be a positive number)"
            )));
        }
    }
    for (i, p) in fig.panels.iter().enumerate() {
        let what = format!("panel {} ({:?})", i + 1, p.label);
        check_trace(&p.trace, &what)?;
        for o in &p.overlays {
            check_trace(o, &format!("{what}, overlay {:?}", o.label))?;
        }
        if !p.heat.is_empty() && p.heat.len() != p.trace.samples.len() {
            return Err(Error::Invalid(format!(
                "{what}: {} anomaly scores for {} samples (one per sample)",
                p.heat.len(),
                p.trace.samples.len()
            )));
        }
        for b in &p.bands {
            if !(b.start_s.is_finite() && b.end_s.is_finite() && b.start_s <= b.end_s) {
                return Err(Error::Invalid(format!(
                    "{what}, band {:?}: invalid span {} s to {} s",
                    b.label, b.start_s, b.end_s
                )));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::{Panel, Trace};

    fn panel(seconds: f64, amplitude: f64) -> Panel {
        let n = (seconds * 500.0) as usize + 1;
        let samples = (0..n)
            .map(|i| amplitude * (i as f64 * 0.01).sin())
            .collect();
        Panel::new("II", Trace::new("II", samples, 500.0))
    }

    #[test]
    fn edges_and_baselines_sit_on_major_lines() {
        let fig = Figure::new("r", vec![panel(10.0, 1.5), panel(10.0, 0.4)]);
        let l = Layout::of(&fig).unwrap();
        let on5 = |v: f64| ((v - MARGIN) / 5.0).fract().abs() < 1e-9;
        assert!(on5(l.width) && on5(l.column_width + MARGIN));
        for r in &l.rows {
            assert!(on5(r.top) && on5(r.baseline) && on5(r.bottom));
            assert!(r.baseline - r.top >= 15.0 + LABEL_BAND);
        }
        // 10 s at 25 mm/s is 250 mm of trace after the calibration slot.
        assert!(l.column_width >= 250.0 + l.cal_width);
    }

    #[test]
    fn grid_of_24_has_4_rows_of_6() {
        let fig = Figure {
            columns: 6,
            ..Figure::new("r", (0..24).map(|_| panel(0.8, 1.0)).collect())
        };
        let l = Layout::of(&fig).unwrap();
        assert_eq!((l.columns, l.rows.len()), (6, 4));
    }
}
