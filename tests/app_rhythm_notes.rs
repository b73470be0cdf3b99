//! Why a beat has no P wave, in the desktop app's measurements table: the beats the
//! annotator's rhythm rules named (ventricular ectopic, in fibrillation) are named there, and
//! saving, reopening and the autosave keep the names.

mod common;
mod harness;

use ecg_panorama::app::{App, View};
use ecg_panorama::delineate::BeatRhythm;
use ecg_panorama::delineate::edit::{AnnotationDoc, Recovery};
use ecg_panorama::measure::{beats_from_marks, with_rhythm};
use ecg_panorama::record::csv_io::write_csv;
use ecg_panorama::record::open_record;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use harness::{app, harness, settle};
use std::path::{Path, PathBuf};

/// The first minute of QTDB sel223 (MIT-BIH 223: sinus rhythm with premature ventricular
/// beats; its reference labels seven in this minute) as CSV.
fn sel223_minute(dir: &Path) -> PathBuf {
    let mut record = open_record(&common::data_dir().join("qtdb/sel223")).unwrap();
    let n = (60.0 * record.fs) as usize;
    for lead in &mut record.leads {
        lead.samples.truncate(n);
    }
    let path = dir.join("sel223-minute.csv");
    write_csv(&record, &mut std::fs::File::create(&path).unwrap()).unwrap();
    path
}

fn open(path: PathBuf, dir: &Path) -> Harness<'static, App> {
    let mut h = harness(app(Some(path), View::Annotate, dir));
    h.state_mut().state.measurements = true;
    settle(&mut h);
    h
}

#[test]
fn ventricular_ectopic_beats_are_named_in_the_measurements_table() {
    let dir = tempfile::tempdir().unwrap();
    let h = open(sel223_minute(dir.path()), dir.path());
    let s = &h.state().state;
    let rows = &s.measures.measures.as_ref().expect("measurements").cycles;
    let ectopic: Vec<usize> = (0..rows.len())
        .filter(|&i| rows[i].rhythm == Some(BeatRhythm::VentricularEctopic))
        .collect();
    // Seven PVCs in the reference; a couplet's or a late one's name may differ, not most.
    assert!(
        (5..=9).contains(&ectopic.len()),
        "{} ectopic rows of {}",
        ectopic.len(),
        rows.len()
    );
    for &i in &ectopic {
        assert_eq!(rows[i].pr_ms, None, "row {i}: an ectopic beat has no PR");
        assert!(
            s.measures.notes[i].contains(BeatRhythm::VentricularEctopic.label()),
            "row {i}: {:?}",
            s.measures.notes[i]
        );
    }
    // Every row the rules named carries its name, and no other row a note (no gaps here).
    for (i, (row, note)) in rows.iter().zip(&s.measures.notes).enumerate() {
        match row.rhythm {
            Some(r) => assert_eq!(note, r.label(), "row {i}"),
            None => assert!(note.is_empty(), "row {i}: {note:?}"),
        }
    }
    let shown = h
        .query_all_by_label(BeatRhythm::VentricularEctopic.label())
        .count();
    assert_eq!(shown, ectopic.len());
}

#[test]
fn the_names_survive_saving_and_reopening_the_annotations() {
    let dir = tempfile::tempdir().unwrap();
    let path = sel223_minute(dir.path());
    let record = open_record(&path).unwrap();
    let d = ecg_panorama::delineate::Delineator::load_default()
        .unwrap()
        .delineate(&record)
        .unwrap();
    let proposed = AnnotationDoc::from_delineation(&d, record.len());
    // What the measurements read: each beat of the marks with the rhythm named before it.
    let named = |doc: &AnnotationDoc| -> Vec<(usize, BeatRhythm)> {
        with_rhythm(beats_from_marks(doc.marks()), &doc.named_beats())
            .iter()
            .filter_map(|b| Some((b.qrs.on, b.rhythm?)))
            .collect()
    };
    let before = named(&proposed);
    assert!(
        before
            .iter()
            .any(|(_, r)| *r == BeatRhythm::VentricularEctopic),
        "the minute has ectopic beats: {before:?}"
    );
    let mut saved = proposed.clone();
    let (wave, json) = (
        dir.path().join("sel223-minute.ii"),
        dir.path().join("sel223-minute.json"),
    );
    saved.save(&wave, &json, "sel223-minute", false).unwrap();
    let (reopened, _) =
        AnnotationDoc::open_beside_with(&path, record.len(), record.fs, None).unwrap();
    let reopened = reopened.expect("the saved files reopen");
    assert_eq!(named(&reopened), before);
    // An autosave (edits not yet saved) keeps them too.
    let recovery = dir.path().join("recovery");
    Recovery::save_in(&recovery, &proposed, &path).unwrap();
    let recovered = Recovery::load_in(&recovery, &path).unwrap().unwrap();
    assert_eq!(named(&recovered), before);
}
