use super::*;
use crate::geometry::STANDARD_12;
use std::f64::consts::PI;

/// A cycle of `n` samples whose `names` leads are exact projections of `d(t)`, with QRS over
/// samples 40..=80 and T over 120..=200 (t_on = t_off = 100 when `no_t`).
fn cycle(names: &[&str], n: usize, no_t: bool, d: impl Fn(usize) -> DVec3) -> CycleInput {
    let leads = names
        .iter()
        .map(|name| {
            // A lead without a direction (blood pressure) records something else.
            let x = match lead_view(&normalise_lead_name(name), false) {
                Some(v) => (0..n)
                    .map(|t| v.viewpoint.unit_vector().dot(d(t)))
                    .collect(),
                None => (0..n).map(|t| 80.0 + (t as f64).sin()).collect(),
            };
            (name.to_string(), x)
        })
        .collect();
    let b = if no_t {
        [0, 20, 40, 80, 100, 100, n - 1]
    } else {
        [0, 20, 40, 80, 120, 200, n - 1]
    };
    CycleInput {
        fs: 500.0,
        leads,
        boundaries: CycleBounds::new(b, n).unwrap(),
    }
}

fn wobble(t: usize) -> DVec3 {
    let s = t as f64 / 50.0;
    DVec3::new(0.4 * s.sin(), 1.2 * (1.3 * s).cos(), -0.7 * (0.7 * s).sin())
}

#[test]
fn a_planar_ellipse_has_area_pi_a_b_whatever_its_plane() {
    let (a, b, n) = (1.5, 0.4, 2000);
    let (e1, e2) = (
        DVec3::new(1.0, 2.0, -0.5).normalize(),
        DVec3::new(2.0, -1.0, 0.0).normalize(),
    );
    let e2 = (e2 - e1 * e1.dot(e2)).normalize();
    let offset = DVec3::new(0.3, -0.2, 0.1);
    let pts: Vec<DVec3> = (0..n)
        .map(|i| {
            let t = i as f64 / n as f64 * 2.0 * PI;
            offset + e1 * (a * t.cos()) + e2 * (b * t.sin())
        })
        .collect();
    let area = loop_area(&pts).unwrap();
    assert!((area - PI * a * b).abs() < 1e-4, "{area}");
    assert_eq!(loop_area(&pts[..2]), None);
    let mut bad = pts.clone();
    bad[7].x = f64::NAN;
    assert_eq!(loop_area(&bad), None);
}

#[test]
fn frontal_axes_follow_the_clinical_convention() {
    let axis = |x, y, z| frontal_axis_deg(DVec3::new(x, y, z)).unwrap();
    assert!(axis(0.0, 1.0, 0.0).abs() < 1e-12, "left is 0°");
    assert!((axis(0.3, 0.0, -1.0) - 90.0).abs() < 1e-12, "feet are +90°");
    assert!((axis(0.0, 0.0, 1.0) + 90.0).abs() < 1e-12, "head is −90°");
    assert!(
        (axis(0.0, -1.0, 1e-3).abs() - 180.0).abs() < 0.1,
        "right is ±180°"
    );
    // Lead II's direction (θ 150°) is +60°.
    let ii = Viewpoint::from_degrees(150.0, 90.0).unit_vector();
    assert!((frontal_axis_deg(ii).unwrap() - 60.0).abs() < 1e-9);
    assert_eq!(frontal_axis_deg(DVec3::X), None, "a purely anterior vector");
}

#[test]
fn qrs_t_angles_are_between_mean_and_between_peak_vectors() {
    // QRS to the left then briefly to the right (mean left), T toward the feet.
    let mut qrs = vec![DVec3::Y; 10];
    qrs.push(DVec3::new(0.0, -3.0, 0.0));
    let t = vec![DVec3::new(0.0, 0.0, -0.5); 5];
    let m = Measures::of(&qrs, &t);
    assert!((m.qrs_t_angle_deg.unwrap() - 90.0).abs() < 1e-9);
    assert!((m.qrs_t_peak_angle_deg.unwrap() - 90.0).abs() < 1e-9);
    assert!((m.qrs_peak_mv.unwrap() - 3.0).abs() < 1e-12);
    assert!((m.t_peak_mv.unwrap() - 0.5).abs() < 1e-12);
    assert!(m.qrs_axis_deg.unwrap().abs() < 1e-9);
    assert!((m.t_axis_deg.unwrap() - 90.0).abs() < 1e-9);
    // An empty T part, or a flat one, has no angle.
    let none = Measures::of(&qrs, &[]);
    assert_eq!((none.t_axis_deg, none.qrs_t_angle_deg), (None, None));
    assert_eq!(Measures::of(&qrs, &[DVec3::ZERO; 4]).t_peak_mv, None);
}

