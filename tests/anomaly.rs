//! The anomaly map: a swapped-electrode record is told apart from its original, the map marks
//! flat leads instead of scoring them, `anomaly` on the command line, and the heat band and swap
//! warning in the app.

mod common;
mod harness;

use ecg_panorama::anomaly::normal::NormalModel;
use ecg_panorama::anomaly::swaps::{Swap, check_swaps};
use ecg_panorama::anomaly::{Unscored, anomaly_map};
use ecg_panorama::app::View;
use ecg_panorama::app::anomaly_pane::STATUS_LABEL;
use ecg_panorama::app::export_dialog::{Format, What, anomaly_csv_path};
use ecg_panorama::delineate::CycleBounds;
use ecg_panorama::panorama::{Engine, EngineKind, engine_for, find_record_cycles};
use ecg_panorama::record::csv_io::write_csv;
use ecg_panorama::record::{Record, open_record};
use egui_kittest::kittest::Queryable;
use harness::{app, harness, settle};
use std::path::PathBuf;
use std::process::Command;

/// A PTB-XL test-fold record labelled NORM.
fn normal_record() -> (PathBuf, Record) {
    let path = common::data_dir().join("ptbxl/records500/00001_hr");
    (path.clone(), open_record(&path).unwrap())
}

/// The engine, the normal reference, the normal record and its cycles.
fn normal_reading() -> (Box<dyn Engine>, NormalModel, Record, Vec<CycleBounds>) {
    let engine = engine_for(EngineKind::NefNet, None).unwrap();
    let normal = NormalModel::load_default().unwrap();
    let (path, record) = normal_record();
    let (_, cycles) = find_record_cycles(&record, Some(&path)).unwrap();
    (engine, normal, record, cycles)
}

#[test]
fn an_arm_swap_is_found_and_named_and_the_original_is_not_worse() {
    let engine = engine_for(EngineKind::NefNet, None).unwrap();
    let (path, record) = normal_record();
    let (_, cycles) = find_record_cycles(&record, Some(&path)).unwrap();
    let few = &cycles[..4];
    // The reading the shipped normal reference uses.
    let reading = NormalModel::load_default().unwrap().swap_evidence;
    let original = check_swaps(engine.as_ref(), &record, few, reading).unwrap();
    let swapped = Swap::LaRa.apply(&record).unwrap();
    let check = check_swaps(engine.as_ref(), &swapped, few, reading).unwrap();
    let (best, evidence) = check.best().unwrap();
    assert_eq!(best, Swap::LaRa, "{:?}", check.evidence);
    let (_, before) = original.best().unwrap();
    assert!(
        evidence > before + 0.2,
        "swapped {evidence}, original {before}"
    );
    assert!(
        check.score > original.score,
        "the swapped record restores worse"
    );
}

#[test]
fn a_chest_lead_unlike_what_normal_records_pair_with_the_others_raises_its_shape_z() {
    let (engine, normal, record, cycles) = normal_reading();
    let score = |r: &Record| {
        let mut map = anomaly_map(engine.as_ref(), r, &cycles).unwrap();
        normal.attach_shapes(&mut map, r);
        let z = normal.shape_z(&map);
        let v2 = z.iter().find(|(l, _)| l == "V2").map(|(_, v)| *v).unwrap();
        (v2, normal.record_score(&map))
    };
    let (v2, before) = score(&record);
    // V2 upside down: no normal record pairs such a QRS and T with these other leads.
    let mut odd = record.clone();
    for l in odd.leads.iter_mut().filter(|l| l.name == "V2") {
        l.samples.iter_mut().for_each(|v| *v = -*v);
    }
    let (v2_odd, after) = score(&odd);
    assert!(v2 < 2.0, "V2 z of a normal record: {v2}");
    assert!(v2_odd > v2 + 2.0, "V2 z {v2} -> {v2_odd}");
    assert!(after > before, "record score {before} -> {after}");
}

