//! The 12-lead report's page: its scale measured in the page's own coordinates, its
//! arrangements (12 leads, 8 leads with derived limb leads, 2 leads), gaps, and bad input.
//!
//! The scale is read from the SVG that is converted to the PDF (svg2pdf maps it 1:1): path
//! coordinates are millimetres of the page, and the PDF's MediaBox is checked to be the SVG's
//! size in mm, so a millimetre measured here is a millimetre on the PDF's page.

mod common;

use common::page::{media_box_mm, paths, points};

use common::export_fixture::{FS, ecg};
use ecg_panorama::export::FigureFormat;
use ecg_panorama::export::report::{
    PaperSize, ReportInput, SynthesizedViews, patient_info, render_report, report_svg,
};
use ecg_panorama::geometry::STANDARD_12;
use ecg_panorama::record::{Lead, Record};

/// 10 s of a 0 mV baseline with 1 mV pulses of 0.2 s rising every second, at `FS`.
fn pulses() -> Vec<f64> {
    (0..(10.0 * FS) as usize)
        .map(|i| {
            let t = i as f64 / FS;
            if (0.5..0.7).contains(&(t % 1.0)) {
                1.0
            } else {
                0.0
            }
        })
        .collect()
}

fn record(names: &[&str], lead: impl Fn(usize, &str) -> Vec<f64>) -> Record {
    Record {
        name: "synthetic".into(),
        fs: FS,
        leads: names
            .iter()
            .enumerate()
            .map(|(k, n)| Lead::new(n, lead(k, n), false))
            .collect(),
        comments: vec!["<age>: 64".into(), "<sex>: M".into()],
        notes: Vec::new(),
    }
}

/// The strip labels of a report's SVG, in page order.
fn labels(svg: &str) -> Vec<&str> {
    svg.match_indices("class=\"label\"")
        .map(|(at, _)| {
            let s = &svg[at..];
            let s = &s[s.find('>').unwrap() + 1..];
            &s[..s.find('<').unwrap()]
        })
        .collect()
}

#[test]
fn one_mv_is_10_mm_one_second_25_mm_and_the_rhythm_strip_250_mm() {
    let rec = record(&STANDARD_12, |k, n| {
        if n == "II" { pulses() } else { ecg(10.0, k) }
    });
    for paper in [PaperSize::A4, PaperSize::Letter] {
        let mut input = ReportInput::new(&rec);
        input.paper = paper;
        let svg = report_svg(&input).unwrap();

        // The PDF page is the SVG's size in mm: the SVG's user unit is the PDF's millimetre.
        let (w, h) = paper.size_mm();
        assert!(svg.contains(&format!(
            r#"width="{w}mm" height="{h}mm" viewBox="0 0 {w} {h}""#
        )));
        let (pw, ph) = media_box_mm(&render_report(&input, FigureFormat::Pdf, 0.0).unwrap());
        assert!(
            (pw - w).abs() < 0.05 && (ph - h).abs() < 0.05,
            "{pw} × {ph} mm"
        );

        let rhythm = paths(&svg, "trace rhythm");
        assert_eq!(rhythm.len(), 1, "one rhythm strip");
        let runs = points(rhythm[0]);
        assert_eq!(runs.len(), 1, "no gap in the rhythm strip");
        let pts = &runs[0];
        let (x0, x1) = (pts[0].0, pts.last().unwrap().0);
        // 5000 samples: the last one is 9.998 s after the first.
        let span = x1 - x0 + 25.0 / FS;
        assert!((span - 250.0).abs() < 0.02, "rhythm strip spans {span} mm");

        // The row's calibration pulse stands on its baseline: 1 mV up is 10 mm up.
        let cal = paths(&svg, "cal");
        assert_eq!(cal.len(), 4, "a pulse at the start of each row");
        let cal = points(cal[3])[0].clone();
        let baseline = cal[0].1;
        let pulse_top = cal.iter().map(|p| p.1).fold(f64::INFINITY, f64::min);
        assert!(
            (baseline - pulse_top - 10.0).abs() < 0.01,
            "cal pulse {cal:?}"
        );
        assert!(
            (cal[3].0 - cal[2].0 - 5.0).abs() < 0.01,
            "0.2 s pulse is 5 mm"
        );

        // The trace: 0 mV on the baseline, 1 mV 10 mm above it.
        let low = pts.iter().map(|p| p.1).fold(f64::NEG_INFINITY, f64::max);
        let high = pts.iter().map(|p| p.1).fold(f64::INFINITY, f64::min);
        assert!(
            (low - baseline).abs() < 0.01,
            "0 mV at {low}, baseline {baseline}"
        );
        assert!((low - high - 10.0).abs() < 0.01, "1 mV = {} mm", low - high);

        // Rising edges one second apart are 25 mm apart.
        let rises: Vec<f64> = pts
            .windows(2)
            .filter(|w| w[0].1 - w[1].1 > 5.0)
            .map(|w| w[1].0)
            .collect();
        assert_eq!(rises.len(), 10, "{rises:?}");
        for pair in rises.windows(2) {
            assert!((pair[1] - pair[0] - 25.0).abs() < 0.01, "{pair:?}");
        }
        // The first rise is 0.5 s after the strip's start.
        assert!((rises[0] - x0 - 12.5).abs() < 0.01);
    }
}

