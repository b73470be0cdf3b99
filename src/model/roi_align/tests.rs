use super::*;
use candle_core::{DType, Device, Var};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// An empty, reversed or NaN span.
fn empty(s: f32, e: f32) -> bool {
    e.partial_cmp(&s) != Some(std::cmp::Ordering::Greater)
}

/// Straight from the documented formulas, one scalar at a time.
fn interp(v: &[f64], u: f64) -> f64 {
    let p = (u - 0.5).clamp(0.0, (v.len() - 1) as f64);
    let i = p.floor() as usize;
    let f = p - i as f64;
    let next = v[(i + 1).min(v.len() - 1)];
    v[i] * (1.0 - f) + next * f
}

/// Reference ROIAlign on nested vectors `[B][C][L]` → `[B][K·C][out_len]`.
fn align_ref(x: &[Vec<Vec<f64>>], rois: &[(f32, f32)], out_len: usize) -> Vec<Vec<Vec<f64>>> {
    let k = rois.len() / x.len();
    x.iter()
        .enumerate()
        .map(|(b, chans)| {
            (0..k)
                .flat_map(|kk| {
                    let (s, e) = rois[b * k + kk];
                    chans.iter().map(move |v| {
                        (0..out_len)
                            .map(|j| {
                                if empty(s, e) {
                                    return 0.0;
                                }
                                let (s, e) = (s as f64, e as f64);
                                interp(v, s + (j as f64 + 0.5) * (e - s) / out_len as f64)
                            })
                            .collect()
                    })
                })
                .collect()
        })
        .collect()
}

/// Reference reverse ROIAlign on nested vectors `[B][K·C][out_len]` → `[B][C][len]`.
fn unalign_ref(z: &[Vec<Vec<f64>>], rois: &[(f32, f32)], len: usize) -> Vec<Vec<Vec<f64>>> {
    let k = rois.len() / z.len();
    let c = z[0].len() / k;
    z.iter()
        .enumerate()
        .map(|(b, chans)| {
            (0..c)
                .map(|ch| {
                    (0..len)
                        .map(|t| {
                            let centre = t as f64 + 0.5;
                            (0..k)
                                .map(|kk| {
                                    let (s, e) = rois[b * k + kk];
                                    if empty(s, e) {
                                        return 0.0;
                                    }
                                    let (s, e) = (s as f64, e as f64);
                                    if centre < s || centre >= e {
                                        return 0.0;
                                    }
                                    let v = &chans[kk * c + ch];
                                    let n = v.len() as f64;
                                    // Back to the continuous axis of the pooled ROI.
                                    interp(v, (centre - s) * n / (e - s))
                                })
                                .sum()
                        })
                        .collect()
                })
                .collect()
        })
        .collect()
}

fn random(rng: &mut StdRng, dims: (usize, usize, usize)) -> Vec<Vec<Vec<f64>>> {
    (0..dims.0)
        .map(|_| {
            (0..dims.1)
                .map(|_| (0..dims.2).map(|_| rng.random_range(-1.0..1.0)).collect())
                .collect()
        })
        .collect()
}

fn tensor(v: &[Vec<Vec<f64>>]) -> Result<Tensor> {
    let dims = (v.len(), v[0].len(), v[0][0].len());
    let flat: Vec<f64> = v.iter().flatten().flatten().copied().collect();
    Tensor::from_vec(flat, dims, &Device::Cpu)
}

fn max_abs_diff(a: &Tensor, b: &[Vec<Vec<f64>>]) -> Result<f64> {
    let a = a.to_dtype(DType::F64)?.to_vec3::<f64>()?;
    assert_eq!(a.len(), b.len());
    let mut worst = 0.0f64;
    for (ab, bb) in a.iter().zip(b) {
        assert_eq!(ab.len(), bb.len());
        for (ac, bc) in ab.iter().zip(bb) {
            assert_eq!(ac.len(), bc.len());
            for (x, y) in ac.iter().zip(bc) {
                worst = worst.max((x - y).abs());
            }
        }
    }
    Ok(worst)
}

