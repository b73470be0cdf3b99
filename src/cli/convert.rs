//! `ecg-panorama convert`: records to CSV.

use super::RecordArg;
use ecg_panorama::record::csv_io::write_csv;
use ecg_panorama::record::{Lead, Record};
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
    /// Name the record's leads, in file order (e.g. `I,II,III,aVR,aVL,aVF,V1,V2,V3,V4,V5,V6`
    /// for a cart that calls them CH1…CH12), so every view knows where they look from.
    #[arg(long, value_delimiter = ',', value_name = "NAMES")]
    leads: Vec<String>,
}

/// Run `convert`.
pub fn run(args: &ConvertArgs) -> anyhow::Result<()> {
    let mut record = args.record.load()?;
    if !args.leads.is_empty() {
        rename_leads(&mut record, &args.leads)?;
    }
    match args.to {
        Target::Csv => super::write_output(&args.out, |w| write_csv(&record, w))?,
    }
    Ok(())
}

/// Give `record`'s leads the names `names` (one per lead, in file order).
fn rename_leads(record: &mut Record, names: &[String]) -> anyhow::Result<()> {
    if names.len() != record.leads.len() {
        anyhow::bail!(
            "--leads names {} lead(s), the record has {} ({})",
            names.len(),
            record.leads.len(),
            record
                .leads
                .iter()
                .map(|l| l.raw_name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    for (lead, name) in record.leads.iter_mut().zip(names) {
        let renamed = Lead::new(name.trim(), std::mem::take(&mut lead.samples), false);
        *lead = renamed;
    }
    let mut seen = std::collections::BTreeSet::new();
    if let Some(dup) = record.leads.iter().find(|l| !seen.insert(l.name.clone())) {
        anyhow::bail!("--leads names lead {} twice", dup.name);
    }
    Ok(())
}
