//! Normal-shape restoration: each lead's P, QRS and T wave shapes restored from other leads'
//! through records labelled normal, and nothing else.
//!
//! The panorama engine restores a lead through lead relations it learnt from every kind of
//! record, and a heart vector's projections relate alike in a diseased heart: an infarct's Q
//! waves or a block's wide QRS come back nearly as recorded. A restorer that knows normal
//! hearts only (the principle of ECGAD: restore from partial views, score the error) cannot
//! do that: it answers with the normal shapes whose other leads look most like the record's.
//! Each lead of a cycle is summarised by its wave shapes as the patient-similar prior reads
//! them ([`lead_features`]: P, QRS and T resampled, mV); a target lead's shapes are restored as
//! the normal records' mean shapes of that lead, weighted by a Gaussian kernel on the distance
//! between the input leads' shapes (bandwidth [`BANDWIDTH`] of the median distance, the
//! prior's). The inputs are the anomaly map's ([`super::groups`]), so one bad electrode does
//! not vouch for itself here either.

use super::AnomalyMap;
use super::groups::groups;
use crate::delineate::CycleBounds;
use crate::geometry::{LEADS, STANDARD_12};
use crate::model::local_prior::{SHAPE_FEATURES, WAVE_SAMPLES, lead_features};
use crate::record::Record;
use crate::signal::detrend;
use serde::{Deserialize, Serialize};

/// Kernel bandwidth, relative to the median distance from the cycle to the normal records.
pub const BANDWIDTH: f64 = 0.3;
/// Floor of a shape error (mV): a restoration closer than this is as good as exact.
const FLOOR_MV: f64 = 1e-4;

/// One lead's wave shapes in one cycle (mV).
pub type Shape = [f32; SHAPE_FEATURES];
/// A cycle's wave shapes per standard lead (`STANDARD_12` order); `None` where the record
/// lacks the lead or the cycle has a missing sample.
pub type CycleShapes = [Option<Shape>; LEADS];

/// The wave shapes of cycle `b` of `record`'s standard leads (each lead detrended over the
/// cycle, as the panorama model reads it).
pub fn cycle_shapes(record: &Record, b: CycleBounds) -> CycleShapes {
    let rel = b.relative();
    std::array::from_fn(|k| {
        let lead = record.lead(STANDARD_12[k])?;
        let cut = lead.samples.get(b.start()..=b.end())?;
        if cut.iter().any(|v| !v.is_finite()) {
            return None;
        }
        let x: Vec<f32> = detrend(cut).into_iter().map(|v| v as f32).collect();
        Some(lead_features(&x, &rel))
    })
}

/// Per standard lead, the mean of the cycles' shapes; `None` unless every lead has one.
pub fn mean_shapes(cycles: &[CycleShapes]) -> Option<[Shape; LEADS]> {
    let mut out = [[0f32; SHAPE_FEATURES]; LEADS];
    for (k, acc) in out.iter_mut().enumerate() {
        let have: Vec<&Shape> = cycles.iter().filter_map(|c| c[k].as_ref()).collect();
        if have.is_empty() {
            return None;
        }
        for s in &have {
            for (a, v) in acc.iter_mut().zip(s.iter()) {
                *a += v / have.len() as f32;
            }
        }
    }
    Some(out)
}

/// The normal records the restoration answers from: per record, per standard lead, its mean
/// wave shapes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShapeBank {
    /// Per record, the 12 leads' shapes one after the other (`STANDARD_12` order), in µV
    /// rounded to whole µV (far below any recording's noise; it keeps the file small).
    /// Stored as one line of space-separated numbers per record.
    #[serde(with = "lines")]
    pub shapes_uv: Vec<Vec<i32>>,
}

