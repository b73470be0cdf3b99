//! Unit tests of the output files: extensions, lead annotation lists and their notes, the JSON
//! labels and the all-or-nothing write.

use super::*;
use crate::delineate::cycles::{Cycle, CycleFlag, cycles};
use crate::delineate::{Beat, Delineation, LeadWaves, Wave, WaveKind};
use crate::record::annotation::{Annotation, encode_annotations, read_annotations};
use crate::record::labels::CycleLabels;
use std::path::Path;

fn wave(kind: WaveKind, on: usize, peak: usize, off: usize) -> Wave {
    Wave {
        kind,
        on,
        peak,
        off,
    }
}

/// Four beats at 500 Hz; the first has no P wave, lead V1's P starts before the global one.
fn delineation() -> Delineation {
    let beat = |q: usize, p: bool| Beat {
        p: p.then(|| wave(WaveKind::P, q - 80, q - 55, q - 30)),
        qrs: wave(WaveKind::Qrs, q, q + 20, q + 50),
        t: Some(wave(WaveKind::T, q + 150, q + 230, q + 300)),
        rhythm: None,
    };
    let beats = vec![
        beat(100, false),
        beat(500, true),
        beat(900, true),
        beat(1300, true),
    ];
    let lead = |name: &str, shift: usize| LeadWaves {
        lead: name.into(),
        waves: beats
            .iter()
            .flat_map(|b| [b.p, Some(b.qrs), b.t])
            .flatten()
            .map(|w| Wave {
                on: w.on - shift,
                ..w
            })
            .collect(),
    };
    Delineation {
        missing: Default::default(),
        fs: 500.0,
        len: 1700,
        leads: vec![lead("II", 0), lead("V1", 5), lead("aVR", 0)],
        beats,
    }
}

fn inside_a_triple(anns: &[Annotation], sample: i64) -> bool {
    anns.chunks(3)
        .filter(|t| t.len() == 3 && t[0].symbol == "(")
        .any(|t| t[0].sample <= sample && sample <= t[2].sample)
}

#[test]
fn extensions_follow_ludb_and_never_collide() {
    for (lead, ext) in [("I", "i"), ("aVR", "avr"), ("V6", "v6"), ("vx", "vx")] {
        assert_eq!(lead_extension(lead), ext);
    }
    assert_eq!(lead_extension("ECG lead #3"), "ecg_lead__3");
    assert_eq!(lead_extension("DAT"), "lead_dat");
    let mut d = delineation();
    for name in ["II", "", "json"] {
        d.leads.push(LeadWaves {
            lead: name.into(),
            waves: vec![],
        });
    }
    assert_eq!(
        lead_extensions(&d),
        ["ii", "v1", "avr", "ii_2", "lead5", "lead_json"]
    );
}

#[test]
fn lead_files_hold_triples_and_notes_outside_them() {
    let d = delineation();
    let cs = cycles(&d);
    for lead in &d.leads {
        let anns = lead_annotations(lead, &cs, d.len);
        let (notes, triples): (Vec<_>, Vec<_>) =
            anns.iter().cloned().partition(|a| a.symbol == "\"");
        assert_eq!(triples.len(), 3 * lead.waves.len());
        for (t, w) in triples.chunks(3).zip(&lead.waves) {
            let got: Vec<_> = t.iter().map(|a| (a.sample, a.symbol.as_str())).collect();
            let want = [
                (w.on as i64, "("),
                (w.peak as i64, w.kind.symbol()),
                (w.off as i64, ")"),
            ];
            assert_eq!(got, want);
        }
        let flags: Vec<_> = notes.iter().map(|n| n.aux.clone().unwrap()).collect();
        assert_eq!(flags, ["no_p_wave", "cut_at_end"], "{}", lead.lead);
        for n in &notes {
            assert!(
                n.sample > 0 && !inside_a_triple(&triples, n.sample),
                "{n:?}"
            );
        }
        // In file order a note never falls between a `(` and its `)`.
        let mut open = false;
        for a in &anns {
            match a.symbol.as_str() {
                "(" => open = true,
                ")" => open = false,
                "\"" => assert!(!open, "{}: note inside a triple", lead.lead),
                _ => {}
            }
        }
        assert!(encode_annotations(&anns).is_ok());
    }
    // No P: the window starts 80 samples (the median PR) before the QRS at 100.
    assert_eq!(
        (cs[0].p_on, cs[0].flags.clone()),
        (20, vec![CycleFlag::NoPWave])
    );
}

