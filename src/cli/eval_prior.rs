//! `ecg-panorama eval-prior`: cross-validate the engine's linear prior on the training records.

use super::train_panorama::extra_record_paths;
use ecg_panorama::eval::panorama::cross_validate;
use ecg_panorama::model::data::annotator_cycles;
use ecg_panorama::record::split::Split;
use std::io::Write;
use std::path::PathBuf;

/// Arguments of `eval-prior`.
#[derive(clap::Args)]
pub struct EvalPriorArgs {
    /// Folder of 12-lead, 500 Hz records: cycles from the lead II boundary files where they
    /// exist (LUDB layout), else from the annotator (PTB-XL).
    #[arg(long)]
    records: PathBuf,
    /// Split file: only its `train` records are used, its test records never.
    #[arg(long)]
    split: PathBuf,
    /// Folds: record `i` of the train list is scored in fold `i mod folds`.
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u16).range(2..))]
    folds: u16,
    /// More 12-lead, 500 Hz records without boundary files, cut by the annotator: they join
    /// every fold's fit and are never scored (as in `train-panorama`).
    #[arg(long)]
    extra_records: Vec<PathBuf>,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
}

/// Run `eval-prior`.
pub fn run(args: &EvalPriorArgs) -> anyhow::Result<()> {
    let split = Split::read(&args.split)?;
    let extra = extra_record_paths(&args.extra_records)?;
    let extra = if extra.is_empty() {
        Vec::new()
    } else {
        annotator_cycles(&extra)?.0
    };
    let folds = usize::from(args.folds);
    let cv = cross_validate(&args.records, &split.train, &extra, folds, |f| {
        eprintln!("fold {f}/{folds} done");
    })?;
    anyhow::ensure!(
        cv.cycles > 0,
        "{}: no complete P-QRS-T-P cycle of 100 to 512 samples in the train records",
        args.records.display()
    );
    let mut out = std::io::stdout().lock();
    if args.json {
        writeln!(out, "{}", serde_json::to_string_pretty(&cv)?)?;
        return Ok(());
    }
    writeln!(
        out,
        "{}-fold cross-validation over {} train record(s), {} cycle(s) scored; the prior alone \
         (no network), honest mode",
        cv.folds,
        split.train.len(),
        cv.cycles
    )?;
    write!(out, "{}", cv.render())?;
    Ok(())
}
