//! `ecg-panorama info`: what a record holds.

use super::RecordArg;
use ecg_panorama::record::demo::demo_record;
use ecg_panorama::record::{AnnotationFile, Record, find_annotation_files, labels::CycleLabels};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;

/// Arguments of `info`.
#[derive(clap::Args)]
pub struct InfoArgs {
    #[command(flatten)]
    record: RecordArg,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
    /// JSON cycle-label file to report with the record (for records whose labels lie elsewhere).
    #[arg(long)]
    labels: Option<PathBuf>,
}

#[derive(serde::Serialize)]
struct LeadOut<'a> {
    name: &'a str,
    raw_name: &'a str,
    theta: Option<f64>,
    phi: Option<f64>,
    theta_deg: Option<f64>,
    phi_deg: Option<f64>,
    approximate: bool,
    invalid_samples: usize,
}

#[derive(serde::Serialize)]
struct InfoOut<'a> {
    name: &'a str,
    path: Option<String>,
    fs: f64,
    samples: usize,
    duration_s: f64,
    leads: Vec<LeadOut<'a>>,
    annotation_files: Vec<AnnotationFile>,
    comments: &'a [String],
    notes: &'a [String],
}

/// Run `info`.
pub fn run(args: &InfoArgs) -> anyhow::Result<()> {
    let record = args.record.load()?;
    let mut files = match &args.record.record {
        Some(path) => find_annotation_files(path),
        // The demo carries its true boundaries in memory.
        None => vec![labels_entry(
            "(built-in demo labels)".into(),
            &demo_record().labels,
        )],
    };
    if let Some(path) = &args.labels {
        let labels = CycleLabels::read(path)?;
        files.retain(|f| &f.path != path);
        files.push(labels_entry(path.clone(), &labels));
    }
    let mut stdout = std::io::stdout().lock();
    let out = summarise(&record, args.record.record.as_ref(), files);
    if args.json {
        writeln!(stdout, "{}", serde_json::to_string_pretty(&out)?)?;
    } else {
        print_text(&out, &mut stdout)?;
    }
    Ok(())
}

fn labels_entry(path: PathBuf, labels: &CycleLabels) -> AnnotationFile {
    AnnotationFile {
        path,
        kind: "json",
        counts: labels
            .kinds()
            .iter()
            .map(|(k, v)| (k.to_string(), v.len()))
            .collect(),
        error: None,
    }
}

fn summarise<'a>(
    record: &'a Record,
    path: Option<&PathBuf>,
    files: Vec<AnnotationFile>,
) -> InfoOut<'a> {
    let leads = record
        .leads
        .iter()
        .map(|l| {
            let vp = l.view.map(|v| v.viewpoint);
            LeadOut {
                name: &l.name,
                raw_name: &l.raw_name,
                theta: vp.map(|v| v.theta),
                phi: vp.map(|v| v.phi),
                theta_deg: vp.map(|v| v.degrees().0),
                phi_deg: vp.map(|v| v.degrees().1),
                approximate: l.view.is_some_and(|v| v.approximate),
                invalid_samples: l.samples.iter().filter(|s| s.is_nan()).count(),
            }
        })
        .collect();
    InfoOut {
        name: &record.name,
        path: path.map(|p| p.display().to_string()),
        fs: record.fs,
        samples: record.len(),
        duration_s: record.duration_s(),
        leads,
        annotation_files: files,
        comments: &record.comments,
        notes: &record.notes,
    }
}

fn print_text(out: &InfoOut, w: &mut dyn Write) -> std::io::Result<()> {
    writeln!(w, "record     {}", out.name)?;
    if let Some(p) = &out.path {
        writeln!(w, "path       {p}")?;
    }
    writeln!(w, "fs         {} Hz", out.fs)?;
    writeln!(w, "samples    {} per lead", out.samples)?;
    writeln!(w, "duration   {:.3} s", out.duration_s)?;
    writeln!(w, "leads      {}", out.leads.len())?;
    for n in out.notes {
        writeln!(w, "note       {n}")?;
    }
    for l in &out.leads {
        let view = match (l.theta_deg, l.phi_deg) {
            (Some(t), Some(p)) => format!(
                "θ = {t:7.2}°  φ = {p:7.2}°{}",
                if l.approximate { "  (approximate)" } else { "" }
            ),
            _ => "no known viewpoint".to_string(),
        };
        let raw = if l.raw_name != l.name {
            format!(" (file: {})", l.raw_name)
        } else {
            String::new()
        };
        let invalid = if l.invalid_samples > 0 {
            format!("  [{} invalid samples]", l.invalid_samples)
        } else {
            String::new()
        };
        writeln!(w, "  {:<5} {view}{raw}{invalid}", l.name)?;
    }
    if out.annotation_files.is_empty() {
        writeln!(w, "annotation files: none found")?;
    } else {
        writeln!(w, "annotation files:")?;
        for f in &out.annotation_files {
            match &f.error {
                Some(e) => writeln!(w, "  {}  unreadable: {e}", f.path.display()),
                None => writeln!(w, "  {}  {}", f.path.display(), counts_text(&f.counts)),
            }?;
        }
    }
    for c in out.comments {
        writeln!(w, "# {c}")?;
    }
    Ok(())
}

fn counts_text(counts: &BTreeMap<String, usize>) -> String {
    counts
        .iter()
        .map(|(k, v)| format!("{k}: {v}"))
        .collect::<Vec<_>>()
        .join(", ")
}
