//! Every kind of shared record loads in mV with the rate, length and lead names that
//! wfdb-python's `rdrecord(...).p_signal` gives, to 1e-6 mV; LUDB's, whose header gains only
//! normalise each lead, load as its stored numbers at one gain.

mod common;

use ecg_panorama::record::gains::COMMON_GAIN;
use ecg_panorama::record::wfdb_io::read_wfdb_as_written;
use ecg_panorama::record::{Record, open_record};
use std::path::Path;

/// wfdb-python's view of a record: (fs, lead names, samples per lead, column-major samples:
/// `p_signal`, or `d_signal` when `physical` is false).
fn reference_of(record: &Path, physical: bool) -> (f64, Vec<String>, usize, Vec<f64>) {
    let code = r#"
import sys, json, wfdb, numpy as np
r = wfdb.rdrecord(sys.argv[1], physical=sys.argv[2] == "1")
meta = json.dumps({"fs": r.fs, "names": r.sig_name, "n": int(r.sig_len)})
x = r.p_signal if r.p_signal is not None else r.d_signal
sys.stdout.buffer.write(meta.encode() + b"\n")
sys.stdout.buffer.write(np.ascontiguousarray(x.T, dtype="<f8").tobytes())
"#;
    let stem = record.with_extension("");
    let flag = if physical { "1" } else { "0" };
    let out = common::run_python(code, &[stem.to_str().unwrap(), flag]);
    let nl = out.iter().position(|&b| b == b'\n').unwrap();
    let meta: serde_json::Value = serde_json::from_slice(&out[..nl]).unwrap();
    let names = meta["names"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    (
        meta["fs"].as_f64().unwrap(),
        names,
        meta["n"].as_u64().unwrap() as usize,
        common::f64s(&out[nl + 1..]),
    )
}

fn reference(record: &Path) -> (f64, Vec<String>, usize, Vec<f64>) {
    reference_of(record, true)
}

fn assert_matches_wfdb_python(record: &Path) -> Record {
    let ours = open_record(record).unwrap_or_else(|e| panic!("{}: {e}", record.display()));
    assert!(
        ours.notes.is_empty(),
        "{}: {:?}",
        record.display(),
        ours.notes
    );
    assert_matches(ours, reference(record), record, 1.0)
}

/// `ours` against wfdb-python's samples times `scale`, to 1e-6 mV.
fn assert_matches(
    ours: Record,
    (fs, names, n, values): (f64, Vec<String>, usize, Vec<f64>),
    record: &Path,
    scale: f64,
) -> Record {
    assert_eq!(ours.fs, fs, "{}: sampling rate", record.display());
    assert_eq!(ours.len(), n, "{}: samples per lead", record.display());
    let raw: Vec<&str> = ours.leads.iter().map(|l| l.raw_name.as_str()).collect();
    assert_eq!(raw, names, "{}: lead names", record.display());
    for (k, lead) in ours.leads.iter().enumerate() {
        let want = &values[k * n..(k + 1) * n];
        let worst = lead
            .samples
            .iter()
            .zip(want)
            .map(|(a, b)| {
                if a.is_nan() && b.is_nan() {
                    0.0
                } else {
                    (a - b * scale).abs()
                }
            })
            .fold(0.0, f64::max);
        assert!(
            worst <= 1e-6,
            "{} lead {}: max difference {worst} mV",
            record.display(),
            lead.name
        );
    }
    ours
}

/// LUDB as its header scales it (every lead 1 mV peak to peak) matches wfdb-python; opened, it
/// is wfdb-python's stored numbers at one gain, with a note saying so.
fn assert_ludb_matches_wfdb_python(record: &Path) -> Record {
    let (written, _) =
        read_wfdb_as_written(record).unwrap_or_else(|e| panic!("{}: {e}", record.display()));
    assert_matches(written, reference(record), record, 1.0);
    let ours = open_record(record).unwrap_or_else(|e| panic!("{}: {e}", record.display()));
    assert_eq!(
        ours.notes.len(),
        1,
        "{}: one note on the gains",
        record.display()
    );
    assert_matches(ours, reference_of(record, false), record, 1.0 / COMMON_GAIN)
}

#[test]
fn ludb_format_16_with_baselines() {
    let dir = common::data_dir().join("ludb/data");
    for id in ["1", "2", "101", "199"] {
        let rec = assert_ludb_matches_wfdb_python(&dir.join(id));
        assert_eq!((rec.fs, rec.len(), rec.leads.len()), (500.0, 5000, 12));
        let names: Vec<&str> = rec.leads.iter().map(|l| l.name.as_str()).collect();
        assert_eq!(names, ecg_panorama::geometry::STANDARD_12);
        assert!(
            rec.leads
                .iter()
                .all(|l| l.view.is_some_and(|v| !v.approximate))
        );
    }
}

#[test]
fn ludb_record_given_with_hea_extension() {
    let hea = common::data_dir().join("ludb/data/3.hea");
    assert_ludb_matches_wfdb_python(&hea);
}

#[test]
fn ptb_fifteen_leads_in_two_signal_files() {
    let rec = assert_matches_wfdb_python(&common::data_dir().join("wfdb-samples/s0010_re"));
    assert_eq!((rec.fs, rec.len(), rec.leads.len()), (1000.0, 38400, 15));
    for frank in ["vx", "vy", "vz"] {
        let lead = rec.lead(frank).unwrap_or_else(|| panic!("{frank} missing"));
        assert!(lead.view.is_some(), "{frank} has a viewpoint");
    }
}

#[test]
fn mitbih_format_212_two_long_leads() {
    let rec = assert_matches_wfdb_python(&common::data_dir().join("wfdb-samples/100"));
    assert_eq!((rec.fs, rec.len(), rec.leads.len()), (360.0, 650_000, 2));
    let mlii = &rec.leads[0];
    assert_eq!((mlii.raw_name.as_str(), mlii.name.as_str()), ("MLII", "II"));
    assert!(mlii.view.unwrap().approximate);
    assert!(
        rec.leads[1].view.unwrap().approximate,
        "V5 of MIT-BIH is a modified lead"
    );
}

#[test]
fn qtdb_headers_with_an_uncalibrated_gain_of_zero() {
    // `sel883.dat 212 0 12 0 288 -10190 0 ECG1`: a gain of 0 is WFDB's "uncalibrated, 200 per
    // mV", and the fields after it are the resolution … block size, then the lead's name.
    for id in ["sel883", "sel14172"] {
        let rec = assert_matches_wfdb_python(&common::data_dir().join("qtdb").join(id));
        let names: Vec<&str> = rec.leads.iter().map(|l| l.name.as_str()).collect();
        assert_eq!(names, ["ECG1", "ECG2"], "{id}");
    }
}

#[test]
fn cinc2021_mat_files_with_byte_offset() {
    let dir = common::data_dir().join("cinc2021-samples");
    for id in ["E07500", "E07519", "JS20000", "JS20019"] {
        let rec = assert_matches_wfdb_python(&dir.join(id));
        assert_eq!((rec.fs, rec.len(), rec.leads.len()), (500.0, 5000, 12));
    }
}

#[test]
fn cpsc2021_two_lead_200_hz() {
    let rec = assert_matches_wfdb_python(&common::data_dir().join("cpsc2021-samples/data_101_6"));
    assert_eq!(rec.fs, 200.0);
}

#[test]
fn tianchi_npy_in_mv_with_derived_limb_leads() {
    let npy = common::data_dir()
        .join("electrocardio-panorama/tianchi/npy_data/tianchi_train_round1/11315.npy");
    let rec = open_record(&npy).unwrap();
    assert_eq!((rec.fs, rec.len(), rec.leads.len()), (500.0, 5000, 12));
    let code = "import sys, numpy as np; sys.stdout.buffer.write(np.load(sys.argv[1]).astype('<f8').tobytes())";
    let raw = common::f64s(&common::run_python(code, &[npy.to_str().unwrap()]));
    let row = |k: usize| &raw[k * 5000..(k + 1) * 5000];
    let (i, ii) = (row(0), row(1));
    let close = |lead: &str, want: &dyn Fn(usize) -> f64| {
        let got = &rec.lead(lead).unwrap().samples;
        for (t, g) in got.iter().enumerate() {
            assert!(
                (g - want(t)).abs() < 1e-9,
                "{lead} sample {t}: {g} vs {}",
                want(t)
            );
        }
    };
    let mv = 0.00488;
    close("I", &|t| i[t] * mv);
    close("V6", &|t| row(7)[t] * mv);
    close("III", &|t| (ii[t] - i[t]) * mv);
    close("aVR", &|t| -(i[t] + ii[t]) / 2.0 * mv);
    close("aVL", &|t| (i[t] - ii[t] / 2.0) * mv);
    close("aVF", &|t| (ii[t] - i[t] / 2.0) * mv);
}
