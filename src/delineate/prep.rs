//! The network's input: a record at 500 Hz with baseline wander removed, each standard lead in
//! its slot (absent leads are zero), in mV.

use super::artifact::{bridge, mark_artifacts};
use super::gaps::Gaps;
use super::unet::SLOTS;
use crate::error::Result;
use crate::geometry::{STANDARD_12, StdLead};
use crate::record::Record;
use crate::signal::{remove_baseline, resample_record, suppress_mains, suppress_wander};

/// The rate the network works at (its input; it halves it internally).
pub const NET_FS: f64 = 500.0;
/// Inputs are clipped to ±this many mV, so a saturated or disconnected lead cannot dominate.
pub const CLIP_MV: f32 = 10.0;

/// The slot of a canonical lead name in the network's input.
pub fn slot_of(name: &str) -> Option<usize> {
    STANDARD_12.iter().position(|&s| s == name)
}

/// A record made ready for the network.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// `[SLOTS][len]` samples in mV at [`NET_FS`]; empty for a slot no lead fills (the network
    /// reads zeros there).
    pub slots: Vec<Vec<f32>>,
    /// Which record lead fills each slot.
    pub source: [Option<usize>; SLOTS],
    /// Samples per lead at [`NET_FS`].
    pub len: usize,
    /// Per slot, the stretches (half-open, at [`NET_FS`]) where its lead has no samples: a
    /// recorder's gap or a lead that came off. The network sees zeros there.
    pub missing: Vec<Gaps>,
}

/// Slots a lead outside the twelve (a Holter channel such as ECG1 or CM5, a Frank lead) takes
/// when its own is free, in this order: monitoring leads look most like II, V5 and V1.
const FALLBACK_SLOTS: [&str; 12] = [
    "II", "V5", "V1", "V2", "I", "III", "aVF", "V3", "V4", "V6", "aVL", "aVR",
];

impl Prepared {
    /// The slot record lead `lead` (its index in the record) fills, if any.
    pub fn slot_for(&self, lead: usize) -> Option<usize> {
        self.source.iter().position(|&s| s == Some(lead))
    }
}

/// Resample to 500 Hz, remove baseline wander (and mains hum where a lead carries it: see
/// [`suppress_mains`]; electrode artifacts are left out as missing samples) and place each
/// standard lead in its slot; leads outside the twelve (Frank, unknown names) then fill the
/// slots still free, so a two-lead Holter record is delineated like one with standard names.
/// Missing samples become 0.
pub fn prepare(record: &Record) -> Result<Prepared> {
    let at500;
    let rec = if record.fs == NET_FS {
        record
    } else {
        at500 = resample_record(record, NET_FS)?;
        &at500
    };
    let len = rec.len();
    let mut slots = vec![Vec::new(); SLOTS];
    let mut source = [None; SLOTS];
    let mut missing = vec![Gaps::default(); SLOTS];
    let standard: Vec<Option<usize>> = rec.leads.iter().map(|l| slot_of(&l.name)).collect();
    let empty: Vec<bool> = rec
        .leads
        .iter()
        .map(|l| l.samples.iter().all(|v| !v.is_finite()))
        .collect();
    // Leads outside the twelve whose direction is known (Frank's vx, vy, vz, V4R…) first take
    // the free slot of the standard lead nearest their direction, upside down when they face
    // away from it (Frank's vz looks from the back, V2 from the front); then the others.
    let mut claimed: [bool; SLOTS] = std::array::from_fn(|s| standard.contains(&Some(s)));
    let mut placed: Vec<Option<usize>> = vec![None; rec.leads.len()];
    let mut sign = vec![1f32; rec.leads.len()];
    for (i, lead) in rec.leads.iter().enumerate() {
        let Some(view) = lead.view.filter(|_| standard[i].is_none() && !empty[i]) else {
            continue;
        };
        let u = view.viewpoint.unit_vector();
        let nearest = (0..SLOTS)
            .filter(|&s| !claimed[s])
            .map(|s| (s, u.dot(StdLead::ALL[s].viewpoint().unit_vector())))
            .max_by(|a, b| a.1.abs().total_cmp(&b.1.abs()));
        if let Some((slot, cos)) = nearest {
            claimed[slot] = true;
            placed[i] = Some(slot);
            sign[i] = if cos < 0.0 { -1.0 } else { 1.0 };
        }
    }
    let mut free = FALLBACK_SLOTS.iter().filter_map(|n| slot_of(n));
    for (i, lead) in rec.leads.iter().enumerate() {
        let slot = match (standard[i], placed[i]) {
            (Some(slot), _) if source[slot].is_none() => slot,
            (Some(_), _) => continue,
            _ if empty[i] => continue,
            (None, Some(slot)) => slot,
            // A free slot no standard lead, nor a lead of known direction, claims.
            (None, None) => match free.find(|&s| !claimed[s] && source[s].is_none()) {
                Some(slot) => slot,
                None => continue,
            },
        };
        source[slot] = Some(i);
        slots[slot] = vec![0f32; len];
        if empty[i] {
            continue;
        }
        let (mut clean, _) = suppress_mains(remove_baseline(&lead.samples, NET_FS)?, NET_FS)?;
        let artifacts = mark_artifacts(&mut clean, NET_FS);
        // After the artifacts are left out: an electrode pop's swing is not a sway to follow.
        let (clean, _) = suppress_wander(clean, NET_FS);
        missing[slot] = Gaps::of(&clean);
        for (o, v) in slots[slot].iter_mut().zip(clean) {
            *o = if v.is_finite() {
                (sign[i] * v as f32).clamp(-CLIP_MV, CLIP_MV)
            } else {
                0.0
            };
        }
        bridge(&mut slots[slot], &artifacts);
    }
    Ok(Prepared {
        slots,
        source,
        len,
        missing,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::Lead;

    fn record(names: &[&str]) -> Record {
        Record {
            name: "r".into(),
            fs: NET_FS,
            leads: names
                .iter()
                .map(|n| {
                    let wave = (0..1000).map(|k| (k as f64 * 0.06).sin()).collect();
                    Lead::new(n, wave, false)
                })
                .collect(),
            comments: Vec::new(),
            notes: Vec::new(),
        }
    }

    #[test]
    fn leads_of_known_direction_take_the_nearest_slot_and_unknown_ones_the_next_free() {
        let p = prepare(&record(&["vx", "vy", "vz", "ECG1"])).unwrap();
        let slot = |name: &str| slot_of(name).unwrap();
        assert_eq!(
            p.slot_for(0),
            Some(slot("I")),
            "vx looks from lead I's side"
        );
        assert_eq!(p.slot_for(1), Some(slot("aVF")), "vy from the feet");
        // vz looks from the back: it fills a front chest lead's slot, upside down.
        let z = p.slot_for(2).unwrap();
        assert!(
            ["V1", "V2", "V3"].contains(&STANDARD_12[z]),
            "{}",
            STANDARD_12[z]
        );
        let i = &p.slots[slot("I")];
        assert!(i[500].abs() > 0.5 && p.slots[z][500] == -i[500]);
        // A channel of unknown direction takes the first fallback slot still free.
        assert_eq!(p.slot_for(3), Some(slot("II")));
        // Standard leads keep their own slots; a Frank lead with no free slot left is unused.
        let full: Vec<&str> = STANDARD_12.iter().copied().chain(["vz"]).collect();
        let p = prepare(&record(&full)).unwrap();
        assert!((0..12).all(|k| p.slot_for(k) == Some(k)));
        assert_eq!(p.slot_for(12), None);
    }
}
