//! `ecg-panorama eval-rhythm`: P waves beat by beat against WFDB beat and rhythm annotations.

use ecg_panorama::eval::rhythm::{MATCH_MS, RhythmConfig, evaluate_rhythm};
use std::io::Write;
use std::path::PathBuf;

/// Arguments of `eval-rhythm`.
#[derive(clap::Args)]
pub struct EvalRhythmArgs {
    /// Folder of records with beat annotations (`NAME.hea`, `NAME.dat`, `NAME.atr`).
    #[arg(long)]
    records: PathBuf,
    /// Score only the test records of this split file.
    #[arg(long)]
    split: Option<PathBuf>,
    /// Evaluate the delineator with these weights (safetensors) instead of the shipped ones.
    #[arg(long)]
    weights: Option<PathBuf>,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
}

/// Run `eval-rhythm`.
pub fn run(args: &EvalRhythmArgs) -> anyhow::Result<()> {
    let config = RhythmConfig {
        records: args.records.clone(),
        split: args.split.clone(),
        weights: args.weights.clone(),
    };
    let report = evaluate_rhythm(&config, &mut |note| eprintln!("note: {note}"))?;
    let mut out = std::io::stdout().lock();
    if args.json {
        writeln!(out, "{}", serde_json::to_string_pretty(&report)?)?;
        return Ok(());
    }
    writeln!(
        out,
        "{} record(s); a reference beat belongs to the predicted QRS within {MATCH_MS} ms of it; \
         right: sinus beats with a P wave, ventricular and AF/flutter beats without",
        report.records.len()
    )?;
    write!(out, "{}", report.table())?;
    if let Some(ms) = report.median_ms_per_record {
        writeln!(out, "median time per record: {ms:.1} ms")?;
    }
    Ok(())
}
