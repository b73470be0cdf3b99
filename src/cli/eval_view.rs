//! `ecg-panorama eval-view`: synthesize one recorded lead from others and score it against the
//! recording (PTB's Frank vz from the 12 standard leads, a view no standard lead records).

use anyhow::Context;
use ecg_panorama::eval::view::{ViewScore, score_view};
use ecg_panorama::panorama::{EngineKind, engine_for, find_record_cycles};
use ecg_panorama::record::open_record;
use std::io::Write;
use std::path::PathBuf;

/// Arguments of `eval-view`.
#[derive(clap::Args)]
pub struct EvalViewArgs {
    /// Record path (WFDB without extension or with `.hea`).
    record: PathBuf,
    /// Input leads, comma-separated.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "I,II,III,aVR,aVL,aVF,V1,V2,V3,V4,V5,V6"
    )]
    inputs: Vec<String>,
    /// The recorded lead to synthesize and score (its viewpoint from the lead table).
    #[arg(long, default_value = "vz")]
    target: String,
    /// Nef-Net weights (default: the shipped model).
    #[arg(long)]
    model: Option<PathBuf>,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
}

/// Run `eval-view`.
pub fn run(args: &EvalViewArgs) -> anyhow::Result<()> {
    let record = open_record(&args.record)?;
    let inputs: Vec<String> = args
        .inputs
        .iter()
        .map(|n| ecg_panorama::geometry::normalise_lead_name(n).name)
        .collect();
    let target = ecg_panorama::geometry::normalise_lead_name(&args.target).name;
    anyhow::ensure!(
        !inputs.contains(&target),
        "--target {target} is also an input"
    );
    let names: Vec<&str> = inputs.iter().map(String::as_str).collect();
    // Cycles from the inputs alone: the target lead must not shape them.
    let only_inputs = ecg_panorama::panorama::parse_inputs(&record, &inputs).context("--inputs")?;
    let (source, cycles) = find_record_cycles(&only_inputs, Some(&args.record))?;
    let scores = EngineKind::ALL
        .iter()
        .map(|&kind| {
            let engine = engine_for(kind, args.model.as_deref())?;
            Ok(score_view(
                &record,
                &cycles,
                &names,
                &target,
                engine.as_ref(),
            )?)
        })
        .collect::<anyhow::Result<Vec<ViewScore>>>()?;
    let mut out = std::io::stdout().lock();
    if args.json {
        writeln!(out, "{}", serde_json::to_string_pretty(&scores)?)?;
        return Ok(());
    }
    writeln!(
        out,
        "{}: {target} from {} over {} cycle(s) ({source:?})",
        record.name,
        names.join(", "),
        cycles.len()
    )?;
    writeln!(
        out,
        "{:<8}  {:>7}  {:>8}  {:>7}  {:>8}",
        "engine", "cycles", "PSNR dB", "r", "RMSE µV"
    )?;
    for s in &scores {
        writeln!(
            out,
            "{:<8}  {:>7}  {:>8.2}  {:>7.3}  {:>8.1}",
            s.engine, s.cycles, s.psnr_db, s.correlation, s.rmse_uv
        )?;
    }
    Ok(())
}
