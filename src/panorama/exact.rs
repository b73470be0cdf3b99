//! Views the input leads determine exactly: an input lead at its own viewpoint, and the limb
//! leads that Einthoven's and Goldberger's relations derive from any two limb-lead inputs.

use super::{CycleInput, Engine, Field};
use crate::error::Result;
use crate::geometry::{Viewpoint, lead_view, normalise_lead_name};
use glam::DVec3;

/// Two viewpoints closer than this (distance between unit vectors) are the same view: far
/// above the rounding of degrees → radians, far below any angle a user means.
const SAME_VIEW: f64 = 1e-9;

/// The six limb leads as combinations of I and II: `lead = a·I + b·II`
/// (III = II − I, aVR = −(I + II)/2, aVL = I − II/2, aVF = II − I/2).
const LIMB: [(&str, [f64; 2]); 6] = [
    ("I", [1.0, 0.0]),
    ("II", [0.0, 1.0]),
    ("III", [-1.0, 1.0]),
    ("aVR", [-0.5, -0.5]),
    ("aVL", [1.0, -0.5]),
    ("aVF", [-0.5, 1.0]),
];

/// The unit vector a lead looks along, from the lead table.
pub(super) fn lead_direction(name: &str) -> Option<DVec3> {
    lead_view(&normalise_lead_name(name), false).map(|v| v.viewpoint.unit_vector())
}

fn same_view(a: DVec3, b: DVec3) -> bool {
    (a - b).length() < SAME_VIEW
}

fn limb(name: &str) -> Option<[f64; 2]> {
    LIMB.iter().find(|(n, _)| *n == name).map(|(_, c)| *c)
}

/// The signal at `viewpoint` when the inputs determine it exactly, else `None`.
///
/// An input lead whose viewpoint this is comes back as it is (the first such input, in input
/// order). A limb lead's viewpoint is served from two limb-lead inputs — I and II when both are
/// inputs, else the first two — through the limb leads' fixed relations; with I and II these
/// are computed exactly as III = II − I, aVR = −(I + II)/2, aVL = I − II/2, aVF = II − I/2.
pub fn exact_lead(inputs: &[(String, Vec<f64>)], viewpoint: &Viewpoint) -> Option<Vec<f64>> {
    let u = viewpoint.unit_vector();
    if let Some((_, x)) = inputs
        .iter()
        .find(|(name, _)| lead_direction(name).is_some_and(|d| same_view(d, u)))
    {
        return Some(x.clone());
    }
    let target = LIMB
        .iter()
        .find(|(name, _)| lead_direction(name).is_some_and(|d| same_view(d, u)))
        .map(|(_, c)| *c)?;
    let limbs: Vec<([f64; 2], &[f64])> = inputs
        .iter()
        .filter_map(|(name, x)| limb(name).map(|c| (c, x.as_slice())))
        .collect();
    let by_name = |n: &str| {
        inputs
            .iter()
            .find(|(name, _)| name == n)
            .map(|(_, x)| x.as_slice())
    };
    let ((ca, xa), (cb, xb)) = match (by_name("I"), by_name("II")) {
        (Some(i), Some(ii)) => (([1.0, 0.0], i), ([0.0, 1.0], ii)),
        _ if limbs.len() >= 2 => (limbs[0], limbs[1]),
        _ => return None,
    };
    // (I, II) = M⁻¹ (xa, xb) with M's rows ca and cb, so target = (t·M⁻¹)·(xa, xb). Any two
    // limb leads are independent; with I and II, M is the identity and the weights are exact.
    let det = ca[0] * cb[1] - ca[1] * cb[0];
    if det == 0.0 {
        return None;
    }
    let wa = (target[0] * cb[1] - target[1] * cb[0]) / det;
    let wb = (target[1] * ca[0] - target[0] * ca[1]) / det;
    if xa.len() != xb.len() {
        return None;
    }
    Some(
        xa.iter()
            .zip(xb)
            .map(|(&a, &b)| match (wa == 0.0, wb == 0.0) {
                (true, _) => wb * b,
                (_, true) => wa * a,
                _ => wa * a + wb * b,
            })
            .collect(),
    )
}

/// Any engine, with the views its inputs determine exactly ([`exact_lead`]) returned exactly.
#[derive(Debug, Clone, Copy, Default)]
pub struct ExactLeads<E>(pub E);

impl<E: Engine> Engine for ExactLeads<E> {
    fn name(&self) -> &str {
        self.0.name()
    }

    fn encode(&self, cycle: &CycleInput) -> Result<Field> {
        self.0.encode(cycle)
    }

