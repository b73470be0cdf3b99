//! Electrode misplacements: simulated as an ECG cart would record them, and recognised by how
//! much better the record's leads restore one another once the swap is undone.

use super::phase::Phase;
use super::{AnomalyMap, FLAT_MV, anomaly_map};
use crate::delineate::CycleBounds;
use crate::error::{Error, Result};
use crate::panorama::Engine;
use crate::record::{Lead, Record, finite_span};
use serde::{Deserialize, Serialize};

/// One electrode misplacement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Swap {
    /// Left and right arm electrodes exchanged.
    LaRa,
    /// Left arm and left leg exchanged.
    LaLl,
    /// Right arm and left leg exchanged.
    RaLl,
    /// Right arm electrode on a leg (the right leg's, the cart's ground, on the arm).
    RaLeg,
    /// Left arm electrode on a leg.
    LaLeg,
    /// Chest electrodes V`k` and V`k+1` exchanged (k = 1…5).
    Chest(u8),
}

impl Swap {
    /// Every swap simulated and looked for.
    pub fn all() -> Vec<Swap> {
        let mut v = vec![Swap::LaRa, Swap::LaLl, Swap::RaLl, Swap::RaLeg, Swap::LaLeg];
        v.extend((1..=5).map(Swap::Chest));
        v
    }

    /// How clinicians name it ("LA/RA", "V2/V3").
    pub fn name(self) -> String {
        match self {
            Swap::LaRa => "LA/RA".into(),
            Swap::LaLl => "LA/LL".into(),
            Swap::RaLl => "RA/LL".into(),
            Swap::RaLeg => "RA/leg".into(),
            Swap::LaLeg => "LA/leg".into(),
            Swap::Chest(k) => format!("V{k}/V{}", k + 1),
        }
    }

    /// True for the limb-electrode swaps.
    pub fn is_limb(self) -> bool {
        !matches!(self, Swap::Chest(_))
    }

    /// The leads the swap changes beyond Wilson's terminal's small shift: what its evidence is
    /// read on when only those leads count ([`Evidence::Touched`]).
    pub fn touched(self) -> Vec<String> {
        let own = |names: &[&str]| names.iter().map(|n| n.to_string()).collect();
        match self {
            Swap::LaRa => own(&["I", "II", "III", "aVR", "aVL"]),
            Swap::LaLl => own(&["I", "II", "III", "aVL", "aVF"]),
            Swap::RaLl => own(&["I", "II", "III", "aVR", "aVF"]),
            Swap::RaLeg | Swap::LaLeg => own(&super::groups::LIMB),
            Swap::Chest(k) => vec![format!("V{k}"), format!("V{}", k + 1)],
        }
    }

    /// True when recording the swapped record with the same swap undoes it.
    fn undoes_itself(self) -> bool {
        !matches!(self, Swap::RaLeg | Swap::LaLeg)
    }

    /// `record` as a cart would have recorded it with this swap: every lead that depends on the
    /// swapped electrodes recomputed (limb leads, and the chest leads through Wilson's central
    /// terminal); the leg electrode's potential is taken as the left leg's.
    pub fn apply(self, record: &Record) -> Result<Record> {
        let get = |n: &str| {
            record.lead(n).map(|l| l.samples.clone()).ok_or_else(|| {
                Error::Invalid(format!("{}: simulating a swap needs lead {n}", record.name))
            })
        };
        let (i, ii) = (get("I")?, get("II")?);
        let mut out = record.clone();
        if let Swap::Chest(k) = self {
            let (a, b) = (format!("V{k}"), format!("V{}", k + 1));
            let (xa, xb) = (get(&a)?, get(&b)?);
            set(&mut out, &a, xb);
            set(&mut out, &b, xa);
            return Ok(out);
        }
        // Potentials with the right arm as zero: LA = I, LL = II, and a leg reads as LL.
        let n = i.len();
        let mut limb = vec![[0.0f64; 6]; n];
        let mut wct_shift = vec![0.0; n];
        for t in 0..n {
            let (ra, la, ll) = (0.0, i[t], ii[t]);
            let (ra2, la2, ll2) = match self {
                Swap::LaRa => (la, ra, ll),
                Swap::LaLl => (ra, ll, la),
                Swap::RaLl => (ll, la, ra),
                Swap::RaLeg => (ll, la, ll),
                Swap::LaLeg => (ra, ll, ll),
                Swap::Chest(_) => (ra, la, ll),
            };
            limb[t] = [
                la2 - ra2,
                ll2 - ra2,
                ll2 - la2,
                ra2 - (la2 + ll2) / 2.0,
                la2 - (ra2 + ll2) / 2.0,
                ll2 - (ra2 + la2) / 2.0,
            ];
            wct_shift[t] = (ra + la + ll - ra2 - la2 - ll2) / 3.0;
        }
        for (j, name) in super::groups::LIMB.iter().enumerate() {
            set(&mut out, name, limb.iter().map(|r| r[j]).collect());
        }
        for name in super::groups::CHEST {
            let x = get(name)?;
            set(
                &mut out,
                name,
                x.iter().zip(&wct_shift).map(|(v, d)| v + d).collect(),
            );
        }
        Ok(out)
    }
}

