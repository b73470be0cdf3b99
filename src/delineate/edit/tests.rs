//! Unit tests of the annotation document: ordering at shared samples, the editing rules, undo,
//! the wave-file layout of lone marks, and recovery files.

use super::*;
use crate::delineate::cycles::{CycleFlag, Deflection};
use crate::delineate::gaps::Gaps;
use crate::delineate::{Beat, BeatRhythm, Delineation, Wave};
use crate::record::labels::CycleLabels;
use BoundaryKind::*;

fn m(kind: BoundaryKind, sample: usize) -> Mark {
    Mark::new(kind, sample)
}

/// Two complete cycles at 500 Hz (P 100–150, QRS 170–220, T 270–350, next P at 500 and 900)
/// and a last P on.
fn doc() -> AnnotationDoc {
    let mut marks = Vec::new();
    for p in [100, 500] {
        for (k, d) in BoundaryKind::ALL
            .into_iter()
            .zip([0, 50, 70, 120, 170, 250])
        {
            marks.push(m(k, p + d));
        }
    }
    marks.push(m(POn, 900));
    AnnotationDoc::new(2000, 500.0, marks, Origin::Empty)
}

#[test]
fn keys_labels_and_cycle_order() {
    assert_eq!(BoundaryKind::from_key(1), Some(POn));
    assert_eq!(BoundaryKind::from_key(6), Some(TOff));
    assert_eq!(BoundaryKind::from_key(0), None);
    assert_eq!(BoundaryKind::from_key(7), None);
    for k in BoundaryKind::ALL {
        assert_eq!(BoundaryKind::from_key(k.key()), Some(k));
        assert_eq!(BoundaryKind::from_label(k.label()), Some(k));
        assert_eq!(BoundaryKind::from_label(k.json_key()), Some(k));
    }
    assert_eq!(QrsOn.json_key(), "R on");
    assert_eq!(TOff.next(), POn);
}

/// The document's cycles as plain boundary arrays, to compare with literals.
fn cycle_arrays(d: &AnnotationDoc) -> Vec<[usize; 7]> {
    d.cycles().iter().map(|b| b.as_array()).collect()
}

#[test]
fn complete_cycles_and_bands() {
    let d = doc();
    assert_eq!(
        cycle_arrays(&d),
        [
            [100, 150, 170, 220, 270, 350, 500],
            [500, 550, 570, 620, 670, 750, 900]
        ]
    );
    let bands = d.bands();
    assert_eq!(bands.len(), 12);
    assert_eq!(bands[0], (Deflection::P, 100..150));
    assert_eq!(bands[5], (Deflection::Tp, 350..500));
    // A QRS and T without P wave (record start) are still coloured, but make no cycle.
    let partial = AnnotationDoc::new(
        1000,
        500.0,
        vec![m(QrsOn, 10), m(QrsOff, 40), m(TOn, 90), m(TOff, 150)],
        Origin::Empty,
    );
    assert!(partial.cycles().is_empty());
    let kinds: Vec<Deflection> = partial.bands().into_iter().map(|b| b.0).collect();
    assert_eq!(kinds, [Deflection::Qrs, Deflection::St, Deflection::T]);
}

#[test]
fn shared_samples_keep_the_cycle_order() {
    // The T offset coincides with the next P onset; the JSON lists say nothing about order.
    let labels = CycleLabels {
        p_on: vec![100, 350],
        p_off: vec![150],
        r_on: vec![170],
        r_off: vec![220],
        t_on: vec![270],
        t_off: vec![350],
    };
    let d = AnnotationDoc::from_labels(&labels, 1000, 500.0).unwrap();
    assert_eq!(cycle_arrays(&d), [[100, 150, 170, 220, 270, 350, 350]]);
    // Inserting a P on where a T off sits puts it after the T off.
    let mut d = AnnotationDoc::new(1000, 500.0, vec![m(TOn, 270), m(TOff, 350)], Origin::Empty);
    assert_eq!(d.set(POn, 350), Some(2));
    // And a T off where a P on sits goes before it when a T on precedes.
    let mut d = AnnotationDoc::new(1000, 500.0, vec![m(TOn, 270), m(POn, 350)], Origin::Empty);
    assert_eq!(d.set(TOff, 350), Some(1));
}

