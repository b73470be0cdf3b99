//! Bad input never panics: each case gives a typed error naming the file and what is wrong,
//! and every CLI subcommand prints it on stderr and exits non-zero.

mod common;

use ecg_panorama::Error;
use ecg_panorama::record::open_record;
use std::path::{Path, PathBuf};
use std::process::Command;

const HEADER: &str =
    "rec 2 500 100\nrec.dat 16 1000(0)/mV 16 0 0 0 0 I\nrec.dat 16 1000(0)/mV 16 0 0 0 0 II\n";

/// A temp folder holding a valid two-lead, 100-sample format-16 record `rec`, with the
/// header replaced by `header` and the signal file cut to `dat_bytes` bytes.
fn record_with(header: &[u8], dat_bytes: usize) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("rec.hea"), header).unwrap();
    let dat: Vec<u8> = (0..400u32).map(|i| (i % 251) as u8).collect();
    std::fs::write(dir.path().join("rec.dat"), &dat[..dat_bytes]).unwrap();
    let rec = dir.path().join("rec");
    (dir, rec)
}

/// Run the CLI; assert it fails cleanly with a message naming `needle`.
fn cli_fails(args: &[&str], needle: &str) {
    let out = Command::new(env!("CARGO_BIN_EXE_ecg-panorama"))
        .args(args)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{args:?} succeeded");
    assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
    assert!(!stderr.contains("panicked"), "{args:?} panicked: {stderr}");
    assert!(
        stderr.starts_with("error: ") && stderr.contains(needle),
        "{args:?}: {stderr}"
    );
}

/// Every subcommand that reads RECORD fails on it with a message naming `needle`.
fn all_subcommands_fail(record: &Path, needle: &str) {
    let r = record.to_str().unwrap();
    let out = tempfile::tempdir().unwrap();
    let csv = out.path().join("x.csv");
    cli_fails(&["info", r], needle);
    cli_fails(&["info", r, "--json"], needle);
    cli_fails(
        &["convert", r, "--to", "csv", "--out", csv.to_str().unwrap()],
        needle,
    );
    assert!(!csv.exists(), "a failed conversion leaves no file");
    cli_fails(&["bench", "read", r, "--repeat", "1"], needle);
}

#[test]
fn the_valid_fixture_loads() {
    let (_d, rec) = record_with(HEADER.as_bytes(), 400);
    let r = open_record(&rec).unwrap();
    assert_eq!((r.len(), r.leads.len()), (100, 2));
}

#[test]
fn header_naming_a_missing_signal_file() {
    let (_d, rec) = record_with(HEADER.replace("rec.dat", "gone.dat").as_bytes(), 400);
    let err = open_record(&rec).unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(msg.contains("gone.dat") && msg.contains("rec.hea"), "{msg}");
    all_subcommands_fail(&rec, "gone.dat: file not found");
}

#[test]
fn missing_record() {
    let dir = tempfile::tempdir().unwrap();
    let err = open_record(&dir.path().join("nothing")).unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err:?}");
    all_subcommands_fail(&dir.path().join("nothing"), "nothing.hea: file not found");
}

#[test]
fn truncated_signal_file() {
    let (_d, rec) = record_with(HEADER.as_bytes(), 301);
    let err = open_record(&rec).unwrap_err();
    assert!(
        matches!(
            err,
            Error::Truncated {
                expected: 100,
                found: 75,
                ..
            }
        ),
        "{err:?}"
    );
    all_subcommands_fail(
        &rec,
        "rec.dat: truncated signal file: the header promises 100 samples per signal, the file holds 75",
    );
}

#[test]
fn sample_count_larger_than_the_file() {
    let (_d, rec) = record_with(HEADER.replace("500 100", "500 5000").as_bytes(), 400);
    let err = open_record(&rec).unwrap_err();
    assert!(
        matches!(
            err,
            Error::Truncated {
                expected: 5000,
                found: 100,
                ..
            }
        ),
        "{err:?}"
    );
    all_subcommands_fail(&rec, "promises 5000 samples");
}

#[test]
fn unsupported_flac_format() {
    let (_d, rec) = record_with(
        HEADER.replace("rec.dat 16 ", "rec.dat 508 ").as_bytes(),
        400,
    );
    let err = open_record(&rec).unwrap_err();
    assert!(matches!(err, Error::UnsupportedFormat { .. }), "{err:?}");
    all_subcommands_fail(&rec, "unsupported signal format 508: FLAC");
}

#[test]
fn unknown_format_code() {
    let (_d, rec) = record_with(HEADER.replace("rec.dat 16 ", "rec.dat 17 ").as_bytes(), 400);
    let err = open_record(&rec).unwrap_err();
    assert!(err.to_string().contains("rec.hea"), "{err}");
    all_subcommands_fail(&rec, "17");
}

#[test]
fn garbage_header() {
    let (_d, rec) = record_with(b"this is not a header\nat all, really\n", 400);
    let err = open_record(&rec).unwrap_err();
    assert!(matches!(err, Error::Header { .. }), "{err:?}");
    all_subcommands_fail(&rec, "rec.hea: malformed header");
}

#[test]
fn empty_header() {
    let (_d, rec) = record_with(b"", 400);
    let err = open_record(&rec).unwrap_err();
    assert!(matches!(err, Error::Header { .. }), "{err:?}");
    all_subcommands_fail(&rec, "rec.hea: malformed header: the file is empty");
}

