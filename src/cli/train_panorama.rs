//! `ecg-panorama train-panorama`: train Nef-Net on the records of one or more databases.

use anyhow::{Context, bail};
use ecg_panorama::geometry::{STANDARD_12, normalise_lead_name};
use ecg_panorama::model::band::{self, Band};
use ecg_panorama::model::calibrate_residual::calibrate_residual;
use ecg_panorama::model::calibration::Calibration;
use ecg_panorama::model::data::{annotator_cycles, database_cycles, stand_in_for_i_and_v4};
use ecg_panorama::model::prior::Prior;
use ecg_panorama::model::stored::model_bytes;
use ecg_panorama::model::train::{
    TrainConfig, fit_prior, net_from_varmap, seed_net, train, validation_mae,
};
use ecg_panorama::panorama::{ExactLeads, NefNetEngine, fit_band};
use ecg_panorama::record::split::Split;
use indicatif::{ProgressBar, ProgressStyle};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Arguments of `train-panorama`.
#[derive(clap::Args)]
pub struct TrainPanoramaArgs {
    /// Folder of 12-lead, 500 Hz records, one per database; repeatable. Records with per-lead
    /// boundary files (LUDB layout: `N.i` … `N.v6`) are cut by every lead's file, the others
    /// by the automatic annotator.
    #[arg(long, required = true)]
    records: Vec<PathBuf>,
    /// Split file of each `--records` folder, in the same order: only its `train` records are
    /// used, every eighth of them to validate.
    #[arg(long, required = true)]
    split: Vec<PathBuf>,
    /// More 12-lead, 500 Hz records without a split (a folder of WFDB records, or one
    /// record), cut into cycles by the automatic annotator; repeatable. They only train.
    #[arg(long)]
    extra_records: Vec<PathBuf>,
    /// Output weights (safetensors), also the checkpoint written every 100 steps; the run's
    /// recipe and progress go beside it in `NAME.train.json`.
    #[arg(long, default_value = "models/nefnet.safetensors")]
    out: PathBuf,
    /// Optimiser steps in all, the averaged ones included.
    #[arg(long, default_value_t = TrainConfig::default().steps)]
    steps: usize,
    /// Warm restarts: steps where a cosine cycle ends before the last one (comma-separated;
    /// 0: none).
    #[arg(long, value_delimiter = ',', default_values_t = TrainConfig::default().restarts)]
    restart_at: Vec<usize>,
    /// The last steps run at the constant `--average-lr`, the network saved as the mean of its
    /// weights every 100 steps of their last three quarters (0: no averaging).
    #[arg(long, default_value_t = TrainConfig::default().average_steps)]
    average_steps: usize,
    /// Learning rate of the averaged steps.
    #[arg(long, default_value_t = TrainConfig::default().average_lr)]
    average_lr: f64,
    /// Steps up to this one train over the prior without its dynamic correction (0: none).
    #[arg(long, default_value_t = TrainConfig::default().without_dynamics_until)]
    without_dynamics_until: usize,
    /// Cycles per step.
    #[arg(long, default_value_t = TrainConfig::default().batch)]
    batch: usize,
    /// Peak learning rate.
    #[arg(long, default_value_t = TrainConfig::default().lr)]
    lr: f64,
    /// Random seed.
    #[arg(long, default_value_t = TrainConfig::default().seed)]
    seed: u64,
    /// Leads inputs are drawn from (default: all twelve).
    #[arg(long, value_delimiter = ',')]
    inputs: Vec<String>,
    /// Leads queried in training (default: all twelve).
    #[arg(long, value_delimiter = ',')]
    targets: Vec<String>,
    /// Feed every `--inputs` lead in every batch instead of random subsets.
    #[arg(long)]
    all_inputs: bool,
    /// The unseen-views variant: inputs II, V2, V5; targets III, aVR, aVL, aVF, V1, V3, V6 (V4
    /// and I are never seen: the prior knows them as II − III and (2·V3 + V5) / 3).
    #[arg(long, conflicts_with_all = ["inputs", "targets", "all_inputs"])]
    holdout_v4_i: bool,
    /// Share of batches fed one of the common input sets exactly (II; I; II, V2, V5; I, II,
    /// V1–V6); the others draw random subsets.
    #[arg(long, default_value_t = TrainConfig::default().common_share)]
    common_share: f64,
    /// Continue the run checkpointed at `--out` (weights and step) instead of starting afresh:
    /// the schedule (`--steps`, `--restart-at`, `--average-*`, `--without-dynamics-until`) is
    /// this command's, the rest the checkpoint's; the network's validation MAE is printed first.
    #[arg(long)]
    resume: bool,
    /// Hold out every eighth training record to report a validation MAE (off: train on all).
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set)]
    validate: bool,
    /// Also write the finished model as it is before its prior is refitted on the validation
    /// records (its scores on them are fair): what validation choices are made on.
    #[arg(long)]
    validation_model: Option<PathBuf>,
}

