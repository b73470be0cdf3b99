use super::*;
use crate::delineate::cycles::{Cycle, CycleFlag};
use crate::delineate::edit::{BoundaryKind, Mark};
use crate::record::{Lead, Record};

const FS: f64 = 500.0;

/// Beat `k` of a 1 s rhythm: P 100–150, QRS 180–230, T 300–400 samples after `k` seconds.
fn beat(k: usize, with_p: bool) -> BeatMarks {
    let o = 500 * k;
    BeatMarks {
        p: with_p.then(|| Span::new(o + 100, o + 150).unwrap()),
        qrs: Span::new(o + 180, o + 230).unwrap(),
        t: Span::new(o + 300, o + 400),
        prev_qrs_on: k.checked_sub(1).map(|j| 500 * j + 180),
        next_qrs_on: (k < 3).then(|| 500 * (k + 1) + 180),
        rhythm: None,
    }
}

/// A record whose limb leads see a heart vector at `deg` degrees during each QRS (a square
/// pulse), on a baseline offset of 0.2 mV, with lead I 0.1 mV above it from J to J + 100 ms.
fn record(deg: f64, leads: &[&str]) -> Record {
    let (x, y) = (deg.to_radians().cos(), deg.to_radians().sin());
    let leads = leads
        .iter()
        .map(|name| {
            let (lx, ly) = lead_vector(name).unwrap();
            let mut s = vec![0.2; 2000];
            for k in 0..4 {
                let q = beat(k, true).qrs;
                for v in &mut s[q.on..=q.off] {
                    *v += lx * x + ly * y;
                }
                if *name == "I" {
                    for v in &mut s[q.off + 1..q.off + 51] {
                        *v += 0.1;
                    }
                }
            }
            Lead::new(name, s, false)
        })
        .collect();
    Record {
        name: "synthetic".into(),
        fs: FS,
        leads,
        comments: Vec::new(),
        notes: Vec::new(),
    }
}

fn close(a: Option<f64>, b: f64) -> bool {
    a.is_some_and(|a| (a - b).abs() < 1e-6)
}

#[test]
fn intervals_of_known_beats() {
    let rec = record(60.0, &["I", "aVF"]);
    let beats: Vec<BeatMarks> = (0..4).map(|k| beat(k, k != 2)).collect();
    let m = measure_record(&rec, &beats, &LeadBeats::new(), MeasureOptions::default());
    let c = &m.cycles[0];
    assert!(close(c.rr_ms, 1000.0) && close(c.hr_bpm, 60.0));
    assert!(close(c.p_ms, 100.0) && close(c.pr_ms, 160.0));
    assert!(close(c.qrs_ms, 100.0) && close(c.qt_ms, 440.0));
    // RR 1 s: both corrections leave the QT as it is.
    assert!(close(c.qtc_bazett_ms, 440.0) && close(c.qtc_fridericia_ms, 440.0));
    assert_eq!(
        (m.cycles[2].p_ms, m.cycles[2].pr_ms),
        (None, None),
        "no P wave"
    );
    assert_eq!(m.cycles[3].rr_ms, None, "the last beat has no next QRS");
    assert!(
        close(m.cycles[3].qtc_bazett_ms, 440.0),
        "RR before the beat"
    );
    let s = &m.summary;
    assert_eq!(s.pr_ms.unwrap().count, 3);
    assert!(close(s.qt_ms.map(|s| s.median), 440.0));
    let h = m.header();
    assert!(close(h.hr_bpm, 60.0) && close(h.pr_ms, 160.0));
    assert_eq!(m.cycle_at(700), Some(1));
    assert_eq!(m.cycle_at(10), None);
}

#[test]
fn qtc_follows_bazett_and_fridericia() {
    // RR 0.64 s: √0.64 = 0.8, ∛0.64 ≈ 0.8618.
    assert!(close(qtc_bazett(400.0, 640.0), 500.0));
    assert!(close(qtc_fridericia(400.0, 640.0), 400.0 / 0.64f64.cbrt()));
    assert_eq!(qtc_bazett(400.0, 0.0), None);
    assert_eq!(
        interval_ms(10, 10, FS),
        None,
        "a zero interval is not measured"
    );
}

