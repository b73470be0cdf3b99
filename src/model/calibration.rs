//! How much of the network's correction to the prior is kept: a share per input count (and,
//! for one standard lead alone, per lead), fitted on validation records after training, times
//! the query's closeness to the directions the network was trained to look from.
//!
//! The network only ever learns corrections at the 12 standard leads' directions (with a
//! small jitter): far from them — the back, the right side, the head — it has never been
//! checked against a recording, so the view there is the prior's, which is physically
//! grounded ([`super::prior`]).

use super::band::Band;
use crate::geometry::{LEADS, StdLead, Viewpoint};

/// Name of the stored shares `[12]`.
pub const STORED: &str = "calibration.residual";
/// Name of the stored shares for one standard lead alone `[12]` (`STANDARD_12` order).
pub const STORED_SINGLE: &str = "calibration.residual_single";
/// Angular reach of the network's training directions, radians (about 14°, four times the
/// training jitter): at this distance from the nearest lead, 61 % of the correction is kept.
pub const REACH: f64 = 0.25;

/// The network's calibration.
#[derive(Debug, Clone, PartialEq)]
pub struct Calibration {
    /// Share of the correction kept for 1…12 input views (index `n − 1`).
    pub residual: [f32; LEADS],
    /// Share kept when the one input is a standard lead, per lead (`STANDARD_12` order): a
    /// lone lead I says less of the chest than a lone lead II, so the network's correction
    /// does not help both alike. `None` (files fitted before): the share for one input.
    pub single: Option<[f32; LEADS]>,
    /// The confidence band of synthesized views, when it has been fitted.
    pub band: Option<Band>,
}

impl Default for Calibration {
    /// Not calibrated: the whole correction, near the leads.
    fn default() -> Self {
        Self {
            residual: [1.0; LEADS],
            single: None,
            band: None,
        }
    }
}

impl Calibration {
    /// The calibration from its stored values; the error says what does not fit.
    pub fn from_values(values: &[f32]) -> Result<Self, String> {
        Ok(Self {
            residual: shares(values, STORED)?,
            single: None,
            band: None,
        })
    }

    /// The per-lead shares for one input from their stored values.
    pub fn single_from_values(values: &[f32]) -> Result<[f32; LEADS], String> {
        shares(values, STORED_SINGLE)
    }

    /// The shares stored in a model file (`get` gives a tensor's values by name, `None` when
    /// the file lacks it): `None` without [`STORED`]; the per-lead shares when the file has
    /// them. The band is left to the caller, which decides what an unreadable one means.
    pub fn from_stored(get: impl Fn(&str) -> Option<Vec<f32>>) -> Result<Option<Self>, String> {
        let Some(values) = get(STORED) else {
            return Ok(None);
        };
        let mut calibration = Self::from_values(&values)?;
        calibration.single = get(STORED_SINGLE)
            .map(|v| Self::single_from_values(&v))
            .transpose()?;
        Ok(Some(calibration))
    }

    /// Share of the network's correction kept for `n` input views at viewpoint `query`;
    /// `single` is the `STANDARD_12` slot of the input when it is one standard lead alone.
    pub fn keep(&self, n: usize, single: Option<usize>, query: Viewpoint) -> f32 {
        let share = match (n, single, &self.single) {
            (1, Some(k), Some(per_lead)) if k < LEADS => per_lead[k],
            _ => self.residual[n.clamp(1, LEADS) - 1],
        };
        share * reach(query) as f32
    }
}

/// `LEADS` finite shares stored under `name`, or what does not fit.
fn shares(values: &[f32], name: &str) -> Result<[f32; LEADS], String> {
    if values.len() != LEADS || values.iter().any(|v| !v.is_finite()) {
        return Err(format!(
            "{name} must hold {LEADS} finite values (it holds {})",
            values.len()
        ));
    }
    Ok(std::array::from_fn(|i| values[i]))
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
        assert!((c.keep(3, None, v2) - 0.5).abs() < 1e-6);
        let back = Viewpoint::from_degrees(90.0, 180.0);
        assert!(c.keep(3, None, back) < 1e-3, "{}", c.keep(3, None, back));
        let head = Viewpoint::from_degrees(0.0, 0.0);
        assert!(reach(head) < 0.01);
        assert!(Calibration::from_values(&[1.0; 3]).is_err());
        assert!(Calibration::from_values(&[f32::NAN; LEADS]).is_err());
    }

    #[test]
    fn one_standard_lead_alone_keeps_its_own_share_and_others_the_counts() {
        let mut c = Calibration::from_values(&[0.5; LEADS]).unwrap();
        let v2 = StdLead::V2.viewpoint();
        // Fitted before the per-lead shares: every lone lead takes the count's share.
        assert!((c.keep(1, Some(1), v2) - 0.5).abs() < 1e-6);
        let mut per_lead = [1.0; LEADS];
        per_lead[1] = 0.8;
        c.single = Some(per_lead);
        assert!((c.keep(1, Some(1), v2) - 0.8).abs() < 1e-6);
        assert!((c.keep(1, Some(0), v2) - 1.0).abs() < 1e-6);
        // A lone lead of another name, or two leads, keep the count's share.
        assert!((c.keep(1, None, v2) - 0.5).abs() < 1e-6);
        assert!((c.keep(2, Some(1), v2) - 0.5).abs() < 1e-6);
        assert!(Calibration::single_from_values(&[1.0; 3]).is_err());
    }
}