#[test]
fn a_key_moves_a_close_mark_or_inserts_one() {
    let mut d = doc();
    let n = d.marks().len();
    // 15 samples (30 ms) from the P off at 150, nothing between: it moves.
    assert_eq!(d.set(POff, 165), Some(1));
    assert_eq!((d.marks()[1], d.marks().len()), (m(POff, 165), n));
    // 25 samples away (50 ms): a new mark.
    assert_eq!(d.set(POff, 190), Some(3));
    assert_eq!(d.marks().len(), n + 1);
    // Within 40 ms of the T off at 350 but past the P on moved to 360: that P on lies between.
    let mut d = doc();
    d.move_mark(6, 360);
    let at = d.set(TOff, 370).unwrap();
    assert_eq!(
        d.marks()[5],
        m(TOff, 350),
        "the old T off stays in its cycle"
    );
    assert_eq!(d.marks()[at], m(TOff, 370));
    // Past the record's end: nothing happens.
    let rev = d.revision();
    assert_eq!(d.set(POn, 2000), None);
    assert_eq!(d.revision(), rev);
}

#[test]
fn drags_clamp_to_neighbours_and_undo_in_one_step() {
    let mut d = doc();
    let before = d.marks().to_vec();
    // QRS on (170) dragged far left stops at the P off (150), right at the QRS off (220).
    assert!(d.move_mark(2, 160));
    assert!(d.move_mark(2, 0));
    assert_eq!(d.marks()[2].sample, 150);
    assert!(d.move_mark(2, 1000));
    assert_eq!(d.marks()[2].sample, 220);
    assert!(!d.move_mark(2, 5000), "already at the limit");
    assert!(d.undo());
    assert_eq!(d.marks(), before.as_slice(), "the whole drag is one step");
    assert!(!d.can_undo());
    assert!(d.redo());
    assert_eq!(d.marks()[2].sample, 220);
    // After finish_drag, the next move is its own step.
    d.finish_drag();
    d.move_mark(2, 200);
    d.undo();
    assert_eq!(d.marks()[2].sample, 220);
    // The last mark stops at the record's last sample.
    d.move_mark(12, 99_999);
    assert_eq!(d.marks()[12].sample, 1999);
    assert!(!d.move_mark(13, 5), "index out of range");
}

#[test]
fn delete_nearest_and_bad_indices() {
    let mut d = doc();
    assert_eq!(d.nearest(160, 20), Some(1));
    assert_eq!(d.nearest(160, 5), None);
    assert_eq!(d.nearest(5000, usize::MAX), Some(12));
    assert!(!d.delete(13));
    assert!(d.delete(1));
    assert_eq!(d.marks().len(), 12);
    assert!(d.cycles().len() == 1);
    assert!(d.undo());
    assert_eq!(d.cycles().len(), 2);
    // Several marks at one sample: the first of them.
    let d = AnnotationDoc::new(100, 500.0, vec![m(TOff, 50), m(POn, 50)], Origin::Empty);
    assert_eq!(d.nearest(52, 5), Some(0));
}

#[test]
fn template_cycles_and_cycle_removal() {
    let mut d = doc();
    assert!(d.add_cycle(1000));
    let added: Vec<usize> = d.marks()[13..].iter().map(|m| m.sample).collect();
    // 100, 60, 100, 100 and 160 ms at 500 Hz.
    assert_eq!(added, [1000, 1050, 1080, 1130, 1180, 1260]);
    assert!(!d.add_cycle(1200), "overlaps the new cycle");
    assert!(!d.add_cycle(1900), "runs past the record's end");
    assert!(!d.add_cycle(400), "would swallow the P on at 500");
    // The cycle around 600 is 500..900: six marks go, the P on at 900 stays.
    assert_eq!(d.remove_cycle(600), 6);
    assert_eq!(
        cycle_arrays(&d),
        [[100, 150, 170, 220, 270, 350, 900]],
        "the cycle before now runs to the P on that ended the removed one"
    );
    assert!(d.undo());
    assert_eq!(d.cycles().len(), 2);
    assert_eq!(d.remove_cycle(5000), 0);
    // Before the first P on: the marks up to it.
    let mut d = AnnotationDoc::new(
        1000,
        500.0,
        vec![m(QrsOn, 10), m(QrsOff, 40), m(POn, 300), m(POff, 340)],
        Origin::Empty,
    );
    assert_eq!(d.remove_cycle(5), 2);
    assert_eq!(d.marks(), [m(POn, 300), m(POff, 340)]);
}

