//! The clinical extra leads (V3R–V6R, V7–V9) through `ecg-panorama synth` and the engines: as
//! views by name, and as recorded input leads.

mod common;

use ecg_panorama::delineate::CycleBounds;
use ecg_panorama::eval::panorama::DipoleLeastSquares;
use ecg_panorama::geometry::{Viewpoint, lead_view, normalise_lead_name};
use ecg_panorama::panorama::{CycleInput, EngineKind, engine_for, record_cycles, synthesize};
use ecg_panorama::record::{Lead, open_record};
use ecg_panorama::signal::detrend;
use std::path::PathBuf;
use std::process::Command;

fn ludb(name: &str) -> PathBuf {
    common::data_dir().join("ludb/data").join(name)
}

fn view(name: &str) -> Viewpoint {
    lead_view(&normalise_lead_name(name), false)
        .unwrap()
        .viewpoint
}

/// Run `synth` on LUDB record 2 and return the CSV's rows (cells `None` when empty).
fn synth_rows(args: &[&str]) -> (String, Vec<Vec<Option<f64>>>) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.csv");
    let run = Command::new(env!("CARGO_BIN_EXE_ecg-panorama"))
        .arg("synth")
        .arg(ludb("2"))
        .args(args)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "synth {args:?}: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    let text = std::fs::read_to_string(&out).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap().to_string();
    let rows = lines
        .map(|l| {
            l.split(',')
                .map(|c| (!c.is_empty()).then(|| c.parse().unwrap()))
                .collect()
        })
        .collect();
    (header, rows)
}

#[test]
fn synth_views_v4r_and_v8_by_name() {
    let record = open_record(&ludb("2")).unwrap();
    let cycles = record_cycles(&record, Some(&ludb("2"))).unwrap();
    let args = [
        "--engine", "dipole", "--inputs", "I,II,V2", "--view", "v-4r", "--view", "V8",
    ];
    let (header, rows) = synth_rows(&args);
    assert_eq!(header, "time_s,V4R,V8", "canonical names as columns");
    assert_eq!(rows.len(), record.len());
    // The dipole engine's V4R and V8 are fixed combinations of the detrended inputs.
    let c = cycles[1];
    let x: Vec<Vec<f64>> = ["I", "II", "V2"]
        .iter()
        .map(|n| detrend(&record.lead(n).unwrap().samples[c.start()..=c.end()]))
        .collect();
    for (col, target) in [(1, "V4R"), (2, "V8")] {
        let w = DipoleLeastSquares::weights(&["I", "II", "V2"], target).unwrap();
        for j in (0..x[0].len()).step_by(7) {
            let want: f64 = (0..3).map(|l| w[l] * x[l][j]).sum();
            let got = rows[c.start() + j][col].unwrap();
            assert!(
                (got - want).abs() < 1e-9,
                "{target} at {j}: {got} vs {want}"
            );
        }
    }
    // V4R and V8 look from opposite sides of V4 and V6: not a copy of one another.
    let span = c.start()..=c.end();
    let diff: f64 = rows[span]
        .iter()
        .map(|r| (r[1].unwrap() - r[2].unwrap()).abs())
        .sum();
    assert!(diff > 1.0, "{diff}");

    let (header, rows) = synth_rows(&[
        "--engine", "nefnet", "--inputs", "I,II,V2", "--view", "V4R", "--view", "V8",
    ]);
    assert_eq!(header, "time_s,V4R,V8");
    let filled = rows.iter().filter(|r| r[1].is_some()).count();
    assert!(filled > record.len() / 2, "{filled} samples synthesized");
    assert!(
        rows.iter()
            .flat_map(|r| &r[1..])
            .flatten()
            .all(|v| v.is_finite())
    );
}

#[test]
fn a_recorded_v4r_or_v7_is_an_input_like_any_other_lead() {
    // A heart vector seen by I, II, V2 and by recorded V4R and V7 (as some records hold them).
    let n = 400;
    let d: Vec<glam::DVec3> = (0..n)
        .map(|i| {
            let t = i as f64 / n as f64;
            glam::DVec3::new(
                0.4 * (5.0 * t).sin() + (-(t - 0.35).powi(2) * 300.0).exp(),
                1.2 * (-(t - 0.37).powi(2) * 500.0).exp() - 0.2,
                0.5 * (9.0 * t + 1.0).cos(),
            )
        })
        .collect();
    let project = |name: &str| -> Vec<f64> {
        let u = view(name).unit_vector();
        d.iter().map(|v| u.dot(*v)).collect()
    };
    let recorded = Lead::new("V-4R", project("V4R"), false);
    assert_eq!(recorded.name, "V4R");
    assert_eq!(recorded.view.unwrap().viewpoint, view("V4R"));
    let names = ["I", "II", "V2", "V4R", "V7"];
    let input = CycleInput {
        fs: 500.0,
        leads: names.iter().map(|&l| (l.to_string(), project(l))).collect(),
        boundaries: CycleBounds::new([0, 45, 80, 130, 200, 280, n - 1], n).unwrap(),
    };
    let views = [view("V4R"), view("V7"), view("V8"), view("V5R")];
    for kind in [EngineKind::Dipole, EngineKind::NefNet] {
        let engine = engine_for(kind, None).unwrap();
        let field = engine.encode(&input).unwrap();
        let out = engine.render(&field, &views).unwrap();
        assert_eq!(
            out[0], input.leads[3].1,
            "{kind:?}: recorded V4R comes back as is"
        );
        assert_eq!(
            out[1], input.leads[4].1,
            "{kind:?}: recorded V7 comes back as is"
        );
        for x in &out[2..] {
            assert_eq!(x.len(), n);
            assert!(x.iter().all(|v| v.is_finite()), "{kind:?}");
        }
        if kind == EngineKind::Dipole {
            // Five views of one dipole: the fit is exact wherever it looks from.
            for (x, v) in out[2..].iter().zip(&views[2..]) {
                let u = v.unit_vector();
                for (got, dv) in x.iter().zip(&d) {
                    assert!((got - u.dot(*dv)).abs() < 1e-9);
                }
            }
        }
    }
}

#[test]
fn a_record_with_extra_leads_synthesizes_from_them() {
    let mut record = open_record(&ludb("2")).unwrap();
    let cycles = record_cycles(&record, Some(&ludb("2"))).unwrap();
    // Lead V6 filed under the name V7 stands in for a recorded posterior lead.
    let v6 = record.lead("V6").unwrap().samples.clone();
    record.leads.push(Lead::new("v7", v6, false));
    let engine = engine_for(EngineKind::NefNet, None).unwrap();
    let out = synthesize(
        engine.as_ref(),
        &record,
        &["I", "II", "V2", "V7"],
        &cycles[..3],
        &[view("V7"), view("V9")],
        None,
    )
    .unwrap();
    assert_eq!(out.cycles, 3, "skipped: {:?}", out.skipped);
    let c = cycles[0];
    let v7 = detrend(&record.lead("V7").unwrap().samples[c.start()..=c.end()]);
    assert_eq!(&out.views[0][c.start()..=c.end()], v7.as_slice());
    assert!(
        out.views[1][c.start()..=c.end()]
            .iter()
            .all(|v| v.is_finite())
    );
}
