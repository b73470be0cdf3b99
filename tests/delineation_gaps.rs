//! Records with stretches of missing samples (a recorder's gap, a lead that came off): the
//! annotator finds no beat in or at the gap, keeps the sinus P waves around it (an RR interval
//! across a gap is not taken for an irregular rhythm), and the measurements give no RR across it;
//! a cycle over a gap in any lead is flagged and left out of the cycles the panorama scores; a
//! lead without any sample is named as such and refused as an input of the panorama.

mod common;

use ecg_panorama::delineate::cycles::{CycleFlag, cycles};
use ecg_panorama::delineate::{Delineation, Delineator, LeadUse, WaveKind, lead_use};
use ecg_panorama::geometry::Viewpoint;
use ecg_panorama::measure::{LeadBeats, MeasureOptions, beats_from_cycles, measure_record};
use ecg_panorama::panorama::{
    CycleInput, CycleRule, DipoleEngine, find_record_cycles_with, synthesize,
};
use ecg_panorama::record::{Record, open_record};
use std::ops::Range;

/// LUDB record 1: sinus rhythm at about 45 bpm, 8 beats in 10 s.
fn ludb_1() -> Record {
    open_record(&common::data_dir().join("ludb/data/1")).unwrap()
}

fn delineate(record: &Record) -> Delineation {
    Delineator::load_default()
        .unwrap()
        .delineate(record)
        .unwrap()
}

fn with_gap(mut record: Record, leads: &[&str], gap: Range<usize>) -> Record {
    for lead in record.leads.iter_mut() {
        if leads.is_empty() || leads.iter().any(|n| n.eq_ignore_ascii_case(&lead.name)) {
            lead.samples[gap.clone()].fill(f64::NAN);
        }
    }
    record
}

#[test]
fn a_gap_in_every_lead_loses_only_the_beats_inside_it() {
    let whole = delineate(&ludb_1());
    // 2.0–3.0 s: the beat at about 2.6 s falls inside.
    let gap = 1000..1500;
    let holed = delineate(&with_gap(ludb_1(), &[], gap.clone()));
    let margin = 10; // 20 ms at 500 Hz
    for b in &holed.beats {
        assert!(
            b.qrs.off + margin < gap.start || b.qrs.on > gap.end + margin,
            "a QRS at {}..{} is made of the gap {gap:?}",
            b.qrs.on,
            b.qrs.off
        );
    }
    let outside: Vec<usize> = whole
        .beats
        .iter()
        .map(|b| b.qrs.on)
        .filter(|&on| on + 100 < gap.start || on > gap.end + 100)
        .collect();
    assert_eq!(
        holed.beats.len(),
        outside.len(),
        "every beat away from the gap is kept, none added"
    );
    for (b, &on) in holed.beats.iter().zip(&outside) {
        assert!(
            b.qrs.on.abs_diff(on) <= 5,
            "QRS onset {} moved from {on}",
            b.qrs.on
        );
    }
    // The long RR across the gap is not an irregular rhythm: sinus beats keep their P.
    let with_p = |d: &Delineation| d.beats.iter().filter(|b| b.p.is_some()).count();
    assert!(with_p(&whole) >= 6, "record 1 has P waves");
    assert_eq!(
        with_p(&holed),
        holed.beats.len() - (whole.beats.len() - with_p(&whole)),
        "beats kept their P waves: {:?}",
        holed
            .beats
            .iter()
            .map(|b| b.p.is_some())
            .collect::<Vec<_>>()
    );
}

#[test]
fn no_rr_interval_is_measured_across_a_gap() {
    let record = with_gap(ludb_1(), &[], 1000..1500);
    let d = delineate(&record);
    let beats = beats_from_cycles(&cycles(&d), record.len());
    let m = measure_record(
        &record,
        &beats,
        &LeadBeats::new(),
        MeasureOptions::default(),
    );
    let before_gap = m
        .cycles
        .iter()
        .rposition(|c| c.qrs_on < 1000)
        .expect("a beat before the gap");
    assert_eq!(m.cycles[before_gap].rr_ms, None, "RR across the gap");
    let measured: Vec<f64> = m.cycles.iter().filter_map(|c| c.rr_ms).collect();
    assert!(
        measured.len() >= 4,
        "the other RR intervals stay: {measured:?}"
    );
    for rr in measured {
        assert!(
            (1200.0..1450.0).contains(&rr),
            "RR {rr} ms in a steady rhythm"
        );
    }
}