#[test]
fn dirty_follows_the_saved_marks_and_revision_every_change() {
    let mut d = doc();
    assert!(!d.is_dirty());
    d.set(POn, 1500);
    assert!(d.is_dirty());
    assert_eq!(d.revision(), 1);
    d.undo();
    assert!(!d.is_dirty(), "undone back to the opened marks");
    assert_eq!(d.revision(), 2);
    assert!(d.can_redo());
    d.delete(0);
    assert!(!d.can_redo(), "a new edit clears redo");
}

#[test]
fn bad_rates_never_panic() {
    for fs in [f64::NAN, 0.0, -1.0, f64::INFINITY] {
        let mut d = AnnotationDoc::new(1000, fs, vec![m(POn, 10)], Origin::Empty);
        assert!(!d.add_cycle(100));
        assert_eq!(d.set(POn, 12), Some(1), "no window: a new mark");
        let dir = tempfile::tempdir().unwrap();
        assert!(
            d.save(
                &dir.path().join("a.ii"),
                &dir.path().join("a.json"),
                "a",
                false
            )
            .is_err()
        );
        assert!(AnnotationDoc::from_labels(&CycleLabels::default(), 10, fs).is_err());
    }
    let mut empty = AnnotationDoc::new(0, 500.0, vec![m(POn, 0)], Origin::Empty);
    assert!(empty.marks().is_empty() && !empty.warnings().is_empty());
    assert_eq!(empty.set(POn, 0), None);
    assert!(!empty.move_mark(0, 0) && !empty.add_cycle(0) && !empty.undo());
}

#[test]
fn lone_marks_become_notes_and_sample_zero_refuses() {
    let d = AnnotationDoc::new(
        1000,
        500.0,
        vec![m(POn, 10), m(POff, 30), m(QrsOn, 50), m(TOff, 200)],
        Origin::Empty,
    );
    assert_eq!(d.incomplete(), [2, 3]);
    let anns = d.wave_annotations().unwrap();
    let got: Vec<(i64, &str, Option<&str>)> = anns
        .iter()
        .map(|a| (a.sample, a.symbol.as_str(), a.aux.as_deref()))
        .collect();
    assert_eq!(
        got,
        [
            (10, "(", None),
            (20, "p", None),
            (30, ")", None),
            (50, "\"", Some("QRS on")),
            (200, "\"", Some("T off")),
        ]
    );
    let at_zero = AnnotationDoc::new(1000, 500.0, vec![m(TOff, 0)], Origin::Empty);
    let msg = at_zero.wave_annotations().unwrap_err().to_string();
    assert!(msg.contains("T off") && msg.contains("sample 0"), "{msg}");
}

#[test]
fn the_annotators_proposal_keeps_its_peaks() {
    let wave = |kind, on, peak, off| Wave {
        kind,
        on,
        peak,
        off,
    };
    let d = Delineation {
        missing: Default::default(),
        fs: 500.0,
        len: 1000,
        leads: Vec::new(),
        beats: vec![
            Beat {
                p: Some(wave(WaveKind::P, 100, 112, 150)),
                qrs: wave(WaveKind::Qrs, 170, 181, 220),
                t: Some(wave(WaveKind::T, 270, 333, 350)),
                rhythm: None,
            },
            Beat {
                p: None,
                qrs: wave(WaveKind::Qrs, 600, 610, 650),
                t: Some(wave(WaveKind::T, 700, 800, 1000)),
                rhythm: None,
            },
        ],
    };
    let doc = AnnotationDoc::from_delineation(&d, 1000);
    assert_eq!(doc.origin(), &Origin::Annotator);
    assert!(!doc.is_dirty());
    assert_eq!(doc.marks().len(), 10, "no P marks for the beat without one");
    assert_eq!(doc.marks()[9], m(TOff, 999), "clamped to the last sample");
    let peaks: Vec<i64> = doc
        .wave_annotations()
        .unwrap()
        .iter()
        .filter(|a| a.symbol != "(" && a.symbol != ")")
        .map(|a| a.sample)
        .collect();
    assert_eq!(peaks, [112, 181, 333, 610, 800]);
}

