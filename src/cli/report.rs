//! `ecg-panorama report`: the standard 12-lead report of a record (or of each record of a
//! folder) as PDF, SVG or PNG.

use super::batch::{Batch, OutFormat};
use anyhow::Context;
use ecg_panorama::app::state::default_inputs;
use ecg_panorama::delineate::CycleBounds;
use ecg_panorama::delineate::no_beats::why_no_beats;
use ecg_panorama::export::FigureFormat;
use ecg_panorama::export::figures::{angles, engine_name};
use ecg_panorama::export::report::{
    MAX_VIEWS, PaperSize, ReportInput, SynthesizedViews, page_rate, patient_info, report_header,
    write_report,
};
use ecg_panorama::measure::{MeasureOptions, lead_beats_beside, measure_record, record_beats};
use ecg_panorama::panorama::{
    CycleSource, Engine, EngineKind, ViewSpec, cycles_from_annotator, engine_for,
    find_record_cycles, parse_inputs, synthesize,
};
use ecg_panorama::record::{Record, open_record};
use std::path::{Path, PathBuf};

/// Arguments of `report`.
#[derive(clap::Args)]
pub struct ReportArgs {
    /// A record (WFDB without extension or with `.hea`, a Tianchi `.npy`, a CSV file) or a
    /// folder of records.
    record: PathBuf,
    /// Output file (.pdf, .svg or .png), or a folder when RECORD is a folder.
    #[arg(long)]
    out: PathBuf,
    /// Paper size (landscape).
    #[arg(long, value_enum, default_value = "a4", ignore_case = true)]
    paper: PaperSize,
    /// Synthesized views to add under the 3 × 4 block (at most 8): lead names (V4R, V8, …) or
    /// θ,φ in degrees, comma-separated, e.g. V4R,V8,90,180.
    #[arg(long, allow_hyphen_values = true)]
    views: Vec<String>,
    /// Input leads of the synthesis, comma-separated (default: II, V2, V5 when recorded).
    #[arg(long, value_delimiter = ',')]
    inputs: Option<Vec<String>>,
    /// Synthesis engine: nefnet or dipole.
    #[arg(long, default_value = "nefnet", ignore_case = true)]
    engine: EngineKind,
    /// Nef-Net weights (safetensors); the built-in model when omitted.
    #[arg(long)]
    model: Option<PathBuf>,
    /// Time of the page's left edge, s.
    #[arg(long, default_value_t = 0.0)]
    start: f64,
    /// Page format in a folder (default pdf); for one record, --out's extension decides.
    #[arg(long, value_enum)]
    format: Option<OutFormat>,
    /// Resolution of PNG pages.
    #[arg(long, default_value_t = ecg_panorama::export::DEFAULT_DPI)]
    dpi: f64,
}

/// Views from `--views`: lead names and θ,φ pairs in one comma-separated list (or several).
pub fn parse_views(raw: &[String]) -> anyhow::Result<Vec<(String, ViewSpec)>> {
    let tokens: Vec<&str> = raw
        .iter()
        .flat_map(|r| r.split([',', ';']))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        if tokens[i].parse::<f64>().is_ok() {
            let phi = tokens.get(i + 1).with_context(|| {
                format!("--views: θ {} has no φ after it (give θ,φ)", tokens[i])
            })?;
            let spec = ViewSpec::parse(&format!("{},{phi}", tokens[i])).context("--views")?;
            out.push((angles(spec.viewpoint), spec));
            i += 2;
        } else {
            let spec = ViewSpec::parse(tokens[i]).context("--views")?;
            out.push((spec.label.clone(), spec));
            i += 1;
        }
    }
    if out.len() > MAX_VIEWS {
        anyhow::bail!(
            "--views: {} views given; a report has room for {MAX_VIEWS}",
            out.len()
        );
    }
    Ok(out)
}

/// Run `report`.
pub fn run(args: &ReportArgs) -> anyhow::Result<()> {
    let views = parse_views(&args.views)?;
    if !(args.start.is_finite() && args.start >= 0.0) {
        anyhow::bail!("--start {}: give a time in seconds, 0 or more", args.start);
    }
    let engine = match views.is_empty() {
        true => None,
        false => Some(engine_for(args.engine, args.model.as_deref())?),
    };
    let batch = Batch {
        input: &args.record,
        out: &args.out,
        format: args.format,
        default_format: FigureFormat::Pdf,
        suffix: "",
    };
    batch.run(|rec, out, format| {
        let record = open_record(rec)?;
        one(args, &record, rec, &views, engine.as_deref(), |input| {
            Ok(write_report(input, format, out, args.dpi)?)
        })?;
        eprintln!("{}: wrote {}", rec.display(), out.display());
        Ok(())
    })
}

