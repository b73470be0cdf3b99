//! Which leads restore which: each lead is synthesized from leads that share no electrode
//! problem with it, so one bad electrode cannot vouch for itself.

use crate::geometry::STANDARD_12;

/// The limb leads: every one depends on the limb electrodes, so none restores another.
pub const LIMB: [&str; 6] = ["I", "II", "III", "aVR", "aVL", "aVF"];
/// The chest leads, in their order on the chest.
pub const CHEST: [&str; 6] = ["V1", "V2", "V3", "V4", "V5", "V6"];

/// A restoration: `targets` synthesized from `inputs`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// The leads restored.
    pub targets: Vec<String>,
    /// The leads they are restored from.
    pub inputs: Vec<String>,
}

fn group(targets: &[&str], inputs: &[&str]) -> Group {
    Group {
        targets: targets.iter().map(|s| s.to_string()).collect(),
        inputs: inputs.iter().map(|s| s.to_string()).collect(),
    }
}

/// The restorations of a record holding `leads` (canonical names; those with no viewpoint are
/// left out by the caller).
///
/// With the 12 standard leads: the limb leads from V1–V6; V1–V3 from I, II, V4–V6; V4–V6 from
/// I, II, V1–V3 (the chest halves are far enough apart that a swap of neighbours shows in one
/// and is restored from the other). Otherwise each lead from all the others.
pub fn groups(leads: &[&str]) -> Vec<Group> {
    let has = |n: &str| leads.contains(&n);
    if STANDARD_12.iter().all(|n| has(n)) {
        return vec![
            group(&LIMB, &CHEST),
            group(&CHEST[..3], &["I", "II", "V4", "V5", "V6"]),
            group(&CHEST[3..], &["I", "II", "V1", "V2", "V3"]),
        ];
    }
    leads
        .iter()
        .filter(|&&t| leads.iter().any(|&o| o != t))
        .map(|&t| {
            let others: Vec<&str> = leads.iter().copied().filter(|&o| o != t).collect();
            group(&[t], &others)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_standard_lead_is_restored_once_and_never_from_itself() {
        let g = groups(&STANDARD_12);
        let mut seen: Vec<&String> = g.iter().flat_map(|g| &g.targets).collect();
        seen.sort();
        seen.dedup();
        assert_eq!(seen.len(), 12);
        for grp in &g {
            assert!(grp.targets.iter().all(|t| !grp.inputs.contains(t)));
        }
        let two = groups(&["ECG1", "ECG2"]);
        assert_eq!(two.len(), 2);
        assert_eq!(two[0].inputs, ["ECG2"]);
        assert!(groups(&["II"]).is_empty());
    }
}
