//! Calibrated ECG paper: 1 mm and 5 mm grid, 25 mm/s, 10 mm/mV, a 1 mV calibration pulse per
//! row, leads stacked and labelled, deflection bands behind them; pan and zoom in time.

use super::annotations::DEFLECTIONS;
use super::state::Paper;
use eframe::egui;
use egui::{Color32, Pos2, Rect, Response, Sense, Stroke, Vec2};

/// Paper speed, mm/s.
pub const MM_PER_S: f32 = 25.0;
/// Gain, mm/mV.
pub const MM_PER_MV: f32 = 10.0;
/// Height of one lead row, mm.
const ROW_MM: f32 = 20.0;
/// Width of the label and calibration column, points.
const LABEL_W: f32 = 56.0;

/// One row of the paper: a label and signal pieces (first sample, samples in mV).
pub struct Row<'a> {
    /// Lead name or viewpoint.
    pub label: String,
    /// Pieces of signal with their first sample index.
    pub segments: Vec<(usize, &'a [f64])>,
    /// Half-widths (mV) of a confidence band around each piece of `segments`, same order and
    /// lengths; empty when the row has no band.
    pub spread: Vec<&'a [f64]>,
    /// Anomaly scores per record sample (1 ≈ the engine's 80 % band), drawn as a heat band
    /// under the strip; `None` when the record has no anomaly map.
    pub heat: Option<&'a [f64]>,
    /// Trace colour.
    pub color: Color32,
    /// Deflection bands (start, end, deflection index) of this row alone, drawn behind its
    /// strip: a lead's own boundaries.
    pub bands: Vec<(usize, usize, usize)>,
}

/// Where samples and millivolts sit on the painted paper.
#[derive(Debug, Clone, Copy)]
pub struct Geometry {
    /// The signal area (right of the label column).
    pub rect: Rect,
    /// Sampling rate, Hz.
    pub fs: f64,
    /// Time at the left edge, s.
    pub t0: f64,
    /// Points per second.
    pub px_per_s: f32,
    /// Points per mV.
    pub px_per_mv: f32,
    /// Row height, points.
    pub row_h: f32,
    /// Number of rows.
    pub rows: usize,
}

impl Geometry {
    /// Screen x of a sample.
    pub fn x(&self, sample: usize) -> f32 {
        self.rect.left() + ((sample as f64 / self.fs - self.t0) as f32) * self.px_per_s
    }

    /// Time (s) at screen x.
    pub fn time(&self, x: f32) -> f64 {
        self.t0 + ((x - self.rect.left()) / self.px_per_s) as f64
    }

    /// Sample at screen x (clamped at 0).
    pub fn sample(&self, x: f32) -> usize {
        (self.time(x) * self.fs).round().max(0.0) as usize
    }

    /// The row at screen y.
    pub fn row_at(&self, y: f32) -> Option<usize> {
        let pos = (y - self.rect.top()) / self.row_h;
        (pos >= 0.0 && (pos as usize) < self.rows).then_some(pos as usize)
    }

    /// Screen y range of row `i`.
    pub fn row_span(&self, i: usize) -> egui::Rangef {
        let top = self.rect.top() + self.row_h * i as f32;
        egui::Rangef::new(top, top + self.row_h)
    }

    /// Visible samples.
    pub fn visible(&self) -> std::ops::Range<usize> {
        let a = (self.t0 * self.fs).floor().max(0.0) as usize;
        a..self.sample(self.rect.right()) + 1
    }
}

/// Paint the paper with `rows` and `bands` (start, end, deflection index); pan with the
/// wheel or a right-button drag, zoom with Ctrl + wheel. `len` is the record's length.
pub fn paper(
    ui: &mut egui::Ui,
    paper: &mut Paper,
    fs: f64,
    len: usize,
    rows: &[Row],
    bands: &[(usize, usize, usize)],
) -> (Response, Geometry) {
    let ppm = paper.px_per_mm;
    let row_h = ROW_MM * ppm;
    let height = row_h * rows.len().max(1) as f32 + 18.0;
    let width = ui.available_width().max(LABEL_W + 100.0);
    let (rect, response) =
        ui.allocate_exact_size(Vec2::new(width, height), Sense::click_and_drag());
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Canvas, true, "ECG paper"));
    let signal = Rect::from_min_max(rect.min + Vec2::new(LABEL_W, 0.0), rect.max);
    let duration = len as f64 / fs;
    pan_zoom(ui, &response, paper, signal, duration);
    let geo = Geometry {
        rect: signal,
        fs,
        t0: paper.t0,
        px_per_s: MM_PER_S * paper.px_per_mm,
        px_per_mv: MM_PER_MV * paper.px_per_mm,
        row_h: ROW_MM * paper.px_per_mm,
        rows: rows.len(),
    };
    if !ui.is_rect_visible(rect) {
        return (response, geo);
    }
    let painter = ui.painter_at(rect);
    painter.rect_filled(rect, 0.0, Color32::from_rgb(255, 250, 245));
    paint_bands(&painter, &geo, bands, signal.y_range());
    for (i, row) in rows.iter().enumerate() {
        paint_bands(&painter, &geo, &row.bands, geo.row_span(i));
    }
    grid(&painter, signal, &geo);
    for (i, row) in rows.iter().enumerate() {
        let mid = rect.top() + row_h * (i as f32 + 0.5);
        let label_pos = Pos2::new(rect.left() + 4.0, mid - 0.35 * row_h);
        painter.text(
            label_pos,
            egui::Align2::LEFT_TOP,
            &row.label,
            egui::FontId::proportional(12.0),
            Color32::BLACK,
        );
        calibration(
            &painter,
            Pos2::new(rect.left() + 36.0, mid + 0.25 * row_h),
            &geo,
            ppm,
        );
        heat(&painter, row, mid + 0.5 * row_h, &geo);
        missing(&painter, row, geo.row_span(i), &geo);
        trace(&painter, row, mid, &geo);
    }
    let seconds = format!(
        "{:.2} s – {:.2} s   25 mm/s  10 mm/mV",
        geo.time(signal.left()),
        geo.time(signal.right()).min(duration)
    );
    painter.text(
        rect.left_bottom() + Vec2::new(4.0, -2.0),
        egui::Align2::LEFT_BOTTOM,
        seconds,
        egui::FontId::monospace(11.0),
        Color32::DARK_GRAY,
    );
    (response, geo)
}

