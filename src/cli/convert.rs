//! `ecg-panorama convert`: records to CSV.

use super::RecordArg;
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
        Target::Csv => super::write_output(&args.out, |w| write_csv(&record, w))?,
    }
    Ok(())
}
