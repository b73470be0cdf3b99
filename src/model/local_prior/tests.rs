use super::*;
use crate::model::slopes;

#[test]
fn wave_features_resample_each_wave_and_weigh_the_qrs_most() {
    let x: Vec<f32> = (0..100).map(|i| i as f32).collect();
    let f = lead_features(
        &x,
        &CycleBounds::new([0, 10, 20, 40, 60, 80, 99], 100).unwrap(),
    );
    // P wave: 4 samples from 0 to 10, weighted by a half.
    for (got, want) in f[..4].iter().zip([0.0, 10.0 / 6.0, 20.0 / 6.0, 5.0]) {
        assert!((got - want).abs() < 1e-5, "{got} against {want}");
    }
    // QRS: 16 samples from 20 to 40 at full weight.
    assert!((f[4] - 20.0).abs() < 1e-6 && (f[19] - 40.0).abs() < 1e-6);
    assert!((f[5] - (20.0 + 20.0 / 15.0)).abs() < 1e-5);
    // T wave: 8 samples from 60 to 80, halved.
    assert!((f[20] - 30.0).abs() < 1e-6 && (f[27] - 40.0).abs() < 1e-6);
    // Boundaries past a short signal stay inside it.
    let g = lead_features(
        &x[..30],
        &CycleBounds::new([0, 10, 20, 40, 60, 80, 99], 100).unwrap(),
    );
    assert!(g.iter().all(|v| v.is_finite() && *v <= 29.0));
}

/// A cycle of record `name`: lead II is `shape`, V1 is `gain` times it, the rest small
/// independent waves so every moment is solvable.
fn cycle(name: &str, shape: &[f32], gain: f32) -> TrainCycle {
    let len = shape.len();
    let mut leads = vec![vec![0f32; len]; LEADS];
    for (k, lead) in leads.iter_mut().enumerate() {
        for (i, v) in lead.iter_mut().enumerate() {
            *v = 0.05 * ((i * (k + 2)) as f32 * 0.37).sin();
        }
    }
    leads[1] = shape.to_vec();
    leads[6] = shape.iter().map(|v| gain * v).collect();
    TrainCycle {
        database: "test".into(),
        record: name.into(),
        leads,
        bounds: CycleBounds::new([0, 20, 40, 60, 80, 110, len - 1], len).unwrap(),
        len,
    }
}

/// Records whose QRS points up have V1 = 0.5·II; those whose QRS points down, V1 = −0.5·II.
fn two_kinds() -> (Vec<TrainCycle>, Vec<f32>, Vec<f32>) {
    let up: Vec<f32> = (0..150)
        .map(|i| {
            if (40..60).contains(&i) {
                1.0 - ((i as f32 - 50.0) / 10.0).abs()
            } else {
                0.1 * (i as f32 * 0.05).sin()
            }
        })
        .collect();
    let down: Vec<f32> = up
        .iter()
        .enumerate()
        .map(|(i, v)| if (40..60).contains(&i) { -v } else { *v })
        .collect();
    let mut cycles = Vec::new();
    for r in 0..6 {
        cycles.push(cycle(&format!("up{r}"), &up, 0.5));
        cycles.push(cycle(&format!("down{r}"), &down, -0.5));
    }
    (cycles, up, down)
}

fn fitted(cycles: &[TrainCycle]) -> LocalPrior {
    LocalPrior::fit(cycles)
}

#[test]
fn records_whose_inputs_look_alike_decide_the_regression() {
    let (cycles, up, down) = two_kinds();
    let local = fitted(&cycles);
    assert_eq!(local.len(), 12);
    let bounds = cycles[0].bounds;
    let v1 = |shape: &[f32]| {
        local
            .regressions(&[1], &[lead_features(shape, &bounds)], None)
            .unwrap()[1][6][0]
    };
    // The population regression of V1 on II is near 0 here; the similar records' is not.
    assert!((v1(&up) - 0.5).abs() < 0.05, "QRS up: {}", v1(&up));
    assert!((v1(&down) + 0.5).abs() < 0.05, "QRS down: {}", v1(&down));
    // An input is returned as it is.
    let own = local
        .regressions(&[1], &[lead_features(&up, &bounds)], None)
        .unwrap();
    assert!(own.iter().all(|phase| phase[1] == vec![1.0]));
}