#[test]
fn a_named_beat_is_found_at_its_qrs_whatever_edits_move_around_it() {
    let wave = |kind, on, off| Wave {
        kind,
        on,
        peak: (on + off) / 2,
        off,
    };
    let beat = |q: usize, p: bool, rhythm| Beat {
        p: p.then(|| wave(WaveKind::P, q - 70, q - 20)),
        qrs: wave(WaveKind::Qrs, q, q + 50),
        t: Some(wave(WaveKind::T, q + 120, q + 250)),
        rhythm,
    };
    let d = Delineation {
        missing: Default::default(),
        fs: 500.0,
        len: 2000,
        leads: Vec::new(),
        beats: vec![
            beat(200, true, None),
            beat(600, false, Some(BeatRhythm::VentricularEctopic)),
            beat(1100, true, None),
        ],
    };
    let mut doc = AnnotationDoc::from_delineation(&d, 2000);
    assert_eq!(
        doc.named_beats(),
        [(600, BeatRhythm::VentricularEctopic)],
        "the note names the ectopic beat's QRS, not the sinus one after it"
    );
    // Moving the QRS onset keeps the name on the same beat.
    let k = doc
        .marks()
        .iter()
        .position(|x| x == &m(QrsOn, 600))
        .unwrap();
    assert!(doc.move_mark(k, 590));
    assert_eq!(doc.named_beats(), [(590, BeatRhythm::VentricularEctopic)]);
    // A beat named for fibrillation loses the name once its P wave is marked by hand.
    let af = Delineation {
        beats: vec![
            beat(200, true, None),
            beat(600, false, Some(BeatRhythm::AtrialFibrillation)),
        ],
        ..d
    };
    let mut doc = AnnotationDoc::from_delineation(&af, 2000);
    assert_eq!(doc.named_beats(), [(600, BeatRhythm::AtrialFibrillation)]);
    doc.set(POn, 530).unwrap();
    doc.set(POff, 580).unwrap();
    assert_eq!(doc.named_beats(), []);
}

#[test]
fn a_beat_without_a_p_wave_gets_its_cycle_from_a_window_before_its_qrs() {
    // Three beats with a P wave (PR 70 samples), then one without, then one with.
    let mut marks = Vec::new();
    for p in [100, 500, 900, 1700] {
        for (k, d) in BoundaryKind::ALL
            .into_iter()
            .zip([0, 50, 70, 120, 170, 250])
        {
            marks.push(m(k, p + d));
        }
    }
    for (k, d) in [(QrsOn, 1370), (QrsOff, 1420), (TOn, 1470), (TOff, 1550)] {
        marks.push(m(k, d));
    }
    marks.push(m(POn, 2100));
    let d = AnnotationDoc::new(3000, 500.0, marks, Origin::Empty);
    let starts: Vec<[usize; 7]> = d
        .cycles()
        .iter()
        .map(|c| {
            [
                c.p_on(),
                c.p_off(),
                c.qrs_on(),
                c.qrs_off(),
                c.t_on(),
                c.t_off(),
                c.next_p_on(),
            ]
        })
        .collect();
    assert_eq!(starts.len(), 5, "{starts:?}");
    // The beat before it ends where its window starts: its QRS onset less the median PR.
    assert_eq!(starts[2][6], 1300);
    assert_eq!(starts[3], [1300, 1300, 1370, 1420, 1470, 1550, 1700]);
    // Its JSON cycle says it has no P wave.
    let json = d.labels_document("r");
    assert_eq!(json.cycles[3].flags, [CycleFlag::NoPWave]);
    assert!(json.cycles[2].flags.is_empty());
    // A lone P offset before the beat is a P wave being edited: no cycle for it yet.
    let mut editing = d.clone();
    editing.set(POff, 1340).unwrap();
    assert_eq!(editing.cycles().len(), 3);
}

#[test]
fn recovery_files_round_trip_and_name_their_problems() {
    let dir = tempfile::tempdir().unwrap();
    let records = tempfile::tempdir().unwrap();
    let record = records.path().join("rec 1");
    let recovery = dir.path().join("recovery");
    let path = Recovery::path_in(&recovery, &record).unwrap();
    assert_eq!(
        Recovery::path_in(&recovery, &records.path().join("rec 1.hea")),
        Some(path.clone()),
        "one file per record, whichever of its files was opened"
    );
    assert_ne!(
        Recovery::path_in(&recovery, &records.path().join("rec 2")),
        Some(path.clone())
    );
    assert!(Recovery::load_in(&recovery, &record).unwrap().is_none());
    let mut d = doc();
    d.set(TOff, 1200);
    d.set(QrsOn, 1100);
    Recovery::save_in(&recovery, &d, &record).unwrap();
    let back = Recovery::load_in(&recovery, &record).unwrap().unwrap();
    assert_eq!(back.marks(), d.marks());
    assert_eq!(back.revision(), 2);
    assert!(back.is_dirty());
    assert_eq!(back.origin(), &Origin::Recovery(path.clone()));
    // Another record's file under this name is refused.
    std::fs::copy(
        &path,
        Recovery::path_in(&recovery, &records.path().join("other")).unwrap(),
    )
    .unwrap();
    let err = Recovery::load_in(&recovery, &records.path().join("other")).unwrap_err();
    assert!(
        err.to_string().contains("holds the edits of record"),
        "{err}"
    );
    std::fs::write(&path, "{\"format\": ").unwrap();
    let err = Recovery::load_in(&recovery, &record)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains(&path.display().to_string()) && err.contains("recovery"),
        "{err}"
    );
    Recovery::discard_in(&recovery, &record).unwrap();
    assert!(!path.exists());
    Recovery::discard_in(&recovery, &record).unwrap();
}