/// Bands (start, end, deflection index) over the screen y range `ys`.
fn paint_bands(
    painter: &egui::Painter,
    geo: &Geometry,
    bands: &[(usize, usize, usize)],
    ys: egui::Rangef,
) {
    let vis = geo.visible();
    for &(a, b, k) in bands {
        if b < vis.start || a > vis.end {
            continue;
        }
        let [r, g, bl] = DEFLECTIONS[k].1;
        let band = Rect::from_x_y_ranges(geo.x(a)..=geo.x(b), ys);
        painter.rect_filled(band, 0.0, Color32::from_rgba_unmultiplied(r, g, bl, 60));
    }
}

fn pan_zoom(ui: &egui::Ui, response: &Response, paper: &mut Paper, signal: Rect, duration: f64) {
    if response.hovered() {
        let (zoom, scroll, shift) =
            ui.input(|i| (i.zoom_delta(), i.smooth_scroll_delta, i.modifiers.shift));
        if zoom != 1.0 {
            let anchor = ui
                .input(|i| i.pointer.hover_pos())
                .map_or(signal.left(), |p| p.x);
            let t_anchor =
                paper.t0 + ((anchor - signal.left()) / (MM_PER_S * paper.px_per_mm)) as f64;
            paper.px_per_mm = (paper.px_per_mm * zoom).clamp(0.25, 20.0);
            paper.t0 = t_anchor - ((anchor - signal.left()) / (MM_PER_S * paper.px_per_mm)) as f64;
        } else {
            let dx = if shift { scroll.y } else { scroll.x };
            paper.t0 -= (dx / (MM_PER_S * paper.px_per_mm)) as f64;
        }
    }
    if response.dragged_by(egui::PointerButton::Secondary)
        || response.dragged_by(egui::PointerButton::Middle)
    {
        paper.t0 -= (response.drag_delta().x / (MM_PER_S * paper.px_per_mm)) as f64;
    }
    let span = (signal.width() / (MM_PER_S * paper.px_per_mm)) as f64;
    paper.t0 = paper.t0.min(duration - span * 0.5).max(0.0);
}

fn grid(painter: &egui::Painter, signal: Rect, geo: &Geometry) {
    let mm = geo.px_per_mv / MM_PER_MV;
    let minor = Stroke::new(0.5, Color32::from_rgb(250, 205, 205));
    let major = Stroke::new(1.0, Color32::from_rgb(235, 150, 150));
    // The 1 mm lines only where they stay at least 2 points apart.
    let step = if mm >= 2.0 { 1 } else { 5 };
    let mm_at_t0 = geo.t0 as f32 * MM_PER_S;
    let first = (mm_at_t0 / step as f32).ceil() as i64 * step;
    let mut k = first;
    loop {
        let x = signal.left() + (k as f32 - mm_at_t0) * mm;
        if x > signal.right() {
            break;
        }
        let s = if k % 5 == 0 { major } else { minor };
        painter.vline(x, signal.y_range(), s);
        k += step;
    }
    let rows_mm = (signal.height() / mm) as i64;
    for k in (0..=rows_mm).step_by(step as usize) {
        let y = signal.top() + k as f32 * mm;
        let s = if k % 5 == 0 { major } else { minor };
        painter.hline(signal.x_range(), y, s);
    }
}

fn calibration(painter: &egui::Painter, base: Pos2, geo: &Geometry, ppm: f32) {
    let (w, h) = (5.0 * ppm, geo.px_per_mv);
    let pts = vec![
        base - Vec2::new(2.0 * ppm, 0.0),
        base,
        base - Vec2::new(0.0, h),
        base + Vec2::new(w, -h),
        base + Vec2::new(w, 0.0),
        base + Vec2::new(w + 2.0 * ppm, 0.0),
    ];
    painter.add(egui::Shape::line(pts, Stroke::new(1.2, Color32::BLACK)));
}

