//! Figures on calibrated ECG paper, as a user gets them on disk: each format opens in an
//! independent reader, the paper scale is true, and failures leave no file behind.

mod common;

use common::export_fixture::{
    FS, ecg, lead_ii_with_a_gap, only_blocker_left, unwritable, view_label,
};
use ecg_panorama::export::{
    Band, Figure, FigureFormat, Panel, Trace, figure_svg, paper_size_mm, png_size_px, write_figure,
    write_figure_dpi,
};
use ecg_panorama::geometry::STANDARD_12;
use std::path::Path;

fn twelve_lead_figure() -> Figure {
    let panels = STANDARD_12
        .iter()
        .enumerate()
        .map(|(k, name)| Panel::new(*name, Trace::new(*name, ecg(10.0, k), FS)))
        .collect();
    Figure {
        subtitle: "recorded, 12 leads".into(),
        ..Figure::new("LUDB 1", panels)
    }
}

/// The 24-view grid: one cycle per view, bands, and the nearest recorded lead as an overlay.
fn grid_figure() -> Figure {
    let bands = [
        ("P", 0.06, 0.14, [230, 160, 40]),
        ("PR", 0.14, 0.22, [200, 200, 200]),
        ("QRS", 0.22, 0.28, [200, 40, 40]),
        ("ST", 0.28, 0.42, [120, 120, 220]),
        ("T", 0.42, 0.6, [40, 160, 80]),
        ("TP", 0.6, 0.8, [180, 180, 180]),
    ];
    let panels = (0..24)
        .map(|k| {
            let cycle = ecg(0.8, k % 12);
            let mut p = Panel::new(view_label(k), Trace::new("Nef-Net", cycle.clone(), FS));
            let nearest: Vec<f64> = cycle.iter().map(|v| 0.9 * v).collect();
            p.overlays.push(Trace::new(
                format!("recorded {}", STANDARD_12[k % 12]),
                nearest,
                FS,
            ));
            p.bands = bands
                .iter()
                .map(|&(label, start_s, end_s, rgb)| Band {
                    label: label.into(),
                    start_s,
                    end_s,
                    rgb,
                })
                .collect();
            p
        })
        .collect();
    Figure {
        subtitle: "Nef-Net from II, V2, V5".into(),
        columns: 6,
        ..Figure::new("LUDB 1, cycle 3", panels)
    }
}

/// Labels a figure must show: every panel, the title, the subtitle and the printed scale.
fn expected_texts(fig: &Figure) -> Vec<String> {
    let mut t: Vec<String> = fig.panels.iter().map(|p| p.label.clone()).collect();
    t.extend([
        fig.title.clone(),
        fig.subtitle.clone(),
        "25 mm/s · 10 mm/mV".into(),
    ]);
    for p in &fig.panels {
        t.extend(p.overlays.iter().map(|o| o.label.clone()));
    }
    t
}

fn read_png(path: &Path) -> (png::OutputInfo, Option<png::PixelDimensions>, Vec<u8>) {
    let decoder = png::Decoder::new(std::fs::File::open(path).unwrap());
    let mut reader = decoder.read_info().unwrap();
    let dims = reader.info().pixel_dims;
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    buf.truncate(info.buffer_size());
    (info, dims, buf)
}

/// The MediaBox of a one-page PDF, in points.
fn media_box(pdf: &[u8]) -> [f64; 4] {
    let text = String::from_utf8_lossy(pdf);
    let at = text.find("/MediaBox").expect("PDF has a MediaBox");
    let open = at + text[at..].find('[').unwrap();
    let close = open + text[open..].find(']').unwrap();
    let v: Vec<f64> = text[open + 1..close]
        .split_whitespace()
        .map(|s| s.parse().unwrap())
        .collect();
    v.try_into().unwrap()
}

fn svg_size_mm(svg: &str) -> (f64, f64) {
    let attr = |name: &str| -> f64 {
        let key = format!(" {name}=\"");
        let at = svg.find(&key).unwrap() + key.len();
        let end = at + svg[at..].find("mm\"").unwrap();
        svg[at..end].parse().unwrap()
    };
    (attr("width"), attr("height"))
}

