//! `ecg-panorama eval-panorama`: Nef-Net and the baselines on LUDB-layout records.

use ecg_panorama::eval::ludb::select_records;
use ecg_panorama::eval::panorama::{
    DipoleLeastSquares, EngineMethod, LinearRegression, Method, Scope, Table, evaluate,
    ludb_cycles, standard_tasks,
};
use ecg_panorama::panorama::{EngineKind, engine_for};
use ecg_panorama::record::split::Split;
use serde::Serialize;
use std::io::Write;
use std::path::PathBuf;

/// Arguments of `eval-panorama`.
#[derive(clap::Args)]
pub struct EvalPanoramaArgs {
    /// Folder of records with lead II boundary files (LUDB layout: NAME.hea, NAME.dat,
    /// NAME.ii).
    #[arg(long)]
    records: PathBuf,
    /// Split file (`train NAME` / `test NAME` lines): linear regression is fitted on the train
    /// records and every method is scored on the test records. Without it, all records serve
    /// as both (not held out).
    #[arg(long)]
    split: Option<PathBuf>,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
    /// Nef-Net weights for the seen-view tasks (default: the shipped model built into the
    /// program, `models/nefnet.safetensors`).
    #[arg(long)]
    model: Option<PathBuf>,
    /// Nef-Net weights trained without V4 and I, for the unseen-view task.
    #[arg(long, default_value = "models/nefnet-holdout-v4-i.safetensors")]
    holdout_model: PathBuf,
}

/// What `--json` prints: where the cycles came from, then the table.
#[derive(Serialize)]
struct Report {
    /// True when the scored records were not used for fitting.
    held_out: bool,
    /// Records linear regression was fitted on.
    train_records: usize,
    /// Cycles linear regression was fitted on.
    train_cycles: usize,
    #[serde(flatten)]
    table: Table,
}

/// Run `eval-panorama`.
pub fn run(args: &EvalPanoramaArgs) -> anyhow::Result<()> {
    let (train, test, held_out) = match &args.split {
        Some(path) => {
            let split = Split::read(path)?;
            // Checks that every test record is in the folder.
            let test = select_records(&args.records, Some(path))?;
            (split.train, test, true)
        }
        None => {
            eprintln!(
                "warning: no --split: fitting and scoring on the same records (not held out)"
            );
            let all = select_records(&args.records, None)?;
            (all.clone(), all, false)
        }
    };
    let train_cycles = ludb_cycles(&args.records, &train)?;
    let test_cycles = ludb_cycles(&args.records, &test)?;
    anyhow::ensure!(
        !test_cycles.is_empty(),
        "{}: no complete P-QRS-T-P cycle of 100 to 512 samples in the scored records",
        args.records.display()
    );
    let regression = LinearRegression::fit(&train_cycles);
    let dipole = DipoleLeastSquares;
    let nefnet = EngineMethod::new(
        "Nef-Net",
        engine_for(EngineKind::NefNet, args.model.as_deref())?,
        Scope::SeenViews,
    );
    let mut methods: Vec<&dyn Method> = vec![&nefnet, &regression, &dipole];
    let holdout = if args.holdout_model.is_file() {
        Some(EngineMethod::new(
            "Nef-Net (V4, I unseen)",
            engine_for(EngineKind::NefNet, Some(&args.holdout_model))?,
            Scope::UnseenViews(&["II", "V2", "V5"]),
        ))
    } else {
        eprintln!(
            "note: {} not found: no Nef-Net on the unseen-view task",
            args.holdout_model.display()
        );
        None
    };
    if let Some(h) = &holdout {
        methods.insert(1, h);
    }
    let table = evaluate(&standard_tasks(), &methods, &test_cycles);
    let report = Report {
        held_out,
        train_records: train_cycles
            .iter()
            .map(|c| &c.record)
            .collect::<std::collections::BTreeSet<_>>()
            .len(),
        train_cycles: train_cycles.len(),
        table,
    };
    let mut out = std::io::stdout().lock();
    if args.json {
        writeln!(out, "{}", serde_json::to_string_pretty(&report)?)?;
        return Ok(());
    }
    writeln!(
        out,
        "scored: {} cycle(s) of {} record(s){}; linear regression fitted on {} cycle(s) of {} \
         record(s)",
        report.table.cycles,
        report.table.records,
        if held_out {
            " (held out)"
        } else {
            " (NOT held out)"
        },
        report.train_cycles,
        report.train_records
    )?;
    writeln!(
        out,
        "honest mode: min-max of the recorded 12 leads applied to the prediction (mV), clipped to \
         [-0.5, 1.5]; paper: inputs normalised by that range before the method sees them"
    )?;
    write!(out, "{}", report.table.render())?;
    Ok(())
}
