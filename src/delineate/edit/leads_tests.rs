//! Unit tests of the per-lead documents: LUDB record 1's lead files, saving and reopening a
//! lead edit, recovery with lead edits (and an older recovery file), a malformed lead file,
//! and a record without files.

use super::*;
use crate::delineate::WaveKind::{P, Qrs, T};
use crate::delineate::{Beat, Delineation, LeadWaves, Wave};
use crate::record::{Record, open_record};
use std::cell::Cell;
use std::path::{Path, PathBuf};

fn ludb_1() -> (PathBuf, Record) {
    let path = crate::test_data_dir().join("ludb/data/1");
    let record = open_record(&path).expect("LUDB record 1 in the shared data");
    (path, record)
}

/// The annotator must not be needed: every lead of LUDB record 1 has its file.
fn no_annotator() -> crate::Result<Delineation> {
    panic!("the annotator ran although every lead has a file")
}

fn open(path: &Path, record: &Record, recovery: Option<&Path>) -> RecordDocs {
    let names = LeadName::of_record(record);
    RecordDocs::open_beside_with(
        path,
        &names,
        record.len(),
        record.fs,
        recovery,
        no_annotator,
    )
    .unwrap()
}

fn v1() -> Target {
    Target::Lead("V1".into())
}

fn lead<'a>(docs: &'a RecordDocs, name: &str) -> &'a AnnotationDoc {
    docs.leads
        .resolve(&Target::Lead(name.into()), &docs.cycles)
        .unwrap()
}

fn lead_mut<'a>(docs: &'a mut RecordDocs, target: &Target) -> &'a mut AnnotationDoc {
    docs.leads.resolve_mut(target, &mut docs.cycles).unwrap()
}

#[test]
fn lead_names_give_the_file_extensions_annotate_writes() {
    assert_eq!(LeadName::new("V1").ext, "v1");
    assert_eq!(LeadName::new("aVR").ext, "avr");
    assert_eq!(LeadName::new("vx").ext, "vx");
    assert_eq!(LeadName::new("DAT").ext, "lead_dat");
    assert!(LeadName::new("II").is_cycles());
    let mut record = open_record(&crate::test_data_dir().join("wfdb-samples/100")).unwrap();
    let names: Vec<String> = LeadName::of_record(&record)
        .into_iter()
        .map(|n| n.ext)
        .collect();
    assert_eq!(names, ["ii", "v5"], "MIT-BIH's MLII is lead II");
    record.leads[1].name = "II".into();
    let names: Vec<String> = LeadName::of_record(&record)
        .into_iter()
        .map(|n| n.ext)
        .collect();
    assert_eq!(names, ["ii", "ii_2"]);
}

#[test]
fn ludb_record_1_opens_every_lead_file() {
    let (path, record) = ludb_1();
    let docs = open(&path, &record, None);
    assert!(docs.warnings.is_empty(), "{:?}", docs.warnings);
    let names: Vec<&str> = docs
        .leads
        .leads()
        .iter()
        .map(|l| l.name().lead.as_str())
        .collect();
    assert_eq!(names, crate::geometry::STANDARD_12);
    // Lead II's file is the cycles' file: its boundaries are the record-level document.
    let ii = docs.leads.get("II").unwrap();
    assert!(ii.doc().is_none());
    assert_eq!(lead(&docs, "II").marks(), docs.cycles.marks());
    let v1_file = path.with_extension("v1");
    let from_file = AnnotationDoc::from_wave_file(&v1_file, record.len(), record.fs).unwrap();
    let v1 = lead(&docs, "V1");
    assert_eq!(v1.marks(), from_file.marks());
    assert_eq!(v1.origin(), &Origin::WaveFile(v1_file));
    assert_ne!(v1.marks(), lead(&docs, "II").marks(), "V1's own boundaries");
    assert!(!v1.is_dirty() && !docs.leads.is_dirty());
    assert!(
        docs.leads
            .resolve(&Target::Lead("V9".into()), &docs.cycles)
            .is_none()
    );
}

