//! `ecg-panorama eval-anomaly`: the anomaly map on PTB-XL — normal against abnormal records of
//! the test fold, and simulated electrode swaps on its normal records.

use anyhow::Context;
use ecg_panorama::anomaly::normal::{Aggregate, Features, NormalModel};
use ecg_panorama::anomaly::shapes::{ShapeBank, cycle_shapes, mean_shapes};
use ecg_panorama::anomaly::swaps::{Evidence, Swap, SwapCheck, middle_cycles, swap_maps};
use ecg_panorama::anomaly::{AnomalyMap, anomaly_map};
use ecg_panorama::delineate::CycleBounds;
use ecg_panorama::eval::anomaly::{SUPERCLASSES, auroc, ptbxl_superclasses};
use ecg_panorama::panorama::{
    Engine, EngineKind, ExactLeads, NefNetEngine, engine_for, find_record_cycles,
};
use ecg_panorama::record::split::Split;
use ecg_panorama::record::{Record, open_record};
use indicatif::{ProgressBar, ProgressStyle};
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

/// Arguments of `eval-anomaly`.
#[derive(clap::Args)]
pub struct EvalAnomalyArgs {
    /// PTB-XL's 500 Hz records folder.
    #[arg(long, default_value = "../shared/data/ptbxl/records500")]
    records: PathBuf,
    /// Split file: the normal reference is fitted on the `train` records labelled NORM only;
    /// every score is reported on the `test` records.
    #[arg(long, default_value = "models/ptbxl-split.txt")]
    split: PathBuf,
    /// PTB-XL's `ptbxl_database.csv` [default: beside the records folder].
    #[arg(long)]
    database: Option<PathBuf>,
    /// PTB-XL's `scp_statements.csv` [default: beside the records folder].
    #[arg(long)]
    statements: Option<PathBuf>,
    /// Write the fitted normal reference here (JSON; the shipped one is
    /// models/anomaly-normal.json).
    #[arg(long)]
    write_normal: Option<PathBuf>,
    /// Nef-Net weights (default: the shipped model).
    #[arg(long)]
    model: Option<PathBuf>,
}

struct Scored {
    name: String,
    classes: BTreeSet<String>,
    map: AnomalyMap,
    /// The swap check by each method of [`Evidence::ALL`].
    checks: Vec<SwapCheck>,
    record: Record,
    cycles: Vec<CycleBounds>,
}

/// The engine a record is scored with: the model as it is (test records), or the model with the
/// record left out of its patient-similar prior (train records, which the prior holds: the
/// normal reference must describe records the model never saw, as the ones it is used on).
enum Engines<'a> {
    Shared(&'a dyn Engine),
    LeaveOut(Box<ExactLeads<NefNetEngine>>),
}

impl Engines<'_> {
    /// `f` run with the engine for record `name`; whether the record was left out of the prior.
    fn with<T>(
        &mut self,
        name: &str,
        f: impl FnOnce(&dyn Engine) -> anyhow::Result<T>,
    ) -> anyhow::Result<(T, bool)> {
        match self {
            Self::Shared(e) => Ok((f(*e)?, false)),
            Self::LeaveOut(e) => {
                let left_out = e.0.leave_out(name);
                Ok((f(e.as_ref())?, left_out))
            }
        }
    }
}

