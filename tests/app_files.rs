//! The desktop app and files, headless: export in every format, malformed and missing
//! records, recent files, the shared records.

mod common;
mod harness;

use ecg_panorama::app::export_dialog::{Format, What};
use ecg_panorama::app::{App, View};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use harness::{app, harness, settle};

fn errors(h: &Harness<'static, App>) -> Vec<String> {
    h.state()
        .state
        .messages
        .iter()
        .filter(|m| m.error)
        .map(|m| m.text.clone())
        .collect()
}

#[test]
fn every_export_format_writes_a_readable_file() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(app(None, View::Panorama, dir.path()));
    settle(&mut h);
    h.get_by_label("Grid").click();
    settle(&mut h);
    let out = dir.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    for (what, name) in [
        (What::View, "view"),
        (What::Grid, "grid"),
        (What::Record, "record"),
    ] {
        for format in [Format::Png, Format::Svg, Format::Pdf] {
            let path = out.join(format!("{name}.{}", format.extension()));
            h.state_mut().export(what, format, path.clone());
            settle(&mut h);
            assert!(errors(&h).is_empty(), "{:?}", errors(&h));
            let bytes = std::fs::read(&path).unwrap();
            match format {
                Format::Png => {
                    let decoder = png::Decoder::new(std::io::Cursor::new(&bytes));
                    let reader = decoder.read_info().unwrap();
                    assert!(reader.info().width > 100 && reader.info().height > 100);
                }
                Format::Svg => {
                    let tree =
                        resvg::usvg::Tree::from_data(&bytes, &resvg::usvg::Options::default())
                            .unwrap();
                    assert!(tree.size().width() > 10.0);
                    let text = String::from_utf8(bytes).unwrap();
                    assert!(
                        text.contains("demo-synthetic"),
                        "the record name is printed"
                    );
                }
                _ => assert!(bytes.starts_with(b"%PDF"), "{name}.pdf"),
            }
        }
    }
    let csv = out.join("grid.csv");
    h.state_mut().export(What::Grid, Format::Csv, csv.clone());
    settle(&mut h);
    let text = std::fs::read_to_string(&csv).unwrap();
    let header: Vec<&str> = text.lines().next().unwrap().split(',').collect();
    assert_eq!(header.len(), 25, "time and the 24 views: {header:?}");
    assert_eq!(header[0], "time_s");
    let rows = text.lines().skip(1).filter(|l| !l.is_empty()).count();
    assert_eq!(
        rows,
        h.state()
            .output(ecg_panorama::app::synth::Purpose::Grid)
            .unwrap()
            .segments[0]
            .signals[0]
            .len()
    );
    let wfdb = out.join("view");
    h.state_mut().export(What::View, Format::Wfdb, wfdb.clone());
    settle(&mut h);
    let rec = ecg_panorama::record::open_record(&wfdb).unwrap();
    assert_eq!(rec.leads.len(), 1);
    assert!(
        rec.leads[0]
            .samples
            .iter()
            .any(|v| v.is_finite() && v.abs() > 0.05)
    );
}

#[test]
fn a_malformed_file_shows_an_error_and_the_app_stays_usable() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("broken.hea");
    std::fs::write(&bad, "this is not a header\n\x00\x01").unwrap();
    // From the command line: the window opens on the error, with no record.
    let mut h = harness(app(Some(bad.clone()), View::Panorama, dir.path()));
    settle(&mut h);
    assert!(h.state().state.record.is_none());
    let errs = errors(&h);
    assert!(errs.iter().any(|e| e.contains("broken")), "{errs:?}");
    h.get_by_label_contains("Cannot open the record");
    // Still usable: the path field opens the demo.
    h.state_mut().state.path_field.clear();
    h.state_mut().open(None);
    settle(&mut h);
    assert_eq!(
        h.state().state.record.as_ref().unwrap().name,
        "demo-synthetic"
    );
    // A bad file while a record is open keeps that record.
    h.state_mut().open(Some(dir.path().join("missing")));
    settle(&mut h);
    assert_eq!(
        h.state().state.record.as_ref().unwrap().name,
        "demo-synthetic"
    );
    assert!(errors(&h).iter().any(|e| e.contains("missing")));
    h.get_by_label("Record").click();
    settle(&mut h);
    h.get_by_label("ECG paper");
}

#[test]
fn a_typed_path_opens_and_is_remembered() {
    let dir = tempfile::tempdir().unwrap();
    let rec = common::data_dir().join("ludb/data/1");
    let mut h = harness(app(None, View::Annotate, dir.path()));
    settle(&mut h);
    h.state_mut().state.path_field = rec.display().to_string();
    h.get_by_label("Open path").click();
    settle(&mut h);
    let s = &h.state().state;
    assert_eq!(s.record.as_ref().unwrap().name, "1");
    assert_eq!(s.recent.first(), Some(&rec));
    // LUDB's cardiologist boundaries are loaded, not the annotator's.
    assert!(s.annotations.as_ref().unwrap().source().contains("1.ii"));
    // The user is told that LUDB's per-lead header gains were replaced by one.
    assert!(
        s.messages
            .iter()
            .any(|m| !m.error && m.text.contains("Opened 1") && m.text.contains("Einthoven")),
        "{:?}",
        s.messages.iter().map(|m| &m.text).collect::<Vec<_>>()
    );
    let again = App::with_data_dir(None, View::Annotate, None, dir.path().to_path_buf());
    assert_eq!(again.state.recent.first(), Some(&rec));
}

#[test]
fn the_shared_records_open_in_every_view() {
    let data = common::data_dir();
    for rec in ["wfdb-samples/s0010_re", "wfdb-samples/100"] {
        let dir = tempfile::tempdir().unwrap();
        let mut h = harness(app(Some(data.join(rec)), View::Panorama, dir.path()));
        settle(&mut h);
        let s = &h.state().state;
        assert!(errors(&h).is_empty(), "{rec}: {:?}", errors(&h));
        assert!(!s.cycles().is_empty(), "{rec}: cycles");
        if rec.ends_with("s0010_re") {
            let points: Vec<String> = s.lead_points().into_iter().map(|p| p.0).collect();
            assert!(
                points.contains(&"vz".to_string()),
                "Frank leads on the sphere"
            );
        }
        for view in ["Grid", "Record"] {
            h.get_by_label(view).click();
            settle(&mut h);
        }
    }
}