#[test]
fn identity_roi_reproduces_the_map_exactly() -> Result<()> {
    let mut rng = StdRng::seed_from_u64(11);
    let x = random(&mut rng, (2, 3, 16));
    let xt = tensor(&x)?.to_dtype(DType::F32)?;
    let rois = [(0.0, 16.0), (0.0, 16.0)];
    let y = roi_align(&xt, &rois, 16)?;
    assert_eq!(y.to_vec3::<f32>()?, xt.to_vec3::<f32>()?);
    let u = roi_unalign(&xt, &rois, 16)?;
    assert_eq!(u.to_vec3::<f32>()?, xt.to_vec3::<f32>()?);
    Ok(())
}

#[test]
fn half_span_of_a_ramp_gives_the_ramp() -> Result<()> {
    // Channel c of item b holds (c + 1)·i + b at sample i: a ramp in the centre position
    // u = i + 0.5, so any interior read at u must give (c + 1)·(u − 0.5) + b.
    let x: Vec<Vec<Vec<f64>>> = (0..2)
        .map(|b| {
            (0..3)
                .map(|c| (0..16).map(|i| ((c + 1) * i + b) as f64).collect())
                .collect()
        })
        .collect();
    // Two ROIs per item; 16 samples over [4, 12) read at u = 4.25, 4.75, …, 11.75.
    let rois = [(4.0, 12.0), (2.5, 6.5), (3.0, 11.0), (0.5, 15.5)];
    let y = roi_align(&tensor(&x)?, &rois, 16)?;
    assert_eq!(y.dims(), &[2, 6, 16]);
    let y = y.to_vec3::<f64>()?;
    for b in 0..2 {
        for kk in 0..2 {
            let (s, e) = rois[b * 2 + kk];
            for c in 0..3 {
                for (j, &got) in y[b][kk * 3 + c].iter().enumerate() {
                    let u = s as f64 + (j as f64 + 0.5) * (e - s) as f64 / 16.0;
                    let want = (c + 1) as f64 * (u - 0.5) + b as f64;
                    assert!(
                        (got - want).abs() < 1e-12,
                        "b{b} k{kk} c{c} j{j}: {got} vs {want}"
                    );
                }
            }
        }
    }
    // The first ROI by hand: reads at samples 3.75, 4.25, …, 11.25 of channel 0 (value i).
    let first: Vec<f64> = (0..16).map(|j| 3.75 + 0.5 * j as f64).collect();
    assert_eq!(y[0][0], first);
    Ok(())
}

#[test]
fn rois_outside_the_axis_clamp_to_the_edge_values() -> Result<()> {
    let x: Vec<f64> = (0..8).map(|i| 10.0 + i as f64).collect();
    let xt = Tensor::from_vec(x, (1, 1, 8), &Device::Cpu)?;
    // Reads at samples −4 … 3 and 4 … 11: clamped to 10 below 0 and to 17 above 7.
    let y = roi_align(&xt, &[(-4.0, 4.0), (4.0, 12.0)], 8)?.to_vec3::<f64>()?;
    assert_eq!(y[0][0], [10.0, 10.0, 10.0, 10.0, 10.0, 11.0, 12.0, 13.0]);
    assert_eq!(y[0][1], [14.0, 15.0, 16.0, 17.0, 17.0, 17.0, 17.0, 17.0]);
    // Unpooling clips the span to the axis: only samples 0 … 3 of [−4, 4) exist.
    let z = Tensor::from_vec((0..8).map(|v| v as f64).collect(), (1, 1, 8), &Device::Cpu)?;
    let u = roi_unalign(&z, &[(-4.0, 4.0)], 8)?.to_vec3::<f64>()?;
    assert_eq!(u[0][0], [4.0, 5.0, 6.0, 7.0, 0.0, 0.0, 0.0, 0.0]);
    Ok(())
}

