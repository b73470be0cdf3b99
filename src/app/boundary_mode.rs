//! Which boundaries the annotator shows and edits: the record's cycles, the lead under the
//! cursor, or a lead the user picks. Plain data, remembered with the settings.

use super::state::AppState;
use crate::delineate::edit::Target;
use serde::{Deserialize, Serialize};

/// The annotator's boundary mode.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum BoundaryMode {
    /// The record-level boundaries, drawn on every lead: the cycles the panorama engine uses.
    #[default]
    Cycles,
    /// Each strip shows its lead's own boundaries; edits go to the lead under the pointer.
    UnderCursor,
    /// Each strip shows its lead's own boundaries; edits go to this lead (canonical name).
    Lead(String),
}

impl BoundaryMode {
    /// The name shown in the annotator's bar.
    pub fn label(&self) -> String {
        match self {
            BoundaryMode::Cycles => "Cycles (all leads)".into(),
            BoundaryMode::UnderCursor => "Lead under cursor".into(),
            BoundaryMode::Lead(name) => format!("Lead {name}"),
        }
    }

    /// True in the modes where each strip shows its lead's own boundaries.
    pub fn per_lead(&self) -> bool {
        !matches!(self, BoundaryMode::Cycles)
    }

    /// The document edits go to, `hovered` being the lead whose strip the pointer is (or was
    /// last) over; `None` under the cursor when no strip has been hovered yet.
    pub fn target(&self, hovered: Option<&str>) -> Option<Target> {
        match self {
            BoundaryMode::Cycles => Some(Target::Cycles),
            BoundaryMode::UnderCursor => hovered.map(|l| Target::Lead(l.to_string())),
            BoundaryMode::Lead(name) => Some(Target::Lead(name.clone())),
        }
    }

    /// The boundaries drawn on the strip of `lead`.
    pub fn strip_target(&self, lead: &str) -> Target {
        match self {
            BoundaryMode::Cycles => Target::Cycles,
            _ => Target::Lead(lead.to_string()),
        }
    }
}

impl AppState {
    /// The document the annotator's edits, undo and redo act on now.
    pub fn edit_target(&self) -> Option<Target> {
        self.boundaries.target(self.hover_lead.as_deref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes_pick_the_edited_document_and_each_strips_own() {
        let lead = |n: &str| Target::Lead(n.into());
        assert_eq!(BoundaryMode::default(), BoundaryMode::Cycles);
        assert_eq!(
            BoundaryMode::Cycles.target(Some("V1")),
            Some(Target::Cycles)
        );
        assert_eq!(BoundaryMode::Cycles.strip_target("V1"), Target::Cycles);
        let under = BoundaryMode::UnderCursor;
        assert_eq!(under.target(Some("V3")), Some(lead("V3")));
        assert_eq!(under.target(None), None);
        assert_eq!(under.strip_target("aVL"), lead("aVL"));
        let picked = BoundaryMode::Lead("V1".into());
        assert_eq!(picked.target(Some("V3")), Some(lead("V1")));
        assert_eq!(picked.strip_target("V3"), lead("V3"));
        assert!(picked.per_lead() && under.per_lead() && !BoundaryMode::Cycles.per_lead());
    }
}
