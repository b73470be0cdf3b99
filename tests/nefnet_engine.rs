//! The shipped Nef-Net model behind the engine API: it loads, synthesizes real cycles better
//! than a flat line, works in mV from the inputs alone, serves cycles of any length and rate,
//! and a weights file that does not fit is refused with a message.

mod common;

use ecg_panorama::geometry::{Viewpoint, lead_view, normalise_lead_name, panorama_grid};
use ecg_panorama::panorama::{CycleInput, Engine, EngineKind, NefNetEngine, engine_for};
use ecg_panorama::record::annotation::read_annotations;
use ecg_panorama::record::open_record;
use std::path::Path;

fn view(name: &str) -> Viewpoint {
    lead_view(&normalise_lead_name(name), false)
        .unwrap()
        .viewpoint
}

/// The complete lead-II cycles of a LUDB record, as engine inputs of `inputs`, with the
/// recorded `target` lead of each (detrended like the inputs).
fn ludb_cycles(name: &str, inputs: &[&str], target: &str) -> Vec<(CycleInput, Vec<f64>)> {
    let dir = common::data_dir().join("ludb/data");
    let record = open_record(&dir.join(name)).unwrap();
    let anns = read_annotations(&dir.join(format!("{name}.ii"))).unwrap();
    ecg_panorama::delineate::cycles_from_waves(&anns, record.len())
        .into_iter()
        .map(|b| {
            let input = CycleInput::from_record(&record, inputs, b).unwrap();
            let truth = CycleInput::from_record(&record, &[target], b).unwrap();
            (input, truth.leads[0].1.clone())
        })
        .collect()
}

fn rms(x: &[f64]) -> f64 {
    (x.iter().map(|v| v * v).sum::<f64>() / x.len() as f64).sqrt()
}

#[test]
fn the_shipped_model_synthesizes_v1_better_than_a_flat_line() {
    let engine = engine_for(EngineKind::NefNet, None).unwrap();
    // LUDB 4 is a test record of the project's split: the model never trained on it.
    let cycles = ludb_cycles("4", &["II", "V2", "V5"], "V1");
    assert!(cycles.len() >= 5);
    let (mut err, mut flat) = (0.0, 0.0);
    for (input, truth) in &cycles {
        let field = engine.encode(input).unwrap();
        let out = engine.render(&field, &[view("V1")]).unwrap();
        assert_eq!(out[0].len(), truth.len());
        assert!(out[0].iter().all(|v| v.is_finite()));
        let diff: Vec<f64> = out[0].iter().zip(truth).map(|(p, t)| p - t).collect();
        err += rms(&diff);
        flat += rms(truth);
    }
    // A flat line scores 1; the model trained on LUDB, PTB-XL and CinC scores 0.67 on this
    // record (the LUDB-only model scored below 0.6: one model for every database costs LUDB
    // about 0.4 dB on (3,9), see models/nefnet.md).
    assert!(
        err < 0.75 * flat,
        "RMSE {err:.3} vs flat line {flat:.3} (summed over cycles, mV)"
    );
}

#[test]
fn views_are_in_mv_and_follow_the_inputs_scale() {
    let engine = NefNetEngine::load_default().unwrap();
    let (input, _) = ludb_cycles("4", &["II"], "V1").remove(2);
    let views = panorama_grid();
    let once = engine
        .render(&engine.encode(&input).unwrap(), &views)
        .unwrap();
    let mut doubled = input.clone();
    for (_, x) in &mut doubled.leads {
        x.iter_mut().for_each(|v| *v *= 2.0);
    }
    let twice = engine
        .render(&engine.encode(&doubled).unwrap(), &views)
        .unwrap();
    assert_eq!(once.len(), 24);
    for (a, b) in once.iter().zip(&twice) {
        let peak = a.iter().fold(0f64, |m, v| m.max(v.abs()));
        for (x, y) in a.iter().zip(b) {
            assert!((2.0 * x - y).abs() <= 1e-4 * peak.max(1e-3), "{x} {y}");
        }
    }
    // Different viewpoints give different signals.
    assert!(
        once[0]
            .iter()
            .zip(&once[13])
            .any(|(a, b)| (a - b).abs() > 1e-3)
    );
}

