//! The confidence band of a synthesized view: for each sample, a central interval at a stated
//! level of where the recorded ECG of that viewpoint lies, given the inputs.
//!
//! **Method: Mondrian split-conformal quantiles.** On held-out cycles (the validation records
//! of training, never the test records) every recorded lead that is not an input is
//! synthesized, and the error |recorded − synthesized| is divided by a unit the inputs give
//! (their TP-segment activity to the power 0.1, [`crate::panorama::band_scale`]: how noisy
//! the recording is where the heart is quiet). The errors are grouped into cells by what
//! decides how far the inputs determine a view:
//! - the inputs: which standard lead when there is one (a lone lead I says less about the
//!   chest than a lone lead II), any other single lead, the paper's three leads (II, V2, V5:
//!   a limb lead and two chest leads say more than most sets of their size), other sets of
//!   2–3 leads, 4 or more,
//! - the angle from the view to the nearest input lead ([`ANGLES`], nodes in radians),
//! - the phase of the cycle: each of its six parts (P, PR, QRS, ST, T, TP) in thirds.
//!
//! Each cell stores the quantiles of its scaled errors at [`LEVELS`]; a band at level `p` is
//! the synthesized view ± scale × the cell's `p` quantile, so within a cell the held-out
//! errors fall inside it for a share `p` of samples (the conformal guarantee, per cell). Views
//! between angle nodes interpolate linearly, and a view on an input lead has width 0: there
//! the view is the input (views the inputs determine exactly are served exactly, with no
//! band). Each database counts alike, whatever its number of cycles, so no one device
//! dominates the band.

use crate::delineate::CycleBounds;

/// Name of the stored quantiles. The name says the unit: a band stored in another unit (the
/// inputs' peak, `calibration.band`; the TP activity to the power 0.7, `calibration.band_tp`)
/// is not read as this one: such a file has no band until `train-panorama --resume` fits one.
pub const STORED: &str = "calibration.band_tp10";
/// The levels whose quantiles are stored; bands at levels between them interpolate.
pub const LEVELS: [f64; 7] = [0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99];
/// Angle nodes (radians from the view to the nearest input lead).
pub const ANGLES: [f64; 7] = [0.1, 0.25, 0.45, 0.7, 1.0, 1.5, 2.3];
/// Parts of the cycle (P, PR, QRS, ST, T, TP), each split in [`THIRDS`].
pub const SEGMENTS: usize = 6;
/// Equal parts each segment is split into.
pub const THIRDS: usize = 3;
/// Phases of a cycle.
pub const PHASES: usize = SEGMENTS * THIRDS;
/// Input groups: one standard lead (12 groups, `STANDARD_12` order), one other lead, 2–3
/// leads, 4 or more, and II, V2, V5 (in any order).
pub const GROUPS: usize = 16;
/// `STANDARD_12` slots of the paper's three input leads, II, V2 and V5, sorted.
const PAPER_SET: [usize; 3] = [1, 7, 10];
/// The input group of [`PAPER_SET`], the last one.
const PAPER_GROUP: usize = GROUPS - 1;
/// Cells of the table.
pub const CELLS: usize = GROUPS * ANGLES.len() * PHASES;

/// The band's stored quantiles.
#[derive(Debug, Clone, PartialEq)]
pub struct Band {
    /// Scaled-error quantiles, `[group][angle][phase][level]` row-major.
    quantiles: Vec<f32>,
}

/// The input group of inputs with these `STANDARD_12` slots (`None`: not a standard lead).
pub fn input_group(slots: &[Option<usize>]) -> usize {
    let mut sorted: Vec<Option<usize>> = slots.to_vec();
    sorted.sort();
    if sorted == PAPER_SET.map(Some) {
        return PAPER_GROUP;
    }
    match slots {
        [Some(k)] if *k < 12 => *k,
        [_] | [] => 12,
        [_, _] | [_, _, _] => 13,
        _ => 14,
    }
}

