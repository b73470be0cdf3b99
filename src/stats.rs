//! Order statistics shared along the data path (the annotator's rhythm rules, the evaluations).

/// The `q` quantile (0–1) of values sorted ascending, interpolating linearly between order
/// statistics (Hyndman & Fan's type 7, numpy's default); `None` when empty.
pub fn quantile(sorted: &[f64], q: f64) -> Option<f64> {
    let last = sorted.len().checked_sub(1)?;
    let at = q.clamp(0.0, 1.0) * last as f64;
    let lo = at.floor() as usize;
    let hi = (lo + 1).min(last);
    Some(sorted[lo] + (sorted[hi] - sorted[lo]) * (at - lo as f64))
}

/// Median of some values (mean of the two middle ones for an even count, so two alternating
/// values, as bigeminy's RR intervals, give their mean); `None` when empty.
pub fn median(values: &[f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    Some(if !n.is_multiple_of(2) {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_interpolate_between_order_statistics_as_numpy_does() {
        let v = [1.0, 2.0, 4.0, 8.0];
        assert_eq!(quantile(&v, 0.0), Some(1.0));
        assert_eq!(quantile(&v, 1.0), Some(8.0));
        // numpy.quantile([1, 2, 4, 8], 0.5) = 3.0, (…, 0.9) = 6.8
        assert_eq!(quantile(&v, 0.5), Some(3.0));
        assert!((quantile(&v, 0.9).unwrap() - 6.8).abs() < 1e-12);
        assert_eq!(quantile(&[5.0], 0.3), Some(5.0));
        assert_eq!(quantile(&[], 0.5), None);
    }
}
