//! Command-line interface: parses arguments and dispatches to the library.

mod annotate;
mod anomaly;
mod batch;
mod bench;
mod bench_ui;
mod convert;
mod eval_anomaly;
mod eval_delineation;
mod eval_measure;
mod eval_panorama;
mod eval_prior;
mod eval_rhythm;
mod eval_vcg;
mod eval_view;
mod figure;
mod info;
mod measure;
mod report;
mod synth;
mod train_delineator;
mod train_panorama;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// Electrocardio Panorama: open ECG records, delineate cycles, view the ECG from any viewpoint.
///
/// With no subcommand the desktop app opens (on RECORD, or the built-in demo record).
#[derive(Parser)]
#[command(
    name = "ecg-panorama",
    version,
    about,
    args_conflicts_with_subcommands = true
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// With no subcommand: the record to open in the app (the built-in demo when omitted).
    record: Option<PathBuf>,
    /// Open the app straight on this view.
    #[arg(long, value_enum, value_name = "VIEW")]
    show: Option<ecg_panorama::app::View>,
    /// Save the app's first complete frame to this PNG file, then close.
    #[arg(long, value_name = "FILE")]
    screenshot: Option<PathBuf>,
    /// Open the app looking from this viewpoint: a lead name (V4R, V8, …) or θ,φ in degrees.
    #[arg(long, value_name = "VIEW", allow_hyphen_values = true)]
    view: Option<ecg_panorama::panorama::ViewSpec>,
}

#[derive(Subcommand)]
enum Command {
    /// Load a whole record and print its rate, length, leads with their viewpoints and the
    /// annotation files beside it.
    Info(info::InfoArgs),
    /// Convert a record to another format (CSV: time in s, then one column per lead in mV).
    Convert(convert::ConvertArgs),
    /// Delineate a record and write its annotation files: one WFDB file per lead (`NAME.i`,
    /// `NAME.ii`, … as LUDB names them) and the JSON cycle labels (`NAME.json`).
    Annotate(annotate::AnnotateArgs),
    /// Measure how fast things run.
    Bench {
        #[command(subcommand)]
        what: bench::BenchCommand,
    },
    /// Score wave boundaries against reference annotations (LUDB per-lead or QTDB q1c layout).
    EvalDelineation(eval_delineation::EvalArgs),
    /// Score the delineator's P waves beat by beat against WFDB beat and rhythm annotations
    /// (`NAME.atr`): sinus beats keep theirs, ventricular ectopic and AF/flutter beats have none.
    EvalRhythm(eval_rhythm::EvalRhythmArgs),
    /// Score lead synthesis (Nef-Net, linear regression, dipole least squares) on LUDB-layout
    /// records.
    EvalPanorama(eval_panorama::EvalPanoramaArgs),
    /// Cross-validate the engine's linear prior (population and patient-similar regressions)
    /// against linear regression over the train records of a split, without the network.
    EvalPrior(eval_prior::EvalPriorArgs),
    /// Synthesize recorded leads from others and score them against the recording (PSNR,
    /// correlation, RMSE) with every engine and Kors's regression: by default every Frank lead
    /// (vx, vy, vz) of the record from the 12 standard leads.
    EvalView(eval_view::EvalViewArgs),
    /// Compare the heart-vector loop of the 12 standard leads (Kors's regression) with the one
    /// the recorded Frank leads give, cycle by cycle: angles between the mean QRS and T vectors,
    /// frontal axes, QRS–T angles, loop areas (medians over the cycles).
    EvalVcg(eval_vcg::EvalVcgArgs),
    /// The anomaly map on PTB-XL: AUROC of normal against abnormal test records (and per
    /// diagnostic superclass), and simulated electrode swaps on the normal ones.
    EvalAnomaly(eval_anomaly::EvalAnomalyArgs),
    /// Where a record departs from what its own leads predict: per lead and cycle scores, the
    /// record score against normal records, and a suspected electrode swap.
    Anomaly(anomaly::AnomalyArgs),
    /// Train the delineation network on LUDB-layout records (the `train` part of a split).
    TrainDelineator(train_delineator::TrainArgs),
    /// Train Nef-Net on LUDB-layout records (the `train` part of a split): random input subsets
    /// and query leads, checkpoints every 100 steps, `--resume` to continue.
    TrainPanorama(train_panorama::TrainPanoramaArgs),
    /// Synthesize a record's cycles as seen from other viewpoints and write them as CSV (time
    /// in s, then one column per view in mV, empty outside the cycles).
    ///
    /// Only the `--inputs` leads of the record are used. Cycles (P onset through the next P
    /// onset) come from the lead II wave file beside the record (`NAME.ii`), else its JSON cycle
    /// labels (`NAME.json`), else the annotator run on the input leads. Each cycle's input leads
    /// are detrended by the straight line through their values at the two P onsets before
    /// encoding, and the views are written in that frame: no baseline is added back.
    Synth(synth::SynthArgs),
    /// Measure a record per cycle (RR, heart rate, P, PR, QRS, QT, QTc Bazett and Fridericia,
    /// frontal axis, ST at J + 60 ms per lead) with median, min and max rows; CSV or `--json`.
    Measure(measure::MeasureArgs),
    /// Compare measurements from the automatic boundaries with cardiologists': LUDB record
    /// medians of PR, QRS, QT and the axis category of each header; QTDB beat QT against q1c.
    EvalMeasure(eval_measure::EvalMeasureArgs),
    /// The standard 12-lead report (3 × 4 leads of 2.5 s, a lead II rhythm strip, 25 mm/s,
    /// 10 mm/mV, header with patient and measurements) as PDF, SVG or PNG, on A4 or Letter;
    /// optionally with synthesized views (--views). RECORD may be a folder (--out a folder).
    Report(report::ReportArgs),
    /// The figures the app exports (panorama view, 24-view grid, annotated record) without
    /// its window. RECORD may be a folder (--out a folder).
    Figure(figure::FigureArgs),
}

