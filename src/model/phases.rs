//! The three phases of a cardiac cycle the linear prior fits apart, and how its estimate
//! hands over between them.

use crate::delineate::CycleBounds;

/// Phases of the cycle with their own regressions: atrial (P wave and PR segment), ventricular
/// depolarisation (QRS) and repolarisation (ST, T, TP). The heart's electrical axis differs
/// between them, so one set of weights for the whole cycle is a compromise.
pub const PHASES: usize = 3;
/// Samples over which one phase's weights hand over to the next (a hard switch would put a
/// step into the estimate at the QRS onset and offset).
const HANDOVER: f32 = 6.0;
/// The phase of sample `s` of a cycle with boundaries `bounds`
/// ([`super::data::TrainCycle::bounds`]).
pub fn phase_of(s: usize, bounds: &CycleBounds) -> usize {
    if s < bounds.qrs_on() {
        0
    } else if s <= bounds.qrs_off() {
        1
    } else {
        2
    }
}

/// How much each phase's weights count at each of `len` samples: the phases of
/// [`phase_of`], handing over linearly across the QRS onset and offset.
pub fn phase_blend(bounds: &CycleBounds, len: usize) -> Vec<[f32; PHASES]> {
    let ramp = |s: usize, at: f32| ((s as f32 - at) / HANDOVER + 0.5).clamp(0.0, 1.0);
    (0..len)
        .map(|s| {
            let after_on = ramp(s, bounds.qrs_on() as f32 - 0.5);
            let after_off = ramp(s, bounds.qrs_off() as f32 + 0.5);
            [1.0 - after_on, after_on - after_off, after_off]
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phases_hand_over_gradually_and_always_sum_to_one() {
        let bounds = CycleBounds::new([0, 20, 40, 60, 80, 110, 149], 150).unwrap();
        let blend = phase_blend(&bounds, 150);
        assert_eq!(blend[10], [1.0, 0.0, 0.0]);
        assert_eq!(blend[50], [0.0, 1.0, 0.0]);
        assert_eq!(blend[100], [0.0, 0.0, 1.0]);
        for (s, b) in blend.iter().enumerate() {
            assert!((b.iter().sum::<f32>() - 1.0).abs() < 1e-6, "sample {s}");
            assert!(
                b.iter().all(|v| (0.0..=1.0).contains(v)),
                "sample {s}: {b:?}"
            );
        }
        for pair in blend.windows(2) {
            for (a, b) in pair[0].iter().zip(&pair[1]) {
                assert!((b - a).abs() <= 1.0 / HANDOVER + 1e-6);
            }
        }
        // The samples themselves belong to their phase at least halfway.
        assert!(blend[40][1] >= 0.5 && blend[39][0] >= 0.5 && blend[60][1] >= 0.5);
    }
}
