//! Unit tests of boundary scoring: boundary extraction, matching, counts and the report.

use super::*;
use crate::delineate::{Wave, WaveKind};
use crate::record::annotation::Annotation;
use BoundaryKind::*;

fn ann(sample: i64, symbol: &str) -> Annotation {
    Annotation::new(sample, symbol)
}

/// Annotations of `(` on, peak, `)` off triples.
fn triples(waves: &[(i64, &str, i64, i64)]) -> Vec<Annotation> {
    let mut out = Vec::new();
    for &(on, peak, p, off) in waves {
        out.extend([ann(on, "("), ann(p, peak), ann(off, ")")]);
    }
    out
}

fn b(kind: BoundaryKind, sample: i64) -> Boundary {
    Boundary { kind, sample }
}

/// Two beats at 500 Hz (2 ms per sample).
fn two_beats() -> Vec<Annotation> {
    triples(&[
        (100, "p", 120, 150),
        (180, "N", 200, 230),
        (300, "t", 350, 400),
        (500, "p", 520, 550),
        (580, "N", 600, 630),
        (700, "t", 750, 800),
    ])
}

#[test]
fn labels_and_indices_follow_the_report_order() {
    let labels: Vec<_> = BoundaryKind::ALL.iter().map(|k| k.label()).collect();
    assert_eq!(
        labels,
        ["P on", "P off", "QRS on", "QRS off", "T on", "T off"]
    );
    for (i, k) in BoundaryKind::ALL.iter().enumerate() {
        assert_eq!(k.index(), i);
    }
}

#[test]
fn boundaries_come_from_the_symbols_next_to_peaks() {
    let anns = two_beats();
    let got = annotation_boundaries(&anns);
    assert_eq!(got.len(), 12);
    assert_eq!(
        &got[..6],
        &[
            b(POn, 100),
            b(POff, 150),
            b(QrsOn, 180),
            b(QrsOff, 230),
            b(TOn, 300),
            b(TOff, 400)
        ]
    );
}

#[test]
fn strays_and_cut_waves_give_only_what_they_have() {
    // A T cut at the start (no `(`), LUDB's `N ( )` stray, a P cut at the end (no `)`).
    let anns = [
        ann(5, "t"),
        ann(40, ")"),
        ann(90, "N"),
        ann(91, "("),
        ann(120, ")"),
        ann(200, "("),
        ann(210, ")"),
        ann(300, "("),
        ann(320, "p"),
    ];
    assert_eq!(annotation_boundaries(&anns), [b(TOff, 40), b(POn, 300)]);
    assert_eq!(annotated_span(&anns), Some((5, 320)));
    assert_eq!(annotated_span(&[]), None);
}

#[test]
fn waves_give_their_onset_and_offset() {
    let w = Wave {
        kind: WaveKind::Qrs,
        on: 10,
        peak: 20,
        off: 30,
    };
    assert_eq!(wave_boundaries(&[w]), [b(QrsOn, 10), b(QrsOff, 30)]);
}

#[test]
fn exact_matches_score_one_and_zero_error() {
    let anns = two_beats();
    let tally = score_lead(&anns, &annotation_boundaries(&anns), 500.0);
    for kind in BoundaryKind::ALL {
        let s = tally.get(kind).score();
        assert_eq!((s.tp, s.fp, s.fn_), (2, 0, 0), "{kind:?}");
        assert_eq!((s.se, s.ppv, s.f1), (1.0, 1.0, 1.0));
        assert_eq!((s.mean_ms, s.sd_ms), (0.0, 0.0));
    }
}

#[test]
fn one_boundary_shifted_by_10_ms() {
    let anns = two_beats();
    let mut pred = annotation_boundaries(&anns);
    // The second QRS onset 5 samples = 10 ms late.
    let k = pred.iter().rposition(|x| x.kind == QrsOn).unwrap();
    pred[k].sample += 5;
    let c = *score_lead(&anns, &pred, 500.0).get(QrsOn);
    assert_eq!((c.tp, c.fp, c.fn_), (2, 0, 0));
    assert_eq!(c.mean_ms(), 5.0);
    // Errors 0 and 10: population SD is 5.
    assert_eq!(c.sd_ms(), 5.0);
}

