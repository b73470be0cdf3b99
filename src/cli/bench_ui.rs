//! `ecg-panorama bench ui`: the app's own work per frame (egui layout of every panel, plot
//! data and tessellation; not rasterisation) while the viewpoint moves, on the panorama view
//! with every lead and the synthesized strip on screen, or on the heart-vector view
//! (`--show heart-vector`). Runs headless: no window, no GPU.

use super::RecordArg;
use ecg_panorama::app::synth::Purpose;
use ecg_panorama::app::{App, View};
use ecg_panorama::geometry::Viewpoint;
use ecg_panorama::panorama::EngineKind;
use eframe::egui;
use std::io::Write;
use std::time::{Duration, Instant};

/// Arguments of `bench ui`.
#[derive(clap::Args)]
pub struct BenchUiArgs {
    #[command(flatten)]
    record: RecordArg,
    /// Number of timed frames (after warm-up).
    #[arg(long, default_value_t = 240)]
    frames: usize,
    /// Panorama engine: nefnet or dipole.
    #[arg(long, default_value = "nefnet", ignore_case = true)]
    engine: EngineKind,
    /// The view on screen: panorama (with the synthesized strip) or heart-vector (the loop).
    #[arg(long, value_enum, default_value = "panorama")]
    show: View,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
}

fn p95(v: &[f64]) -> f64 {
    v.get((v.len() * 95 / 100).min(v.len().saturating_sub(1)))
        .copied()
        .unwrap_or(f64::NAN)
}

/// Run `bench ui`.
pub fn run(args: &BenchUiArgs) -> anyhow::Result<()> {
    let ctx = egui::Context::default();
    // Recent files and recovery files of the run stay out of the user's data folder.
    let data = tempfile::tempdir()?;
    let mut app = App::with_data_dir(
        args.record.record.clone(),
        args.show,
        Some(ctx.clone()),
        data.path().to_path_buf(),
    );
    app.state.strip = true;
    app.state.engine = args.engine;
    let input = || egui::RawInput {
        screen_rect: Some(egui::Rect::from_min_size(
            egui::Pos2::ZERO,
            egui::vec2(1600.0, 1000.0),
        )),
        ..Default::default()
    };
    let frame = |app: &mut App| {
        let t = Instant::now();
        let mut out = ctx.run_ui(input(), |ui| app.show(ui));
        // No renderer takes the font atlas: drop its updates explicitly.
        out.textures_delta.clear();
        let layout = t.elapsed().as_secs_f64() * 1e3;
        let t = Instant::now();
        std::hint::black_box(ctx.tessellate(out.shapes, out.pixels_per_point));
        (layout, t.elapsed().as_secs_f64() * 1e3)
    };
    for _ in 0..4 {
        app.wait_idle();
        frame(&mut app);
    }
    app.wait_idle();
    if let Some(m) = app.state.messages.iter().find(|m| m.error) {
        anyhow::bail!("{}", m.text);
    }
    // The heart-vector view must be timed with its loop on screen, not an empty pane.
    let heart_loop = match (&args.show, &app.heart_vector().result) {
        (View::HeartVector, Some(Ok(c))) => Some(c.heart_loop.source.to_string()),
        (View::HeartVector, Some(Err(e))) => anyhow::bail!("no heart-vector loop: {e}"),
        (View::HeartVector, None) => anyhow::bail!("the heart-vector loop was not computed"),
        _ => None,
    };
    let record = app
        .state
        .record
        .clone()
        .ok_or_else(|| anyhow::anyhow!("no record loaded"))?;
    let (mut layout, mut tess, mut total, mut synth) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut last_output = 0;
    let mut strip_cycles = 0;
    let mut band = false;
    let frames = args.frames.max(1);
    for i in 0..frames {
        let start = Instant::now();
        // A drag around the sphere: azimuth sweeps, elevation swings.
        let a = i as f64 / frames as f64 * std::f64::consts::TAU;
        app.state.viewpoint = Viewpoint::new(
            std::f64::consts::FRAC_PI_2 + 0.6 * (3.0 * a).sin(),
            a - std::f64::consts::PI,
        );
        let (l, t) = frame(&mut app);
        layout.push(l);
        tess.push(t);
        total.push(l + t);
        if let Some(o) = app.output(Purpose::Panorama)
            && o.id != last_output
        {
            last_output = o.id;
            band |= o.band.is_some();
            synth.push(o.elapsed_ms);
            strip_cycles = strip_cycles.max(o.segments.len());
        }
        // Frames come at 60 Hz, as on screen: the worker renders between them.
        std::thread::sleep(Duration::from_secs_f64(1.0 / 60.0).saturating_sub(start.elapsed()));
    }
    let sorted_total = {
        let mut t = total.clone();
        t.sort_by(f64::total_cmp);
        t
    };
    let synth_n = synth.len();
    let report = serde_json::json!({
        "record": record.name,
        "leads": record.leads.len(),
        "engine": args.engine.as_str(),
        "view": format!("{:?}", args.show),
        "heart_loop": heart_loop,
        "frames": frames,
        "strip_cycles": strip_cycles,
        "median_frame_ms": median(&mut total),
        "p95_frame_ms": p95(&sorted_total),
        "median_layout_ms": median(&mut layout),
        "median_tessellate_ms": median(&mut tess),
        "syntheses": synth_n,
        "band": band,
        "median_synthesis_ms": median(&mut synth),
        "goal_ms": 16.0,
    });
    let mut out = std::io::stdout();
    if args.json {
        writeln!(out, "{}", serde_json::to_string_pretty(&report)?)?;
    } else {
        let synthesis = if synth_n == 0 {
            "no synthesis in this view".to_string()
        } else {
            format!(
                "synthesis off the UI thread {:.2} ms per viewpoint ({synth_n} renders{})",
                report["median_synthesis_ms"].as_f64().unwrap_or(f64::NAN),
                if band { ", with the 80 % band" } else { "" }
            )
        };
        writeln!(
            out,
            "{}: {} leads, {:?} view, {} engine, strip of {} cycles: median frame {:.2} ms (layout {:.2} + tessellation {:.2}), p95 {:.2} ms over {} frames; {synthesis}",
            report["record"].as_str().unwrap_or(""),
            record.leads.len(),
            args.show,
            args.engine,
            strip_cycles,
            report["median_frame_ms"].as_f64().unwrap_or(f64::NAN),
            report["median_layout_ms"].as_f64().unwrap_or(f64::NAN),
            report["median_tessellate_ms"].as_f64().unwrap_or(f64::NAN),
            report["p95_frame_ms"].as_f64().unwrap_or(f64::NAN),
            frames,
        )?;
    }
    Ok(())
}