fn set(record: &mut Record, name: &str, samples: Vec<f64>) {
    match record.leads.iter_mut().find(|l| l.name == name) {
        Some(l) => l.samples = samples,
        None => record.leads.push(Lead::new(name, samples, false)),
    }
}

/// Cycles a swap is checked on: enough from the middle of the record that one noisy beat
/// does not decide.
pub const SWAP_CYCLES: usize = 8;

/// Up to [`SWAP_CYCLES`] cycles from the middle of `cycles`.
pub fn middle_cycles(cycles: &[CycleBounds]) -> &[CycleBounds] {
    let n = cycles.len().min(SWAP_CYCLES);
    let start = (cycles.len() - n) / 2;
    &cycles[start..start + n]
}

/// What the swap check found.
#[derive(Debug, Clone, Serialize)]
pub struct SwapCheck {
    /// The record's own score ([`AnomalyMap::raw_score`]) on the cycles checked.
    pub score: f64,
    /// Per swap: how much the score falls when the swap is undone (higher: more likely).
    pub evidence: Vec<(Swap, f64)>,
}

impl SwapCheck {
    /// The most likely swap and its evidence.
    pub fn best(&self) -> Option<(Swap, f64)> {
        self.evidence
            .iter()
            .copied()
            .filter(|(_, e)| e.is_finite())
            .max_by(|a, b| a.1.total_cmp(&b.1))
    }
}

/// Evidence a flat lead gives for a leg swap: a lead that is flat while its neighbours are not
/// is what a limb electrode on the leg records (or a lead not connected).
const FLAT_EVIDENCE: f64 = 10.0;

/// How a swap's evidence is read from the maps before and after undoing it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Evidence {
    /// The fall of the record's mean log lead score, over all its leads.
    #[default]
    AllLeads,
    /// The fall of the mean log lead score over the leads the swap changes.
    Touched,
    /// The same over the QRS and ST–T of the leads the swap changes.
    TouchedPhases,
}

impl Evidence {
    /// Every method, in the order tried.
    pub const ALL: [Evidence; 3] = [
        Evidence::AllLeads,
        Evidence::Touched,
        Evidence::TouchedPhases,
    ];

    /// The record's restoration score on `leads` by this method (lower: the leads agree).
    fn score(self, map: &AnomalyMap, leads: &[String]) -> f64 {
        let logs: Vec<f64> = match self {
            Evidence::AllLeads => return map.raw_score(),
            Evidence::Touched => leads.iter().filter_map(|l| map.lead_score(l)).collect(),
            Evidence::TouchedPhases => leads
                .iter()
                .flat_map(|l| [Phase::Qrs, Phase::StT].map(|p| map.phase_score(l, p)))
                .flatten()
                .collect(),
        };
        let logs: Vec<f64> = logs.into_iter().filter(|v| *v > 0.0).map(f64::ln).collect();
        if logs.is_empty() {
            f64::NAN
        } else {
            logs.iter().sum::<f64>() / logs.len() as f64
        }
    }
}

/// The maps a swap check reads: the record's own and, per swap that undoes itself, the map
/// of the record with it undone; a leg swap's evidence from flat leads.
pub struct SwapMaps {
    base: AnomalyMap,
    undone: Vec<(Swap, Option<AnomalyMap>)>,
    legs: Vec<(Swap, f64)>,
}

impl SwapMaps {
    /// The check by `how`.
    pub fn check(&self, how: Evidence) -> SwapCheck {
        let mut evidence: Vec<(Swap, f64)> = self
            .undone
            .iter()
            .map(|(swap, map)| {
                let leads = swap.touched();
                let e = map.as_ref().map_or(f64::NAN, |m| {
                    how.score(&self.base, &leads) - how.score(m, &leads)
                });
                (*swap, e)
            })
            .collect();
        evidence.extend(self.legs.iter().copied());
        let order = Swap::all();
        evidence.sort_by_key(|(s, _)| order.iter().position(|o| o == s));
        SwapCheck {
            score: self.base.raw_score(),
            evidence,
        }
    }
}

