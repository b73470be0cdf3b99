//! Shared helpers for integration tests: where the shared data is, and the Python interpreter
//! that has wfdb-python and SciPy (installed by `scripts/setup.sh`).
#![allow(dead_code)]

pub mod eval_cli;
pub mod export_fixture;
pub mod page;

use std::path::PathBuf;
use std::process::Command;

/// The standard output of `ecg-panorama ARGS`, which must succeed.
pub fn run(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_ecg-panorama"))
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// `../shared/data` beside the checkout (overridable with `ECG_PANORAMA_DATA`).
pub fn data_dir() -> PathBuf {
    if let Ok(dir) = std::env::var("ECG_PANORAMA_DATA") {
        return PathBuf::from(dir);
    }
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data");
    assert!(
        dir.is_dir(),
        "shared data not found at {}: put ../shared beside the checkout or set ECG_PANORAMA_DATA",
        dir.display()
    );
    dir
}

/// LUDB's records (`ludb/data` of [`data_dir`]).
pub fn ludb_data() -> PathBuf {
    data_dir().join("ludb/data")
}

/// The Python interpreter with wfdb-python and SciPy: `ECG_PANORAMA_PYTHON`, else the
/// project's `.venv`, else `python3`.
pub fn python() -> Command {
    let exe = std::env::var("ECG_PANORAMA_PYTHON").unwrap_or_else(|_| {
        let venv = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/python");
        if venv.exists() {
            venv.display().to_string()
        } else {
            "python3".to_string()
        }
    });
    Command::new(exe)
}

/// Run a Python snippet (with `args` as `sys.argv[1:]`) and return its stdout; panics with
/// Python's stderr (and a hint to run the set-up script) on failure.
pub fn run_python(code: &str, args: &[&str]) -> Vec<u8> {
    let out =
        python().arg("-c").arg(code).args(args).output().expect(
            "cannot start Python: run scripts/setup.sh (it installs wfdb-python and SciPy)",
        );
    assert!(
        out.status.success(),
        "Python reference failed (run scripts/setup.sh to install wfdb-python and SciPy):\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// Decode little-endian f64 values written by numpy's `tobytes()`.
pub fn f64s(bytes: &[u8]) -> Vec<f64> {
    bytes
        .chunks_exact(8)
        .map(|c| f64::from_le_bytes(c.try_into().unwrap()))
        .collect()
}
