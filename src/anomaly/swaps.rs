//! Electrode misplacements: simulated as an ECG cart would record them, and recognised by how
//! much better the record's leads restore one another once the swap is undone.

use super::{AnomalyMap, FLAT_MV, anomaly_map};
use crate::delineate::CycleBounds;
use crate::error::{Error, Result};
use crate::panorama::Engine;
use crate::record::{Lead, Record};
use serde::Serialize;

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

fn span(x: &[f64]) -> f64 {
    let (lo, hi) = x
        .iter()
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), &v| {
            (l.min(v), h.max(v))
        });
    hi - lo
}

/// Check `record` for electrode swaps on `cycles` (a few are enough): each swap that undoes
/// itself is undone and the record rescored; a leg swap shows as a flat II (right arm) or III
/// (left arm) between non-flat limb leads.
pub fn check_swaps(
    engine: &dyn Engine,
    record: &Record,
    cycles: &[CycleBounds],
) -> Result<SwapCheck> {
    let score = |r: &Record| -> Result<f64> {
        anomaly_map(engine, r, cycles).map(|m: AnomalyMap| m.raw_score())
    };
    let base = score(record)?;
    let span_of = |n: &str| record.lead(n).map_or(f64::NAN, |l| span(&l.samples));
    let mut evidence = Vec::new();
    for swap in Swap::all() {
        let e = if swap.undoes_itself() {
            match swap.apply(record) {
                Ok(undone) => base - score(&undone)?,
                Err(_) => f64::NAN,
            }
        } else {
            let (flat, others) = match swap {
                Swap::RaLeg => ("II", ["I", "III"]),
                _ => ("III", ["I", "II"]),
            };
            let live = others.iter().all(|n| span_of(n) >= 10.0 * FLAT_MV);
            if span_of(flat) < FLAT_MV && live {
                FLAT_EVIDENCE
            } else {
                f64::NAN
            }
        };
        evidence.push((swap, e));
    }
    Ok(SwapCheck {
        score: base,
        evidence,
    })
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
}
