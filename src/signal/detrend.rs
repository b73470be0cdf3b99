//! Removing the straight line between a segment's two ends.

/// Subtract from `x` the straight line through its first and last values (both become 0).
///
/// The same line the panorama evaluation removes, so engines see cycles as it scores them.
pub fn detrend(x: &[f64]) -> Vec<f64> {
    let (Some(&a), Some(&b)) = (x.first(), x.last()) else {
        return Vec::new();
    };
    let span = (x.len().max(2) - 1) as f64;
    x.iter()
        .enumerate()
        .map(|(i, &v)| {
            let t = i as f64 / span;
            // a·(1 − t) + b·t is exactly a at t = 0 and exactly b at t = 1.
            v - (a * (1.0 - t) + b * t)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detrending_zeroes_both_ends_exactly() {
        let x: Vec<f64> = (0..137)
            .map(|i| (i as f64 * 0.37).sin() + 0.011 * i as f64)
            .collect();
        let d = detrend(&x);
        assert_eq!((d[0], d[136]), (0.0, 0.0));
        let line: Vec<f64> = (0..50).map(|i| 0.3 - 0.02 * i as f64).collect();
        assert!(detrend(&line).iter().all(|v| v.abs() < 1e-15));
    }
}
