//! `ecg-panorama eval-view`: synthesize recorded leads from others and score them against the
//! recording (PTB's Frank vx, vy, vz from the 12 standard leads, vz a view no standard lead
//! records), with every engine and Kors's regression.

use anyhow::Context;
use ecg_panorama::eval::view::{
    EngineMethod, KorsRegression, ViewMethod, ViewScore, exact_stand_in, frank_targets, score_views,
};
use ecg_panorama::geometry::normalise_lead_name;
use ecg_panorama::panorama::{EngineKind, engine_for, find_record_cycles, parse_inputs};
use ecg_panorama::record::open_record;
use serde::Serialize;
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
    /// The recorded lead(s) to synthesize and score, comma-separated (each one's viewpoint from
    /// the lead table); default: every Frank lead (vx, vy, vz) the record has.
    #[arg(long, value_delimiter = ',')]
    target: Vec<String>,
    /// Nef-Net weights (default: the shipped model).
    #[arg(long)]
    model: Option<PathBuf>,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
}

/// A method left out, and why.
#[derive(Serialize)]
struct Skipped {
    method: String,
    reason: String,
}

/// What `--json` prints.
#[derive(Serialize)]
struct Report<'a> {
    record: &'a str,
    inputs: &'a [&'a str],
    targets: &'a [&'a str],
    cycles: usize,
    cycle_source: String,
    /// One row per target and method, targets in order, methods in table order.
    scores: Vec<ViewScore>,
    skipped: Vec<Skipped>,
    /// Remarks on the rows (targets the engines return from the inputs).
    notes: Vec<String>,
}

/// Run `eval-view`.
pub fn run(args: &EvalViewArgs) -> anyhow::Result<()> {
    let record = open_record(&args.record)?;
    let targets: Vec<String> = if args.target.is_empty() {
        frank_targets(&record)?
    } else {
        args.target
            .iter()
            .map(|n| normalise_lead_name(n).name)
            .collect()
    };
    let inputs: Vec<String> = args
        .inputs
        .iter()
        .map(|n| normalise_lead_name(n).name)
        .collect();
    for (i, target) in targets.iter().enumerate() {
        anyhow::ensure!(
            !inputs.contains(target),
            "--target {target} is also an input"
        );
        anyhow::ensure!(
            !targets[..i].contains(target),
            "--target {target} given twice"
        );
    }
    let names: Vec<&str> = inputs.iter().map(String::as_str).collect();
    let target_names: Vec<&str> = targets.iter().map(String::as_str).collect();
    // Cycles from the inputs alone: the targets must not shape them.
    let only_inputs = parse_inputs(&record, &inputs).context("--inputs")?;
    let (source, cycles) = find_record_cycles(&only_inputs, Some(&args.record))?;

    let engines = EngineKind::ALL
        .iter()
        .map(|&kind| engine_for(kind, args.model.as_deref()))
        .collect::<Result<Vec<_>, _>>()?;
    let mut methods: Vec<Box<dyn ViewMethod>> = engines
        .iter()
        .map(|e| Box::new(EngineMethod(e.as_ref())) as Box<dyn ViewMethod>)
        .collect();
    methods.push(Box::new(KorsRegression));

    let mut scores = Vec::new();
    let mut skipped = Vec::new();
    for method in methods {
        match method.unavailable(&names) {
            Some(reason) => skipped.push(Skipped {
                method: method.label(),
                reason,
            }),
            None => scores.extend(score_views(
                &record,
                &cycles,
                &names,
                &target_names,
                method.as_ref(),
            )?),
        }
    }
    // Rows by target, then method.
    scores.sort_by_key(|s| targets.iter().position(|t| *t == s.target));
    let notes: Vec<String> = target_names
        .iter()
        .filter_map(|&target| {
            exact_stand_in(target, &names).map(|lead| {
                format!(
                    "{target} looks from lead {lead}'s viewpoint in the lead table, so the \
                     engines return the inputs' {lead} as {target} (no synthesis)"
                )
            })
        })
        .collect();

    let mut out = std::io::stdout().lock();
    if args.json {
        let report = Report {
            record: &record.name,
            inputs: &names,
            targets: &target_names,
            cycles: cycles.len(),
            cycle_source: format!("{source:?}"),
            scores,
            skipped,
            notes,
        };
        writeln!(out, "{}", serde_json::to_string_pretty(&report)?)?;
        return Ok(());
    }
    writeln!(
        out,
        "{}: {} from {} over {} cycle(s) ({source:?})",
        record.name,
        target_names.join(", "),
        names.join(", "),
        cycles.len()
    )?;
    writeln!(
        out,
        "{:<6}  {:<8}  {:>6}  {:>8}  {:>7}  {:>8}",
        "target", "method", "cycles", "PSNR dB", "r", "RMSE µV"
    )?;
    for target in &target_names {
        for s in scores.iter().filter(|s| s.target == *target) {
            writeln!(
                out,
                "{:<6}  {:<8}  {:>6}  {:>8.2}  {:>7.3}  {:>8.1}",
                s.target, s.method, s.cycles, s.psnr_db, s.correlation, s.rmse_uv
            )?;
        }
        for s in &skipped {
            writeln!(
                out,
                "{:<6}  {:<8}  {:>6}  {:>8}  {:>7}  {:>8}",
                target, s.method, "—", "—", "—", "—"
            )?;
        }
    }
    for s in &skipped {
        writeln!(out, "{}: {}", s.method, s.reason)?;
    }
    for note in &notes {
        writeln!(out, "{note}")?;
    }
    Ok(())
}
