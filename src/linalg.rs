//! Small dense linear systems in f64 for the fitted linear methods (a few dozen unknowns at
//! most), on nalgebra's decompositions with the singularity test the methods rely on.

use nalgebra::{DMatrix, DVector};

/// Pivots at or below this fraction of the largest diagonal entry of the system count as zero:
/// the system is then treated as singular rather than solved into noise.
const SINGULAR: f64 = 1e-12;

/// The smallest pivot a system with matrix `a` may have.
fn pivot_floor(a: &DMatrix<f64>) -> f64 {
    SINGULAR * a.diagonal().iter().fold(0.0, |m: f64, v| m.max(v.abs()))
}

/// Solve `a·x = b` by LU decomposition with partial pivoting; `None` when `a` is singular
/// (a pivot at or below 1e-12 of the largest diagonal entry, or not finite).
pub fn solve(a: DMatrix<f64>, b: DVector<f64>) -> Option<DVector<f64>> {
    let floor = pivot_floor(&a);
    let lu = a.lu();
    let pivots_ok = lu
        .u()
        .diagonal()
        .iter()
        .all(|p| p.is_finite() && p.abs() > floor);
    if !pivots_ok {
        return None;
    }
    lu.solve(&b)
}

/// Solve `a·x = b` for a symmetric positive definite `a` (normal equations) by Cholesky
/// decomposition; `None` when `a` is not positive definite or a pivot (the square of a
/// diagonal entry of the factor) is at or below 1e-12 of the largest diagonal entry.
pub fn solve_spd(a: DMatrix<f64>, b: DVector<f64>) -> Option<DVector<f64>> {
    let floor = pivot_floor(&a);
    let chol = a.cholesky()?;
    let pivots_ok = chol
        .l_dirty()
        .diagonal()
        .iter()
        .all(|l| l.is_finite() && l * l > floor);
    if !pivots_ok {
        return None;
    }
    Some(chol.solve(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn solve_finds_the_solution_and_refuses_singular_systems() {
        let a = DMatrix::from_row_slice(2, 2, &[0.0, 2.0, 3.0, 1.0]);
        let x = solve(a, DVector::from_vec(vec![4.0, 5.0])).unwrap();
        assert!((x[0] - 1.0).abs() < 1e-15 && (x[1] - 2.0).abs() < 1e-15);
        let singular = DMatrix::from_row_slice(2, 2, &[1.0, 2.0, 2.0, 4.0]);
        assert!(solve(singular, DVector::from_vec(vec![1.0, 2.0])).is_none());
    }

    #[test]
    fn solve_spd_solves_normal_equations_and_refuses_dependent_ones() {
        let a = DMatrix::from_row_slice(2, 2, &[4.0, 2.0, 2.0, 3.0]);
        let x = solve_spd(a, DVector::from_vec(vec![8.0, 8.0])).unwrap();
        assert!((x[0] - 1.0).abs() < 1e-12 && (x[1] - 2.0).abs() < 1e-12);
        // Two equal columns: positive semi-definite only, up to rounding.
        let u = DMatrix::from_row_slice(3, 2, &[1.0, 1.0, 0.3, 0.3, -0.7, -0.7]);
        let gram = u.transpose() * &u;
        assert!(solve_spd(gram, DVector::from_vec(vec![1.0, 1.0])).is_none());
        let indefinite = DMatrix::from_row_slice(2, 2, &[1.0, 2.0, 2.0, 1.0]);
        assert!(solve_spd(indefinite, DVector::from_vec(vec![1.0, 1.0])).is_none());
    }
}
