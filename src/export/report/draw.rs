//! The report page as SVG in millimetres: header, grid, and per row the calibration pulse,
//! labels, column marks and traces.

use super::ReportInput;
use super::arrange::{self, Row, Source};
use crate::export::paper::{self, Sheet};
use crate::export::svg::{Ink, escape, trace_path};
use crate::export::{STANDARD_MM_PER_MV as MPV, STANDARD_MM_PER_S as MPS, Trace};
use std::fmt::Write;

/// White border around the page's content.
const MARGIN: f64 = 5.0;
/// Top of the grid: the header sits above it.
const PAPER_TOP: f64 = 30.0;
/// Room under the grid for the footer's notes.
const FOOTER: f64 = 5.0;
/// Width of the calibration pulse's slot before the traces.
const CAL_SLOT: f64 = 10.0;
/// Smallest and largest row height, mm.
const ROW_RANGE: (f64, f64) = (25.0, 45.0);
/// Colour of synthesized views and their notes: never mistaken for recorded black.
const SYNTH_COLOUR: &str = "#c0182a";
/// Colour of the words saying a lead is missing.
const MUTED: &str = "#777";

fn floor5(mm: f64) -> f64 {
    (mm / 5.0 + 1e-9).floor() * 5.0
}

/// The page's SVG (with the grid when `with_paper`; PNG paints it itself) and the gridded
/// sheet.
pub(super) fn page(input: &ReportInput, with_paper: bool) -> (String, Sheet) {
    let record = input.record;
    let (w, h) = input.paper.size_mm();
    let grid_w = floor5(w - 2.0 * MARGIN);
    let x0 = ((w - grid_w) / 2.0 * 100.0).round() / 100.0;
    let y0 = PAPER_TOP;
    let sheet = Sheet {
        x0,
        x1: x0 + grid_w,
        y0,
        y1: y0 + (h - MARGIN - FOOTER - y0).floor(),
    };
    let avail = sheet.y1 - sheet.y0;
    let window = input.window();

    let synth = input
        .synthesized
        .as_ref()
        .map(|s| arrange::synthesized_rows(s, record.fs, window.start))
        .unwrap_or_default();
    let room = ((avail / ROW_RANGE.0).floor() as usize).saturating_sub(synth.len());
    let (recorded, kind) = arrange::recorded_rows(record, window.start, room.max(1));
    // Synthesized rows go under the 3 × 4 block, above the rhythm strip.
    let mut rows: Vec<Row> = recorded.iter().filter(|r| !r.rhythm).cloned().collect();
    rows.extend(synth);
    rows.extend(recorded.into_iter().filter(|r| r.rhythm));
    let row_h = floor5(avail / rows.len().max(1) as f64).clamp(ROW_RANGE.0, ROW_RANGE.1);

    let mut out = String::with_capacity(256 * 1024);
    let _ = writeln!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}mm" height="{h}mm" viewBox="0 0 {w} {h}" font-family="DejaVu Sans, sans-serif">"#
    );
    let _ = writeln!(out, "<title>{}</title>", escape(&record.name));
    if with_paper {
        let _ = writeln!(out, r##"<rect width="{w}" height="{h}" fill="#fff"/>"##);
        paper::grid(&mut out, sheet);
    }
    header(&mut out, input, &kind, sheet);
    // Traces beyond the paper (an artefact, a huge QRS) must not print over the header.
    let _ = writeln!(
        out,
        r#"<clipPath id="sheet"><rect x="{}" y="{}" width="{}" height="{}"/></clipPath><g clip-path="url(#sheet)">"#,
        sheet.x0,
        sheet.y0,
        sheet.x1 - sheet.x0,
        sheet.y1 - sheet.y0
    );
    let x_trace = x0 + CAL_SLOT;
    for (i, row) in rows.iter().enumerate() {
        let top = y0 + i as f64 * row_h;
        let baseline = top + (0.6 * row_h / 5.0).round() * 5.0;
        draw_row(&mut out, row, record.fs, x0, x_trace, top, baseline);
    }
    out.push_str("</g>\n");
    footer(&mut out, &rows, sheet, h);
    out.push_str("</svg>\n");
    (out, sheet)
}

fn text(out: &mut String, class: &str, x: f64, y: f64, size: f64, extra: &str, body: &str) {
    let _ = writeln!(
        out,
        r#"<text class="{class}" x="{x:.2}" y="{y:.2}" font-size="{size}" xml:space="preserve"{extra}>{}</text>"#,
        escape(body)
    );
}