/// What `NAME.train.json` records: the recipe, how far the run got and how long it took.
#[derive(Serialize, Deserialize)]
struct RunState {
    config: TrainConfig,
    records: Vec<String>,
    split: Vec<String>,
    /// `--extra-records` of the run (states written before it existed read as none).
    #[serde(default)]
    extra_records: Vec<String>,
    train_records: usize,
    train_cycles: usize,
    step: usize,
    seconds: f64,
    val_mae: Option<f32>,
}

fn slots(names: &[String]) -> anyhow::Result<Vec<usize>> {
    if names.is_empty() {
        return Ok((0..12).collect());
    }
    names
        .iter()
        .map(|n| {
            let canon = normalise_lead_name(n);
            STANDARD_12
                .iter()
                .position(|s| *s == canon.name)
                .with_context(|| format!("{n}: not one of the 12 standard leads"))
        })
        .collect()
}

/// Run `train-panorama`.
pub fn run(args: &TrainPanoramaArgs) -> anyhow::Result<()> {
    let mut cfg = TrainConfig {
        steps: args.steps,
        batch: args.batch,
        lr: args.lr,
        seed: args.seed,
        inputs: slots(&args.inputs)?,
        targets: slots(&args.targets)?,
        all_inputs: args.all_inputs,
        common_share: args.common_share,
        restarts: args.restart_at.clone(),
        average_steps: args.average_steps,
        average_lr: args.average_lr,
        without_dynamics_until: args.without_dynamics_until,
        ..TrainConfig::default()
    };
    if args.holdout_v4_i {
        cfg.inputs = slots(&["II", "V2", "V5"].map(String::from))?;
        cfg.targets = slots(&["III", "aVR", "aVL", "aVF", "V1", "V3", "V6"].map(String::from))?;
        cfg.all_inputs = true;
    }
    let state_path = args.out.with_extension("train.json");
    let mut start = 0;
    let mut seconds_before = 0.0;
    if args.resume {
        let state = read_state(&args.out)?;
        cfg = TrainConfig {
            steps: args.steps.max(state.step),
            restarts: cfg.restarts,
            average_steps: cfg.average_steps,
            average_lr: cfg.average_lr,
            without_dynamics_until: cfg.without_dynamics_until,
            ..state.config
        };
        start = state.step;
        seconds_before = state.seconds;
    }
    anyhow::ensure!(
        args.records.len() == args.split.len(),
        "give one --split per --records folder ({} folders, {} splits)",
        args.records.len(),
        args.split.len()
    );
    let (mut train_set, mut val_set) = (Vec::new(), Vec::new());
    let mut train_records = 0;
    for (dir, split_path) in args.records.iter().zip(&args.split) {
        let split = Split::read(split_path)?;
        let (mut train_names, mut val_names) = (Vec::new(), Vec::new());
        for (i, name) in split.train.iter().enumerate() {
            if args.validate && i % 8 == 7 {
                val_names.push(name.clone());
            } else {
                train_names.push(name.clone());
            }
        }
        let (train_cycles, mut skipped) = database_cycles(dir, &train_names)?;
        let (val_cycles, val_skipped) = database_cycles(dir, &val_names)?;
        skipped.extend(val_skipped);
        eprintln!(
            "{}: {} training cycles from {} records, {} validation cycles from {} records{}",
            dir.display(),
            train_cycles.len(),
            train_names.len(),
            val_cycles.len(),
            val_names.len(),
            if skipped.is_empty() {
                String::new()
            } else {
                format!(" ({} skipped: not 12 leads at 500 Hz)", skipped.len())
            }
        );
        train_records += train_names.len();
        train_set.extend(train_cycles);
        val_set.extend(val_cycles);
    }
    let extra = extra_record_paths(&args.extra_records)?;
    if !extra.is_empty() {
        let (cycles, skipped) = annotator_cycles(&extra)?;
        eprintln!(
            "{} annotator cycles from {} extra records{}",
            cycles.len(),
            extra.len() - skipped.len(),
            if skipped.is_empty() {
                String::new()
            } else {
                format!(" ({} skipped: not 12 leads at 500 Hz)", skipped.len())
            }
        );
        train_set.extend(cycles);
    }
    if train_set.is_empty() {
        bail!("no usable cycles in the training records");
    }
    if args.holdout_v4_i {
        // The prior must not learn I and V4 from their recordings either.
        stand_in_for_i_and_v4(&mut train_set);
        stand_in_for_i_and_v4(&mut val_set);
    }
    // Building the network registers its variables; a resumed run then overwrites them.
    let mut varmap = candle_nn::VarMap::new();
    seed_net(&varmap, cfg.seed)?;
    let mut calibration = Calibration::default();
    if args.resume {
        varmap
            .load(&args.out)
            .with_context(|| format!("{}: cannot load the checkpoint", args.out.display()))?;
        // The calibration is fitted, not trained: carry it over, so a run resumed without
        // validation records keeps the one it had.
        let stored = candle_core::safetensors::load(&args.out, &candle_core::Device::Cpu)
            .with_context(|| format!("{}: cannot load the checkpoint", args.out.display()))?;
        let get = |name: &str| {
            stored
                .get(name)
                .and_then(|t| t.flatten_all().and_then(|t| t.to_vec1::<f32>()).ok())
        };
        if let Some(fitted) = Calibration::from_stored(get).map_err(anyhow::Error::msg)? {
            calibration = fitted;
            if let Some(b) = stored.get(band::STORED) {
                // A band of an older cell layout is refitted, not fatal: the network and the
                // prior it describes are still good.
                match Band::from_values(&b.flatten_all()?.to_vec1::<f32>()?) {
                    Ok(band) => calibration.band = Some(band),
                    Err(e) if args.validate => {
                        eprintln!("note: the checkpoint's band is refitted ({e})")
                    }
                    Err(e) => eprintln!(
                        "warning: the checkpoint's band is dropped ({e}); resume with validation \
                         records to fit a new one"
                    ),
                }
            }
        }
        eprintln!("resuming at step {start} of {}", cfg.steps);
    }
    // Fitted on the training cycles, every run: the same cycles give the same prior.
    let prior = fit_prior(&train_set);
    if args.resume && !val_set.is_empty() {
        // Where the resumed network stands over this run's prior, before any step moves it.
        let net = net_from_varmap(&varmap)?;
        let mae = validation_mae(&net, &prior, &cfg, &val_set, 8, &candle_core::Device::Cpu)?;
        eprintln!("validation MAE at step {start}: {mae:.4}");
    }
    let checkpoint = |state: &RunState, calibration: &Calibration| {
        save(&varmap, &prior, calibration, &args.out, state, &state_path)
    };
    let bar = ProgressBar::new(cfg.steps as u64);
    bar.set_position(start as u64);
    bar.set_style(
        ProgressStyle::with_template("{elapsed_precise} [{bar:40}] {pos}/{len} ETA {eta} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    // Without a terminal the bar is hidden: log plain lines instead.
    let plain = !std::io::IsTerminal::is_terminal(&std::io::stderr());
    let started = std::time::Instant::now();
    let mut smooth = None::<f32>;
    let mut last_val = None::<f32>;
    let mut state = RunState {
        config: cfg.clone(),
        records: args
            .records
            .iter()
            .map(|p| p.display().to_string())
            .collect(),
        split: args.split.iter().map(|p| p.display().to_string()).collect(),
        extra_records: args
            .extra_records
            .iter()
            .map(|p| p.display().to_string())
            .collect(),
        train_records,
        train_cycles: train_set.len(),
        step: start,
        seconds: seconds_before,
        val_mae: None,
    };
    let averaged = train(&cfg, &varmap, &prior, start, &train_set, &val_set, |r| {
        let s = smooth.map_or(r.mae, |s| 0.95 * s + 0.05 * r.mae);
        smooth = Some(s);
        if r.val_mae.is_some() {
            last_val = r.val_mae;
        }
        let val = last_val.map(|v| format!(" val {v:.4}")).unwrap_or_default();
        if plain && (r.step % 25 == 0 || r.val_mae.is_some()) {
            eprintln!(
                "step {:>5}/{}  {:>7.1} s  mae {s:.4}  standin {:.4}{val}",
                r.step,
                cfg.steps,
                seconds_before + started.elapsed().as_secs_f64(),
                r.standin
            );
        }
        bar.set_message(format!("mae {s:.4}{val}"));
        bar.inc(1);
        if r.step % 100 == 0 || r.step == cfg.steps {
            state.step = r.step;
            state.seconds = seconds_before + started.elapsed().as_secs_f64();
            state.val_mae = last_val;
            checkpoint(&state, &calibration)?;
        }
        Ok(())
    })?;
    bar.finish();
    if averaged > 0 {
        eprintln!("network saved as the mean of its weights at {averaged} steps");
    }
    if start >= cfg.steps || averaged > 0 {
        // No step ran (so no checkpoint was written): the prior refitted on the given records
        // is saved here. An averaging run's last checkpoint holds its last weights, not their
        // mean.
        checkpoint(&state, &calibration)?;
    }
    if !val_set.is_empty() {
        let dev = candle_core::Device::Cpu;
        let net = net_from_varmap(&varmap)?;
        calibration = calibrate_residual(&net, &prior, &cfg, &val_set, &dev)?;
        eprintln!(
            "correction kept per input count (1–12 leads), from the validation records: {:?}; \
             for one standard lead alone (I, II, III, aVR, aVL, aVF, V1–V6): {:?}",
            calibration.residual,
            calibration.single.unwrap_or(calibration.residual)
        );
        checkpoint(&state, &calibration)?;
        // The stand-ins of the unseen-views variant are not recordings to calibrate against.
        if !args.holdout_v4_i {
            calibration.band = Some(band_on(&varmap, &prior, &calibration, &val_set, &args.out)?);
            checkpoint(&state, &calibration)?;
        }
        if let Some(path) = &args.validation_model {
            let bytes = model_bytes(&varmap, &prior, &calibration, None)?;
            ecg_panorama::fsio::write(path, &bytes, ecg_panorama::fsio::Replace::Allow)?;
            eprintln!(
                "model with the prior of the training records alone written to {}",
                path.display()
            );
        }
        // The network and its calibration are done: the prior the file ships learns from the
        // validation records too.
        let mut all = train_set;
        all.extend(val_set);
        let prior = fit_prior(&all);
        save(
            &varmap,
            &prior,
            &calibration,
            &args.out,
            &state,
            &state_path,
        )?;
        eprintln!(
            "prior refitted on all {} records",
            prior.local.as_ref().map_or(0, |l| l.names.len())
        );
    }
    eprintln!(
        "weights written to {} ({} steps, {:.0} s)",
        args.out.display(),
        cfg.steps,
        state.seconds
    );
    Ok(())
}

/// The record paths (without extension) of `--extra-records`: each folder's `.hea` records
/// in name order, or the record itself.
pub(crate) fn extra_record_paths(args: &[PathBuf]) -> anyhow::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for arg in args {
        if arg.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(arg)
                .with_context(|| format!("{}: cannot read the folder", arg.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "hea"))
                .map(|p| p.with_extension(""))
                .collect();
            if found.is_empty() {
                bail!("{}: no WFDB records (.hea) in the folder", arg.display());
            }
            found.sort();
            out.extend(found);
        } else {
            out.push(arg.clone());
        }
    }
    Ok(out)
}

