//! The measures of a heart-vector loop, as BRAVEHEART and the VCG literature report them.
//!
//! - **Frontal axes** of the mean QRS and mean T vectors, in the clinical convention: 0° toward
//!   the patient's left, +90° toward the feet, −90° toward the head (a normal QRS axis lies in
//!   −30…+90°). The mean vector is the loop's area over the wave divided by its duration, which
//!   is what the limb-lead (hexaxial) axis estimates from net deflections.
//! - **Spatial QRS–T angle** between the mean QRS and mean T vectors. The mean angle is the one
//!   reported as primary: it integrates the whole wave, so a noisy sample or a notched QRS
//!   cannot swing it, and it is the angle with the prognostic evidence (Oehler et al., Kardys et
//!   al.). The angle between the peak vectors is given beside it.
//! - **QRS loop area** of the polygon of QRS samples (closed from QRS offset back to onset) in
//!   the loop's best-fit plane, the plane through the loop's centroid that the smallest
//!   principal axis is normal to: a planar loop's own area, in mV².
//! - **Peak magnitudes** of the QRS and T vectors, in mV.

use glam::DVec3;
use nalgebra::{Matrix3, SymmetricEigen};

/// A vector shorter than this (mV) has no direction worth an angle.
const TINY_MV: f64 = 1e-9;

/// What a loop says about the cycle; `None` where the loop has no such part or it has no size.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Measures {
    /// Mean QRS vector (mV).
    pub mean_qrs: Option<DVec3>,
    /// Mean T vector (mV).
    pub mean_t: Option<DVec3>,
    /// Frontal-plane QRS axis in degrees (0° left, +90° feet).
    pub qrs_axis_deg: Option<f64>,
    /// Frontal-plane T axis in degrees (0° left, +90° feet).
    pub t_axis_deg: Option<f64>,
    /// Spatial angle between the mean QRS and mean T vectors, degrees.
    pub qrs_t_angle_deg: Option<f64>,
    /// Spatial angle between the peak QRS and peak T vectors, degrees.
    pub qrs_t_peak_angle_deg: Option<f64>,
    /// Area of the QRS loop in its best-fit plane, mV².
    pub qrs_loop_area: Option<f64>,
    /// Magnitude of the largest QRS vector, mV.
    pub qrs_peak_mv: Option<f64>,
    /// Magnitude of the largest T vector, mV.
    pub t_peak_mv: Option<f64>,
}

impl Measures {
    /// The measures of a loop's QRS and T vectors (either may be empty).
    pub fn of(qrs: &[DVec3], t: &[DVec3]) -> Self {
        let (mean_qrs, mean_t) = (mean_vector(qrs), mean_vector(t));
        let (peak_qrs, peak_t) = (peak_vector(qrs), peak_vector(t));
        Self {
            mean_qrs,
            mean_t,
            qrs_axis_deg: mean_qrs.and_then(frontal_axis_deg),
            t_axis_deg: mean_t.and_then(frontal_axis_deg),
            qrs_t_angle_deg: angle_deg(mean_qrs, mean_t),
            qrs_t_peak_angle_deg: angle_deg(peak_qrs, peak_t),
            qrs_loop_area: loop_area(qrs),
            qrs_peak_mv: peak_qrs.map(DVec3::length),
            t_peak_mv: peak_t.map(DVec3::length),
        }
    }
}

/// The mean of `v`, unless `v` is empty, not finite or the mean has no length.
pub fn mean_vector(v: &[DVec3]) -> Option<DVec3> {
    if v.is_empty() {
        return None;
    }
    let m = v.iter().copied().sum::<DVec3>() / v.len() as f64;
    (m.is_finite() && m.length() > TINY_MV).then_some(m)
}

/// The longest vector of `v`, unless `v` is empty or every vector has no length.
pub fn peak_vector(v: &[DVec3]) -> Option<DVec3> {
    v.iter()
        .copied()
        .filter(|p| p.is_finite())
        .max_by(|a, b| a.length_squared().total_cmp(&b.length_squared()))
        .filter(|p| p.length() > TINY_MV)
}

/// The frontal-plane axis of `v` in degrees, −180…180 (0° the patient's left, +90° the feet);
/// `None` when `v` is perpendicular to the frontal plane.
pub fn frontal_axis_deg(v: DVec3) -> Option<f64> {
    // Frontal plane: y (left) and z (head); the feet are −z.
    (v.y.hypot(v.z) > TINY_MV).then(|| (-v.z).atan2(v.y).to_degrees())
}

/// The angle between two vectors in degrees, when both have a direction.
pub fn angle_deg(a: Option<DVec3>, b: Option<DVec3>) -> Option<f64> {
    let (a, b) = (a?, b?);
    let c = a.dot(b) / (a.length() * b.length());
    c.is_finite()
        .then(|| c.clamp(-1.0, 1.0).acos().to_degrees())
}

/// The area of the closed polygon through `v` in its best-fit plane (mV²); `None` for fewer
/// than three points or non-finite ones.
pub fn loop_area(v: &[DVec3]) -> Option<f64> {
    if v.len() < 3 || v.iter().any(|p| !p.is_finite()) {
        return None;
    }
    let c = v.iter().copied().sum::<DVec3>() / v.len() as f64;
    let mut cov = Matrix3::zeros();
    for p in v {
        let d = nalgebra::Vector3::new(p.x - c.x, p.y - c.y, p.z - c.z);
        cov += d * d.transpose();
    }
    let eig = SymmetricEigen::new(cov);
    let k = eig.eigenvalues.imin();
    let n = eig.eigenvectors.column(k);
    let normal = DVec3::new(n[0], n[1], n[2]);
    // The projection of a closed polygon on a plane has the area of its vector area's
    // component along the plane's normal.
    let vector_area = (0..v.len())
        .map(|i| (v[i] - c).cross(v[(i + 1) % v.len()] - c))
        .sum::<DVec3>()
        * 0.5;
    Some(vector_area.dot(normal).abs())
}