/// Export `fig` in every format and check what each reader sees.
fn check_all_formats(fig: &Figure, dir: &Path, stem: &str, dpi: f64) {
    let (w_mm, h_mm) = paper_size_mm(fig).unwrap();

    let svg_path = dir.join(format!("{stem}.svg"));
    write_figure(fig, FigureFormat::Svg, &svg_path).unwrap();
    let svg = std::fs::read_to_string(&svg_path).unwrap();
    assert_eq!(svg_size_mm(&svg), (w_mm, h_mm), "SVG size in mm");
    assert!(svg.contains(&format!("viewBox=\"0 0 {w_mm} {h_mm}\"")));
    let tree = resvg::usvg::Tree::from_str(&svg, &resvg::usvg::Options::default())
        .expect("usvg parses the SVG");
    let px_per_mm = 96.0 / 25.4;
    assert!((f64::from(tree.size().width()) - w_mm * px_per_mm).abs() < 0.01);
    assert!((f64::from(tree.size().height()) - h_mm * px_per_mm).abs() < 0.01);
    for text in expected_texts(fig) {
        assert!(svg.contains(&text), "SVG lacks {text:?}");
    }
    assert_eq!(svg.matches("class=\"cal\"").count(), fig.panels.len());
    assert_eq!(svg.matches("class=\"trace\"").count(), fig.panels.len());

    let png_path = dir.join(format!("{stem}.png"));
    write_figure_dpi(fig, FigureFormat::Png, &png_path, dpi).unwrap();
    let (info, dims, pixels) = read_png(&png_path);
    let want = (
        (w_mm / 25.4 * dpi).round() as u32,
        (h_mm / 25.4 * dpi).round() as u32,
    );
    assert_eq!(
        (info.width, info.height),
        want,
        "PNG pixel size at {dpi} dpi"
    );
    assert_eq!(png_size_px(fig, dpi).unwrap(), want);
    let dims = dims.expect("PNG records its density");
    assert_eq!(dims.unit, png::Unit::Meter);
    assert_eq!(dims.xppu, (dpi / 0.0254).round() as u32);
    // Ink is there (traces, text) and the paper is light.
    let channels = info.color_type.samples();
    let dark = pixels
        .chunks_exact(channels)
        .filter(|p| p[0] < 80 && p[1] < 80 && p[2] < 80)
        .count();
    let light = pixels
        .chunks_exact(channels)
        .filter(|p| p[0] > 200 && p[1] > 150)
        .count();
    let total = (info.width * info.height) as usize;
    assert!(dark > total / 1000, "too little ink: {dark} of {total}");
    assert!(light > total / 2, "paper is not light: {light} of {total}");
    // A page at 150 dpi is a few million pixels of mostly paper: it must stay mail-sized.
    let bytes = std::fs::metadata(&png_path).unwrap().len();
    assert!(
        bytes < 2 << 20,
        "PNG of {}×{} pixels takes {bytes} bytes",
        info.width,
        info.height
    );

    let pdf_path = dir.join(format!("{stem}.pdf"));
    write_figure(fig, FigureFormat::Pdf, &pdf_path).unwrap();
    let pdf = std::fs::read(&pdf_path).unwrap();
    assert!(pdf.starts_with(b"%PDF"));
    let [x0, y0, x1, y1] = media_box(&pdf);
    let mm = |pt: f64| pt / 72.0 * 25.4;
    assert!(
        (mm(x1 - x0) / w_mm - 1.0).abs() < 0.01,
        "PDF width {} mm",
        mm(x1 - x0)
    );
    assert!(
        (mm(y1 - y0) / h_mm - 1.0).abs() < 0.01,
        "PDF height {} mm",
        mm(y1 - y0)
    );
    assert!(
        pdf.windows(10).any(|w| w == b"DejaVuSans"),
        "the font is embedded"
    );

    // Nothing but the three figures in the folder: no temporary files left over.
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(stem) || n.starts_with('.'))
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["pdf", "png", "svg"].map(|e| format!("{stem}.{e}")),
        "only the figures"
    );
}

#[test]
fn twelve_lead_page_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let fig = twelve_lead_figure();
    let (w, h) = paper_size_mm(&fig).unwrap();
    // 10 s at 25 mm/s needs 250 mm of paper per strip.
    assert!(w >= 260.0 && h > 12.0 * 20.0, "{w} × {h} mm");
    check_all_formats(&fig, dir.path(), "page", 150.0);
}