#[test]
fn the_axis_is_recovered_from_any_limb_pair() {
    for (deg, cat) in [
        (60.0, AxisCategory::Normal),
        (-45.0, AxisCategory::LeftAxisDeviation),
        (120.0, AxisCategory::RightAxisDeviation),
        (80.0, AxisCategory::Vertical),
        (10.0, AxisCategory::Horizontal),
    ] {
        for (leads, used) in [(&["I", "aVF"][..], "I+aVF"), (&["II", "III"][..], "II+III")] {
            for method in [AxisMethod::Area, AxisMethod::Amplitude] {
                let rec = record(deg, leads);
                let beats: Vec<BeatMarks> = (0..4).map(|k| beat(k, true)).collect();
                let opts = MeasureOptions {
                    axis_method: method,
                    axis_category: AxisCategoryRule::Angle,
                };
                let m = measure_record(&rec, &beats, &LeadBeats::new(), opts);
                let a = m.summary.axis.clone().expect("an axis");
                assert!((a.degrees - deg).abs() < 1e-6, "{deg} {leads:?}: {a:?}");
                assert_eq!((a.category, a.leads.as_str()), (cat, used));
            }
        }
    }
    assert!(
        frontal_axis(|n| (n == "V1").then_some(1.0)).is_none(),
        "no limb pair"
    );
}

#[test]
fn the_category_is_read_off_leads_i_and_iii_as_a_cardiologist_reads_them() {
    let beats: Vec<BeatMarks> = (0..4).map(|k| beat(k, true)).collect();
    // (angle, the angle's range, the reading of R against S in III and I)
    for (deg, by_angle, read) in [
        // S in III outweighs R there: a reader already calls this left deviation.
        (
            20.0,
            AxisCategory::Horizontal,
            AxisCategory::LeftAxisDeviation,
        ),
        // III is balanced (R ≈ S): horizontal.
        (30.0, AxisCategory::Normal, AxisCategory::Horizontal),
        (55.0, AxisCategory::Normal, AxisCategory::Normal),
        // I balanced but still positive at +80°: vertical by both.
        (80.0, AxisCategory::Vertical, AxisCategory::Vertical),
        // I nearly balanced: vertical up to +90°; past it right deviation, by either rule.
        (85.0, AxisCategory::Vertical, AxisCategory::Vertical),
        (
            100.0,
            AxisCategory::RightAxisDeviation,
            AxisCategory::RightAxisDeviation,
        ),
        (
            125.0,
            AxisCategory::RightAxisDeviation,
            AxisCategory::RightAxisDeviation,
        ),
    ] {
        let rec = record(deg, &["I", "II", "III"]);
        for (rule, want) in [
            (AxisCategoryRule::Angle, by_angle),
            (AxisCategoryRule::Reading, read),
        ] {
            let opts = MeasureOptions {
                axis_method: AxisMethod::Amplitude,
                axis_category: rule,
            };
            let m = measure_record(&rec, &beats, &LeadBeats::new(), opts);
            let summary = m.summary.axis.clone().expect("an axis");
            assert!((summary.degrees - deg).abs() < 1e-6, "{deg}: {summary:?}");
            assert_eq!(summary.category, want, "{deg}° by {rule:?}");
            let beat = m.cycles[1].axis.clone().expect("an axis per beat");
            assert_eq!(beat.category, want, "{deg}° by {rule:?}, one beat");
        }
    }
    // Without lead III (or I) there is nothing to read: the angle's range names it.
    let rec = record(20.0, &["I", "aVF"]);
    let m = measure_record(&rec, &beats, &LeadBeats::new(), MeasureOptions::default());
    assert_eq!(
        m.summary.axis.map(|a| a.category),
        Some(AxisCategory::Horizontal)
    );
}

#[test]
fn st_is_read_at_j_plus_60_ms_against_the_pr_baseline() {
    let rec = record(60.0, &["I", "aVF"]);
    let beats: Vec<BeatMarks> = (0..4).map(|k| beat(k, k != 1)).collect();
    let m = measure_record(&rec, &beats, &LeadBeats::new(), MeasureOptions::default());
    for c in &m.cycles {
        assert_eq!(c.st[0].lead, "I");
        assert!(close(c.st[0].mv, 0.1), "{:?}", c.st[0]);
        assert!(close(c.st[1].mv, 0.0), "{:?}", c.st[1]);
    }
    // A J point so late that J + 60 ms falls in the next beat: not measured.
    let late = BeatMarks {
        qrs: Span::new(180, 660).unwrap(),
        ..beat(0, true)
    };
    assert_eq!(st::st_level(&rec.leads[0].samples, &late, 660, FS), None);
}