#[test]
fn a_detection_160_ms_off_is_a_false_positive_and_a_false_negative() {
    let reference = [b(TOff, 1000)];
    let tally = score_boundaries(&reference, &[b(TOff, 1080)], Some((0, 2000)), 500.0);
    let c = tally.get(TOff);
    assert_eq!((c.tp, c.fp, c.fn_), (0, 1, 1));
    assert_eq!((c.se(), c.ppv(), c.f1()), (0.0, 0.0, 0.0));
    assert!(c.mean_ms().is_nan() && c.sd_ms().is_nan());
    // 150 ms exactly still matches.
    let tally = score_boundaries(&reference, &[b(TOff, 1075)], Some((0, 2000)), 500.0);
    assert_eq!(tally.get(TOff).tp, 1);
    assert_eq!(tally.get(TOff).mean_ms(), 150.0);
}

#[test]
fn two_detections_near_one_reference_give_one_match_and_one_false_positive() {
    let reference = [b(POn, 1000)];
    let pred = [b(POn, 990), b(POn, 1004)];
    let tally = score_boundaries(&reference, &pred, Some((0, 2000)), 500.0);
    let c = tally.get(POn);
    assert_eq!((c.tp, c.fp, c.fn_), (1, 1, 0));
    // The nearer one (4 samples late) is the match.
    assert_eq!(c.mean_ms(), 8.0);
    assert_eq!(c.ppv(), 0.5);
}

#[test]
fn nearest_first_is_not_first_come() {
    // Reference 100 could take 120 (first in time), but 120 is nearer to 125.
    let pairs = match_nearest(&[100, 125], &[90, 120], 30.0);
    assert_eq!(pairs, [(0, 0), (1, 1)]);
    let pairs = match_nearest(&[100, 125], &[120], 30.0);
    assert_eq!(pairs, [(1, 0)]);
    assert!(match_nearest(&[], &[1, 2], 30.0).is_empty());
    assert!(match_nearest(&[1, 2], &[], 30.0).is_empty());
}

#[test]
fn detections_outside_the_annotated_span_are_ignored() {
    let anns = two_beats(); // span 100..=800, 75 samples of tolerance at 500 Hz
    let mut pred = annotation_boundaries(&anns);
    pred.extend([b(POn, 20), b(TOff, 880), b(QrsOn, 26), b(TOff, 874)]);
    let tally = score_lead(&anns, &pred, 500.0);
    // 20 and 880 lie over 150 ms outside; 26 and 874 lie within 150 ms and count as FP.
    assert_eq!(tally.get(POn).fp, 0);
    assert_eq!(tally.get(QrsOn).fp, 1);
    assert_eq!(tally.get(TOff).fp, 1);
    // Nothing annotated: nothing counts.
    let t = score_lead(&[], &pred, 500.0);
    assert_eq!(t, Tally::default());
}

#[test]
fn empty_cases_do_not_divide_by_zero() {
    let none = Counts::default();
    assert!(none.se().is_nan() && none.ppv().is_nan() && none.f1().is_nan());
    assert!(none.mean_ms().is_nan() && none.sd_ms().is_nan());
    // References but no predictions: Se 0, PPV undefined, F1 0.
    let missed = score_boundaries(&[b(POn, 10)], &[], Some((10, 10)), 500.0);
    let c = missed.get(POn);
    assert_eq!((c.se(), c.f1()), (0.0, 0.0));
    assert!(c.ppv().is_nan());
    // Predictions but no references of that kind: PPV 0, Se undefined.
    let spurious = score_boundaries(&[b(POn, 10)], &[b(TOn, 10)], Some((10, 10)), 500.0);
    let c = spurious.get(TOn);
    assert_eq!((c.ppv(), c.f1(), c.fp), (0.0, 0.0, 1));
    assert!(c.se().is_nan());
    // NaN is written as null in JSON.
    let report = DelineationReport {
        tally: Tally::default(),
        records: 0,
        median_ms_per_record: None,
    };
    let json = serde_json::to_value(&report).unwrap();
    assert!(json["P on"]["se"].is_null());
    assert!(json["median_ms_per_record"].is_null());
    assert!(report.table().contains(" - "));
}

