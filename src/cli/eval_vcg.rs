//! `ecg-panorama eval-vcg`: the heart-vector loop computed from the 12 standard leads (Kors's
//! regression, or the dipole fit without I, II, V1–V6) against the one the recorded Frank leads
//! give, cycle by cycle, summarised by medians over the cycles.

use anyhow::Context;
use ecg_panorama::geometry::STANDARD_12;
use ecg_panorama::panorama::{CycleInput, CycleRule, find_record_cycles_with, parse_inputs};
use ecg_panorama::record::open_record;
use ecg_panorama::vcg::{HeartLoop, Measures, angle_deg};
use serde::Serialize;
use std::io::Write;
use std::path::PathBuf;

/// Arguments of `eval-vcg`.
#[derive(clap::Args)]
pub struct EvalVcgArgs {
    /// Record path (WFDB without extension or with `.hea`) holding the 12 standard leads and
    /// the Frank leads vx, vy, vz (as PTB's records do).
    record: PathBuf,
    /// Print JSON (the medians and every cycle's values) instead of a table.
    #[arg(long)]
    json: bool,
}

/// One measure of one loop, or of the two loops against each other.
#[derive(Serialize, Clone, Copy, Default)]
struct Row {
    standard: Option<f64>,
    frank: Option<f64>,
}

/// One cycle's values.
#[derive(Serialize)]
struct CycleRow {
    start: usize,
    /// Mean QRS vectors (x anterior, y left, z head; mV), standard then Frank.
    mean_qrs_mv: [Option<[f64; 3]>; 2],
    /// Mean T vectors, standard then Frank.
    mean_t_mv: [Option<[f64; 3]>; 2],
    qrs_vector_angle_deg: Option<f64>,
    t_vector_angle_deg: Option<f64>,
    qrs_axis_deg: Row,
    t_axis_deg: Row,
    qrs_t_angle_deg: Row,
    qrs_t_peak_angle_deg: Row,
    qrs_loop_area_mv2: Row,
    qrs_peak_mv: Row,
    t_peak_mv: Row,
}

/// What `--json` prints.
#[derive(Serialize)]
struct Report {
    record: String,
    standard_source: String,
    cycle_source: String,
    cycles: usize,
    skipped: Vec<String>,
    medians: MedianRows,
    per_cycle: Vec<CycleRow>,
}

/// The medians over cycles of every [`CycleRow`] value.
#[derive(Serialize)]
struct MedianRows {
    qrs_vector_angle_deg: Option<f64>,
    t_vector_angle_deg: Option<f64>,
    qrs_axis_deg: Row,
    t_axis_deg: Row,
    qrs_t_angle_deg: Row,
    qrs_t_peak_angle_deg: Row,
    qrs_loop_area_mv2: Row,
    qrs_peak_mv: Row,
    t_peak_mv: Row,
}

fn median(values: impl Iterator<Item = Option<f64>>) -> Option<f64> {
    let mut v: Vec<f64> = values.flatten().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    Some(if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    })
}

fn row(a: &Measures, b: &Measures, f: impl Fn(&Measures) -> Option<f64>) -> Row {
    Row {
        standard: f(a),
        frank: f(b),
    }
}

fn median_row(rows: &[CycleRow], f: impl Fn(&CycleRow) -> Row) -> Row {
    Row {
        standard: median(rows.iter().map(|r| f(r).standard)),
        frank: median(rows.iter().map(|r| f(r).frank)),
    }
}

