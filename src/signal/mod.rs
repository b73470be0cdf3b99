//! Signal conditioning: baseline-wander removal, powerline notch, band-pass (all zero-phase),
//! resampling, and strong sway and hum removed where a lead carries them.
//!
//! Each operation reproduces a named SciPy call (given in its documentation) so that results
//! can be checked against the reference implementation sample by sample. Missing samples (NaN)
//! stay missing at the same times and never spread over a lead. Bad parameters and empty
//! signals are [`Error::Invalid`](crate::error::Error::Invalid) errors; signals shorter than a
//! filter's padding are filtered with the shorter padding they allow.

mod checks;
mod conditioning;
mod detrend;
mod filter;
mod gaps;
mod mains;
mod resample;
mod wander;

pub use conditioning::{Conditioning, resample_record};
pub use detrend::detrend;
pub use filter::{
    BASELINE_CUTOFF_HZ, BUTTERWORTH_ORDER, NOTCH_Q, bandpass, notch, remove_baseline,
};
pub use mains::{HUM_MV, MAINS_HZ, hum_mv, record_without_mains, suppress_mains};
pub use resample::{MAX_FACTOR, rational_ratio, resample, resample_poly, resampled_len};
pub use wander::{WANDER_MV, isoelectric_line, record_without_wander, suppress_wander, wander_mv};

/// Signals the tests of several modules share.
#[cfg(test)]
pub(crate) mod testing {
    /// `n` samples at 500 Hz of a crude beat every 0.8 s: a `qrs_mv` spike about 40 ms wide and
    /// a `p_mv` bump 150 ms before it.
    pub fn beat_train(n: usize, qrs_mv: f64, p_mv: f64) -> Vec<f64> {
        (0..n)
            .map(|k| {
                let t = (k % 400) as f64 / 500.0;
                qrs_mv * (-((t - 0.2) / 0.01).powi(2)).exp()
                    + p_mv * (-((t - 0.05) / 0.03).powi(2)).exp()
            })
            .collect()
    }
}