#[test]
fn unalign_covers_sample_centres_of_half_open_spans() -> Result<()> {
    // ROI 0 holds ones, ROI 1 twos. Centres 2.5 … 4.5 lie in [2.2, 4.7); [4.7, 6.0) takes
    // centre 5.5 only (6.5 ≥ 6.0).
    let z = Tensor::from_vec(
        vec![1.0, 1.0, 1.0, 1.0, 2.0, 2.0, 2.0, 2.0],
        (1, 2, 4),
        &Device::Cpu,
    )?;
    let u = roi_unalign(&z, &[(2.2, 4.7), (4.7, 6.0)], 8)?.to_vec3::<f64>()?;
    assert_eq!(u[0][0], [0.0, 0.0, 1.0, 1.0, 1.0, 2.0, 0.0, 0.0]);
    // Tiling spans cover every sample exactly once.
    let z = Tensor::ones((1, 3, 5), DType::F64, &Device::Cpu)?;
    let tiles = [(0.0, 3.3), (3.3, 7.9), (7.9, 12.0)];
    let u = roi_unalign(&z, &tiles, 12)?.to_vec3::<f64>()?;
    assert_eq!(u[0][0], vec![1.0; 12]);
    // Overlapping spans add.
    let u = roi_unalign(&z, &[(0.0, 6.0), (3.0, 9.0), (4.0, 5.0)], 9)?.to_vec3::<f64>()?;
    assert_eq!(u[0][0], [1.0, 1.0, 1.0, 2.0, 3.0, 2.0, 1.0, 1.0, 1.0]);
    Ok(())
}

#[test]
fn degenerate_rois_give_zeros_and_zero_gradient() -> Result<()> {
    let x = Var::from_tensor(&Tensor::ones((1, 2, 8), DType::F32, &Device::Cpu)?)?;
    let bad = [
        (5.0, 5.0),
        (7.0, 3.0),
        (f32::NAN, 3.0),
        (0.0, f32::INFINITY),
    ];
    let y = roi_align(x.as_tensor(), &bad, 4)?;
    assert_eq!(y.dims(), &[1, 8, 4]);
    assert!(y.flatten_all()?.to_vec1::<f32>()?.iter().all(|&v| v == 0.0));
    let g = y.sum_all()?.backward()?;
    let gx = g.get(x.as_tensor()).expect("gradient reaches x");
    assert!(
        gx.flatten_all()?
            .to_vec1::<f32>()?
            .iter()
            .all(|&v| v == 0.0)
    );

    let z = Var::from_tensor(&Tensor::ones((1, 8, 4), DType::F32, &Device::Cpu)?)?;
    let u = roi_unalign(z.as_tensor(), &bad, 8)?;
    assert_eq!(u.dims(), &[1, 2, 8]);
    assert!(u.flatten_all()?.to_vec1::<f32>()?.iter().all(|&v| v == 0.0));
    let g = u.sum_all()?.backward()?;
    let gz = g.get(z.as_tensor()).expect("gradient reaches z");
    assert!(
        gz.flatten_all()?
            .to_vec1::<f32>()?
            .iter()
            .all(|&v| v == 0.0)
    );
    Ok(())
}

#[test]
fn malformed_inputs_are_errors() -> Result<()> {
    let x = Tensor::zeros((2, 3, 8), DType::F32, &Device::Cpu)?;
    assert!(roi_align(&x, &[(0.0, 4.0)], 4).is_err());
    assert!(roi_align(&x, &[], 4).is_err());
    assert!(roi_align(&x, &[(0.0, 4.0), (1.0, 2.0)], 0).is_err());
    // 3 channels cannot hold 2 ROIs per item.
    assert!(roi_unalign(&x, &[(0.0, 4.0); 4], 8).is_err());
    assert!(roi_unalign(&x, &[(0.0, 4.0); 2], 0).is_err());
    Ok(())
}

