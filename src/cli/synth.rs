//! `ecg-panorama synth`: a record's cycles seen from other viewpoints, written as CSV.

use anyhow::Context;
use ecg_panorama::geometry::Viewpoint;
use ecg_panorama::panorama::{
    EngineKind, Synthesis, ViewSpec, check_level, engine_for, find_record_cycles, parse_inputs,
    synthesize,
};
use ecg_panorama::record::open_record;
use std::io::Write;
use std::path::PathBuf;

/// Arguments of `synth`.
#[derive(clap::Args)]
pub struct SynthArgs {
    /// Record path: WFDB without extension or with `.hea`, a Tianchi `.npy`, or a CSV file.
    record: PathBuf,
    /// Input leads, comma-separated (e.g. II,V2,V5): the only leads of the record that are read.
    #[arg(long, value_delimiter = ',', required = true)]
    inputs: Vec<String>,
    /// A view to synthesize (repeat for more): a lead name for its standard viewpoint, or θ,φ
    /// in degrees (θ from the head axis in [0, 180], φ from anterior toward the left).
    #[arg(long = "view", required = true, allow_hyphen_values = true)]
    views: Vec<String>,
    /// Nef-Net weights (safetensors); the dipole engine has none.
    #[arg(long)]
    model: Option<PathBuf>,
    /// Synthesis engine: nefnet or dipole.
    #[arg(long, default_value = "nefnet", ignore_case = true)]
    engine: EngineKind,
    /// Synthesize only this cycle (0-based, in time order).
    #[arg(long)]
    cycle: Option<usize>,
    /// Add each view's central confidence band at this level (e.g. 0.8 for 80 %): columns
    /// LABEL_lower and LABEL_upper after LABEL.
    #[arg(long, value_name = "LEVEL")]
    band: Option<f64>,
    /// Output CSV file ("-" for standard output).
    #[arg(long)]
    out: PathBuf,
}

/// Run `synth`.
pub fn run(args: &SynthArgs) -> anyhow::Result<()> {
    // Arguments first, so a typo fails before any file is read.
    let views = args
        .views
        .iter()
        .map(|v| ViewSpec::parse(v).context("--view"))
        .collect::<anyhow::Result<Vec<_>>>()?;
    if let Some(level) = args.band {
        check_level(level).context("--band")?;
    }
    let engine = engine_for(args.engine, args.model.as_deref())?;
    if args.engine == EngineKind::Dipole && args.model.is_some() {
        eprintln!("warning: --model is ignored by the dipole engine");
    }
    let record = open_record(&args.record)?;
    // From here on only the input leads exist: cycles, annotator and engine never see the rest.
    let record = parse_inputs(&record, &args.inputs).context("--inputs")?;
    let names: Vec<&str> = record.leads.iter().map(|l| l.name.as_str()).collect();
    let (source, mut cycles) = find_record_cycles(&record, Some(&args.record))?;
    if cycles.is_empty() {
        anyhow::bail!(
            "{}: no complete cycle found (looked for a lead II wave file and JSON cycle labels \
             beside it, then ran the annotator on {})",
            args.record.display(),
            names.join(", ")
        );
    }
    if let Some(n) = args.cycle {
        let count = cycles.len();
        let one = *cycles.get(n).with_context(|| {
            format!(
                "--cycle {n}: the record has {count} cycles (0 to {})",
                count - 1
            )
        })?;
        cycles = vec![one];
    }
    let viewpoints: Vec<Viewpoint> = views.iter().map(|v| v.viewpoint).collect();
    let synthesis = synthesize(
        engine.as_ref(),
        &record,
        &names,
        &cycles,
        &viewpoints,
        args.band,
    )?;
    for (start, why) in &synthesis.skipped {
        eprintln!("warning: cycle at sample {start} skipped: {why}");
    }
    let labels: Vec<&str> = views.iter().map(|v| v.label.as_str()).collect();
    super::write_output(&args.out, |w| write_csv(&synthesis, record.fs, &labels, w))?;
    eprintln!(
        "{}: {} cycle{} from {} ({} engine, inputs {}), {} view{}",
        record.name,
        synthesis.cycles,
        if synthesis.cycles == 1 { "" } else { "s" },
        source,
        engine.name(),
        names.join(", "),
        labels.len(),
        if labels.len() == 1 { "" } else { "s" },
    );
    Ok(())
}

/// Header `time_s,LABEL…` (with `LABEL_lower,LABEL_upper` after each label when the synthesis
/// has bands), then one row per record sample: time in s and each view in mV, empty outside
/// every synthesized cycle.
fn write_csv(
    synthesis: &Synthesis,
    fs: f64,
    labels: &[&str],
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let mut w = std::io::BufWriter::with_capacity(1 << 16, out);
    write!(w, "time_s")?;
    for label in labels {
        write!(w, ",{label}")?;
        if synthesis.bands.is_some() {
            write!(w, ",{label}_lower,{label}_upper")?;
        }
    }
    writeln!(w)?;
    let cell = |w: &mut dyn Write, v: f64| {
        if v.is_finite() {
            write!(w, ",{v}")
        } else {
            w.write_all(b",")
        }
    };
    let len = synthesis.views.first().map_or(0, Vec::len);
    for i in 0..len {
        write!(w, "{}", i as f64 / fs)?;
        for (k, view) in synthesis.views.iter().enumerate() {
            let v = view[i];
            cell(&mut w, v)?;
            if let Some(bands) = &synthesis.bands {
                let h = bands[k][i];
                cell(&mut w, v - h)?;
                cell(&mut w, v + h)?;
            }
        }
        w.write_all(b"\n")?;
    }
    w.flush()
}