/// A list of number rows as one string per row, so a pretty-printed file keeps a record
/// per line rather than a number per line. A row of the wrong length is refused on reading,
/// so a damaged bank says so instead of scoring nothing.
mod lines {
    use super::{LEADS, SHAPE_FEATURES};
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    pub fn serialize<S: Serializer>(rows: &[Vec<i32>], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(
            rows.iter()
                .map(|r| r.iter().map(i32::to_string).collect::<Vec<_>>().join(" ")),
        )
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Vec<i32>>, D::Error> {
        Vec::<String>::deserialize(d)?
            .iter()
            .enumerate()
            .map(|(i, line)| {
                let row = line
                    .split_whitespace()
                    .map(|v| v.parse::<i32>().map_err(D::Error::custom))
                    .collect::<Result<Vec<i32>, _>>()?;
                if row.len() != LEADS * SHAPE_FEATURES {
                    return Err(D::Error::custom(format!(
                        "shape bank record {i} holds {} values, not {} (12 leads × {SHAPE_FEATURES})",
                        row.len(),
                        LEADS * SHAPE_FEATURES
                    )));
                }
                Ok(row)
            })
            .collect()
    }
}

/// A record's shape scores, in the order of its anomaly map's leads.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct ShapeScores {
    /// Per cycle, per lead: the RMS difference between the lead's wave shapes and their normal
    /// restoration (mV); NaN where the lead is not a standard one or an input is missing.
    pub cycle_scores: Vec<Vec<f64>>,
    /// Per lead: the median of its cycle scores (NaN when none).
    pub lead_scores: Vec<f64>,
    /// Per lead, per wave (P, QRS, T): the median over the cycles of the RMS difference over
    /// that wave's shape alone (NaN when none). A departure confined to one wave (an infarct's
    /// QRS, an ischaemic T) is not diluted by the others.
    #[serde(default)]
    pub wave_scores: Vec<[f64; 3]>,
}

/// Where each wave's points lie among a lead's shape features (P, QRS, T).
fn wave_ranges() -> [std::ops::Range<usize>; 3] {
    let [p, q, _] = WAVE_SAMPLES;
    [0..p, p..p + q, p + q..SHAPE_FEATURES]
}

/// The median of the finite values of `v` (NaN when none).
fn median(v: impl Iterator<Item = f64>) -> f64 {
    let mut v: Vec<f64> = v.filter(|x| x.is_finite()).collect();
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
}

impl ShapeBank {
    /// The bank of these records' mean shapes.
    pub fn from_means(means: &[[Shape; LEADS]]) -> Self {
        Self {
            shapes_uv: means
                .iter()
                .map(|m| {
                    m.iter()
                        .flatten()
                        .map(|v| (f64::from(*v) * 1000.0).round() as i32)
                        .collect()
                })
                .collect(),
        }
    }

    /// Records in the bank.
    pub fn len(&self) -> usize {
        self.shapes_uv.len()
    }

    /// True when the bank holds no record.
    pub fn is_empty(&self) -> bool {
        self.shapes_uv.is_empty()
    }

    /// The bank in mV, one row of `LEADS × SHAPE_FEATURES` per record.
    fn decoded(&self) -> Vec<Vec<f64>> {
        self.shapes_uv
            .iter()
            .map(|r| r.iter().map(|&v| f64::from(v) / 1000.0).collect())
            .collect()
    }

    /// The shape scores of `record`'s cycles, for the leads of its anomaly `map` (leaving bank
    /// record `exclude` out: a normal record is not restored from itself).
    pub fn score(&self, record: &Record, map: &AnomalyMap, exclude: Option<usize>) -> ShapeScores {
        let n = map.leads.len();
        let mut cycle_waves: Vec<Vec<[f64; 3]>> = Vec::with_capacity(map.cycles.len());
        let mut out = ShapeScores {
            cycle_scores: Vec::with_capacity(map.cycles.len()),
            lead_scores: vec![f64::NAN; n],
            wave_scores: Vec::new(),
        };
        let bank: Vec<Vec<f64>> = self
            .decoded()
            .into_iter()
            .enumerate()
            .filter(|(i, _)| Some(*i) != exclude)
            .map(|(_, r)| r)
            .collect();
        let names: Vec<&str> = map.leads.iter().map(String::as_str).collect();
        let slot = |name: &str| STANDARD_12.iter().position(|s| *s == name);
        let plan = groups(&names);
        for &b in &map.cycles {
            let shapes = cycle_shapes(record, b);
            let mut row = vec![f64::NAN; n];
            let mut waves = vec![[f64::NAN; 3]; n];
            for g in &plan {
                let inputs: Vec<usize> = g
                    .inputs
                    .iter()
                    .filter_map(|l| slot(l))
                    .filter(|&k| shapes[k].is_some())
                    .collect();
                let targets: Vec<(usize, usize)> = g
                    .targets
                    .iter()
                    .filter_map(|t| Some((map.leads.iter().position(|l| l == t)?, slot(t)?)))
                    .filter(|(_, k)| shapes[*k].is_some())
                    .collect();
                if inputs.is_empty() || targets.is_empty() {
                    continue;
                }
                for (at, whole, by_wave) in restore(&bank, &shapes, &inputs, &targets) {
                    row[at] = whole;
                    waves[at] = by_wave;
                }
            }
            out.cycle_scores.push(row);
            cycle_waves.push(waves);
        }
        out.lead_scores = (0..n)
            .map(|k| median(out.cycle_scores.iter().map(|r| r[k])))
            .collect();
        out.wave_scores = (0..n)
            .map(|k| std::array::from_fn(|w| median(cycle_waves.iter().map(|r| r[k][w]))))
            .collect();
        out
    }
}

