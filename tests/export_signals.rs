//! Signal files (CSV in mV, WFDB format 16), as a user gets them on disk: they read back in
//! the project's reader and in wfdb-python, and failures leave no file behind.

mod common;

use common::export_fixture::{
    FS, ecg, lead_ii_with_a_gap, only_blocker_left, unwritable, view_label,
};
use ecg_panorama::export::{Trace, write_csv, write_wfdb};
use ecg_panorama::geometry::STANDARD_12;
use ecg_panorama::record::open_record;

#[test]
fn csv_has_header_rows_and_microvolt_values() {
    let dir = tempfile::tempdir().unwrap();
    let traces: Vec<Trace> = (0..12)
        .map(|k| Trace::new(STANDARD_12[k], ecg(4.0, k), FS))
        .collect();
    let mut short = traces.clone();
    short[11].samples.truncate(1500);
    let path = dir.path().join("leads.csv");
    write_csv(&short, &path).unwrap();

    let text = std::fs::read_to_string(&path).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next().unwrap(),
        format!("time_s,{}", STANDARD_12.join(","))
    );
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), 2000, "one row per sample");
    for (i, row) in rows.iter().enumerate() {
        assert_eq!(row.len(), 13);
        let t: f64 = row[0].parse().unwrap();
        assert!((t - i as f64 / FS).abs() < 1e-9);
        for k in 0..12 {
            if k == 11 && i >= 1500 {
                assert_eq!(row[k + 1], "", "shorter trace leaves cells empty");
                continue;
            }
            let v: f64 = row[k + 1].parse().unwrap();
            assert!(
                (v - traces[k].samples[i]).abs() <= 1e-6,
                "row {i} lead {k}: {v} vs {}",
                traces[k].samples[i]
            );
        }
    }

    // Equal lengths read back through the project's own CSV reader.
    let full = dir.path().join("full.csv");
    write_csv(&traces, &full).unwrap();
    let rec = open_record(&full).unwrap();
    assert_eq!(rec.fs, FS);
    assert_eq!(rec.len(), 2000);
    assert_eq!(rec.leads.len(), 12);
}

#[test]
fn csv_refuses_mixed_sampling_rates() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mixed.csv");
    let a = Trace::new("II", ecg(1.0, 1), 500.0);
    let b = Trace::new("V1", ecg(1.0, 6), 250.0);
    let err = write_csv(&[a, b], &path).unwrap_err().to_string();
    assert!(err.contains("mixed.csv"), "{err}");
    assert!(err.contains("500") && err.contains("250"), "{err}");
    assert!(!path.exists());
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn nan_samples_are_gaps_in_csv_and_wfdb() {
    let dir = tempfile::tempdir().unwrap();
    let trace = Trace::new("II", lead_ii_with_a_gap(), FS);
    let other = Trace::new("V1", ecg(2.0, 6), FS);

    let csv = dir.path().join("gaps.csv");
    write_csv(&[trace.clone(), other.clone()], &csv).unwrap();
    let text = std::fs::read_to_string(&csv).unwrap();
    let rows: Vec<&str> = text.lines().collect();
    assert!(rows[1 + 299].split(',').nth(1).unwrap() != "");
    for row in &rows[1 + 300..1 + 400] {
        let cells: Vec<&str> = row.split(',').collect();
        assert_eq!(cells[1], "", "NaN is an empty cell: {row}");
        assert_ne!(cells[2], "");
    }

    let rec = dir.path().join("gaps");
    write_wfdb(&[trace, other], &rec).unwrap();
    let ours = open_record(&rec).unwrap();
    assert!(ours.leads[0].samples[300..400].iter().all(|v| v.is_nan()));
    assert!(ours.leads[0].samples[299].is_finite() && ours.leads[0].samples[400].is_finite());
    let code = r#"
import sys, wfdb, numpy as np
r = wfdb.rdrecord(sys.argv[1], physical=False)
d = r.d_signal[:, 0]
print(int(np.sum(d[300:400] == -32768)), int(np.sum(d == -32768)))
p = wfdb.rdrecord(sys.argv[1]).p_signal[:, 0]
print(int(np.sum(np.isnan(p))))
"#;
    let out = common::run_python(code, &[rec.to_str().unwrap()]);
    assert_eq!(String::from_utf8(out).unwrap(), "100 100\n100\n");
}