/// A WFDB annotation with no fields beyond its sample and symbol.
fn ann(sample: i64, symbol: &str) -> crate::record::annotation::Annotation {
    crate::record::annotation::Annotation {
        sample,
        symbol: symbol.into(),
        subtype: 0,
        chan: 0,
        num: 0,
        aux: None,
    }
}

#[test]
fn a_stray_mark_in_an_opened_wave_file_is_a_returned_warning() {
    use crate::record::annotation::encode_annotations;
    // A whole P wave, then an onset with no wave after it.
    let anns = [ann(100, "("), ann(120, "p"), ann(140, ")"), ann(500, "(")];
    let dir = tempfile::tempdir().unwrap();
    let wave = dir.path().join("rec.ii");
    std::fs::write(&wave, encode_annotations(&anns).unwrap()).unwrap();
    let (doc, warnings) =
        AnnotationDoc::open_beside_with(&dir.path().join("rec"), 1000, 500.0, None).unwrap();
    let doc = doc.expect("the wave file opens");
    assert_eq!(doc.origin(), &Origin::WaveFile(wave.clone()));
    assert_eq!(doc.marks().len(), 2, "{:?}", doc.marks());
    assert_eq!(warnings, doc.warnings());
    assert!(
        warnings.len() == 1
            && warnings[0].contains(&wave.display().to_string())
            && warnings[0].contains("1 × `(` without a wave after it"),
        "{warnings:?}"
    );
}

#[test]
fn wave_files_under_other_names_are_named_not_opened() {
    use crate::record::annotation::encode_annotations;
    let anns = [ann(100, "("), ann(120, "N"), ann(140, ")")];
    let dir = tempfile::tempdir().unwrap();
    let record = dir.path().join("rec");
    // Another delineator's output and a reference on a stretch, as QTDB has beside its records.
    for ext in ["pu0", "q1c"] {
        let path = dir.path().join(format!("rec.{ext}"));
        std::fs::write(path, encode_annotations(&anns).unwrap()).unwrap();
    }
    let (doc, warnings) = AnnotationDoc::open_beside_with(&record, 1000, 500.0, None).unwrap();
    assert!(doc.is_none(), "the annotator marks the record");
    assert!(
        warnings.len() == 1
            && warnings[0].contains("rec.pu0, rec.q1c")
            && warnings[0].contains("not opened"),
        "{warnings:?}"
    );
    // A lead's file (LUDB's, or one `annotate` wrote) is the record's boundaries.
    std::fs::write(
        dir.path().join("rec.ii"),
        encode_annotations(&anns).unwrap(),
    )
    .unwrap();
    let (doc, _) = AnnotationDoc::open_beside_with(&record, 1000, 500.0, None).unwrap();
    assert_eq!(
        doc.unwrap().origin(),
        &Origin::WaveFile(dir.path().join("rec.ii"))
    );
}

#[test]
fn saved_cycles_over_missing_samples_are_flagged() {
    let mut d = doc();
    let flags = |d: &AnnotationDoc| -> Vec<Vec<CycleFlag>> {
        d.labels_document("r")
            .cycles
            .into_iter()
            .map(|c| c.flags)
            .collect()
    };
    assert_eq!(flags(&d), [vec![], vec![]]);
    // A lead off from 600 to 650: inside the second cycle (500–900) only.
    d.set_missing(Gaps::new(std::iter::once(600..650).collect()));
    assert_eq!(flags(&d), [vec![], vec![CycleFlag::MissingSamples]]);
    // One that ends where the first cycle starts touches none of it.
    d.set_missing(Gaps::new(std::iter::once(0..100).collect()));
    assert_eq!(flags(&d), [vec![], vec![]]);
}