#[test]
fn pooling_two_records_equals_scoring_them_jointly() {
    // Record A at 500 Hz: the two-beat list with some errors.
    let a_ref = two_beats();
    let mut a_pred = annotation_boundaries(&a_ref);
    a_pred[0].sample += 3;
    a_pred[4].sample -= 7;
    a_pred.remove(9);
    a_pred.push(b(TOn, 650));
    // Record B: the same list moved far away, with other errors.
    let b_ref: Vec<Annotation> = a_ref
        .iter()
        .map(|a| ann(a.sample + 100_000, &a.symbol))
        .collect();
    let mut b_pred = annotation_boundaries(&b_ref);
    b_pred[2].sample += 11;
    b_pred[7].sample -= 90;
    let mut pooled = score_lead(&a_ref, &a_pred, 500.0);
    pooled.add(&score_lead(&b_ref, &b_pred, 500.0));
    // Jointly: both lists as one record (their spans are scored separately above, so the
    // joint list keeps every prediction inside its own record's span).
    let joint_ref: Vec<Annotation> = a_ref.iter().chain(&b_ref).cloned().collect();
    let joint_pred: Vec<Boundary> = a_pred.iter().chain(&b_pred).copied().collect();
    let joint = score_lead(&joint_ref, &joint_pred, 500.0);
    assert_eq!(pooled, joint);
    assert!(pooled.get(POn).tp == 4 && pooled.get(TOn).fp == 1);
    let report = DelineationReport {
        tally: pooled,
        records: 2,
        median_ms_per_record: Some(3.0),
    };
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["QRS on"]["tp"], 4);
    assert_eq!(json["records"], 2);
    assert_eq!(json["median_ms_per_record"], 3.0);
    let keys: Vec<_> = json.as_object().unwrap().keys().cloned().collect();
    assert_eq!(keys.len(), 8);
    for key in ["se", "ppv", "f1", "mean_ms", "sd_ms", "tp", "fp", "fn"] {
        assert!(json["T off"].get(key).is_some(), "{key}");
    }
}

#[test]
fn the_sensitivity_table_leaves_out_what_needs_every_wave_annotated_and_counts_the_unmatched() {
    let anns = two_beats();
    let report = DelineationReport {
        tally: score_lead(&anns, &annotation_boundaries(&anns), 500.0),
        records: 1,
        median_ms_per_record: None,
    };
    let table = report.sensitivity_table();
    let header = table.lines().next().unwrap();
    assert!(
        header.contains("Se %") && header.contains("FN") && header.contains("unmatched"),
        "{header}"
    );
    assert!(
        !header.contains("PPV") && !header.contains("FP"),
        "{header}"
    );
    let qrs_on = table.lines().find(|l| l.starts_with("QRS on")).unwrap();
    assert_eq!(
        qrs_on.split_whitespace().collect::<Vec<_>>(),
        ["QRS", "on", "100.0", "0.0", "0.0", "2", "0", "0"]
    );
    // A QRS the reference does not have, inside its span, is unmatched, not a miss.
    let mut extra = annotation_boundaries(&anns);
    let first_qrs_on = extra
        .iter()
        .find(|b| b.kind == BoundaryKind::QrsOn)
        .copied()
        .unwrap();
    extra.push(Boundary {
        sample: first_qrs_on.sample + 200,
        ..first_qrs_on
    });
    let report = DelineationReport {
        tally: score_lead(&anns, &extra, 500.0),
        ..report
    };
    let table = report.sensitivity_table();
    let qrs_on = table.lines().find(|l| l.starts_with("QRS on")).unwrap();
    assert_eq!(
        qrs_on.split_whitespace().collect::<Vec<_>>(),
        ["QRS", "on", "100.0", "0.0", "0.0", "2", "0", "1"]
    );
}

