//! The built-in demo record: a synthetic 12-lead ECG computed from a moving heart dipole
//! projected on the lead directions, with the wave boundaries that the model defines.

use super::labels::CycleLabels;
use super::{Lead, Record};
use crate::geometry::{STANDARD_12, lead_view, normalise_lead_name};
use glam::DVec3;
use std::f64::consts::PI;

/// A synthetic demo record with its true wave boundaries.
#[derive(Debug, Clone, PartialEq)]
pub struct Demo {
    /// The twelve standard leads in mV.
    pub record: Record,
    /// Boundaries of every beat that lies wholly inside the record.
    pub labels: CycleLabels,
}

/// Name of the demo record.
pub const DEMO_NAME: &str = "demo-synthetic";

const FS: f64 = 500.0;
const N: usize = 5000;
const MEAN_RR: f64 = 60.0 / 72.0;
/// Respiratory sinus arrhythmia: RR follows breathing by a few per cent.
const RSA_DEPTH: f64 = 0.035;
const RESP_HZ: f64 = 0.25;
/// First R peak; early enough for twelve complete beats, late enough for its P wave to fit.
const FIRST_R: f64 = 0.30;
/// Fraction of a wave's peak dipole magnitude that marks its onset and offset.
const EDGE_FRACTION: f64 = 0.03;
/// Time around the R peak (s) beyond which every lobe of a beat is below a µV.
const BEAT_SPAN: (f64, f64) = (-0.4, 0.6);
const NOISE_MV: f64 = 0.006;
const SEED: u64 = 0x9E37_79B9_7F4A_7C15;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Wave {
    P,
    Qrs,
    T,
}

/// One Gaussian lobe of the heart vector; `rise`/`fall` differ for asymmetric waves (T).
struct Lobe {
    wave: Wave,
    /// Centre relative to the R peak, s.
    offset: f64,
    rise: f64,
    fall: f64,
    amp_mv: f64,
    /// Direction in the x = anterior, y = left, z = head frame (normalised on use).
    dir: DVec3,
}

/// Atrial depolarisation runs right atrium (anterior, inferior) then left atrium (posterior,
/// leftward): a P axis near +60° and a biphasic P in V1. The septum depolarises first toward
/// the right and front (q in I/V6, r in V1), the free wall toward left/inferior/posterior, the
/// basal segments last toward posterior/right/superior; repolarisation follows the R direction.
const LOBES: [Lobe; 7] = [
    lobe(Wave::P, -0.175, 0.015, 0.015, 0.09, [0.45, 0.25, -0.85]),
    lobe(Wave::P, -0.145, 0.015, 0.015, 0.10, [-0.35, 0.75, -0.5]),
    lobe(Wave::Qrs, -0.026, 0.009, 0.008, 0.25, [0.65, -0.55, 0.3]),
    lobe(Wave::Qrs, 0.0, 0.011, 0.011, 1.45, [-0.15, 0.62, -0.74]),
    lobe(Wave::Qrs, 0.028, 0.010, 0.011, 0.40, [-0.7, -0.3, 0.65]),
    lobe(Wave::T, 0.245, 0.050, 0.034, 0.30, [0.2, 0.7, -0.6]),
    // A small second component keeps the T apex rounded rather than purely Gaussian.
    lobe(Wave::T, 0.200, 0.045, 0.045, 0.06, [0.1, 0.7, -0.7]),
];

const fn lobe(wave: Wave, offset: f64, rise: f64, fall: f64, amp_mv: f64, dir: [f64; 3]) -> Lobe {
    let dir = DVec3::from_array(dir);
    Lobe {
        wave,
        offset,
        rise,
        fall,
        amp_mv,
        dir,
    }
}

impl Lobe {
    fn at(&self, dt: f64) -> DVec3 {
        let x = dt - self.offset;
        let sigma = if x < 0.0 { self.rise } else { self.fall };
        self.dir.normalize() * (self.amp_mv * (-0.5 * (x / sigma).powi(2)).exp())
    }
}