#[test]
fn twenty_four_view_grid_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let fig = grid_figure();
    let svg = figure_svg(&fig);
    // Every band is named in the header's key; the wide ones in the strips as well.
    for band in ["P", "PR", "QRS", "ST", "T", "TP"] {
        assert!(svg.contains(&format!(">{band}</text>")), "band {band}");
    }
    assert_eq!(svg.matches(r#"<rect class="band-key""#).count(), 6);
    assert_eq!(
        svg.matches(">TP</text>").count(),
        1 + 24,
        "TP is wide enough to name"
    );
    assert_eq!(svg.matches(r#"<rect class="band""#).count(), 6 * 24);
    check_all_formats(&fig, dir.path(), "grid", 96.0);
}

#[test]
fn format_follows_the_extension() {
    assert_eq!(
        FigureFormat::from_path(Path::new("a/b.PNG")),
        Some(FigureFormat::Png)
    );
    assert_eq!(
        FigureFormat::from_path(Path::new("b.svg")),
        Some(FigureFormat::Svg)
    );
    assert_eq!(
        FigureFormat::from_path(Path::new("b.pdf")),
        Some(FigureFormat::Pdf)
    );
    assert_eq!(FigureFormat::from_path(Path::new("b.jpg")), None);
    assert_eq!(FigureFormat::from_path(Path::new("b")), None);
}

#[test]
fn scale_is_true_on_paper() {
    // A 1 mV step sampled at 25 Hz: one sample per mm at 25 mm/s, 10 mm of rise at 10 mm/mV.
    let trace = Trace::new("step", vec![0.0, 0.0, 1.0, 1.0], 25.0);
    let fig = Figure::new("scale", vec![Panel::new("II", trace)]);
    let svg = figure_svg(&fig);
    assert!(
        svg.contains(r#"class="cal" d="M5 "#),
        "pulse at the strip start"
    );
    assert!(svg.contains("h1v-10h5v10h1\""), "1 mV pulse: 10 mm × 0.2 s");
    assert!(svg.contains("l1 0 1-10 1 0\""), "trace path: {svg}");

    let doubled = Figure {
        mm_per_s: 50.0,
        mm_per_mv: 20.0,
        ..fig
    };
    let svg = figure_svg(&doubled);
    assert!(svg.contains("50 mm/s · 20 mm/mV"));
    assert!(svg.contains("h1v-20h10v20h1\""));
    assert!(svg.contains("l2 0 2-20 2 0\""));
}

/// The `d` attribute of the first path of `class`.
fn path_data<'a>(svg: &'a str, class: &str) -> &'a str {
    let key = format!("class=\"{class}\" d=\"");
    let at = svg.find(&key).unwrap() + key.len();
    &svg[at..at + svg[at..].find('"').unwrap()]
}

#[test]
fn nan_samples_are_gaps_in_every_figure_format() {
    let dir = tempfile::tempdir().unwrap();
    let trace = Trace::new("II", lead_ii_with_a_gap(), FS);
    let fig = Figure::new("gaps", vec![Panel::new("II", trace)]);

    let svg = figure_svg(&fig);
    assert_eq!(
        path_data(&svg, "trace").matches('M').count(),
        2,
        "one gap splits the line in two"
    );
    write_figure(&fig, FigureFormat::Png, &dir.path().join("gaps.png")).unwrap();
    write_figure(&fig, FigureFormat::Pdf, &dir.path().join("gaps.pdf")).unwrap();
}

#[test]
fn unwritable_paths_fail_cleanly_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let fig = twelve_lead_figure();
    for base in unwritable(dir.path()) {
        for format in [FigureFormat::Png, FigureFormat::Svg, FigureFormat::Pdf] {
            let path = base.with_extension(format.extension());
            let err = write_figure(&fig, format, &path).unwrap_err().to_string();
            assert!(err.contains(&path.display().to_string()), "{err}");
        }
    }
    only_blocker_left(dir.path());
}

#[test]
fn bad_figures_are_errors_not_panics() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.png");
    let empty = Figure::new("empty", Vec::new());
    let err = write_figure(&empty, FigureFormat::Png, &path)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("bad.png") && err.contains("no panels"),
        "{err}"
    );
    assert!(
        figure_svg(&empty).contains("no panels"),
        "the SVG states the problem"
    );

    for fs in [0.0, -500.0, f64::NAN] {
        let fig = Figure::new(
            "bad rate",
            vec![Panel::new("II", Trace::new("II", vec![0.0; 10], fs))],
        );
        for format in [FigureFormat::Png, FigureFormat::Svg, FigureFormat::Pdf] {
            let err = write_figure(&fig, format, &path).unwrap_err().to_string();
            assert!(err.contains("sampling rate"), "{err}");
        }
    }
    let fig = Figure {
        columns: 0,
        ..twelve_lead_figure()
    };
    assert!(write_figure(&fig, FigureFormat::Svg, &path).is_err());
    let err = write_figure_dpi(&twelve_lead_figure(), FigureFormat::Png, &path, 0.0)
        .unwrap_err()
        .to_string();
    assert!(err.contains("dpi"), "{err}");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

