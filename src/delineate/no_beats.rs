//! Why a record gave no beats, in words a user can act on: which leads were read, which were
//! flat or empty, and whether the unit label looks wrong.

use super::{LeadUse, lead_use};
use crate::record::Record;
use crate::record::units::largest_span;

/// Why `record` gave no beats, naming its leads by what the annotator did with them.
pub fn why_no_beats(record: &Record) -> anyhow::Result<String> {
    Ok(no_beats(&lead_use(record)?, largest_span(record)))
}

/// [`why_no_beats`] when no lead holds a signal the annotator reads (all flat, empty or not
/// read), else `None`: then a record without cycles has had its marks removed or never
/// marked, and the signal is not to blame.
pub fn why_silent(record: &Record) -> anyhow::Result<Option<String>> {
    let leads = lead_use(record)?;
    Ok((!leads.iter().any(|(_, u)| *u == LeadUse::Read))
        .then(|| no_beats(&leads, largest_span(record))))
}

/// [`why_no_beats`] from each lead's use; `span` is the largest lead span (mV), which tells
/// tiny signals from zeros.
fn no_beats(leads: &[(String, LeadUse)], span: f64) -> String {
    let named = |kind: LeadUse| -> Vec<&str> {
        leads
            .iter()
            .filter(|(_, u)| *u == kind)
            .map(|(n, _)| n.as_str())
            .collect()
    };
    let (read, flat, empty, not_read) = (
        named(LeadUse::Read),
        named(LeadUse::Flat),
        named(LeadUse::Empty),
        named(LeadUse::NotRead),
    );
    let mut parts = Vec::new();
    if !read.is_empty() {
        parts.push(format!(
            "no beats found in any lead; the signal is flat or noise in {}",
            read.join(", ")
        ));
    } else {
        parts.push("no beats found: no lead the annotator reads holds a signal".to_string());
    }
    if !flat.is_empty() {
        parts.push(format!("flat: {}", flat.join(", ")));
        if read.is_empty() && span > 0.0 {
            // A whole record of microvolt-sized signals is more often volts under a mV label
            // than a recording.
            parts.push(format!(
                "no lead spans more than {:.4} mV: if the file stores volts, its unit label is \
                 wrong",
                span
            ));
        }
    }
    if !empty.is_empty() {
        parts.push(format!(
            "no samples (every value missing): {}",
            empty.join(", ")
        ));
    }
    if !not_read.is_empty() {
        parts.push(format!(
            "not read (no input slot left for them): {}",
            not_read.join(", ")
        ));
    }
    parts.join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reason_names_flat_and_empty_leads_and_a_suspect_unit() {
        let leads = vec![
            ("I".to_string(), LeadUse::Flat),
            ("II".to_string(), LeadUse::Empty),
        ];
        let why = no_beats(&leads, 0.001);
        assert!(why.starts_with("no beats found: no lead the annotator reads holds a signal"));
        assert!(why.contains("flat: I") && why.contains("every value missing): II"));
        assert!(why.contains("unit label is wrong"), "{why}");
        let read = vec![("ECG1".to_string(), LeadUse::Read)];
        assert!(no_beats(&read, 2.0).contains("flat or noise in ECG1"));
    }

    #[test]
    fn only_a_record_without_signal_is_called_silent() {
        let record = crate::record::demo::demo_record().record;
        assert_eq!(
            why_silent(&record).unwrap(),
            None,
            "the demo record has beats"
        );
        let mut flat = record.clone();
        flat.leads.iter_mut().for_each(|l| l.samples.fill(0.0));
        let why = why_silent(&flat).unwrap().expect("a flat record is silent");
        assert!(why.contains("flat: I, II, III"), "{why}");
    }
}
