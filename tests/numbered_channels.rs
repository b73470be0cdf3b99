//! A 12-lead record exported with numbered channels (`ECG1` … `ECG12`) is read as the standard
//! leads once its limb channels prove it, and then annotated, measured and synthesized as the
//! named record is; channels in another order keep their numbers.

mod common;

use ecg_panorama::delineate::Delineator;
use ecg_panorama::delineate::cycles::cycles;
use ecg_panorama::geometry::STANDARD_12;
use ecg_panorama::record::{Record, open_record};
use std::path::{Path, PathBuf};

/// LUDB 102 copied into `dir` with its channels renamed `ECG1` … `ECG12`; with `order`, the
/// header lists the signal lines in that order (the samples stay where they are, so the names
/// follow the lines).
fn numbered_copy(dir: &Path, order: &[usize]) -> PathBuf {
    let src = common::data_dir().join("ludb/data/102");
    let header = std::fs::read_to_string(src.with_extension("hea")).unwrap();
    let mut lines = header.lines();
    let first = lines.next().unwrap().replacen("102", "numbered", 1);
    let mut out = vec![first];
    let signals: Vec<&str> = lines.by_ref().take(12).collect();
    // A WFDB format-16 file interleaves the signals in header order, so reordering the lines
    // means reordering the samples too.
    let dat = std::fs::read(src.with_extension("dat")).unwrap();
    let frames = dat.len() / 24;
    let mut shuffled = Vec::with_capacity(dat.len());
    for f in 0..frames {
        for &k in order {
            shuffled.extend_from_slice(&dat[f * 24 + 2 * k..f * 24 + 2 * k + 2]);
        }
    }
    for (i, &k) in order.iter().enumerate() {
        let fields: Vec<&str> = signals[k].split_whitespace().collect();
        // LUDB's per-lead gains are a normalisation the reader undoes by the leads' names;
        // an exporter writes the common gain (1 µV per unit) itself.
        let baseline = fields[2]
            .split_once('(')
            .and_then(|(_, b)| b.split_once(')'))
            .unwrap()
            .0;
        // The initial value and checksum follow the signal: keep them with it.
        out.push(format!(
            "numbered.dat {} 1000({baseline})/mV {} ECG{}",
            fields[1],
            fields[3..8].join(" "),
            i + 1
        ));
    }
    out.extend(lines.map(str::to_string));
    let path = dir.join("numbered");
    std::fs::write(path.with_extension("hea"), out.join("\n") + "\n").unwrap();
    std::fs::write(path.with_extension("dat"), shuffled).unwrap();
    path
}

fn named() -> Record {
    open_record(&common::data_dir().join("ludb/data/102")).unwrap()
}

#[test]
fn numbered_channels_of_a_twelve_lead_cart_are_its_standard_leads() {
    let dir = tempfile::tempdir().unwrap();
    let order: Vec<usize> = (0..12).collect();
    let numbered = open_record(&numbered_copy(dir.path(), &order)).unwrap();
    let reference = named();
    let names: Vec<&str> = numbered.leads.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(names, STANDARD_12);
    for (a, b) in numbered.leads.iter().zip(&reference.leads) {
        assert_eq!(a.view, b.view, "{}", a.name);
        // Equal up to a constant: the reader may place LUDB's zero where it likes.
        let d: Vec<f64> = a
            .samples
            .iter()
            .zip(&b.samples)
            .map(|(x, y)| x - y)
            .collect();
        let spread = d.iter().fold(f64::NEG_INFINITY, |m, v| m.max(*v))
            - d.iter().fold(f64::INFINITY, |m, v| m.min(*v));
        assert!(
            spread < 1e-9,
            "{}: samples differ by up to {spread} mV",
            a.name
        );
    }
    assert_eq!(numbered.leads[9].raw_name, "ECG10");
    assert!(
        numbered.notes.iter().any(|n| n.contains("Einthoven")),
        "{:?}",
        numbered.notes
    );
    // The annotator sees the same record: the same cycles, boundary for boundary.
    let delineator = Delineator::load_default().unwrap();
    let a = cycles(&delineator.delineate(&numbered).unwrap());
    let b = cycles(&delineator.delineate(&reference).unwrap());
    assert_eq!(a.len(), 11);
    assert_eq!(a, b);
}

#[test]
fn numbered_channels_in_another_order_keep_their_numbers() {
    let dir = tempfile::tempdir().unwrap();
    // I, II, V1–V6, then III, aVR, aVL, aVF: a plausible layout, but not the one assumed.
    let order = [0, 1, 6, 7, 8, 9, 10, 11, 2, 3, 4, 5];
    let record = open_record(&numbered_copy(dir.path(), &order)).unwrap();
    assert!(record.leads.iter().all(|l| l.view.is_none()));
    assert_eq!(record.leads[2].name, "ECG3");
    assert!(
        record.notes.iter().any(|n| n.contains("kept as they are")),
        "{:?}",
        record.notes
    );
}