/// The maps of `record` on `cycles` (a few are enough) before and after undoing each swap
/// that undoes itself; a leg swap shows as a flat II (right arm) or III (left arm) between
/// non-flat limb leads.
pub fn swap_maps(engine: &dyn Engine, record: &Record, cycles: &[CycleBounds]) -> Result<SwapMaps> {
    let base = anomaly_map(engine, record, cycles)?;
    // A lead without a finite sample spans nothing: flat, not live.
    let span_of = |n: &str| {
        record
            .lead(n)
            .map_or(f64::NAN, |l| finite_span(&l.samples).unwrap_or(0.0))
    };
    let flat_in_record = |n: &String| record.lead(n).is_some() && span_of(n) < FLAT_MV;
    let mut undone = Vec::new();
    let mut legs = Vec::new();
    for swap in Swap::all() {
        if swap.undoes_itself() {
            // Undoing a swap that moves a flat lead only moves the flat signal: the leads
            // scored before and after differ, and the scores say nothing of the swap.
            let moves_a_flat_lead = swap.touched().iter().any(flat_in_record);
            let map = match swap.apply(record) {
                Ok(r) if !moves_a_flat_lead => Some(anomaly_map(engine, &r, cycles)?),
                _ => None,
            };
            undone.push((swap, map));
        } else {
            let e = if leg_swap_flattens(record, swap, &span_of) {
                FLAT_EVIDENCE
            } else {
                f64::NAN
            };
            legs.push((swap, e));
        }
    }
    Ok(SwapMaps { base, undone, legs })
}

/// True when `record` looks as a leg swap records it: II flat (right arm on the leg) or III
/// flat (left arm) between live limb leads, **and** Einthoven's law holding across it
/// (I + III flat with II, II − I with III). A flat lead whose neighbours do not sum to it is a
/// lost contact or an empty channel, not an electrode on the leg.
fn leg_swap_flattens(record: &Record, swap: Swap, span_of: &dyn Fn(&str) -> f64) -> bool {
    // II = I + III; III = II − I: with `flat` near zero the pair cancels.
    let (flat, others, across): (_, _, fn(f64, f64) -> f64) = match swap {
        Swap::RaLeg => ("II", ["I", "III"], |i, iii| i + iii),
        _ => ("III", ["I", "II"], |i, ii| ii - i),
    };
    let live = others.iter().all(|n| span_of(n) >= 10.0 * FLAT_MV);
    if !(live && span_of(flat) < FLAT_MV) {
        return false;
    }
    let (Some(a), Some(b)) = (record.lead(others[0]), record.lead(others[1])) else {
        return false;
    };
    let sum: Vec<f64> = a
        .samples
        .iter()
        .zip(&b.samples)
        .map(|(&x, &y)| across(x, y))
        .collect();
    finite_span(&sum).is_some_and(|span| span < 0.1 * span_of(others[0]).max(10.0 * FLAT_MV))
}

