//! Viewpoints on the sphere around the heart and the leads that look from them.

mod extra_leads;
mod kors;
mod leads;
mod std_lead;

pub use extra_leads::{EXTRA_LEADS, is_extra_lead};
pub use kors::{KORS_INPUTS, KORS_MATRIX, kors_vector, kors_weights};
pub use leads::{LeadId, LeadView, STANDARD_12, lead_view, normalise_lead_name};
pub use std_lead::{LEADS, StdLead};

use glam::DVec3;
use std::f64::consts::PI;

/// A direction from the heart's centre: polar angle `theta` from +z (head), azimuth `phi`
/// from +x (anterior) toward +y (patient's left), both in radians.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Viewpoint {
    /// Polar angle from the head axis, 0..=π.
    pub theta: f64,
    /// Azimuth from the anterior axis toward the patient's left, −π..=π.
    pub phi: f64,
}

impl Viewpoint {
    /// A viewpoint from angles in radians.
    pub const fn new(theta: f64, phi: f64) -> Self {
        Self { theta, phi }
    }

    /// A viewpoint from angles in degrees.
    pub fn from_degrees(theta_deg: f64, phi_deg: f64) -> Self {
        Self::new(theta_deg.to_radians(), phi_deg.to_radians())
    }

    /// Unit vector (sinθ cosφ, sinθ sinφ, cosθ) in the x = anterior, y = left, z = head frame.
    pub fn unit_vector(&self) -> DVec3 {
        let (st, ct) = self.theta.sin_cos();
        let (sp, cp) = self.phi.sin_cos();
        DVec3::new(st * cp, st * sp, ct)
    }

    /// The viewpoint a (non-zero) vector points to; φ is 0 at the poles.
    pub fn from_vector(v: DVec3) -> Self {
        let r = v.length();
        if r == 0.0 {
            return Self::new(0.0, 0.0);
        }
        let theta = (v.z / r).clamp(-1.0, 1.0).acos();
        let phi = if v.x == 0.0 && v.y == 0.0 {
            0.0
        } else {
            v.y.atan2(v.x)
        };
        Self::new(theta, phi)
    }

    /// Angles in degrees, (θ, φ).
    pub fn degrees(&self) -> (f64, f64) {
        (self.theta.to_degrees(), self.phi.to_degrees())
    }

    /// The angle between two viewpoints, in radians.
    pub fn angle_to(&self, other: &Viewpoint) -> f64 {
        self.unit_vector()
            .dot(other.unit_vector())
            .clamp(-1.0, 1.0)
            .acos()
    }
}

/// The paper's Electrocardio Panorama grid: θ in {0, π/3, 2π/3, π} × φ in {−π, −2π/3, …, 2π/3}.
pub fn panorama_grid() -> Vec<Viewpoint> {
    let mut out = Vec::with_capacity(24);
    for i in 0..4 {
        for j in 0..6 {
            out.push(Viewpoint::new(
                i as f64 * PI / 3.0,
                -PI + j as f64 * PI / 3.0,
            ));
        }
    }
    out
}

/// A grid without the poles: θ in {π/6, π/2, 5π/6} × 8 azimuths from −π in steps of π/4.
pub fn pole_free_grid() -> Vec<Viewpoint> {
    let mut out = Vec::with_capacity(24);
    for theta in [PI / 6.0, PI / 2.0, 5.0 * PI / 6.0] {
        for j in 0..8 {
            out.push(Viewpoint::new(theta, -PI + j as f64 * PI / 4.0));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_vector_round_trips() {
        for v in pole_free_grid() {
            let back = Viewpoint::from_vector(v.unit_vector() * 3.0);
            assert!(back.angle_to(&v) < 1e-12, "{v:?} -> {back:?}");
        }
    }

    #[test]
    fn axes_follow_the_papers_convention() {
        let anterior = Viewpoint::new(PI / 2.0, 0.0).unit_vector();
        assert!((anterior - DVec3::X).length() < 1e-12);
        let left = Viewpoint::new(PI / 2.0, PI / 2.0).unit_vector();
        assert!((left - DVec3::Y).length() < 1e-12);
        assert!((Viewpoint::new(0.0, 1.0).unit_vector() - DVec3::Z).length() < 1e-12);
    }

    #[test]
    fn grids_have_24_distinct_directions_except_pole_repeats() {
        assert_eq!(panorama_grid().len(), 24);
        let free = pole_free_grid();
        assert_eq!(free.len(), 24);
        for (i, a) in free.iter().enumerate() {
            for b in &free[i + 1..] {
                assert!(a.angle_to(b) > 0.1);
            }
        }
    }
}
