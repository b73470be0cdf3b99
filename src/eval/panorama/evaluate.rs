//! Scoring every method on every task over a set of cycles, and the table of the results.

use super::Task;
use super::cycles::{Cycle, lead_index};
use super::methods::Method;
use super::metrics::{Scale, clip, psnr, rmse, ssim_1d};
use serde::Serialize;
use std::collections::BTreeSet;
use std::fmt::Write;

/// The scores of one method on one task; `None` scores mean "not applicable" (shown as "—").
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cell {
    /// The task's name.
    pub task: String,
    /// The method's name.
    pub method: String,
    /// Lead-cycles the task holds (cycles × targets).
    pub lead_cycles: usize,
    /// Lead-cycles the method predicted in honest mode (fewer when it declined some).
    pub scored: usize,
    /// Honest mode: mean PSNR in dB per target lead per cycle.
    pub psnr_db: Option<f64>,
    /// Honest mode: mean SSIM per target lead per cycle.
    pub ssim: Option<f64>,
    /// Honest mode: mean RMSE in µV per target lead per cycle (unclipped prediction in mV).
    pub rmse_uv: Option<f64>,
    /// The paper's protocol (inputs normalised by the 12-lead range): mean PSNR in dB.
    pub paper_psnr_db: Option<f64>,
    /// The paper's protocol: mean SSIM.
    pub paper_ssim: Option<f64>,
    /// Honest PSNR of each lead-cycle, cycles outermost and the task's targets within (`None`
    /// where the method declined or the cycle lacks the target): what [`super::margin`] pairs.
    #[serde(skip)]
    pub scores: Vec<Option<f64>>,
}

/// The results of [`evaluate`]: one [`Cell`] per task and method, tasks outermost.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Table {
    /// Records contributing at least one cycle.
    pub records: usize,
    /// Cycles scored.
    pub cycles: usize,
    /// The tasks, in order.
    pub tasks: Vec<Task>,
    /// The methods' names, in order.
    pub methods: Vec<String>,
    /// One cell per task × method.
    pub cells: Vec<Cell>,
    /// Each scored cycle's record name, in the order of [`Cell::scores`].
    #[serde(skip)]
    pub cycle_records: Vec<String>,
}

/// Running means of per-lead-cycle scores.
#[derive(Default)]
struct Means {
    n: usize,
    psnr: f64,
    ssim: f64,
    rmse_uv: f64,
}

impl Means {
    fn add(&mut self, psnr: f64, ssim: f64, rmse_uv: f64) {
        self.n += 1;
        self.psnr += psnr;
        self.ssim += ssim;
        self.rmse_uv += rmse_uv;
    }

    fn mean(&self, total: f64) -> Option<f64> {
        (self.n > 0).then(|| total / self.n as f64)
    }
}

/// Score every method on every task over `cycles` (honest mode and the paper's protocol).
///
/// Panics when a method returns a prediction whose length differs from the cycle's.
pub fn evaluate(tasks: &[Task], methods: &[&dyn Method], cycles: &[Cycle]) -> Table {
    let cells = tasks
        .iter()
        .flat_map(|task| methods.iter().map(move |m| score(task, *m, cycles)))
        .collect();
    Table {
        records: cycles
            .iter()
            .map(|c| &c.record)
            .collect::<BTreeSet<_>>()
            .len(),
        cycles: cycles.len(),
        tasks: tasks.to_vec(),
        methods: methods.iter().map(|m| m.name()).collect(),
        cells,
        cycle_records: cycles.iter().map(|c| c.record.clone()).collect(),
    }
}

fn check_len(p: &[f64], c: &Cycle, method: &dyn Method) {
    assert_eq!(
        p.len(),
        c.samples(),
        "{} returned {} samples for a cycle of {}",
        method.name(),
        p.len(),
        c.samples()
    );
}

