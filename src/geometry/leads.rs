//! The lead table: names as files spell them, mapped to the viewpoints of the paper (section 5)
//! and of the clinical extra leads (`extra_leads.rs`).

use super::Viewpoint;
use super::extra_leads::{extra_name, extra_viewpoint};
use std::f64::consts::PI;

/// The twelve standard leads in their usual order.
pub const STANDARD_12: [&str; 12] = [
    "I", "II", "III", "aVR", "aVL", "aVF", "V1", "V2", "V3", "V4", "V5", "V6",
];

/// A lead name in canonical spelling, with how it was written in the file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LeadId {
    /// Canonical name (I, II, III, aVR, aVL, aVF, V1–V6, V3R–V6R, V7–V9, vx, vy, vz), or the raw
    /// name for others.
    pub name: String,
    /// True when the file's lead is a modified lead standing in for `name` (MIT-BIH's MLII, ...).
    pub approximate: bool,
    /// True when `name` is a lead of the table (standard, extra or Frank).
    pub known: bool,
}

/// Where a known lead looks from.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct LeadView {
    /// The viewpoint on the sphere.
    pub viewpoint: Viewpoint,
    /// True when the recorded lead only approximates this viewpoint (modified limb/chest leads).
    pub approximate: bool,
}

/// The viewpoint of a lead of the table (canonical name).
pub(super) fn table_viewpoint(name: &str) -> Option<Viewpoint> {
    let v = |t: f64, p: f64| Some(Viewpoint::new(t, p));
    match name {
        "I" => v(PI / 2.0, PI / 2.0),
        "II" => v(5.0 * PI / 6.0, PI / 2.0),
        "III" => v(5.0 * PI / 6.0, -PI / 2.0),
        "aVR" => v(PI / 3.0, -PI / 2.0),
        "aVL" => v(PI / 3.0, PI / 2.0),
        "aVF" => v(PI, PI / 2.0),
        "V1" => v(PI / 2.0, -PI / 18.0),
        "V2" => v(PI / 2.0, PI / 18.0),
        "V3" => v(19.0 * PI / 36.0, PI / 12.0),
        "V4" => v(11.0 * PI / 20.0, PI / 6.0),
        "V5" => v(8.0 * PI / 15.0, PI / 3.0),
        "V6" => v(8.0 * PI / 15.0, PI / 2.0),
        // Frank leads: vx toward the patient's left, vy toward the feet, vz toward the back
        // (checked on PTB s0010_re: vy follows aVF at r = 0.96, vz opposes V1/V2/V4).
        "vx" => v(PI / 2.0, PI / 2.0),
        "vy" => v(PI, 0.0),
        "vz" => v(PI / 2.0, PI),
        _ => extra_viewpoint(name),
    }
}

/// Canonical spelling of a lead name, whatever its case or decoration in the file.
pub fn normalise_lead_name(raw: &str) -> LeadId {
    let trimmed = raw.trim();
    let unknown = || LeadId {
        name: trimmed.to_string(),
        approximate: false,
        known: false,
    };
    // An inverted lead (Cabrera's −aVR) is not the lead: reading it as one would flip it.
    if trimmed.starts_with(['-', '\u{2212}']) {
        return unknown();
    }
    let lower = trimmed.to_ascii_lowercase();
    let compact: String = lower
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '_'))
        .collect();
    let exact = match compact.as_str() {
        "i" | "lead1" | "leadi" => Some("I"),
        "ii" | "lead2" | "leadii" => Some("II"),
        "iii" | "lead3" | "leadiii" => Some("III"),
        // Spanish, Portuguese and Italian carts: DI, DII, DIII (derivación / derivação I…).
        "di" => Some("I"),
        "dii" => Some("II"),
        "diii" => Some("III"),
        "avr" => Some("aVR"),
        "avl" => Some("aVL"),
        "avf" => Some("aVF"),
        "v1" => Some("V1"),
        "v2" => Some("V2"),
        "v3" => Some("V3"),
        "v4" => Some("V4"),
        "v5" => Some("V5"),
        "v6" => Some("V6"),
        "vx" | "x" => Some("vx"),
        "vy" | "y" => Some("vy"),
        "vz" | "z" => Some("vz"),
        other => extra_name(other),
    };
    if let Some(name) = exact {
        return LeadId {
            name: name.to_string(),
            approximate: false,
            known: true,
        };
    }
    // Decorated names: "ECG II", "EKG_V1", "Lead aVR", the IEEE 11073 / HL7 aECG and DICOM
    // codes "MDC_ECG_LEAD_AVR". A number alone after the prefix is a channel (a Holter's ECG1,
    // ECG2), not a lead.
    let prefixes = ["mdcecglead", "lead", "ecg", "ekg"];
    let decorated = prefixes.into_iter().find_map(|prefix| {
        let rest = compact.strip_prefix(prefix)?;
        if rest.is_empty() || rest.starts_with(|c: char| c.is_ascii_digit()) {
            return None;
        }
        Some(normalise_lead_name(rest)).filter(|id| id.known)
    });
    if let Some(id) = decorated {
        return id;
    }
    // Modified leads of ambulatory records (MIT-BIH: MLI, MLII, MLIII, MV1…MV6).
    let modified = compact
        .strip_prefix("ml")
        .or_else(|| compact.strip_prefix('m'))
        .and_then(|rest| match normalise_lead_name(rest) {
            id if id.known && STANDARD_12.contains(&id.name.as_str()) => Some(id.name),
            _ => None,
        });
    match modified {
        Some(name) => LeadId {
            name,
            approximate: true,
            known: true,
        },
        None => unknown(),
    }
}