#[test]
fn flat_and_unknown_leads_are_marked_not_scored() {
    let engine = engine_for(EngineKind::NefNet, None).unwrap();
    let (path, original) = normal_record();
    let mut record = original.clone();
    let (_, cycles) = find_record_cycles(&record, Some(&path)).unwrap();
    for l in record.leads.iter_mut().filter(|l| l.name == "V3") {
        l.samples.iter_mut().for_each(|v| *v = 0.0);
    }
    let mut map = anomaly_map(engine.as_ref(), &record, &cycles[..2]).unwrap();
    assert!(map.unscored.contains(&("V3".to_string(), Unscored::Flat)));
    assert!(map.lead_score("V3").is_none());
    assert!(map.lead_score("V2").is_some());
    assert_eq!(map.cycle_scores.len(), 2);
    // The limb leads are still restored from the chest, not from each other (which fixes
    // them exactly and would score every one perfect).
    let whole = anomaly_map(engine.as_ref(), &original, &cycles[..2]).unwrap();
    for lead in ["I", "II", "aVF"] {
        let (a, b) = (
            map.lead_score(lead).unwrap(),
            whole.lead_score(lead).unwrap(),
        );
        assert!(
            a > 0.5 * b && a < 2.0 * b,
            "{lead}: {a} with V3 flat, {b} without"
        );
    }
    // A flat lead is not taken for a swapped electrode: not V3 (V2/V3, V3/V4), and not a lost
    // lead II (a right arm on the leg flattens II only with I = −III).
    let normal = NormalModel::load_default().unwrap();
    let reading = normal.swap_evidence;
    let mut lost_ii = original.clone();
    for l in lost_ii.leads.iter_mut().filter(|l| l.name == "II") {
        l.samples.iter_mut().for_each(|v| *v = 0.0);
    }
    for r in [&record, &lost_ii] {
        let check = check_swaps(engine.as_ref(), r, &cycles[..4], reading).unwrap();
        assert_eq!(normal.suspected(&check), None, "{:?}", check.evidence);
    }
    // Nor does the normal-shape restoration score a flat lead.
    NormalModel::load_default()
        .unwrap()
        .attach_shapes(&mut map, &record);
    assert!(map.shape_score("V3").is_none());
    assert!(map.shape_score("V2").is_some());
    // One lead alone has nothing to be restored from: the map says why.
    let one = Record {
        leads: record
            .leads
            .iter()
            .filter(|l| l.name == "II")
            .cloned()
            .collect(),
        ..record.clone()
    };
    let err = anomaly_map(engine.as_ref(), &one, &cycles[..2])
        .unwrap_err()
        .to_string();
    assert!(err.contains("two or more"), "{err}");
}

#[test]
fn the_command_prints_the_leads_and_warns_of_a_swap() {
    let dir = tempfile::tempdir().unwrap();
    let (path, record) = normal_record();
    let run = |p: &std::path::Path| {
        Command::new(env!("CARGO_BIN_EXE_ecg-panorama"))
            .args(["anomaly", p.to_str().unwrap()])
            .output()
            .unwrap()
    };
    let ok = run(&path);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let text = String::from_utf8_lossy(&ok.stdout);
    assert!(
        text.contains("record score") && text.contains("V6"),
        "{text}"
    );
    assert!(text.contains("no electrode swap suspected"), "{text}");
    let swapped = dir.path().join("swapped.csv");
    let mut f = std::fs::File::create(&swapped).unwrap();
    write_csv(&Swap::LaRa.apply(&record).unwrap(), &mut f).unwrap();
    let warned = run(&swapped);
    let text = String::from_utf8_lossy(&warned.stdout);
    assert!(text.contains("suspected electrode swap: LA/RA"), "{text}");
    let bad = run(&dir.path().join("missing"));
    assert!(!bad.status.success());
    // Leads the program cannot place are named with the reason in words, not left unsaid.
    let mut unknown = record.clone();
    for (k, lead) in unknown.leads.iter_mut().enumerate() {
        *lead = ecg_panorama::record::Lead::new(
            &format!("site {}", char::from(b'a' + k as u8)),
            std::mem::take(&mut lead.samples),
            false,
        );
    }
    let unnamed = dir.path().join("unnamed.csv");
    write_csv(&unknown, &mut std::fs::File::create(&unnamed).unwrap()).unwrap();
    let refused = run(&unnamed);
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success());
    assert!(
        err.contains("site a, site b") && err.contains("(no known viewpoint: an unknown lead name"),
        "{err}"
    );
    // The map as CSV: one column per lead, scores inside the cycles.
    let csv = dir.path().join("map.csv");
    let out = Command::new(env!("CARGO_BIN_EXE_ecg-panorama"))
        .args([
            "anomaly",
            path.to_str().unwrap(),
            "--csv",
            csv.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = std::fs::read_to_string(&csv).unwrap();
    assert!(
        text.starts_with("time_s,I,II,III,aVR,aVL,aVF,V1"),
        "{}",
        &text[..60]
    );
    assert_eq!(text.lines().count(), record.len() + 1);
    assert!(text.lines().any(|l| {
        l.split(',')
            .skip(1)
            .all(|v| v.parse::<f64>().is_ok_and(|x| x >= 0.0))
    }));
}

#[test]
fn the_app_shows_heat_bands_the_record_score_and_the_swap_warning() {
    let dir = tempfile::tempdir().unwrap();
    let (_, record) = normal_record();
    let swapped = dir.path().join("swapped.csv");
    let mut f = std::fs::File::create(&swapped).unwrap();
    write_csv(&Swap::LaRa.apply(&record).unwrap(), &mut f).unwrap();
    let mut a = app(Some(swapped), View::Annotate, dir.path());
    a.state.anomaly_map = true;
    let mut h = harness(a);
    settle(&mut h);
    let pane = h.state().anomaly();
    let c = pane.result.clone().expect("a map").expect("no error");
    assert_eq!(c.swap.map(Swap::name).as_deref(), Some("LA/RA"));
    let heat = pane.heat("I").expect("lead I has a heat band");
    assert!(heat.iter().any(|v| v.is_finite() && *v > 1.0));
    h.get_by_label_contains(STATUS_LABEL);
    h.get_by_label_contains("Suspected electrode swap: LA/RA");
    // The exported record carries the heat bands, and its CSV the map beside it.
    let (fig, _) = h.state().export_content(What::Record).unwrap();
    let lead_i = fig.panels.iter().find(|p| p.label == "I").unwrap();
    assert_eq!(lead_i.heat.len(), lead_i.trace.samples.len());
    assert!(lead_i.heat.iter().any(|v| *v > 1.0));
    let csv = dir.path().join("swapped-record.csv");
    h.state_mut().export(What::Record, Format::Csv, csv.clone());
    settle(&mut h);
    let map = std::fs::read_to_string(anomaly_csv_path(&csv)).unwrap();
    assert!(map.starts_with("time_s,I,II,III"), "{}", &map[..40]);
    assert_eq!(map.lines().count(), record.len() + 1);
}

#[test]
fn the_record_figure_draws_the_map_on_request() {
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = normal_record();
    let svg = dir.path().join("map.svg");
    let run = |kind: &str, out: &std::path::Path| {
        Command::new(env!("CARGO_BIN_EXE_ecg-panorama"))
            .args([
                "figure",
                path.to_str().unwrap(),
                "--kind",
                kind,
                "--anomaly",
                "--out",
            ])
            .arg(out)
            .output()
            .unwrap()
    };
    let out = run("record", &svg);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&svg).unwrap();
    assert!(text.contains("class=\"heat\""));
    assert!(text.contains("anomaly (above the 80 % band)"));
    let out = run("grid", &dir.path().join("grid.svg"));
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--kind record"));
}

