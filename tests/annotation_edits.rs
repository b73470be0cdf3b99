//! The annotation document on real files: LUDB record 1's lead II wave file opened, edited,
//! saved and reopened, the saved file read by wfdb-python, and crash recovery.

mod common;

use ecg_panorama::delineate::cycles_from_waves;
use ecg_panorama::delineate::edit::{AnnotationDoc, BoundaryKind, Mark, Origin, Recovery};
use ecg_panorama::record::annotation::{Annotation, read_annotations};
use ecg_panorama::record::open_record;
use std::path::{Path, PathBuf};
use std::sync::Once;
use std::time::{Duration, SystemTime};

/// Point the recovery folder at a scratch folder under `target/`, never the real home.
fn setup() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let scratch = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
        // Folders of earlier runs; a concurrent run's folder is younger than an hour.
        for entry in std::fs::read_dir(&scratch).into_iter().flatten().flatten() {
            let old = entry
                .metadata()
                .and_then(|m| m.modified())
                .is_ok_and(|t| t < hours_ago(1));
            if old
                && entry
                    .file_name()
                    .to_string_lossy()
                    .starts_with("annotation_edits-")
            {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
        let dir = scratch.join(format!("annotation_edits-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        // SAFETY: every test calls `setup` before anything else, and `Once` holds them all
        // until the variable is written, so no other thread reads the environment meanwhile.
        unsafe { std::env::set_var("ECG_PANORAMA_DATA_DIR", &dir) };
    });
}

/// LUDB record 1: its path, samples per lead and rate.
fn ludb1() -> (PathBuf, usize, f64) {
    let path = common::data_dir().join("ludb/data/1");
    let record = open_record(&path).unwrap();
    (path, record.len(), record.fs)
}

fn ludb1_doc() -> AnnotationDoc {
    let (path, len, fs) = ludb1();
    AnnotationDoc::from_wave_file(&path.with_extension("ii"), len, fs).unwrap()
}

/// A folder holding a copy of record 1's lead II file, and the record path beside it.
fn record_copy() -> (tempfile::TempDir, PathBuf) {
    let (path, _, _) = ludb1();
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(path.with_extension("ii"), dir.path().join("1.ii")).unwrap();
    let record = dir.path().join("1");
    (dir, record)
}

fn set_mtime(path: &Path, time: SystemTime) {
    std::fs::File::options()
        .write(true)
        .open(path)
        .unwrap()
        .set_modified(time)
        .unwrap();
}

fn hours_ago(h: u64) -> SystemTime {
    SystemTime::now() - Duration::from_secs(3600 * h)
}

fn samples_and_symbols(anns: &[Annotation]) -> Vec<(i64, String, String)> {
    anns.iter()
        .map(|a| {
            let aux = a.aux.clone().unwrap_or_default();
            (a.sample, a.symbol.clone(), aux)
        })
        .collect()
}

#[test]
fn ludb_record_1_opens_with_the_cycles_of_its_wave_file() {
    setup();
    let (path, len, fs) = ludb1();
    let ii = path.with_extension("ii");
    let doc = ludb1_doc();
    let expected = cycles_from_waves(&read_annotations(&ii).unwrap(), len);
    assert!(expected.len() >= 4, "{expected:?}");
    assert_eq!(doc.cycles(), expected);
    assert_eq!(
        doc.marks().len(),
        32,
        "16 waves, an onset and an offset each"
    );
    assert!(doc.warnings().is_empty() && !doc.is_dirty());
    assert_eq!(doc.origin(), &Origin::WaveFile(ii.clone()));
    let opened = AnnotationDoc::open_beside(&path, len, fs)
        .unwrap()
        .0
        .unwrap();
    assert_eq!(opened.origin(), &Origin::WaveFile(ii));
    assert_eq!(opened.marks(), doc.marks());
}

#[test]
fn a_p_onset_set_at_a_sample_appears_undo_removes_it_redo_restores_it() {
    setup();
    let mut doc = ludb1_doc();
    let original = doc.marks().to_vec();
    // In the TP segment between the T offset at 2224 and the P onset at 2546.
    let new = Mark::new(BoundaryKind::POn, 2400);
    let at = doc.set(BoundaryKind::from_key(1).unwrap(), 2400).unwrap();
    assert_eq!(doc.marks()[at], new);
    assert_eq!(doc.marks().len(), original.len() + 1);
    assert!(doc.is_dirty() && doc.can_undo());
    assert!(doc.undo());
    assert_eq!(doc.marks(), original.as_slice());
    assert!(!doc.marks().contains(&new) && !doc.is_dirty());
    assert!(doc.redo());
    assert_eq!(doc.marks()[at], new);
    assert_eq!(doc.revision(), 3);
}

#[test]
fn moving_a_mark_is_undoable_and_stops_at_its_neighbours() {
    setup();
    let mut doc = ludb1_doc();
    let original = doc.marks().to_vec();
    let qrs_on = doc.nearest(1979, 0).unwrap();
    assert_eq!(doc.marks()[qrs_on], Mark::new(BoundaryKind::QrsOn, 1979));
    for to in [1975, 1970] {
        assert!(doc.move_mark(qrs_on, to));
    }
    assert!(doc.cycles().iter().any(|c| c.qrs_on() == 1970));
    // The P offset at 1955 is the left neighbour.
    doc.move_mark(qrs_on, 1900);
    assert_eq!(doc.marks()[qrs_on].sample, 1955);
    assert!(doc.undo(), "the drag is one step");
    assert_eq!(doc.marks(), original.as_slice());
    assert!(doc.redo());
    assert_eq!(doc.marks()[qrs_on].sample, 1955);
}

#[test]
fn template_cycles_are_added_and_removed() {
    setup();
    let mut doc = ludb1_doc();
    let original = doc.marks().to_vec();
    let cycles = doc.cycles();
    // 2300 + 520 ms runs into the P onset at 2546.
    assert!(!doc.add_cycle(2300));
    assert_eq!(doc.marks(), original.as_slice());
    // After the last QRS (3996); a P onset at 4700 completes the new cycle.
    assert!(doc.add_cycle(4300));
    doc.set(BoundaryKind::POn, 4700).unwrap();
    let added = [4300, 4350, 4380, 4430, 4480, 4560, 4700];
    assert_eq!(doc.cycles().last().map(|c| c.as_array()), Some(added));
    assert_eq!(doc.remove_cycle(4400), 6);
    assert_eq!(doc.cycles(), cycles);
    assert!(doc.undo());
    assert_eq!(doc.cycles().last().map(|c| c.as_array()), Some(added));
    // Removing one of the file's cycles takes its six marks and merges it into the one before.
    let n = doc.marks().len();
    assert_eq!(doc.remove_cycle(2000), 6);
    assert_eq!(doc.marks().len(), n - 6);
    assert!(!doc.cycles().iter().any(|c| c.p_on() == 1911));
}

#[test]
fn saved_files_reopen_with_identical_marks() {
    setup();
    let (_, len, fs) = ludb1();
    let dir = tempfile::tempdir().unwrap();
    let (wave, json) = (dir.path().join("1.ii"), dir.path().join("1.json"));
    let mut doc = ludb1_doc();
    // Unedited, the file is written back as it was: same waves, same peaks.
    doc.save(&wave, &json, "1", false).unwrap();
    let original = read_annotations(&ludb1().0.with_extension("ii")).unwrap();
    assert_eq!(
        samples_and_symbols(&read_annotations(&wave).unwrap()),
        samples_and_symbols(&original)
    );
    // Edits, including a lone T onset that forms no wave.
    doc.move_mark(doc.nearest(2546, 0).unwrap(), 2530);
    doc.set(BoundaryKind::TOn, 4200).unwrap();
    assert!(doc.add_cycle(4400));
    assert!(doc.is_dirty());
    doc.save(&wave, &json, "1", true).unwrap();
    assert!(!doc.is_dirty());
    let from_wave = AnnotationDoc::from_wave_file(&wave, len, fs).unwrap();
    assert_eq!(from_wave.marks(), doc.marks());
    assert_eq!(from_wave.cycles(), doc.cycles());
    let from_json = AnnotationDoc::from_labels_file(&json, len, fs).unwrap();
    assert_eq!(from_json.marks(), doc.marks());
    let beside = AnnotationDoc::open_beside(&dir.path().join("1"), len, fs)
        .unwrap()
        .0
        .unwrap();
    assert_eq!(beside.origin(), &Origin::WaveFile(wave.clone()));
    assert_eq!(beside.marks(), doc.marks());
    // The JSON cycles are what the panorama engine reads.
    let text = std::fs::read_to_string(&json).unwrap();
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(value["fs"], 500.0);
    let t_on = doc.marks().iter().filter(|m| m.kind == BoundaryKind::TOn);
    assert_eq!(value["T on"].as_array().unwrap().len(), t_on.count());
    assert!(value["T on"].as_array().unwrap().contains(&4200.into()));
    assert_eq!(
        value["cycles"].as_array().unwrap().len(),
        doc.cycles().len()
    );
}

#[test]
fn saving_over_existing_files_without_overwrite_fails_and_leaves_them_untouched() {
    setup();
    let dir = tempfile::tempdir().unwrap();
    let (wave, json) = (dir.path().join("1.ii"), dir.path().join("1.json"));
    let mut doc = ludb1_doc();
    doc.save(&wave, &json, "1", false).unwrap();
    let before = (std::fs::read(&wave).unwrap(), std::fs::read(&json).unwrap());
    doc.set(BoundaryKind::POn, 4700).unwrap();
    let err = doc.save(&wave, &json, "1", false).unwrap_err().to_string();
    assert!(
        err.contains(&wave.display().to_string()) && err.contains(&json.display().to_string()),
        "{err}"
    );
    assert_eq!(
        (std::fs::read(&wave).unwrap(), std::fs::read(&json).unwrap()),
        before
    );
    assert!(doc.is_dirty(), "a refused save saved nothing");
    // Only one of the two existing is enough to stop both.
    std::fs::remove_file(&wave).unwrap();
    assert!(doc.save(&wave, &json, "1", false).is_err());
    assert!(!wave.exists());
    doc.save(&wave, &json, "1", true).unwrap();
    assert_ne!(std::fs::read(&json).unwrap(), before.1);
    let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(names.len(), 2, "no temporary file left behind");
}

/// Every annotation `rdann` reads from argv[1], as (sample, symbol, aux) rows.
const RDANN: &str = r#"
import json, sys, wfdb
base, ext = sys.argv[1].rsplit('.', 1)
a = wfdb.rdann(base, ext)
print(json.dumps([[int(s), str(y), str(x)] for s, y, x in zip(a.sample, a.symbol, a.aux_note)]))
"#;

#[test]
fn wfdb_python_reads_the_saved_wave_file() {
    setup();
    let dir = tempfile::tempdir().unwrap();
    let (wave, json) = (dir.path().join("1.ii"), dir.path().join("1.json"));
    let mut doc = ludb1_doc();
    doc.set(BoundaryKind::TOff, 4800).unwrap();
    assert!(doc.add_cycle(4300));
    doc.save(&wave, &json, "1", false).unwrap();
    let out = common::run_python(RDANN, &[&wave.display().to_string()]);
    let theirs: Vec<(i64, String, String)> = serde_json::from_slice(&out).unwrap();
    let ours = samples_and_symbols(&doc.wave_annotations().unwrap());
    assert_eq!(theirs, ours);
    // LUDB's 48, three waves of the template cycle, one note.
    assert_eq!(theirs.len(), 48 + 9 + 1);
    assert!(theirs.contains(&(4800, "\"".into(), "T off".into())));
    assert!(theirs.contains(&(4300, "(".into(), String::new())));
}

#[test]
fn recovery_keeps_marks_and_revision_and_is_opened_first() {
    setup();
    let (_dir, record) = record_copy();
    let (_, len, fs) = ludb1();
    set_mtime(&record.with_extension("ii"), hours_ago(1));
    let mut doc = AnnotationDoc::open_beside(&record, len, fs)
        .unwrap()
        .0
        .unwrap();
    doc.set(BoundaryKind::POn, 2400).unwrap();
    doc.move_mark(0, 600);
    Recovery::save(&doc, &record).unwrap();
    let path = Recovery::path_for(&record).unwrap();
    let data_dir = std::env::var_os("ECG_PANORAMA_DATA_DIR").unwrap();
    assert!(path.starts_with(&data_dir), "{}", path.display());
    let back = Recovery::load(&record).unwrap().unwrap();
    assert_eq!(back.marks(), doc.marks());
    assert_eq!(back.revision(), doc.revision());
    let opened = AnnotationDoc::open_beside(&record, len, fs)
        .unwrap()
        .0
        .unwrap();
    assert_eq!(opened.origin(), &Origin::Recovery(path.clone()));
    assert_eq!(opened.marks(), doc.marks());
    assert!(opened.is_dirty(), "recovered edits are in no saved file");
    Recovery::discard(&record).unwrap();
    assert!(!path.exists());
    let opened = AnnotationDoc::open_beside(&record, len, fs)
        .unwrap()
        .0
        .unwrap();
    assert!(matches!(opened.origin(), Origin::WaveFile(_)));
}

#[test]
fn a_corrupt_recovery_file_is_an_error_and_opening_falls_back_to_the_saved_file() {
    setup();
    let (_dir, record) = record_copy();
    let (_, len, fs) = ludb1();
    set_mtime(&record.with_extension("ii"), hours_ago(1));
    let path = Recovery::path_for(&record).unwrap();
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, b"{\"format\": \"ecg-panorama annotation recov").unwrap();
    let err = Recovery::load(&record).unwrap_err().to_string();
    assert!(err.contains(&path.display().to_string()), "{err}");
    let doc = AnnotationDoc::open_beside(&record, len, fs)
        .unwrap()
        .0
        .unwrap();
    assert_eq!(doc.origin(), &Origin::WaveFile(record.with_extension("ii")));
    assert_eq!(doc.marks(), ludb1_doc().marks());
    assert!(
        doc.warnings()
            .iter()
            .any(|w| w.contains(&path.display().to_string())),
        "{:?}",
        doc.warnings()
    );
}

