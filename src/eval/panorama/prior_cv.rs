//! Cross-validation of the engine's linear prior over the training records: the prior alone
//! (population and patient-similar regressions) against linear regression, fold by fold, so
//! its choices are made without the test records and with more cycles than one validation
//! split holds.

use super::cycles::{Cycle, folder_cycles};
use super::evaluate::{Table, evaluate};
use super::methods::{LinearRegression, Method};
use super::{Task, standard_tasks};
use crate::delineate::CycleBounds;
use crate::error::Result;
use crate::geometry::{STANDARD_12, lead_view, normalise_lead_name};
use crate::model::data::{TrainCycle, database_cycles};
use crate::model::local_prior::lead_features;
use crate::model::prior::Prior;
use serde::Serialize;
use std::collections::HashSet;
use std::path::Path;

/// The linear prior as a [`Method`]: with `shapes`, the patient-similar regression; without,
/// the population one.
pub struct PriorMethod {
    prior: Prior,
    shapes: bool,
    dynamics: bool,
}

impl PriorMethod {
    /// The prior fitted on `cycles`, with or without the inputs' shapes.
    pub fn fit(cycles: &[TrainCycle], shapes: bool) -> Self {
        Self {
            prior: Prior::from_cycles(cycles),
            shapes,
            dynamics: false,
        }
    }
}

impl Method for PriorMethod {
    fn name(&self) -> String {
        let base = if self.shapes {
            "patient-similar prior"
        } else {
            "population prior"
        };
        if self.dynamics {
            format!("{base} + dynamics")
        } else {
            base.into()
        }
    }

    fn predict(
        &self,
        inputs: &[(&str, &[f64])],
        bounds: &CycleBounds,
        target: &str,
    ) -> Option<Vec<f64>> {
        let slot = |n: &str| STANDARD_12.iter().position(|l| *l == n);
        let slots: Vec<usize> = inputs.iter().map(|(n, _)| slot(n)).collect::<Option<_>>()?;
        let x: Vec<Vec<f32>> = inputs
            .iter()
            .map(|(_, v)| v.iter().map(|&s| s as f32).collect())
            .collect();
        let shapes: Vec<_> = x.iter().map(|v| lead_features(v, bounds)).collect();
        let regressions =
            self.prior
                .regressions(&slots, self.shapes.then_some(shapes.as_slice()), None)?;
        let query = lead_view(&normalise_lead_name(target), false)?.viewpoint;
        let n = x.first()?.len();
        let views: Vec<&[f32]> = x.iter().map(Vec::as_slice).collect();
        let dynamic = self.dynamics.then(|| self.prior.dynamic(&slots)).flatten();
        let derived = Prior::derived(&regressions, &views, bounds.end() + 1, n);
        let est = Prior::estimate(
            &regressions,
            dynamic.as_ref(),
            query,
            &views,
            &derived,
            bounds,
            n,
        );
        Some(est.into_iter().map(f64::from).collect())
    }

    /// Fitted on every lead: it cannot claim unseen views.
    fn applies_to(&self, task: &Task) -> bool {
        !task.unseen
    }
}

/// One task's scores pooled over the folds.
#[derive(Debug, Clone, Serialize)]
pub struct PooledCell {
    /// Task name.
    pub task: String,
    /// Method name.
    pub method: String,
    /// Lead-cycles scored over all folds.
    pub scored: usize,
    /// Mean honest-mode PSNR, dB.
    pub psnr_db: f64,
    /// Mean honest-mode SSIM.
    pub ssim: f64,
}

/// Scores of every fold pooled by lead-cycle.
#[derive(Debug, Clone, Serialize)]
pub struct CrossValidation {
    /// Folds run.
    pub folds: usize,
    /// Cycles scored over all folds.
    pub cycles: usize,
    /// One cell per task × method.
    pub cells: Vec<PooledCell>,
}

