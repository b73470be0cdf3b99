//! A record whose amplitudes cannot be millivolts: a surface ECG spans a few mV (rarely over
//! 10), so leads that span hundreds or thousands were stored in µV under a mV label (a CSV
//! without units, a header with the wrong unit). They are read as µV, and the record's notes
//! say so; every amplitude shown, measured and synthesized is then in true mV.

use super::Record;
use crate::signal::remove_baseline;

/// Lead span (0.5th to 99.5th percentile, mV) that three leads in four must exceed for the
/// samples to be taken as µV.
const MICROVOLT_SPAN_MV: f64 = 50.0;

/// The span of the middle 99 % of a lead's finite samples once its baseline is removed (a
/// DC-coupled recorder's drift is not the heart's amplitude); `None` without any.
fn robust_span(x: &[f64], fs: f64) -> Option<f64> {
    let clean = remove_baseline(x, fs).ok()?;
    let mut v: Vec<f64> = clean.into_iter().filter(|v| v.is_finite()).collect();
    if v.is_empty() {
        return None;
    }
    let mut at = |q: f64| {
        let k = ((v.len() - 1) as f64 * q).round() as usize;
        *v.select_nth_unstable_by(k, f64::total_cmp).1
    };
    Some(at(0.995) - at(0.005))
}

/// Read as µV a record whose lead spans say its "mV" are µV.
pub fn fix_microvolts(record: &mut Record) {
    let mut spans: Vec<f64> = record
        .leads
        .iter()
        .filter_map(|l| robust_span(&l.samples, record.fs))
        .filter(|&s| s > 0.0)
        .collect();
    if spans.is_empty() {
        return;
    }
    spans.sort_by(f64::total_cmp);
    // The lower quartile, not the median: leads that came off and rail with noise can be
    // most of a record, and must not make its real leads µV.
    let quartile = spans[spans.len() / 4];
    if quartile <= MICROVOLT_SPAN_MV {
        return;
    }
    for lead in &mut record.leads {
        lead.samples.iter_mut().for_each(|v| *v *= 1e-3);
    }
    record.notes.push(format!(
        "the leads span {quartile:.0} \"mV\" or more (three in four of them), which no heart \
         makes: read as µV ({:.2} mV)",
        quartile * 1e-3
    ));
}

/// The largest peak-to-peak span of any lead's finite samples, mV.
pub fn largest_span(record: &Record) -> f64 {
    record
        .leads
        .iter()
        .map(|l| {
            let (lo, hi) = l
                .samples
                .iter()
                .filter(|v| v.is_finite())
                .fold((f64::MAX, f64::MIN), |(lo, hi), &v| (lo.min(v), hi.max(v)));
            if hi >= lo { hi - lo } else { 0.0 }
        })
        .fold(0.0, f64::max)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::Lead;

    fn record(scale: f64) -> Record {
        let beat = |i: usize| {
            if i % 500 < 40 {
                1.5
            } else {
                0.05 * ((i % 500) as f64 / 80.0).sin()
            }
        };
        Record {
            name: "r".into(),
            fs: 500.0,
            leads: (0..3)
                .map(|k| {
                    let x = (0..5000)
                        .map(|i| scale * (k as f64 + 1.0) * beat(i))
                        .collect();
                    Lead::new(["I", "II", "V2"][k], x, false)
                })
                .collect(),
            comments: Vec::new(),
            notes: Vec::new(),
        }
    }

    #[test]
    fn microvolts_under_a_millivolt_label_are_read_as_microvolts() {
        let mut r = record(1000.0);
        fix_microvolts(&mut r);
        let ii = &r.leads[1].samples;
        assert!((ii[0] - 3.0).abs() < 1e-9, "{}", ii[0]);
        assert!(r.notes[0].contains("read as µV"), "{:?}", r.notes);
        // Real amplitudes, large ones included, are left alone, and so is a slow drift of
        // hundreds of mV (a DC-coupled recorder).
        for scale in [1.0, 5.0, 0.01] {
            let mut r = record(scale);
            for lead in &mut r.leads {
                let n = lead.samples.len() as f64;
                for (i, v) in lead.samples.iter_mut().enumerate() {
                    *v += 300.0 * i as f64 / n;
                }
            }
            let before = r.clone();
            fix_microvolts(&mut r);
            assert_eq!(r, before, "scale {scale}");
        }
        // Leads that came off and rail with noise (±30 mV), two of every three, leave the
        // record's real leads as they are.
        let mut r = record(1.0);
        for k in 0..6 {
            let x = (0..5000).map(|i| if (i * 7919 + k) % 3 == 0 { 30.0 } else { -30.0 });
            r.leads
                .push(Lead::new(&format!("ch{k}"), x.collect(), false));
        }
        let before = r.clone();
        fix_microvolts(&mut r);
        assert_eq!(r, before);
    }
}
