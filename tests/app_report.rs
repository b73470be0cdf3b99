//! The app's Export → 12-lead report, driven through the window headless, and the app's
//! figures against `ecg-panorama figure`'s: both come from one layout function, so the files
//! are the same.

mod common;
mod harness;

use ecg_panorama::app::View;
use ecg_panorama::app::export_dialog::{Format, What};
use eframe::egui::accesskit::Role;
use egui_kittest::kittest::Queryable;
use harness::{app, harness, settle};
use std::process::Command;

#[test]
fn export_menu_writes_the_12_lead_report() {
    let dir = tempfile::tempdir().unwrap();
    let rec = common::data_dir().join("ludb/data/1");
    let mut h = harness(app(Some(rec), View::Annotate, dir.path()));
    settle(&mut h);
    h.get_by_label("File").click();
    h.run_steps(2);
    h.get_by_label("Export…").click();
    h.run_steps(2);
    h.get_by_label("12-lead report").click();
    h.run_steps(2);
    h.get_by_label("Letter").click();
    h.get_by_label("PDF").click();
    h.run_steps(2);
    // The window is titled "Export" too: the button is the one to click.
    h.get_by_role_and_label(Role::Button, "Export").click();
    h.run_steps(2);
    settle(&mut h);
    let errors: Vec<_> = h
        .state()
        .state
        .messages
        .iter()
        .filter(|m| m.error)
        .collect();
    assert!(errors.is_empty(), "{errors:?}");

    let listing: Vec<_> = walk(dir.path());
    let pdf = std::fs::read(dir.path().join("exports/1-report.pdf"))
        .unwrap_or_else(|e| panic!("{e}: {listing:?} {:?}", h.state().state.messages));
    assert!(pdf.starts_with(b"%PDF-"));
    let (width, height) = common::page::media_box_mm(&pdf);
    assert!(
        (width - 279.4).abs() < 0.05 && (height - 215.9).abs() < 0.05,
        "Letter landscape"
    );

    // The same report as SVG names the patient and the rate from the record's cycles.
    let svg = dir.path().join("report.svg");
    h.state_mut().export(What::Report, Format::Svg, svg.clone());
    settle(&mut h);
    let svg = std::fs::read_to_string(svg).unwrap();
    assert!(
        svg.contains(">Age 51  ·  Sex F<") && svg.contains(">Rate 4"),
        "{}",
        &svg[..2000]
    );
    assert_eq!(svg.matches("class=\"trace\"").count(), 12);
}

#[test]
fn the_app_and_the_command_line_draw_the_same_figures() {
    let dir = tempfile::tempdir().unwrap();
    let rec = common::data_dir().join("ludb/data/2");
    let mut h = harness(app(Some(rec.clone()), View::Grid, dir.path()));
    settle(&mut h);
    for (what, kind) in [(What::Record, "record"), (What::Grid, "grid")] {
        let from_app = dir.path().join(format!("app-{kind}.svg"));
        h.state_mut().export(what, Format::Svg, from_app.clone());
        settle(&mut h);
        let from_cli = dir.path().join(format!("cli-{kind}.svg"));
        // The harness runs the app on the dipole engine.
        let out = Command::new(env!("CARGO_BIN_EXE_ecg-panorama"))
            .args([
                "figure",
                rec.to_str().unwrap(),
                "--kind",
                kind,
                "--engine",
                "dipole",
            ])
            .arg("--out")
            .arg(&from_cli)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let (a, b) = (
            std::fs::read_to_string(&from_app).unwrap(),
            std::fs::read_to_string(&from_cli).unwrap(),
        );
        assert!(
            a.contains("class=\"trace\""),
            "{kind}: a figure with traces"
        );
        assert!(
            a == b,
            "{kind}: the app's and the command line's figures differ"
        );
    }
}

fn walk(p: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(p).unwrap() {
        let e = e.unwrap().path();
        if e.is_dir() {
            out.extend(walk(&e));
        } else {
            out.push(e);
        }
    }
    out
}
