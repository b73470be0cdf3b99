//! `ecg-panorama figure`: the figures the app exports, without its window — the synthesized
//! view with the nearest recorded lead, the 24-view grid of one cycle, or the annotated record
//! — laid out by the same functions as the app's (`export::figures`).

use super::batch::{Batch, OutFormat};
use anyhow::Context;
use ecg_panorama::anomaly::anomaly_map;
use ecg_panorama::app::state::default_inputs;
use ecg_panorama::delineate::edit::{LeadName, RecordDocs};
use ecg_panorama::delineate::{CycleBounds, Delineator};
use ecg_panorama::export::figures::{
    Segment, Synthesized, attach_heat, deflection_bands, engine_name, grid_figure, record_figure,
    view_figure,
};
use ecg_panorama::export::{Band, Figure, FigureFormat, write_figure_dpi};
use ecg_panorama::geometry::{Viewpoint, panorama_grid};
use ecg_panorama::panorama::{
    CycleInput, DEFAULT_LEVEL, Engine, EngineKind, ViewSpec, check_level, engine_for, parse_inputs,
};
use ecg_panorama::record::{Record, open_record};
use std::path::{Path, PathBuf};

/// Which figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Kind {
    /// The synthesized view from `--view` (one cycle, or every cycle with `--strip`) with the
    /// nearest recorded lead and the deflection bands.
    Panorama,
    /// The 24 views of the θ × φ grid of one cycle.
    Grid,
    /// The record's leads, 10 s from `--start`, with their deflection bands.
    Record,
}

/// Arguments of `figure`.
#[derive(clap::Args)]
pub struct FigureArgs {
    /// A record (WFDB without extension or with `.hea`, a Tianchi `.npy`, a CSV file) or a
    /// folder of records.
    record: PathBuf,
    /// The figure.
    #[arg(long, value_enum)]
    kind: Kind,
    /// Output file (.pdf, .svg or .png), or a folder when RECORD is a folder.
    #[arg(long)]
    out: PathBuf,
    /// Viewpoint of the panorama figure: a lead name (V4R, V8, …) or θ,φ in degrees.
    #[arg(long, default_value = "II", allow_hyphen_values = true)]
    view: ViewSpec,
    /// Input leads, comma-separated (default: II, V2, V5 when recorded, as in the app).
    #[arg(long, value_delimiter = ',')]
    inputs: Option<Vec<String>>,
    /// The cycle drawn (0-based, in time order).
    #[arg(long, default_value_t = 0)]
    cycle: usize,
    /// Panorama figure: every cycle of the record as one strip.
    #[arg(long)]
    strip: bool,
    /// Synthesis engine: nefnet or dipole.
    #[arg(long, default_value = "nefnet", ignore_case = true)]
    engine: EngineKind,
    /// Nef-Net weights (safetensors); the built-in model when omitted.
    #[arg(long)]
    model: Option<PathBuf>,
    /// Level of the confidence band drawn around synthesized views (when the engine has one).
    #[arg(long, default_value_t = DEFAULT_LEVEL)]
    band: f64,
    /// Draw no confidence band.
    #[arg(long)]
    no_band: bool,
    /// Record figure: a heat band under each lead where it departs from what the other leads
    /// predict (the anomaly map; Nef-Net restores each lead from the others).
    #[arg(long)]
    anomaly: bool,
    /// Record figure: time of its left edge, s.
    #[arg(long, default_value_t = 0.0)]
    start: f64,
    /// Page format in a folder (default png); for one record, --out's extension decides.
    #[arg(long, value_enum)]
    format: Option<OutFormat>,
    /// Resolution of PNG pages.
    #[arg(long, default_value_t = ecg_panorama::export::DEFAULT_DPI)]
    dpi: f64,
}

/// Run `figure`.
pub fn run(args: &FigureArgs) -> anyhow::Result<()> {
    let band = (!args.no_band).then_some(args.band);
    if let Some(level) = band {
        check_level(level).context("--band")?;
    }
    anyhow::ensure!(
        !args.anomaly || args.kind == Kind::Record,
        "--anomaly draws on the record figure only (--kind record)"
    );
    let engine = match args.kind {
        Kind::Record if !args.anomaly => None,
        Kind::Record => Some(engine_for(EngineKind::NefNet, args.model.as_deref())?),
        _ => Some(engine_for(args.engine, args.model.as_deref())?),
    };
    let suffix = match args.kind {
        Kind::Panorama => "-view",
        Kind::Grid => "-grid",
        Kind::Record => "-record",
    };
    let batch = Batch {
        input: &args.record,
        out: &args.out,
        format: args.format,
        default_format: FigureFormat::Png,
        suffix,
    };
    batch.run(|rec, out, format| {
        let record = open_record(rec)?;
        let fig = figure(args, &record, rec, engine.as_deref(), band)?;
        write_figure_dpi(&fig, format, out, args.dpi)?;
        eprintln!("{}: wrote {}", rec.display(), out.display());
        Ok(())
    })
}