/// The viewpoint of a lead as it appears in a file, if it is known.
///
/// `approximate_hint` marks leads of records where even plainly named chest leads are modified
/// placements (MIT-BIH's V1, V2, V4, V5 are on the chest of an ambulatory subject).
pub fn lead_view(id: &LeadId, approximate_hint: bool) -> Option<LeadView> {
    if !id.known {
        return None;
    }
    table_viewpoint(&id.name).map(|viewpoint| LeadView {
        viewpoint,
        approximate: id.approximate || approximate_hint,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_normalised_whatever_their_case() {
        for (raw, want) in [
            ("i", "I"),
            ("II", "II"),
            ("avr", "aVR"),
            ("AVL", "aVL"),
            ("aVF", "aVF"),
            ("v6", "V6"),
            ("VX", "vx"),
            ("vz", "vz"),
        ] {
            let id = normalise_lead_name(raw);
            assert_eq!(id.name, want, "{raw}");
            assert!(id.known && !id.approximate);
        }
    }

    #[test]
    fn modified_leads_take_the_standard_view_marked_approximate() {
        let id = normalise_lead_name("MLII");
        assert_eq!(id.name, "II");
        assert!(id.approximate);
        let view = lead_view(&id, false).unwrap();
        assert!(view.approximate);
        assert_eq!(
            view.viewpoint,
            lead_view(&normalise_lead_name("II"), false)
                .unwrap()
                .viewpoint
        );
    }

    #[test]
    fn names_as_other_carts_and_files_spell_them() {
        for (raw, want) in [
            ("DI", "I"),
            ("DII", "II"),
            ("diii", "III"),
            ("ECG II", "II"),
            ("EKG_V1", "V1"),
            ("Lead aVR", "aVR"),
            ("ecg-lead-V5", "V5"),
            ("MDC_ECG_LEAD_I", "I"),
            ("MDC_ECG_LEAD_AVR", "aVR"),
            ("MDC_ECG_LEAD_V6", "V6"),
        ] {
            let id = normalise_lead_name(raw);
            assert_eq!((id.name.as_str(), id.known), (want, true), "{raw}");
            assert!(!id.approximate, "{raw}");
        }
        // Channels, bipolar Holter leads and an inverted lead are not standard leads.
        for raw in [
            "ECG1",
            "ECG2",
            "D3",
            "D4",
            "-aVR",
            "\u{2212}aVR",
            "CM5",
            "V2-V3",
            "ECG",
        ] {
            let id = normalise_lead_name(raw);
            assert!(!id.known, "{raw} read as {}", id.name);
            assert_eq!(id.name, raw);
        }
    }

    #[test]
    fn unknown_leads_have_no_viewpoint() {
        let id = normalise_lead_name("ABP");
        assert!(!id.known);
        assert_eq!(id.name, "ABP");
        assert!(lead_view(&id, false).is_none());
    }

    #[test]
    fn every_standard_lead_has_its_table_angle() {
        let v2 = lead_view(&normalise_lead_name("V2"), false)
            .unwrap()
            .viewpoint;
        assert!((v2.theta - PI / 2.0).abs() < 1e-12 && (v2.phi - PI / 18.0).abs() < 1e-12);
        for name in STANDARD_12 {
            assert!(table_viewpoint(name).is_some(), "{name}");
        }
    }
}