/// The record argument shared by subcommands: a path, or nothing for the built-in demo.
#[derive(clap::Args, Clone)]
pub struct RecordArg {
    /// Record path: WFDB without extension or with `.hea`, a Tianchi `.npy`, or a CSV file.
    /// Omitted: the built-in synthetic demo record.
    pub record: Option<PathBuf>,
}

impl RecordArg {
    /// Load the record (or the demo).
    pub fn load(&self) -> ecg_panorama::Result<ecg_panorama::record::Record> {
        match &self.record {
            Some(p) => ecg_panorama::record::open_record(p),
            None => Ok(ecg_panorama::record::demo::demo_record().record),
        }
    }
}

/// Write an output file with `write`, or standard output for `-`. A file goes through the
/// crate's atomic writer, so a failed run never leaves half a file.
pub fn write_output(
    out: &std::path::Path,
    write: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
) -> anyhow::Result<()> {
    use anyhow::Context;
    if out.as_os_str() == "-" {
        return write(&mut std::io::stdout().lock()).context("writing to standard output");
    }
    ecg_panorama::fsio::write_with(out, ecg_panorama::fsio::Replace::Allow, write)?;
    Ok(())
}

/// A network's variables as a safetensors file, with `metadata` in its header; written through
/// the crate's atomic writer rather than `VarMap::save`, which writes in place.
pub(crate) fn weights_bytes(
    vm: &candle_nn::VarMap,
    metadata: Option<std::collections::HashMap<String, String>>,
) -> ecg_panorama::Result<Vec<u8>> {
    let vars = vm.data().lock().map_err(|_| {
        ecg_panorama::Error::Invalid(
            "the network's variables are poisoned by a failed step".to_string(),
        )
    })?;
    let tensors: Vec<(&String, &candle_core::Tensor)> =
        vars.iter().map(|(k, v)| (k, v.as_tensor())).collect();
    // candle's error carries safetensors' own, so the library error passes it through.
    safetensors::serialize(tensors, metadata)
        .map_err(|e| ecg_panorama::Error::from(candle_core::Error::from(e)))
}

/// Parse the arguments and run; errors go to stderr with a non-zero exit code.
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        None => ecg_panorama::app::run_with(ecg_panorama::app::Options {
            record: cli.record,
            view: cli.show,
            screenshot: cli.screenshot,
            viewpoint: cli.view.map(|v| v.viewpoint),
        }),
        Some(Command::Info(args)) => info::run(&args),
        Some(Command::Convert(args)) => convert::run(&args),
        Some(Command::Annotate(args)) => annotate::run(&args),
        Some(Command::Bench { what }) => bench::run(&what),
        Some(Command::EvalDelineation(args)) => eval_delineation::run(&args),
        Some(Command::EvalRhythm(args)) => eval_rhythm::run(&args),
        Some(Command::EvalPanorama(args)) => eval_panorama::run(&args),
        Some(Command::EvalPrior(args)) => eval_prior::run(&args),
        Some(Command::EvalView(args)) => eval_view::run(&args),
        Some(Command::EvalVcg(args)) => eval_vcg::run(&args),
        Some(Command::EvalAnomaly(args)) => eval_anomaly::run(&args),
        Some(Command::Anomaly(args)) => anomaly::run(&args),
        Some(Command::TrainDelineator(args)) => train_delineator::run(&args),
        Some(Command::TrainPanorama(args)) => train_panorama::run(&args),
        Some(Command::Synth(args)) => synth::run(&args),
        Some(Command::Measure(args)) => measure::run(&args),
        Some(Command::EvalMeasure(args)) => eval_measure::run(&args),
        Some(Command::Report(args)) => report::run(&args),
        Some(Command::Figure(args)) => figure::run(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        // A closed pipe (`| head`) is the reader's choice, not a failure.
        Err(e)
            if e.downcast_ref::<std::io::Error>()
                .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe) =>
        {
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