fn header(out: &mut String, input: &ReportInput, kind: &str, sheet: Sheet) {
    let r = input.record;
    let y = |k: f64| MARGIN + k;
    let bold = r#" font-weight="bold""#;
    text(
        out,
        "title",
        sheet.x0,
        y(5.0),
        5.0,
        bold,
        &format!("Record {}", r.name),
    );
    let right = r#" text-anchor="end""#;
    text(out, "kind", sheet.x1, y(5.0), 4.0, right, kind);
    let patient = input.patient.line();
    let patient = if patient.is_empty() {
        "Age, sex: not in the record's files".to_string()
    } else {
        patient
    };
    text(out, "patient", sheet.x0, y(10.5), 3.5, "", &patient);
    text(
        out,
        "measures",
        sheet.x0,
        y(16.0),
        3.5,
        "",
        &super::measures_line(&input.measures),
    );
    let window = input.window();
    let mut small = format!(
        "{MPS} mm/s · {MPV} mm/mV · {} Hz · {:.1}–{:.1} s of {:.1} s · each lead less its median",
        r.fs,
        window.start as f64 / r.fs,
        window.end as f64 / r.fs,
        r.duration_s()
    );
    if !input.note.is_empty() {
        small += " · ";
        small += &input.note;
    }
    text(out, "details", sheet.x0, y(21.5), 2.6, "", &small);
}

fn draw_row(out: &mut String, row: &Row, fs: f64, x0: f64, x_trace: f64, top: f64, base: f64) {
    out.push_str(if row.rhythm {
        "<g class=\"row rhythm\">\n"
    } else {
        "<g class=\"row\">\n"
    });
    paper::calibration_pulse(out, x0, base, MPS, MPV);
    for strip in &row.strips {
        let x = x_trace + strip.offset_s * MPS;
        if strip.offset_s > 0.0 {
            let _ = writeln!(
                out,
                r##"<path class="column-mark" d="M{x:.2} {:.2}V{:.2}" stroke="#000" stroke-width="0.3"/>"##,
                base - 4.0,
                base + 4.0
            );
        }
        let (label, colour, extra) = match strip.source {
            Source::Recorded => (strip.label.clone(), "#000", ""),
            Source::Derived => (format!("{} (derived)", strip.label), "#000", ""),
            Source::Synthesized => (
                format!("{} (synthesized)", strip.label),
                SYNTH_COLOUR,
                r##" fill="#c0182a""##,
            ),
            Source::Missing => (format!("{}: not recorded", strip.label), MUTED, ""),
        };
        let extra = if strip.source == Source::Missing {
            r##" fill="#777""##
        } else {
            extra
        };
        text(out, "label", x + 1.0, top + 4.0, 3.2, extra, &label);
        if strip.source == Source::Missing || strip.samples.is_empty() {
            continue;
        }
        let class = match (strip.source, row.rhythm) {
            (Source::Synthesized, _) => "trace synthesized",
            (_, true) => "trace rhythm",
            (Source::Derived, _) => "trace derived",
            _ => "trace",
        };
        let ink = Ink {
            mm_per_s: MPS,
            mm_per_mv: MPV,
            baseline: base,
            colour,
            class,
        };
        trace_path(
            out,
            &Trace::new(strip.label.clone(), strip.samples.clone(), fs),
            x,
            &ink,
        );
    }
    out.push_str("</g>\n");
}

fn footer(out: &mut String, rows: &[Row], sheet: Sheet, h: f64) {
    let y = sheet.y1 + 3.5;
    let derived: Vec<&str> = rows
        .iter()
        .flat_map(|r| &r.strips)
        .filter(|s| s.source == Source::Derived)
        .map(|s| s.label.as_str())
        .collect();
    let mut x = sheet.x0;
    if !derived.is_empty() {
        let note = format!("{} derived from I and II", derived.join(", "));
        text(out, "note", x, y.min(h - 1.0), 2.6, "", &note);
        x += crate::export::layout::text_width(&note, 2.6) + 4.0;
    }
    for note in rows.iter().filter_map(|r| r.note.as_deref()) {
        text(
            out,
            "note synthesized",
            x,
            y.min(h - 1.0),
            2.6,
            r##" fill="#c0182a""##,
            note,
        );
    }
}
