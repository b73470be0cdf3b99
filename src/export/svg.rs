//! The figure as SVG text in millimetres: paper, header, and per strip the bands, calibration
//! pulse, label, legend and traces.

use super::heat::heat_runs;
use super::layout::{
    KEY_FONT, LABEL_BAND, LEGEND_LINE, Layout, MARGIN, Row, SUBTITLE_FONT, TITLE_FONT, band_keys,
    key_width, scale_text, text_width,
};
use super::number::{push_fixed, push_scaled};
use super::{Figure, Panel, Trace, paper};
use std::fmt::Write;

/// Overlay colours in order: distinct from the black trace and the pink grid, and from each other
/// for the common kinds of colour blindness.
const OVERLAY_COLOURS: [&str; 4] = ["#1f5fbf", "#d9480f", "#2b8a3e", "#862e9c"];
/// Font size of strip labels.
const LABEL_FONT: f64 = 3.2;
/// Font size of legend entries.
const LEGEND_FONT: f64 = 2.5;
/// Font size of band names.
const BAND_FONT: f64 = 2.2;
/// Height of the anomaly heat band, mm.
const HEAT_HEIGHT: f64 = 1.5;
/// Path coordinates are written in hundredths of a millimetre.
const DECIMALS: u32 = 2;
/// Samples closer than this (in hundredths of a mm) are reduced to their extremes: finer
/// detail is far below the 0.3 mm line width and only bloats files and slows rendering.
const BUCKET: i64 = 5;

/// The figure as SVG text sized in mm; a figure that cannot be drawn (no panels, a trace with
/// a non-positive rate) gives a small page stating why — see [`super::figure_svg_checked`] for
/// the error itself.
pub fn figure_svg(fig: &Figure) -> String {
    match super::figure_svg_checked(fig) {
        Ok(svg) => svg,
        Err(e) => error_page(&e.to_string()),
    }
}

/// Draw a validated figure; without `paper`, the white page and the grid are left out for the
/// PNG renderer, which paints them itself.
pub(crate) fn draw(fig: &Figure, layout: &Layout, paper: bool) -> String {
    let points: usize = fig
        .panels
        .iter()
        .flat_map(|p| std::iter::once(&p.trace).chain(&p.overlays))
        .map(|t| t.samples.len())
        .sum();
    let mut out = String::with_capacity(64 * 1024 + points * 12);
    let (w, h) = (layout.width, layout.height);
    let _ = writeln!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}mm" height="{h}mm" viewBox="0 0 {w} {h}" font-family="DejaVu Sans, sans-serif">"#
    );
    let _ = writeln!(out, "<title>{}</title>", escape(&fig.title));
    if paper {
        let _ = writeln!(out, r##"<rect width="{w}" height="{h}" fill="#fff"/>"##);
        paper::grid(&mut out, paper::Sheet::of(layout));
    }
    header(&mut out, fig, layout);
    for (i, panel) in fig.panels.iter().enumerate() {
        let (r, c) = (i / layout.columns, i % layout.columns);
        strip(&mut out, fig, layout, &layout.rows[r], c, panel);
    }
    out.push_str("</svg>\n");
    out
}

