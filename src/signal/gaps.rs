//! Missing samples (NaN or infinite, WFDB's "no value") around filtering.
//!
//! A recursive filter would carry one NaN through the whole lead, and a resampling FIR would
//! smear it over its length; dropping the lead would hide everything a reader can still see.
//! So gaps are bridged by straight lines for the arithmetic only, and the output is marked
//! missing again where the input was: the viewer keeps showing a gap, never invented signal.

/// A signal with its gaps bridged, and which samples were missing.
pub(crate) struct Bridged {
    /// The signal, missing samples replaced by a straight line between their finite neighbours
    /// (or the nearest finite value at either end).
    pub values: Vec<f64>,
    /// True where the original sample was missing; empty when nothing was.
    pub missing: Vec<bool>,
}

/// Bridge the gaps of `x`; `None` when no sample of `x` is finite (nothing to filter).
pub(crate) fn bridge(x: &[f64]) -> Option<Bridged> {
    if x.iter().all(|v| v.is_finite()) {
        return Some(Bridged {
            values: x.to_vec(),
            missing: Vec::new(),
        });
    }
    let first = x.iter().position(|v| v.is_finite())?;
    let missing: Vec<bool> = x.iter().map(|v| !v.is_finite()).collect();
    let mut values = x.to_vec();
    values[..first].fill(x[first]);
    let mut last = first;
    for i in first + 1..x.len() {
        if missing[i] {
            continue;
        }
        if i > last + 1 {
            let (a, b) = (x[last], x[i]);
            let span = (i - last) as f64;
            for (j, v) in values.iter_mut().enumerate().take(i).skip(last + 1) {
                *v = a + (b - a) * (j - last) as f64 / span;
            }
        }
        last = i;
    }
    values[last + 1..].fill(x[last]);
    Some(Bridged { values, missing })
}

/// Mark as NaN the samples of a same-length output whose input sample was missing.
pub(crate) fn restore(mut y: Vec<f64>, missing: &[bool]) -> Vec<f64> {
    for (v, &m) in y.iter_mut().zip(missing) {
        if m {
            *v = f64::NAN;
        }
    }
    y
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bridges_inner_and_edge_gaps_linearly() {
        let n = f64::NAN;
        let b = bridge(&[n, 1.0, n, n, 4.0, f64::INFINITY]).unwrap();
        assert_eq!(b.values, vec![1.0, 1.0, 2.0, 3.0, 4.0, 4.0]);
        assert_eq!(b.missing, vec![true, false, true, true, false, true]);
        let y = restore(b.values, &b.missing);
        assert!(y[0].is_nan() && y[2].is_nan() && y[5].is_nan());
        assert_eq!(y[1], 1.0);
    }

    #[test]
    fn nothing_finite_means_nothing_to_bridge() {
        assert!(bridge(&[f64::NAN, f64::NAN]).is_none());
        assert!(bridge(&[1.0, 2.0]).unwrap().missing.is_empty());
    }
}