fn score(task: &Task, method: &dyn Method, cycles: &[Cycle]) -> Cell {
    let mut cell = Cell {
        task: task.name.clone(),
        method: method.name(),
        lead_cycles: cycles.len() * task.targets.len(),
        scored: 0,
        psnr_db: None,
        ssim: None,
        rmse_uv: None,
        paper_psnr_db: None,
        paper_ssim: None,
        scores: Vec::new(),
    };
    let known = |names: &[String]| names.iter().all(|n| lead_index(n).is_some());
    if !method.applies_to(task) || !known(&task.inputs) || !known(&task.targets) {
        return cell;
    }
    let (mut honest, mut paper) = (Means::default(), Means::default());
    for c in cycles {
        let scale: Scale = c.scale();
        let inputs: Vec<(&str, &[f64])> = task
            .inputs
            .iter()
            .filter_map(|n| Some((n.as_str(), c.lead(n)?)))
            .collect();
        let normalised: Vec<Vec<f64>> = inputs.iter().map(|(_, x)| scale.apply(x)).collect();
        let norm_inputs: Vec<(&str, &[f64])> = inputs
            .iter()
            .zip(&normalised)
            .map(|((n, _), x)| (*n, x.as_slice()))
            .collect();
        for target in &task.targets {
            let Some(recorded) = c.lead(target) else {
                cell.scores.push(None);
                continue;
            };
            let rec_n = scale.apply(recorded);
            let mut scored = None;
            if let Some(p) = method.predict(&inputs, &c.bounds, target) {
                check_len(&p, c, method);
                let pred_n = clip(&scale.apply(&p));
                let db = psnr(&rec_n, &pred_n);
                honest.add(
                    db,
                    ssim_1d(&rec_n, &pred_n, 1.0),
                    1000.0 * rmse(recorded, &p),
                );
                scored = Some(db);
            }
            cell.scores.push(scored);
            if let Some(p) = method.predict_normalised(&norm_inputs, &c.bounds, target) {
                check_len(&p, c, method);
                let pred_n = clip(&p);
                paper.add(psnr(&rec_n, &pred_n), ssim_1d(&rec_n, &pred_n, 1.0), 0.0);
            }
        }
    }
    cell.scored = honest.n;
    cell.psnr_db = honest.mean(honest.psnr);
    cell.ssim = honest.mean(honest.ssim);
    cell.rmse_uv = honest.mean(honest.rmse_uv);
    cell.paper_psnr_db = paper.mean(paper.psnr);
    cell.paper_ssim = paper.mean(paper.ssim);
    cell
}

impl Table {
    /// The cell of a task and a method, by name.
    pub fn cell(&self, task: &str, method: &str) -> Option<&Cell> {
        self.cells
            .iter()
            .find(|c| c.task == task && c.method == method)
    }

    /// A plain-text table: one row per task × method, "—" where a method does not apply.
    pub fn render(&self) -> String {
        let fmt = |v: Option<f64>, digits: usize| match v {
            Some(x) => format!("{x:.digits$}"),
            None => "—".to_string(),
        };
        let tw = self
            .tasks
            .iter()
            .map(|t| t.name.chars().count())
            .max()
            .unwrap_or(4)
            .max(4);
        let mw = self
            .methods
            .iter()
            .map(|m| m.chars().count())
            .max()
            .unwrap_or(6)
            .max(6);
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{:<tw$}  {:<mw$}  {:>8}  {:>6}  {:>8}  {:>10}  {:>10}",
            "task", "method", "PSNR dB", "SSIM", "RMSE µV", "paper PSNR", "paper SSIM"
        );
        let mut partial = false;
        for c in &self.cells {
            let mark = if c.scored > 0 && c.scored < c.lead_cycles {
                partial = true;
                "*"
            } else {
                ""
            };
            let _ = writeln!(
                out,
                "{:<tw$}  {:<mw$}  {:>8}  {:>6}  {:>8}  {:>10}  {:>10}{mark}",
                c.task,
                c.method,
                fmt(c.psnr_db, 2),
                fmt(c.ssim, 3),
                fmt(c.rmse_uv, 1),
                fmt(c.paper_psnr_db, 2),
                fmt(c.paper_ssim, 3),
            );
        }
        if partial {
            let _ = writeln!(out, "* the method declined some lead-cycles of the task");
        }
        out
    }
}
