//! Running `eval-delineation` from tests: the command, its stdout or JSON, and split files.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The boundary kinds every report carries, in its order.
pub const KINDS: [&str; 6] = ["P on", "P off", "QRS on", "QRS off", "T on", "T off"];

/// `ecg-panorama eval-delineation ARGS`.
pub fn cli(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ecg-panorama"))
        .arg("eval-delineation")
        .args(args)
        .output()
        .unwrap()
}

/// The standard output of a run that must succeed.
pub fn ok_stdout(args: &[&str]) -> String {
    let out = cli(args);
    assert!(
        out.status.success(),
        "{args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The JSON report of a run that must succeed.
pub fn json(args: &[&str]) -> Value {
    let mut all = args.to_vec();
    all.push("--json");
    serde_json::from_str(&ok_stdout(&all)).unwrap()
}

/// A split file in `dir` whose test records are `names`.
pub fn split_file(dir: &Path, names: &[&str]) -> PathBuf {
    let path = dir.join("split.txt");
    let text: String = names.iter().map(|n| format!("test {n}\n")).collect();
    std::fs::write(&path, text).unwrap();
    path
}

/// A path as a command-line argument.
pub fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}
