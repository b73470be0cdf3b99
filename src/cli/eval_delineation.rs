//! `ecg-panorama eval-delineation`: wave boundaries scored against reference annotations.

use ecg_panorama::eval::delineation::{SpanRule, TOLERANCE_MS};
use ecg_panorama::eval::ludb::{EvalConfig, LUDB_LEADS, evaluate};
use ecg_panorama::geometry::normalise_lead_name;
use std::io::Write;
use std::path::PathBuf;

/// Arguments of `eval-delineation`.
#[derive(clap::Args)]
pub struct EvalArgs {
    /// Folder of records with per-lead reference annotation files (LUDB layout: NAME.hea,
    /// NAME.dat, NAME.i, NAME.ii, … NAME.v6).
    #[arg(long)]
    records: PathBuf,
    /// Lead to score, or `all` for the 12 leads pooled.
    #[arg(long, default_value = "all", value_parser = lead_values())]
    lead: String,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
    /// Score only the test records of this split file (`train NAME` / `test NAME` lines).
    #[arg(long)]
    split: Option<PathBuf>,
    /// Score the annotation files in this folder (NAME.ii, … as the references) instead of
    /// running the built-in delineator.
    #[arg(long)]
    predictions: Option<PathBuf>,
    /// Evaluate the delineator with these weights (safetensors) instead of the shipped ones.
    #[arg(long, conflicts_with = "predictions")]
    weights: Option<PathBuf>,
    /// What counts as the annotated part of a lead: from its first to its last reference mark
    /// (`lead`), or per boundary kind, from the first to the last reference boundary of that
    /// kind (`kind`; LUDB files end at a QRS without its T wave, so under `lead` a correct T
    /// there counts as a false positive).
    #[arg(long, value_enum, default_value_t = Span::Lead)]
    span: Span,
}

/// `--span` values.
#[derive(clap::ValueEnum, Clone, Copy)]
enum Span {
    /// First to last reference mark of any kind.
    Lead,
    /// First to last reference boundary of the same kind.
    Kind,
}

fn lead_values() -> clap::builder::PossibleValuesParser {
    let mut values = vec!["all"];
    values.extend(LUDB_LEADS);
    clap::builder::PossibleValuesParser::new(values)
}

/// Run `eval-delineation`.
pub fn run(args: &EvalArgs) -> anyhow::Result<()> {
    let leads: Vec<String> = if args.lead == "all" {
        LUDB_LEADS.iter().map(|l| l.to_string()).collect()
    } else {
        vec![args.lead.clone()]
    };
    let config = EvalConfig {
        records: args.records.clone(),
        leads,
        split: args.split.clone(),
        predictions: args.predictions.clone(),
        weights: args.weights.clone(),
        span: match args.span {
            Span::Lead => SpanRule::Lead,
            Span::Kind => SpanRule::Kind,
        },
    };
    let report = evaluate(&config, &mut |note| eprintln!("note: {note}"))?;
    let mut out = std::io::stdout().lock();
    if args.json {
        writeln!(out, "{}", serde_json::to_string_pretty(&report)?)?;
        return Ok(());
    }
    let source = match &args.predictions {
        Some(dir) => format!("predictions in {}", dir.display()),
        None => "built-in delineator".to_string(),
    };
    let leads = match args.lead.as_str() {
        "all" => "all 12 leads pooled".to_string(),
        one => format!("lead {}", normalise_lead_name(one).name),
    };
    writeln!(
        out,
        "{} record(s), {leads}, {source}; a match lies within {TOLERANCE_MS} ms; span: {}",
        report.records,
        match args.span {
            Span::Lead => "first to last reference mark of the lead",
            Span::Kind => "first to last reference boundary of each kind",
        }
    )?;
    write!(out, "{}", report.table())?;
    match report.median_ms_per_record {
        Some(ms) => writeln!(
            out,
            "median time per record (all leads, file loading excluded): {ms:.2} ms"
        )?,
        None => writeln!(
            out,
            "median time per record: not timed (predictions read from files)"
        )?,
    }
    Ok(())
}
