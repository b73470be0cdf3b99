//! Tests of the delineator's training: crops, record-level scoring and weight averaging.

use super::*;

/// A 3000-sample example whose every lead has one QRS at 1000–1050.
fn one_qrs_example() -> Example {
    let len = 3000;
    let mut slots = vec![vec![0f32; len]; SLOTS];
    let mut labels = vec![vec![NONE; len]; SLOTS];
    for s in 0..SLOTS {
        slots[s][1000..1050].fill(1.0);
        labels[s][1000..1050].fill(QRS);
    }
    let mut source = [None; SLOTS];
    for (s, src) in source.iter_mut().enumerate() {
        *src = Some(s);
    }
    example(false, slots, source, labels, vec![vec![1u8; len]; SLOTS])
}

/// An example of these inputs, labels and mask.
fn example(
    record_level: bool,
    slots: Vec<Vec<f32>>,
    source: [Option<usize>; SLOTS],
    labels: Vec<Vec<u8>>,
    mask: Vec<Vec<u8>>,
) -> Example {
    let len = slots[0].len();
    Example {
        name: "x".into(),
        weight: 1.0,
        record_level,
        input: Prepared {
            slots,
            source,
            len,
            missing: vec![Default::default(); SLOTS],
        },
        labels,
        mask,
    }
}

/// One batch of `batch` 1024-sample crops of `ex`, drawn with `seed`.
fn draw(ex: &Example, batch: usize, seed: u64) -> Batch {
    let cfg = TrainConfig {
        batch,
        crop: 1024,
        ..Default::default()
    };
    let mut rng = StdRng::seed_from_u64(seed);
    draw_batch(std::slice::from_ref(ex), &cfg, &mut rng, &Device::Cpu).unwrap()
}

#[test]
fn an_averaged_run_returns_the_mean_of_its_weights_after_the_first_fifth() {
    let cfg = TrainConfig {
        steps: 10,
        batch: 1,
        crop: 1024,
        average_every: Some(3),
        ..Default::default()
    };
    let flat = crate::nn::weight_average::flat_weights;
    let mut taken = Vec::new();
    let mut last = Vec::new();
    let vm = train(&cfg, &[one_qrs_example()], &[], None, |r, vm| {
        last = flat(vm);
        // Steps 3, 6 and 9 (after the first two), and the last one.
        if [3, 6, 9, 10].contains(&r.step) {
            taken.push(last.clone());
        }
        Ok(())
    })
    .unwrap();
    let got = flat(&vm);
    let mut largest = 0f32;
    for (i, &g) in got.iter().enumerate() {
        let mean = taken.iter().map(|w| w[i]).sum::<f32>() / taken.len() as f32;
        largest = largest.max((g - mean).abs());
    }
    assert!(largest < 1e-5, "furthest weight from the mean: {largest}");
    assert_ne!(got, last, "the last weights are not what is returned");
}

#[test]
fn augmented_crops_keep_labels_aligned_with_masks() {
    let b = draw(&one_qrs_example(), 8, 1);
    let x = b.x.flatten_all().unwrap().to_vec1::<f32>().unwrap();
    let y = b.y.flatten_all().unwrap().to_vec1::<u32>().unwrap();
    let m = b.m.flatten_all().unwrap().to_vec1::<f32>().unwrap();
    for i in 0..x.len() {
        if y[i] == u32::from(QRS) {
            assert_eq!(m[i], 1.0);
            assert!(x[i] > 0.2, "a QRS label sits on the QRS: {}", x[i]);
        }
    }
}

#[test]
fn record_level_examples_are_scored_on_the_average_of_their_leads() {
    let len = 3000;
    let mut source = [None; SLOTS];
    source[1] = Some(0);
    source[10] = Some(1);
    let mut labels = vec![vec![NONE; len]; SLOTS];
    let mut mask = vec![vec![0u8; len]; SLOTS];
    for s in [1, 10] {
        labels[s][1000..1050].fill(QRS);
        labels[s][1050..1200].fill(NONE_OR_T);
        mask[s].fill(1);
    }
    let ex = example(true, vec![vec![0.1f32; len]; SLOTS], source, labels, mask);
    let b = draw(&ex, 6, 3);
    // "None or T" reaches the record-level targets, never the per-lead ones.
    let ry = b.ry.flatten_all().unwrap().to_vec1::<u32>().unwrap();
    assert!(ry.contains(&u32::from(NONE_OR_T)));
    let y = b.y.flatten_all().unwrap().to_vec1::<u32>().unwrap();
    assert!(!y.contains(&u32::from(NONE_OR_T)));
    let m = b.m.sum_all().unwrap().to_scalar::<f32>().unwrap();
    let rm = b.rm.sum_all().unwrap().to_scalar::<f32>().unwrap();
    assert!(rm > 0.0, "record-level labels are used");
    let rw = b.rw.to_vec2::<f32>().unwrap();
    for (row, crop_rm) in rw
        .iter()
        .zip(b.rm.sum(1).unwrap().to_vec1::<f32>().unwrap())
    {
        if crop_rm > 0.0 {
            let total: f32 = row.iter().sum();
            assert!((total - 1.0).abs() < 1e-5, "{row:?}");
            assert!(
                row.iter()
                    .enumerate()
                    .all(|(s, &w)| w == 0.0 || s == 1 || s == 10)
            );
        }
    }
    // Only pure-noise crops keep per-lead labels ("none" everywhere).
    let y = b.y.flatten_all().unwrap().to_vec1::<u32>().unwrap();
    let mv = b.m.flatten_all().unwrap().to_vec1::<f32>().unwrap();
    assert!(
        y.iter()
            .zip(&mv)
            .all(|(&c, &w)| w == 0.0 || c == u32::from(NONE)),
        "{m}"
    );
}
