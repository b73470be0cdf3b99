//! `ecg-panorama convert`: records to CSV.

use super::RecordArg;
use anyhow::Context;
use ecg_panorama::record::csv_io::write_csv;
use std::path::PathBuf;

/// Output formats of `convert`.
#[derive(clap::ValueEnum, Clone, Copy)]
pub enum Target {
    /// Comma-separated values: time in s, then one column per lead in mV.
    Csv,
}

/// Arguments of `convert`.
#[derive(clap::Args)]
pub struct ConvertArgs {
    #[command(flatten)]
    record: RecordArg,
    /// Output format.
    #[arg(long, value_enum)]
    to: Target,
    /// Output file ("-" for standard output).
    #[arg(long)]
    out: PathBuf,
}

/// Run `convert`.
pub fn run(args: &ConvertArgs) -> anyhow::Result<()> {
    let record = args.record.load()?;
    match args.to {
        Target::Csv => {
            if args.out.as_os_str() == "-" {
                write_csv(&record, &mut std::io::stdout().lock())
                    .context("writing to standard output")?;
            } else {
                // Write beside the target and rename, so a failed conversion never leaves half a file.
                let dir = args
                    .out
                    .parent()
                    .filter(|d| !d.as_os_str().is_empty())
                    .unwrap_or(std::path::Path::new("."));
                let mut tmp = tempfile::NamedTempFile::new_in(dir).with_context(|| {
                    format!("{}: cannot create a file in this folder", dir.display())
                })?;
                write_csv(&record, tmp.as_file_mut())
                    .with_context(|| format!("{}: write failed", args.out.display()))?;
                tmp.persist(&args.out)
                    .with_context(|| format!("{}: cannot write", args.out.display()))?;
            }
        }
    }
    Ok(())
}
