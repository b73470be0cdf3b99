//! The six boundary kinds a document marks, with their keys, names and cycle order.

use crate::delineate::WaveKind;

/// The six boundary kinds, keys 1–6 in the app: 1 P on, 2 P off, 3 QRS on, 4 QRS off, 5 T on, 6 T off.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum BoundaryKind {
    /// P wave onset: the start of a cycle.
    POn,
    /// P wave offset.
    POff,
    /// QRS complex onset.
    QrsOn,
    /// QRS complex offset.
    QrsOff,
    /// T wave onset.
    TOn,
    /// T wave offset.
    TOff,
}

impl BoundaryKind {
    /// All six in cycle order (the order of keys 1–6).
    pub const ALL: [BoundaryKind; 6] = [
        BoundaryKind::POn,
        BoundaryKind::POff,
        BoundaryKind::QrsOn,
        BoundaryKind::QrsOff,
        BoundaryKind::TOn,
        BoundaryKind::TOff,
    ];

    /// The kind of key `1`–`6`; `None` for any other number.
    pub fn from_key(key: u8) -> Option<Self> {
        key.checked_sub(1)
            .and_then(|k| Self::ALL.get(usize::from(k)))
            .copied()
    }

    /// The key (1–6) that sets this kind.
    pub fn key(self) -> u8 {
        self as u8 + 1
    }

    /// Position in the cycle order, 0 (P on) to 5 (T off).
    pub fn index(self) -> usize {
        self as usize
    }

    /// Name shown to the user ("P on", "QRS off", …); also the text of WFDB notes that keep a
    /// mark outside a whole wave.
    pub fn label(self) -> &'static str {
        match self {
            BoundaryKind::POn => "P on",
            BoundaryKind::POff => "P off",
            BoundaryKind::QrsOn => "QRS on",
            BoundaryKind::QrsOff => "QRS off",
            BoundaryKind::TOn => "T on",
            BoundaryKind::TOff => "T off",
        }
    }

    /// The seed JSON key of this kind ("P on", "R on", …).
    pub fn json_key(self) -> &'static str {
        match self {
            BoundaryKind::QrsOn => "R on",
            BoundaryKind::QrsOff => "R off",
            other => other.label(),
        }
    }

    /// The kind named by a label or a seed JSON key.
    pub fn from_label(text: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|k| k.label() == text || k.json_key() == text)
    }

    /// The wave this boundary opens or closes.
    pub fn wave(self) -> WaveKind {
        match self {
            BoundaryKind::POn | BoundaryKind::POff => WaveKind::P,
            BoundaryKind::QrsOn | BoundaryKind::QrsOff => WaveKind::Qrs,
            BoundaryKind::TOn | BoundaryKind::TOff => WaveKind::T,
        }
    }

    /// True for the three onsets.
    pub fn is_onset(self) -> bool {
        matches!(
            self,
            BoundaryKind::POn | BoundaryKind::QrsOn | BoundaryKind::TOn
        )
    }

    /// The onset of a wave.
    pub fn onset(wave: WaveKind) -> Self {
        match wave {
            WaveKind::P => BoundaryKind::POn,
            WaveKind::Qrs => BoundaryKind::QrsOn,
            WaveKind::T => BoundaryKind::TOn,
        }
    }

    /// The offset of a wave.
    pub fn offset(wave: WaveKind) -> Self {
        match wave {
            WaveKind::P => BoundaryKind::POff,
            WaveKind::Qrs => BoundaryKind::QrsOff,
            WaveKind::T => BoundaryKind::TOff,
        }
    }

    /// The kind that follows this one in a cycle (a T off is followed by the next P on).
    pub fn next(self) -> Self {
        Self::ALL[(self.index() + 1) % 6]
    }
}

impl std::fmt::Display for BoundaryKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}
