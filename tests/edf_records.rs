//! EDF+ records as pyedflib writes them (an independent implementation): an LUDB record's
//! leads in µV at 500 Hz with a respiration channel in another unit and rate, and a lead
//! recorded at a lower rate. They open in mV at the record's rate with the lead names mapped,
//! the other channel left out by name, and the annotator finds the record's beats; a truncated
//! file is refused by name.

mod common;

use ecg_panorama::delineate::Delineator;
use ecg_panorama::error::Error;
use ecg_panorama::record::open_record;

/// Write LUDB record 1 as EDF+ with pyedflib: its 12 leads ("ECG I", … in µV, 500 Hz), a
/// respiration channel in "%" at 25 Hz, and lead II again at 250 Hz ("ECG II-250", µV).
fn write_edf(path: &std::path::Path) {
    let code = r#"
import sys, numpy as np, pyedflib, wfdb
from scipy.signal import resample_poly
src, out = sys.argv[1], sys.argv[2]
r = wfdb.rdrecord(src)
x = r.p_signal * 1000.0  # mV -> µV
n = x.shape[0]
heads, data = [], []
for k, name in enumerate(r.sig_name):
    heads.append({'label': 'ECG ' + name.upper(), 'dimension': 'uV', 'sample_frequency': 500,
                  'physical_min': -32768.0, 'physical_max': 32767.0,
                  'digital_min': -32768, 'digital_max': 32767, 'transducer': '', 'prefilter': ''})
    data.append(np.ascontiguousarray(x[:, k]))
heads.append({'label': 'Resp', 'dimension': '%', 'sample_frequency': 25,
              'physical_min': 0.0, 'physical_max': 100.0, 'digital_min': -32768,
              'digital_max': 32767, 'transducer': '', 'prefilter': ''})
data.append(50 + 10 * np.sin(np.arange(n // 20) / 25.0))
heads.append({'label': 'ECG II-250', 'dimension': 'uV', 'sample_frequency': 250,
              'physical_min': -32768.0, 'physical_max': 32767.0, 'digital_min': -32768,
              'digital_max': 32767, 'transducer': '', 'prefilter': ''})
data.append(np.ascontiguousarray(resample_poly(x[:, 1], 1, 2)))
f = pyedflib.EdfWriter(out, len(heads), file_type=pyedflib.FILETYPE_EDFPLUS)
f.setSignalHeaders(heads)
f.writeSamples(data)
f.close()
"#;
    let src = common::data_dir().join("ludb/data/1");
    common::run_python(code, &[src.to_str().unwrap(), path.to_str().unwrap()]);
}

#[test]
fn an_edf_record_opens_in_mv_with_its_leads_named() {
    let dir = tempfile::tempdir().unwrap();
    let edf = dir.path().join("ludb1.edf");
    write_edf(&edf);
    let r = open_record(&edf).unwrap_or_else(|e| panic!("{e}"));
    let ludb = open_record(&common::data_dir().join("ludb/data/1")).unwrap();
    assert_eq!(r.fs, 500.0);
    assert_eq!(r.len(), ludb.len());
    let names: Vec<&str> = r.leads.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(
        &names[..12],
        ludb.leads
            .iter()
            .map(|l| l.name.as_str())
            .collect::<Vec<_>>()
    );
    // pyedflib stores whole µV: within 1 µV of LUDB's samples as wfdb-python scales them.
    let reference = common::run_python(
        "import sys, wfdb, numpy as np\nr = wfdb.rdrecord(sys.argv[1])\nsys.stdout.buffer.write(np.ascontiguousarray(r.p_signal.T, dtype='<f8').tobytes())",
        &[common::data_dir().join("ludb/data/1").to_str().unwrap()],
    );
    let reference = common::f64s(&reference);
    for (k, lead) in r.leads.iter().take(12).enumerate() {
        let want = &reference[k * r.len()..(k + 1) * r.len()];
        let worst = lead
            .samples
            .iter()
            .zip(want)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        assert!(worst <= 1.01e-3, "{}: off by {worst} mV", lead.name);
    }
    // The 250 Hz copy of II is resampled to 500 Hz and follows II.
    let ii = &r.lead("II").unwrap().samples;
    let copy = &r.leads[12].samples;
    let inner = 100..ii.len() - 100;
    let err = inner
        .clone()
        .map(|i| (ii[i] - copy[i]).powi(2))
        .sum::<f64>()
        .sqrt()
        / inner.map(|i| ii[i].powi(2)).sum::<f64>().sqrt();
    assert!(err < 0.05, "the resampled lead departs by {err:.3} of II");
    assert!(
        r.notes.iter().any(|n| n.contains("Resp (%)")),
        "the respiration channel is named as left out: {:?}",
        r.notes
    );
    let d = Delineator::load_default().unwrap().delineate(&r).unwrap();
    let own = Delineator::load_default()
        .unwrap()
        .delineate(&ludb)
        .unwrap();
    assert_eq!(
        d.beats.len(),
        own.beats.len(),
        "the same beats as the WFDB original"
    );
}

#[test]
fn a_truncated_edf_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let edf = dir.path().join("cut.edf");
    write_edf(&edf);
    let bytes = std::fs::read(&edf).unwrap();
    std::fs::write(&edf, &bytes[..bytes.len() - 5000]).unwrap();
    let err = open_record(&edf).unwrap_err();
    assert!(matches!(err, Error::Truncated { .. }), "{err:?}");
    std::fs::write(&edf, &bytes[..100]).unwrap();
    let err = open_record(&edf).unwrap_err();
    assert!(
        err.to_string().contains("shorter than the 256-byte header"),
        "{err}"
    );
}
