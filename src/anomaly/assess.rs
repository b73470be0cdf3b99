//! A record's whole anomaly reading, as the app and `ecg-panorama anomaly` give it: the map
//! with its normal-shape scores, the record score against normal records, and a suspected
//! electrode swap.

use super::normal::NormalModel;
use super::swaps::{Swap, check_swaps, middle_cycles};
use super::{AnomalyMap, anomaly_map};
use crate::delineate::CycleBounds;
use crate::error::Result;
use crate::geometry::STANDARD_12;
use crate::panorama::Engine;
use crate::record::Record;
use crate::signal::{record_without_mains, record_without_wander};

/// A record's anomaly map, its score against normal records and a suspected swap.
#[derive(Debug)]
pub struct Assessment {
    /// The map, with the normal-shape restoration's scores attached.
    pub map: AnomalyMap,
    /// The record score against the normal reference.
    pub score: f64,
    /// What the score is, in words (it depends on the record's leads).
    pub score_means: String,
    /// The electrode swap suspected, if any.
    pub swap: Option<Swap>,
}

/// Read `record`'s `cycles` against the `normal` reference; `progress` hears how far it got
/// (0–1) and what it is doing.
pub fn assess(
    engine: &dyn Engine,
    normal: &NormalModel,
    record: &Record,
    cycles: &[CycleBounds],
    progress: &mut dyn FnMut(f32, &str),
) -> Result<Assessment> {
    // Hum the cart did not filter is no departure of the heart's: read the leads without it.
    let cleaned = record_without_mains(record)?;
    // Nor is a sway the per-cycle line through the P onsets cannot follow (a breathing patient).
    let steady = record_without_wander(&cleaned)?;
    let record: &Record = &steady;
    progress(0.1, "restoring every lead from the others");
    let mut map = anomaly_map(engine, record, cycles)?;
    normal.attach_shapes(&mut map, record);
    let score = normal.record_score(&map);
    let score_means = normal.describe_for(&map);
    // Swaps are looked for only where all 12 leads are there to restore one another.
    let swap = if STANDARD_12.iter().all(|n| record.lead(n).is_some()) {
        progress(0.5, "looking for electrode swaps");
        let check = check_swaps(engine, record, middle_cycles(cycles), normal.swap_evidence)?;
        normal.suspected(&check)
    } else {
        None
    };
    Ok(Assessment {
        map,
        score,
        score_means,
        swap,
    })
}