/// The normal record's reading as recorded and with `add(lead index, time in s)` mV added to
/// every sample, over the recorded cycles.
fn read_clean_and_disturbed(
    add: impl Fn(usize, f64) -> f64,
) -> (
    ecg_panorama::anomaly::assess::Assessment,
    ecg_panorama::anomaly::assess::Assessment,
) {
    use ecg_panorama::anomaly::assess::assess;
    let (engine, normal, record, cycles) = normal_reading();
    let mut disturbed = record.clone();
    for (k, lead) in disturbed.leads.iter_mut().enumerate() {
        for (i, v) in lead.samples.iter_mut().enumerate() {
            *v += add(k, i as f64 / record.fs);
        }
    }
    let read = |r: &Record| assess(engine.as_ref(), &normal, r, &cycles, &mut |_, _| {}).unwrap();
    (read(&record), read(&disturbed))
}

#[test]
fn powerline_hum_is_not_read_as_a_departure_or_a_swap() {
    let (clean, noisy) = read_clean_and_disturbed(|k, t| {
        0.5 * (2.0 * std::f64::consts::PI * 50.0 * t + k as f64).sin()
    });
    assert_eq!(noisy.swap, None);
    assert!(
        (noisy.score - clean.score).abs() < 0.5,
        "record score {} clean, {} with hum",
        clean.score,
        noisy.score
    );
}

#[test]
fn baseline_sway_is_not_read_as_a_departure_or_a_swap() {
    // A breathing patient's record: 1 mV of 0.5 Hz sway and 0.5 mV of drift on every lead.
    let (clean, moving) =
        read_clean_and_disturbed(|_, t| (2.0 * std::f64::consts::PI * 0.5 * t).sin() + 0.05 * t);
    // Read as recorded, the sway warned of an LA/LL swap and lifted the score by 3.9; with the
    // isoelectric line subtracted, by 1.6 (what the medians leave at the sway's crests).
    assert_eq!(moving.swap, None);
    assert!(
        (moving.score - clean.score).abs() < 2.0,
        "record score {} clean, {} swaying",
        clean.score,
        moving.score
    );
}
