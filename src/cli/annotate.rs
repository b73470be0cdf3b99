//! `ecg-panorama annotate`: delineate a record and write its annotation files.

use super::RecordArg;
use anyhow::Context;
use ecg_panorama::delineate::Delineator;
use ecg_panorama::delineate::cycles::{CycleFlag, cycles};
use ecg_panorama::delineate::no_beats::why_no_beats;
use ecg_panorama::delineate::output::{OutputFormat, write_outputs};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Instant;

/// Files `annotate` writes.
#[derive(clap::ValueEnum, Clone, Copy)]
pub enum Format {
    /// One WFDB annotation file per lead (`NAME.i`, `NAME.ii`, … as LUDB names them).
    Wfdb,
    /// The JSON cycle labels (`NAME.json`).
    Json,
    /// Both.
    Both,
}

/// Arguments of `annotate`.
#[derive(clap::Args)]
pub struct AnnotateArgs {
    #[command(flatten)]
    record: RecordArg,
    /// Folder to write the files into (created when missing).
    #[arg(long, default_value = ".")]
    out: PathBuf,
    /// Which files to write.
    #[arg(long, value_enum, default_value_t = Format::Both)]
    format: Format,
    /// Replace existing files (otherwise any name clash writes nothing).
    #[arg(long)]
    force: bool,
    /// Delineator weights (safetensors) to use instead of the shipped ones.
    #[arg(long)]
    weights: Option<PathBuf>,
}

/// Records longer than this get a progress line on stderr.
const PROGRESS_AFTER_S: f64 = 60.0;

/// Run `annotate`: prints each file written on stdout, a one-line summary on stderr.
pub fn run(args: &AnnotateArgs) -> anyhow::Result<()> {
    // Fail on a bad output folder before spending time on the delineation.
    if args.out.exists() && !args.out.is_dir() {
        anyhow::bail!(
            "{}: not a folder (--out must name a folder)",
            args.out.display()
        );
    }
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("{}: cannot create the output folder", args.out.display()))?;
    let record = args.record.load()?;
    let long = record.duration_s() > PROGRESS_AFTER_S;
    let start = Instant::now();
    if long {
        eprintln!(
            "{}: delineating {} leads, {:.0} min at {} Hz…",
            record.name,
            record.leads.len(),
            record.duration_s() / 60.0,
            record.fs
        );
    }
    let delineator = match &args.weights {
        Some(path) => Delineator::load(path)?,
        None => Delineator::load_default()?,
    };
    let delineation = delineator.delineate(&record)?;
    let format = match args.format {
        Format::Wfdb => OutputFormat::Wfdb,
        Format::Json => OutputFormat::Json,
        Format::Both => OutputFormat::Both,
    };
    let paths = write_outputs(&record.name, &delineation, &args.out, format, args.force)?;
    for p in &paths {
        println!("{}", p.display());
    }
    let cs = cycles(&delineation);
    let mut counts: BTreeMap<CycleFlag, usize> = BTreeMap::new();
    for f in cs.iter().flat_map(|c| &c.flags) {
        *counts.entry(*f).or_default() += 1;
    }
    let flags: Vec<String> = counts.iter().map(|(f, n)| format!("{f} {n}")).collect();
    let timing = if long {
        format!(" in {:.1} s", start.elapsed().as_secs_f64())
    } else {
        String::new()
    };
    let detail = if cs.is_empty() {
        format!(" ({})", why_no_beats(&record)?)
    } else if flags.is_empty() {
        String::new()
    } else {
        format!(" (flags: {})", flags.join(", "))
    };
    eprintln!("{}: {} cycles{timing}{detail}", record.name, cs.len());
    Ok(())
}
