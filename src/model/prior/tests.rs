use super::*;
use crate::geometry::{STANDARD_12, lead_view, normalise_lead_name};
use std::f64::consts::PI;

fn view(name: &str) -> Viewpoint {
    lead_view(&normalise_lead_name(name), false)
        .unwrap()
        .viewpoint
}

/// Moments of signals that are exact dipole projections plus independent lead noise.
fn dipole_prior() -> Prior {
    let dirs = lead_directions();
    let moments =
        LeadMatrix::from_fn(|i, j| dirs[i].dot(dirs[j]) + if i == j { 0.01 } else { 0.0 });
    Prior {
        moments,
        sets: vec![],
        local: None,
        dynamics: None,
    }
}

#[test]
fn interpolation_gives_each_lead_at_its_own_direction() {
    for (k, name) in STANDARD_12.iter().enumerate() {
        let beta = Prior::interpolation(view(name));
        for (j, b) in beta.iter().enumerate() {
            let want = if j == k { 1.0 } else { 0.0 };
            assert!((b - want).abs() < 1e-6, "{name}: weight {j} is {b}");
        }
    }
}

#[test]
fn far_from_every_lead_the_view_is_kors_and_phi_is_ignored_at_the_poles() {
    // Straight behind the heart (Frank's vz), 90° from the nearest lead.
    for q in [
        Viewpoint::new(PI / 2.0, PI),
        Viewpoint::new(PI / 2.0, 0.9 * PI),
    ] {
        let beta = Prior::interpolation(q);
        let kors = kors_weights(q);
        let gap = beta
            .iter()
            .zip(&kors)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        assert!(gap < 0.02, "{q:?}: {beta:?} vs Kors {kors:?}");
    }
    // Between leads the departures from Kors's projection are interpolated: halfway
    // between V2 and V4 (by V3) the view is mostly theirs and V3's.
    let between = Viewpoint::new(
        (PI / 2.0 + 11.0 * PI / 20.0) / 2.0,
        (PI / 18.0 + PI / 6.0) / 2.0,
    );
    let beta = Prior::interpolation(between);
    let near: f64 = [V2, V3, V4].iter().map(|l| beta[l.index()]).sum();
    assert!(
        near > 0.9 && beta.iter().all(|b| b.abs() < 0.45),
        "{beta:?}"
    );
    let a = Prior::interpolation(Viewpoint::new(0.0, 0.0));
    let b = Prior::interpolation(Viewpoint::new(0.0, 2.5));
    assert!(a.iter().zip(&b).all(|(x, y)| (x - y).abs() < 1e-9));
}

#[test]
fn weights_are_linear_regression_for_standard_leads() {
    let prior = dipole_prior();
    // An input's own lead comes back as itself.
    let w = prior
        .weights(&StdLead::slots([II, V2, V5]), view("V2"))
        .unwrap();
    assert!((w[1] - 1.0).abs() < 1e-4 && w[0].abs() < 1e-4 && w[2].abs() < 1e-4);
    // V4 from II, V2, V5 solves the normal equations of those three leads.
    let (s, t) = (StdLead::slots([II, V2, V5]), V4.index());
    let w = prior.weights(&s, view("V4")).unwrap();
    for &i in &s {
        let lhs: f64 = s
            .iter()
            .zip(&w)
            .map(|(&j, wj)| prior.moments[(i, j)] * wj)
            .sum();
        assert!((lhs - prior.moments[(i, t)]).abs() < 1e-4, "{lhs}");
    }
    assert!(prior.weights(&[], view("V4")).is_none());
}

/// Cycles whose V1 is half of lead II, and a few whose V1 is far off: the reweighted fit
/// follows the many, where plain least squares would be pulled toward the few.
fn cycles_with_outliers() -> Vec<TrainCycle> {
    (0..24)
        .map(|c| {
            let len = 200;
            let ii: Vec<f32> = (0..len)
                .map(|t| (t as f32 * 0.05 + c as f32).sin() * (1.0 + c as f32 * 0.02))
                .collect();
            let gain = if c % 8 == 0 { -3.0 } else { 0.5 };
            let mut leads: Vec<Vec<f32>> = (0..LEADS)
                .map(|k| ii.iter().map(|v| v * (0.1 + 0.05 * k as f32)).collect())
                .collect();
            leads[1] = ii.clone();
            leads[6] = ii
                .iter()
                .enumerate()
                .map(|(t, v)| gain * v + 0.01 * ((t * 7 % 13) as f32 - 6.0) / 6.0)
                .collect();
            TrainCycle {
                database: "test".into(),
                record: format!("r{c}"),
                leads,
                bounds: CycleBounds::new([0, 20, 40, 60, 100, 150, len - 1], len).unwrap(),
                len,
            }
        })
        .collect()
}

