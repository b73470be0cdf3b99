//! `ecg-panorama anomaly`: one record's anomaly map, its score against normal records and a
//! suspected electrode swap.

use ecg_panorama::anomaly::assess::{Assessment, assess};
use ecg_panorama::anomaly::normal::NormalModel;
use ecg_panorama::panorama::{EngineKind, engine_for, find_record_cycles};
use ecg_panorama::record::open_record;
use std::path::PathBuf;

/// Arguments of `anomaly`.
#[derive(clap::Args)]
pub struct AnomalyArgs {
    /// Record path (WFDB without extension or with `.hea`, …).
    record: PathBuf,
    /// Print JSON (with the per-cycle, per-lead scores) instead of a table.
    #[arg(long)]
    json: bool,
    /// Also write the map as CSV: time in s, then one column per scored lead (its anomaly score
    /// at each sample; empty outside the scored cycles).
    #[arg(long, value_name = "FILE")]
    csv: Option<PathBuf>,
    /// Nef-Net weights (default: the shipped model).
    #[arg(long)]
    model: Option<PathBuf>,
}

/// Run `anomaly`.
pub fn run(args: &AnomalyArgs) -> anyhow::Result<()> {
    let record = open_record(&args.record)?;
    let (_, cycles) = find_record_cycles(&record, Some(&args.record))?;
    anyhow::ensure!(
        !cycles.is_empty(),
        "{}: no complete cycle found: no anomaly map",
        args.record.display()
    );
    let engine = engine_for(EngineKind::NefNet, args.model.as_deref())?;
    let normal = NormalModel::load_default()?;
    let Assessment {
        map,
        score,
        score_means,
        swap,
    } = assess(engine.as_ref(), &normal, &record, &cycles, &mut |_, _| {})?;
    if let Some(path) = &args.csv {
        let text = ecg_panorama::export::heat::map_csv(&map, record.fs);
        super::write_output(path, |w| w.write_all(text.as_bytes()))?;
    }
    let z = normal.lead_z(&map);
    let shape_z = normal.shape_z(&map);
    if args.json {
        let json = serde_json::json!({
            "record": record.name,
            "cycles": cycles.len(),
            "record_score": score,
            "lead_z": z,
            "shape_z": shape_z,
            "map": map,
            "suspected_swap": swap.map(|s| s.name()),
        });
        println!("{}", serde_json::to_string_pretty(&json)?);
        return Ok(());
    }
    println!(
        "{}: {} cycles; record score {score:.2} ({} against {} normal records)",
        record.name,
        cycles.len(),
        score_means,
        normal.records
    );
    println!(
        "{:<6} {:>8} {:>7} {:>9} {:>8}",
        "lead", "score", "z", "shape mV", "shape z"
    );
    let find = |v: &[(String, f64)], lead: &str| {
        v.iter()
            .find(|(l, _)| l == lead)
            .map_or(f64::NAN, |(_, x)| *x)
    };
    // A value that was not computed (no shape reference without the twelve leads) is "–".
    let cell = |x: f64, width: usize, digits: usize| {
        if x.is_finite() {
            format!("{x:>width$.digits$}")
        } else {
            format!("{:>width$}", "–")
        }
    };
    for (k, lead) in map.leads.iter().enumerate() {
        let shape = map.shape_score(lead).unwrap_or(f64::NAN);
        println!(
            "{lead:<6} {} {} {} {}",
            cell(map.lead_scores[k], 8, 2),
            cell(find(&z, lead), 7, 2),
            cell(shape, 9, 3),
            cell(find(&shape_z, lead), 8, 2)
        );
    }
    for (lead, why) in &map.unscored {
        println!("{lead:<6} not scored ({})", why.reason());
    }
    match swap {
        Some(s) => println!("warning: suspected electrode swap: {}", s.name()),
        None => println!("no electrode swap suspected"),
    }
    Ok(())
}
