//! `ecg-panorama train-delineator`: train the delineation U-Net on LUDB-layout records.

use ecg_panorama::delineate::train::{TrainConfig, balance, evaluate_loss, load_examples, train};
use ecg_panorama::delineate::train_q1c::load_q1c_examples;
use ecg_panorama::delineate::unet::UNet;
use ecg_panorama::record::split::Split;
use indicatif::{ProgressBar, ProgressStyle};
use std::path::{Path, PathBuf};

/// Arguments of `train-delineator`.
#[derive(clap::Args)]
pub struct TrainArgs {
    /// Folder of LUDB-layout records (`N.hea`, `N.dat`, per-lead `N.i` … `N.v6`).
    #[arg(long)]
    records: PathBuf,
    /// Split file: only its `train` records are used.
    #[arg(long)]
    split: PathBuf,
    /// Output weights (safetensors); also written every 100 steps as a checkpoint.
    #[arg(long, default_value = "models/delineator.safetensors")]
    out: PathBuf,
    /// Optimiser steps.
    #[arg(long, default_value_t = TrainConfig::default().steps)]
    steps: usize,
    /// Crops per step.
    #[arg(long, default_value_t = TrainConfig::default().batch)]
    batch: usize,
    /// Peak learning rate (after a 5 % warm-up, cosine to 2 % of it).
    #[arg(long, default_value_t = TrainConfig::default().lr, value_parser = learning_rate)]
    lr: f64,
    /// Random seed.
    #[arg(long, default_value_t = TrainConfig::default().seed)]
    seed: u64,
    /// Start from these weights instead of a fresh network.
    #[arg(long)]
    resume: Option<PathBuf>,
    /// Hold out every eighth training record to report a validation loss (off: train on all).
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set)]
    validate: bool,
    /// Training records to hold out for validation as well (comma-separated names).
    #[arg(long, value_delimiter = ',')]
    hold_out: Vec<String>,
    /// QT Database folder (`NAME.hea`, `NAME.dat`, `NAME.q1c`) to train on as well.
    #[arg(long, requires = "qtdb_split")]
    qtdb: Option<PathBuf>,
    /// QTDB split file: only its `train` records are used.
    #[arg(long, requires = "qtdb")]
    qtdb_split: Option<PathBuf>,
    /// Share of the crops drawn from QTDB records.
    #[arg(long, default_value_t = 0.35)]
    qtdb_share: f64,
    /// Hold the learning rate at `--lr` after the warm-up and write the mean of the weights at
    /// every 100th step after the run's first fifth (stochastic weight averaging), not the
    /// last weights. The checkpoints hold the last weights, to resume from.
    #[arg(long)]
    average: bool,
}

/// A learning rate: a finite number, zero or more.
fn learning_rate(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(v) if v.is_finite() && v >= 0.0 => Ok(v),
        _ => Err(format!(
            "'{text}' is not a learning rate (a number, 0 or more)"
        )),
    }
}

/// Split `names` into training and validation names: every eighth (when validating) and the
/// named hold-outs validate.
fn hold_out(names: &[String], validate: bool, extra: &[String]) -> (Vec<String>, Vec<String>) {
    let (mut train, mut val) = (Vec::new(), Vec::new());
    for (i, name) in names.iter().enumerate() {
        if (validate && i % 8 == 7) || extra.contains(name) {
            val.push(name.clone());
        } else {
            train.push(name.clone());
        }
    }
    (train, val)
}

/// Run `train-delineator`.
pub fn run(args: &TrainArgs) -> anyhow::Result<()> {
    let split = Split::read(&args.split)?;
    let (train_names, val_names) = hold_out(&split.train, args.validate, &args.hold_out);
    eprintln!(
        "loading {} training and {} validation records from {}",
        train_names.len(),
        val_names.len(),
        args.records.display()
    );
    let mut train_set = load_examples(&args.records, &train_names)?;
    let mut val_set = load_examples(&args.records, &val_names)?;
    if let (Some(dir), Some(split)) = (&args.qtdb, &args.qtdb_split) {
        let split = Split::read(split)?;
        let (train_names, val_names) = hold_out(&split.train, args.validate, &args.hold_out);
        let mut extra = load_q1c_examples(dir, &train_names)?;
        if extra.is_empty() {
            anyhow::bail!("{}: no training record with a q1c file", dir.display());
        }
        eprintln!(
            "loading {} training and {} validation QTDB records from {} ({:.0} % of the crops)",
            extra.len(),
            val_names.len(),
            dir.display(),
            args.qtdb_share * 100.0
        );
        balance(&mut train_set, &mut extra, args.qtdb_share);
        train_set.extend(extra);
        val_set.extend(load_q1c_examples(dir, &val_names)?);
    }
    let cfg = TrainConfig {
        steps: args.steps,
        batch: args.batch,
        lr: args.lr,
        seed: args.seed,
        average_every: args.average.then_some(100),
        ..Default::default()
    };
    let bar = ProgressBar::new(cfg.steps as u64);
    bar.set_style(
        ProgressStyle::with_template("{elapsed_precise} [{bar:40}] {pos}/{len} ETA {eta} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    // Without a terminal the bar is hidden: log plain lines instead (training runs in the
    // background with its output in a file).
    let steps = cfg.steps;
    let plain = !std::io::IsTerminal::is_terminal(&std::io::stderr());
    let started = std::time::Instant::now();
    let mut smooth = None::<f32>;
    let mut last_val = String::new();
    let out = args.out.clone();
    let vm = train(
        &cfg,
        &train_set,
        &val_set,
        args.resume.as_deref(),
        |r, vm| {
            let s = smooth.map_or(r.loss, |s| 0.95 * s + 0.05 * r.loss);
            smooth = Some(s);
            if let Some(v) = r.val_loss {
                last_val = format!(" val {v:.4}");
                bar.println(format!("step {:>5}  train {:.4}  val {v:.4}", r.step, s));
            }
            if plain && (r.step % 25 == 0 || r.val_loss.is_some()) {
                eprintln!(
                    "step {:>5}/{}  {:>7.1} s  train {s:.4}{last_val}",
                    r.step,
                    steps,
                    started.elapsed().as_secs_f64()
                );
            }
            bar.set_message(format!("loss {s:.4}{last_val}"));
            bar.inc(1);
            if r.step % 100 == 0 {
                save(vm, &out)?;
            }
            Ok(())
        },
    )?;
    bar.finish();
    if args.average && !val_set.is_empty() {
        let device = candle_core::Device::Cpu;
        let vb = candle_nn::VarBuilder::from_varmap(&vm, candle_core::DType::F32, &device);
        let v = evaluate_loss(&UNet::new(vb)?, &val_set, &device)?;
        eprintln!("validation loss of the averaged weights: {v:.4}");
    }
    save(&vm, &args.out)?;
    eprintln!("weights written to {}", args.out.display());
    Ok(())
}

/// Write weights atomically, so an interrupted run leaves the last checkpoint intact. There is
/// no run state to pair them with: `--resume` starts the schedule afresh from these weights.
fn save(vm: &candle_nn::VarMap, path: &Path) -> ecg_panorama::Result<()> {
    let bytes = super::weights_bytes(vm, None)?;
    ecg_panorama::fsio::write(path, &bytes, ecg_panorama::fsio::Replace::Allow)
}