/// R-peak times (s), from one beat before the record to one past it.
fn beat_times() -> Vec<f64> {
    let end = N as f64 / FS + MEAN_RR;
    let mut t = FIRST_R - MEAN_RR;
    let mut out = Vec::new();
    while t < end {
        out.push(t);
        t += MEAN_RR * (1.0 + RSA_DEPTH * (2.0 * PI * RESP_HZ * t).sin());
    }
    out
}

fn heart_vector(t: f64, beats: &[f64]) -> DVec3 {
    let mut d = DVec3::ZERO;
    for &r in beats {
        let dt = t - r;
        if !(BEAT_SPAN.0..=BEAT_SPAN.1).contains(&dt) {
            continue;
        }
        for lobe in &LOBES {
            d += lobe.at(dt);
        }
    }
    d
}

/// Onset and offset samples of one wave of the beat whose R peak is at `r` seconds.
fn wave_span(r: f64, wave: Wave) -> (i64, i64) {
    let lobes: Vec<&Lobe> = LOBES.iter().filter(|l| l.wave == wave).collect();
    let lo = ((r + BEAT_SPAN.0) * FS).floor() as i64;
    let hi = ((r + BEAT_SPAN.1) * FS).ceil() as i64;
    let mags: Vec<(i64, f64)> = (lo..=hi)
        .map(|i| {
            let dt = i as f64 / FS - r;
            let v: DVec3 = lobes.iter().map(|l| l.at(dt)).sum();
            (i, v.length())
        })
        .collect();
    let peak = mags.iter().map(|&(_, m)| m).fold(0.0, f64::max);
    let above = |&&(_, m): &&(i64, f64)| m >= EDGE_FRACTION * peak;
    let on = mags.iter().find(above).map_or(lo, |&(i, _)| i);
    let off = mags.iter().rev().find(above).map_or(hi, |&(i, _)| i);
    (on, off)
}

/// xorshift64*: a fixed-seed generator keeps the demo identical on every run.
struct Rng(u64);

impl Rng {
    fn uniform(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        let x = self.0.wrapping_mul(0x2545_F491_4F6C_DD1D);
        ((x >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }

    fn gaussian(&mut self) -> f64 {
        let (u, v) = (self.uniform(), self.uniform());
        (-2.0 * u.ln()).sqrt() * (2.0 * PI * v).cos()
    }
}

fn unit(name: &str) -> DVec3 {
    lead_view(&normalise_lead_name(name), false)
        .expect("standard leads have a viewpoint")
        .viewpoint
        .unit_vector()
}

/// The demo record the app opens when no file is given.
pub fn demo_record() -> Demo {
    let beats = beat_times();
    let dipole: Vec<DVec3> = (0..N)
        .map(|i| heart_vector(i as f64 / FS, &beats))
        .collect();
    let mut rng = Rng(SEED);
    // Only I, II and the chest leads are measured; the other limb leads follow from Einthoven's
    // and Goldberger's relations, as an electrocardiograph derives them.
    let mut measured = |name: &str, k: f64| -> Vec<f64> {
        let u = unit(name);
        let phase = 0.7 * k;
        dipole
            .iter()
            .enumerate()
            .map(|(i, d)| {
                let t = i as f64 / FS;
                let wander = 0.03 * (2.0 * PI * RESP_HZ * t + phase).sin()
                    + 0.015 * (2.0 * PI * 0.13 * t + 2.0 * phase).sin();
                d.dot(u) + wander + NOISE_MV * rng.gaussian()
            })
            .collect()
    };
    let lead_i = measured("I", 0.0);
    let lead_ii = measured("II", 0.3);
    let chest: Vec<Vec<f64>> = (1..=6)
        .map(|k| measured(&format!("V{k}"), k as f64))
        .collect();
    let combine = |a: f64, b: f64| -> Vec<f64> {
        lead_i
            .iter()
            .zip(&lead_ii)
            .map(|(&i, &ii)| a * i + b * ii)
            .collect()
    };
    let limb = [
        lead_i.clone(),
        lead_ii.clone(),
        combine(-1.0, 1.0),
        combine(-0.5, -0.5),
        combine(1.0, -0.5),
        combine(-0.5, 1.0),
    ];
    let leads = STANDARD_12
        .iter()
        .zip(limb.into_iter().chain(chest))
        .map(|(name, samples)| Lead::new(name, samples, false))
        .collect();

    let mut labels = CycleLabels::default();
    for &r in &beats {
        let (p_on, p_off) = wave_span(r, Wave::P);
        let (r_on, r_off) = wave_span(r, Wave::Qrs);
        let (t_on, t_off) = wave_span(r, Wave::T);
        if p_on < 0 || t_off >= N as i64 {
            continue;
        }
        labels.p_on.push(p_on);
        labels.p_off.push(p_off);
        labels.r_on.push(r_on);
        labels.r_off.push(r_off);
        labels.t_on.push(t_on);
        labels.t_off.push(t_off);
    }
    let record = Record {
        name: DEMO_NAME.to_string(),
        fs: FS,
        leads,
        comments: vec![
            "synthetic demo ECG (heart-dipole model), not a patient recording".to_string(),
        ],
        notes: Vec::new(),
    };
    Demo { record, labels }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn samples<'a>(demo: &'a Demo, name: &str) -> &'a [f64] {
        &demo.record.lead(name).expect(name).samples
    }

