//! The delineator on hard cases, through the cycles it yields: atrial fibrillation (no P waves),
//! paced rhythm, slow and fast hearts (real and made by relabelling a record's sampling rate),
//! signals without any heartbeat, the demo record's true QRS onsets, and `annotate` on a real
//! 10 s and a 30 min record. Run with `--nocapture` to see what is measured.

mod common;

use ecg_panorama::delineate::WaveKind;
use ecg_panorama::delineate::cycles::{CycleFlag, cycles};
use ecg_panorama::delineate::{Delineation, Delineator};
use ecg_panorama::geometry::STANDARD_12;
use ecg_panorama::record::annotation::read_annotations;
use ecg_panorama::record::demo::demo_record;
use ecg_panorama::record::labels::CycleLabels;
use ecg_panorama::record::{Lead, Record, open_record};
use std::path::PathBuf;
use std::process::Command;

fn ludb(name: &str) -> PathBuf {
    common::data_dir().join("ludb/data").join(name)
}

fn delineate(record: &Record) -> Delineation {
    Delineator::load_default()
        .unwrap()
        .delineate(record)
        .unwrap_or_else(|e| panic!("{}: {e}", record.name))
}

/// The cardiologists' QRS complexes in lead II and the span they annotated (first to last mark).
fn reference_qrs(name: &str) -> (Vec<i64>, (i64, i64)) {
    let anns = read_annotations(&ludb(&format!("{name}.ii"))).unwrap();
    let qrs = anns
        .iter()
        .filter(|a| a.symbol == "N")
        .map(|a| a.sample)
        .collect();
    let span = (anns[0].sample, anns[anns.len() - 1].sample);
    (qrs, span)
}

/// QRS complexes found with their peak inside `span`.
fn found_in(d: &Delineation, span: (i64, i64)) -> usize {
    d.beats
        .iter()
        .filter(|b| (span.0..=span.1).contains(&(b.qrs.peak as i64)))
        .count()
}

fn median_rr(samples: &[i64]) -> f64 {
    let mut rr: Vec<i64> = samples.windows(2).map(|w| w[1] - w[0]).collect();
    rr.sort_unstable();
    rr.get(rr.len() / 2).copied().unwrap_or(0) as f64
}

/// Delineate LUDB record `name` read as if sampled at `fs` (its own rate when `None`), and
/// check the number of QRS complexes over the annotated span against the reference's, ±1.
fn qrs_count_matches(name: &str, fs: Option<f64>, label: &str) -> Delineation {
    let mut record = open_record(&ludb(name)).unwrap();
    if let Some(fs) = fs {
        // Same samples, another clock: every interval scales, the reference's indices still hold.
        record.fs = fs;
    }
    let (reference, span) = reference_qrs(name);
    let d = delineate(&record);
    let found = found_in(&d, span);
    let bpm = 60.0 * record.fs / median_rr(&reference);
    eprintln!(
        "{label}: LUDB {name} at {} Hz, {bpm:.0} bpm: reference {} QRS over samples {}..={}, found {found} ({} beats in all)",
        record.fs,
        reference.len(),
        span.0,
        span.1,
        d.beats.len()
    );
    assert!(
        found.abs_diff(reference.len()) <= 1,
        "{label} (LUDB {name}): found {found} QRS complexes, the reference has {}",
        reference.len()
    );
    d
}

#[test]
fn atrial_fibrillation_with_a_chaotic_rhythm_has_no_p_waves() {
    // 112 (a training record): atrial fibrillation with a clearly irregular ventricular rhythm.
    let name = "112";
    let header = std::fs::read_to_string(ludb(&format!("{name}.hea"))).unwrap();
    assert!(header.contains("Rhythm: Atrial fibrillation"), "{header}");
    let d = qrs_count_matches(name, None, "atrial fibrillation");
    let cs = cycles(&d);
    let no_p = cs.iter().filter(|c| c.has(CycleFlag::NoPWave)).count();
    eprintln!(
        "atrial fibrillation {name}: {no_p} of {} cycles flagged no_p_wave",
        cs.len()
    );
    assert!(!cs.is_empty());
    assert_eq!(
        no_p,
        cs.len(),
        "every cycle of a chaotic rhythm is flagged no_p_wave"
    );
    for lead in &d.leads {
        assert!(
            lead.waves.iter().all(|w| w.kind != WaveKind::P),
            "lead {} reports a P wave",
            lead.lead
        );
    }
}