/// Timings of a 12-lead page (3 × 4 strips of 2.5 s): run with `--ignored --nocapture`.
#[test]
#[ignore]
fn timing_twelve_lead_page() {
    let panels = STANDARD_12
        .iter()
        .enumerate()
        .map(|(k, name)| {
            let t0 = 2.5 * (k / 3) as f64;
            let all = ecg(10.0, k);
            let part = all[(t0 * FS) as usize..((t0 + 2.5) * FS) as usize].to_vec();
            Panel::new(*name, Trace::new(*name, part, FS).starting_at(t0))
        })
        .collect::<Vec<_>>();
    // Column-major 3 × 4: reorder so row r holds leads r, r+3, r+6, r+9.
    let panels = (0..12)
        .map(|i| panels[(i % 4) * 3 + i / 4].clone())
        .collect();
    let fig = Figure {
        columns: 4,
        ..Figure::new("LUDB 1", panels)
    };
    let time = |f: &dyn Fn()| {
        f();
        let start = std::time::Instant::now();
        for _ in 0..5 {
            f();
        }
        start.elapsed().as_secs_f64() / 5.0 * 1000.0
    };
    let svg = time(&|| drop(figure_svg(&fig)));
    let png = time(&|| drop(ecg_panorama::export::figure_png(&fig, 150.0).unwrap()));
    let pdf = time(&|| drop(ecg_panorama::export::figure_pdf(&fig).unwrap()));
    eprintln!("12-lead page: SVG {svg:.1} ms, PNG {png:.1} ms, PDF {pdf:.1} ms");
}

#[test]
fn the_anomaly_heat_band_is_drawn_where_a_lead_departs_and_keyed() {
    let trace = Trace::new("II", ecg(10.0, 1), FS);
    let n = trace.samples.len();
    let mut panel = Panel::new("II", trace.clone());
    // Within the band for the first half, far above it for one second after.
    panel.heat = (0..n)
        .map(|i| {
            if i > n / 2 && i < n / 2 + FS as usize {
                6.0
            } else {
                0.8
            }
        })
        .collect();
    let fig = Figure::new("heat", vec![panel.clone(), Panel::new("I", trace)]);
    let svg = figure_svg(&fig);
    let rects: Vec<&str> = svg
        .lines()
        .filter(|l| l.contains("class=\"heat\""))
        .collect();
    assert_eq!(rects.len(), 1, "one run of one colour: {rects:?}");
    // 1 s at 25 mm/s is 25 mm wide, give or take a half-millimetre column.
    let width: f64 = rects[0]
        .split("width=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .and_then(|w| w.parse().ok())
        .unwrap();
    assert!((width - 25.0).abs() <= 1.0, "width {width} mm");
    assert!(
        svg.contains("anomaly (above the 80 % band)"),
        "the key names it"
    );
    // Heat that does not match the trace is refused, not drawn askew.
    panel.heat.truncate(10);
    let dir = tempfile::tempdir().unwrap();
    let err = write_figure(
        &Figure::new("bad heat", vec![panel]),
        FigureFormat::Png,
        &dir.path().join("bad.png"),
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("anomaly scores"), "{err}");
}