/// The heat band of `row` along the bottom `bottom` of its strip: one column per screen
/// column, from clear (score ≤ 1, within the band) to red (score ≥ 4).
fn heat(painter: &egui::Painter, row: &Row, bottom: f32, geo: &Geometry) {
    let Some(h) = row.heat else { return };
    let vis = geo.visible();
    let (a, b) = (vis.start.min(h.len()), vis.end.min(h.len()));
    let step = ((geo.fs as f32 / geo.px_per_s).ceil() as usize).max(1);
    let mut i = a;
    while i < b {
        let j = (i + step).min(b);
        let worst = h[i..j]
            .iter()
            .copied()
            .filter(|v| v.is_finite())
            .fold(f64::NAN, f64::max);
        if let Some([r, g, bl, alpha]) = crate::export::heat::heat_rgba(worst) {
            let color = Color32::from_rgba_unmultiplied(r, g, bl, alpha);
            let rect = egui::Rect::from_min_max(
                Pos2::new(geo.x(i), bottom - 5.0),
                Pos2::new(geo.x(j).max(geo.x(i) + 1.0), bottom),
            );
            painter.rect_filled(rect, 0.0, color);
        }
        i = j;
    }
}

/// Grey over the stretches of a row without samples, named where the name fits: a gap must
/// not read as a flat line or as the paper's own blank.
fn missing(painter: &egui::Painter, row: &Row, ys: egui::Rangef, geo: &Geometry) {
    let vis = geo.visible();
    for &(start, samples) in &row.segments {
        let (a, b) = (vis.start.max(start), vis.end.min(start + samples.len()));
        if a >= b {
            continue;
        }
        for r in crate::delineate::gaps::Gaps::of(&samples[a - start..b - start]).runs() {
            let xs = geo.x(a + r.start)..=geo.x(a + r.end);
            let rect = Rect::from_x_y_ranges(xs, ys.shrink(2.0));
            painter.rect_filled(rect, 2.0, MISSING_FILL);
            if rect.width() > 70.0 {
                painter.text(
                    rect.center(),
                    egui::Align2::CENTER_CENTER,
                    "no samples",
                    egui::FontId::proportional(11.0),
                    Color32::DARK_GRAY,
                );
            }
        }
    }
}

/// Fill of a stretch without samples.
const MISSING_FILL: Color32 = Color32::from_rgba_premultiplied(40, 40, 40, 70);

fn trace(painter: &egui::Painter, row: &Row, mid: f32, geo: &Geometry) {
    let vis = geo.visible();
    let stroke = Stroke::new(1.2, row.color);
    for (k, &(start, samples)) in row.segments.iter().enumerate() {
        let a = vis.start.max(start);
        let b = vis.end.min(start + samples.len());
        if a >= b {
            continue;
        }
        let piece = &samples[a - start..b - start];
        let centre = centre_mv(piece);
        let y = |v: f64| mid - ((v - centre) as f32) * geo.px_per_mv;
        let per_px = geo.fs as f32 / geo.px_per_s;
        if let Some(spread) = row.spread.get(k).filter(|h| h.len() == samples.len()) {
            let step = (per_px.floor() as usize).max(1);
            let columns = (a..b)
                .step_by(step)
                .map(|i| (samples[i - start], spread[i - start], geo.x(i)))
                .map(|(v, h, x)| (x, y(v + h), y(v - h)));
            painter.add(super::band_paint::band_shape(
                columns,
                super::band_paint::BAND_FILL,
            ));
        }
        let mut pts: Vec<Pos2> = Vec::new();
        let flush = |pts: &mut Vec<Pos2>| {
            if pts.len() > 1 {
                painter.add(egui::Shape::line(std::mem::take(pts), stroke));
            }
            pts.clear();
        };
        if per_px <= 2.0 {
            for (i, &v) in piece.iter().enumerate() {
                if v.is_finite() {
                    pts.push(Pos2::new(geo.x(a + i), y(v)));
                } else {
                    flush(&mut pts);
                }
            }
        } else {
            // Min and max per screen column: every peak survives, whatever the zoom.
            let chunk = per_px.floor() as usize;
            for (c, part) in piece.chunks(chunk).enumerate() {
                let finite = part.iter().copied().filter(|v| v.is_finite());
                let (lo, hi) = finite.fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), v| {
                    (l.min(v), h.max(v))
                });
                if lo > hi {
                    flush(&mut pts);
                    continue;
                }
                let x = geo.x(a + c * chunk);
                pts.push(Pos2::new(x, y(lo)));
                pts.push(Pos2::new(x, y(hi)));
            }
        }
        flush(&mut pts);
    }
}

/// The level a row is centred on: the mean of what is shown, so offsets never push a lead
/// off its row.
fn centre_mv(x: &[f64]) -> f64 {
    let (s, n) = x
        .iter()
        .filter(|v| v.is_finite())
        .fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
    if n == 0 { 0.0 } else { s / n as f64 }
}