#[test]
fn a_lead_edit_saves_its_file_and_reopens_and_leaves_the_cycles_alone() {
    let (path, record) = ludb_1();
    let mut docs = open(&path, &record, None);
    let cycles_before = docs.cycles.marks().to_vec();
    let v2_before = lead(&docs, "V2").marks().to_vec();
    let at = lead(&docs, "V1").marks()[3].sample + 7;
    let i = lead_mut(&mut docs, &v1())
        .set(BoundaryKind::TOn, at)
        .unwrap();
    let edited = lead(&docs, "V1").marks().to_vec();
    assert!(lead(&docs, "V1").is_dirty() && docs.leads.is_dirty());
    assert_eq!(edited[i], Mark::new(BoundaryKind::TOn, at));
    assert_eq!(docs.cycles.marks(), cycles_before.as_slice());
    assert!(!docs.cycles.is_dirty() && !docs.cycles.can_undo());
    assert_eq!(lead(&docs, "V2").marks(), v2_before.as_slice());
    // Beside the record only the edited lead would be written (this test writes elsewhere).
    let beside = path.parent().unwrap();
    let plan = docs.leads.save_plan(beside, "1");
    let names: Vec<String> = plan
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["1.ii", "1.json", "1.v1"]);
    let out = tempfile::tempdir().unwrap();
    let written = docs
        .leads
        .save_with_cycles(&mut docs.cycles, out.path(), "1", false)
        .unwrap();
    assert_eq!(
        written.len(),
        2 + 11,
        "the cycles' two files and every other lead"
    );
    assert!(!docs.leads.is_dirty());
    let v1_file = out.path().join("1.v1");
    let back = AnnotationDoc::from_wave_file(&v1_file, record.len(), record.fs).unwrap();
    assert_eq!(back.marks(), edited.as_slice());
    let reopened = open(&out.path().join("1"), &record, None);
    assert_eq!(lead(&reopened, "V1").marks(), edited.as_slice());
    assert_eq!(reopened.cycles.marks(), cycles_before.as_slice());
    // Saved there, unedited: a second save leaves the lead files and asks only for the cycles'.
    assert_eq!(docs.leads.save_plan(out.path(), "1").len(), 2);
    let err = docs
        .leads
        .save_with_cycles(&mut docs.cycles, out.path(), "1", false)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("1.ii") && err.contains("confirm to replace"),
        "{err}"
    );
}

#[test]
fn lead_edits_survive_in_the_recovery_file() {
    let (path, record) = ludb_1();
    let recovery = tempfile::tempdir().unwrap();
    let mut docs = open(&path, &record, None);
    let at = lead(&docs, "V1").marks()[0].sample + 3;
    lead_mut(&mut docs, &v1()).set(BoundaryKind::POn, at);
    let edited = lead(&docs, "V1").marks().to_vec();
    let file = Recovery::save_all_in(recovery.path(), &docs.cycles, &docs.leads, &path).unwrap();
    let back = open(&path, &record, Some(recovery.path()));
    assert!(back.warnings.is_empty(), "{:?}", back.warnings);
    let v1 = lead(&back, "V1");
    assert_eq!(v1.marks(), edited.as_slice());
    assert!(v1.is_dirty());
    assert_eq!(v1.origin(), &Origin::Recovery(file.clone()));
    // Only a lead was edited: the cycles open from their saved file, unedited.
    assert!(!back.cycles.is_dirty());
    assert_eq!(
        back.cycles.origin(),
        &Origin::WaveFile(path.with_extension("ii"))
    );
    assert!(!lead(&back, "V2").is_dirty());
    // A recovery file written before per-lead edits still opens, as record-level edits.
    let old = r#"{"format":"ecg-panorama annotation recovery","version":1,"record":"REC",
        "fs":500.0,"samples":5000,"revision":4,"origin":"the automatic annotator",
        "marks":[{"kind":"p_on","sample":10},{"kind":"p_off","sample":40}],"peaks":[["p",25]]}"#;
    let key = std::fs::read_to_string(&file).unwrap();
    let key: serde_json::Value = serde_json::from_str(&key).unwrap();
    std::fs::write(&file, old.replace("REC", key["record"].as_str().unwrap())).unwrap();
    let read = Recovery::read_file(&file, Some(&path)).unwrap();
    assert!(read.cycles_edited && read.leads.is_empty());
    assert_eq!(read.cycles.marks().len(), 2);
    let back = open(&path, &record, Some(recovery.path()));
    assert!(back.cycles.is_dirty(), "old files hold record-level edits");
    assert_eq!(back.cycles.marks(), read.cycles.marks());
}