/// Key of the run state in the checkpoint's safetensors header.
const STATE_KEY: &str = "ecg_panorama.train_state";

/// Write the checkpoint: the run state goes inside the weights file's header, so the one
/// atomic write that replaces the weights replaces their state with them, and a crash can never
/// pair new weights with an old step. `NAME.train.json` is a copy for people and scripts to
/// read; `--resume` trusts only the state inside the weights.
fn save(
    vm: &candle_nn::VarMap,
    prior: &Prior,
    calibration: &Calibration,
    path: &Path,
    state: &RunState,
    state_path: &Path,
) -> ecg_panorama::Result<()> {
    use ecg_panorama::fsio::{Replace, write};
    let json = serde_json::to_string_pretty(state)?;
    let meta = std::collections::HashMap::from([(STATE_KEY.to_string(), json.clone())]);
    let bytes = model_bytes(vm, prior, calibration, Some(meta))?;
    write(path, &bytes, Replace::Allow)?;
    write(state_path, json.as_bytes(), Replace::Allow)?;
    Ok(())
}

/// The run state stored inside checkpoint `path` by [`save`].
fn read_state(path: &Path) -> anyhow::Result<RunState> {
    let bytes = std::fs::read(path)
        .with_context(|| format!("{}: no checkpoint to resume from", path.display()))?;
    let (_, header) = safetensors::SafeTensors::read_metadata(&bytes)
        .with_context(|| format!("{}: not a safetensors checkpoint", path.display()))?;
    let json = header
        .metadata()
        .as_ref()
        .and_then(|m| m.get(STATE_KEY))
        .with_context(|| {
            format!(
                "{}: holds weights but no training state (not written by train-panorama's checkpoints); start a new run",
                path.display()
            )
        })?;
    serde_json::from_str(json)
        .with_context(|| format!("{}: its training state cannot be read", path.display()))
}

/// Seed of the band fit's random input sets.
const BAND_SEED: u64 = 17;

/// The confidence band of the model being written, fitted on the validation cycles.
fn band_on(
    varmap: &candle_nn::VarMap,
    prior: &Prior,
    calibration: &Calibration,
    val_set: &[ecg_panorama::model::data::TrainCycle],
    out: &Path,
) -> anyhow::Result<Band> {
    let bytes = model_bytes(varmap, prior, calibration, None)?;
    let engine = ExactLeads(NefNetEngine::from_bytes(&bytes, out)?);
    let bar = ProgressBar::new(val_set.len() as u64);
    bar.set_message("fitting the confidence band");
    let started = std::time::Instant::now();
    let (band, fit) = fit_band(&engine, val_set, BAND_SEED, &mut |d| {
        bar.set_position(d as u64)
    })?;
    bar.finish_and_clear();
    eprintln!(
        "confidence band fitted on the validation cycles {:?}: {} views, {} of {} cells on \
         their own errors ({:.0} s)",
        fit.cycles,
        fit.views,
        fit.full_cells,
        band::CELLS,
        started.elapsed().as_secs_f64()
    );
    Ok(band)
}