/// The angle node nearest to `angle` (radians).
pub fn nearest_angle(angle: f64) -> usize {
    (0..ANGLES.len())
        .min_by(|&a, &b| {
            (ANGLES[a] - angle)
                .abs()
                .total_cmp(&(ANGLES[b] - angle).abs())
        })
        .unwrap_or(0)
}

/// The phase of each of the cycle's `samples` samples (`bounds` relative to the cycle).
pub fn phases(bounds: &CycleBounds, samples: usize) -> Vec<usize> {
    let b = bounds.as_array();
    (0..samples)
        .map(|t| {
            // The last segment (TP) runs to the cycle's last sample inclusive.
            let seg = (0..SEGMENTS)
                .find(|&s| t < b[s + 1])
                .unwrap_or(SEGMENTS - 1);
            let (lo, hi) = (b[seg], b[seg + 1].max(b[seg] + 1));
            let third = ((t.saturating_sub(lo)) * THIRDS) / (hi - lo);
            seg * THIRDS + third.min(THIRDS - 1)
        })
        .collect()
}

/// Index of cell (input `group`, `angle` node, `phase`).
pub fn cell(group: usize, angle: usize, phase: usize) -> usize {
    (group * ANGLES.len() + angle) * PHASES + phase
}

impl Band {
    /// The band from its stored values; the error says what does not fit.
    pub fn from_values(values: &[f32]) -> Result<Self, String> {
        if values.len() != CELLS * LEVELS.len() {
            return Err(format!(
                "{STORED} must hold {} values ({CELLS} cells × {} levels), it holds {}",
                CELLS * LEVELS.len(),
                LEVELS.len(),
                values.len()
            ));
        }
        if values.iter().any(|v| !v.is_finite() || *v < 0.0) {
            return Err(format!("{STORED} holds a negative or non-finite quantile"));
        }
        Ok(Self {
            quantiles: values.to_vec(),
        })
    }

    /// The values as stored.
    pub fn values(&self) -> &[f32] {
        &self.quantiles
    }

    /// Fit from each cell's scaled errors with their weights (`cells[c]`: (error, weight)).
    ///
    /// A cell with fewer than `min_count` errors borrows the nearest angle node's quantiles of
    /// the same group and phase (or, with none, the phase's of the first group that has
    /// some, single leads before several), and is never narrower than the nearer node: where
    /// the data are too few to say, a view farther from every input is not trusted more than
    /// a nearer one. Cells with their own errors keep their quantiles: forcing those to grow
    /// with the angle too widened every named input set's band by 3–4 points of coverage on
    /// the validation records.
    pub fn fit(mut cells: Vec<Vec<(f32, f32)>>, min_count: usize) -> Result<Self, String> {
        if cells.len() != CELLS {
            return Err(format!("expected {CELLS} cells, got {}", cells.len()));
        }
        let mut q: Vec<Option<Vec<f32>>> = cells
            .iter_mut()
            .map(|c| (c.len() >= min_count.max(1)).then(|| weighted_quantiles(c, &LEVELS)))
            .collect();
        let own: Vec<bool> = q.iter().map(Option::is_some).collect();
        for count in 0..GROUPS {
            for phase in 0..PHASES {
                for a in 0..ANGLES.len() {
                    if q[cell(count, a, phase)].is_some() {
                        continue;
                    }
                    let borrowed = (1..ANGLES.len())
                        .flat_map(|d| [a.checked_sub(d), Some(a + d)])
                        .flatten()
                        .filter(|&b| b < ANGLES.len())
                        .find_map(|b| q[cell(count, b, phase)].clone())
                        .or_else(|| {
                            (0..GROUPS).find_map(|k| {
                                (0..ANGLES.len()).find_map(|b| q[cell(k, b, phase)].clone())
                            })
                        });
                    q[cell(count, a, phase)] = borrowed;
                }
                for a in (1..ANGLES.len()).filter(|&a| !own[cell(count, a, phase)]) {
                    if let (Some(prev), Some(cur)) = (
                        q[cell(count, a - 1, phase)].clone(),
                        &mut q[cell(count, a, phase)],
                    ) {
                        for (c, p) in cur.iter_mut().zip(prev) {
                            *c = c.max(p);
                        }
                    }
                }
            }
        }
        q.into_iter()
            .collect::<Option<Vec<Vec<f32>>>>()
            .map(|c| c.concat())
            .ok_or_else(|| "no held-out error at all to fit the band on".to_string())
            .and_then(|v| Self::from_values(&v))
    }

