//! Inverted leads as Cabrera-format carts record them (−aVR between I and II): read back as
//! the lead itself, upside down again, so every view, measurement and file treats it as one.

use super::{Lead, Record};
use crate::geometry::normalise_lead_name;

/// Turn every lead named as the inverse of a known lead ("-aVR", "−aVR") into that lead, its
/// samples negated, with a note; left as it is when the record also holds the lead itself.
pub fn restore_inverted_leads(record: &mut Record) {
    let mut restored = Vec::new();
    for k in 0..record.leads.len() {
        let raw = record.leads[k].raw_name.trim().to_string();
        let Some(rest) = raw.strip_prefix(['-', '\u{2212}']) else {
            continue;
        };
        let id = normalise_lead_name(rest);
        if !id.known || record.leads.iter().any(|l| l.name == id.name) {
            continue;
        }
        let mut samples = std::mem::take(&mut record.leads[k].samples);
        samples.iter_mut().for_each(|v| *v = -*v);
        let mut lead = Lead::new(rest, samples, false);
        lead.raw_name = record.leads[k].raw_name.clone();
        record.leads[k] = lead;
        restored.push(format!("{raw} as {}", id.name));
    }
    if !restored.is_empty() {
        record.notes.push(format!(
            "inverted leads read as the leads themselves, their samples negated: {}",
            restored.join(", ")
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(names: &[&str]) -> Record {
        Record {
            name: "r".into(),
            fs: 500.0,
            leads: names
                .iter()
                .map(|n| Lead::new(n, vec![0.0, 1.0, -0.5], false))
                .collect(),
            comments: Vec::new(),
            notes: Vec::new(),
        }
    }

    #[test]
    fn a_cabrera_minus_avr_becomes_avr_upside_down() {
        let mut r = record(&["I", "-aVR", "II"]);
        restore_inverted_leads(&mut r);
        let avr = r.lead("aVR").expect("read as aVR");
        assert_eq!(avr.samples, [0.0, -1.0, 0.5]);
        assert!(avr.view.is_some());
        assert_eq!(avr.raw_name, "-aVR");
        assert!(r.notes[0].contains("-aVR as aVR"), "{:?}", r.notes);
        // With aVR itself in the record, the inverted copy stays what it is.
        let mut both = record(&["aVR", "\u{2212}aVR"]);
        restore_inverted_leads(&mut both);
        assert_eq!(both.leads[1].name, "\u{2212}aVR");
        assert!(both.notes.is_empty());
    }
}
