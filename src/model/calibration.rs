//! How much of the network's correction to the prior is kept: a share per input count, fitted
//! on validation records after training, times the query's closeness to the directions the
//! network was trained to look from.
//!
//! The network only ever learns corrections at the 12 standard leads' directions (with a
//! small jitter): far from them — the back, the right side, the head — it has never been
//! checked against a recording, so the view there is the prior's, which is physically
//! grounded ([`super::prior`]).

use super::band::Band;
use crate::geometry::{LEADS, StdLead, Viewpoint};

/// Name of the stored shares `[12]`.
pub const STORED: &str = "calibration.residual";
/// Angular reach of the network's training directions, radians (about 14°, four times the
/// training jitter): at this distance from the nearest lead, 61 % of the correction is kept.
pub const REACH: f64 = 0.25;

/// The network's calibration.
#[derive(Debug, Clone, PartialEq)]
pub struct Calibration {
    /// Share of the correction kept for 1…12 input views (index `n − 1`).
    pub residual: [f32; LEADS],
    /// The confidence band of synthesized views, when it has been fitted.
    pub band: Option<Band>,
}

impl Default for Calibration {
    /// Not calibrated: the whole correction, near the leads.
    fn default() -> Self {
        Self {
            residual: [1.0; LEADS],
            band: None,
        }
    }
}

impl Calibration {
    /// The calibration from its stored values; the error says what does not fit.
    pub fn from_values(values: &[f32]) -> Result<Self, String> {
        if values.len() != LEADS || values.iter().any(|v| !v.is_finite()) {
            return Err(format!(
                "{STORED} must hold {LEADS} finite values (it holds {})",
                values.len()
            ));
        }
        Ok(Self {
            residual: std::array::from_fn(|i| values[i]),
            band: None,
        })
    }

    /// Share of the network's correction kept for `n` input views at viewpoint `query`.
    pub fn keep(&self, n: usize, query: Viewpoint) -> f32 {
        self.residual[n.clamp(1, LEADS) - 1] * reach(query) as f32
    }
}

/// How close `query` is to the directions the network learnt from: 1 at a standard lead,
/// falling as a Gaussian of the angle to the nearest one ([`REACH`]).
pub fn reach(query: Viewpoint) -> f64 {
    let nearest = StdLead::ALL
        .iter()
        .map(|l| l.viewpoint().angle_to(&query))
        .fold(f64::INFINITY, f64::min);
    (-0.5 * (nearest / REACH).powi(2)).exp()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_correction_is_kept_at_the_leads_and_dropped_behind_the_heart() {
        let c = Calibration::from_values(&[0.5; LEADS]).unwrap();
        let v2 = StdLead::V2.viewpoint();
        assert!((c.keep(3, v2) - 0.5).abs() < 1e-6);
        let back = Viewpoint::from_degrees(90.0, 180.0);
        assert!(c.keep(3, back) < 1e-3, "{}", c.keep(3, back));
        let head = Viewpoint::from_degrees(0.0, 0.0);
        assert!(reach(head) < 0.01);
        assert!(Calibration::from_values(&[1.0; 3]).is_err());
        assert!(Calibration::from_values(&[f32::NAN; LEADS]).is_err());
    }
}
