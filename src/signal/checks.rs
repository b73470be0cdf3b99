//! Parameter checks shared by the filters and the resampler, so every bad request becomes a
//! readable [`Error::Invalid`] before any numeric code could panic on it.

use crate::error::{Error, Result};

/// A sampling rate must be a finite positive number.
pub(crate) fn rate(what: &str, fs: f64) -> Result<()> {
    if fs.is_finite() && fs > 0.0 {
        Ok(())
    } else {
        Err(Error::Invalid(format!(
            "{what} {fs} Hz is not a valid sampling rate (it must be a positive number)"
        )))
    }
}

/// A filter frequency must lie strictly between 0 and the Nyquist frequency fs/2.
pub(crate) fn frequency(what: &str, f: f64, fs: f64) -> Result<()> {
    if f.is_finite() && f > 0.0 && f < fs / 2.0 {
        Ok(())
    } else {
        Err(Error::Invalid(format!(
            "{what} {f} Hz must lie strictly between 0 and half the sampling rate ({} Hz at {fs} Hz)",
            fs / 2.0
        )))
    }
}

/// Refuse an empty signal: no filter or resampler has anything to say about it.
pub(crate) fn non_empty(x: &[f64]) -> Result<()> {
    if x.is_empty() {
        Err(Error::Invalid("empty signal: it holds no samples".into()))
    } else {
        Ok(())
    }
}
