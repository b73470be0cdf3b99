//! The ECG paper itself: 1 mm minor and 5 mm major grid lines, and the 1 mV calibration pulse.

use super::layout::{CAL_LEAD_IN, Layout, MARGIN};
use super::number::push_fixed;
use std::fmt::Write;

/// Minor (1 mm) grid colour: light pink, as on printed ECG paper.
const MINOR_RGB: [u8; 3] = [0xf6, 0xc9, 0xc9];
/// Major (5 mm) grid colour.
const MAJOR_RGB: [u8; 3] = [0xe5, 0x8e, 0x8e];
/// Line widths in mm.
const MINOR_WIDTH: f64 = 0.1;
/// Major lines are twice as heavy as minor ones.
const MAJOR_WIDTH: f64 = 0.2;

/// The gridded rectangle of a page, in mm: lines run every millimetre from its top left.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Sheet {
    /// Left edge (a major line).
    pub x0: f64,
    /// Right edge.
    pub x1: f64,
    /// Top edge (a major line).
    pub y0: f64,
    /// Bottom edge.
    pub y1: f64,
}

impl Sheet {
    /// The paper of a figure's layout: the page less its margins and header.
    pub fn of(layout: &Layout) -> Self {
        Self {
            x0: MARGIN,
            x1: layout.width - MARGIN,
            y0: layout.paper_top(),
            y1: layout.height - MARGIN,
        }
    }
}

/// The grid as two `<path>` elements, one line per millimetre; one path per weight keeps the
/// file small and draws in one pass.
pub(crate) fn grid(out: &mut String, sheet: Sheet) {
    let Sheet { x0, x1, y0, y1 } = sheet;
    let mut minor = String::with_capacity(16 * 1024);
    let mut major = String::with_capacity(4 * 1024);
    let nx = (x1 - x0).round() as i64;
    for i in 0..=nx {
        let d = if i % 5 == 0 { &mut major } else { &mut minor };
        let _ = write!(d, "M{} {}V{}", x0 + i as f64, y0, y1);
    }
    let ny = (y1 - y0).round() as i64;
    for i in 0..=ny {
        let d = if i % 5 == 0 { &mut major } else { &mut minor };
        let _ = write!(d, "M{} {}H{}", x0, y0 + i as f64, x1);
    }
    for (class, d, rgb, width) in [
        ("grid-minor", minor, MINOR_RGB, MINOR_WIDTH),
        ("grid-major", major, MAJOR_RGB, MAJOR_WIDTH),
    ] {
        let [r, g, b] = rgb;
        let _ = writeln!(
            out,
            r#"<path class="{class}" d="{d}" stroke="rgb({r},{g},{b})" stroke-width="{width}" fill="none"/>"#
        );
    }
}

/// Paint white paper and the grid straight into opaque RGBA pixels (`px_per_mm` pixels per mm),
/// as the SVG grid would render with anti-aliasing. A general rasteriser spends most of a PNG
/// export on these thousand page-long hairlines; axis-aligned lines need only a coverage per
/// pixel column and per pixel row.
pub(crate) fn paint(pixels: &mut [u8], width: usize, height: usize, px_per_mm: f64, sheet: Sheet) {
    pixels.fill(255);
    let Sheet { x0, x1, y0, y1 } = sheet;
    let coverage = |from: f64, to: f64, len: usize, major: bool| {
        let mut cov = vec![0.0f32; len];
        let n = (to - from).round() as i64;
        let half = 0.5 * px_per_mm * if major { MAJOR_WIDTH } else { MINOR_WIDTH };
        for k in (0..=n).filter(|k| (k % 5 == 0) == major) {
            let centre = (from + k as f64) * px_per_mm;
            let (a, b) = (centre - half, centre + half);
            let first = a.floor().max(0.0) as usize;
            for (i, c) in cov
                .iter_mut()
                .enumerate()
                .take(b.ceil().max(0.0) as usize)
                .skip(first)
            {
                let overlap = b.min(i as f64 + 1.0) - a.max(i as f64);
                *c = (*c + overlap.max(0.0) as f32).min(1.0);
            }
        }
        cov
    };
    let (minor_x, major_x) = (
        coverage(x0, x1, width, false),
        coverage(x0, x1, width, true),
    );
    let (minor_y, major_y) = (
        coverage(y0, y1, height, false),
        coverage(y0, y1, height, true),
    );
    // How much of each pixel column lies within the horizontal lines' length, and of each
    // pixel row within the vertical lines' length (butt ends cut pixels at the border).
    let inside = |from: f64, to: f64, len: usize| -> Vec<f32> {
        let (a, b) = (from * px_per_mm, to * px_per_mm);
        (0..len)
            .map(|i| (b.min(i as f64 + 1.0) - a.max(i as f64)).clamp(0.0, 1.0) as f32)
            .collect()
    };
    let (h_extent, v_extent) = (inside(x0, x1, width), inside(y0, y1, height));

    let blend = |px: &mut [f32; 3], rgb: [u8; 3], c: f32| {
        for (p, &v) in px.iter_mut().zip(&rgb) {
            *p += (f32::from(v) - *p) * c;
        }
    };
    // Lines go down in the SVG's order: minor before major.
    let paint_row = |v: f32, c_minor: f32, c_major: f32, out: &mut [u8]| {
        for (x, o) in out.chunks_exact_mut(4).enumerate() {
            let mut px = [255.0f32; 3];
            blend(&mut px, MINOR_RGB, minor_x[x] * v);
            blend(&mut px, MINOR_RGB, c_minor * h_extent[x]);
            blend(&mut px, MAJOR_RGB, major_x[x] * v);
            blend(&mut px, MAJOR_RGB, c_major * h_extent[x]);
            for (b, p) in o.iter_mut().zip(px) {
                *b = p.round() as u8;
            }
        }
    };
    // Most rows hold only the vertical lines, all alike: paint that row once and copy it.
    let mut plain = vec![255u8; 4 * width];
    paint_row(1.0, 0.0, 0.0, &mut plain);
    for (y, out) in pixels.chunks_exact_mut(4 * width).enumerate().take(height) {
        let (v, c_minor, c_major) = (v_extent[y], minor_y[y], major_y[y]);
        if c_minor == 0.0 && c_major == 0.0 {
            if v == 1.0 {
                out.copy_from_slice(&plain);
                continue;
            }
            if v == 0.0 {
                continue;
            }
        }
        paint_row(v, c_minor, c_major, out);
    }
}

/// A 1 mV, 0.2 s calibration pulse standing on the baseline at the start of a strip.
pub(crate) fn calibration_pulse(
    out: &mut String,
    left: f64,
    baseline: f64,
    mm_per_s: f64,
    mm_per_mv: f64,
) {
    let mut d = String::with_capacity(48);
    d.push('M');
    push_fixed(&mut d, left, 2);
    d.push(' ');
    push_fixed(&mut d, baseline, 2);
    d.push('h');
    push_fixed(&mut d, CAL_LEAD_IN, 2);
    d.push('v');
    push_fixed(&mut d, -mm_per_mv, 2);
    d.push('h');
    push_fixed(&mut d, 0.2 * mm_per_s, 2);
    d.push('v');
    push_fixed(&mut d, mm_per_mv, 2);
    d.push('h');
    push_fixed(&mut d, CAL_LEAD_IN, 2);
    let _ = writeln!(
        out,
        r##"<path class="cal" d="{d}" stroke="#000" stroke-width="0.3" fill="none" stroke-linejoin="miter"/>"##
    );
}