fn header(out: &mut String, fig: &Figure, layout: &Layout) {
    let y_title = MARGIN + 5.5;
    let _ = writeln!(
        out,
        r#"<text class="title" x="{MARGIN}" y="{y_title}" font-size="{TITLE_FONT}">{}</text>"#,
        escape(&fig.title)
    );
    if !fig.subtitle.is_empty() {
        let _ = writeln!(
            out,
            r#"<text class="subtitle" x="{MARGIN}" y="{}" font-size="{SUBTITLE_FONT}">{}</text>"#,
            MARGIN + 11.0,
            escape(&fig.subtitle)
        );
    }
    let _ = writeln!(
        out,
        r#"<text class="scale" x="{}" y="{y_title}" font-size="{SUBTITLE_FONT}" text-anchor="end">{}</text>"#,
        layout.width - MARGIN,
        escape(&scale_text(fig))
    );
    let keys = band_keys(fig);
    let mut x = layout.width - MARGIN - keys.iter().map(|(l, _)| key_width(l)).sum::<f64>();
    let y = MARGIN + 11.0;
    for (label, [r, g, b]) in keys {
        let mut s = String::new();
        s.push_str(r#"<rect class="band-key" x=""#);
        push_fixed(&mut s, x, DECIMALS);
        let _ = write!(
            s,
            r#"" y="{}" width="2.8" height="2.8" fill="rgb({r},{g},{b})" fill-opacity="0.45"/><text class="band-key" x=""#,
            y - 2.5
        );
        push_fixed(&mut s, x + 3.6, DECIMALS);
        let _ = writeln!(
            s,
            r#"" y="{y}" font-size="{KEY_FONT}">{}</text>"#,
            escape(label)
        );
        out.push_str(&s);
        x += key_width(label);
    }
}

fn strip(out: &mut String, fig: &Figure, layout: &Layout, row: &Row, c: usize, panel: &Panel) {
    let left = layout.column_left(c);
    let t0 = layout.column_t0[c];
    let x_of = |t: f64| left + layout.cal_width + (t - t0) * fig.mm_per_s;
    let (x_min, x_max) = (x_of(t0), x_of(t0 + layout.span_s));
    out.push_str("<g class=\"strip\">\n");

    let band_top = row.top + LABEL_BAND + row.legend_lines as f64 * LEGEND_LINE;
    // Band names sit above the heat band when there is one.
    let label_lift = if panel.heat.is_empty() {
        0.8
    } else {
        0.8 + HEAT_HEIGHT
    };
    for band in &panel.bands {
        let (a, b) = (x_of(band.start_s).max(x_min), x_of(band.end_s).min(x_max));
        if b <= a {
            continue;
        }
        let [r, g, bl] = band.rgb;
        let mut s = String::new();
        s.push_str(r#"<rect class="band" x=""#);
        push_fixed(&mut s, a, DECIMALS);
        let _ = write!(s, r#"" y="{band_top}" width=""#);
        push_fixed(&mut s, b - a, DECIMALS);
        let _ = writeln!(
            s,
            r#"" height="{}" fill="rgb({r},{g},{bl})" fill-opacity="0.22"/>"#,
            row.bottom - band_top
        );
        if text_width(&band.label, BAND_FONT) * 0.8 <= b - a {
            let dark = |v: u8| (f64::from(v) * 0.55) as u8;
            s.push_str(r#"<text class="band-label" x=""#);
            push_fixed(&mut s, (a + b) / 2.0, DECIMALS);
            let _ = writeln!(
                s,
                r#"" y="{}" font-size="{BAND_FONT}" text-anchor="middle" fill="rgb({},{},{})">{}</text>"#,
                row.bottom - label_lift,
                dark(r),
                dark(g),
                dark(bl),
                escape(&band.label)
            );
        }
        out.push_str(&s);
    }

    heat_band(out, fig, panel, row, &x_of, (x_min, x_max));
    paper::calibration_pulse(out, left, row.baseline, fig.mm_per_s, fig.mm_per_mv);
    let _ = writeln!(
        out,
        r#"<text class="label" x="{}" y="{}" font-size="{LABEL_FONT}">{}</text>"#,
        left + 1.0,
        row.top + 3.8,
        escape(&panel.label)
    );

    if !panel.overlays.is_empty() {
        let main_name = if panel.trace.label.is_empty() {
            &panel.label
        } else {
            &panel.trace.label
        };
        let entries = std::iter::once((main_name.as_str(), "#000")).chain(
            panel
                .overlays
                .iter()
                .zip(OVERLAY_COLOURS.iter().cycle())
                .map(|(o, &c)| (o.label.as_str(), c)),
        );
        for (k, (name, colour)) in entries.enumerate() {
            let y = row.top + LABEL_BAND + (k + 1) as f64 * LEGEND_LINE - 0.8;
            let _ = writeln!(
                out,
                r#"<path class="legend-key" d="M{} {}h4" stroke="{colour}" stroke-width="0.4"/><text class="legend" x="{}" y="{y}" font-size="{LEGEND_FONT}">{}</text>"#,
                left + 1.0,
                y - 0.8,
                left + 6.0,
                escape(name)
            );
        }
    }

    let x_start = |t: &Trace| x_of(t.t0);
    // Overlays go under the main trace: they are the reference it is compared with.
    for (o, colour) in panel.overlays.iter().zip(OVERLAY_COLOURS.iter().cycle()) {
        let pen = Ink::new(fig, row.baseline, colour, "overlay");
        trace_path(out, o, x_start(o), &pen);
    }
    let main = &panel.trace;
    let pen = Ink::new(fig, row.baseline, "#000", "trace");
    trace_path(out, main, x_start(main), &pen);
    out.push_str("</g>\n");
}

/// The panel's anomaly scores along the foot of its strip, in half-millimetre columns.
fn heat_band(
    out: &mut String,
    fig: &Figure,
    panel: &Panel,
    row: &Row,
    x_of: &dyn Fn(f64) -> f64,
    (x_min, x_max): (f64, f64),
) {
    let trace = &panel.trace;
    let bucket = (0.5 * trace.fs / fig.mm_per_s).round() as usize;
    let top = row.bottom - HEAT_HEIGHT;
    for (a, b, [r, g, bl, alpha]) in heat_runs(&panel.heat, bucket) {
        let x0 = x_of(trace.t0 + a as f64 / trace.fs).max(x_min);
        let x1 = x_of(trace.t0 + b as f64 / trace.fs).min(x_max);
        if x1 <= x0 {
            continue;
        }
        out.push_str(r#"<rect class="heat" x=""#);
        push_fixed(out, x0, DECIMALS);
        let _ = write!(out, r#"" y="{top}" width=""#);
        push_fixed(out, x1 - x0, DECIMALS);
        let _ = writeln!(
            out,
            r#"" height="{HEAT_HEIGHT}" fill="rgb({r},{g},{bl})" fill-opacity="{:.2}"/>"#,
            f64::from(alpha) / 255.0
        );
    }
}

/// How a trace is inked: the scale, where 0 mV lies, the colour and the element's class.
pub(crate) struct Ink<'a> {
    /// Paper speed in mm per second.
    pub mm_per_s: f64,
    /// Amplitude scale in mm per mV.
    pub mm_per_mv: f64,
    /// Where 0 mV lies, mm from the top.
    pub baseline: f64,
    /// Stroke colour.
    pub colour: &'a str,
    /// The path's class attribute.
    pub class: &'a str,
}

impl<'a> Ink<'a> {
    fn new(fig: &Figure, baseline: f64, colour: &'a str, class: &'a str) -> Self {
        Self {
            mm_per_s: fig.mm_per_s,
            mm_per_mv: fig.mm_per_mv,
            baseline,
            colour,
            class,
        }
    }
}

/// One trace as a path of relative moves in hundredths of a mm (exact: deltas of rounded
/// absolute positions), its first sample at `x_first` mm; NaN samples break the line.
pub(crate) fn trace_path(out: &mut String, trace: &Trace, x_first: f64, ink: &Ink) {
    let (baseline, colour, class) = (ink.baseline, ink.colour, ink.class);
    let _ = write!(out, r#"<path class="{class}" d=""#);
    let step = ink.mm_per_s / trace.fs * 100.0;
    let x0 = x_first * 100.0;
    let mut pen = Pen::new(out);
    let mut bucket = Bucket::default();
    for (i, &v) in trace.samples.iter().enumerate() {
        if !v.is_finite() {
            bucket.flush(&mut pen);
            pen.lift();
            continue;
        }
        let x = (x0 + i as f64 * step).round() as i64;
        let y = ((baseline - v * ink.mm_per_mv) * 100.0).round() as i64;
        if bucket.key != Some(x.div_euclid(BUCKET)) {
            bucket.flush(&mut pen);
            bucket.key = Some(x.div_euclid(BUCKET));
        }
        bucket.add((i, x, y));
    }
    bucket.flush(&mut pen);
    let _ = writeln!(
        out,
        r#"" stroke="{colour}" stroke-width="0.3" fill="none" stroke-linejoin="round" stroke-linecap="round"/>"#
    );
}

/// A sample's index and position in hundredths of a mm.
type Point = (usize, i64, i64);

/// The first, lowest, highest and last point of the samples falling in one narrow column; in
/// time order they trace the same ink as every sample would.
#[derive(Default)]
struct Bucket {
    key: Option<i64>,
    first: Option<Point>,
    low: Point,
    high: Point,
    last: Point,
}

impl Bucket {
    fn add(&mut self, p: Point) {
        if self.first.is_none() {
            (self.first, self.low, self.high) = (Some(p), p, p);
        }
        if p.2 < self.low.2 {
            self.low = p;
        }
        if p.2 > self.high.2 {
            self.high = p;
        }
        self.last = p;
    }

    fn flush(&mut self, pen: &mut Pen) {
        self.key = None;
        let Some(first) = self.first.take() else {
            return;
        };
        let mut points = [first, self.low, self.high, self.last];
        points.sort_unstable_by_key(|p| p.0);
        let mut previous = None;
        for (i, x, y) in points {
            if previous != Some(i) {
                pen.to(x, y);
                previous = Some(i);
            }
        }
    }
}

/// Writes path data: an absolute move at the start of each run, then relative lines.
struct Pen<'a> {
    d: &'a mut String,
    at: Option<(i64, i64)>,
    in_line: bool,
}

impl<'a> Pen<'a> {
    fn new(d: &'a mut String) -> Self {
        Self {
            d,
            at: None,
            in_line: false,
        }
    }

    fn lift(&mut self) {
        self.at = None;
    }

    fn to(&mut self, x: i64, y: i64) {
        match self.at {
            None => {
                self.d.push('M');
                push_scaled(self.d, x, DECIMALS);
                self.d.push(' ');
                push_scaled(self.d, y, DECIMALS);
                self.in_line = false;
            }
            Some((px, py)) => {
                let (dx, dy) = (x - px, y - py);
                if dx == 0 && dy == 0 {
                    return;
                }
                if self.in_line {
                    if dx >= 0 {
                        self.d.push(' ');
                    }
                } else {
                    self.d.push('l');
                    self.in_line = true;
                }
                push_scaled(self.d, dx, DECIMALS);
                if dy >= 0 {
                    self.d.push(' ');
                }
                push_scaled(self.d, dy, DECIMALS);
            }
        }
        self.at = Some((x, y));
    }
}

/// Text safe inside XML elements and attributes.
pub(crate) fn escape(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains(['&', '<', '>', '"', '\'']) {
        return text.into();
    }
    let mut s = String::with_capacity(text.len() + 16);
    for ch in text.chars() {
        match ch {
            '&' => s.push_str("&amp;"),
            '<' => s.push_str("&lt;"),
            '>' => s.push_str("&gt;"),
            '"' => s.push_str("&quot;"),
            '\'' => s.push_str("&apos;"),
            c => s.push(c),
        }
    }
    s.into()
}

/// A small page that states why a figure cannot be drawn.
fn error_page(message: &str) -> String {
    let width = (text_width(message, 3.0) + 20.0).max(100.0).ceil();
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{width}mm" height="20mm" viewBox="0 0 {width} 20" font-family="DejaVu Sans, sans-serif"><rect width="{width}" height="20" fill="#fff"/><text class="error" x="10" y="12" font-size="3">Cannot draw the figure: {}</text></svg>
"##,
        escape(message)
    )
}