/// Distance between a cycle's shapes and a bank record's over the `inputs` slots.
fn distance(shapes: &CycleShapes, record: &[f64], inputs: &[usize]) -> f64 {
    inputs
        .iter()
        .filter_map(|&k| Some((k, shapes[k].as_ref()?)))
        .map(|(k, s)| {
            s.iter()
                .zip(&record[k * SHAPE_FEATURES..(k + 1) * SHAPE_FEATURES])
                .map(|(a, b)| (f64::from(*a) - b).powi(2))
                .sum::<f64>()
        })
        .sum::<f64>()
        .sqrt()
}

/// Each target `(map index, slot)`'s RMS error against its restoration from the bank, over
/// its whole shape and over each wave's.
fn restore(
    bank: &[Vec<f64>],
    shapes: &CycleShapes,
    inputs: &[usize],
    targets: &[(usize, usize)],
) -> Vec<(usize, f64, [f64; 3])> {
    if bank.is_empty() {
        return Vec::new();
    }
    let d: Vec<f64> = bank.iter().map(|r| distance(shapes, r, inputs)).collect();
    let mut sorted = d.clone();
    sorted.sort_by(f64::total_cmp);
    let width = (BANDWIDTH * sorted[sorted.len() / 2]).max(1e-9);
    // exp(−d²/h²) divided by the nearest record's, so a cycle far from every normal record
    // still has weights that do not all underflow.
    let nearest = sorted[0];
    let w: Vec<f64> = d
        .iter()
        .map(|v| (-(v * v - nearest * nearest) / (width * width)).exp())
        .collect();
    let total: f64 = w.iter().sum();
    targets
        .iter()
        .filter_map(|&(at, k)| {
            let s = shapes[k].as_ref()?;
            let se: Vec<f64> = (0..SHAPE_FEATURES)
                .map(|i| {
                    let r: f64 = bank
                        .iter()
                        .zip(&w)
                        .map(|(b, wi)| wi * b[k * SHAPE_FEATURES + i])
                        .sum::<f64>()
                        / total;
                    (f64::from(s[i]) - r).powi(2)
                })
                .collect();
            let rms = |r: std::ops::Range<usize>| {
                let n = r.len().max(1) as f64;
                (se[r].iter().sum::<f64>() / n).sqrt().max(FLOOR_MV)
            };
            Some((at, rms(0..SHAPE_FEATURES), wave_ranges().map(rms)))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::Lead;

    /// A 12-lead record of one 400-sample cycle: a QRS of height `gain[k]` at 100–140 and a
    /// T wave of half that at 200–280 in lead `k`.
    fn record(gain: &[f64; LEADS]) -> (Record, CycleBounds) {
        let leads = STANDARD_12
            .iter()
            .zip(gain)
            .map(|(name, g)| {
                let x = (0..400)
                    .map(|i| {
                        let bump = |a: f64, w: f64| (-((i as f64 - a) / w).powi(2)).exp();
                        g * (bump(120.0, 8.0) + 0.5 * bump(240.0, 25.0))
                    })
                    .collect();
                Lead::new(name, x, false)
            })
            .collect();
        let r = Record {
            name: "test".into(),
            fs: 500.0,
            leads,
            comments: Vec::new(),
            notes: Vec::new(),
        };
        let b = CycleBounds::new([0, 40, 100, 140, 200, 280, 399], 400).unwrap();
        (r, b)
    }

    fn map_of(r: &Record, b: CycleBounds) -> AnomalyMap {
        AnomalyMap {
            leads: r.leads.iter().map(|l| l.name.clone()).collect(),
            samples: Vec::new(),
            cycles: vec![b],
            cycle_scores: Vec::new(),
            lead_scores: Vec::new(),
            unscored: Vec::new(),
            shapes: None,
        }
    }

    /// Normal records: every lead's gain is the record's size times a fixed pattern, so each
    /// lead's shape follows from the others'.
    fn bank() -> ShapeBank {
        let means: Vec<[Shape; LEADS]> = (0..20)
            .map(|i| {
                let size = 0.5 + 0.05 * i as f64;
                let gain = std::array::from_fn(|k| size * (1.0 + 0.1 * k as f64));
                let (r, b) = record(&gain);
                mean_shapes(&[cycle_shapes(&r, b)]).unwrap()
            })
            .collect();
        ShapeBank::from_means(&means)
    }

    #[test]
    fn a_lead_unlike_what_normal_records_pair_with_its_other_leads_scores_higher() {
        let bank = bank();
        let normal: [f64; LEADS] = std::array::from_fn(|k| 0.8 * (1.0 + 0.1 * k as f64));
        let (r, b) = record(&normal);
        let s = bank.score(&r, &map_of(&r, b), None);
        // V2's QRS and T upside down: its other leads say it should look as it does normally.
        let mut odd = normal;
        odd[7] = -odd[7];
        let (r2, b2) = record(&odd);
        let s2 = bank.score(&r2, &map_of(&r2, b2), None);
        assert!(s.lead_scores[7] < 0.05, "{:?}", s.lead_scores);
        assert!(
            s2.lead_scores[7] > 10.0 * s.lead_scores[7],
            "{:?}",
            s2.lead_scores
        );
        // The other leads, restored with the odd V2 among their inputs, depart far less.
        let others = s2.lead_scores.iter().enumerate().filter(|(k, _)| *k != 7);
        assert!(
            others.clone().all(|(_, v)| *v < 0.2 * s2.lead_scores[7]),
            "{:?}",
            s2.lead_scores
        );
    }

    #[test]
    fn a_departure_in_one_wave_shows_in_that_wave_score() {
        let bank = bank();
        let normal: [f64; LEADS] = std::array::from_fn(|k| 0.8 * (1.0 + 0.1 * k as f64));
        let (mut r, b) = record(&normal);
        // V2's T wave alone upside down.
        for (i, v) in r.leads[7].samples.iter_mut().enumerate() {
            if i >= 190 {
                *v = -*v;
            }
        }
        let s = bank.score(&r, &map_of(&r, b), None);
        let [p, qrs, t] = s.wave_scores[7];
        assert!(t > 10.0 * qrs.max(p), "{:?}", s.wave_scores[7]);
    }

    #[test]
    fn a_bank_record_left_out_does_not_restore_itself() {
        let bank = bank();
        let gain: [f64; LEADS] =
            std::array::from_fn(|k| (0.5 + 0.05 * 7.0) * (1.0 + 0.1 * k as f64));
        let (r, b) = record(&gain);
        let map = map_of(&r, b);
        let with = bank.score(&r, &map, None).lead_scores[3];
        let without = bank.score(&r, &map, Some(7)).lead_scores[3];
        assert!(with < without, "{with} {without}");
    }

    #[test]
    fn the_bank_is_stored_a_record_per_line_and_read_back_alike() {
        let bank = bank();
        let text = serde_json::to_string(&bank).unwrap();
        assert_eq!(text.matches('"').count(), 2 * (1 + bank.len()));
        assert_eq!(serde_json::from_str::<ShapeBank>(&text).unwrap(), bank);
        assert!(serde_json::from_str::<ShapeBank>(r#"{"shapes_uv": ["1 x"]}"#).is_err());
        let short = serde_json::from_str::<ShapeBank>(r#"{"shapes_uv": ["1 2 3"]}"#);
        assert!(short.unwrap_err().to_string().contains("holds 3 values"));
    }

    #[test]
    fn leads_the_record_lacks_or_that_have_gaps_get_no_score() {
        let bank = bank();
        let (mut r, b) = record(&[1.0; LEADS]);
        r.leads[4].samples[150] = f64::NAN;
        r.leads.retain(|l| l.name != "V6");
        let s = bank.score(&r, &map_of(&r, b), None);
        assert!(s.lead_scores[4].is_nan());
        assert_eq!(s.lead_scores.len(), 11);
        assert!(s.lead_scores[0].is_finite());
        assert!(mean_shapes(&[cycle_shapes(&r, b)]).is_none());
    }
}
