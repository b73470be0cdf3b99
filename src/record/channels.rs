//! Twelve channels with generic names (`ECG1` … `ECG12`, `CH0` … `CH11`, `1` … `12`) read as
//! the standard 12 leads when their signals prove the usual order.
//!
//! Many exports number a 12-lead cart's channels instead of naming them. The usual order (I,
//! II, III, aVR, aVL, aVF, V1–V6) cannot be taken on trust, but its first six channels can be
//! checked: the limb leads of one recording obey Einthoven's law (I + III = II) and
//! Goldberger's (aVR = −(I + II)/2, aVL = (I − III)/2, aVF = (II + III)/2) whether the cart
//! records or derives them. Only when all four hold are the channels renamed, and the
//! record's notes say so; the chest leads' order is the cart's convention that comes with it.

use super::{Lead, Record};
use crate::geometry::{STANDARD_12, normalise_lead_name};
use crate::signal::remove_baseline;

/// Largest RMS of a limb-lead relation's residual, as a share of the RMS of the leads it
/// ties: a recorded lead set misses Einthoven's law by electrode noise, a few per cent.
const MAX_RESIDUAL: f64 = 0.1;

/// The channel's name split into a text stem and its number ("ECG 12" → ("ecg", 12)).
fn numbered(name: &str) -> Option<(String, u32)> {
    let name = name.trim();
    let digits = name.len() - name.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    let (stem, number) = name.split_at(name.len() - digits);
    let number: u32 = number.parse().ok()?;
    let stem: String = stem
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect();
    Some((stem, number))
}

/// True when the leads are twelve channels of one stem numbered in file order from 0 or 1,
/// none of them a lead the program knows.
fn generic_twelve(leads: &[Lead]) -> bool {
    if leads.len() != STANDARD_12.len() || leads.iter().any(|l| l.view.is_some()) {
        return false;
    }
    if leads.iter().any(|l| normalise_lead_name(&l.raw_name).known) {
        return false;
    }
    let Some(parsed) = leads
        .iter()
        .map(|l| numbered(&l.raw_name))
        .collect::<Option<Vec<_>>>()
    else {
        return false;
    };
    let first = parsed[0].1;
    (first == 0 || first == 1)
        && parsed
            .iter()
            .enumerate()
            .all(|(i, (stem, n))| *stem == parsed[0].0 && *n == first + i as u32)
}

/// Root mean square of the finite values of `x` (0 without any).
fn rms(x: impl Iterator<Item = f64>) -> f64 {
    let (sum, n) = x
        .filter(|v| v.is_finite())
        .fold((0.0, 0usize), |(s, n), v| (s + v * v, n + 1));
    if n == 0 { 0.0 } else { (sum / n as f64).sqrt() }
}

/// The largest residual of the four limb-lead relations over the first six channels, as a
/// share of the leads' RMS; `None` when a channel is flat or cannot be filtered.
pub fn limb_relation_residual(leads: &[Lead], fs: f64) -> Option<f64> {
    let x: Vec<Vec<f64>> = leads
        .iter()
        .take(6)
        .map(|l| remove_baseline(&l.samples, fs).ok())
        .collect::<Option<_>>()?;
    if x.len() < 6 {
        return None;
    }
    let scale = x
        .iter()
        .map(|v| rms(v.iter().copied()))
        .fold(f64::INFINITY, f64::min);
    if scale <= 1e-6 {
        return None;
    }
    let n = x[0].len();
    let relation = |f: &dyn Fn(usize) -> f64| rms((0..n).map(f)) / scale;
    let (i, ii, iii, avr, avl, avf) = (&x[0], &x[1], &x[2], &x[3], &x[4], &x[5]);
    let residuals = [
        relation(&|t| i[t] + iii[t] - ii[t]),
        relation(&|t| avr[t] + (i[t] + ii[t]) / 2.0),
        relation(&|t| avl[t] - (i[t] - iii[t]) / 2.0),
        relation(&|t| avf[t] - (ii[t] + iii[t]) / 2.0),
    ];
    Some(residuals.into_iter().fold(0.0, f64::max))
}