/// [`two_kinds`] and one more record, called `name`, unlike the others (a biphasic QRS, and
/// V1 = −2·II), fitted; with the shapes of a cycle like that record's.
fn with_an_odd_record(name: &str) -> (LocalPrior, [[f32; SHAPE_FEATURES]; 1]) {
    let (mut cycles, up, _) = two_kinds();
    let biphasic: Vec<f32> = up
        .iter()
        .enumerate()
        .map(|(i, v)| if i < 50 { *v } else { -v })
        .collect();
    cycles.push(cycle(name, &biphasic, -2.0));
    let mut local = fitted(&cycles);
    local.names = record_names(&cycles);
    (local, [lead_features(&biphasic, &cycles[0].bounds)])
}

#[test]
fn a_left_out_record_has_no_say_in_its_own_regression() {
    let (local, shapes) = with_an_odd_record("odd");
    let odd = local.index_of("odd");
    assert_eq!(odd, Some(12));
    // A cycle shaped like the odd record: that record decides its regression, unless it is
    // left out, when the others (V1 = ±0.5·II) do.
    let with = local.regressions(&[1], &shapes, None).unwrap()[1][6][0];
    let without = local.regressions(&[1], &shapes, odd).unwrap()[1][6][0];
    assert!((with + 2.0).abs() < 0.2, "with the odd record: {with}");
    assert!(without.abs() <= 0.5 + 1e-6, "left out: {without}");
}

#[test]
fn a_record_is_found_by_its_file_name_and_left_out_as_in_training() {
    let (local, shapes) = with_an_odd_record("../data/odd");
    let left_out = local.regressions(&[1], &shapes, local.index_of("../data/odd"));
    // Named from another folder, as an evaluation that reads the record elsewhere would.
    assert_eq!(local.find("up"), None, "no record is called up");
    let found = local.find("/elsewhere/odd");
    assert_eq!(found, Some(12));
    assert_eq!(local.regressions(&[1], &shapes, found), left_out);
    assert_ne!(local.regressions(&[1], &shapes, None), left_out);
}

#[test]
fn the_stored_form_round_trips_and_refuses_what_does_not_fit() {
    let (cycles, _, _) = two_kinds();
    let local = fitted(&cycles);
    let [m, t, f] = local.to_flat();
    let back = LocalPrior::from_flat(&m, &t, &f).unwrap();
    assert_eq!(back.len(), local.len());
    for (a, b) in back
        .moments
        .iter()
        .flatten()
        .flatten()
        .zip(local.moments.iter().flatten().flatten())
    {
        assert!((a - b).abs() <= 1e-6 * b.abs().max(1e-6));
    }
    assert!(LocalPrior::from_flat(&m[1..], &t, &f).is_none());
    assert!(LocalPrior::from_flat(&m, &t, &f[..f.len() - 1]).is_none());
    let mut bad = t.clone();
    bad[0] = f32::NAN;
    assert!(LocalPrior::from_flat(&m, &bad, &f).is_none());
    bad[0] = 0.0;
    assert!(LocalPrior::from_flat(&m, &bad, &f).is_none());
    assert!(LocalPrior::from_flat(&[], &[], &[]).is_none());
}

#[test]
fn each_phase_gets_its_own_regression() {
    // V1 = 0.5·II during the QRS (samples 40..=60) and −0.5·II elsewhere.
    let (cycles, up, _) = two_kinds();
    let cycles: Vec<TrainCycle> = cycles
        .into_iter()
        .map(|mut c| {
            let ii = c.leads[1].clone();
            c.leads[6] = ii
                .iter()
                .enumerate()
                .map(|(s, v)| match phase_of(s, &c.bounds) {
                    1 => 0.5 * v,
                    _ => -0.5 * v,
                })
                .collect();
            c
        })
        .collect();
    let local = fitted(&cycles);
    let r = local
        .regressions(&[1], &[lead_features(&up, &cycles[0].bounds)], None)
        .unwrap();
    for (g, want) in [(0, -0.5), (1, 0.5), (2, -0.5)] {
        assert!(
            (r[g][6][0] - want).abs() < 0.05,
            "phase {g}: {}",
            r[g][6][0]
        );
    }
}