    /// Largest positive and negative deflection of a lead in each QRS, from the level at onset.
    fn qrs_extremes(demo: &Demo, name: &str) -> Vec<(f64, f64)> {
        let x = samples(demo, name);
        let l = &demo.labels;
        l.r_on
            .iter()
            .zip(&l.r_off)
            .map(|(&on, &off)| {
                let base = x[on as usize];
                let seg = &x[on as usize..=off as usize];
                let hi = seg.iter().fold(f64::MIN, |m, &v| m.max(v - base));
                let lo = seg.iter().fold(f64::MAX, |m, &v| m.min(v - base));
                (hi, lo)
            })
            .collect()
    }

    /// The deflection of largest size in a segment, from the level at its start.
    fn largest(seg: &[f64]) -> f64 {
        let d = seg.iter().map(|v| v - seg[0]);
        d.fold(0.0, |m: f64, v| if v.abs() > m.abs() { v } else { m })
    }

    #[test]
    fn the_demo_is_deterministic_and_labelled() {
        let (a, b) = (demo_record(), demo_record());
        assert_eq!(a, b);
        assert_eq!(a.record.name, DEMO_NAME);
        assert!(a.record.comments[0].contains("synthetic"));
    }

    #[test]
    fn twelve_leads_of_ten_seconds_at_500_hz() {
        let d = demo_record();
        assert_eq!(d.record.fs, 500.0);
        assert_eq!(d.record.leads.len(), 12);
        for (lead, want) in d.record.leads.iter().zip(STANDARD_12) {
            assert_eq!(lead.name, want);
            assert!(lead.view.is_some());
            assert_eq!(lead.samples.len(), 5000);
            let peak = lead.samples.iter().fold(0.0, |m: f64, v| m.max(v.abs()));
            assert!(peak < 3.0 && peak > 0.1, "{want}: {peak}");
        }
    }

    #[test]
    fn limb_leads_obey_einthoven_and_goldberger() {
        let d = demo_record();
        let s = |n| samples(&d, n);
        for k in 0..N {
            let (i, ii) = (s("I")[k], s("II")[k]);
            assert!((s("III")[k] - (ii - i)).abs() < 1e-12);
            assert!((s("aVR")[k] + (i + ii) / 2.0).abs() < 1e-12);
            assert!((s("aVL")[k] - (i - ii / 2.0)).abs() < 1e-12);
            assert!((s("aVF")[k] - (ii - i / 2.0)).abs() < 1e-12);
        }
    }