#[test]
fn a_malformed_lead_file_is_a_warning_and_the_other_leads_open() {
    let (ludb, record) = ludb_1();
    let dir = tempfile::tempdir().unwrap();
    for ext in ["ii", "v1"] {
        std::fs::copy(
            ludb.with_extension(ext),
            dir.path().join(format!("1.{ext}")),
        )
        .unwrap();
    }
    let bad = dir.path().join("1.v2");
    std::fs::write(&bad, b"\x07not a wave file").unwrap();
    let names = LeadName::of_record(&record);
    let fallback_runs = Cell::new(0);
    let template = AnnotationDoc::new(record.len(), record.fs, Vec::new(), Origin::Annotator);
    let leads = LeadDocs::open_beside_recovered(
        &dir.path().join("1"),
        &names,
        record.len(),
        record.fs,
        None,
        || {
            fallback_runs.set(fallback_runs.get() + 1);
            Ok(LeadDocs::same_for_all(&names, &template))
        },
    );
    assert_eq!(
        fallback_runs.get(),
        1,
        "one fallback for every lead without a file"
    );
    let named: Vec<&String> = leads
        .warnings()
        .iter()
        .filter(|w| w.contains(&bad.display().to_string()))
        .collect();
    assert!(
        named.len() == 1 && named[0].contains("lead V2"),
        "{:?}",
        leads.warnings()
    );
    let v1 = leads.get("V1").unwrap().doc().unwrap();
    assert!(!v1.marks().is_empty() && matches!(v1.origin(), Origin::WaveFile(_)));
    let v2 = leads.get("V2").unwrap().doc().unwrap();
    assert_eq!(v2.origin(), &Origin::Annotator);
    // Unedited, the unreadable file is never replaced by the proposal.
    let plan = leads.save_plan(dir.path(), "1");
    assert!(!plan.contains(&bad) && !plan.contains(&dir.path().join("1.v1")));
    assert!(plan.contains(&dir.path().join("1.v3")));
}

#[test]
fn a_record_without_files_takes_the_annotators_own_lead_waves() {
    let dir = tempfile::tempdir().unwrap();
    let beat = Beat {
        p: Some(Wave::new(P, 100, 120, 150)),
        qrs: Wave::new(Qrs, 170, 180, 220),
        t: Some(Wave::new(T, 270, 320, 350)),
        rhythm: None,
    };
    let v1_waves = vec![
        Wave::new(P, 104, 118, 146),
        Wave::new(Qrs, 168, 175, 226),
        Wave::new(T, 280, 300, 1500),
    ];
    let d = Delineation {
        missing: Default::default(),
        fs: 500.0,
        len: 1000,
        leads: vec![
            LeadWaves {
                lead: "II".into(),
                waves: vec![beat.p.unwrap(), beat.qrs, beat.t.unwrap()],
            },
            LeadWaves {
                lead: "V1".into(),
                waves: v1_waves,
            },
        ],
        beats: vec![beat],
    };
    let names = [LeadName::new("II"), LeadName::new("V1")];
    let runs = Cell::new(0);
    let docs = RecordDocs::open_beside_with(
        &dir.path().join("rec"),
        &names,
        1000,
        500.0,
        Some(dir.path()),
        || {
            runs.set(runs.get() + 1);
            Ok(d.clone())
        },
    )
    .unwrap();
    assert_eq!(
        runs.get(),
        1,
        "the annotator runs once for the cycles and the leads"
    );
    assert_eq!(docs.cycles.origin(), &Origin::Annotator);
    let v1 = lead(&docs, "V1");
    let samples: Vec<usize> = v1.marks().iter().map(|m| m.sample).collect();
    assert_eq!(
        samples,
        [104, 146, 168, 226, 280, 999],
        "clamped to the record"
    );
    assert_eq!(v1.origin(), &Origin::Annotator);
    assert!(!v1.is_dirty());
    let peaks: Vec<usize> = v1.peaks().iter().map(|p| p.sample).collect();
    assert_eq!(peaks, [118, 175, 300]);
    assert_eq!(lead(&docs, "II").marks(), docs.cycles.marks());
}

#[test]
fn repeated_and_empty_lead_names_are_left_out_with_a_warning() {
    let names = [
        LeadName::new("V1"),
        LeadName::new("V1"),
        LeadName::new("--"),
    ];
    let doc = AnnotationDoc::new(10, 500.0, Vec::new(), Origin::Empty);
    let leads = LeadDocs::same_for_all(&names, &doc);
    assert_eq!(leads.leads().len(), 1);
    assert_eq!(leads.warnings().len(), 2, "{:?}", leads.warnings());
}