/// The figure of `record`, read from `path`, as the app lays it out.
fn figure(
    args: &FigureArgs,
    record: &Record,
    path: &Path,
    engine: Option<&dyn Engine>,
    band: Option<f64>,
) -> anyhow::Result<Figure> {
    // The boundaries the app opens the record with: files beside it, else the annotator's.
    let docs = RecordDocs::open_beside_with(
        path,
        &LeadName::of_record(record),
        record.len(),
        record.fs,
        None,
        || Delineator::load_default()?.delineate(record),
    );
    let doc = match (docs, args.kind) {
        (Ok(d), _) => Some(d.cycles),
        // A record figure is worth having without its bands.
        (Err(e), Kind::Record) => {
            eprintln!("warning: {}: no deflection bands: {e}", path.display());
            None
        }
        (Err(e), _) => return Err(e).context("finding the cycles"),
    };
    let bands = |a: usize, b: usize| -> Vec<Band> {
        let Some(doc) = &doc else { return Vec::new() };
        let spans: Vec<(usize, usize, usize)> = doc
            .bands()
            .into_iter()
            .filter(|(_, r)| r.start < b && r.end >= a)
            .map(|(d, r)| (r.start, r.end, d as usize))
            .collect();
        deflection_bands(&spans, a, b, record.fs)
    };
    let cycles = doc.as_ref().map(|d| d.cycles()).unwrap_or_default();
    if args.kind == Kind::Record {
        let subtitle = doc
            .as_ref()
            .map(|d| format!("boundaries from {}", d.origin()))
            .unwrap_or_default();
        let (mut fig, _) = record_figure(
            record,
            args.start,
            &|_| true,
            &|_, a, b| bands(a, b),
            subtitle,
        )
        .context("the record has no samples")?;
        if let (true, Some(engine)) = (args.anomaly, engine) {
            anyhow::ensure!(
                !cycles.is_empty(),
                "no complete cycle found: no anomaly map"
            );
            let map = anomaly_map(engine, record, &cycles).context("the anomaly map")?;
            attach_heat(&mut fig, record.fs, &|lead| {
                let k = map.leads.iter().position(|l| l == lead)?;
                map.samples.get(k).map(Vec::as_slice)
            });
        }
        return Ok(fig);
    }
    let engine = engine.context("no synthesis engine")?;
    let count = cycles.len();
    let chosen: Vec<CycleBounds> = match (args.kind, args.strip) {
        (Kind::Panorama, true) => cycles,
        _ => vec![*cycles.get(args.cycle).with_context(|| match count {
            0 => "the record has no complete cycle".to_string(),
            n => format!(
                "--cycle {}: the record has {n} cycles (0 to {})",
                args.cycle,
                n - 1
            ),
        })?],
    };
    let inputs = match &args.inputs {
        Some(given) => given.clone(),
        None => {
            let found = default_inputs(record);
            // Holter channels (ECG1, ECG2…) have no known direction from the heart.
            anyhow::ensure!(
                !found.is_empty(),
                "none of the record's leads ({}) has a known viewpoint, so no view can be \
                 synthesized from them; `--kind record` draws the record as it is, and \
                 `convert --leads I,II,… --to csv` names standard leads filed under other names",
                record.lead_list()
            );
            found
        }
    };
    let sub = parse_inputs(record, &inputs).context("--inputs")?;
    let names: Vec<&str> = sub.leads.iter().map(|l| l.name.as_str()).collect();
    let method = format!("{} from {}", engine_name(args.engine), names.join(", "));
    let views = match args.kind {
        Kind::Grid => panorama_grid(),
        _ => vec![args.view.viewpoint],
    };
    let segments = render(engine, record, &names, &chosen, &views, band)?;
    let s = Synthesized {
        views: &views,
        segments: &segments,
        band: band.filter(|_| segments.iter().any(|s| s.bands.is_some())),
    };
    let none = "no cycle could be synthesized";
    let fig = match args.kind {
        Kind::Grid => grid_figure(&record.name, record.fs, &method, s, args.cycle, count),
        _ => {
            let nearest = nearest_recorded(record, args.view.viewpoint);
            view_figure(record, &method, s, nearest, &bands)
        }
    };
    Ok(fig.context(none)?.0)
}

/// Every cycle's views, as the app's synthesis worker renders them.
fn render(
    engine: &dyn Engine,
    record: &Record,
    names: &[&str],
    cycles: &[CycleBounds],
    views: &[Viewpoint],
    band: Option<f64>,
) -> anyhow::Result<Vec<Segment>> {
    cycles
        .iter()
        .map(|&b| {
            let field = engine.encode(&CycleInput::from_record(record, names, b)?)?;
            Ok(Segment {
                start: b.start(),
                signals: engine.render(&field, views)?,
                bands: match band {
                    Some(level) => engine.band(&field, views, level)?,
                    None => None,
                },
            })
        })
        .collect()
}

/// The recorded lead looking from nearest `v`, and the angle to it (rad).
fn nearest_recorded(record: &Record, v: Viewpoint) -> Option<(String, f64)> {
    record
        .leads
        .iter()
        .filter_map(|l| Some((l.name.clone(), l.view?.viewpoint.angle_to(&v))))
        .min_by(|a, b| a.1.total_cmp(&b.1))
}
