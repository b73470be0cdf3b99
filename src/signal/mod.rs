//! Signal conditioning: baseline-wander removal, powerline notch, band-pass (all zero-phase)
//! and resampling.
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

pub use conditioning::{Conditioning, resample_record};
pub use detrend::detrend;
pub use filter::{
    BASELINE_CUTOFF_HZ, BUTTERWORTH_ORDER, NOTCH_Q, bandpass, notch, remove_baseline,
};
pub use mains::{HUM_MV, MAINS_HZ, hum_mv, record_without_mains, suppress_mains};
pub use resample::{MAX_FACTOR, rational_ratio, resample, resample_poly, resampled_len};
