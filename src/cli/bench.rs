//! `ecg-panorama bench`: in-process timings.

use super::RecordArg;
use std::io::Write;
use std::time::Instant;

/// What to benchmark.
#[derive(clap::Subcommand)]
pub enum BenchCommand {
    /// Median time to load a whole record into mV.
    Read {
        #[command(flatten)]
        record: RecordArg,
        /// Number of timed loads (after one warm-up load).
        #[arg(long, default_value_t = 20)]
        repeat: usize,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Median time of the app's own work per frame (layout, plot data, tessellation; not
    /// rasterisation) while the viewpoint moves on the panorama view, headless.
    Ui(super::bench_ui::BenchUiArgs),
    /// Median time of a whole record's anomaly map (every lead restored from the others, every
    /// cycle) and of its electrode-swap check, on the record's cycles.
    Anomaly {
        #[command(flatten)]
        record: RecordArg,
        /// Number of timed runs (after one warm-up run).
        #[arg(long, default_value_t = 10)]
        repeat: usize,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Median times of the panorama engines: encode one cycle from 3 leads, render one view,
    /// render the 24-view panorama grid.
    Synth {
        /// Number of timed runs of each step (after one warm-up run).
        #[arg(long, default_value_t = 50)]
        repeat: usize,
        /// Nef-Net weights for the Nef-Net engine.
        #[arg(long)]
        model: Option<std::path::PathBuf>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

/// Run a benchmark.
pub fn run(cmd: &BenchCommand) -> anyhow::Result<()> {
    match cmd {
        BenchCommand::Anomaly {
            record,
            repeat,
            json,
        } => bench_anomaly(record, *repeat, *json),
        BenchCommand::Ui(args) => super::bench_ui::run(args),
        BenchCommand::Synth {
            repeat,
            model,
            json,
        } => bench_synth(*repeat, model.as_deref(), *json),
        BenchCommand::Read {
            record,
            repeat,
            json,
        } => {
            let warm = record.load()?;
            let samples = warm.total_samples();
            let mut times: Vec<f64> = (0..(*repeat).max(1))
                .map(|_| {
                    let t = Instant::now();
                    let r = record.load();
                    let dt = t.elapsed().as_secs_f64();
                    r.map(|r| {
                        std::hint::black_box(r);
                        dt
                    })
                })
                .collect::<Result<_, _>>()?;
            times.sort_by(f64::total_cmp);
            let median = times[times.len() / 2];
            let min = times[0];
            let msps = samples as f64 / median / 1e6;
            if *json {
                let out = serde_json::json!({
                    "record": warm.name,
                    "samples": samples,
                    "repeat": times.len(),
                    "median_ms": median * 1e3,
                    "min_ms": min * 1e3,
                    "msamples_per_s": msps,
                });
                writeln!(std::io::stdout(), "{}", serde_json::to_string_pretty(&out)?)?;
            } else {
                writeln!(
                    std::io::stdout(),
                    "{}: {} samples, median {:.3} ms (min {:.3} ms) over {} loads, {:.1} Msamples/s",
                    warm.name,
                    samples,
                    median * 1e3,
                    min * 1e3,
                    times.len(),
                    msps
                )?;
            }
            Ok(())
        }
    }
}

/// `bench synth`: on the first complete cycle of the built-in demo record, inputs II, V2, V5,
/// the median time of each step of every engine this build has.
fn bench_synth(repeat: usize, model: Option<&std::path::Path>, json: bool) -> anyhow::Result<()> {
    use ecg_panorama::geometry::{Viewpoint, panorama_grid};
    use ecg_panorama::panorama::{
        CycleInput, DEFAULT_LEVEL, EngineKind, cycles_from_labels, engine_for,
    };

    const INPUTS: [&str; 3] = ["II", "V2", "V5"];
    let demo = ecg_panorama::record::demo::demo_record();
    let &boundaries = cycles_from_labels(&demo.labels, demo.record.len())
        .first()
        .ok_or_else(|| anyhow::anyhow!("the demo record has no complete cycle"))?;
    let input = CycleInput::from_record(&demo.record, &INPUTS, boundaries)?;
    // A direction no input and no limb-lead relation fixes, so the engine itself renders it.
    let one = [Viewpoint::from_degrees(60.0, 30.0)];
    let grid = panorama_grid();
    let median_ms = |f: &mut dyn FnMut() -> anyhow::Result<()>| -> anyhow::Result<f64> {
        f()?;
        let mut times = Vec::with_capacity(repeat.max(1));
        for _ in 0..repeat.max(1) {
            let t = Instant::now();
            f()?;
            times.push(t.elapsed().as_secs_f64() * 1e3);
        }
        times.sort_by(f64::total_cmp);
        Ok(times[times.len() / 2])
    };
    let mut engines = serde_json::Map::new();
    let mut out = std::io::stdout();
    for kind in EngineKind::ALL {
        let engine = match engine_for(kind, model) {
            Ok(e) => e,
            Err(e) => {
                if !json {
                    writeln!(out, "{kind}: skipped ({e})")?;
                }
                engines.insert(
                    kind.to_string(),
                    serde_json::json!({ "skipped": e.to_string() }),
                );
                continue;
            }
        };
        let encode_ms = median_ms(&mut || {
            std::hint::black_box(engine.encode(&input)?);
            Ok(())
        })?;
        let field = engine.encode(&input)?;
        let render = |views: &[Viewpoint]| {
            median_ms(&mut || {
                std::hint::black_box(engine.render(&field, views)?);
                Ok(())
            })
        };
        let (render_one_ms, render_24_ms) = (render(&one)?, render(&grid)?);
        // The 80 % band of the same views, on top of rendering them (engines with a band).
        let band = |views: &[Viewpoint]| -> anyhow::Result<Option<f64>> {
            if engine.band(&field, views, DEFAULT_LEVEL)?.is_none() {
                return Ok(None);
            }
            median_ms(&mut || {
                std::hint::black_box(engine.band(&field, views, DEFAULT_LEVEL)?);
                Ok(())
            })
            .map(Some)
        };
        let (band_one_ms, band_24_ms) = (band(&one)?, band(&grid)?);
        if !json {
            writeln!(
                out,
                "{kind}: encode {encode_ms:.4} ms, render 1 view {render_one_ms:.4} ms, \
                 render {} views {render_24_ms:.4} ms{}",
                grid.len(),
                match (band_one_ms, band_24_ms) {
                    (Some(a), Some(b)) => format!(
                        "; 80 % band of 1 view {a:.4} ms ({:.2}× its rendering), of {} views \
                         {b:.4} ms ({:.2}×)",
                        a / render_one_ms,
                        grid.len(),
                        b / render_24_ms
                    ),
                    _ => "; no calibrated band".to_string(),
                }
            )?;
        }
        engines.insert(
            kind.to_string(),
            serde_json::json!({
                "encode_ms": encode_ms,
                "render_one_ms": render_one_ms,
                "render_24_ms": render_24_ms,
                "band_one_ms": band_one_ms,
                "band_24_ms": band_24_ms,
            }),
        );
    }
    if json {
        let report = serde_json::json!({
            "record": demo.record.name,
            "cycle_samples": input.samples(),
            "inputs": INPUTS,
            "repeat": repeat.max(1),
            "engines": engines,
        });
        writeln!(out, "{}", serde_json::to_string_pretty(&report)?)?;
    } else {
        writeln!(
            out,
            "(medians of {} runs; one {}-sample cycle of the demo record from {})",
            repeat.max(1),
            input.samples(),
            INPUTS.join(", ")
        )?;
    }
    Ok(())
}

/// `bench anomaly`: the map and the swap check of one record, timed.
fn bench_anomaly(record: &RecordArg, repeat: usize, json: bool) -> anyhow::Result<()> {
    use ecg_panorama::anomaly::anomaly_map;
    use ecg_panorama::anomaly::swaps::check_swaps;
    use ecg_panorama::panorama::{EngineKind, engine_for, find_record_cycles};
    let rec = record.load()?;
    let (_, cycles) = find_record_cycles(&rec, record.record.as_deref())?;
    anyhow::ensure!(!cycles.is_empty(), "no cycle found in the record");
    let engine = engine_for(EngineKind::NefNet, None)?;
    let median = |f: &mut dyn FnMut() -> anyhow::Result<()>| -> anyhow::Result<f64> {
        f()?;
        let mut t: Vec<f64> = Vec::new();
        for _ in 0..repeat.max(1) {
            let s = Instant::now();
            f()?;
            t.push(s.elapsed().as_secs_f64() * 1e3);
        }
        t.sort_by(f64::total_cmp);
        Ok(t[t.len() / 2])
    };
    let normal = ecg_panorama::anomaly::normal::NormalModel::load_default()?;
    // The map with the normal-shape restoration's scores, as the app computes it.
    let map_ms = median(&mut || {
        let mut map = anomaly_map(engine.as_ref(), &rec, &cycles)?;
        normal.attach_shapes(&mut map, &rec);
        std::hint::black_box(map);
        Ok(())
    })?;
    let few = ecg_panorama::anomaly::swaps::middle_cycles(&cycles);
    // The reading the shipped normal reference uses, as the app does.
    let reading = normal.swap_evidence;
    let swap_ms = median(&mut || {
        std::hint::black_box(check_swaps(engine.as_ref(), &rec, few, reading)?);
        Ok(())
    })?;
    if json {
        let r = serde_json::json!({
            "record": rec.name, "cycles": cycles.len(), "leads": rec.leads.len(),
            "map_ms": map_ms, "swap_check_ms": swap_ms, "swap_check_cycles": few.len(),
        });
        println!("{}", serde_json::to_string_pretty(&r)?);
    } else {
        println!(
            "{}: {} leads, {} cycles: anomaly map {map_ms:.1} ms; swap check on {} cycles {swap_ms:.1} ms (medians of {} runs)",
            rec.name,
            rec.leads.len(),
            cycles.len(),
            few.len(),
            repeat.max(1)
        );
    }
    Ok(())
}
