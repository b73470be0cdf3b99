//! CSV records as other programs write them: semicolons or tabs between fields, time in
//! milliseconds, leads in µV or V named in the header, empty fields for missing samples — and
//! a record with a gap written by `convert` reads back with the gap where it was.

use ecg_panorama::record::csv_io::write_csv;
use ecg_panorama::record::{Lead, Record, open_record};

fn read(text: &str) -> ecg_panorama::error::Result<Record> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.csv");
    std::fs::write(&path, text).unwrap();
    open_record(&path)
}

#[test]
fn separators_units_and_time_in_ms_are_read_from_the_header() {
    for text in [
        "time_s,II,V1\n0,0.5,-0.25\n0.002,1.0,0.0\n0.004,0.0,0.1\n",
        "time_ms;II (uV);V1 (µV)\n0;500;-250\n2;1000;0\n4;0;100\n",
        "Time [s]\tII [V]\tV1_mV\n0\t0.0005\t-0.25\n0.002\t0.001\t0\n0.004\t0\t0.1\n",
    ] {
        let r = read(text).unwrap_or_else(|e| panic!("{text:?}: {e}"));
        assert!((r.fs - 500.0).abs() < 1e-9, "{text:?}: {} Hz", r.fs);
        let names: Vec<&str> = r.leads.iter().map(|l| l.name.as_str()).collect();
        assert_eq!(names, ["II", "V1"], "{text:?}");
        let ii = &r.lead("II").unwrap().samples;
        let v1 = &r.lead("V1").unwrap().samples;
        for (got, want) in ii.iter().chain(v1).zip([0.5, 1.0, 0.0, -0.25, 0.0, 0.1]) {
            assert!(
                (got - want).abs() < 1e-12,
                "{text:?}: {got} mV, want {want}"
            );
        }
    }
    // A name that merely contains an underscore keeps it.
    let r = read("time_s,ECG_1\n0,1\n0.004,2\n").unwrap();
    assert_eq!(r.leads[0].name, "ECG_1");
    assert!((r.fs - 250.0).abs() < 1e-9);
}

#[test]
fn unknown_units_are_refused_by_name() {
    let err = read("time_s,II (mmHg)\n0,1\n0.002,2\n").unwrap_err();
    assert!(err.to_string().contains("unknown unit \"mmHg\""), "{err}");
    let err = read("time_min,II\n0,1\n1,2\n").unwrap_err();
    assert!(err.to_string().contains("time in \"min\""), "{err}");
}

#[test]
fn a_record_with_a_gap_reads_back_with_the_gap() {
    let mut samples: Vec<f64> = (0..100).map(|i| (i as f64 * 0.1).sin()).collect();
    samples[40..50].fill(f64::NAN);
    let record = Record {
        name: "gap".into(),
        fs: 250.0,
        leads: vec![
            Lead::new("II", samples.clone(), false),
            Lead::new("V2", vec![0.25; 100], false),
        ],
        comments: Vec::new(),
        notes: Vec::new(),
    };
    let mut bytes = Vec::new();
    write_csv(&record, &mut bytes).unwrap();
    let back = read(std::str::from_utf8(&bytes).unwrap()).unwrap();
    assert_eq!(back.len(), 100);
    let ii = &back.lead("II").unwrap().samples;
    for (i, (a, b)) in ii.iter().zip(&samples).enumerate() {
        if b.is_nan() {
            assert!(a.is_nan(), "sample {i} is missing");
        } else {
            assert!((a - b).abs() < 1e-12, "sample {i}: {a} vs {b}");
        }
    }
    assert!(back.lead("V2").unwrap().samples.iter().all(|&v| v == 0.25));
}

#[test]
fn microvolts_without_a_unit_are_recognised() {
    // A CSV in µV with no unit in its header: QRS-like 1.2 mV spikes once a second.
    let mut text = String::from("time_s,II,V2\n");
    for i in 0..2500 {
        let uv = if i % 250 < 20 { 1200.0 } else { 20.0 };
        text += &format!("{},{uv},{}\n", i as f64 / 250.0, uv / 2.0);
    }
    let r = read(&text).unwrap();
    let ii = &r.lead("II").unwrap().samples;
    assert!(
        (ii[0] - 1.2).abs() < 1e-12 && (ii[30] - 0.02).abs() < 1e-12,
        "{}",
        ii[0]
    );
    assert!(
        r.notes.iter().any(|n| n.contains("read as µV")),
        "{:?}",
        r.notes
    );
}