#[test]
fn atrial_fibrillation_cycles_all_get_a_window() {
    // 101 (a test record): atrial fibrillation whose rhythm is less chaotic; wherever no P
    // wave is found the cycle still has a defined window before the QRS.
    let name = "101";
    let d = qrs_count_matches(name, None, "atrial fibrillation");
    let cs = cycles(&d);
    let no_p = cs.iter().filter(|c| c.has(CycleFlag::NoPWave)).count();
    eprintln!(
        "atrial fibrillation {name}: {no_p} of {} cycles flagged no_p_wave",
        cs.len()
    );
    assert!(!cs.is_empty());
    for c in &cs {
        assert!(c.p_on < c.qrs_on && c.qrs_on < c.qrs_off, "{c:?}");
        if c.has(CycleFlag::NoPWave) {
            assert_eq!(c.p_on, c.p_off, "an absent P wave is empty: {c:?}");
        }
    }
}

#[test]
fn paced_qrs_complexes_are_found() {
    // 34: unipolar ventricular pacing (large spikes); 111: bipolar ventricular pacing.
    for name in ["34", "111"] {
        let header = std::fs::read_to_string(ludb(&format!("{name}.hea"))).unwrap();
        assert!(header.to_lowercase().contains("pacing"), "{header}");
        qrs_count_matches(name, None, "paced");
    }
}

#[test]
fn slow_hearts_keep_every_beat() {
    // 127: sinus bradycardia at 40 bpm; 18 (79 bpm) read at 250 Hz beats at 40 bpm.
    qrs_count_matches("127", None, "slow");
    qrs_count_matches("18", Some(250.0), "slow");
}

#[test]
fn fast_hearts_keep_every_beat() {
    // 18 (79 bpm) and 57 (81 bpm) read at 1000 Hz beat at 159 and 161 bpm.
    qrs_count_matches("18", Some(1000.0), "fast");
    qrs_count_matches("57", Some(1000.0), "fast");
}

/// Cycles with a P wave, by their QRS onsets.
fn p_onsets(d: &Delineation) -> Vec<(usize, usize)> {
    cycles(d)
        .iter()
        .filter(|c| c.has_p())
        .map(|c| (c.qrs_on, c.p_on))
        .collect()
}

/// How far (ms) each P onset of the disturbed record's cycles lies from the clean record's
/// P onset of the same beat, after checking that at most one P wave of at least `least` in the
/// clean record was lost.
fn p_onset_shifts(clean: &Delineation, disturbed: &Delineation, least: usize) -> Vec<f64> {
    let (a, b) = (p_onsets(clean), p_onsets(disturbed));
    assert!(a.len() >= least, "{a:?}");
    assert!(
        b.len() + 1 >= a.len(),
        "P waves {} clean, {} disturbed",
        a.len(),
        b.len()
    );
    let tol = (0.02 * clean.fs) as usize;
    b.iter()
        .map(|(qrs, p)| {
            let same = a.iter().find(|(q, _)| q.abs_diff(*qrs) <= tol);
            let (_, p0) = same.unwrap_or_else(|| panic!("QRS at {qrs} not in the clean record"));
            (*p as f64 - *p0 as f64) / clean.fs * 1000.0
        })
        .collect()
}