#[test]
fn twelve_leads_in_three_rows_of_four_columns_of_the_same_time() {
    let rec = record(&STANDARD_12, |k, _| ecg(10.0, k));
    let mut input = ReportInput::new(&rec);
    input.patient = patient_info(&rec, None);
    let svg = report_svg(&input).unwrap();
    assert!(svg.contains(">Standard 12-lead ECG<"));
    assert!(svg.contains(">Age 64  ·  Sex M<"));
    assert!(svg.contains(">Rate — bpm"), "no cycles given: no rate");
    let traces = paths(&svg, "trace");
    assert_eq!(traces.len(), 12);
    let first_x = |d: &str| points(d)[0][0].0;
    // Each row is I aVR V1 V4 / II aVL V2 V5 / III aVF V3 V6, columns 62.5 mm (2.5 s) apart.
    for row in traces.chunks(4) {
        for (k, d) in row.iter().enumerate() {
            let dx = first_x(d) - first_x(row[0]);
            assert!((dx - 62.5 * k as f64).abs() < 0.01, "column {k} at {dx}");
        }
    }
    let labels = labels(&svg);
    let want = [
        "I", "aVR", "V1", "V4", "II", "aVL", "V2", "V5", "III", "aVF", "V3", "V6", "II",
    ];
    assert_eq!(labels, want);
}

#[test]
fn eight_leads_get_derived_limb_leads_and_nan_samples_are_gaps() {
    let names = ["I", "II", "V1", "V2", "V3", "V4", "V5", "V6"];
    // V1's column shows seconds 5–7.5: a gap at 6–6.2 s.
    let rec = record(&names, |k, n| {
        let mut x = ecg(10.0, k);
        if n == "V1" {
            x[3000..3100].fill(f64::NAN);
        }
        x
    });
    let svg = report_svg(&ReportInput::new(&rec)).unwrap();
    for lead in ["III", "aVR", "aVL", "aVF"] {
        assert!(svg.contains(&format!(">{lead} (derived)<")), "{lead}");
    }
    assert_eq!(paths(&svg, "trace derived").len(), 4);
    assert!(svg.contains("aVR, aVL, III, aVF derived from I and II"));
    // Recorded strips in page order: I, V1, V4, II, V2, V5, V3, V6.
    let v1 = paths(&svg, "trace")[1];
    assert_eq!(points(v1).len(), 2, "the gap splits V1 in two");

    // Without I, the limb leads cannot be derived: their slots say so and stay empty.
    let rec = record(&["II", "V1", "V2", "V3", "V4"], |k, _| ecg(10.0, k));
    let svg = report_svg(&ReportInput::new(&rec)).unwrap();
    for lead in ["I", "III", "aVR", "aVL", "aVF", "V5", "V6"] {
        assert!(svg.contains(&format!(">{lead}: not recorded<")), "{lead}");
    }
    // V1, V4 / II, V2 / V3 (lead II's rhythm strip apart).
    assert_eq!(paths(&svg, "trace").len(), 5);
}

