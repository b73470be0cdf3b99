//! Headers whose gains rescale each lead on its own. LUDB's headers give every lead its own
//! gain, equal to that lead's digital peak-to-peak range, so each lead reads exactly 1 mV peak
//! to peak. Yet the stored numbers obey Einthoven's law (II = I + III, digit for digit), which
//! holds only if all leads share one gain. The header's gains are then a per-lead normalisation,
//! not a calibration: amplitudes across leads (axis, voltage criteria, lead relations) are lost
//! unless one common gain is restored.

use super::{Record, finite_span};

/// ADC units per mV used when the header's gains turn out to be per-lead normalisations: one
/// unit per µV. With it LUDB's median QRS amplitudes lie within 1.1–1.3× of PTB-XL's, lead by
/// lead, in the same order of size.
pub const COMMON_GAIN: f64 = 1000.0;

/// How a signal's stored numbers became mV: `mV = (digital − baseline) / gain`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Calibration {
    /// ADC units per mV.
    pub gain: f64,
    /// ADC value of 0 mV.
    pub baseline: f64,
}

/// Stored numbers of a lead, back from its mV and its calibration (NaN stays NaN).
fn digital(samples: &[f64], c: Calibration) -> Vec<f64> {
    samples
        .iter()
        .map(|&v| (v * c.gain + c.baseline).round())
        .collect()
}

/// When `record`'s header gains normalise each lead to 1 mV peak to peak while its stored limb
/// leads obey Einthoven's law with one gain, rescale every lead to [`COMMON_GAIN`] and return
/// what was done, for the user. `calibrations` are the header's, one per lead in order.
pub fn restore_common_gain(record: &mut Record, calibrations: &[Calibration]) -> Option<String> {
    if calibrations.len() != record.leads.len() || record.leads.len() < 3 {
        return None;
    }
    let (lo, hi) = calibrations
        .iter()
        .fold((f64::INFINITY, 0f64), |(lo, hi), c| {
            (lo.min(c.gain), hi.max(c.gain))
        });
    if hi <= lo * 1.01 {
        return None;
    }
    let index = |name: &str| record.leads.iter().position(|l| l.name == name);
    let (i, ii, iii) = (index("I")?, index("II")?, index("III")?);
    let stored = |k: usize| digital(&record.leads[k].samples, calibrations[k]);
    let limbs = [stored(i), stored(ii), stored(iii)];
    // Each limb lead spans exactly its own gain: the signature of a per-lead normalisation.
    let normalised = limbs
        .iter()
        .zip([i, ii, iii])
        .all(|(d, k)| finite_span(d).is_some_and(|r| (r - calibrations[k].gain).abs() <= 1.0));
    if !normalised {
        return None;
    }
    let [a, b, c] = &limbs;
    let mut finite = 0usize;
    for ((a, b), c) in a.iter().zip(b).zip(c) {
        if !(a.is_finite() && b.is_finite() && c.is_finite()) {
            continue;
        }
        if (b - a - c).abs() > 1.0 {
            return None;
        }
        finite += 1;
    }
    if finite < record.len() / 2 {
        return None;
    }
    // The file's other leads were written the same way.
    for (lead, &c) in record.leads.iter_mut().zip(calibrations) {
        lead.samples = digital(&lead.samples, c)
            .into_iter()
            .map(|v| v / COMMON_GAIN)
            .collect();
    }
    let note = format!(
        "the header's gains ({lo:.0}–{hi:.0} units/mV) make every lead exactly 1 mV peak to \
         peak, but the stored leads obey Einthoven's law (II = I + III) only with one gain: \
         amplitudes read at {COMMON_GAIN:.0} units/mV (1 µV per unit) for every lead"
    );
    record.notes.push(note.clone());
    Some(note)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::Lead;

    /// Limb leads I, II = I + III, III in µV (digital at one gain), written with per-lead gains
    /// equal to each lead's range, as LUDB's headers are.
    fn normalised_record(einthoven: bool) -> (Record, Vec<Calibration>, [Vec<f64>; 3]) {
        let n = 500;
        let i: Vec<f64> = (0..n)
            .map(|t| (600.0 * (t as f64 * 0.05).sin()).round())
            .collect();
        let iii: Vec<f64> = (0..n)
            .map(|t| (300.0 * (t as f64 * 0.031 + 1.0).sin()).round())
            .collect();
        let ii: Vec<f64> = i
            .iter()
            .zip(&iii)
            .enumerate()
            .map(|(t, (a, b))| a + b + if einthoven || t != 7 { 0.0 } else { 40.0 })
            .collect();
        let digital = [i, ii, iii];
        let mut leads = Vec::new();
        let mut cals = Vec::new();
        for (name, d) in ["I", "II", "III"].iter().zip(&digital) {
            let gain = finite_span(d).unwrap();
            let baseline = 3.0;
            cals.push(Calibration { gain, baseline });
            let mv = d.iter().map(|v| (v - baseline) / gain).collect();
            leads.push(Lead::new(name, mv, false));
        }
        let record = Record {
            name: "r".into(),
            fs: 500.0,
            leads,
            comments: Vec::new(),
            notes: Vec::new(),
        };
        (record, cals, digital)
    }

    #[test]
    fn per_lead_normalised_gains_are_replaced_by_one_gain() {
        let (mut r, cals, digital) = normalised_record(true);
        let before = r.leads[1].samples.clone();
        assert!(
            (finite_span(&before).unwrap() - 1.0).abs() < 1e-9,
            "1 mV peak to peak as written"
        );
        let note = restore_common_gain(&mut r, &cals).expect("repaired");
        assert!(note.contains("Einthoven"));
        assert_eq!(r.notes, vec![note]);
        for (lead, d) in r.leads.iter().zip(&digital) {
            for (v, want) in lead.samples.iter().zip(d) {
                assert!((v - want / COMMON_GAIN).abs() < 1e-12);
            }
        }
        let (i, ii, iii) = (
            &r.leads[0].samples,
            &r.leads[1].samples,
            &r.leads[2].samples,
        );
        assert!((0..i.len()).all(|t| (ii[t] - i[t] - iii[t]).abs() < 1e-9));
    }

    #[test]
    fn leads_that_break_einthoven_keep_their_header_gains() {
        let (mut r, cals, _) = normalised_record(false);
        let before = r.clone();
        assert_eq!(restore_common_gain(&mut r, &cals), None);
        assert_eq!(r, before);
    }

    #[test]
    fn a_calibrated_header_is_left_alone() {
        let (mut r, mut cals, _) = normalised_record(true);
        // One gain for every lead: nothing to restore.
        for c in &mut cals {
            c.gain = 1000.0;
        }
        let before = r.clone();
        assert_eq!(restore_common_gain(&mut r, &cals), None);
        assert_eq!(r, before);
    }
}
