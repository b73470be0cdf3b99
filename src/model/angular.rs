//! Angular Encoding of a viewpoint (Nef-Net, Eq. 2).
//!
//! A(θ, φ) = [π(θ̃), π(φ̃), π(θ̃ + φ̃), π(θ̃ − φ̃)] with π(ρ) = [ρ, sin ρ, cos ρ]: the sines and
//! cosines of the sum and difference let a small MLP form projection terms such as
//! sin θ cos φ by sum-to-product identities, which are hard to fit from raw angles. During
//! training θ̃ and φ̃ are the angles plus independent Gaussian jitter so that the network does not
//! memorise the few recorded viewpoints; at inference they are the angles themselves.

use candle_core::{Device, Result, Tensor};
use rand::rngs::StdRng;
use rand_distr::{Distribution, Normal};
use std::f64::consts::PI;

/// Values per encoded viewpoint: π(·) of θ, φ, θ + φ and θ − φ, three values each.
pub const ANGULAR_FEATURES: usize = 12;

/// Standard deviation of the training-time angle jitter in radians (the paper's π/50, 3.6°).
pub const JITTER_SD: f64 = PI / 50.0;

/// The Angular Encoding of a viewpoint (θ, φ in radians, as [`crate::geometry::Viewpoint`]).
pub fn angular_features(theta: f64, phi: f64) -> [f32; ANGULAR_FEATURES] {
    let mut out = [0.0f32; ANGULAR_FEATURES];
    for (triplet, rho) in out
        .chunks_exact_mut(3)
        .zip([theta, phi, theta + phi, theta - phi])
    {
        // The trigonometry runs in f64 so that only the final rounding to f32 is lost.
        let (sin, cos) = rho.sin_cos();
        triplet.copy_from_slice(&[rho as f32, sin as f32, cos as f32]);
    }
    out
}

/// Encodes viewpoints `(θ, φ)` as an `[N, 12]` f32 tensor; `jitter = Some((rng, sd))` (training)
/// adds an independent N(0, sd²) draw to each θ and each φ first, `None` encodes them exactly.
pub fn encode_viewpoints(
    views: &[(f64, f64)],
    jitter: Option<(&mut StdRng, f64)>,
    device: &Device,
) -> Result<Tensor> {
    let mut values = Vec::with_capacity(views.len() * ANGULAR_FEATURES);
    match jitter {
        None => {
            for &(theta, phi) in views {
                values.extend_from_slice(&angular_features(theta, phi));
            }
        }
        Some((rng, sd)) => {
            // rand_distr accepts a negative SD (mirrored draws); a negative SD here is a bug.
            if !(sd.is_finite() && sd >= 0.0) {
                candle_core::bail!("angle jitter SD must be finite and non-negative, got {sd}");
            }
            let normal =
                Normal::new(0.0, sd).map_err(|e| candle_core::Error::Msg(e.to_string()))?;
            for &(theta, phi) in views {
                let theta = theta + normal.sample(rng);
                let phi = phi + normal.sample(rng);
                values.extend_from_slice(&angular_features(theta, phi));
            }
        }
    }
    Tensor::from_vec(values, (views.len(), ANGULAR_FEATURES), device)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn lead_v2_by_hand() {
        // V2 = (π/2, π/18): θ + φ = 100°, θ − φ = 80°; sin 10° and cos 10° to 16 digits.
        let (s10, c10) = (0.173_648_177_666_930_4, 0.984_807_753_012_208);
        let expected = [
            PI / 2.0,
            1.0,
            0.0,
            PI / 18.0,
            s10,
            c10,
            PI * 10.0 / 18.0,
            c10,
            -s10,
            PI * 8.0 / 18.0,
            c10,
            s10,
        ];
        let got = angular_features(PI / 2.0, PI / 18.0);
        for (i, (g, e)) in got.iter().zip(expected).enumerate() {
            // f32 rounding of values up to 1.75 is below 1e-7.
            assert!((*g as f64 - e).abs() < 2e-7, "feature {i}: {g} vs {e}");
        }
    }

    #[test]
    fn batch_without_jitter_matches_single_encoding() -> Result<()> {
        let views = [
            (PI / 2.0, PI / 2.0),
            (5.0 * PI / 6.0, -PI / 2.0),
            (PI, PI / 2.0),
        ];
        let t = encode_viewpoints(&views, None, &Device::Cpu)?;
        assert_eq!(t.dims(), &[3, ANGULAR_FEATURES]);
        let rows = t.to_vec2::<f32>()?;
        for (row, &(theta, phi)) in rows.iter().zip(&views) {
            assert_eq!(row.as_slice(), angular_features(theta, phi).as_slice());
        }
        // A zero SD is "jitter on" with nothing added: identical values.
        let mut rng = StdRng::seed_from_u64(1);
        let t0 = encode_viewpoints(&views, Some((&mut rng, 0.0)), &Device::Cpu)?;
        assert_eq!(t0.to_vec2::<f32>()?, rows);
        Ok(())
    }

    #[test]
    fn jitter_has_the_paper_sd_and_is_shared_by_all_triplets() -> Result<()> {
        let n = 20_000;
        let (theta, phi) = (PI / 2.0, PI / 18.0);
        let mut rng = StdRng::seed_from_u64(7);
        let t = encode_viewpoints(
            &vec![(theta, phi); n],
            Some((&mut rng, JITTER_SD)),
            &Device::Cpu,
        )?;
        let rows = t.to_vec2::<f32>()?;
        let dt: Vec<f64> = rows.iter().map(|r| r[0] as f64 - theta).collect();
        let dp: Vec<f64> = rows.iter().map(|r| r[3] as f64 - phi).collect();
        let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
        let sd = |v: &[f64]| {
            let m = mean(v);
            (v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (v.len() - 1) as f64).sqrt()
        };
        // Sampling error of an SD is σ/√(2n) ≈ 0.5 % here; allow 3 % (6 standard errors).
        for d in [&dt, &dp] {
            assert!((sd(d) / JITTER_SD - 1.0).abs() < 0.03, "SD {}", sd(d));
            assert!(mean(d).abs() < 4.0 * JITTER_SD / (n as f64).sqrt());
        }
        // θ and φ draw independently: their correlation is within sampling noise (1/√n ≈ 0.007).
        let corr = dt.iter().zip(&dp).map(|(a, b)| a * b).sum::<f64>()
            / ((n - 1) as f64 * sd(&dt) * sd(&dp));
        assert!(corr.abs() < 0.03, "correlation {corr}");
        // Every triplet sees the same jittered pair.
        for r in &rows {
            let (t, p) = (r[0] as f64, r[3] as f64);
            assert!((r[6] as f64 - (t + p)).abs() < 1e-5);
            assert!((r[9] as f64 - (t - p)).abs() < 1e-5);
            assert!((r[1] as f64 - t.sin()).abs() < 1e-6);
            assert!((r[5] as f64 - p.cos()).abs() < 1e-6);
        }
        Ok(())
    }

    #[test]
    fn invalid_jitter_sd_is_an_error() {
        let mut rng = StdRng::seed_from_u64(3);
        assert!(encode_viewpoints(&[(0.0, 0.0)], Some((&mut rng, -1.0)), &Device::Cpu).is_err());
        assert!(
            encode_viewpoints(&[(0.0, 0.0)], Some((&mut rng, f64::NAN)), &Device::Cpu).is_err()
        );
    }
}
