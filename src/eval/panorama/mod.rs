//! The panorama evaluation: how well a method synthesizes target leads of a cardiac cycle from
//! its input leads, scored as the Electrocardio Panorama paper scores it, on LUDB or any other
//! 12-lead database (at 500 Hz: records at other rates are resampled).
//!
//! Protocol (honest mode):
//! 1. cycles come from the lead II boundary file ([`ludb_cycles`]), or for records without one
//!    from the record's JSON cycle labels or the automatic annotator ([`folder_cycles`]),
//!    P onset to the next P onset, complete P-QRS-T-P only, 100 to 512 samples with both
//!    P onsets included;
//! 2. each lead of a cycle has the straight line through its values at the two P onsets
//!    subtracted ([`detrend`](crate::signal::detrend)); that uses the lead alone, so inputs
//!    never see the targets;
//! 3. the method sees only the input leads (mV) and returns the target in mV
//!    ([`Method::predict`]);
//! 4. the evaluator normalises the recorded cycle by the min and max over all 12 leads and
//!    applies the **same** (min, max) to the prediction, clipped to [−0.5, 1.5] ([`CLIP`]);
//! 5. PSNR = 20·log10(1/RMSE) and SSIM (scikit-image's `structural_similarity` on 1-D data,
//!    window 7, `data_range=1`) per target lead per cycle, averaged over all of them; the RMSE
//!    in µV is taken on the unclipped prediction in mV.
//!
//! The paper's protocol (a comparison only, it peeks at the targets' range): the inputs are
//! normalised by the cycle's 12-lead range before the method sees them, the method predicts in
//! those units ([`Method::predict_normalised`]; linear regression is then fitted on training
//! cycles normalised the same way), and the prediction is clipped and scored as above.

mod band;
mod cycles;
mod engine_method;
mod evaluate;
mod margin;
mod methods;
mod metrics;
mod prior_cv;

pub use band::{BAND_LEVELS, BandRow, NEAR, band_coverage, render_band_table};
pub use cycles::{
    Cycle, EVAL_FS, FolderCycles, MAX_CYCLE_SAMPLES, MIN_CYCLE_SAMPLES, Skipped, SourceCounts,
    cycle_bounds, folder_cycles, lead_index, ludb_cycles, record_cycles,
};
pub use engine_method::{EngineMethod, Scope};
pub use evaluate::{Cell, Table, evaluate};
pub use margin::{MIN_RECORDS, Margin, RESAMPLES, best_baseline_margins, margin, render_margins};
pub use methods::{DipoleLeastSquares, LinearRegression, Method, RIDGE_PENALTY};
pub use metrics::{CLIP, SSIM_K1, SSIM_K2, SSIM_WINDOW, Scale, clip, psnr, rmse, ssim_1d};
pub use prior_cv::{CrossValidation, PooledCell, PriorMethod, cross_validate};

use serde::Serialize;

/// One synthesis task: which leads go in and which are predicted and scored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Task {
    /// Short label, e.g. `(1,11) from II`.
    pub name: String,
    /// Input leads (canonical names).
    pub inputs: Vec<String>,
    /// Target leads (canonical names), the ones scored.
    pub targets: Vec<String>,
    /// True when the targets must be views the method never learnt from (new-view synthesis).
    pub unseen: bool,
}

impl Task {
    /// A task from lead names; `targets` empty means every standard lead that is not an input.
    pub fn new(name: &str, inputs: &[&str], targets: &[&str], unseen: bool) -> Self {
        let targets: Vec<String> = if targets.is_empty() {
            crate::geometry::STANDARD_12
                .iter()
                .filter(|l| !inputs.contains(l))
                .map(|l| l.to_string())
                .collect()
        } else {
            targets.iter().map(|l| l.to_string()).collect()
        };
        Self {
            name: name.to_string(),
            inputs: inputs.iter().map(|l| l.to_string()).collect(),
            targets,
            unseen,
        }
    }
}

/// The issue's five tasks: (1,11) from II, (1,11) from I, (3,9) from II, V2, V5, (8,12) from
/// I, II, V1–V6 (targets III, aVR, aVL, aVF), and the unseen views V4 and I from II, V2, V5.
pub fn standard_tasks() -> Vec<Task> {
    let chest_and_limb = ["I", "II", "V1", "V2", "V3", "V4", "V5", "V6"];
    vec![
        Task::new("(1,11) from II", &["II"], &[], false),
        Task::new("(1,11) from I", &["I"], &[], false),
        Task::new("(3,9) from II, V2, V5", &["II", "V2", "V5"], &[], false),
        Task::new("(8,12) from I, II, V1-V6", &chest_and_limb, &[], false),
        Task::new(
            "unseen V4, I from II, V2, V5",
            &["II", "V2", "V5"],
            &["V4", "I"],
            true,
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_standard_tasks_have_the_issue_targets() {
        let t = standard_tasks();
        assert_eq!(t.len(), 5);
        assert_eq!(t[0].targets.len(), 11);
        assert!(!t[0].targets.contains(&"II".to_string()));
        assert_eq!(t[2].targets.len(), 9);
        assert_eq!(t[3].targets, ["III", "aVR", "aVL", "aVF"]);
        assert_eq!(t[4].targets, ["V4", "I"]);
        assert!(t[4].unseen && !t[2].unseen);
    }
}
