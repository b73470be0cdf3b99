//! Kors's regression matrix (Kors et al., Eur Heart J 1990): the heart vector (Frank's X, Y, Z
//! leads) from the eight independent leads of a 12-lead ECG, fitted on simultaneous Frank and
//! standard recordings of many patients. It is the reference answer for views no standard lead
//! records, such as the back of the heart.

use super::StdLead::{self, I, II, V1, V2, V3, V4, V5, V6};
use super::{LEADS, Viewpoint};
use glam::DVec3;

/// The eight leads Kors's matrix reads, in its column order.
pub const KORS_INPUTS: [StdLead; 8] = [I, II, V1, V2, V3, V4, V5, V6];

/// Kors's rows for Frank's X (toward the patient's left), Y (toward the feet) and Z (toward the
/// back), over [`KORS_INPUTS`].
pub const KORS_MATRIX: [[f64; 8]; 3] = [
    [0.38, -0.07, -0.13, 0.05, -0.01, 0.14, 0.06, 0.54],
    [-0.07, 0.93, 0.06, -0.02, -0.05, 0.06, -0.17, 0.13],
    [0.11, -0.23, -0.43, -0.06, -0.14, -0.20, -0.11, 0.31],
];

/// Weights over the 12 standard leads (`STANDARD_12` order) of the heart vector's projection on
/// the viewpoint `view` under Kors's matrix: the lead a Frank-type electrode system would
/// record looking from `view` (vx, vy and vz exactly at their own directions).
pub fn kors_weights(view: Viewpoint) -> [f64; LEADS] {
    let u = view.unit_vector();
    // The heart vector in the viewpoint frame (x anterior, y left, z head) is (−Z, X, −Y).
    let along = [u.y, -u.z, -u.x];
    let mut w = [0.0; LEADS];
    for (col, lead) in KORS_INPUTS.iter().enumerate() {
        w[lead.index()] = (0..3).map(|row| along[row] * KORS_MATRIX[row][col]).sum();
    }
    w
}

/// The heart vector (x anterior, y left, z head; mV) of one sample of the eight Kors leads.
pub fn kors_vector(leads: &[f64; 8]) -> DVec3 {
    let frank: [f64; 3] =
        std::array::from_fn(|row| (0..8).map(|c| KORS_MATRIX[row][c] * leads[c]).sum());
    DVec3::new(-frank[2], frank[0], -frank[1])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geometry::lead_view;

    fn view(name: &str) -> Viewpoint {
        lead_view(&crate::geometry::normalise_lead_name(name), false)
            .unwrap()
            .viewpoint
    }

    #[test]
    fn frank_directions_read_kors_rows() {
        for (lead, row) in [("vx", 0), ("vy", 1), ("vz", 2)] {
            let w = kors_weights(view(lead));
            for (col, l) in KORS_INPUTS.iter().enumerate() {
                assert!(
                    (w[l.index()] - KORS_MATRIX[row][col]).abs() < 1e-12,
                    "{lead}"
                );
            }
            assert_eq!(w[StdLead::III.index()], 0.0);
        }
    }

    #[test]
    fn the_vector_and_the_weights_agree() {
        let leads = [0.3, 1.1, -0.4, 0.2, 0.9, 1.3, 1.0, 0.6];
        let v = kors_vector(&leads);
        for name in ["vz", "V2", "aVR"] {
            let q = view(name);
            let w = kors_weights(q);
            let by_w: f64 = KORS_INPUTS
                .iter()
                .zip(leads)
                .map(|(l, x)| w[l.index()] * x)
                .sum();
            assert!((by_w - v.dot(q.unit_vector())).abs() < 1e-12, "{name}");
        }
    }
}
