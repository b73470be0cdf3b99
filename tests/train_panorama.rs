//! Training the panorama model from the command line: checkpoints, resumed and averaging runs,
//! the prior refitted on the validation records at the end, and the prior's cross-validation.

mod common;

use common::run;
use ecg_panorama::record::open_record;
use serde_json::Value;
use std::path::Path;
use std::process::Command;

/// `train-panorama` on `records` with `split`, writing `out`, two cycles a step.
fn train_args<'a>(records: &'a Path, split: &'a Path, out: &'a Path) -> Vec<&'a str> {
    let path = |p: &'a Path| p.to_str().unwrap();
    let (records, split, out) = (path(records), path(split), path(out));
    vec![
        "train-panorama",
        "--records",
        records,
        "--split",
        split,
        "--out",
        out,
        "--batch",
        "2",
    ]
}

#[test]
fn train_panorama_checkpoints_resumes_and_writes_weights_the_engine_loads() {
    let data = common::data_dir();
    let dir = tempfile::tempdir().unwrap();
    let split = dir.path().join("split.txt");
    std::fs::write(&split, "train 1\ntrain 2\ntest 4\n").unwrap();
    let out = dir.path().join("tiny.safetensors");
    let records = data.join("ludb/data");
    let extra = data.join("cinc2021-samples/E07501");
    // A second database without boundary files: the annotator cuts its cycles.
    let ptbxl = data.join("ptbxl/records500");
    let ptbxl_split = dir.path().join("ptbxl-split.txt");
    std::fs::write(
        &ptbxl_split,
        "train 00004_hr\ntrain 00005_hr\ntest 00003_hr\n",
    )
    .unwrap();
    let base = [
        &train_args(&records, &split, &out)[..],
        &["--records", ptbxl.to_str().unwrap()],
        &["--split", ptbxl_split.to_str().unwrap()],
        &["--extra-records", extra.to_str().unwrap()],
        &["--validate", "false"],
    ]
    .concat();
    let state = |path: &Path| -> Value {
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    };
    run(&[&base[..], &["--steps", "2"]].concat());
    let state_path = dir.path().join("tiny.train.json");
    assert_eq!(state(&state_path)["step"], 2);
    assert_eq!(state(&state_path)["train_records"], 4);
    assert_eq!(
        state(&state_path)["records"].as_array().map(Vec::len),
        Some(2)
    );
    run(&[&base[..], &["--steps", "3", "--resume"]].concat());
    assert_eq!(state(&state_path)["step"], 3);
    // The prior is stored beside the network, and knows every training record with cycles:
    // LUDB 2 (record 1 has no complete cycle of at most 512 samples), PTB-XL's two and the
    // extra one.
    let stored = candle_core::safetensors::load(&out, &candle_core::Device::Cpu).unwrap();
    assert_eq!(stored["prior.patients.totals"].dims()[0], 4);
    assert!(stored.keys().any(|k| k.starts_with("residual.")));
    // Their names are in the header, so an evaluation can leave a training record out.
    let names = ecg_panorama::model::stored::stored_names(&std::fs::read(&out).unwrap());
    assert_eq!(names.len(), 4, "{names:?}");
    assert!(names.iter().any(|n| n == "2"), "{names:?}");
    // One split per folder, or a clear error.
    let unpaired = Command::new(env!("CARGO_BIN_EXE_ecg-panorama"))
        .args(
            [
                &train_args(&records, &split, &out)[..],
                &["--records", ptbxl.to_str().unwrap()],
            ]
            .concat(),
        )
        .output()
        .unwrap();
    assert!(!unpaired.status.success());
    let stderr = String::from_utf8_lossy(&unpaired.stderr);
    assert!(stderr.contains("one --split per --records"), "{stderr}");
    let engine = ecg_panorama::panorama::NefNetEngine::load(&out).unwrap();
    let record = open_record(&records.join("4")).unwrap();
    let input = ecg_panorama::panorama::CycleInput::from_record(
        &record,
        &["II"],
        ecg_panorama::delineate::CycleBounds::new(
            [100, 150, 200, 250, 300, 400, 500],
            record.len(),
        )
        .unwrap(),
    )
    .unwrap();
    use ecg_panorama::panorama::Engine;
    let field = engine.encode(&input).unwrap();
    let v1 = ecg_panorama::geometry::Viewpoint::new(std::f64::consts::FRAC_PI_2, 0.3);
    let views = engine.render(&field, &[v1]).unwrap();
    assert_eq!(views[0].len(), 401);
    assert!(views[0].iter().all(|v| v.is_finite()));
}

