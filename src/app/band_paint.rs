//! Drawing a confidence band: a shaded area between a view's lower and upper limits, behind
//! its trace, wherever it has finite values.

use eframe::egui;
use egui::{Color32, Mesh, Pos2, Shape};

/// Fill of a band behind a synthesized trace.
pub const BAND_FILL: Color32 = Color32::from_rgba_premultiplied(120, 20, 26, 60);

/// The band's label in legends (shared with the exported figures).
pub use crate::export::figures::band_label;

/// A filled strip through columns `(x, y_top, y_bottom)` in screen points; a non-finite column
/// breaks it.
pub fn band_shape(columns: impl IntoIterator<Item = (f32, f32, f32)>, fill: Color32) -> Shape {
    let mut mesh = Mesh::default();
    let mut previous = false;
    for (x, top, bottom) in columns {
        if !(x.is_finite() && top.is_finite() && bottom.is_finite()) {
            previous = false;
            continue;
        }
        let i = mesh.vertices.len() as u32;
        mesh.colored_vertex(Pos2::new(x, top), fill);
        mesh.colored_vertex(Pos2::new(x, bottom), fill);
        if previous {
            mesh.add_triangle(i - 2, i - 1, i);
            mesh.add_triangle(i - 1, i, i + 1);
        }
        previous = true;
    }
    Shape::mesh(mesh)
}

/// The band around a view `x` drawn in a grid cell `rect` (the cell's scale: `peak` mV per
/// 0.45 of its height, centred), with half-widths `spread` when they match `x`.
pub fn cell_band(
    painter: &egui::Painter,
    rect: egui::Rect,
    x: &[f64],
    spread: Option<&[f64]>,
    peak: f64,
) {
    let Some(h) = spread.filter(|h| h.len() == x.len() && x.len() > 1) else {
        return;
    };
    let dx = rect.width() / (x.len() - 1) as f32;
    let dy = rect.height() * 0.45 / peak as f32;
    let mid = rect.center().y;
    let columns = x.iter().zip(h).enumerate().map(|(i, (&y, &w))| {
        let px = rect.left() + i as f32 * dx;
        (px, mid - (y + w) as f32 * dy, mid - (y - w) as f32 * dy)
    });
    painter.add(band_shape(columns, BAND_FILL));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_gap_breaks_the_strip() {
        let cols = [
            (0.0, 0.0, 1.0),
            (1.0, 0.0, 1.0),
            (2.0, f32::NAN, 1.0),
            (3.0, 0.0, 1.0),
            (4.0, 0.0, 1.0),
        ];
        let Shape::Mesh(mesh) = band_shape(cols, BAND_FILL) else {
            panic!("not a mesh");
        };
        assert_eq!(mesh.vertices.len(), 8);
        // Two quads of two triangles each: none across the gap.
        assert_eq!(mesh.indices.len(), 12);
        assert_eq!(band_label(0.8), "80 % band");
    }
}
