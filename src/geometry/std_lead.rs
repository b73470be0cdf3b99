//! The twelve standard leads as a type, so code names a lead instead of its position.

use super::Viewpoint;
use super::leads::{STANDARD_12, lead_view, normalise_lead_name};

/// Number of standard leads: the size of every per-lead table of the linear prior and network.
pub const LEADS: usize = StdLead::COUNT;

/// One of the twelve standard leads; its discriminant is its position in [`STANDARD_12`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum StdLead {
    /// Lead I.
    I,
    /// Lead II.
    II,
    /// Lead III.
    III,
    /// Augmented lead aVR.
    AVR,
    /// Augmented lead aVL.
    AVL,
    /// Augmented lead aVF.
    AVF,
    /// Chest lead V1.
    V1,
    /// Chest lead V2.
    V2,
    /// Chest lead V3.
    V3,
    /// Chest lead V4.
    V4,
    /// Chest lead V5.
    V5,
    /// Chest lead V6.
    V6,
}

impl StdLead {
    /// Number of standard leads.
    pub const COUNT: usize = 12;

    /// Every standard lead in its usual order.
    pub const ALL: [StdLead; StdLead::COUNT] = [
        StdLead::I,
        StdLead::II,
        StdLead::III,
        StdLead::AVR,
        StdLead::AVL,
        StdLead::AVF,
        StdLead::V1,
        StdLead::V2,
        StdLead::V3,
        StdLead::V4,
        StdLead::V5,
        StdLead::V6,
    ];

    /// Position in [`STANDARD_12`] (the slot of per-lead tables).
    pub const fn index(self) -> usize {
        self as usize
    }

    /// The lead at position `index` of [`STANDARD_12`].
    pub fn from_index(index: usize) -> Option<Self> {
        Self::ALL.get(index).copied()
    }

    /// Canonical name (I, II, III, aVR, aVL, aVF, V1–V6).
    pub fn name(self) -> &'static str {
        STANDARD_12[self.index()]
    }

    /// The standard lead a file's lead name stands for, spelt any way
    /// [`normalise_lead_name`] accepts (a modified lead such as MIT-BIH's MLII included).
    pub fn parse(raw: &str) -> Option<Self> {
        let id = normalise_lead_name(raw);
        Self::ALL
            .into_iter()
            .find(|l| id.known && l.name() == id.name)
    }

    /// The lead's viewpoint in the table (the paper's angles).
    pub fn viewpoint(self) -> Viewpoint {
        lead_view(&normalise_lead_name(self.name()), false)
            .map(|v| v.viewpoint)
            .unwrap_or_else(|| unreachable!("every standard lead is in the table"))
    }

    /// The slots of `leads`, in their order, for tables indexed by lead.
    pub const fn slots<const N: usize>(leads: [StdLead; N]) -> [usize; N] {
        let mut out = [0; N];
        let mut i = 0;
        while i < N {
            out[i] = leads[i].index();
            i += 1;
        }
        out
    }
}

impl std::fmt::Display for StdLead {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leads_keep_the_standard_order_and_parse_as_files_spell_them() {
        for (k, lead) in StdLead::ALL.into_iter().enumerate() {
            assert_eq!((lead.index(), lead.name()), (k, STANDARD_12[k]));
            assert_eq!(StdLead::from_index(k), Some(lead));
            assert_eq!(StdLead::parse(&lead.name().to_lowercase()), Some(lead));
        }
        assert_eq!(StdLead::parse("MLII"), Some(StdLead::II));
        assert_eq!(StdLead::parse(" avf "), Some(StdLead::AVF));
        for other in ["vx", "ABP", "V7", ""] {
            assert_eq!(StdLead::parse(other), None, "{other}");
        }
        assert_eq!(StdLead::from_index(LEADS), None);
        assert_eq!(
            StdLead::slots([StdLead::II, StdLead::V2, StdLead::V5]),
            [1, 7, 10]
        );
    }
}