    /// The stored quantile of cell `c` at `level` (interpolated between [`LEVELS`]).
    fn quantile(&self, c: usize, level: f64) -> f64 {
        let row = &self.quantiles[c * LEVELS.len()..(c + 1) * LEVELS.len()];
        let k = LEVELS
            .windows(2)
            .position(|w| level <= w[1])
            .unwrap_or(LEVELS.len() - 2);
        let f = ((level - LEVELS[k]) / (LEVELS[k + 1] - LEVELS[k])).clamp(0.0, 1.0);
        f64::from(row[k]) * (1.0 - f) + f64::from(row[k + 1]) * f
    }

    /// Half-widths (mV) of the band at `level` for one view: input `group`, `angle` (radians) from
    /// the view to the nearest input, the cycle's sample `phases`, the errors' unit `scale`.
    pub fn half_widths(
        &self,
        level: f64,
        group: usize,
        angle: f64,
        phases: &[usize],
        scale: f64,
    ) -> Vec<f64> {
        let count = group.min(GROUPS - 1);
        let last = ANGLES.len() - 1;
        // Linear in the angle between nodes, from 0 at the input's own direction.
        let (lo, hi, f) = match ANGLES.iter().position(|&a| angle <= a) {
            Some(0) => (None, 0, angle / ANGLES[0]),
            Some(k) => (
                Some(k - 1),
                k,
                (angle - ANGLES[k - 1]) / (ANGLES[k] - ANGLES[k - 1]),
            ),
            None => (Some(last), last, 1.0),
        };
        let f = f.clamp(0.0, 1.0);
        phases
            .iter()
            .map(|&p| {
                let upper = self.quantile(cell(count, hi, p), level);
                let lower = lo.map_or(0.0, |l| self.quantile(cell(count, l, p), level));
                scale * (lower * (1.0 - f) + upper * f)
            })
            .collect()
    }
}