/// A two-step `train-panorama` run without validation on LUDB with `split` (the split file's
/// text), writing `NAME.safetensors` in `dir`: its arguments, to resume it with.
fn two_step_run(dir: &Path, split: &str, name: &str) -> Vec<String> {
    let split_path = dir.join(format!("{name}-split.txt"));
    std::fs::write(&split_path, split).unwrap();
    let out = dir.join(format!("{name}.safetensors"));
    let records = common::data_dir().join("ludb/data");
    let base: Vec<String> = [
        &train_args(&records, &split_path, &out)[..],
        &["--validate", "false"],
    ]
    .concat()
    .into_iter()
    .map(String::from)
    .collect();
    let args: Vec<&str> = base.iter().map(String::as_str).collect();
    run(&[&args[..], &["--steps", "2"]].concat());
    base
}

#[test]
fn a_resumed_run_ends_in_averaged_steps_at_their_own_rate_and_saves_the_mean() {
    let dir = tempfile::tempdir().unwrap();
    let base = two_step_run(dir.path(), "train 2\ntest 4\n", "avg");
    // 200 more steps, all averaged: their first quarter runs, then steps 100 and 200 count.
    let log = Command::new(env!("CARGO_BIN_EXE_ecg-panorama"))
        .args(&base)
        .args(["--steps", "202", "--resume", "--average-steps", "200"])
        .args(["--average-lr", "6e-4", "--restart-at", "0"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&log.stderr);
    assert!(log.status.success(), "{stderr}");
    assert!(
        stderr.contains("network saved as the mean of its weights at 2 steps"),
        "{stderr}"
    );
    let state: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("avg.train.json")).unwrap())
            .unwrap();
    assert_eq!(state["step"], 202);
    assert_eq!(state["config"]["average_lr"], 6e-4);
    assert_eq!(state["config"]["average_steps"], 200);
    let out = dir.path().join("avg.safetensors");
    assert!(ecg_panorama::panorama::NefNetEngine::load(&out).is_ok());
}

#[test]
fn two_runs_of_one_recipe_end_on_the_same_weights() {
    let residual = |dir: &Path| -> Vec<(String, Vec<f32>)> {
        two_step_run(dir, "train 2\ntest 4\n", "same");
        let stored =
            candle_core::safetensors::load(dir.join("same.safetensors"), &candle_core::Device::Cpu)
                .unwrap();
        let mut out: Vec<(String, Vec<f32>)> = stored
            .iter()
            .filter(|(k, _)| k.starts_with("residual."))
            .map(|(k, t)| (k.clone(), t.flatten_all().unwrap().to_vec1().unwrap()))
            .collect();
        out.sort_by(|a, b| a.0.cmp(&b.0));
        out
    };
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (first, second) = (residual(a.path()), residual(b.path()));
    assert!(!first.is_empty());
    assert_eq!(first, second);
}

#[test]
fn a_resumed_run_takes_its_step_from_the_weights_file_never_from_a_stale_state_file() {
    let dir = tempfile::tempdir().unwrap();
    let base = two_step_run(dir.path(), "train 1\ntrain 2\ntest 4\n", "pair");
    let base: Vec<&str> = base.iter().map(String::as_str).collect();
    // As if a crash had struck between the two writes: the readable copy is a run behind.
    let state_path = dir.path().join("pair.train.json");
    let mut stale: Value =
        serde_json::from_str(&std::fs::read_to_string(&state_path).unwrap()).unwrap();
    stale["step"] = 0.into();
    std::fs::write(&state_path, stale.to_string()).unwrap();
    let log = Command::new(env!("CARGO_BIN_EXE_ecg-panorama"))
        .args([&base[..], &["--steps", "3", "--resume"]].concat())
        .output()
        .unwrap();
    assert!(log.status.success());
    let stderr = String::from_utf8_lossy(&log.stderr);
    assert!(stderr.contains("resuming at step 2 of 3"), "{stderr}");
    // Weights without a run state inside (not a train-panorama checkpoint) do not resume.
    let (records, split) = (
        common::data_dir().join("ludb/data"),
        dir.path().join("pair-split.txt"),
    );
    let bare = dir.path().join("bare.safetensors");
    let t =
        candle_core::Tensor::zeros(3, candle_core::DType::F32, &candle_core::Device::Cpu).unwrap();
    candle_core::safetensors::save(&std::collections::HashMap::from([("w", t)]), &bare).unwrap();
    let refused = Command::new(env!("CARGO_BIN_EXE_ecg-panorama"))
        .args([&train_args(&records, &split, &bare)[..], &["--resume"]].concat())
        .output()
        .unwrap();
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains("bare.safetensors") && stderr.contains("no training state"),
        "{stderr}"
    );
}

