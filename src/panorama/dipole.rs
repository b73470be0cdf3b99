//! The dipole engine: the heart as one dipole whose vector moves over the cycle.
//!
//! A lead looking along unit vector `u` records `u·d(t)`. At each sample the heart vector
//! `d(t)` is the least-squares fit `d = (UᵀU)⁻¹ Uᵀ x(t)` to the input leads `x` with unit
//! vectors `U` (rows), and a view along `v` renders as `v·d(t)`. This is the panorama
//! evaluation's dipole baseline, kept as a field so that a cycle is fitted once and rendered
//! from any number of viewpoints.

use super::exact::lead_direction;
use super::{CycleInput, Engine, Field};
use crate::error::{Error, Result};
use crate::geometry::Viewpoint;
use glam::{DMat3, DVec3};

/// Input directions whose Gram matrix has `det / (trace/3)³` below this lie in one plane (for
/// three unit vectors it is the squared volume they span; 1 when they are orthogonal).
const COPLANAR: f64 = 1e-6;

/// The single-dipole least-squares engine; needs 3 input leads with known, non-coplanar
/// directions.
#[derive(Debug, Clone, Copy, Default)]
pub struct DipoleEngine;

/// A dipole field: the heart vector at every sample of the cycle (mV per unit lead vector).
struct HeartVectors(Vec<DVec3>);

impl DipoleEngine {
    /// The matrix `(UᵀU)⁻¹` and the input directions `U` of `names`, or why there are none.
    fn fit(names: &[&str]) -> Result<(DMat3, Vec<DVec3>)> {
        let need = |why: String| {
            Err(Error::Invalid(format!(
                "the dipole engine needs 3 input leads with known, non-coplanar directions ({why})"
            )))
        };
        let dirs: Vec<Option<DVec3>> = names.iter().map(|n| lead_direction(n)).collect();
        if let Some(i) = dirs.iter().position(Option::is_none) {
            return need(format!("lead {} has no known direction", names[i]));
        }
        let u: Vec<DVec3> = dirs.into_iter().flatten().collect();
        if u.len() < 3 {
            return need(format!(
                "got {} lead{}: {}",
                u.len(),
                if u.len() == 1 { "" } else { "s" },
                names.join(", ")
            ));
        }
        let gram = u.iter().fold(DMat3::ZERO, |g, v| {
            g + DMat3::from_cols(*v * v.x, *v * v.y, *v * v.z)
        });
        let scale = ((gram.x_axis.x + gram.y_axis.y + gram.z_axis.z) / 3.0).powi(3);
        if gram.determinant() <= COPLANAR * scale {
            return need(format!("{} lie in one plane", names.join(", ")));
        }
        Ok((gram.inverse(), u))
    }
}

impl Engine for DipoleEngine {
    fn name(&self) -> &str {
        "dipole"
    }

    fn encode(&self, cycle: &CycleInput) -> Result<Field> {
        cycle.validate()?;
        let names: Vec<&str> = cycle.leads.iter().map(|(n, _)| n.as_str()).collect();
        let (inverse, u) = Self::fit(&names)?;
        // d(t) = (UᵀU)⁻¹ Σ_l u_l x_l(t): the columns (UᵀU)⁻¹ u_l are fixed for the cycle.
        let cols: Vec<DVec3> = u.iter().map(|v| inverse * *v).collect();
        let vectors = (0..cycle.samples())
            .map(|t| {
                cols.iter()
                    .zip(&cycle.leads)
                    .fold(DVec3::ZERO, |d, (c, (_, x))| d + *c * x[t])
            })
            .collect();
        Ok(Field::new(self.name(), cycle, HeartVectors(vectors)))
    }