#[test]
fn powerline_hum_does_not_cost_the_p_waves() {
    // LUDB 18 (sinus rhythm) with 0.3 mV of 50 Hz on every lead, as a cart without a mains
    // filter records it: the P waves are those of the clean record.
    let clean = open_record(&ludb("18")).unwrap();
    let mut hummed = clean.clone();
    for (k, lead) in hummed.leads.iter_mut().enumerate() {
        for (i, v) in lead.samples.iter_mut().enumerate() {
            let t = i as f64 / clean.fs;
            *v += 0.3 * (2.0 * std::f64::consts::PI * 50.0 * t + k as f64).sin();
        }
    }
    let shifts = p_onset_shifts(&delineate(&clean), &delineate(&hummed), 10);
    assert!(
        shifts.iter().all(|s| s.abs() <= 20.0),
        "P onset shifts (ms) with hum {shifts:?}"
    );
    // A real one: CinC 2021 JS20007 (Chapman; sinus bradycardia) carries 0.5 mV of 50 Hz.
    let js = open_record(&common::data_dir().join("cinc2021-samples/JS20007")).unwrap();
    let d = delineate(&js);
    assert!(
        p_onsets(&d).len() >= 7,
        "{} of {} cycles with a P",
        p_onsets(&d).len(),
        cycles(&d).len()
    );
}

#[test]
fn strong_baseline_wander_does_not_cost_a_beat_or_the_p_waves() {
    // LUDB 102 (sinus rhythm) swaying by 1 mV at 0.5 Hz, as a breathing or moving patient's
    // record does, and drifting 0.5 mV over the strip: the high-pass leaves half the sway, and
    // a beat in a trough used to be lost with most P waves. The beats and P waves are those of
    // the clean record.
    let clean = open_record(&ludb("102")).unwrap();
    let mut swaying = clean.clone();
    for lead in swaying.leads.iter_mut() {
        for (i, v) in lead.samples.iter_mut().enumerate() {
            let t = i as f64 / clean.fs;
            *v += (2.0 * std::f64::consts::PI * 0.5 * t).sin() + 0.05 * t;
        }
    }
    let (dc, ds) = (delineate(&clean), delineate(&swaying));
    let tol = (0.02 * clean.fs) as usize;
    let qrs = |d: &Delineation| d.beats.iter().map(|b| b.qrs.on).collect::<Vec<_>>();
    let (qc, qs) = (qrs(&dc), qrs(&ds));
    assert_eq!(qc.len(), qs.len(), "beats clean {qc:?}, swaying {qs:?}");
    for (a, b) in qc.iter().zip(&qs) {
        assert!(a.abs_diff(*b) <= tol, "QRS onset {b} swaying, {a} clean");
    }
    // What the filters leave of the sway moves a P onset by 13 ms on average here, at most 42.
    let shifts = p_onset_shifts(&dc, &ds, 9);
    let mean = shifts.iter().sum::<f64>() / shifts.len() as f64;
    assert!(
        shifts.iter().all(|s| s.abs() <= 50.0),
        "P onset shifts (ms) {shifts:?}"
    );
    assert!(mean.abs() <= 20.0, "P onset shifts (ms) {shifts:?}");
}

#[test]
fn an_electrode_pop_in_one_lead_is_not_a_beat() {
    // LUDB 18 with V1 stepping by 12 mV (five times its beats' size) between two beats, as a
    // loose electrode records it (PTB-XL 00292 and 00304 have such): the beats are the clean
    // record's, none at the step.
    let clean = open_record(&ludb("18")).unwrap();
    let onsets =
        |r: &Record| -> Vec<usize> { delineate(r).beats.iter().map(|b| b.qrs.on).collect() };
    let before = onsets(&clean);
    let mid = before.len() / 2;
    let step = (before[mid] + before[mid + 1]) / 2;
    let mut popped = clean.clone();
    for lead in popped.leads.iter_mut().filter(|l| l.name == "V1") {
        for v in &mut lead.samples[step..] {
            *v += 12.0;
        }
    }
    let after = onsets(&popped);
    let tol = (0.02 * clean.fs) as usize;
    assert_eq!(after.len(), before.len(), "{before:?}\n{after:?}");
    for (a, b) in after.iter().zip(&before) {
        assert!(
            a.abs_diff(*b) <= tol,
            "QRS onset {a} with the pop, {b} without"
        );
    }
}

fn twelve_leads(name: &str, signal: impl Fn(usize, usize) -> f64) -> Record {
    Record {
        name: name.into(),
        fs: 500.0,
        leads: STANDARD_12
            .iter()
            .enumerate()
            .map(|(k, lead)| Lead::new(lead, (0..5000).map(|i| signal(k, i)).collect(), false))
            .collect(),
        comments: Vec::new(),
        notes: Vec::new(),
    }
}