/// Check `record` for electrode swaps on `cycles`, the evidence read by `how`.
pub fn check_swaps(
    engine: &dyn Engine,
    record: &Record,
    cycles: &[CycleBounds],
    how: Evidence,
) -> Result<SwapCheck> {
    Ok(swap_maps(engine, record, cycles)?.check(how))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record() -> Record {
        let names = crate::geometry::STANDARD_12;
        let leads = names
            .iter()
            .enumerate()
            .map(|(k, n)| {
                Lead::new(
                    n,
                    (0..50).map(|t| (t * (k + 1)) as f64 * 0.01).collect(),
                    false,
                )
            })
            .collect();
        let mut r = Record {
            name: "r".into(),
            fs: 500.0,
            leads,
            comments: Vec::new(),
            notes: Vec::new(),
        };
        // Consistent limb leads: III = II − I and the augmented ones from I and II.
        let (i, ii) = (
            r.lead("I").unwrap().samples.clone(),
            r.lead("II").unwrap().samples.clone(),
        );
        let f = |a: f64, b: f64| -> Vec<f64> {
            i.iter().zip(&ii).map(|(x, y)| a * x + b * y).collect()
        };
        set(&mut r, "III", f(-1.0, 1.0));
        set(&mut r, "aVR", f(-0.5, -0.5));
        set(&mut r, "aVL", f(1.0, -0.5));
        set(&mut r, "aVF", f(-0.5, 1.0));
        r
    }

    #[test]
    fn an_arm_swap_inverts_lead_i_and_exchanges_ii_and_iii() {
        let r = record();
        let s = Swap::LaRa.apply(&r).unwrap();
        let l = |r: &Record, n: &str| r.lead(n).unwrap().samples.clone();
        let neg: Vec<f64> = l(&r, "I").iter().map(|v| -v).collect();
        assert_eq!(l(&s, "I"), neg);
        assert_eq!(l(&s, "II"), l(&r, "III"));
        assert_eq!(l(&s, "aVR"), l(&r, "aVL"));
        // The central terminal is symmetric in the arms: the chest leads do not move.
        assert_eq!(l(&s, "V3"), l(&r, "V3"));
        // Undone by itself.
        let back = Swap::LaRa.apply(&s).unwrap();
        for n in crate::geometry::STANDARD_12 {
            for (a, b) in l(&back, n).iter().zip(l(&r, n)) {
                assert!((a - b).abs() < 1e-12, "{n}");
            }
        }
    }

    #[test]
    fn a_right_arm_on_the_leg_flattens_lead_ii_and_shifts_the_chest() {
        let r = record();
        let s = Swap::RaLeg.apply(&r).unwrap();
        assert!(
            s.lead("II")
                .unwrap()
                .samples
                .iter()
                .all(|v| v.abs() < 1e-12)
        );
        let ii = r.lead("II").unwrap().samples.clone();
        for ((a, b), d) in s
            .lead("V2")
            .unwrap()
            .samples
            .iter()
            .zip(&r.lead("V2").unwrap().samples)
            .zip(&ii)
        {
            assert!((a - (b - d / 3.0)).abs() < 1e-12);
        }
        let c = Swap::Chest(2).apply(&r).unwrap();
        assert_eq!(c.lead("V2").unwrap().samples, r.lead("V3").unwrap().samples);
        assert_eq!(Swap::Chest(2).name(), "V2/V3");
        assert_eq!(Swap::all().len(), 10);
    }

    #[test]
    fn a_flat_lead_is_a_leg_swap_only_when_einthoven_holds_across_it() {
        let span = |r: &Record| {
            let r = r.clone();
            move |n: &str| {
                r.lead(n)
                    .map_or(f64::NAN, |l| finite_span(&l.samples).unwrap_or(0.0))
            }
        };
        let r = record();
        let swapped = Swap::RaLeg.apply(&r).unwrap();
        assert!(leg_swap_flattens(&swapped, Swap::RaLeg, &span(&swapped)));
        assert!(!leg_swap_flattens(&r, Swap::RaLeg, &span(&r)));
        let left = Swap::LaLeg.apply(&r).unwrap();
        assert!(leg_swap_flattens(&left, Swap::LaLeg, &span(&left)));
        // Lead II lost (a zeroed channel) while I and III still record: a fault, not a swap.
        let mut lost = r.clone();
        set(&mut lost, "II", vec![0.0; 50]);
        assert!(!leg_swap_flattens(&lost, Swap::RaLeg, &span(&lost)));
    }

    #[test]
    fn the_swap_s_own_leads_carry_its_evidence_without_the_others_noise() {
        use crate::delineate::CycleBounds;
        let b = CycleBounds::new([0, 40, 60, 110, 150, 250, 400], 500).unwrap();
        let leads: Vec<String> = crate::geometry::STANDARD_12
            .iter()
            .map(|s| s.to_string())
            .collect();
        // Undoing V5/V6 halves their error; a noisy V1 gets worse at the same time.
        let map = |v56: f64, v1: f64| {
            let samples: Vec<Vec<f64>> = leads
                .iter()
                .map(|l| {
                    let v = match l.as_str() {
                        "V5" | "V6" => v56,
                        "V1" => v1,
                        _ => 1.0,
                    };
                    vec![v; 500]
                })
                .collect();
            let lead_scores = samples.iter().map(|s| s[0]).collect();
            AnomalyMap {
                leads: leads.clone(),
                samples,
                cycles: vec![b],
                cycle_scores: Vec::new(),
                lead_scores,
                unscored: Vec::new(),
                shapes: None,
            }
        };
        let maps = SwapMaps {
            base: map(2.0, 1.0),
            undone: vec![(Swap::Chest(5), Some(map(1.0, 8.0)))],
            legs: Vec::new(),
        };
        let all = maps.check(Evidence::AllLeads).evidence[0].1;
        assert!(all < 0.0, "over all leads the noise wins: {all}");
        for how in [Evidence::Touched, Evidence::TouchedPhases] {
            let (swap, e) = maps.check(how).best().unwrap();
            assert_eq!(swap, Swap::Chest(5));
            assert!((e - 2f64.ln()).abs() < 1e-9, "{how:?}: {e}");
        }
    }
}
