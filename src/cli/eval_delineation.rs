//! `ecg-panorama eval-delineation`: wave boundaries scored against reference annotations.

use ecg_panorama::delineate::train_q1c::SKIPPED_RR;
use ecg_panorama::eval::delineation::{SpanRule, TOLERANCE_MS};
use ecg_panorama::eval::ludb::{EvalConfig, LUDB_LEADS, evaluate};
use ecg_panorama::eval::qtdb::{MIN_MATCHES_PER_RECORD, QtdbConfig, evaluate_qtdb, holds_q1c};
use ecg_panorama::geometry::normalise_lead_name;
use std::io::Write;
use std::path::PathBuf;

/// Arguments of `eval-delineation`.
#[derive(clap::Args)]
pub struct EvalArgs {
    /// Folder of records with per-lead reference annotation files (LUDB layout: NAME.hea,
    /// NAME.dat, NAME.i, NAME.ii, … NAME.v6), or with record-level ones (QTDB layout:
    /// NAME.hea, NAME.dat, NAME.q1c).
    #[arg(long)]
    records: PathBuf,
    /// Which reference files to score against: per-lead LUDB files (`leads`), QTDB's
    /// record-level `q1c` files (`q1c`: the delineator's beats against the cardiologist's
    /// marks, each kind counted within the span of its reference marks; Se and error only, as
    /// q1c marks only some beats), or `auto`: `q1c` when the records folder holds a *.q1c file.
    #[arg(long, value_enum, default_value_t = Reference::Auto)]
    reference: Reference,
    /// Lead to score, or `all` for the 12 leads pooled (per-lead references only).
    #[arg(long, default_value = "all", value_parser = lead_values())]
    lead: String,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
    /// Score only the test records of this split file (`train NAME` / `test NAME` lines).
    #[arg(long)]
    split: Option<PathBuf>,
    /// Score the annotation files in this folder (NAME.ii, … or NAME.q1c, as the references)
    /// instead of running the built-in delineator.
    #[arg(long)]
    predictions: Option<PathBuf>,
    /// Evaluate the delineator with these weights (safetensors) instead of the shipped ones.
    #[arg(long, conflicts_with = "predictions")]
    weights: Option<PathBuf>,
    /// What counts as the annotated part of a lead: from its first to its last reference mark
    /// (`lead`), or per boundary kind, from the first to the last reference boundary of that
    /// kind (`kind`; LUDB files end at a QRS without its T wave, so under `lead` a correct T
    /// there counts as a false positive). Per-lead references only; q1c is always scored per kind.
    #[arg(long, value_enum, default_value_t = Span::Lead)]
    span: Span,
    /// Below the pooled table, each record's mean ± SD error per kind (QTDB layout; the JSON
    /// always holds them under `per_record`).
    #[arg(long)]
    per_record: bool,
}

/// `--reference` values.
#[derive(clap::ValueEnum, Clone, Copy, PartialEq, Eq)]
enum Reference {
    /// `q1c` when the records folder holds a *.q1c file, else `leads`.
    Auto,
    /// Per-lead LUDB files.
    Leads,
    /// QTDB's record-level q1c files.
    Q1c,
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
    let q1c = match args.reference {
        Reference::Q1c => true,
        Reference::Leads => false,
        Reference::Auto => args.records.is_dir() && holds_q1c(&args.records)?,
    };
    if q1c {
        return run_qtdb(args);
    }
    if args.per_record {
        anyhow::bail!(
            "--per-record is for record-level (q1c) references; {} holds per-lead ones",
            args.records.display()
        );
    }
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
    write_median(&mut out, report.median_ms_per_record)
}

/// `eval-delineation` against QTDB's record-level q1c marks.
fn run_qtdb(args: &EvalArgs) -> anyhow::Result<()> {
    let config = QtdbConfig {
        records: args.records.clone(),
        split: args.split.clone(),
        weights: args.weights.clone(),
        predictions: args.predictions.clone(),
    };
    let report = evaluate_qtdb(&config, &mut |note| eprintln!("note: {note}"))?;
    let mut out = std::io::stdout().lock();
    if args.json {
        writeln!(out, "{}", serde_json::to_string_pretty(&report)?)?;
        return Ok(());
    }
    let source = match &args.predictions {
        Some(dir) => format!("predictions in {}", dir.display()),
        None => "built-in delineator, record-level beats".to_string(),
    };
    writeln!(
        out,
        "{} record(s), q1c references, {source}; a match lies within {TOLERANCE_MS} ms; span: first to last reference boundary of each kind",
        report.report.records
    )?;
    write!(out, "{}", report.table())?;
    writeln!(
        out,
        "averaged over records (each record's own mean and SD, records with at least {MIN_MATCHES_PER_RECORD} matches): the scatter within a record, without each record's offset"
    )?;
    write!(out, "{}", report.across_records_table())?;
    if args.per_record {
        writeln!(
            out,
            "per record: mean ± SD of the error in ms (/N: N references missed, +N: N predictions unmatched)"
        )?;
        write!(out, "{}", report.per_record_table())?;
    }
    writeln!(
        out,
        "PPV is not reported: q1c marks only some beats. Unmatched: predictions no mark matches, between two marks of a run of consecutive beats (at most {SKIPPED_RR} x the record's median interval apart): extra waves, such as a beat counted twice."
    )?;
    writeln!(
        out,
        "records with no beats found (all their reference boundaries missed): {} of {}{}",
        report.without_beats.len(),
        report.report.records,
        if report.without_beats.is_empty() {
            String::new()
        } else {
            format!(" ({})", report.without_beats.join(", "))
        }
    )?;
    write_median(&mut out, report.report.median_ms_per_record)
}

/// The closing line of both tables: the delineator's median time per record.
fn write_median(out: &mut dyn Write, median_ms: Option<f64>) -> anyhow::Result<()> {
    match median_ms {
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