/// Build the report of `record` (read from `path`) and hand it to `write`.
fn one(
    args: &ReportArgs,
    record: &Record,
    path: &Path,
    views: &[(String, ViewSpec)],
    engine: Option<&dyn Engine>,
    write: impl FnOnce(&ReportInput) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let mut input = ReportInput::new(record);
    input.paper = args.paper;
    input.start_s = args.start;
    input.patient = patient_info(record, Some(path));
    if args.start >= record.duration_s() {
        anyhow::bail!(
            "--start {} s: the record lasts {:.1} s",
            args.start,
            record.duration_s()
        );
    }
    let window = input.window();
    // Only the page's 10 s are delineated: a 30-min Holter record costs no more than a cart's.
    let shown = Record {
        leads: record
            .leads
            .iter()
            .map(|l| ecg_panorama::record::Lead {
                samples: l.samples[..window.end.min(l.samples.len())].to_vec(),
                ..l.clone()
            })
            .collect(),
        ..record.clone()
    };
    match find_record_cycles(&shown, Some(path)) {
        Ok((source, cycles)) => {
            // The record's intervals and axis, from the same boundaries (flags included).
            let header = record_beats(&shown, Some(path))
                .map(|(_, beats)| {
                    let leads = lead_beats_beside(&shown, path);
                    measure_record(&shown, &beats, &leads, MeasureOptions::default()).header()
                })
                .unwrap_or_default();
            input.measures = report_header(header, page_rate(&cycles, record.fs, window.clone()));
            let file = |p: &Path| {
                p.file_name()
                    .unwrap_or_default()
                    .to_string_lossy()
                    .into_owned()
            };
            let from = match &source {
                CycleSource::WaveFile(p) => format!("lead II wave file {}", file(p)),
                CycleSource::Labels(p) => format!("cycle labels {}", file(p)),
                CycleSource::Annotator => "the automatic annotator".to_string(),
            };
            input.note = if cycles.is_empty() {
                // Dashes alone would read as a measurement that failed, not an empty page.
                let why = why_no_beats(&shown)?;
                eprintln!("warning: {}: {why}", record.name);
                why
            } else {
                format!("measurements from the cycles of {from}")
            };
            if let Some(engine) = engine {
                let cycles = with_annotator(&shown, cycles, &source);
                input.synthesized =
                    Some(synthesized(args, record, &shown, views, engine, &cycles)?);
            }
        }
        Err(e) if engine.is_none() => input.note = format!("no rate: {e}"),
        Err(e) => return Err(e).context("finding the cycles to synthesize"),
    }
    write(&input)
}

/// `cycles` from files, with the annotator's cycles where they have none: annotators mark the
/// middle of a record, and synthesized views would be blank before and after.
fn with_annotator(
    shown: &Record,
    mut cycles: Vec<CycleBounds>,
    source: &CycleSource,
) -> Vec<CycleBounds> {
    if *source == CycleSource::Annotator {
        return cycles;
    }
    // Annotators place boundaries a few samples apart: a small overlap is the same beat's edge.
    let slack = (0.1 * shown.fs) as usize;
    for c in cycles_from_annotator(shown).unwrap_or_default() {
        let overlap = |k: &CycleBounds| {
            k.end()
                .min(c.end())
                .saturating_sub(k.start().max(c.start()))
        };
        if cycles.iter().all(|k| overlap(k) <= slack) {
            cycles.push(c);
        }
    }
    cycles
}

/// The `--views` of the page's cycles, each as long as the record.
fn synthesized(
    args: &ReportArgs,
    record: &Record,
    shown: &Record,
    views: &[(String, ViewSpec)],
    engine: &dyn Engine,
    cycles: &[CycleBounds],
) -> anyhow::Result<SynthesizedViews> {
    let inputs = args
        .inputs
        .clone()
        .unwrap_or_else(|| default_inputs(record));
    let sub = parse_inputs(shown, &inputs).context("--inputs")?;
    let names: Vec<&str> = sub.leads.iter().map(|l| l.name.as_str()).collect();
    let viewpoints: Vec<_> = views.iter().map(|(_, v)| v.viewpoint).collect();
    let s = synthesize(engine, &sub, &names, cycles, &viewpoints, None)?;
    if s.cycles == 0 {
        anyhow::bail!(
            "no cycle of the page could be synthesized from {}",
            names.join(", ")
        );
    }
    Ok(SynthesizedViews {
        engine: engine_name(args.engine).to_string(),
        inputs: names.iter().map(|n| n.to_string()).collect(),
        views: views
            .iter()
            .zip(s.views)
            .map(|((label, _), mut x)| {
                x.resize(record.len(), f64::NAN);
                (label.clone(), x)
            })
            .collect(),
    })
}
