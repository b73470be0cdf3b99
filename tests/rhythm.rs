//! P waves beat by beat: atrial fibrillation loses them, sinus rhythm with ectopic beats keeps
//! those of its sinus beats, and ectopic ventricular beats are flagged on their own.

mod common;

use ecg_panorama::delineate::cycles::{CycleFlag, cycles};
use ecg_panorama::delineate::{BeatRhythm, Delineator};
use ecg_panorama::eval::rhythm::{BeatClass, ClassCount, classify_beats, score_beats};
use ecg_panorama::record::annotation::read_annotations;
use ecg_panorama::record::open_record;

/// Least share (%) of beats in atrial fibrillation without a P wave, in a persistent episode
/// and on LUDB's AF records.
const AF_MIN: f64 = 85.0;
/// The same within a paroxysmal episode, whose first and last beats share windows with sinus.
const PAROXYSMAL_AF_MIN: f64 = 75.0;
/// Least share (%) of sinus beats that keep their P wave.
const SINUS_MIN: f64 = 90.0;
/// Least share (%) of premature ventricular beats without a P wave.
const PVC_MIN: f64 = 95.0;
/// Least share (%) of premature ventricular beats named ventricular ectopic.
const PVC_NAMED_MIN: f64 = 70.0;

/// Per-class counts of one record with `NAME.atr` beat and rhythm labels, and per class the
/// share (%) of its matched beats the rhythm rules named `rhythm`.
fn counts(folder: &str, name: &str, rhythm: BeatRhythm) -> ([ClassCount; 3], [f64; 3]) {
    let dir = common::data_dir().join(folder);
    let reference = classify_beats(&read_annotations(&dir.join(format!("{name}.atr"))).unwrap());
    let record = open_record(&dir.join(name)).unwrap();
    let d = Delineator::load_default()
        .unwrap()
        .delineate(&record)
        .unwrap();
    let tol = (0.15 * d.fs) as usize;
    let mut named = [(0usize, 0usize); 3];
    for &(sample, class) in &reference {
        let s = sample as usize;
        let k = d.beats.partition_point(|b| b.qrs.off + tol < s);
        if let Some(b) = d.beats.get(k).filter(|b| b.qrs.on <= s + tol) {
            let slot = &mut named[BeatClass::ALL.iter().position(|&c| c == class).unwrap()];
            slot.0 += 1;
            slot.1 += usize::from(b.rhythm == Some(rhythm));
        }
    }
    let share = named.map(|(n, k)| 100.0 * k as f64 / n.max(1) as f64);
    (score_beats(&d, &reference), share)
}

fn pct(c: &ClassCount, class: BeatClass) -> f64 {
    c.correct_pct(class).unwrap_or(0.0)
}

#[test]
fn persistent_atrial_fibrillation_has_no_p_waves() {
    // CPSC 2021, a persistent-AF record (2 leads, 200 Hz).
    let (c, named) = counts(
        "cpsc2021-samples",
        "data_84_3",
        BeatRhythm::AtrialFibrillation,
    );
    assert!(c[2].matched > 200, "{c:?}");
    assert!(pct(&c[2], BeatClass::Fibrillation) >= AF_MIN, "{c:?}");
    // The beats say why they have no P: they lie in fibrillation.
    assert!(named[2] >= AF_MIN, "{named:?}");
}

#[test]
fn sinus_rhythm_with_frequent_pvcs_keeps_its_p_waves() {
    // QTDB sel223 (MIT-BIH 223): sinus rhythm with frequent PVCs, runs and bigeminy.
    let (c, named) = counts("qtdb", "sel223", BeatRhythm::VentricularEctopic);
    assert!(c[0].matched > 900 && c[1].matched > 250, "{c:?}");
    assert!(pct(&c[0], BeatClass::Sinus) >= SINUS_MIN, "{c:?}");
    assert!(pct(&c[1], BeatClass::Ventricular) >= PVC_MIN, "{c:?}");
    // Most PVCs are named for what they are (others have no P the network saw, or lie in a
    // stretch the rhythm rules took for fibrillation); a sinus beat almost never is.
    assert!(named[1] >= PVC_NAMED_MIN, "{named:?}");
    assert!(named[0] <= 1.0, "{named:?}");
}

#[test]
fn paroxysmal_af_loses_p_waves_only_in_its_episodes() {
    // CPSC 2021 data_92_19: sinus rhythm with an AF episode.
    let (c, _) = counts(
        "cpsc2021-samples",
        "data_92_19",
        BeatRhythm::AtrialFibrillation,
    );
    assert!(pct(&c[0], BeatClass::Sinus) >= SINUS_MIN, "{c:?}");
    assert!(
        pct(&c[2], BeatClass::Fibrillation) >= PAROXYSMAL_AF_MIN,
        "{c:?}"
    );
}

#[test]
fn ludb_atrial_fibrillation_gives_cycles_flagged_without_p() {
    // LUDB's atrial fibrillation test records.
    let engine = Delineator::load_default().unwrap();
    let (mut all, mut without_p) = (0, 0);
    for name in ["51", "101", "173"] {
        let record = open_record(&common::data_dir().join("ludb/data").join(name)).unwrap();
        let cs = cycles(&engine.delineate(&record).unwrap());
        all += cs.len();
        without_p += cs.iter().filter(|c| c.has(CycleFlag::NoPWave)).count();
    }
    assert!(all >= 15, "{all}");
    assert!(
        without_p as f64 >= AF_MIN / 100.0 * all as f64,
        "{without_p} of {all}"
    );
}