/// Run `eval-vcg`.
pub fn run(args: &EvalVcgArgs) -> anyhow::Result<()> {
    let record = open_record(&args.record)?;
    let standard: Vec<&str> = STANDARD_12
        .iter()
        .copied()
        .filter(|n| record.lead(n).is_some())
        .collect();
    let frank = ["vx", "vy", "vz"];
    if let Some(missing) = frank.iter().find(|n| record.lead(n).is_none()) {
        anyhow::bail!(
            "{} has no Frank lead {missing} to compare with; its leads: {}",
            record.name,
            record.lead_list()
        );
    }
    anyhow::ensure!(
        !standard.is_empty(),
        "{} has none of the 12 standard leads",
        record.name
    );
    // Cycles from the standard leads alone: the recorded loop must not shape them.
    let only_standard = parse_inputs(&record, &standard).context("the standard leads")?;
    let (cycle_source, cycles) =
        find_record_cycles_with(&only_standard, Some(&args.record), CycleRule::Complete)?;
    let (mut rows, mut skipped, mut source) = (Vec::new(), Vec::new(), None);
    for b in &cycles {
        let loops = CycleInput::from_record(&record, &standard, *b)
            .and_then(|c| HeartLoop::from_cycle(&c))
            .and_then(|s| {
                let f = HeartLoop::from_frank(&CycleInput::from_record(&record, &frank, *b)?)?;
                Ok((s, f))
            });
        let (s, f) = match loops {
            Ok(l) => l,
            Err(e) => {
                skipped.push(format!("cycle at sample {}: {e}", b.start()));
                continue;
            }
        };
        source.get_or_insert_with(|| s.source.to_string());
        let (ms, mf) = (s.measures(), f.measures());
        rows.push(CycleRow {
            start: b.start(),
            mean_qrs_mv: [ms.mean_qrs, mf.mean_qrs].map(|v| v.map(|v| v.to_array())),
            mean_t_mv: [ms.mean_t, mf.mean_t].map(|v| v.map(|v| v.to_array())),
            qrs_vector_angle_deg: angle_deg(ms.mean_qrs, mf.mean_qrs),
            t_vector_angle_deg: angle_deg(ms.mean_t, mf.mean_t),
            qrs_axis_deg: row(&ms, &mf, |m| m.qrs_axis_deg),
            t_axis_deg: row(&ms, &mf, |m| m.t_axis_deg),
            qrs_t_angle_deg: row(&ms, &mf, |m| m.qrs_t_angle_deg),
            qrs_t_peak_angle_deg: row(&ms, &mf, |m| m.qrs_t_peak_angle_deg),
            qrs_loop_area_mv2: row(&ms, &mf, |m| m.qrs_loop_area),
            qrs_peak_mv: row(&ms, &mf, |m| m.qrs_peak_mv),
            t_peak_mv: row(&ms, &mf, |m| m.t_peak_mv),
        });
    }
    anyhow::ensure!(
        !rows.is_empty(),
        "{}: no cycle gave both loops ({} cycle(s) found by {cycle_source}){}",
        record.name,
        cycles.len(),
        skipped
            .first()
            .map(|s| format!("; {s}"))
            .unwrap_or_default()
    );
    let medians = MedianRows {
        qrs_vector_angle_deg: median(rows.iter().map(|r| r.qrs_vector_angle_deg)),
        t_vector_angle_deg: median(rows.iter().map(|r| r.t_vector_angle_deg)),
        qrs_axis_deg: median_row(&rows, |r| r.qrs_axis_deg),
        t_axis_deg: median_row(&rows, |r| r.t_axis_deg),
        qrs_t_angle_deg: median_row(&rows, |r| r.qrs_t_angle_deg),
        qrs_t_peak_angle_deg: median_row(&rows, |r| r.qrs_t_peak_angle_deg),
        qrs_loop_area_mv2: median_row(&rows, |r| r.qrs_loop_area_mv2),
        qrs_peak_mv: median_row(&rows, |r| r.qrs_peak_mv),
        t_peak_mv: median_row(&rows, |r| r.t_peak_mv),
    };
    let report = Report {
        record: record.name.clone(),
        standard_source: source.unwrap_or_default(),
        cycle_source: cycle_source.to_string(),
        cycles: rows.len(),
        skipped,
        medians,
        per_cycle: rows,
    };
    let mut out = std::io::stdout().lock();
    if args.json {
        writeln!(out, "{}", serde_json::to_string_pretty(&report)?)?;
    } else {
        print_table(&mut out, &report)?;
    }
    Ok(())
}

fn print_table(out: &mut dyn Write, r: &Report) -> std::io::Result<()> {
    let f = |v: Option<f64>, digits: usize| match v {
        Some(x) => format!("{x:.digits$}"),
        None => "—".to_string(),
    };
    writeln!(
        out,
        "{}: heart-vector loop of the standard leads ({}) against the recorded Frank leads; medians over {} cycle(s) from {}",
        r.record, r.standard_source, r.cycles, r.cycle_source
    )?;
    let m = &r.medians;
    writeln!(
        out,
        "{:<42}  {:>9}",
        "3-D angle between the mean QRS vectors (°)",
        f(m.qrs_vector_angle_deg, 1)
    )?;
    writeln!(
        out,
        "{:<42}  {:>9}",
        "3-D angle between the mean T vectors (°)",
        f(m.t_vector_angle_deg, 1)
    )?;
    writeln!(out, "{:<42}  {:>9}  {:>9}", "measure", "standard", "Frank")?;
    for (label, row, digits) in [
        ("frontal QRS axis (°)", m.qrs_axis_deg, 1),
        ("frontal T axis (°)", m.t_axis_deg, 1),
        (
            "spatial QRS–T angle, mean vectors (°)",
            m.qrs_t_angle_deg,
            1,
        ),
        (
            "spatial QRS–T angle, peak vectors (°)",
            m.qrs_t_peak_angle_deg,
            1,
        ),
        (
            "QRS loop area, best-fit plane (mV²)",
            m.qrs_loop_area_mv2,
            3,
        ),
        ("peak QRS vector (mV)", m.qrs_peak_mv, 3),
        ("peak T vector (mV)", m.t_peak_mv, 3),
    ] {
        writeln!(
            out,
            "{label:<42}  {:>9}  {:>9}",
            f(row.standard, digits),
            f(row.frank, digits)
        )?;
    }
    for s in &r.skipped {
        writeln!(out, "skipped {s}")?;
    }
    Ok(())
}