#[test]
fn kors_is_used_when_its_eight_leads_are_there() {
    let c = cycle(&STANDARD_12, 300, false, wobble);
    let l = HeartLoop::from_cycle(&c).unwrap();
    assert_eq!(l.source, Source::Kors);
    assert_eq!(l.vectors.len(), 300);
    let at = |name: &str, t: usize| c.leads.iter().find(|(n, _)| n == name).unwrap().1[t];
    for t in [0, 57, 299] {
        let want = kors_vector(&KORS_INPUTS.map(|lead| at(lead.name(), t)));
        assert!((l.vectors[t] - want).length() < 1e-12);
    }
    assert_eq!(l.part(Part::Qrs).len(), 41);
    assert_eq!(l.part(Part::T).len(), 81);
}

#[test]
fn the_dipole_fit_recovers_the_vector_from_three_leads() {
    let c = cycle(&["II", "V2", "V5", "ABP"], 250, false, wobble);
    let l = HeartLoop::from_cycle(&c).unwrap();
    assert_eq!(
        l.source,
        Source::Dipole(vec!["II".into(), "V2".into(), "V5".into()])
    );
    for (t, v) in l.vectors.iter().enumerate() {
        assert!((*v - wobble(t)).length() < 1e-9, "{t}");
    }
}

#[test]
fn a_missing_sample_or_a_flat_lead_drops_that_lead_not_the_loop() {
    let mut c = cycle(&STANDARD_12, 250, false, wobble);
    c.leads[8].1[30] = f64::NAN; // V3
    c.leads[2].1.iter_mut().for_each(|v| *v = 0.0); // III
    let l = HeartLoop::from_cycle(&c).unwrap();
    let Source::Dipole(used) = &l.source else {
        panic!("{:?}", l.source)
    };
    assert!(!used.contains(&"V3".to_string()) && !used.contains(&"III".to_string()));
    assert_eq!(used.len(), 10);
    assert!(l.vectors.iter().all(|v| v.is_finite()));
}

#[test]
fn too_few_leads_give_a_plain_reason() {
    for (names, has) in [
        (&["I", "II", "III"][..], "this record has I, II, III"),
        (&["II", "V2"], "this record has II, V2"),
    ] {
        let c = cycle(names, 220, false, wobble);
        let err = HeartLoop::from_cycle(&c).unwrap_err().to_string();
        assert!(
            err.contains("needs I, II, V1–V6 or three non-coplanar leads")
                && err.contains(has)
                && !err.contains("unusable"),
            "{err}"
        );
    }
    let mut c = cycle(&["II", "V2", "V5"], 220, false, wobble);
    c.leads[1].1[3] = f64::NAN;
    let err = HeartLoop::from_cycle(&c).unwrap_err().to_string();
    assert!(err.contains("(unusable: V2: missing samples)"), "{err}");
}

#[test]
fn a_cycle_without_t_wave_has_qrs_measures_only() {
    let l = HeartLoop::from_cycle(&cycle(&["II", "V2", "V5"], 200, true, wobble)).unwrap();
    assert!(l.part(Part::T).is_empty());
    let m = l.measures();
    assert!(m.qrs_axis_deg.is_some() && m.qrs_loop_area.is_some());
    assert_eq!(
        (m.t_axis_deg, m.qrs_t_angle_deg, m.t_peak_mv),
        (None, None, None)
    );
}

#[test]
fn frank_leads_point_left_feet_and_back() {
    let c = cycle(&["vx", "vy", "vz", "V1"], 220, false, wobble);
    let l = HeartLoop::from_frank(&c).unwrap();
    assert_eq!(l.source, Source::Frank);
    let at = |k: usize, t: usize| c.leads[k].1[t];
    for t in [0, 44, 219] {
        let want = DVec3::new(-at(2, t), at(0, t), -at(1, t));
        assert!((l.vectors[t] - want).length() < 1e-12);
        assert!((l.vectors[t] - wobble(t)).length() < 1e-12);
    }
    let err = HeartLoop::from_frank(&cycle(&["I", "II"], 220, false, wobble))
        .unwrap_err()
        .to_string();
    assert!(err.contains("needs the Frank leads vx, vy, vz"), "{err}");
}