#[test]
fn matches_the_scalar_reference_on_random_rois() -> Result<()> {
    let mut rng = StdRng::seed_from_u64(5);
    let (b, c, l, k, out_len, len) = (3, 4, 23, 6, 7, 29);
    let x = random(&mut rng, (b, c, l));
    let z = random(&mut rng, (b, k * c, out_len));
    let rois: Vec<(f32, f32)> = (0..b * k)
        .map(|_| {
            let s: f32 = rng.random_range(-5.0..30.0);
            (s, s + rng.random_range(-2.0..15.0))
        })
        .collect();
    let y = roi_align(&tensor(&x)?, &rois, out_len)?;
    assert!(max_abs_diff(&y, &align_ref(&x, &rois, out_len))? < 1e-12);
    let u = roi_unalign(&tensor(&z)?, &rois, len)?;
    assert!(max_abs_diff(&u, &unalign_ref(&z, &rois, len))? < 1e-12);
    // f32 runs the same arithmetic, rounded.
    let y32 = roi_align(&tensor(&x)?.to_dtype(DType::F32)?, &rois, out_len)?;
    assert_eq!(y32.dtype(), DType::F32);
    assert!(max_abs_diff(&y32, &align_ref(&x, &rois, out_len))? < 1e-6);
    Ok(())
}

#[test]
fn unalign_of_align_reproduces_a_smooth_signal() -> Result<()> {
    let (l, out_len) = (128usize, 32usize);
    let w = 2.0 * std::f64::consts::PI / 64.0;
    let f = |i: usize| (w * i as f64).sin() + 0.5 * (0.5 * w * i as f64 + 1.0).cos();
    let x: Vec<f64> = (0..l).map(f).collect();
    let xt = Tensor::from_vec(x.clone(), (1, 1, l), &Device::Cpu)?;
    let roi = (20.3f32, 90.7f32);
    let back = roi_unalign(&roi_align(&xt, &[roi], out_len)?, &[roi], l)?.to_vec3::<f64>()?;
    let (s, e) = (roi.0 as f64, roi.1 as f64);
    let h = (e - s) / out_len as f64;
    // Bounds on |f''| and |f'|, in units of one sample.
    let (f2, f1) = (w * w * 1.125, w * 1.25);
    // Linear interpolation errs by at most (spacing²/8)·max|f''|: once when pooling reads
    // between samples (spacing 1), once when unpooling reads between pooled samples
    // (spacing h). In the outer half bin of each end the pooled values are held constant,
    // adding up to max|f'|·h/2.
    let interior = (1.0 + h * h) / 8.0 * f2;
    let edge = interior + f1 * h / 2.0;
    for (t, (&got, &want)) in back[0][0].iter().zip(&x).enumerate() {
        let centre = t as f64 + 0.5;
        if centre < s || centre >= e {
            assert_eq!(got, 0.0, "outside the span at {t}");
            continue;
        }
        let err = (got - want).abs();
        let q = (centre - s) / h - 0.5;
        if (0.0..=(out_len - 1) as f64).contains(&q) {
            assert!(err <= interior, "t {t}: error {err} > {interior}");
        } else {
            assert!(err <= edge, "t {t}: error {err} > {edge}");
        }
    }
    // The bound itself is tight enough to mean something (signal amplitude ~1.5).
    assert!(interior < 0.01, "interior bound {interior}");
    Ok(())
}

/// Candle's gradient of `sum(w ⊙ op(v))` against central differences, in f64.
///
/// Both ops are linear in their tensor input, so central differences are exact up to
/// rounding: with |loss| ≲ 100 and ε = 1e-3 that is ~100·2⁻⁵²/1e-3 ≈ 2e-11, far inside 1e-8.
fn check_gradient(
    input: &[Vec<Vec<f64>>],
    out_dims: (usize, usize, usize),
    op: impl Fn(&Tensor) -> Result<Tensor>,
    rng: &mut StdRng,
) -> Result<()> {
    let w = tensor(&random(rng, out_dims))?;
    let loss = |v: &Tensor| op(v)?.mul(&w)?.sum_all();
    let var = Var::from_tensor(&tensor(input)?)?;
    let grads = loss(var.as_tensor())?.backward()?;
    let analytic = grads
        .get(var.as_tensor())
        .expect("gradient reaches the input");
    let analytic: Vec<f64> = analytic.flatten_all()?.to_vec1()?;
    let flat: Vec<f64> = input.iter().flatten().flatten().copied().collect();
    let dims = (input.len(), input[0].len(), input[0][0].len());
    let eps = 1e-3;
    let mut nonzero = 0;
    for (i, &g) in analytic.iter().enumerate() {
        let mut plus = flat.clone();
        plus[i] += eps;
        let mut minus = flat.clone();
        minus[i] -= eps;
        let at = |v: Vec<f64>| loss(&Tensor::from_vec(v, dims, &Device::Cpu)?)?.to_scalar::<f64>();
        let fd = (at(plus)? - at(minus)?) / (2.0 * eps);
        assert!(
            (g - fd).abs() < 1e-8,
            "element {i}: backward {g} vs differences {fd}"
        );
        if g.abs() > 1e-3 {
            nonzero += 1;
        }
    }
    // Most inputs are read by some ROI, so a vanishing gradient would be a failure too.
    assert!(
        nonzero * 2 > analytic.len(),
        "only {nonzero} non-zero gradients"
    );
    Ok(())
}