#[test]
fn signals_without_a_heartbeat_give_no_cycles() {
    // xorshift64* and Box–Muller: the same noise on every run.
    let mut state = 0x853C_49E6_748F_EA9Bu64;
    let mut uniform = move || {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        ((state.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    };
    let noise: Vec<f64> = (0..12 * 5000)
        .map(|_| {
            let (u, v) = (uniform(), uniform());
            0.2 * (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
        })
        .collect();
    let records = [
        twelve_leads("zeros", |_, _| 0.0),
        twelve_leads("constant 0.5 mV", |_, _| 0.5),
        twelve_leads("gaussian noise 0.2 mV", |k, i| noise[k * 5000 + i]),
    ];
    for record in &records {
        let d = delineate(record);
        let cs = cycles(&d);
        let waves: usize = d.leads.iter().map(|l| l.waves.len()).sum();
        eprintln!(
            "{}: {} beats, {} cycles, {waves} waves over all leads",
            record.name,
            d.beats.len(),
            cs.len()
        );
        assert!(cs.is_empty(), "{}: {} cycles", record.name, cs.len());
    }
}

#[test]
fn demo_qrs_onsets_are_found_within_20_ms() {
    let demo = demo_record();
    let d = delineate(&demo.record);
    let tolerance = (0.020 * demo.record.fs).round() as i64;
    let mut errors = Vec::new();
    let mut missed = Vec::new();
    for &truth in &demo.labels.r_on {
        let nearest = d
            .beats
            .iter()
            .map(|b| b.qrs.on as i64 - truth)
            .min_by_key(|e| e.abs());
        match nearest {
            Some(e) if e.abs() <= tolerance => errors.push(e),
            _ => missed.push((truth, nearest)),
        }
    }
    let mean_abs = errors
        .iter()
        .map(|e| e.abs() as f64)
        .fold(0.0, |a, b| a + b)
        / errors.len().max(1) as f64;
    eprintln!(
        "demo: {} true QRS onsets, {} matched within {tolerance} samples (mean |error| {mean_abs:.1} samples), {} beats found",
        demo.labels.r_on.len(),
        errors.len(),
        d.beats.len()
    );
    assert!(
        missed.is_empty(),
        "true QRS onsets without a detection within {tolerance} samples (truth, nearest error): {missed:?}"
    );
}

fn annotate(args: &[&str]) -> std::process::Output {
    let out = Command::new(env!("CARGO_BIN_EXE_ecg-panorama"))
        .arg("annotate")
        .args(args)
        .output()
        .unwrap();
    eprintln!(
        "annotate {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

#[test]
fn annotate_json_on_a_real_record_reads_as_seed_labels() {
    let out = tempfile::tempdir().unwrap();
    let rec = ludb("1");
    annotate(&[
        rec.to_str().unwrap(),
        "--out",
        out.path().to_str().unwrap(),
        "--format",
        "json",
    ]);
    let labels = CycleLabels::read(&out.path().join("1.json")).unwrap();
    let (reference, _) = reference_qrs("1");
    eprintln!(
        "LUDB 1: {} QRS onsets written, {} in the reference",
        labels.r_on.len(),
        reference.len()
    );
    assert!(labels.r_on.len() >= reference.len());
}

#[test]
fn annotate_a_30_minute_record_reports_progress() {
    let out = tempfile::tempdir().unwrap();
    let rec = common::data_dir().join("wfdb-samples/100");
    let o = annotate(&[rec.to_str().unwrap(), "--out", out.path().to_str().unwrap()]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("delineating"), "{err}");
    let mut names: Vec<String> = std::fs::read_dir(out.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    // MLII and V5 are written under the leads they stand in for.
    assert_eq!(names, ["100.ii", "100.json", "100.v5"]);
    let qrs = read_annotations(&out.path().join("100.ii"))
        .unwrap()
        .iter()
        .filter(|a| a.symbol == "N")
        .count();
    eprintln!("MIT-BIH 100: {qrs} QRS complexes in lead II (about 2270 beats in the reference)");
}
