//! The paper's metrics on normalised cycles: PSNR and 1-D SSIM (scikit-image semantics), and
//! the min-max normalisation they are computed under.

/// Normalised predictions are clipped to this range before scoring.
pub const CLIP: (f64, f64) = (-0.5, 1.5);
/// SSIM window length (scikit-image's default without Gaussian weights).
pub const SSIM_WINDOW: usize = 7;
/// SSIM constant K1 (scikit-image's default).
pub const SSIM_K1: f64 = 0.01;
/// SSIM constant K2 (scikit-image's default).
pub const SSIM_K2: f64 = 0.03;

/// Root-mean-square difference of two equally long signals.
pub fn rmse(a: &[f64], b: &[f64]) -> f64 {
    assert_eq!(a.len(), b.len(), "rmse of signals of different lengths");
    let ss: f64 = a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum();
    (ss / a.len() as f64).sqrt()
}

/// PSNR in dB for a data range of 1: `20·log10(1 / RMSE)` (infinite when they are equal).
pub fn psnr(recorded: &[f64], predicted: &[f64]) -> f64 {
    20.0 * (1.0 / rmse(recorded, predicted)).log10()
}

/// Mean SSIM of two 1-D signals as scikit-image's `structural_similarity(a, b,
/// data_range=data_range)` computes it: uniform 7-sample windows, K1 = 0.01, K2 = 0.03, sample
/// covariances (factor 7/6), averaged over the window centres at least 3 samples from either
/// end (scikit-image crops the filter radius before the mean).
///
/// Panics when the lengths differ or are shorter than the window.
pub fn ssim_1d(a: &[f64], b: &[f64], data_range: f64) -> f64 {
    assert_eq!(a.len(), b.len(), "ssim of signals of different lengths");
    assert!(
        a.len() >= SSIM_WINDOW,
        "ssim needs at least {SSIM_WINDOW} samples"
    );
    let np = SSIM_WINDOW as f64;
    let cov_norm = np / (np - 1.0);
    let c1 = (SSIM_K1 * data_range).powi(2);
    let c2 = (SSIM_K2 * data_range).powi(2);
    let pad = (SSIM_WINDOW - 1) / 2;
    let centres = pad..a.len() - pad;
    let count = centres.len();
    let total: f64 = centres
        .map(|c| {
            let (wa, wb) = (&a[c - pad..=c + pad], &b[c - pad..=c + pad]);
            let mean = |f: &dyn Fn(usize) -> f64| (0..SSIM_WINDOW).map(f).sum::<f64>() / np;
            let ux = mean(&|i| wa[i]);
            let uy = mean(&|i| wb[i]);
            let uxx = mean(&|i| wa[i] * wa[i]);
            let uyy = mean(&|i| wb[i] * wb[i]);
            let uxy = mean(&|i| wa[i] * wb[i]);
            let vx = cov_norm * (uxx - ux * ux);
            let vy = cov_norm * (uyy - uy * uy);
            let vxy = cov_norm * (uxy - ux * uy);
            let num = (2.0 * ux * uy + c1) * (2.0 * vxy + c2);
            let den = (ux * ux + uy * uy + c1) * (vx + vy + c2);
            num / den
        })
        .sum();
    total / count as f64
}

/// A min-max normalisation: `(x − min) / (max − min)`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scale {
    /// The value mapped to 0.
    pub min: f64,
    /// The value mapped to 1.
    pub max: f64,
}

impl Scale {
    /// Map a signal into the normalised units.
    pub fn apply(&self, x: &[f64]) -> Vec<f64> {
        let span = self.max - self.min;
        x.iter().map(|v| (v - self.min) / span).collect()
    }
}

/// Clip normalised values to [`CLIP`].
pub fn clip(x: &[f64]) -> Vec<f64> {
    x.iter().map(|v| v.clamp(CLIP.0, CLIP.1)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_signals_score_perfectly() {
        let x: Vec<f64> = (0..40).map(|i| (i as f64 * 0.3).sin()).collect();
        assert_eq!(ssim_1d(&x, &x, 1.0), 1.0);
        assert_eq!(psnr(&x, &x), f64::INFINITY);
    }

    #[test]
    fn psnr_of_a_constant_offset_is_its_decibels() {
        let a = vec![0.5; 20];
        let b = vec![0.6; 20];
        assert!((psnr(&a, &b) - 20.0).abs() < 1e-9);
    }

    #[test]
    fn ssim_of_flat_signals_follows_the_constants() {
        // Flat windows: SSIM = (2·ux·uy + C1) / (ux² + uy² + C1).
        let (a, b) = (vec![0.2; 9], vec![0.4; 9]);
        let c1 = 1e-4;
        let want = (2.0 * 0.2 * 0.4 + c1) / (0.04 + 0.16 + c1);
        assert!((ssim_1d(&a, &b, 1.0) - want).abs() < 1e-12);
    }

    #[test]
    fn scale_and_clip() {
        let s = Scale {
            min: -1.0,
            max: 3.0,
        };
        assert_eq!(s.apply(&[-1.0, 1.0, 3.0, 7.0]), [0.0, 0.5, 1.0, 2.0]);
        assert_eq!(clip(&[-3.0, 0.2, 9.0]), [-0.5, 0.2, 1.5]);
    }
}