#[test]
fn the_fit_is_robust_to_a_few_cycles_unlike_the_rest() {
    let prior = Prior::from_cycles(&cycles_with_outliers());
    let w = prior.weights(&[1], view("V1")).unwrap();
    assert!((w[0] - 0.5).abs() < 0.02, "II → V1 weight {}", w[0]);
    // Plain least squares is pulled far off by the three outlying cycles.
    let per = cycle_moments(&cycles_with_outliers());
    let plain = regress(&pooled(&per, &vec![1.0; per.len()]), &[1], 6).unwrap();
    assert!(plain[0] < 0.2, "plain least squares {}", plain[0]);
    let own = prior.weights(&[1], view("II")).unwrap();
    assert!((own[0] - 1.0).abs() < 1e-6, "{}", own[0]);
}

#[test]
fn stored_values_round_trip_and_bad_ones_are_refused() {
    let prior = Prior::from_cycles(&cycles_with_outliers());
    let [m, sets, masks] = prior.to_flat();
    let back = Prior::from_flat(&m, &sets, &masks).unwrap();
    assert_eq!(back.sets.len(), COMMON_INPUTS.len());
    assert_eq!(back.sets[2].slots, StdLead::slots([II, V2, V5]));
    assert!((back.moments[(3, 7)] - prior.moments[(3, 7)]).abs() < 1e-6);
    let (a, b) = (&back.sets[2].weights[9], &prior.sets[2].weights[9]);
    assert!(a.iter().zip(b).all(|(x, y)| (x - y).abs() < 1e-5));
    assert!(Prior::from_flat(&[0.0; 144], &sets, &masks).is_none());
    assert!(Prior::from_flat(&m[..12], &sets, &masks).is_none());
}

#[test]
fn the_dynamic_correction_is_stored_optional_and_checked() {
    let prior = Prior::from_cycles(&cycles_with_outliers());
    assert!(prior.dynamics.is_some());
    let tensors = prior.tensors();
    let get = |skip: &str, bad: bool| {
        let tensors = tensors.clone();
        let skip = skip.to_string();
        move |name: &str| {
            let (_, _, v) = tensors.iter().find(|(n, _, _)| *n == name)?;
            if name == skip {
                return None;
            }
            let mut v = v.clone();
            if bad && name == crate::model::dynamics::STORED {
                v.truncate(10);
            }
            Some(v)
        }
    };
    let back = Prior::from_tensors(get("", false)).unwrap();
    assert_eq!(
        back.dynamics,
        prior
            .dynamics
            .as_ref()
            .map(|d| { crate::model::dynamics::Dynamics::from_flat(&d.to_flat()).unwrap() })
    );
    // A file written before the correction loads without it.
    let old = Prior::from_tensors(get(crate::model::dynamics::STORED, false)).unwrap();
    assert!(old.dynamics.is_none() && old.dynamic(&[1]).is_none());
    let err = Prior::from_tensors(get("", true)).unwrap_err();
    assert!(err.contains("dynamic correction"), "{err}");
}

#[test]
fn with_the_dynamic_correction_an_input_stays_exact() {
    let cycles = cycles_with_outliers();
    let prior = Prior::from_cycles(&cycles);
    let c = &cycles[3];
    let regressions = prior.regressions(&[1], None, None).unwrap();
    let dynamic = prior.dynamic(&[1]);
    assert!(dynamic.is_some(), "one input: the correction serves it");
    assert!(
        prior.dynamic(&[1, 7, 10]).is_none(),
        "three inputs: not applied"
    );
    let ii: &[f32] = &c.leads[1];
    let own = Prior::estimate(
        &regressions,
        dynamic.as_ref(),
        view("II"),
        &[ii],
        &[],
        &c.bounds,
        c.len,
    );
    for (a, b) in own.iter().zip(ii) {
        assert!((a - b).abs() < 1e-5, "{a} against {b}");
    }
}
