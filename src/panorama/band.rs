//! The confidence band around synthesized views ([`crate::model::band`]), for any field: which
//! cell of the band each view and sample falls in, from the field's inputs and boundaries.

use super::Field;
use super::exact::lead_direction;
use crate::error::{Error, Result};
use crate::geometry::StdLead;
use crate::geometry::Viewpoint;
use crate::model::band::{Band, LEVELS, input_group, phases};
use crate::model::prepare::MIN_SCALE;

/// The band's level when none is asked for: the central 80 %.
pub const DEFAULT_LEVEL: f64 = 0.8;

/// `level` when a band can be drawn at it (between the stored levels), else an error that
/// says which levels can.
pub fn check_level(level: f64) -> Result<f64> {
    let (lo, hi) = (LEVELS[0], LEVELS[LEVELS.len() - 1]);
    if level.is_finite() && (lo..=hi).contains(&level) {
        Ok(level)
    } else {
        Err(Error::Invalid(format!(
            "band level {level}: give a central share between {lo} and {hi} (e.g. 0.8 for 80 %)"
        )))
    }
}

/// The inputs' scale as the network sees it: their peak |mV|, never below [`MIN_SCALE`].
pub fn input_scale(field: &Field) -> f64 {
    field
        .inputs()
        .iter()
        .flat_map(|(_, x)| x.iter())
        .fold(f64::from(MIN_SCALE), |m, v| m.max(v.abs()))
}

/// The angle (radians) from `view` to the nearest input lead of `field` (π with none known).
pub fn angle_to_inputs(field: &Field, view: &Viewpoint) -> f64 {
    let u = view.unit_vector();
    field
        .inputs()
        .iter()
        .filter_map(|(name, _)| lead_direction(name))
        .map(|d| d.dot(u).clamp(-1.0, 1.0).acos())
        .fold(std::f64::consts::PI, f64::min)
}

/// Half-widths (mV) of `band` at `level` for each of `views` rendered from `field`.
pub fn field_band(
    band: &Band,
    field: &Field,
    views: &[Viewpoint],
    level: f64,
) -> Result<Vec<Vec<f64>>> {
    let level = check_level(level)?;
    let ph = phases(&field.bounds(), field.samples());
    let scale = input_scale(field);
    let slots: Vec<Option<usize>> = field
        .inputs()
        .iter()
        .map(|(name, _)| StdLead::parse(name).map(StdLead::index))
        .collect();
    let group = input_group(&slots);
    Ok(views
        .iter()
        .map(|v| band.half_widths(level, group, angle_to_inputs(field, v), &ph, scale))
        .collect())
}