    fn render(&self, field: &Field, views: &[Viewpoint]) -> Result<Vec<Vec<f64>>> {
        let exact: Vec<Option<Vec<f64>>> = views
            .iter()
            .map(|v| exact_lead(field.inputs(), v))
            .collect();
        // Only the views the inputs leave open go to the engine.
        let open: Vec<Viewpoint> = views
            .iter()
            .zip(&exact)
            .filter(|(_, e)| e.is_none())
            .map(|(v, _)| *v)
            .collect();
        let mut rendered = if open.is_empty() {
            Vec::new()
        } else {
            self.0.render(field, &open)?
        }
        .into_iter();
        Ok(exact
            .into_iter()
            .map(|e| e.unwrap_or_else(|| rendered.next().unwrap_or_default()))
            .collect())
    }

    /// The engine's band, with no width where the view is exact.
    fn band(
        &self,
        field: &Field,
        views: &[Viewpoint],
        level: f64,
    ) -> Result<Option<Vec<Vec<f64>>>> {
        let Some(mut band) = self.0.band(field, views, level)? else {
            return Ok(None);
        };
        for (b, v) in band.iter_mut().zip(views) {
            if exact_lead(field.inputs(), v).is_some() {
                b.iter_mut().for_each(|w| *w = 0.0);
            }
        }
        Ok(Some(band))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geometry::STANDARD_12;

    fn view(name: &str) -> Viewpoint {
        lead_view(&normalise_lead_name(name), false)
            .unwrap()
            .viewpoint
    }

    fn wave(k: f64) -> Vec<f64> {
        (0..50)
            .map(|i| (0.13 * k * i as f64).sin() + 0.1 * k)
            .collect()
    }

    #[test]
    fn limb_leads_from_i_and_ii_follow_einthoven_and_goldberger_exactly() {
        let (i, ii) = (wave(1.0), wave(2.3));
        let inputs = vec![("I".to_string(), i.clone()), ("II".to_string(), ii.clone())];
        let at = |name: &str| exact_lead(&inputs, &view(name)).unwrap();
        let want = |f: &dyn Fn(f64, f64) -> f64| -> Vec<f64> {
            i.iter().zip(&ii).map(|(&a, &b)| f(a, b)).collect()
        };
        assert_eq!(at("I"), i);
        assert_eq!(at("II"), ii);
        assert_eq!(at("III"), want(&|a, b| b - a));
        assert_eq!(at("aVR"), want(&|a, b| -(a + b) / 2.0));
        assert_eq!(at("aVL"), want(&|a, b| a - b / 2.0));
        assert_eq!(at("aVF"), want(&|a, b| b - a / 2.0));
        assert!(exact_lead(&inputs, &view("V1")).is_none());
        assert!(exact_lead(&inputs, &Viewpoint::from_degrees(70.0, 20.0)).is_none());
    }

    #[test]
    fn any_two_limb_leads_give_the_others() {
        let (i, ii) = (wave(0.7), wave(1.9));
        let all: Vec<(String, Vec<f64>)> = LIMB
            .iter()
            .map(|(n, c)| {
                let x = i
                    .iter()
                    .zip(&ii)
                    .map(|(a, b)| c[0] * a + c[1] * b)
                    .collect();
                (n.to_string(), x)
            })
            .collect();
        for a in 0..6 {
            for b in 0..6 {
                if a == b {
                    continue;
                }
                let inputs = vec![all[a].clone(), all[b].clone()];
                for (name, want) in &all {
                    let got = exact_lead(&inputs, &view(name)).unwrap();
                    let err = got
                        .iter()
                        .zip(want)
                        .map(|(g, w)| (g - w).abs())
                        .fold(0.0, f64::max);
                    assert!(err < 1e-12, "{name} from {} and {}", all[a].0, all[b].0);
                }
            }
        }
    }

    #[test]
    fn an_input_lead_comes_back_at_its_own_viewpoint_in_degrees_too() {
        let inputs: Vec<(String, Vec<f64>)> = STANDARD_12
            .iter()
            .skip(6)
            .enumerate()
            .map(|(k, n)| (n.to_string(), wave(k as f64 + 1.0)))
            .collect();
        for (name, x) in &inputs {
            let (t, p) = view(name).degrees();
            assert_eq!(
                exact_lead(&inputs, &Viewpoint::from_degrees(t, p)).as_ref(),
                Some(x)
            );
        }
        // A single limb lead fixes no other limb lead.
        let one = vec![("II".to_string(), wave(1.0))];
        assert!(exact_lead(&one, &view("aVF")).is_none());
    }
}