#[test]
fn wfdb_record_reads_back_in_both_readers() {
    let dir = tempfile::tempdir().unwrap();
    let mut traces: Vec<Trace> = (0..12)
        .map(|k| Trace::new(STANDARD_12[k], ecg(10.0, k), FS))
        .collect();
    // A pacing artefact of 50 mV does not fit 1000 adu/mV: that signal gets a lower gain.
    traces[1].samples[2000] = 50.0;
    traces[2].samples[17] = -31.0;
    traces.push(Trace::new(view_label(7), ecg(10.0, 3), FS));
    let rec = dir.path().join("synth_1");
    write_wfdb(&traces, &rec).unwrap();
    let header = std::fs::read_to_string(dir.path().join("synth_1.hea")).unwrap();
    assert!(header.starts_with("synth_1 13 500 5000\n"), "{header}");
    assert!(header.contains("synth_1.dat 16 1000(0)/mV 16 0 "));
    assert!(header.contains("synth_1.dat 16 500(0)/mV 16 0 "));
    assert_eq!(
        std::fs::metadata(dir.path().join("synth_1.dat"))
            .unwrap()
            .len(),
        13 * 5000 * 2
    );
    let gains: Vec<f64> = (0..13)
        .map(|k| if k == 1 { 500.0 } else { 1000.0 })
        .collect();

    let ours = open_record(&rec).unwrap();
    assert_eq!((ours.fs, ours.len(), ours.leads.len()), (FS, 5000, 13));
    for (k, (lead, t)) in ours.leads.iter().zip(&traces).enumerate() {
        let worst = lead
            .samples
            .iter()
            .zip(&t.samples)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        assert!(
            worst <= 1.0 / gains[k],
            "lead {k}: {worst} mV off (one adu is {} mV)",
            1.0 / gains[k]
        );
    }
    let raw: Vec<&str> = ours.leads.iter().map(|l| l.raw_name.as_str()).collect();
    assert_eq!(&raw[..12], STANDARD_12);
    assert_eq!(raw[12], "theta 60 phi -60");

    let code = r#"
import sys, json, wfdb, numpy as np
d = wfdb.rdrecord(sys.argv[1], physical=False)
p = wfdb.rdrecord(sys.argv[1])
sums = [int(np.sum(d.d_signal[:, k].astype(np.int64))) for k in range(d.n_sig)]
meta = {"fs": p.fs, "n": int(p.sig_len), "names": p.sig_name, "units": p.units,
        "gain": [float(g) for g in p.adc_gain], "baseline": [int(b) for b in p.baseline],
        "fmt": p.fmt, "init": [int(v) for v in d.init_value], "first": [int(v) for v in d.d_signal[0]],
        "checksum": [int(c) for c in d.checksum], "sums": sums}
sys.stdout.buffer.write(json.dumps(meta).encode() + b"\n")
sys.stdout.buffer.write(np.ascontiguousarray(p.p_signal.T, dtype="<f8").tobytes())
"#;
    let out = common::run_python(code, &[rec.to_str().unwrap()]);
    let nl = out.iter().position(|&b| b == b'\n').unwrap();
    let meta: serde_json::Value = serde_json::from_slice(&out[..nl]).unwrap();
    let values = common::f64s(&out[nl + 1..]);
    assert_eq!(meta["fs"].as_f64(), Some(FS));
    assert_eq!(meta["n"].as_u64(), Some(5000));
    let names: Vec<&str> = meta["names"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(names, raw);
    for k in 0..13 {
        assert_eq!(meta["units"][k], "mV");
        assert_eq!(meta["fmt"][k], "16");
        assert_eq!(meta["baseline"][k], 0);
        assert_eq!(meta["gain"][k].as_f64(), Some(gains[k]));
        assert_eq!(
            meta["init"][k], meta["first"][k],
            "init value is the first sample"
        );
        let sum = meta["sums"][k].as_i64().unwrap();
        let checksum = meta["checksum"][k].as_i64().unwrap();
        assert_eq!(
            (sum - checksum).rem_euclid(65536),
            0,
            "signal {k}: checksum is the 16-bit sum of the samples"
        );
        let col = &values[k * 5000..(k + 1) * 5000];
        let worst = col
            .iter()
            .zip(&traces[k].samples)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        assert!(
            worst <= 1.0 / gains[k],
            "wfdb-python signal {k}: {worst} mV"
        );
    }
}

#[test]
fn unwritable_paths_fail_cleanly_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let traces = vec![Trace::new("II", ecg(1.0, 1), FS)];
    for base in unwritable(dir.path()) {
        let csv = base.with_extension("csv");
        let err = write_csv(&traces, &csv).unwrap_err().to_string();
        assert!(err.contains(&csv.display().to_string()), "{err}");
        let err = write_wfdb(&traces, &base).unwrap_err().to_string();
        assert!(err.contains(&base.display().to_string()), "{err}");
    }
    only_blocker_left(dir.path());
}

#[test]
fn wfdb_refuses_bad_sampling_rates() {
    let dir = tempfile::tempdir().unwrap();
    for fs in [0.0, -500.0, f64::NAN] {
        let trace = Trace::new("II", vec![0.0; 10], fs);
        let err = write_wfdb(&[trace], &dir.path().join("r"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("sampling rate"), "{err}");
    }
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}
