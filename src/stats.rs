//! Order statistics shared along the data path (the annotator's rhythm rules, the evaluations).

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
