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
/// The limb leads from the chest leads; V1–V3 from I, II and the chest leads V4–V6 present;
/// V4–V6 from I, II and V1–V3 (the chest halves are far enough apart that a swap of neighbours
/// shows in one and is restored from the other). With leads missing (a flat one left out, a
/// two-lead Holter record) the same rule runs on what is there: no limb lead is ever restored
/// from two others, which fix it exactly (Einthoven, Goldberger) and would score it perfect
/// whatever its electrodes did. Leads outside the twelve (Frank's, unknown names with a
/// viewpoint) restore and are restored from all the others, unless the twelve are complete.
pub fn groups(leads: &[&str]) -> Vec<Group> {
    let pick = |set: &[&'static str]| -> Vec<&'static str> {
        set.iter().copied().filter(|n| leads.contains(n)).collect()
    };
    let limb = pick(&LIMB);
    let full = STANDARD_12.iter().all(|n| leads.contains(n));
    let other: Vec<&str> = if full {
        Vec::new()
    } else {
        leads
            .iter()
            .copied()
            .filter(|n| !LIMB.contains(n) && !CHEST.contains(n))
            .collect()
    };
    // Two limb leads give the whole frontal plane; I and II as the 12-lead plan takes them.
    let frontal: Vec<&str> = if limb.contains(&"I") && limb.contains(&"II") {
        vec!["I", "II"]
    } else {
        limb.iter().copied().take(2).collect()
    };
    let mut out = Vec::new();
    let limb_inputs: Vec<&str> = pick(&CHEST).into_iter().chain(other.clone()).collect();
    if !limb_inputs.is_empty() {
        if !limb.is_empty() {
            out.push(group(&limb, &limb_inputs));
        }
    } else {
        // Only limb leads: each from a single other one (II, or I for II itself).
        for &t in &limb {
            let source = ["II", "I"]
                .into_iter()
                .chain(limb.iter().copied())
                .find(|&o| o != t && limb.contains(&o));
            if let Some(o) = source {
                out.push(group(&[t], &[o]));
            }
        }
    }
    for (half, opposite) in [(&CHEST[..3], &CHEST[3..]), (&CHEST[3..], &CHEST[..3])] {
        let targets = pick(half);
        let inputs: Vec<&str> = frontal
            .iter()
            .copied()
            .chain(pick(opposite))
            .chain(other.clone())
            .collect();
        if targets.is_empty() {
            continue;
        }
        if !inputs.is_empty() {
            out.push(group(&targets, &inputs));
            continue;
        }
        // Only this half of the chest: each lead from its neighbours.
        for &t in &targets {
            let rest: Vec<&str> = targets.iter().copied().filter(|&o| o != t).collect();
            if !rest.is_empty() {
                out.push(group(&[t], &rest));
            }
        }
    }
    for &t in &other {
        let rest: Vec<&str> = leads.iter().copied().filter(|&o| o != t).collect();
        if !rest.is_empty() {
            out.push(group(&[t], &rest));
        }
    }
    out
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

    /// True when some group restores a limb lead from two or more other limb leads, which fix
    /// it exactly.
    fn limb_from_limbs(g: &[Group]) -> bool {
        g.iter().any(|g| {
            g.targets.iter().any(|t| LIMB.contains(&t.as_str()))
                && g.inputs
                    .iter()
                    .filter(|i| LIMB.contains(&i.as_str()))
                    .count()
                    >= 2
        })
    }

    #[test]
    fn with_a_lead_missing_no_limb_lead_vouches_for_another() {
        let eleven: Vec<&str> = STANDARD_12.iter().copied().filter(|&n| n != "V3").collect();
        let g = groups(&eleven);
        assert!(!limb_from_limbs(&g), "{g:?}");
        assert_eq!(g[0].inputs, ["V1", "V2", "V4", "V5", "V6"]);
        assert_eq!(g[1].targets, ["V1", "V2"]);
        assert_eq!(g[1].inputs, ["I", "II", "V4", "V5", "V6"]);
        let no_ii: Vec<&str> = STANDARD_12.iter().copied().filter(|&n| n != "II").collect();
        assert!(!limb_from_limbs(&groups(&no_ii)));
        // Limb leads only (a six-lead device): each from one other.
        let six = groups(&LIMB);
        assert_eq!(six.len(), 6);
        assert!(!limb_from_limbs(&six));
        assert!(
            six.iter()
                .all(|g| g.inputs.len() == 1 && g.targets != g.inputs)
        );
        // A two-lead Holter record: each from the other.
        let holter = groups(&["II", "V5"]);
        assert_eq!(holter, [group(&["II"], &["V5"]), group(&["V5"], &["II"])]);
    }
}