    #[test]
    fn qrs_morphology_follows_the_lead_directions() {
        let d = demo_record();
        for (hi, lo) in qrs_extremes(&d, "II") {
            assert!((0.8..2.0).contains(&hi) && hi > -lo, "II R {hi}, S {lo}");
        }
        for (hi, lo) in qrs_extremes(&d, "aVR") {
            assert!(-lo > 2.0 * hi, "aVR {hi} {lo}");
        }
        for (hi, lo) in qrs_extremes(&d, "V1") {
            assert!(hi > 0.0 && -lo > hi, "V1 {hi} {lo}");
        }
        for (hi, lo) in qrs_extremes(&d, "V6") {
            assert!(hi > -lo, "V6 {hi} {lo}");
        }
        let v3: Vec<_> = qrs_extremes(&d, "V3");
        let v4: Vec<_> = qrs_extremes(&d, "V4");
        assert!(
            v3.iter().all(|(h, l)| h < &-l),
            "transition not after V3: {v3:?}"
        );
        assert!(
            v4.iter().all(|(h, l)| h > &-l),
            "transition not by V4: {v4:?}"
        );
    }

    #[test]
    fn boundaries_are_ordered_and_intervals_physiological() {
        let start = std::time::Instant::now();
        let d = demo_record();
        let elapsed = start.elapsed();
        let l = &d.labels;
        let n = l.p_on.len();
        assert!((11..=13).contains(&n), "{n} beats");
        for v in [&l.p_off, &l.r_on, &l.r_off, &l.t_on, &l.t_off] {
            assert_eq!(v.len(), n);
        }
        for k in 0..n {
            let seq = [
                l.p_on[k], l.p_off[k], l.r_on[k], l.r_off[k], l.t_on[k], l.t_off[k],
            ];
            assert!(seq.windows(2).all(|w| w[0] < w[1]), "beat {k}: {seq:?}");
            assert!(l.p_on[k] >= 0 && l.t_off[k] < N as i64);
            if k + 1 < n {
                assert!(l.t_off[k] < l.p_on[k + 1], "beat {k} overlaps the next");
            }
        }
        let ms = |a: i64, b: i64| (b - a) as f64 * 1000.0 / FS;
        let qrs: Vec<f64> = (0..n).map(|k| ms(l.r_on[k], l.r_off[k])).collect();
        let pr: Vec<f64> = (0..n).map(|k| ms(l.p_on[k], l.r_on[k])).collect();
        let qt: Vec<f64> = (0..n).map(|k| ms(l.r_on[k], l.t_off[k])).collect();
        let p: Vec<f64> = (0..n).map(|k| ms(l.p_on[k], l.p_off[k])).collect();
        let rr: Vec<f64> = l.r_on.windows(2).map(|w| ms(w[0], w[1])).collect();
        let range = |v: &[f64]| {
            let lo = v.iter().fold(f64::MAX, |m, &x| m.min(x));
            (lo, v.iter().fold(f64::MIN, |m, &x| m.max(x)))
        };
        for (what, v, lo, hi) in [
            ("QRS", &qrs, 80.0, 120.0),
            ("PR", &pr, 120.0, 200.0),
            ("QT", &qt, 350.0, 450.0),
            ("RR", &rr, 700.0, 1000.0),
        ] {
            let (a, b) = range(v);
            assert!(a >= lo && b <= hi, "{what} {a}..{b} ms");
            println!("{what}: {a:.0}..{b:.0} ms");
        }
        println!(
            "P: {:?} ms; {n} complete beats; built in {elapsed:?}",
            range(&p)
        );
        for name in STANDARD_12 {
            let (r, s) = qrs_extremes(&d, name)[0];
            let x = samples(&d, name);
            let t = largest(&x[l.t_on[0] as usize..=l.t_off[0] as usize]);
            let pk = largest(&x[l.p_on[0] as usize..=l.p_off[0] as usize]);
            println!("{name:>4}: P {pk:+.2}  R {r:+.2}  S {s:+.2}  T {t:+.2} mV");
        }
    }
}