/// `folds`-fold cross-validation over `records` of any 12-lead, 500 Hz folder (record `i` is
/// scored in fold `i mod folds`; cycles as `eval-panorama` takes them: boundary files, else
/// the annotator): linear regression and the prior fitted on the other folds' records (and
/// on `extra` training cycles, which are never scored), scored on the seen-view tasks.
pub fn cross_validate(
    dir: &Path,
    records: &[String],
    extra: &[TrainCycle],
    folds: usize,
    mut progress: impl FnMut(usize),
) -> Result<CrossValidation> {
    let mut tasks: Vec<Task> = standard_tasks()
        .into_iter()
        .filter(|t| !t.unseen && t.inputs.len() < 8)
        .collect();
    // A chest lead alone and two-lead sets too: the prior's choices that depend on the input
    // count (the dynamic correction) are made on them.
    tasks.push(Task::new("(1,11) from V2", &["V2"], &[], false));
    tasks.push(Task::new("(1,11) from V5", &["V5"], &[], false));
    tasks.push(Task::new("(2,10) from II, V1", &["II", "V1"], &[], false));
    tasks.push(Task::new("(2,10) from I, V5", &["I", "V5"], &[], false));
    // Every record's cycles are cut once (the annotator's for records without boundary
    // files), then split by fold.
    let scored_all: Vec<Cycle> = folder_cycles(dir, records, &mut |_| {})?.cycles;
    let fit_all: Vec<TrainCycle> = database_cycles(dir, records)?.0;
    let mut sums: Vec<(String, String, usize, f64, f64)> = Vec::new();
    let mut cycles = 0;
    for fold in 0..folds.max(1) {
        let scored: HashSet<&str> = records
            .iter()
            .enumerate()
            .filter(|(i, _)| i % folds.max(1) == fold)
            .map(|(_, name)| name.as_str())
            .collect();
        let (test, fit_on): (Vec<Cycle>, Vec<Cycle>) = scored_all
            .iter()
            .cloned()
            .partition(|c| scored.contains(c.record.as_str()));
        let mut train: Vec<TrainCycle> = fit_all
            .iter()
            .filter(|c| !scored.contains(c.record.as_str()))
            .cloned()
            .collect();
        train.extend_from_slice(extra);
        let regression = LinearRegression::fit(&fit_on);
        let population = PriorMethod::fit(&train, false);
        let similar = PriorMethod {
            prior: population.prior.clone(),
            shapes: true,
            dynamics: false,
        };
        let dynamic = PriorMethod {
            prior: population.prior.clone(),
            shapes: true,
            dynamics: true,
        };
        let methods: [&dyn Method; 4] = [&regression, &population, &similar, &dynamic];
        let table: Table = evaluate(&tasks, &methods, &test);
        cycles += table.cycles;
        for cell in table.cells {
            let (Some(p), Some(s)) = (cell.psnr_db, cell.ssim) else {
                continue;
            };
            let w = cell.scored as f64;
            match sums
                .iter_mut()
                .find(|e| e.0 == cell.task && e.1 == cell.method)
            {
                Some(e) => {
                    e.2 += cell.scored;
                    e.3 += w * p;
                    e.4 += w * s;
                }
                None => sums.push((cell.task, cell.method, cell.scored, w * p, w * s)),
            }
        }
        progress(fold + 1);
    }
    Ok(CrossValidation {
        folds: folds.max(1),
        cycles,
        cells: sums
            .into_iter()
            .map(|(task, method, scored, p, s)| PooledCell {
                psnr_db: p / scored.max(1) as f64,
                ssim: s / scored.max(1) as f64,
                task,
                method,
                scored,
            })
            .collect(),
    })
}

impl CrossValidation {
    /// A plain-text table: one row per task and method.
    pub fn render(&self) -> String {
        let mut out = format!(
            "{:<28}  {:<32}  {:>8}  {:>6}  {:>11}\n",
            "task", "method", "PSNR dB", "SSIM", "lead-cycles"
        );
        for c in &self.cells {
            out.push_str(&format!(
                "{:<28}  {:<32}  {:>8.2}  {:>6.3}  {:>11}\n",
                c.task, c.method, c.psnr_db, c.ssim, c.scored
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::super::cycles::ludb_cycles;
    use super::*;
    use crate::model::data::training_cycles;

    fn ludb() -> std::path::PathBuf {
        crate::test_data_dir().join("ludb/data")
    }

    #[test]
    fn the_prior_returns_an_input_lead_as_recorded_and_declines_unknown_leads() {
        let cycles = training_cycles(&ludb(), &["2".to_string(), "9".to_string()]).unwrap();
        let c = &cycles[0];
        let ii: Vec<f64> = c.leads[1][..c.len].iter().map(|&v| f64::from(v)).collect();
        let v2: Vec<f64> = c.leads[7][..c.len].iter().map(|&v| f64::from(v)).collect();
        for shapes in [false, true] {
            let m = PriorMethod::fit(&cycles, shapes);
            let inputs = [("II", ii.as_slice()), ("V2", v2.as_slice())];
            let got = m.predict(&inputs, &c.bounds, "II").unwrap();
            for (a, b) in got.iter().zip(&ii) {
                assert!((a - b).abs() < 1e-5, "{a} against {b}");
            }
            let v1 = m.predict(&inputs, &c.bounds, "V1").unwrap();
            assert_eq!(v1.len(), ii.len());
            assert!(v1.iter().all(|v| v.is_finite()));
            assert!(
                m.predict(&[("X9", ii.as_slice())], &c.bounds, "V1")
                    .is_none()
            );
        }
    }

    #[test]
    fn every_record_is_scored_once_with_the_fit_on_the_others() {
        let names: Vec<String> = ["1", "2", "3", "6"].map(String::from).to_vec();
        let mut folds_seen = Vec::new();
        let cv = cross_validate(&ludb(), &names, &[], 2, |f| folds_seen.push(f)).unwrap();
        assert_eq!(folds_seen, [1, 2]);
        let all = ludb_cycles(&ludb(), &names).unwrap();
        assert_eq!(cv.cycles, all.len());
        let methods: std::collections::BTreeSet<_> =
            cv.cells.iter().map(|c| c.method.as_str()).collect();
        assert_eq!(
            methods.into_iter().collect::<Vec<_>>(),
            [
                "linear regression",
                "patient-similar prior",
                "patient-similar prior + dynamics",
                "population prior"
            ]
        );
        // (3,9): nine targets per cycle, every method scoring each one.
        for c in cv.cells.iter().filter(|c| c.task.starts_with("(3,9)")) {
            assert_eq!(c.scored, 9 * all.len(), "{}", c.method);
            assert!(c.psnr_db.is_finite() && c.psnr_db > 10.0, "{c:?}");
        }
        // One input: the dynamic correction changes the estimate; three: it is not applied.
        let psnr = |task: &str, method: &str| {
            cv.cells
                .iter()
                .find(|c| c.task.starts_with(task) && c.method == method)
                .map(|c| c.psnr_db)
                .unwrap()
        };
        let dynamic = "patient-similar prior + dynamics";
        assert_ne!(
            psnr("(1,11) from II", dynamic),
            psnr("(1,11) from II", "patient-similar prior")
        );
        assert_eq!(
            psnr("(3,9)", dynamic),
            psnr("(3,9)", "patient-similar prior")
        );
    }
}