#[test]
fn median_of_odd_and_even_counts() {
    assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
    assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), Some(2.5));
    assert_eq!(median(&[]), None);
}

#[test]
fn kind_span_ignores_unannotated_edge_waves_but_not_p_in_atrial_fibrillation() {
    let b = |kind, sample| Boundary { kind, sample };
    // The reference stops at a QRS without its T; it has no P waves at all.
    let reference = [
        b(QrsOn, 1000),
        b(QrsOff, 1050),
        b(TOn, 1150),
        b(TOff, 1300),
        b(QrsOn, 1400),
        b(QrsOff, 1450),
    ];
    let span = Some((1000, 1450));
    // A true T after the last QRS (onset 100 ms after the last mark) and a P in AF.
    let predicted = [
        b(QrsOn, 1000),
        b(QrsOff, 1050),
        b(TOn, 1150),
        b(TOff, 1300),
        b(POn, 1300),
        b(POff, 1350),
        b(QrsOn, 1400),
        b(QrsOff, 1450),
        b(TOn, 1500),
        b(TOff, 1700),
    ];
    let lead = score_boundaries_with(&reference, &predicted, span, 500.0, SpanRule::Lead);
    assert_eq!(
        lead.get(TOn).fp,
        1,
        "the edge T counts against the lead rule"
    );
    let kind = score_boundaries_with(&reference, &predicted, span, 500.0, SpanRule::Kind);
    assert_eq!(
        kind.get(TOn).fp,
        0,
        "beyond the last reference T by > 150 ms"
    );
    assert_eq!(
        kind.get(POn).fp,
        1,
        "no reference P: the lead's span applies"
    );
    assert_eq!(kind.get(POff).fp, 1);
    assert_eq!(kind.get(QrsOn).tp, 2);
}

#[test]
fn under_the_runs_rule_only_extra_waves_inside_a_run_of_marked_beats_are_unmatched() {
    let qrs_on = |samples: &[i64]| -> Vec<Boundary> {
        samples.iter().map(|&sample| b(QrsOn, sample)).collect()
    };
    // Marks every 200 samples (0.8 s at 250 Hz), one beat skipped (600 → 1000), then a second
    // run far away.
    let reference = qrs_on(&[0, 200, 400, 600, 1000, 1200, 5000, 5200]);
    let span = Some((0, 5200));
    let unmatched = |predicted: &[Boundary], kind: BoundaryKind| {
        score_boundaries_with(&reference, predicted, span, 250.0, SpanRule::Runs)
            .get(kind)
            .fp
    };
    let mut predicted = reference.clone();
    // Inside a run (counted), in the skipped beat's place and between the runs (not counted:
    // true beats the reference left unmarked), before the first mark (not counted).
    predicted.extend(qrs_on(&[100, 800, 3000, -150]));
    assert_eq!(unmatched(&predicted, QrsOn), 1);
    let all = score_boundaries_with(&reference, &predicted, span, 250.0, SpanRule::Runs);
    assert_eq!((all.get(QrsOn).tp, all.get(QrsOn).fn_), (8, 0));
    // A kind without two marks has no run, whatever is predicted of it.
    assert_eq!(unmatched(&predicted, TOn), 0);
    assert_eq!(unmatched(&[b(TOn, 300)], TOn), 0);
    // A prediction within the tolerance of a mark is its match, not an extra wave.
    let shifted = qrs_on(&[0, 230, 400, 600, 1000, 1200, 5000, 5200]);
    assert_eq!(unmatched(&shifted, QrsOn), 0);
}