    fn render(&self, field: &Field, views: &[Viewpoint]) -> Result<Vec<Vec<f64>>> {
        let HeartVectors(d) = field.state::<HeartVectors>(self.name())?;
        Ok(views
            .iter()
            .map(|v| {
                let u = v.unit_vector();
                d.iter().map(|d| u.dot(*d)).collect()
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::delineate::CycleBounds;
    use crate::eval::panorama::DipoleLeastSquares;
    use crate::geometry::{STANDARD_12, pole_free_grid};

    /// A cycle whose leads are exact projections of a moving dipole.
    fn pure_dipole(names: &[&str], n: usize) -> (CycleInput, Vec<DVec3>) {
        let d: Vec<DVec3> = (0..n)
            .map(|i| {
                let t = i as f64 / n as f64;
                DVec3::new(
                    (6.0 * t).sin(),
                    1.5 * (-(t - 0.4).powi(2) * 80.0).exp(),
                    0.3 * (11.0 * t).cos(),
                )
            })
            .collect();
        let leads = names
            .iter()
            .map(|n| {
                let u = lead_direction(n).unwrap();
                (n.to_string(), d.iter().map(|v| u.dot(*v)).collect())
            })
            .collect();
        let input = CycleInput {
            fs: 500.0,
            leads,
            boundaries: CycleBounds::new([0, n / 8, n / 5, n / 4, n / 2, 2 * n / 3, n - 1], n)
                .unwrap(),
        };
        (input, d)
    }

    #[test]
    fn renders_a_pure_dipole_from_any_viewpoint() {
        let (input, d) = pure_dipole(&["II", "V2", "V5", "aVL"], 300);
        let field = DipoleEngine.encode(&input).unwrap();
        assert_eq!(field.samples(), 300);
        let views = pole_free_grid();
        let out = DipoleEngine.render(&field, &views).unwrap();
        for (v, x) in views.iter().zip(&out) {
            let u = v.unit_vector();
            for (got, want) in x.iter().zip(&d) {
                assert!((got - u.dot(*want)).abs() < 1e-12, "{v:?}");
            }
        }
    }

    #[test]
    fn matches_the_evaluations_dipole_weights() {
        let names = ["II", "V2", "V5"];
        let (input, _) = pure_dipole(&names, 120);
        let noisy: Vec<(String, Vec<f64>)> = input
            .leads
            .iter()
            .enumerate()
            .map(|(k, (n, x))| {
                let y = x
                    .iter()
                    .enumerate()
                    .map(|(i, v)| v + 0.05 * ((i * (k + 3)) as f64).sin())
                    .collect();
                (n.clone(), y)
            })
            .collect();
        let input = CycleInput {
            leads: noisy,
            ..input
        };
        let field = DipoleEngine.encode(&input).unwrap();
        for target in STANDARD_12 {
            let w = DipoleLeastSquares::weights(&names, target).unwrap();
            let view =
                crate::geometry::lead_view(&crate::geometry::normalise_lead_name(target), false)
                    .unwrap()
                    .viewpoint;
            let got = &DipoleEngine.render(&field, &[view]).unwrap()[0];
            for (t, g) in got.iter().enumerate() {
                let want: f64 = w.iter().zip(&input.leads).map(|(w, (_, x))| w * x[t]).sum();
                assert!((g - want).abs() < 1e-12, "{target} at {t}");
            }
        }
    }

    #[test]
    fn refuses_too_few_or_coplanar_leads() {
        for names in [&["II", "V2"][..], &["I", "II", "III"], &["II", "ABP", "V2"]] {
            let (mut input, _) = pure_dipole(&["II", "V2"], 100);
            input.leads = names
                .iter()
                .map(|n| (n.to_string(), vec![0.0; 100]))
                .collect();
            let err = DipoleEngine.encode(&input).unwrap_err().to_string();
            assert!(
                err.contains("needs 3 input leads") && err.contains("non-coplanar"),
                "{err}"
            );
        }
    }

    #[test]
    fn refuses_a_field_of_another_engine() {
        let (input, _) = pure_dipole(&["II", "V2", "V5"], 100);
        let alien = Field::new("other", &input, 3u8);
        let err = DipoleEngine
            .render(&alien, &[Viewpoint::new(1.0, 1.0)])
            .unwrap_err()
            .to_string();
        assert!(err.contains("other engine"), "{err}");
    }
}