#[test]
fn notes_avoid_sample_zero_and_busy_cycle_starts() {
    let lead = LeadWaves {
        lead: "II".into(),
        waves: vec![
            wave(WaveKind::P, 0, 10, 20),
            wave(WaveKind::Qrs, 40, 50, 60),
            wave(WaveKind::T, 100, 150, 199),
        ],
    };
    let cut = Cycle {
        p_on: 0,
        p_off: 20,
        qrs_on: 40,
        qrs_off: 60,
        t_on: 100,
        t_off: 199,
        next_p_on: 200,
        flags: vec![CycleFlag::CutAtStart, CycleFlag::CutAtEnd],
    };
    let anns = lead_annotations(&lead, std::slice::from_ref(&cut), 200);
    let notes: Vec<_> = anns.iter().filter(|a| a.symbol == "\"").collect();
    assert_eq!(notes.len(), 2);
    // The gap between the P's `)` at 20 and the QRS's `(` at 40: 21..=39, middle 30.
    assert!(notes.iter().all(|n| n.sample == 30), "{notes:?}");
    // Waves over every sample: the note shares the nearest `)` and follows it.
    let full = LeadWaves {
        lead: "II".into(),
        waves: vec![wave(WaveKind::Qrs, 0, 1, 2), wave(WaveKind::T, 3, 4, 5)],
    };
    let anns = lead_annotations(&full, std::slice::from_ref(&cut), 6);
    let syms: Vec<_> = anns.iter().map(|a| (a.sample, a.symbol.as_str())).collect();
    assert_eq!(
        syms,
        [
            (0, "("),
            (1, "N"),
            (2, ")"),
            (2, "\""),
            (2, "\""),
            (3, "("),
            (4, "t"),
            (5, ")")
        ]
    );
    assert!(encode_annotations(&anns).is_ok());
}

#[test]
fn overlapping_waves_give_disjoint_triples() {
    let lead = LeadWaves {
        lead: "II".into(),
        waves: vec![
            wave(WaveKind::T, 300, 350, 420),
            wave(WaveKind::P, 400, 410, 440),
            wave(WaveKind::Qrs, 305, 310, 330),
            wave(WaveKind::Qrs, 1000, 1010, 1100),
        ],
    };
    let anns = lead_annotations(&lead, &[], 1050);
    let got: Vec<_> = anns.iter().map(|a| (a.sample, a.symbol.as_str())).collect();
    assert_eq!(
        got,
        [
            (300, "("),
            (350, "t"),
            (420, ")"),
            (421, "("),
            (421, "p"),
            (440, ")"),
            (1000, "("),
            (1010, "N"),
            (1049, ")")
        ]
    );
}

#[test]
fn labels_keep_each_kind_paired_and_read_back() {
    let d = delineation();
    let cs = cycles(&d);
    let l = global_labels(&cs);
    assert_eq!(l.r_on, [100, 500, 900, 1300]);
    assert_eq!(l.p_on, [420, 820, 1220]);
    assert_eq!(l.p_off.len(), l.p_on.len());
    assert_eq!(l.t_on.len(), 4);
    let doc = labels_document("rec", &d, &cs);
    let text = serde_json::to_string(&doc).unwrap();
    assert!(text.starts_with(r#"{"record":"rec","fs":500.0,"samples":1700,"P on":[420,820,1220]"#));
    let back: LabelsDocument = serde_json::from_str(&text).unwrap();
    assert_eq!(back, doc);
    let seed = CycleLabels::from_json(&text, Path::new("rec.json")).unwrap();
    assert_eq!(seed, l);
}

#[test]
fn writes_every_file_or_none() {
    let d = delineation();
    let dir = tempfile::tempdir().unwrap();
    let paths = write_outputs("rec", &d, dir.path(), OutputFormat::Both, false).unwrap();
    let names: Vec<_> = paths
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["rec.ii", "rec.v1", "rec.avr", "rec.json"]);
    let cs = cycles(&d);
    assert_eq!(
        read_annotations(&paths[0]).unwrap(),
        lead_annotations(&d.leads[0], &cs, d.len)
    );
    assert!(CycleLabels::read(&paths[3]).is_ok());
    let listing = |dir: &Path| {
        let mut v: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    };
    assert_eq!(listing(dir.path()).len(), 4, "temporary files left behind");

    // A clash anywhere stops everything, and names the file.
    let other = tempfile::tempdir().unwrap();
    std::fs::write(other.path().join("rec.json"), "mine").unwrap();
    let err = write_outputs("rec", &d, other.path(), OutputFormat::Both, false).unwrap_err();
    assert!(err.to_string().contains("rec.json"), "{err}");
    assert_eq!(listing(other.path()), ["rec.json"]);
    assert_eq!(
        std::fs::read_to_string(other.path().join("rec.json")).unwrap(),
        "mine"
    );
    // Formats pick the files; force replaces.
    let only = write_outputs("rec", &d, other.path(), OutputFormat::Wfdb, false).unwrap();
    assert_eq!(only.len(), 3);
    write_outputs("rec", &d, other.path(), OutputFormat::Json, true).unwrap();
    assert!(CycleLabels::read(&other.path().join("rec.json")).is_ok());

    let missing = dir.path().join("nowhere");
    let err = write_outputs("rec", &d, &missing, OutputFormat::Both, false).unwrap_err();
    assert!(err.to_string().contains("does not exist"), "{err}");
    assert!(write_outputs("a/b", &d, dir.path(), OutputFormat::Both, true).is_err());
}