#[test]
fn header_with_fewer_signal_lines_than_announced() {
    let (_d, rec) = record_with(HEADER.replace("rec 2", "rec 3").as_bytes(), 400);
    let err = open_record(&rec).unwrap_err();
    assert!(matches!(err, Error::Header { .. }), "{err:?}");
    all_subcommands_fail(&rec, "rec.hea: malformed header");
}

#[test]
fn non_utf8_header() {
    let mut bytes = HEADER.as_bytes().to_vec();
    bytes.extend_from_slice(b"# comment \xff\xfe\n");
    let (_d, rec) = record_with(&bytes, 400);
    let err = open_record(&rec).unwrap_err();
    assert!(matches!(err, Error::NotUtf8 { .. }), "{err:?}");
    all_subcommands_fail(&rec, "rec.hea: not UTF-8");
}

#[test]
fn zero_or_negative_sampling_rate() {
    for fs in ["0", "-500"] {
        let (_d, rec) = record_with(
            HEADER.replace("500 100", &format!("{fs} 100")).as_bytes(),
            400,
        );
        let err = open_record(&rec).unwrap_err();
        assert!(
            matches!(err, Error::SamplingRate { .. }),
            "fs {fs}: {err:?}"
        );
        all_subcommands_fail(&rec, &format!("rec.hea: invalid sampling rate {fs} Hz"));
    }
}

#[test]
fn nan_in_csv() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("nan.csv");
    std::fs::write(
        &csv,
        "time_s,I,II\n0,0.1,0.2\n0.002,NaN,0.3\n0.004,0.1,0.2\n",
    )
    .unwrap();
    let err = open_record(&csv).unwrap_err();
    assert!(matches!(err, Error::NonFinite { sample: 1, .. }), "{err:?}");
    all_subcommands_fail(
        &csv,
        "nan.csv: non-finite value (NaN) in lead I at sample 1",
    );
}

#[test]
fn non_utf8_and_malformed_csv() {
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("bin.csv");
    std::fs::write(&bin, b"time_s,I\n0,\xff\n").unwrap();
    assert!(matches!(
        open_record(&bin).unwrap_err(),
        Error::NotUtf8 { .. }
    ));
    all_subcommands_fail(&bin, "bin.csv: not UTF-8");
    let short = dir.path().join("short.csv");
    std::fs::write(&short, "time_s,I,II\n0,0.1\n").unwrap();
    all_subcommands_fail(&short, "short.csv: malformed CSV record");
    let word = dir.path().join("word.csv");
    std::fs::write(&word, "time_s,I\n0,0.1\n0.002,high\n").unwrap();
    all_subcommands_fail(&word, "word.csv: malformed CSV record: row 3, column I");
}

/// A float64 `.npy` array of shape (8, n) in C order.
fn npy_f64(rows: &[Vec<f64>]) -> Vec<u8> {
    let header = format!(
        "{{'descr': '<f8', 'fortran_order': False, 'shape': ({}, {}), }}",
        rows.len(),
        rows[0].len()
    );
    let mut h = header.into_bytes();
    while (10 + h.len() + 1) % 64 != 0 {
        h.push(b' ');
    }
    h.push(b'\n');
    let mut out = b"\x93NUMPY\x01\x00".to_vec();
    out.extend_from_slice(&(h.len() as u16).to_le_bytes());
    out.extend_from_slice(&h);
    for r in rows {
        for v in r {
            out.extend_from_slice(&v.to_le_bytes());
        }
    }
    out
}

#[test]
fn nan_in_npy() {
    let dir = tempfile::tempdir().unwrap();
    let ok = dir.path().join("ok.npy");
    let mut rows = vec![vec![10.0; 50]; 8];
    std::fs::write(&ok, npy_f64(&rows)).unwrap();
    let rec = open_record(&ok).unwrap();
    assert!((rec.lead("V1").unwrap().samples[0] - 0.0488).abs() < 1e-12);
    rows[3][7] = f64::NAN;
    let bad = dir.path().join("nan.npy");
    std::fs::write(&bad, npy_f64(&rows)).unwrap();
    let err = open_record(&bad).unwrap_err();
    assert!(matches!(err, Error::NonFinite { sample: 7, .. }), "{err:?}");
    all_subcommands_fail(
        &bad,
        "nan.npy: non-finite value (NaN) in lead V2 at sample 7",
    );
}

#[test]
fn malformed_npy() {
    let dir = tempfile::tempdir().unwrap();
    let junk = dir.path().join("junk.npy");
    std::fs::write(&junk, b"not numpy at all").unwrap();
    all_subcommands_fail(&junk, "junk.npy: malformed numpy .npy file");
    let wrong = dir.path().join("three.npy");
    std::fs::write(
        &wrong,
        npy_f64(&[vec![1.0; 10], vec![1.0; 10], vec![1.0; 10]]),
    )
    .unwrap();
    all_subcommands_fail(
        &wrong,
        "three.npy: malformed Tianchi .npy record: expected 8 rows",
    );
}

#[test]
fn unknown_file_kind() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("scan.pdf");
    std::fs::write(&f, b"%PDF-1.4").unwrap();
    all_subcommands_fail(&f, "scan.pdf: unknown record format");
}

#[test]
fn broken_labels_file_given_to_info() {
    let dir = tempfile::tempdir().unwrap();
    let labels = dir.path().join("2373.json");
    std::fs::write(&labels, r#"{"P on": [4106 4627]}"#).unwrap();
    cli_fails(
        &["info", "--labels", labels.to_str().unwrap()],
        "2373.json: malformed JSON cycle-label file",
    );
}
