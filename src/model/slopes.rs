//! Each lead with its slope and its curvature: what the patient-similar regression reads of
//! its inputs besides their values when there are two inputs or more.
//!
//! The leads are not one dipole's projections: the wavefront reaches each electrode's region
//! at its own time, so one lead seen from others is partly a slightly shifted (slope) and
//! sharpened or widened (curvature) blend of them. The population's fixed FIR correction
//! ([`super::dynamics`]) lowered the estimate from II, V2, V5; fitted inside the
//! patient-similar pool, with a ridge that pulls these terms toward the instantaneous
//! regression, they raise it on LUDB's and PTB-XL's validation records alike (the model card).
//!
//! Feature `f` of the 36 is kind `f / 12` (value, slope, curvature) of lead `f % 12`
//! (`STANDARD_12` order), so a lead's value keeps its own slot. The slope is the central
//! difference over ±[`LAG`] samples, the curvature the second difference over the same
//! span; a sample past the cycle reads its nearest end (the cycle is detrended to zero there).

use crate::geometry::LEADS;
use nalgebra::SMatrix;

/// Half-span of the differences, samples at 500 Hz (12 ms: a fifth of a QRS).
pub const LAG: usize = 6;
/// Kinds of feature per lead: value, slope, curvature.
pub const KINDS: usize = 3;
/// Features per cycle sample: every lead's every kind.
pub const DIM: usize = LEADS * KINDS;
/// Values of a symmetric [`WaveMatrix`] as stored (its upper triangle, row by row).
pub const PACKED: usize = DIM * (DIM + 1) / 2;
/// Inputs from which the regression reads slopes and curvatures (one lead alone has the
/// population's dynamic correction instead).
pub const MIN_INPUTS: usize = 2;

/// Moments of the 36 features: `m[(f, g)]` is the mean of feature `f` times feature `g`.
pub type WaveMatrix = SMatrix<f64, DIM, DIM>;

/// Value, slope and curvature of `x` at sample `t` of a cycle of `len` samples.
pub fn at(x: &[f32], t: usize, len: usize) -> [f32; KINDS] {
    let last = len.min(x.len()).saturating_sub(1);
    let v = |i: usize| x.get(i.min(last)).copied().unwrap_or(0.0);
    let (lo, mid, hi) = (v(t.saturating_sub(LAG)), v(t), v(t + LAG));
    [mid, hi - lo, hi + lo - 2.0 * mid]
}

/// The features of `x` over its first `len` samples, by kind.
pub fn series(x: &[f32], len: usize) -> [Vec<f32>; KINDS] {
    let all: Vec<[f32; KINDS]> = (0..len).map(|t| at(x, t, len)).collect();
    std::array::from_fn(|k| all.iter().map(|f| f[k]).collect())
}

/// The slopes of `inputs`, then their curvatures: the rows [`regressors`] reads after the
/// values, over `len` samples of which the cycle holds the first `cycle` (zero past it, as
/// the window's padding).
pub fn derived(inputs: &[&[f32]], cycle: usize, len: usize) -> Vec<Vec<f32>> {
    let all: Vec<[Vec<f32>; KINDS]> = inputs.iter().map(|x| series(x, cycle.min(len))).collect();
    (1..KINDS)
        .flat_map(|k| {
            all.iter().map(move |f| {
                let mut row = f[k].clone();
                row.resize(len, 0.0);
                row
            })
        })
        .collect()
}

/// The features of `inputs` (slots into the 36) for regressors read from `slots` (`STANDARD_12`
/// slots): their values, then with two inputs or more their slopes and curvatures.
pub fn regressors(slots: &[usize]) -> Vec<usize> {
    let kinds = if slots.len() >= MIN_INPUTS { KINDS } else { 1 };
    (0..kinds)
        .flat_map(|k| slots.iter().map(move |&s| k * LEADS + s))
        .collect()
}

/// `m`'s upper triangle, row by row ([`PACKED`] values).
pub fn pack(m: &WaveMatrix) -> Vec<f32> {
    (0..DIM)
        .flat_map(|i| (i..DIM).map(move |j| m[(i, j)] as f32))
        .collect()
}

/// The symmetric matrix whose upper triangle is `v` ([`pack`]); `None` unless `v` holds
/// [`PACKED`] values.
pub fn unpack(v: &[f32]) -> Option<WaveMatrix> {
    if v.len() != PACKED {
        return None;
    }
    let mut m = WaveMatrix::zeros();
    let mut it = v.iter();
    for i in 0..DIM {
        for j in i..DIM {
            let x = f64::from(*it.next()?);
            m[(i, j)] = x;
            m[(j, i)] = x;
        }
    }
    Some(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slope_and_curvature_are_the_differences_over_the_lag() {
        // x = t²: the slope over ±L is 4·L·t, the curvature 2·L², away from the ends.
        let l = LAG as f32;
        let x: Vec<f32> = (0..40).map(|t| (t * t) as f32).collect();
        assert_eq!(at(&x, 20, 40), [400.0, 4.0 * l * 20.0, 2.0 * l * l]);
        // Past the cycle's ends the nearest end is read: at 0 the earlier sample is x(0).
        assert_eq!(at(&x, 0, 40), [0.0, l * l, l * l]);
        // The cycle's end is `len`, not the buffer's: a padded window reads no padding.
        assert_eq!(at(&x, 35, 36)[1], 35.0 * 35.0 - (35.0 - l).powi(2));
        let s = series(&x, 40);
        assert_eq!(s[1][20], 4.0 * l * 20.0);
        assert_eq!(s[2][20], 2.0 * l * l);
    }

    #[test]
    fn one_input_reads_values_and_more_read_slopes_and_curvatures() {
        assert_eq!(regressors(&[1]), vec![1]);
        assert_eq!(
            regressors(&[1, 7, 10]),
            vec![1, 7, 10, 13, 19, 22, 25, 31, 34]
        );
    }

    #[test]
    fn the_packed_form_round_trips_and_refuses_other_sizes() {
        let a = SMatrix::<f64, DIM, 3>::from_fn(|i, j| ((i * 7 + j * 3) % 11) as f64 - 5.0);
        let m: WaveMatrix = a * a.transpose();
        let back = unpack(&pack(&m)).unwrap();
        assert!((back - m).abs().max() < 1e-4);
        assert!(unpack(&pack(&m)[1..]).is_none());
    }
}
