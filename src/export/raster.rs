//! PNG and PDF from the figure's SVG, set in the embedded DejaVu Sans so the output never
//! depends on the fonts installed on the machine. PDF: svg2pdf with the page in true mm. PNG:
//! the paper is painted directly, resvg draws the rest, and the file is encoded here.

use super::Figure;
use super::layout::Layout;
use super::png_encode::encode_rgb_png;
use crate::error::{Error, Result};
use resvg::{tiny_skia, usvg};
use std::sync::{Arc, OnceLock};

/// The font every figure is set in.
static FONT: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
/// usvg turns the SVG's mm into pixels at this density; the PNG scale and the PDF page size
/// are both derived from it, so it only has to be consistent.
const USVG_DPI: f32 = 96.0;
/// Lowest and highest PNG density accepted.
const DPI_RANGE: (f64, f64) = (10.0, 1200.0);
/// Largest PNG side in pixels: beyond this, viewers and memory give up.
const MAX_PNG_SIDE: u32 = 20_000;
const MM_PER_INCH: f64 = 25.4;

fn fontdb() -> Arc<usvg::fontdb::Database> {
    static DB: OnceLock<Arc<usvg::fontdb::Database>> = OnceLock::new();
    DB.get_or_init(|| {
        let mut db = usvg::fontdb::Database::new();
        db.load_font_data(FONT.to_vec());
        db.set_sans_serif_family("DejaVu Sans");
        Arc::new(db)
    })
    .clone()
}

/// Parse the figure's SVG (with or without its paper) into the tree both renderers take.
fn tree(fig: &Figure, paper: bool) -> Result<(usvg::Tree, Layout)> {
    let layout = Layout::of(fig)?;
    let svg = super::svg::draw(fig, &layout, paper);
    Ok((parse(&svg)?, layout))
}

/// Parse SVG text we drew, with the embedded font.
fn parse(svg: &str) -> Result<usvg::Tree> {
    let options = usvg::Options {
        dpi: USVG_DPI,
        font_family: "DejaVu Sans".into(),
        fontdb: fontdb(),
        ..usvg::Options::default()
    };
    usvg::Tree::from_str(svg, &options)
        .map_err(|e| Error::Invalid(format!("the figure's SVG cannot be read back: {e}")))
}

/// Pixel width and height of the figure's PNG at `dpi` (the paper size in mm at that density).
pub fn png_size_px(fig: &Figure, dpi: f64) -> Result<(u32, u32)> {
    let layout = Layout::of(fig)?;
    png_size(layout.width, layout.height, dpi)
}

fn png_size(width_mm: f64, height_mm: f64, dpi: f64) -> Result<(u32, u32)> {
    if !(dpi.is_finite() && (DPI_RANGE.0..=DPI_RANGE.1).contains(&dpi)) {
        return Err(Error::Invalid(format!(
            "invalid resolution {dpi} dpi (it must lie between {} and {})",
            DPI_RANGE.0, DPI_RANGE.1
        )));
    }
    let px = |mm: f64| (mm / MM_PER_INCH * dpi).round();
    let (w, h) = (px(width_mm), px(height_mm));
    if w > f64::from(MAX_PNG_SIDE) || h > f64::from(MAX_PNG_SIDE) {
        return Err(Error::Invalid(format!(
            "the PNG would be {w} × {h} pixels at {dpi} dpi (at most {MAX_PNG_SIDE} per side): lower the dpi or export SVG/PDF"
        )));
    }
    Ok((w as u32, h as u32))
}

/// The figure as PNG at `dpi`, with the density recorded so printing keeps the scale.
pub fn figure_png(fig: &Figure, dpi: f64) -> Result<Vec<u8>> {
    let (tree, layout) = tree(fig, false)?;
    let sheet = super::paper::Sheet::of(&layout);
    render_png(&tree, layout.width, layout.height, sheet, dpi)
}

/// A page drawn as SVG of `width_mm` × `height_mm` without its grid, as PNG at `dpi`: the grid
/// of `sheet` is painted directly (see [`super::paper::paint`]), the SVG over it.
pub(crate) fn svg_png(
    svg: &str,
    width_mm: f64,
    height_mm: f64,
    sheet: super::paper::Sheet,
    dpi: f64,
) -> Result<Vec<u8>> {
    render_png(&parse(svg)?, width_mm, height_mm, sheet, dpi)
}

