//! `ecg-panorama measure`: a record's intervals, axis and ST levels, per cycle and summarised.

use anyhow::Context;
use ecg_panorama::measure::{
    AxisCategoryRule, AxisMethod, CycleMeasures, MeasureOptions, RecordMeasures, Stats,
    lead_beats_beside, measure_record, record_beats, record_beats_in,
};
use ecg_panorama::record::open_record;
use std::path::PathBuf;

/// Arguments of `measure`.
#[derive(clap::Args)]
pub struct MeasureArgs {
    /// Record path: WFDB without extension or with `.hea`, a Tianchi `.npy`, or a CSV file.
    record: PathBuf,
    /// Print JSON (every cycle, the summary and where the boundaries came from) instead of CSV.
    #[arg(long)]
    json: bool,
    /// Write to this file instead of standard output (written whole or not at all).
    #[arg(long, value_name = "FILE", default_value = "-")]
    out: PathBuf,
    /// Read the boundaries from this annotation file (a WFDB file with wave marks, such as
    /// QTDB's `NAME.q1c`, or JSON labels) instead of the lead files or JSON labels beside the
    /// record (else the automatic annotator).
    #[arg(long, value_name = "FILE")]
    annotations: Option<PathBuf>,
    /// How the limb leads' QRS gives the frontal axis.
    #[arg(long, value_enum, default_value_t = AxisMethod::Amplitude)]
    axis_method: AxisMethod,
    /// How the axis's category is named: as a reader weighs R against S in leads III and I,
    /// or by the angle's ranges.
    #[arg(long, value_enum, default_value_t = AxisCategoryRule::Reading)]
    axis_category: AxisCategoryRule,
}

#[derive(serde::Serialize)]
struct JsonOut<'a> {
    record: &'a str,
    boundaries: String,
    #[serde(flatten)]
    measures: &'a RecordMeasures,
}

/// Run `measure`.
pub fn run(args: &MeasureArgs) -> anyhow::Result<()> {
    let record = open_record(&args.record)?;
    let (source, beats) = match &args.annotations {
        Some(file) => record_beats_in(&record, file)
            .with_context(|| format!("reading the boundaries in {}", file.display()))?,
        None => record_beats(&record, Some(&args.record))
            .with_context(|| format!("finding the cycles of {}", args.record.display()))?,
    };
    if beats.is_empty() {
        anyhow::bail!(
            "{}: no cycle found to measure (boundaries from {source})",
            args.record.display()
        );
    }
    let leads = lead_beats_beside(&record, &args.record);
    let options = MeasureOptions {
        axis_method: args.axis_method,
        axis_category: args.axis_category,
    };
    let m = measure_record(&record, &beats, &leads, options);
    let text = if args.json {
        let out = JsonOut {
            record: &record.name,
            boundaries: source.to_string(),
            measures: &m,
        };
        serde_json::to_string_pretty(&out)? + "\n"
    } else {
        csv_text(&m)
    };
    super::write_output(&args.out, |w| w.write_all(text.as_bytes()))
}

/// Columns before the per-lead ST levels.
const COLUMNS: [&str; 13] = [
    "cycle",
    "qrs_on_s",
    "rr_ms",
    "hr_bpm",
    "p_ms",
    "pr_ms",
    "qrs_ms",
    "qt_ms",
    "qtc_bazett_ms",
    "qtc_fridericia_ms",
    "axis_deg",
    "axis_category",
    "rhythm",
];

fn num(v: Option<f64>, decimals: usize) -> String {
    v.map_or(String::new(), |x| format!("{x:.decimals$}"))
}

/// One row per cycle, then `median`, `min` and `max` rows; empty cells for what was not
/// measured. The median row's axis is the record's (solved from each limb lead's median net
/// QRS).
pub fn csv_text(m: &RecordMeasures) -> String {
    let mut header: Vec<String> = COLUMNS.iter().map(|c| c.to_string()).collect();
    header.extend(m.summary.st.iter().map(|s| format!("st_{}_mv", s.lead)));
    let mut rows = vec![header.join(",")];
    for (i, c) in m.cycles.iter().enumerate() {
        let mut row = vec![(i + 1).to_string(), format!("{:.3}", c.time_s)];
        row.extend(intervals(c).map(|v| num(v, 1)));
        row.push(num(c.axis.as_ref().map(|a| a.degrees), 0));
        row.push(c.axis.as_ref().map_or("", |a| a.category.label()).into());
        row.push(c.rhythm.map_or("", |r| r.as_str()).into());
        row.extend(c.st.iter().map(|s| num(s.mv, 3)));
        rows.push(row.join(","));
    }
    let s = &m.summary;
    let stats = [
        s.rr_ms,
        s.hr_bpm,
        s.p_ms,
        s.pr_ms,
        s.qrs_ms,
        s.qt_ms,
        s.qtc_bazett_ms,
        s.qtc_fridericia_ms,
    ];
    let pick: [(&str, Pick); 3] = [
        ("median", |s| s.median),
        ("min", |s| s.min),
        ("max", |s| s.max),
    ];
    for (name, f) in pick {
        let mut row = vec![name.to_string(), String::new()];
        row.extend(stats.iter().map(|x| num(x.as_ref().map(f), 1)));
        if name == "median" {
            row.push(num(s.axis.as_ref().map(|a| a.degrees), 0));
            row.push(s.axis.as_ref().map_or("", |a| a.category.label()).into());
        } else {
            row.push(num(s.axis_deg.as_ref().map(f), 0));
            row.push(String::new());
        }
        row.push(String::new());
        row.extend(s.st.iter().map(|l| num(l.mv.as_ref().map(f), 3)));
        rows.push(row.join(","));
    }
    rows.join("\n") + "\n"
}

/// Which figure of a [`Stats`] a summary row shows.
type Pick = fn(&Stats) -> f64;

fn intervals(c: &CycleMeasures) -> [Option<f64>; 8] {
    [
        c.rr_ms,
        c.hr_bpm,
        c.p_ms,
        c.pr_ms,
        c.qrs_ms,
        c.qt_ms,
        c.qtc_bazett_ms,
        c.qtc_fridericia_ms,
    ]
}
