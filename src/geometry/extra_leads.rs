//! The clinical extra leads: right-sided V3R–V6R and posterior V7–V9, as viewpoints beside the
//! standard lead table.
//!
//! Placement follows the AHA/ACCF/HRS recommendations for the standardization and
//! interpretation of the electrocardiogram, part I (Kligfield et al., Circulation
//! 2007;115:1306–1324): V3R–V6R are placed on the right chest in the mirror-image positions of
//! V3–V6, and V7, V8 and V9 in the horizontal plane of V6 on the left posterior axillary line,
//! the left mid-scapular line (tip of the scapula) and the left paraspinal border.
//!
//! In the viewpoint frame (θ from the head, φ from anterior toward the patient's left):
//! - **V3R–V6R** mirror V3–V6 across the sagittal plane: same θ, φ → −φ.
//! - **V7–V9** share V6's θ = 8π/15 and lie beyond V6's φ = π/2 toward the back (φ = π):
//!   - V7, posterior axillary line: the anterior and posterior axillary lines flank the
//!     mid-axillary line (V6) symmetrically, so V7 is V5 (anterior axillary, φ = π/3) mirrored
//!     across the coronal plane: φ = π − π/3 = 2π/3 (120°).
//!   - V9, left paraspinal border: as far from the posterior midline as V2's left parasternal
//!     border (φ = π/18) is from the anterior midline: φ = π − π/18 = 17π/18 (170°).
//!   - V8, mid-scapular line: the usual horizontal-plane lead-angle diagrams continue the 30°
//!     step from V5 to V6 onto the back (V6 0°, V7 −30°, V8 −60° in the clinical convention
//!     with 0° at the patient's left), which puts V8 at φ = π/2 + π/3 = 5π/6 (150°), between
//!     V7 and V9.

use super::Viewpoint;
use super::leads::table_viewpoint;
use std::f64::consts::PI;

/// The clinical extra leads: right-sided V3R–V6R, then posterior V7–V9.
pub const EXTRA_LEADS: [&str; 7] = ["V3R", "V4R", "V5R", "V6R", "V7", "V8", "V9"];

/// θ of V6, shared by the posterior leads (they are placed in V6's horizontal plane).
const V6_THETA: f64 = 8.0 * PI / 15.0;

/// The canonical extra-lead name of a lower-cased name stripped of spaces, dashes and
/// underscores ("v4r" → "V4R").
pub(super) fn extra_name(compact: &str) -> Option<&'static str> {
    EXTRA_LEADS
        .into_iter()
        .find(|n| n.eq_ignore_ascii_case(compact))
}

/// The viewpoint of an extra lead (canonical name).
pub(super) fn extra_viewpoint(name: &str) -> Option<Viewpoint> {
    let posterior = |phi: f64| Some(Viewpoint::new(V6_THETA, phi));
    match name {
        "V3R" | "V4R" | "V5R" | "V6R" => {
            let v = table_viewpoint(name.strip_suffix('R')?)?;
            Some(Viewpoint::new(v.theta, -v.phi))
        }
        "V7" => posterior(2.0 * PI / 3.0),
        "V8" => posterior(5.0 * PI / 6.0),
        "V9" => posterior(17.0 * PI / 18.0),
        _ => None,
    }
}

/// True when `name` (canonical spelling) is one of [`EXTRA_LEADS`].
pub fn is_extra_lead(name: &str) -> bool {
    EXTRA_LEADS.contains(&name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geometry::{lead_view, normalise_lead_name};

    fn view(name: &str) -> Viewpoint {
        lead_view(&normalise_lead_name(name), false)
            .unwrap_or_else(|| panic!("{name} has no viewpoint"))
            .viewpoint
    }

    #[test]
    fn right_sided_leads_mirror_v3_to_v6_across_the_sagittal_plane() {
        for k in 3..=6 {
            let (left, right) = (view(&format!("V{k}")), view(&format!("V{k}R")));
            assert_eq!(right.theta, left.theta, "V{k}R");
            assert_eq!(right.phi, -left.phi, "V{k}R");
            assert!(right.phi < 0.0, "V{k}R looks from the patient's right");
            let (l, r) = (left.unit_vector(), right.unit_vector());
            assert!((l.x - r.x).abs() < 1e-12 && (l.z - r.z).abs() < 1e-12);
            assert!((l.y + r.y).abs() < 1e-12);
        }
        let v4r = view("V4R");
        assert!((v4r.theta - 11.0 * PI / 20.0).abs() < 1e-12);
        assert!((v4r.phi + PI / 6.0).abs() < 1e-12);
    }

    #[test]
    fn posterior_leads_lie_in_v6s_plane_ordered_toward_the_back() {
        let v6 = view("V6");
        let mut last = v6.phi;
        for name in ["V7", "V8", "V9"] {
            let v = view(name);
            assert_eq!(v.theta, v6.theta, "{name} in V6's horizontal plane");
            assert!(v.phi > last && v.phi < PI, "{name} at φ {}", v.phi);
            assert!(v.unit_vector().x < 0.0, "{name} looks from the back");
            last = v.phi;
        }
        assert!((view("V7").phi - 2.0 * PI / 3.0).abs() < 1e-12);
        assert!((view("V8").phi - 5.0 * PI / 6.0).abs() < 1e-12);
        assert!((view("V9").phi - 17.0 * PI / 18.0).abs() < 1e-12);
    }

    #[test]
    fn extra_lead_names_are_recognised_in_any_case_or_decoration() {
        for (raw, want) in [
            ("v4r", "V4R"),
            ("V4R", "V4R"),
            ("V-4R", "V4R"),
            (" v_3r ", "V3R"),
            ("V6r", "V6R"),
            ("v7", "V7"),
            ("V 8", "V8"),
            ("V9", "V9"),
        ] {
            let id = normalise_lead_name(raw);
            assert_eq!(id.name, want, "{raw}");
            assert!(id.known && !id.approximate, "{raw}");
            assert!(is_extra_lead(&id.name));
        }
        for other in ["V2R", "V10", "V4L", "R4V"] {
            let id = normalise_lead_name(other);
            assert!(!id.known, "{other}");
            assert!(lead_view(&id, false).is_none(), "{other}");
        }
        assert!(!is_extra_lead("V4"));
    }
}