fn bar(len: usize, what: &str) -> ProgressBar {
    let bar = ProgressBar::new(len as u64);
    bar.set_style(
        ProgressStyle::with_template("{elapsed_precise} [{bar:40}] {pos}/{len} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_message(what.to_string());
    bar
}

fn score(
    engine: &dyn Engine,
    dir: &std::path::Path,
    name: &str,
) -> anyhow::Result<(Record, Vec<CycleBounds>, AnomalyMap, Vec<SwapCheck>)> {
    let path = dir.join(name);
    let record = open_record(&path)?;
    let (_, cycles) = find_record_cycles(&record, Some(&path))?;
    anyhow::ensure!(!cycles.is_empty(), "no cycle found");
    let map = anomaly_map(engine, &record, &cycles)?;
    let checks = all_checks(engine, &record, &cycles)?;
    Ok((record, cycles, map, checks))
}

/// The swap check of `record` by every method of [`Evidence::ALL`] (the maps made once).
fn all_checks(
    engine: &dyn Engine,
    record: &Record,
    cycles: &[CycleBounds],
) -> anyhow::Result<Vec<SwapCheck>> {
    let maps = swap_maps(engine, record, middle_cycles(cycles))?;
    Ok(Evidence::ALL.iter().map(|&how| maps.check(how)).collect())
}

/// Per swap, the checks (by every method) of each of `records` recorded with that swap.
fn simulate(
    engines: &mut Engines,
    records: &[&Scored],
    what: &str,
) -> anyhow::Result<BTreeMap<Swap, Vec<Vec<SwapCheck>>>> {
    let mut out: BTreeMap<Swap, Vec<Vec<SwapCheck>>> = BTreeMap::new();
    let b = bar(records.len() * Swap::all().len(), what);
    for s in records {
        engines.with(&s.name, |engine| {
            for swap in Swap::all() {
                let swapped = swap.apply(&s.record)?;
                out.entry(swap)
                    .or_default()
                    .push(all_checks(engine, &swapped, &s.cycles)?);
                b.inc(1);
            }
            Ok(())
        })?;
    }
    b.finish_and_clear();
    Ok(out)
}

/// One row of the swap table: what was swapped, records, detection AUROC against the records
/// as recorded, the share named right and the share warned about.
struct SwapRow {
    name: String,
    records: usize,
    auroc: f64,
    named: f64,
    warned: f64,
}

/// Mean detection AUROCs closer than this are a tie: over 49 records and ten swaps their
/// difference is within the sample's noise (the readings have traded places by 0.001–0.005
/// from one refit to the next).
const EVIDENCE_TIE: f64 = 0.01;

/// Index into [`Evidence::ALL`] of the reading to use, given each one's mean detection AUROC:
/// the narrowest (latest in that order) within [`EVIDENCE_TIE`] of the best. The narrower
/// reading leaves out what a swap does not change — other leads, and the P and TP stretches
/// where a sway's residue and noise lie — so on a tie it is the one less moved by them.
fn choose_evidence(aurocs: &[f64]) -> usize {
    let best = aurocs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    aurocs
        .iter()
        .rposition(|&a| a >= best - EVIDENCE_TIE)
        .unwrap_or(0)
}

/// The rows of [`SwapRow`] by method `m` (index into [`Evidence::ALL`]) with `model`'s
/// threshold: one per swap, then, with `pooled`, the limb and the chest swaps each as one
/// group (every simulated record of the group against the records as recorded).
fn swap_rows(
    sims: &BTreeMap<Swap, Vec<Vec<SwapCheck>>>,
    originals: &[&Scored],
    m: usize,
    model: &NormalModel,
    pooled: bool,
) -> Vec<SwapRow> {
    let best = |c: &SwapCheck| c.best().map_or(f64::NAN, |b| b.1);
    let baseline: Vec<f64> = originals.iter().map(|s| best(&s.checks[m])).collect();
    let row = |name: String, swaps: &[Swap]| -> Option<SwapRow> {
        let cases: Vec<(Swap, &SwapCheck)> = swaps
            .iter()
            .filter_map(|w| Some(sims.get(w)?.iter().map(move |c| (*w, &c[m]))))
            .flatten()
            .collect();
        if cases.is_empty() {
            return None;
        }
        let e: Vec<f64> = cases.iter().map(|(_, c)| best(c)).collect();
        let n = cases.len() as f64;
        let share = |hit: &dyn Fn(Swap, &SwapCheck) -> bool| {
            100.0 * cases.iter().filter(|(w, c)| hit(*w, c)).count() as f64 / n
        };
        Some(SwapRow {
            name,
            records: cases.len(),
            auroc: auroc(&e, &baseline),
            named: share(&|w, c| c.best().is_some_and(|(b, _)| b == w)),
            warned: share(&|w, c| model.suspected(c) == Some(w)),
        })
    };
    let all = Swap::all();
    let (limb, chest): (Vec<Swap>, Vec<Swap>) = all.iter().partition(|w| w.is_limb());
    let groups = [("limb, all", limb), ("chest, all", chest)];
    all.iter()
        .filter_map(|&w| row(w.name(), &[w]))
        .chain(
            groups
                .iter()
                .filter(|_| pooled)
                .filter_map(|(name, swaps)| row(name.to_string(), swaps)),
        )
        .collect()
}

/// Run `eval-anomaly`.
pub fn run(args: &EvalAnomalyArgs) -> anyhow::Result<()> {
    let beside = |f: &str| {
        args.records
            .parent()
            .map(|p| p.join(f))
            .unwrap_or_else(|| PathBuf::from(f))
    };
    let database = args
        .database
        .clone()
        .unwrap_or_else(|| beside("ptbxl_database.csv"));
    let statements = args
        .statements
        .clone()
        .unwrap_or_else(|| beside("scp_statements.csv"));
    let labels = ptbxl_superclasses(&database, &statements)?;
    let split = Split::read(&args.split)?;
    let engine = engine_for(EngineKind::NefNet, args.model.as_deref())?;
    let is_norm = |c: &BTreeSet<String>| c.len() == 1 && c.contains("NORM");
    let scored = |names: &[String], what: &str, by: &mut Engines| -> anyhow::Result<Vec<Scored>> {
        let names: Vec<&String> = names
            .iter()
            .filter(|n| labels.get(*n).is_some_and(|c| !c.is_empty()))
            .collect();
        let b = bar(names.len(), what);
        let mut out = Vec::new();
        let mut left_out = 0;
        for n in names {
            match by.with(n, |e| score(e, &args.records, n)) {
                Ok(((record, cycles, map, checks), left)) => {
                    left_out += usize::from(left);
                    out.push(Scored {
                        name: n.clone(),
                        classes: labels[n].clone(),
                        map,
                        checks,
                        record,
                        cycles,
                    })
                }
                Err(e) => b.println(format!("note: {n} skipped: {e:#}")),
            }
            b.inc(1);
        }
        b.finish_and_clear();
        if matches!(by, Engines::LeaveOut(_)) {
            println!(
                "{what}: {left_out} of {} scored with themselves left out of the model's prior",
                out.len()
            );
        }
        Ok(out)
    };
    let mut own = Engines::LeaveOut(Box::new(ExactLeads(NefNetEngine::load_or_default(
        args.model.as_deref(),
    )?)));
    let mut shared = Engines::Shared(engine.as_ref());
    let mut train = scored(&split.train, "train records", &mut own)?;
    let mut test = scored(&split.test, "test records", &mut shared)?;
    // The normal-shape restoration answers from the normal train records; each of them is
    // restored without itself, as a record the bank has never seen would be.
    let mut in_bank: Vec<Option<usize>> = vec![None; train.len()];
    let mut means = Vec::new();
    for (i, s) in train.iter().enumerate() {
        if !is_norm(&s.classes) {
            continue;
        }
        let cycles: Vec<_> = s
            .cycles
            .iter()
            .map(|&b| cycle_shapes(&s.record, b))
            .collect();
        if let Some(m) = mean_shapes(&cycles) {
            in_bank[i] = Some(means.len());
            means.push(m);
        }
    }
    let bank = ShapeBank::from_means(&means);
    for (s, exclude) in train.iter_mut().zip(&in_bank) {
        s.map.shapes = Some(bank.score(&s.record, &s.map, *exclude));
    }
    for s in test.iter_mut() {
        s.map.shapes = Some(bank.score(&s.record, &s.map, None));
    }
    let normal_train: Vec<&Scored> = train.iter().filter(|s| is_norm(&s.classes)).collect();
    let maps: Vec<AnomalyMap> = normal_train.iter().map(|s| s.map.clone()).collect();
    let mut model = NormalModel::fit(
        &format!(
            "{} train records labelled NORM ({})",
            normal_train.len(),
            args.split.display()
        ),
        &maps,
    )?;
    model.fit_shapes(bank, &maps)?;
    // The swap evidence is chosen on swaps simulated on every fourth normal train record: the
    // method with the highest mean detection AUROC over the swaps, where a narrower reading
    // within `EVIDENCE_TIE` of it takes precedence (see there).
    let sample: Vec<&Scored> = normal_train.iter().step_by(4).copied().collect();
    let sims = simulate(&mut own, &sample, "swaps on train records")?;
    println!(
        "swap evidence on {} NORM train records (mean AUROC, mean named % over the swaps):",
        sample.len()
    );
    let mut aurocs = Vec::new();
    for (m, how) in Evidence::ALL.iter().enumerate() {
        let rows = swap_rows(&sims, &sample, m, &model, false);
        let n = rows.len().max(1) as f64;
        let a = rows.iter().map(|r| r.auroc).sum::<f64>() / n;
        let named = rows.iter().map(|r| r.named).sum::<f64>() / n;
        println!("  {how:?}: AUROC {a:.3}, named {named:.1} %");
        aurocs.push(a);
    }
    let chosen = choose_evidence(&aurocs);
    println!("  reading chosen: {:?}", Evidence::ALL[chosen]);
    let checks: Vec<SwapCheck> = normal_train
        .iter()
        .map(|s| s.checks[chosen].clone())
        .collect();
    model.fit_swap_threshold(Evidence::ALL[chosen], &checks);
    // The z values and their aggregate are chosen on the training records: NORM against the
    // others. Each is restored without itself in the engine's patient-similar prior and, for
    // the normal ones, in the shape bank.
    let (tn, ta): (Vec<&Scored>, Vec<&Scored>) = train.iter().partition(|s| is_norm(&s.classes));
    println!("record score on the train records (NORM against the others), per aggregate:");
    let mut best = (f64::NEG_INFINITY, model.features, model.aggregate);
    for features in Features::ALL {
        for agg in Aggregate::ALL {
            (model.features, model.aggregate) = (features, agg);
            let of = |v: &[&Scored]| -> Vec<f64> {
                v.iter().map(|s| model.record_score(&s.map)).collect()
            };
            let a = auroc(&of(&ta), &of(&tn));
            println!("  {features:?} z, {agg:?}: AUROC {a:.3}");
            if a > best.0 {
                best = (a, features, agg);
            }
        }
    }
    (model.features, model.aggregate) = (best.1, best.2);
    if let Some(path) = &args.write_normal {
        std::fs::write(path, serde_json::to_string_pretty(&model)? + "\n")
            .with_context(|| format!("writing {}", path.display()))?;
        eprintln!("normal reference written to {}", path.display());
    }
    println!(
        "normal reference: {} NORM train records ({} in the shape bank); swap threshold {:.3}",
        model.records,
        model.shapes.as_ref().map_or(0, |s| s.bank.len()),
        model.swap_threshold
    );
    let (norm, abnormal): (Vec<&Scored>, Vec<&Scored>) =
        test.iter().partition(|s| is_norm(&s.classes));
    let score_of =
        |v: &[&Scored]| -> Vec<f64> { v.iter().map(|s| model.record_score(&s.map)).collect() };
    let norm_scores = score_of(&norm);
    println!(
        "\n== normal against abnormal, test records ({} NORM)",
        norm.len()
    );
    println!("{:<10} {:>8} {:>8}", "class", "records", "AUROC");
    println!(
        "{:<10} {:>8} {:>8.3}",
        "any",
        abnormal.len(),
        auroc(&score_of(&abnormal), &norm_scores)
    );
    for class in SUPERCLASSES {
        let with: Vec<&Scored> = abnormal
            .iter()
            .copied()
            .filter(|s| s.classes.contains(class))
            .collect();
        println!(
            "{:<10} {:>8} {:>8.3}",
            class,
            with.len(),
            auroc(&score_of(&with), &norm_scores)
        );
    }
    // Simulated swaps on the normal test records, read by the chosen method.
    let m = chosen;
    let alarms = norm
        .iter()
        .filter(|s| model.suspected(&s.checks[m]).is_some())
        .count();
    println!(
        "\n== simulated electrode swaps on the {} NORM test records ({:?} evidence)",
        norm.len(),
        model.swap_evidence
    );
    println!(
        "false alarms on the records as recorded: {alarms} of {} ({:.1} %)",
        norm.len(),
        100.0 * alarms as f64 / norm.len().max(1) as f64
    );
    println!(
        "{:<10} {:>8} {:>8} {:>9} {:>8}",
        "swap", "records", "AUROC", "named %", "warned %"
    );
    let sims = simulate(&mut shared, &norm, "simulated swaps")?;
    for r in swap_rows(&sims, &norm, m, &model, true) {
        println!(
            "{:<10} {:>8} {:>8.3} {:>9.1} {:>8.1}",
            r.name, r.records, r.auroc, r.named, r.warned
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_narrower_reading_wins_a_tie_and_a_clearly_better_one_wins() {
        // AllLeads, Touched, TouchedPhases.
        assert_eq!(choose_evidence(&[0.946, 0.965, 0.960]), 2);
        assert_eq!(choose_evidence(&[0.946, 0.975, 0.960]), 1);
        assert_eq!(choose_evidence(&[0.990, 0.950, 0.940]), 0);
        assert_eq!(choose_evidence(&[0.990, 0.985, f64::NAN]), 1);
    }
}
