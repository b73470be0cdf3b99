//! Multi-segment WFDB records: segments joined in order, a null segment as missing samples, a
//! variable layout's absent signal as missing samples, and a missing segment file named.

use ecg_panorama::error::Error;
use ecg_panorama::export::{Trace, write_wfdb};
use ecg_panorama::record::open_record;
use std::path::Path;

fn segment(dir: &Path, name: &str, leads: &[(&str, f64)], n: usize) {
    let traces: Vec<Trace> = leads
        .iter()
        .map(|&(label, level)| Trace {
            label: label.into(),
            samples: (0..n).map(|i| level + 0.001 * i as f64).collect(),
            fs: 250.0,
            t0: 0.0,
        })
        .collect();
    write_wfdb(&traces, &dir.join(name)).unwrap();
}

#[test]
fn segments_are_joined_with_null_segments_and_absent_signals_missing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    segment(d, "rec_0001", &[("II", 1.0), ("V5", 2.0)], 100);
    segment(d, "rec_0002", &[("II", -1.0)], 50);
    // The layout segment names every signal; it has no samples.
    std::fs::write(
        d.join("rec_layout.hea"),
        "rec_layout 2 250 0\n~ 0 200 16 0 0 0 0 II\n~ 0 200 16 0 0 0 0 V5\n",
    )
    .unwrap();
    std::fs::write(
        d.join("rec.hea"),
        "rec/4 2 250 180\nrec_layout 0\nrec_0001 100\n~ 30\nrec_0002 50\n",
    )
    .unwrap();
    let r = open_record(&d.join("rec")).unwrap();
    assert_eq!((r.fs, r.len()), (250.0, 180));
    let names: Vec<&str> = r.leads.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(names, ["II", "V5"]);
    let ii = &r.lead("II").unwrap().samples;
    let v5 = &r.lead("V5").unwrap().samples;
    assert!((ii[0] - 1.0).abs() < 1e-3 && (ii[99] - 1.099).abs() < 1e-3);
    assert!(
        ii[100..130].iter().all(|v| v.is_nan()),
        "the null segment is missing"
    );
    assert!((ii[130] + 1.0).abs() < 1e-3 && (ii[179] + 0.951).abs() < 1e-3);
    assert!((v5[50] - 2.05).abs() < 1e-3);
    assert!(
        v5[100..].iter().all(|v| v.is_nan()),
        "V5 is absent after the first segment"
    );
}

#[test]
fn a_missing_segment_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    segment(d, "a_0001", &[("II", 1.0)], 100);
    std::fs::write(d.join("a.hea"), "a/2 1 250 200\na_0001 100\na_0002 100\n").unwrap();
    let err = open_record(&d.join("a")).unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err:?}");
    let text = err.to_string();
    assert!(
        text.contains("a_0002.hea") && text.contains("segment 2 of"),
        "{text}"
    );
}