#[test]
fn a_cycle_of_large_amplitude_counts_no_more_than_a_small_one() {
    let (cycles, up, _) = two_kinds();
    // V6 sets both cycles' range, so the big one is the small one ten times over but for
    // the sign of V1.
    let with_v6 = |mut c: TrainCycle| {
        c.leads[11] = (0..c.len).map(|s| 2.0 * (s as f32 * 0.1).sin()).collect();
        c
    };
    let small = with_v6(cycle("one", &up, 0.5));
    let mut big = with_v6(cycle("one", &up, -0.5));
    big.leads.iter_mut().flatten().for_each(|v| *v *= 10.0);
    let local = fitted(&[small, big]);
    let w = local
        .regressions(&[1], &[lead_features(&up, &cycles[0].bounds)], None)
        .unwrap()[1][6][0];
    // Unweighted, the tenfold cycle would pull the fit to about −0.5.
    assert!(w.abs() < 0.1, "weight of V1 on II: {w}");
}

#[test]
fn the_stored_form_round_trips_and_other_sizes_are_refused() {
    let (cycles, _, _) = two_kinds();
    let local = fitted(&cycles);
    let [m, t, f] = local.to_flat();
    let back = LocalPrior::from_flat(&m, &t, &f).unwrap();
    assert_eq!(back.len(), local.len());
    // Stored as f32: equal to single precision.
    for (a, b) in back
        .moments
        .iter()
        .flatten()
        .zip(local.moments.iter().flatten())
    {
        assert!((a - b).abs().max() < 1e-6);
    }
    // One set of moments per record (no phases) does not fit.
    let r = local.len();
    let one_m: Vec<f32> = (0..r)
        .flat_map(|rec| m[(rec * PHASES + 1) * slopes::PACKED..][..slopes::PACKED].to_vec())
        .collect();
    let one_t: Vec<f32> = (0..r).map(|rec| t[rec * PHASES + 1]).collect();
    assert!(LocalPrior::from_flat(&one_m, &one_t, &f).is_none());
}

#[test]
fn with_two_inputs_a_lead_that_lags_them_is_read_from_their_slopes() {
    // In every record V1 is lead II four samples (8 ms) later, which no weighting of the
    // inputs' values reproduces.
    let wave =
        |t: f32| (-((t - 50.0) / 5.0).powi(2)).exp() - 0.3 * (-((t - 100.0) / 12.0).powi(2)).exp();
    let ii: Vec<f32> = (0..150).map(|t| wave(t as f32)).collect();
    let cycles: Vec<TrainCycle> = (0..6)
        .map(|r| {
            let mut c = cycle(&format!("r{r}"), &ii, 0.0);
            c.leads[6] = (0..150).map(|t| wave(t as f32 - 4.0)).collect();
            c
        })
        .collect();
    let local = fitted(&cycles);
    let c = &cycles[0];
    let error = |inputs: &[usize]| {
        let shapes: Vec<_> = inputs
            .iter()
            .map(|&s| lead_features(&c.leads[s], &c.bounds))
            .collect();
        let r = local.regressions(inputs, &shapes, None).unwrap();
        let regressors: Vec<Vec<f32>> = (0..slopes::KINDS)
            .flat_map(|k| {
                inputs
                    .iter()
                    .map(move |&s| slopes::series(&c.leads[s], c.len)[k].clone())
            })
            .collect();
        (0..c.len)
            .map(|s| {
                let w = &r[phase_of(s, &c.bounds)][6];
                let estimate: f64 = w
                    .iter()
                    .zip(&regressors)
                    .map(|(w, x)| w * f64::from(x[s]))
                    .sum();
                (estimate - f64::from(c.leads[6][s])).powi(2)
            })
            .sum::<f64>()
    };
    let values_alone = error(&[1]);
    let with_slopes = error(&[1, 7]);
    assert!(
        with_slopes < 0.5 * values_alone,
        "squared error {with_slopes} with slopes, {values_alone} from the values alone"
    );
}
