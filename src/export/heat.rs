//! The anomaly map on paper and in files: the heat band's colours (shared with the app, so a
//! figure shows what the screen showed) and the map as CSV.

use crate::anomaly::AnomalyMap;
use std::fmt::Write;

/// Score at and above which the heat band is at its reddest.
pub const HEAT_FULL: f64 = 4.0;

/// Colour (RGBA, not premultiplied) of anomaly score `score`: none within the engine's 80 %
/// band (≤ 1), then from translucent orange to red at [`HEAT_FULL`] and above.
pub fn heat_rgba(score: f64) -> Option<[u8; 4]> {
    if score.is_nan() || score <= 1.0 {
        return None;
    }
    let t = ((score - 1.0) / (HEAT_FULL - 1.0)).clamp(0.0, 1.0);
    Some([220, (160.0 * (1.0 - t)) as u8, 30, (60.0 + 160.0 * t) as u8])
}

/// Scores quantised to this many colour steps in exported figures: runs of one step are drawn
/// as one rectangle, which keeps files small.
const STEPS: f64 = 8.0;

/// Runs of one colour along `heat`, worst score per bucket of `bucket` samples:
/// `(first sample, end sample (exclusive), colour)`; no run where the score is within the band.
pub fn heat_runs(heat: &[f64], bucket: usize) -> Vec<(usize, usize, [u8; 4])> {
    let bucket = bucket.max(1);
    let mut runs: Vec<(usize, usize, [u8; 4])> = Vec::new();
    for a in (0..heat.len()).step_by(bucket) {
        let b = (a + bucket).min(heat.len());
        let worst = heat[a..b]
            .iter()
            .copied()
            .filter(|v| v.is_finite())
            .fold(f64::NAN, f64::max);
        // Quantise from the band up so neighbouring buckets of one step merge.
        let stepped =
            1.0 + ((worst - 1.0) * STEPS / (HEAT_FULL - 1.0)).ceil() * (HEAT_FULL - 1.0) / STEPS;
        let Some(rgba) = heat_rgba(stepped) else {
            continue;
        };
        match runs.last_mut() {
            Some(last) if last.1 == a && last.2 == rgba => last.1 = b,
            _ => runs.push((a, b, rgba)),
        }
    }
    runs
}

/// The map as CSV: `time_s`, then one column per scored lead (its score at each sample; empty
/// outside the scored cycles).
pub fn map_csv(map: &AnomalyMap, fs: f64) -> String {
    let mut out = String::from("time_s");
    for l in &map.leads {
        out.push(',');
        out.push_str(l);
    }
    out.push('\n');
    let len = map.samples.first().map_or(0, Vec::len);
    for t in 0..len {
        let _ = write!(out, "{:.4}", t as f64 / fs);
        for lead in &map.samples {
            out.push(',');
            if lead[t].is_finite() {
                let _ = write!(out, "{:.3}", lead[t]);
            }
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_within_the_band_are_clear_and_redder_above() {
        assert_eq!(heat_rgba(0.5), None);
        assert_eq!(heat_rgba(1.0), None);
        assert_eq!(heat_rgba(f64::NAN), None);
        let (mild, strong) = (heat_rgba(1.5).unwrap(), heat_rgba(9.0).unwrap());
        assert!(strong[1] < mild[1] && strong[3] > mild[3]);
        assert_eq!(heat_rgba(9.0), heat_rgba(HEAT_FULL));
    }

    #[test]
    fn runs_merge_equal_colours_and_skip_quiet_stretches() {
        let mut heat = vec![0.5; 100];
        heat[20..40].fill(5.0);
        heat[40..60].fill(5.5);
        heat[70] = f64::NAN;
        let runs = heat_runs(&heat, 10);
        assert_eq!(runs.len(), 1, "{runs:?}");
        assert_eq!((runs[0].0, runs[0].1), (20, 60));
    }
}