/// Two ROIs per item with fractional ends, one reaching past each end of the axis.
const GRAD_ROIS: [(f32, f32); 4] = [(1.3, 7.6), (7.6, 15.2), (-2.0, 6.5), (6.5, 17.25)];

#[test]
fn roi_align_gradient_matches_finite_differences() -> Result<()> {
    let mut rng = StdRng::seed_from_u64(21);
    let x = random(&mut rng, (2, 3, 16));
    check_gradient(&x, (2, 6, 5), |v| roi_align(v, &GRAD_ROIS, 5), &mut rng)
}

#[test]
fn roi_unalign_gradient_matches_finite_differences() -> Result<()> {
    let mut rng = StdRng::seed_from_u64(22);
    let z = random(&mut rng, (2, 6, 5));
    check_gradient(&z, (2, 3, 16), |v| roi_unalign(v, &GRAD_ROIS, 16), &mut rng)
}

/// This thread's CPU time in ms: on a machine shared with a training run, wall time
/// mostly measures the other process.
fn thread_cpu_ms() -> f64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime only writes the timespec it is given.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    ts.tv_sec as f64 * 1e3 + ts.tv_nsec as f64 * 1e-6
}

/// Forward + backward time of the pair at Nef-Net's training size; run with
/// `cargo test --release --lib model::roi_align -- --ignored --nocapture`.
#[test]
#[ignore = "timing, not a check"]
fn bench_align_unalign_forward_backward() -> Result<()> {
    crate::tune_allocator();
    let (b, c, l, k) = (32usize, 32usize, 128usize, 6usize);
    let mut rng = StdRng::seed_from_u64(3);
    let x = Var::from_tensor(&Tensor::randn(0f32, 1.0, (b, c, l), &Device::Cpu)?)?;
    let w = Tensor::randn(0f32, 1.0, (b, c, l), &Device::Cpu)?;
    // Six tiling deflections per item with random fractional boundaries.
    let rois: Vec<(f32, f32)> = (0..b)
        .flat_map(|_| {
            let mut edges: Vec<f32> = (0..k - 1)
                .map(|_| rng.random_range(0.0..l as f32))
                .collect();
            edges.sort_by(f32::total_cmp);
            edges.insert(0, 0.0);
            edges.push(l as f32);
            edges.windows(2).map(|p| (p[0], p[1])).collect::<Vec<_>>()
        })
        .collect();
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    for out_len in [16usize, 32, 64] {
        let (mut wall, mut cpu) = (Vec::new(), Vec::new());
        for _ in 0..50 {
            let (t0, c0) = (std::time::Instant::now(), thread_cpu_ms());
            let y = roi_align(x.as_tensor(), &rois, out_len)?;
            let u = roi_unalign(&y, &rois, l)?;
            let grads = u.mul(&w)?.sum_all()?.backward()?;
            assert!(grads.get(x.as_tensor()).is_some());
            cpu.push(thread_cpu_ms() - c0);
            wall.push(t0.elapsed().as_secs_f64() * 1e3);
        }
        println!(
            "B={b} C={c} L={l} K={k} out_len={out_len}: median wall {:.2} ms, \
             median thread CPU {:.2} ms, min wall {:.2} ms",
            median(&mut wall),
            median(&mut cpu),
            wall.iter().copied().fold(f64::INFINITY, f64::min)
        );
    }
    Ok(())
}
