//! Training the delineator from the command line: a short run writes weights the engine loads,
//! and weights that do not fit the network are refused with a clear message.

mod common;

use ecg_panorama::delineate::Delineator;
use std::process::Command;

#[test]
fn a_short_training_run_writes_loadable_weights() {
    let dir = tempfile::tempdir().unwrap();
    let split = dir.path().join("split.txt");
    std::fs::write(&split, "train 1\ntrain 2\ntest 3\n").unwrap();
    let out = dir.path().join("d.safetensors");
    let records = common::data_dir().join("ludb/data");
    let status = Command::new(env!("CARGO_BIN_EXE_ecg-panorama"))
        .args(["train-delineator", "--records", records.to_str().unwrap()])
        .args([
            "--split",
            split.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ])
        .args(["--steps", "3", "--batch", "2", "--validate", "false"])
        .output()
        .unwrap();
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    let engine = Delineator::load(&out).unwrap();
    let record = ecg_panorama::record::demo::demo_record().record;
    let d = engine.delineate(&record).unwrap();
    assert_eq!(d.leads.len(), 12);
}

#[test]
fn weights_that_do_not_fit_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let junk = dir.path().join("junk.safetensors");
    std::fs::write(&junk, b"not a safetensors file").unwrap();
    let err = Delineator::load(&junk).unwrap_err().to_string();
    assert!(
        err.contains("junk.safetensors") && err.contains("delineation weights"),
        "{err}"
    );
    let empty = dir.path().join("empty.safetensors");
    candle_nn::VarMap::new().save(&empty).unwrap();
    let err = Delineator::load(&empty).unwrap_err().to_string();
    assert!(err.contains("do not fit the network"), "{err}");
    let missing = Delineator::load(&dir.path().join("none.safetensors")).unwrap_err();
    assert!(missing.to_string().contains("file not found"), "{missing}");
}

#[test]
fn qtdb_records_train_beside_ludb_ones() {
    let dir = tempfile::tempdir().unwrap();
    let split = dir.path().join("split.txt");
    std::fs::write(&split, "train 1\ntest 3\n").unwrap();
    let qt_split = dir.path().join("qt.txt");
    let out = dir.path().join("d.safetensors");
    let data = common::data_dir();
    let s = |p: &std::path::Path| p.to_str().unwrap().to_string();
    // A short run on LUDB record 1 and the QTDB records `qt_text` names; its stderr.
    let train = |qt_text: &str| {
        std::fs::write(&qt_split, qt_text).unwrap();
        let run = Command::new(env!("CARGO_BIN_EXE_ecg-panorama"))
            .args(["train-delineator", "--records", &s(&data.join("ludb/data"))])
            .args(["--split", &s(&split), "--out", &s(&out)])
            .args(["--qtdb", &s(&data.join("qtdb"))])
            .args(["--qtdb-split", &s(&qt_split)])
            .args(["--steps", "2", "--batch", "2", "--validate", "false"])
            .output()
            .unwrap();
        (
            run.status.success(),
            String::from_utf8_lossy(&run.stderr).into_owned(),
        )
    };
    let (ok, stderr) = train("train sel100\ntest sel102\n");
    assert!(ok, "{stderr}");
    assert!(
        stderr.contains("1 training and 0 validation QTDB records"),
        "{stderr}"
    );
    assert!(Delineator::load(&out).is_ok());
    // A QTDB split without q1c-annotated training records is an error, not a silent LUDB run.
    let (ok, stderr) = train("train nosuch\n");
    assert!(
        !ok && stderr.contains("no training record with a q1c file"),
        "{stderr}"
    );
}

#[test]
fn a_resumed_run_takes_its_peak_learning_rate_from_lr() {
    let dir = tempfile::tempdir().unwrap();
    let split = dir.path().join("split.txt");
    std::fs::write(&split, "train 1\ntest 3\n").unwrap();
    let records = common::data_dir().join("ludb/data");
    let p = |name: &str| dir.path().join(name).to_str().unwrap().to_string();
    let train = |extra: &[&str], out: &str| {
        Command::new(env!("CARGO_BIN_EXE_ecg-panorama"))
            .args(["train-delineator", "--records", records.to_str().unwrap()])
            .args(["--split", &p("split.txt"), "--out", &p(out)])
            .args(["--steps", "2", "--batch", "2", "--validate", "false"])
            .args(extra)
            .output()
            .unwrap()
    };
    assert!(train(&[], "start.safetensors").status.success());
    let tensors = |name: &str| {
        let map = candle_core::safetensors::load(p(name), &candle_core::Device::Cpu).unwrap();
        let mut v: Vec<(String, Vec<f32>)> = map
            .into_iter()
            .map(|(k, t)| (k, t.flatten_all().unwrap().to_vec1().unwrap()))
            .collect();
        v.sort_by(|a, b| a.0.cmp(&b.0));
        v
    };
    let start = p("start.safetensors");
    // At a rate of zero the optimiser moves nothing (weight decay scales with the rate too).
    assert!(
        train(&["--resume", &start, "--lr", "0"], "still.safetensors")
            .status
            .success()
    );
    assert_eq!(tensors("still.safetensors"), tensors("start.safetensors"));
    assert!(
        train(&["--resume", &start, "--lr", "1e-3"], "moved.safetensors")
            .status
            .success()
    );
    assert_ne!(tensors("moved.safetensors"), tensors("start.safetensors"));
    let bad = train(&["--lr=-1"], "bad.safetensors");
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(
        !bad.status.success() && err.contains("not a learning rate"),
        "{err}"
    );
    assert!(!dir.path().join("bad.safetensors").exists());
}

#[test]
fn an_averaged_run_writes_loadable_weights_and_reports_their_validation_loss() {
    let dir = tempfile::tempdir().unwrap();
    let split = dir.path().join("split.txt");
    // Nine training records (the data holds a subset of LUDB): every eighth (one) validates.
    let names: String = [1, 2, 3, 4, 6, 7, 8, 9, 11]
        .iter()
        .map(|n| format!("train {n}\n"))
        .collect();
    std::fs::write(&split, names).unwrap();
    let out = dir.path().join("avg.safetensors");
    let records = common::data_dir().join("ludb/data");
    let run = Command::new(env!("CARGO_BIN_EXE_ecg-panorama"))
        .args(["train-delineator", "--records", records.to_str().unwrap()])
        .args(["--split", split.to_str().unwrap()])
        .args(["--out", out.to_str().unwrap()])
        .args(["--steps", "2", "--batch", "2", "--average"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{stderr}");
    assert!(
        stderr.contains("validation loss of the averaged weights"),
        "{stderr}"
    );
    assert!(Delineator::load(&out).is_ok());
}