#[test]
fn categories_follow_the_convention_edges() {
    use AxisCategory::*;
    let cases = [
        (29.4, Horizontal),
        (29.6, Normal),
        (69.0, Normal),
        (70.0, Vertical),
        (90.0, Vertical),
        (91.0, RightAxisDeviation),
        (180.0, RightAxisDeviation),
        (-180.0, RightAxisDeviation),
        (-0.4, Horizontal),
        (-1.0, LeftAxisDeviation),
        (-90.0, LeftAxisDeviation),
        (-91.0, Extreme),
        (370.0, Horizontal),
    ];
    for (deg, cat) in cases {
        assert_eq!(AxisCategory::of_degrees(deg), Some(cat), "{deg}");
    }
    assert_eq!(AxisCategory::of_degrees(f64::NAN), None);
    let line = "Electric axis of the heart: left axis deviation. ";
    assert_eq!(
        AxisCategory::from_ludb_comment(line),
        Some(LeftAxisDeviation)
    );
    assert_eq!(
        AxisCategory::from_ludb_comment("Rhythm: Sinus rhythm."),
        None
    );
}

#[test]
fn beats_from_marks_take_the_waves_around_each_qrs() {
    use BoundaryKind::*;
    let marks: Vec<Mark> = [
        (POn, 10),
        (POff, 40),
        (QrsOn, 60),
        (QrsOff, 100),
        (TOn, 150),
        (TOff, 250),
        (QrsOn, 460), // no P wave before this one
        (QrsOff, 500),
        (TOn, 560),
        (TOff, 660),
        (QrsOn, 860), // no offset: not a beat, but the previous one's neighbour
    ]
    .into_iter()
    .map(|(k, s)| Mark::new(k, s))
    .collect();
    let b = beats_from_marks(&marks);
    assert_eq!(b.len(), 2);
    assert_eq!(b[0].p, Span::new(10, 40));
    assert_eq!((b[0].next_qrs_on, b[0].prev_qrs_on), (Some(460), None));
    assert_eq!((b[1].p, b[1].next_qrs_on), (None, Some(860)));
    assert_eq!(b[1].t, Span::new(560, 660));
}

#[test]
fn a_t_offset_without_an_onset_still_ends_the_qt() {
    use BoundaryKind::*;
    // QTDB's q1c layout: P on/off, QRS on/off, then only the T offset.
    let marks: Vec<Mark> = [
        (POn, 10),
        (POff, 40),
        (QrsOn, 60),
        (QrsOff, 100),
        (TOff, 250),
    ]
    .into_iter()
    .map(|(k, s)| Mark::new(k, s))
    .collect();
    let b = beats_from_marks(&marks);
    assert_eq!(b.len(), 1);
    assert_eq!(b[0].t.map(|t| t.off), Some(250));
    let rec = record(60.0, &["II"]);
    let m = measure_record(&rec, &b, &LeadBeats::new(), MeasureOptions::default());
    let qt = m.cycles[0].qt_ms;
    assert_eq!(
        qt,
        Some(380.0),
        "QT from QRS onset (60) to T offset (250) at 500 Hz"
    );
}

#[test]
fn flagged_cycles_lose_what_their_flags_say_is_not_there() {
    let cycle = |p_on, flags: &[CycleFlag]| Cycle {
        p_on,
        p_off: p_on + 40,
        qrs_on: p_on + 60,
        qrs_off: p_on + 100,
        t_on: p_on + 150,
        t_off: p_on + 250,
        next_p_on: p_on + 400,
        flags: flags.to_vec(),
    };
    let cs = [
        cycle(0, &[CycleFlag::CutAtStart]),
        cycle(400, &[CycleFlag::NoPWave]),
        cycle(800, &[CycleFlag::TOverlapsNextP]),
        cycle(1200, &[]),
    ];
    let b = beats_from_cycles(&cs, 2000);
    assert_eq!(b.len(), 4);
    assert_eq!(b[0].p, None, "P cut at sample 0");
    assert_eq!(b[1].p, None);
    assert_eq!(b[2].t, None, "T offset moved to the next P onset");
    assert_eq!(
        (b[3].p, b[3].t),
        (Span::new(1200, 1240), Span::new(1350, 1450))
    );
    assert_eq!(
        (b[2].prev_qrs_on, b[2].next_qrs_on),
        (Some(460), Some(1260))
    );
    let bounds: Vec<_> = cs[1..].iter().filter_map(|c| c.bounds(2000)).collect();
    let gap = beats_from_bounds(&[bounds[0], bounds[2]]);
    assert_eq!(gap[0].next_qrs_on, None, "a left-out cycle breaks the RR");
}

#[test]
fn stats_give_median_and_range_of_what_exists() {
    let s = Stats::of([Some(3.0), None, Some(1.0), Some(10.0), Some(4.0)]).unwrap();
    assert_eq!((s.median, s.min, s.max, s.count), (3.5, 1.0, 10.0, 4));
    assert_eq!(Stats::of([None, None]), None);
}