#[test]
fn a_recovery_file_older_than_the_saved_annotations_is_not_preferred() {
    setup();
    let (_dir, record) = record_copy();
    let (_, len, fs) = ludb1();
    let mut doc = ludb1_doc();
    doc.set(BoundaryKind::POn, 2400).unwrap();
    Recovery::save(&doc, &record).unwrap();
    let path = Recovery::path_for(&record).unwrap();
    set_mtime(&path, hours_ago(2));
    set_mtime(&record.with_extension("ii"), hours_ago(1));
    let opened = AnnotationDoc::open_beside(&record, len, fs)
        .unwrap()
        .0
        .unwrap();
    assert!(matches!(opened.origin(), Origin::WaveFile(_)));
    assert_eq!(opened.marks(), ludb1_doc().marks());
    assert!(opened.warnings().iter().any(|w| w.contains("older")));
    // The same file, newer than the saved one, is preferred.
    set_mtime(&path, SystemTime::now());
    let opened = AnnotationDoc::open_beside(&record, len, fs)
        .unwrap()
        .0
        .unwrap();
    assert_eq!(opened.origin(), &Origin::Recovery(path));
    assert_eq!(opened.marks(), doc.marks());
}

#[test]
fn bad_input_is_refused_or_ignored_never_a_panic() {
    setup();
    let (path, len, fs) = ludb1();
    let mut doc = ludb1_doc();
    let original = doc.marks().to_vec();
    assert!(!doc.delete(10_000));
    assert!(!doc.move_mark(10_000, 5));
    assert_eq!(doc.set(BoundaryKind::POn, len), None);
    assert_eq!(doc.remove_cycle(len + 5), 0);
    assert!(!doc.add_cycle(len - 1));
    assert!(!doc.add_cycle(usize::MAX));
    assert_eq!(doc.marks(), original.as_slice());
    assert_eq!(doc.revision(), 0);
    let ii = path.with_extension("ii");
    assert!(AnnotationDoc::from_wave_file(&ii, len, f64::NAN).is_err());
    let short = AnnotationDoc::from_wave_file(&ii, 3000, fs)
        .unwrap_err()
        .to_string();
    assert!(
        short.contains("1.ii") && short.contains("outside the record"),
        "{short}"
    );
    let none = AnnotationDoc::from_wave_file(&path.with_extension("nope"), len, fs);
    assert!(none.unwrap_err().to_string().contains("not found"));
}