fn render_png(
    tree: &usvg::Tree,
    width_mm: f64,
    height_mm: f64,
    sheet: super::paper::Sheet,
    dpi: f64,
) -> Result<Vec<u8>> {
    let (w, h) = png_size(width_mm, height_mm, dpi)?;
    let mut pixmap = tiny_skia::Pixmap::new(w, h)
        .ok_or_else(|| Error::Invalid(format!("cannot allocate a {w} × {h} pixel image")))?;
    // Opaque paper everywhere, so the encoder may drop the alpha channel.
    super::paper::paint(
        pixmap.data_mut(),
        w as usize,
        h as usize,
        dpi / MM_PER_INCH,
        sheet,
    );
    let scale = (dpi / f64::from(USVG_DPI)) as f32;
    resvg::render(
        tree,
        tiny_skia::Transform::from_scale(scale, scale),
        &mut pixmap.as_mut(),
    );
    let pixels_per_metre = (dpi / MM_PER_INCH * 1000.0).round() as u32;
    encode_rgb_png(pixmap.data(), w, h, pixels_per_metre)
}

/// The figure as a one-page PDF whose page is the paper size, so 25 mm/s prints as 25 mm/s.
pub fn figure_pdf(fig: &Figure) -> Result<Vec<u8>> {
    let (tree, _) = tree(fig, true)?;
    tree_pdf(&tree)
}

/// SVG text sized in mm as a one-page PDF of the same size.
pub(crate) fn svg_pdf(svg: &str) -> Result<Vec<u8>> {
    tree_pdf(&parse(svg)?)
}

fn tree_pdf(tree: &usvg::Tree) -> Result<Vec<u8>> {
    // svg2pdf sizes the page as the tree's pixels at `dpi`; the tree's pixels are mm at
    // USVG_DPI, so the same density gives the page in true millimetres.
    let page = svg2pdf::PageOptions { dpi: USVG_DPI };
    svg2pdf::to_pdf(tree, svg2pdf::ConversionOptions::default(), page)
        .map_err(|e| Error::Invalid(format!("PDF conversion failed: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::{Panel, Trace};

    /// The directly painted paper looks as the SVG grid does through the general renderer.
    #[test]
    fn painted_paper_matches_the_rendered_grid() {
        let samples = (0..600).map(|i| (i as f64 * 0.05).sin()).collect();
        let fig = Figure::new(
            "grid",
            vec![Panel::new("II", Trace::new("II", samples, 500.0))],
        );
        let dpi = 150.0;
        let painted = {
            let (tree, layout) = tree(&fig, false).unwrap();
            let (w, h) = png_size(layout.width, layout.height, dpi).unwrap();
            let mut p = tiny_skia::Pixmap::new(w, h).unwrap();
            super::super::paper::paint(
                p.data_mut(),
                w as usize,
                h as usize,
                dpi / MM_PER_INCH,
                super::super::paper::Sheet::of(&layout),
            );
            let s = (dpi / f64::from(USVG_DPI)) as f32;
            resvg::render(
                &tree,
                tiny_skia::Transform::from_scale(s, s),
                &mut p.as_mut(),
            );
            p
        };
        let rendered = {
            let (tree, layout) = tree(&fig, true).unwrap();
            let (w, h) = png_size(layout.width, layout.height, dpi).unwrap();
            let mut p = tiny_skia::Pixmap::new(w, h).unwrap();
            let s = (dpi / f64::from(USVG_DPI)) as f32;
            resvg::render(
                &tree,
                tiny_skia::Transform::from_scale(s, s),
                &mut p.as_mut(),
            );
            p
        };
        let diffs: Vec<i32> = painted
            .data()
            .iter()
            .zip(rendered.data())
            .map(|(a, b)| (i32::from(*a) - i32::from(*b)).abs())
            .collect();
        let mean = diffs.iter().sum::<i32>() as f64 / diffs.len() as f64;
        let max = diffs.iter().copied().max().unwrap_or(0);
        assert!(mean < 1.0 && max < 32, "mean {mean}, max {max}");
    }
}