/// Weighted quantiles of `(value, weight)` pairs at `levels` (sorted in place).
fn weighted_quantiles(pairs: &mut [(f32, f32)], levels: &[f64]) -> Vec<f32> {
    pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let total: f64 = pairs.iter().map(|p| f64::from(p.1)).sum();
    let mut out = Vec::with_capacity(levels.len());
    let (mut acc, mut i) = (0.0, 0);
    for &level in levels {
        let want = level * total;
        while i < pairs.len() && acc + f64::from(pairs[i].1) < want {
            acc += f64::from(pairs[i].1);
            i += 1;
        }
        out.push(pairs[i.min(pairs.len() - 1)].0);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bounds() -> CycleBounds {
        CycleBounds::new([0, 30, 60, 90, 120, 150, 299], 300).unwrap()
    }

    #[test]
    fn every_sample_has_its_part_of_the_cycle() {
        let p = phases(&bounds(), 300);
        assert_eq!((p[0], p[10], p[29]), (0, 1, 2));
        assert_eq!((p[60], p[89]), (2 * THIRDS, 2 * THIRDS + 2));
        assert_eq!((p[150], p[299]), (5 * THIRDS, 5 * THIRDS + 2));
        assert!(p.iter().all(|&x| x < PHASES));
    }

    #[test]
    fn inputs_fall_in_their_group() {
        assert_eq!(input_group(&[Some(1)]), 1);
        assert_eq!(input_group(&[None]), 12);
        assert_eq!(input_group(&[Some(1), None]), 13);
        assert_eq!(input_group(&[Some(0); 8]), 14);
        assert_eq!(input_group(&[Some(10), Some(1), Some(7)]), 15);
        assert_eq!(input_group(&[Some(1), Some(7), Some(9)]), 13);
    }

    #[test]
    fn weighted_quantiles_follow_the_weights() {
        let mut v: Vec<(f32, f32)> = (1..=100).map(|i| (i as f32, 1.0)).collect();
        let q = weighted_quantiles(&mut v, &[0.5, 0.8, 0.95]);
        assert_eq!(q, [50.0, 80.0, 95.0]);
        // One heavy value carries the median.
        let mut w = vec![(1.0, 1.0), (2.0, 10.0), (3.0, 1.0)];
        assert_eq!(weighted_quantiles(&mut w, &[0.5]), [2.0]);
    }

    /// A band fitted on errors uniform in [0, s) where s grows with the angle node.
    fn fitted() -> Band {
        let cells: Vec<Vec<(f32, f32)>> = (0..CELLS)
            .map(|c| {
                let angle = (c / PHASES) % ANGLES.len();
                let s = (angle + 1) as f32;
                (0..1000).map(|i| (s * i as f32 / 1000.0, 1.0)).collect()
            })
            .collect();
        Band::fit(cells, 10).unwrap()
    }

    #[test]
    fn the_band_holds_the_cells_quantiles_and_widens_away_from_the_inputs() {
        let band = fitted();
        let ph = [0usize];
        // At a node: the quantile times the scale.
        let w = band.half_widths(0.8, 1, ANGLES[1], &ph, 2.0)[0];
        assert!((w - 2.0 * 0.8 * 2.0).abs() < 0.01, "{w}");
        // Between levels and between nodes: in between.
        let mid = band.half_widths(0.85, 1, ANGLES[1], &ph, 1.0)[0];
        assert!(mid > 0.8 * 2.0 && mid < 0.9 * 2.0, "{mid}");
        let between = band.half_widths(0.8, 1, (ANGLES[1] + ANGLES[2]) / 2.0, &ph, 1.0)[0];
        assert!(between > 0.8 * 2.0 && between < 0.8 * 3.0, "{between}");
        // On the input itself the view is the input: no width.
        assert_eq!(band.half_widths(0.8, 1, 0.0, &ph, 1.0)[0], 0.0);
        // Beyond the last node the width stays.
        let far = band.half_widths(0.8, 1, 3.0, &ph, 1.0)[0];
        assert!((far - 0.8 * ANGLES.len() as f64).abs() < 0.01, "{far}");
    }

    #[test]
    fn empty_cells_borrow_and_are_never_narrower_than_nearer_ones() {
        let mut cells: Vec<Vec<(f32, f32)>> = (0..CELLS)
            .map(|c| {
                let angle = (c / PHASES) % ANGLES.len();
                // Wider near the input than far from it.
                let s = (ANGLES.len() - angle) as f32;
                (0..100).map(|i| (s * i as f32 / 100.0, 1.0)).collect()
            })
            .collect();
        cells[cell(13, 3, 4)].clear();
        cells[cell(13, 6, 4)].clear();
        let band = Band::fit(cells, 10).unwrap();
        let w: Vec<f64> = ANGLES
            .iter()
            .map(|&a| band.half_widths(0.8, 13, a, &[4], 1.0)[0])
            .collect();
        // Cells with their own errors keep them, narrowing as the data do.
        let own = |k: usize| 0.79 * (ANGLES.len() - k) as f64;
        for k in [0, 1, 2, 4, 5] {
            assert!((w[k] - own(k)).abs() < 0.02, "{k}: {w:?}");
        }
        // Empty ones borrow and are never narrower than the nearer node.
        assert!(w[3] >= w[2] - 1e-9 && w[6] >= w[5] - 1e-9, "{w:?}");
        assert!(Band::fit(vec![Vec::new(); CELLS], 10).is_err());
        assert!(Band::from_values(&[1.0; 3]).is_err());
        assert!(Band::from_values(&vec![-1.0; CELLS * LEVELS.len()]).is_err());
    }
}