#[test]
fn cycles_longer_than_the_window_or_at_other_rates_get_every_sample() {
    let engine = engine_for(EngineKind::NefNet, None).unwrap();
    let (input, _) = ludb_cycles("4", &["I", "II", "V2"], "V1").remove(1);
    // The same cycle at 1000 Hz (each sample twice): longer than the 512-sample window.
    let slow = CycleInput {
        fs: 1000.0,
        leads: input
            .leads
            .iter()
            .map(|(n, x)| {
                let mut y: Vec<f64> = x.iter().flat_map(|&v| [v, v]).collect();
                y.pop();
                (n.clone(), y)
            })
            .collect(),
        boundaries: ecg_panorama::delineate::CycleBounds::new(
            input.boundaries.as_array().map(|b| 2 * b),
            2 * input.samples() - 1,
        )
        .unwrap(),
    };
    let n = slow.samples();
    assert!(n > 512);
    let out = engine
        .render(&engine.encode(&slow).unwrap(), &[view("V4")])
        .unwrap();
    assert_eq!(out[0].len(), n);
    assert!(out[0].iter().all(|v| v.is_finite()));
    let at_500 = engine
        .render(&engine.encode(&input).unwrap(), &[view("V4")])
        .unwrap();
    let peak = at_500[0].iter().fold(0f64, |m, v| m.max(v.abs()));
    for (i, v) in at_500[0].iter().enumerate() {
        assert!((out[0][2 * i] - v).abs() < 0.1 * peak, "sample {i}");
    }
}

#[test]
fn weights_that_do_not_fit_are_refused_with_a_message() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let wrong = root.join("models/delineator.safetensors");
    let err = NefNetEngine::load(&wrong).err().unwrap().to_string();
    assert!(
        err.contains("delineator.safetensors") && err.contains("do not fit"),
        "{err}"
    );
    let dir = tempfile::tempdir().unwrap();
    let cut = dir.path().join("cut.safetensors");
    let bytes = std::fs::read(root.join("models/nefnet.safetensors")).unwrap();
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let err = NefNetEngine::load(&cut).err().unwrap().to_string();
    assert!(err.contains("cut.safetensors"), "{err}");
    let missing = NefNetEngine::load(&dir.path().join("none.safetensors"))
        .err()
        .unwrap()
        .to_string();
    assert!(missing.contains("none.safetensors"), "{missing}");
}

#[test]
fn a_band_stored_in_the_old_unit_is_not_read_as_the_current_one() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dev = candle_core::Device::Cpu;
    let mut tensors =
        candle_core::safetensors::load(root.join("models/nefnet.safetensors"), &dev).unwrap();
    let band = tensors
        .remove(ecg_panorama::model::band::STORED)
        .expect("the shipped model carries its band");
    let (input, _) = ludb_cycles("1", &["II"], "V1").remove(0);
    // Older files name their band by its unit: the inputs' peak (`calibration.band`), the
    // TP activity to the power 0.7 (`calibration.band_tp`).
    for name in ["calibration.band", "calibration.band_tp"] {
        let mut tensors = tensors.clone();
        tensors.insert(name.to_string(), band.clone());
        let dir = tempfile::tempdir().unwrap();
        let old = dir.path().join("old.safetensors");
        candle_core::safetensors::save(&tensors, &old).unwrap();
        let engine = NefNetEngine::load(&old).unwrap();
        let field = engine.encode(&input).unwrap();
        assert!(
            engine.band(&field, &[view("V1")], 0.8).unwrap().is_none(),
            "a band stored as {name} must not be drawn in the current unit"
        );
    }
    // The shipped file's band is read.
    let shipped = NefNetEngine::load(&root.join("models/nefnet.safetensors")).unwrap();
    let field = shipped.encode(&input).unwrap();
    assert!(shipped.band(&field, &[view("V1")], 0.8).unwrap().is_some());
}