/// Rename twelve generically numbered channels as the standard 12 leads when their limb-lead
/// relations hold (see the module's note); otherwise leave the record as it is.
pub fn name_numbered_channels(record: &mut Record) {
    if !generic_twelve(&record.leads) {
        return;
    }
    let Some(residual) = limb_relation_residual(&record.leads, record.fs) else {
        return;
    };
    if residual > MAX_RESIDUAL {
        record.notes.push(format!(
            "twelve numbered channels ({} … {}) kept as they are: their first six do not obey \
             Einthoven's and Goldberger's relations as I, II, III, aVR, aVL, aVF would \
             (residual {:.0} % of the signal)",
            record.leads[0].raw_name,
            record.leads[11].raw_name,
            100.0 * residual
        ));
        return;
    }
    let first = record.leads[0].raw_name.clone();
    let last = record.leads[11].raw_name.clone();
    for (lead, name) in record.leads.iter_mut().zip(STANDARD_12) {
        let samples = std::mem::take(&mut lead.samples);
        let raw = std::mem::take(&mut lead.raw_name);
        *lead = Lead::new(name, samples, false);
        lead.raw_name = raw;
    }
    record.notes.push(format!(
        "twelve numbered channels ({first} … {last}) read as I, II, III, aVR, aVL, aVF, V1–V6: \
         their first six obey Einthoven's and Goldberger's relations (residual {:.1} % of the \
         signal); the chest leads are taken in the usual order V1 to V6",
        100.0 * residual
    ));
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Twelve leads of a plausible heart vector (limb leads derived, chest leads distinct).
    fn leads(names: &[String], tamper: bool) -> Vec<Lead> {
        let n = 2000;
        let fs = 500.0;
        let wave = |t: f64, f: f64, p: f64| (2.0 * std::f64::consts::PI * f * t + p).sin();
        let (mut i, mut ii) = (Vec::new(), Vec::new());
        for k in 0..n {
            let t = k as f64 / fs;
            i.push(0.6 * wave(t, 1.3, 0.0) + 0.2 * wave(t, 7.0, 1.0));
            ii.push(0.9 * wave(t, 1.3, 0.4) + 0.3 * wave(t, 5.0, 2.0));
        }
        let iii: Vec<f64> = ii.iter().zip(&i).map(|(b, a)| b - a).collect();
        let mut avr: Vec<f64> = i.iter().zip(&ii).map(|(a, b)| -(a + b) / 2.0).collect();
        if tamper {
            avr.iter_mut().for_each(|v| *v = -*v);
        }
        let avl: Vec<f64> = i.iter().zip(&iii).map(|(a, c)| (a - c) / 2.0).collect();
        let avf: Vec<f64> = ii.iter().zip(&iii).map(|(b, c)| (b + c) / 2.0).collect();
        let mut all = vec![i, ii, iii, avr, avl, avf];
        for c in 0..6 {
            all.push(
                (0..n)
                    .map(|k| wave(k as f64 / fs, 1.1 + 0.3 * c as f64, c as f64))
                    .collect(),
            );
        }
        names
            .iter()
            .zip(all)
            .map(|(name, s)| Lead::new(name, s, false))
            .collect()
    }

    fn record(names: &[String], tamper: bool) -> Record {
        Record {
            name: "r".into(),
            fs: 500.0,
            leads: leads(names, tamper),
            comments: Vec::new(),
            notes: Vec::new(),
        }
    }

    fn names(stem: &str, from: u32) -> Vec<String> {
        (from..from + 12).map(|k| format!("{stem}{k}")).collect()
    }

    #[test]
    fn numbered_channels_that_obey_einthoven_become_the_standard_leads() {
        for (stem, from) in [("ECG", 1), ("CH", 0), ("", 1), ("Channel ", 1)] {
            let mut r = record(&names(stem, from), false);
            name_numbered_channels(&mut r);
            let got: Vec<&str> = r.leads.iter().map(|l| l.name.as_str()).collect();
            assert_eq!(got, STANDARD_12, "{stem}{from}");
            assert!(r.leads.iter().all(|l| l.view.is_some()));
            assert_eq!(r.leads[0].raw_name, format!("{stem}{from}"));
            assert!(r.notes[0].contains("Einthoven"), "{:?}", r.notes);
        }
    }

    #[test]
    fn channels_that_break_the_limb_relations_keep_their_names() {
        let mut r = record(&names("ECG", 1), true);
        name_numbered_channels(&mut r);
        assert_eq!(r.leads[3].name, "ECG4");
        assert!(r.leads.iter().all(|l| l.view.is_none()));
        assert!(r.notes[0].contains("kept as they are"), "{:?}", r.notes);
    }

    #[test]
    fn only_twelve_channels_of_one_stem_numbered_in_order_are_candidates() {
        let mut shuffled = names("ECG", 1);
        shuffled.swap(0, 1);
        let mut mixed = names("ECG", 1);
        mixed[5] = "CH6".into();
        for n in [shuffled, mixed, names("ECG", 2)] {
            let mut r = record(&n, false);
            name_numbered_channels(&mut r);
            assert!(r.leads.iter().all(|l| l.view.is_none()), "{n:?}");
            assert!(r.notes.is_empty());
        }
        let mut short = record(&names("ECG", 1), false);
        short.leads.truncate(11);
        name_numbered_channels(&mut short);
        assert!(short.notes.is_empty());
        // Named leads are never renamed.
        let standard: Vec<String> = STANDARD_12.iter().map(|s| s.to_string()).collect();
        let mut named = record(&standard, false);
        name_numbered_channels(&mut named);
        assert!(named.notes.is_empty());
    }
}