#[test]
fn a_lead_that_comes_off_leaves_the_beats_to_the_others() {
    let whole = delineate(&ludb_1());
    let gap = 1000..3000;
    let holed = delineate(&with_gap(ludb_1(), &["ii"], gap.clone()));
    assert_eq!(
        holed.beats.len(),
        whole.beats.len(),
        "the other leads carry every beat"
    );
    for (a, b) in holed.beats.iter().zip(&whole.beats) {
        assert!(a.qrs.on.abs_diff(b.qrs.on) <= 5);
        assert_eq!(a.p.is_some(), b.p.is_some());
    }
    let ii = holed
        .leads
        .iter()
        .find(|l| l.lead.eq_ignore_ascii_case("ii"))
        .unwrap();
    assert!(
        ii.waves
            .iter()
            .all(|w| w.off + 10 < gap.start || w.on > gap.end + 10),
        "lead II has no waves while it is off"
    );
    let qrs = |w: &&ecg_panorama::delineate::Wave| w.kind == WaveKind::Qrs;
    assert!(
        ii.waves.iter().filter(qrs).count() >= 4,
        "lead II keeps its waves where it was recorded"
    );
}

#[test]
fn a_cycle_over_missing_samples_is_flagged_and_not_scored() {
    // Lead V3 comes off for 0.4 s; every other lead records throughout.
    let gap = 2000..2200;
    let record = with_gap(ludb_1(), &["v3"], gap.clone());
    let found = cycles(&delineate(&record));
    let over =
        |c: &ecg_panorama::delineate::cycles::Cycle| c.p_on < gap.end && gap.start < c.next_p_on;
    assert!(found.iter().any(over), "some cycle spans the gap");
    for c in &found {
        assert_eq!(
            c.has(CycleFlag::MissingSamples),
            over(c),
            "cycle {}..{} against the gap {gap:?}",
            c.p_on,
            c.next_p_on
        );
    }
    assert!(
        cycles(&delineate(&ludb_1()))
            .iter()
            .all(|c| !c.has(CycleFlag::MissingSamples)),
        "a whole record has no such cycle"
    );
    // Synthesis from V3 over the gap says where the gap is, in the record's time.
    let held = found
        .iter()
        .filter(|c| over(c) && c.p_on < gap.start)
        .find_map(|c| c.bounds(record.len()))
        .expect("a cycle starting before the gap");
    let err = CycleInput::from_record(&record, &["II", "V3"], held)
        .expect_err("a cycle with missing input samples is refused")
        .to_string();
    assert!(
        err.contains("lead V3 has no samples from 4.00 s") && err.contains("choose another cycle"),
        "{err}"
    );
    let (_, scored) = find_record_cycles_with(&record, None, CycleRule::Complete).unwrap();
    assert!(!scored.is_empty(), "the other cycles are scored");
    for b in &scored {
        let (start, end) = (b.p_on(), b.next_p_on());
        assert!(
            end <= gap.start || start >= gap.end,
            "a scored cycle {start}..{end} holds the gap {gap:?}"
        );
    }
}

#[test]
fn a_lead_without_any_sample_is_named_as_such() {
    let record = with_gap(ludb_1(), &["ii"], 0..5000);
    let uses = lead_use(&record).unwrap();
    for (name, used) in &uses {
        let want = match name.as_str() {
            "II" => LeadUse::Empty,
            _ => LeadUse::Read,
        };
        assert_eq!(*used, want, "{name}");
    }
    let d = delineate(&record);
    let cycles: Vec<_> = cycles(&d)
        .iter()
        .filter_map(|c| c.bounds(record.len()))
        .collect();
    assert!(cycles.len() >= 6, "the other leads carry the beats");
    let views = [Viewpoint::new(1.0, 1.0)];
    let err = synthesize(&DipoleEngine, &record, &["I", "II"], &cycles, &views, None)
        .expect_err("an input lead without samples cannot be synthesized from");
    assert!(
        err.to_string().contains("input lead II") && err.to_string().contains("no samples"),
        "{err}"
    );
    let others = synthesize(
        &DipoleEngine,
        &record,
        &["I", "V1", "V5"],
        &cycles,
        &views,
        None,
    )
    .unwrap();
    assert!(others.cycles >= 6, "the other leads are inputs as usual");
}