#[test]
fn a_finished_run_refits_its_prior_on_the_validation_records_and_keeps_the_calibration() {
    let data = common::data_dir();
    let dir = tempfile::tempdir().unwrap();
    let split = dir.path().join("split.txt");
    // Eight train records: the eighth (11) validates the network, then joins the prior.
    let train: String = ["1", "2", "3", "6", "7", "8", "9", "11"]
        .iter()
        .map(|n| format!("train {n}\n"))
        .collect();
    std::fs::write(&split, train + "test 4\n").unwrap();
    let out = dir.path().join("refit.safetensors");
    let held = dir.path().join("refit-val.safetensors");
    let records = data.join("ludb/data");
    let base = [&train_args(&records, &split, &out)[..], &["--steps", "2"]].concat();
    let stored = |path: &Path, name: &str| -> (Vec<usize>, Vec<f32>) {
        let t = &candle_core::safetensors::load(path, &candle_core::Device::Cpu).unwrap()[name];
        (
            t.dims().to_vec(),
            t.flatten_all().unwrap().to_vec1().unwrap(),
        )
    };
    run(&[&base[..], &["--validation-model", held.to_str().unwrap()]].concat());
    let calibration = stored(&out, "calibration.residual").1;
    assert_eq!(stored(&held, "calibration.residual").1, calibration);
    let records_after = stored(&out, "prior.patients.totals").0[0];
    assert_eq!(
        stored(&held, "prior.patients.totals").0[0] + 1,
        records_after
    );
    // Resumed with no steps left and nothing held out: the same records, the same calibration.
    run(&[&base[..], &["--resume", "--validate", "false"]].concat());
    assert_eq!(stored(&out, "calibration.residual").1, calibration);
    assert_eq!(stored(&out, "prior.patients.totals").0[0], records_after);
    let state: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("refit.train.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(state["step"], 2);
    assert!(ecg_panorama::panorama::NefNetEngine::load(&out).is_ok());
    assert!(ecg_panorama::panorama::NefNetEngine::load(&held).is_ok());
}

#[test]
fn eval_prior_cross_validates_on_train_records_only() {
    let data = common::data_dir();
    let dir = tempfile::tempdir().unwrap();
    let split = dir.path().join("split.txt");
    // A test record that does not exist: it must never be read.
    std::fs::write(&split, "train 1\ntrain 2\ntrain 3\ntrain 6\ntest 9999\n").unwrap();
    let records = data.join("ludb/data");
    let args = [
        "eval-prior",
        "--records",
        records.to_str().unwrap(),
        "--split",
        split.to_str().unwrap(),
        "--folds",
        "2",
        "--json",
    ];
    let cv: Value = serde_json::from_str(&run(&args)).unwrap();
    assert_eq!(cv["folds"], 2);
    let cells = cv["cells"].as_array().unwrap();
    // II, I, (II, V2, V5), V2, V5, (II, V1), (I, V5) × linear regression, population prior,
    // patient-similar prior, and that with the dynamic correction.
    assert_eq!(cells.len(), 28, "seven tasks × four methods");
    assert!(
        cells
            .iter()
            .all(|c| c["psnr_db"].as_f64().unwrap().is_finite())
    );
    let one_fold = Command::new(env!("CARGO_BIN_EXE_ecg-panorama"))
        .args(&args[..args.len() - 3])
        .args(["--folds", "1"])
        .output()
        .unwrap();
    assert!(!one_fold.status.success());
}