#[test]
fn two_leads_are_two_full_strips() {
    let rec = record(&["ECG1", "ECG2"], |k, _| ecg(10.0, k));
    let svg = report_svg(&ReportInput::new(&rec)).unwrap();
    assert!(svg.contains(">2-lead ECG<"));
    assert!(paths(&svg, "trace rhythm").is_empty());
    let strips = paths(&svg, "trace");
    assert_eq!(strips.len(), 2);
    for d in strips {
        let run = &points(d)[0];
        let span = run.last().unwrap().0 - run[0].0 + 25.0 / FS;
        assert!((span - 250.0).abs() < 0.02, "{span}");
    }
    for format in [FigureFormat::Png, FigureFormat::Pdf] {
        assert!(
            !render_report(&ReportInput::new(&rec), format, 100.0)
                .unwrap()
                .is_empty()
        );
    }
}

#[test]
fn more_leads_than_rows_share_them_in_columns_and_none_is_dropped() {
    // Twelve channels the program cannot name (not numbered in order, so never renamed).
    let names: Vec<String> = "ABCDEFGHJKMN"
        .chars()
        .map(|c| format!("site {c}"))
        .collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let rec = record(&names, |k, _| ecg(10.0, k));
    let svg = report_svg(&ReportInput::new(&rec)).unwrap();
    assert!(svg.contains(">12-lead ECG (2 columns of 5 s)<"), "the kind");
    assert!(!svg.contains("leads shown"));
    let strips = paths(&svg, "trace");
    assert_eq!(strips.len(), 12, "every lead is drawn");
    // Column-major: the first six leads in the left column from 0 s, the others beside them
    // from 5 s (125 mm to the right), each strip 5 s (125 mm) long.
    let start = |d: &str| points(d)[0][0].0;
    for (k, d) in strips.iter().enumerate() {
        let run = &points(d)[0];
        let span = run.last().unwrap().0 - run[0].0 + 25.0 / FS;
        assert!((span - 125.0).abs() < 0.02, "strip {k}: {span} mm");
    }
    let labels = labels(&svg);
    // Page order is row by row: A, G / B, H / …
    for (row, pair) in labels.chunks(2).enumerate() {
        assert_eq!(pair, [names[row], names[row + 6]]);
    }
    for row in strips.chunks(2) {
        let dx = start(row[1]) - start(row[0]);
        assert!((dx - 125.0).abs() < 0.01, "{dx}");
    }
}

#[test]
fn synthesized_views_are_marked_and_bad_input_is_an_error() {
    let rec = record(&STANDARD_12, |k, _| ecg(10.0, k));
    let mut input = ReportInput::new(&rec);
    input.synthesized = Some(SynthesizedViews {
        engine: "Dipole".into(),
        inputs: vec!["II".into(), "V2".into(), "V5".into()],
        views: vec![("V4R".into(), ecg(10.0, 3)), ("V8".into(), ecg(10.0, 4))],
    });
    let svg = report_svg(&input).unwrap();
    assert_eq!(paths(&svg, "trace synthesized").len(), 2);
    assert!(
        svg.contains(">V4R (synthesized)<")
            && svg.contains("Synthesized by Dipole from II, V2, V5")
    );

    let err = |input: &ReportInput| report_svg(input).unwrap_err().to_string();
    input.synthesized.as_mut().unwrap().views[1].1.truncate(10);
    assert!(err(&input).contains("V8 has 10 samples"), "{}", err(&input));
    input.synthesized = Some(SynthesizedViews {
        engine: "Dipole".into(),
        inputs: vec![],
        views: (0..9).map(|i| (format!("v{i}"), ecg(10.0, 1))).collect(),
    });
    assert!(err(&input).contains("room for 8"));
    input.synthesized = None;
    input.start_s = 12.0;
    assert!(err(&input).contains("lasts 10.0 s"));
    let empty = Record {
        leads: Vec::new(),
        ..rec.clone()
    };
    assert!(
        report_svg(&ReportInput::new(&empty))
            .unwrap_err()
            .to_string()
            .contains("no samples")
    );
    let bad_rate = Record { fs: 0.0, ..rec };
    assert!(report_svg(&ReportInput::new(&bad_rate)).is_err());
}
