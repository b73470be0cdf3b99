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
