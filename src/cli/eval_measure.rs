//! `ecg-panorama eval-measure`: measurements from the automatic boundaries against
//! cardiologists' (LUDB record medians and axis categories, QTDB beat QT).

use ecg_panorama::eval::measure::{
    Agreement, LudbMeasureReport, MeasureEvalConfig, Part, QtdbQtReport, evaluate_ludb,
    evaluate_qtdb_qt,
};
use ecg_panorama::eval::measure_ref::ReferenceRule;
use ecg_panorama::eval::qtdb::holds_q1c;
use ecg_panorama::measure::{AxisCategory, AxisCategoryRule, AxisMethod, MeasureOptions};
use std::fmt::Write as _;
use std::io::Write;
use std::path::PathBuf;

/// Arguments of `eval-measure`.
#[derive(clap::Args)]
pub struct EvalMeasureArgs {
    /// Folder of LUDB-layout records (NAME.hea, NAME.dat, NAME.ii) or QTDB-layout ones
    /// (NAME.q1c; detected by the presence of a *.q1c file).
    #[arg(long)]
    records: PathBuf,
    /// Split file (`train NAME` / `test NAME`); every record with a reference when omitted.
    #[arg(long)]
    split: Option<PathBuf>,
    /// Which part of the split to evaluate: choices are made on `train`, figures reported on `test`.
    #[arg(long, value_enum, default_value_t = Part::Test)]
    part: Part,
    /// How the limb leads' QRS gives the frontal axis (net amplitude: chosen on the LUDB train
    /// records, 65 % category agreement against 60 % for the net area).
    #[arg(long, value_enum, default_value_t = AxisMethod::Amplitude)]
    axis_method: AxisMethod,
    /// How the axis's category is named: as a reader weighs R against S in leads III and I
    /// (chosen on the LUDB train records), or by the angle's ranges.
    #[arg(long, value_enum, default_value_t = AxisCategoryRule::Reading)]
    axis_category: AxisCategoryRule,
    /// LUDB reference per beat: the median of each boundary over the 12 leads' files (chosen
    /// on the train records: the annotator also pools the leads), lead II's file alone, or the
    /// earliest onset / latest offset over the leads.
    #[arg(long, value_enum, default_value_t = ReferenceRule::Median)]
    reference: ReferenceRule,
    /// Print JSON instead of tables.
    #[arg(long)]
    json: bool,
    /// QTDB only: score the QT of the beats in this folder's `NAME.q1c`-shaped files (another
    /// method's marks) instead of the built-in annotator's.
    #[arg(long)]
    predictions: Option<PathBuf>,
}

/// Run `eval-measure`.
pub fn run(args: &EvalMeasureArgs) -> anyhow::Result<()> {
    let config = MeasureEvalConfig {
        records: args.records.clone(),
        split: args.split.clone(),
        part: args.part,
        options: MeasureOptions {
            axis_method: args.axis_method,
            axis_category: args.axis_category,
        },
        reference: args.reference,
        predictions: args.predictions.clone(),
    };
    let qtdb = args.records.is_dir() && holds_q1c(&args.records)?;
    if args.predictions.is_some() && !qtdb {
        anyhow::bail!(
            "--predictions is for QTDB-layout folders (NAME.q1c); {} holds none",
            args.records.display()
        );
    }
    let text = if qtdb {
        let report = evaluate_qtdb_qt(&config)?;
        match args.json {
            true => serde_json::to_string_pretty(&report)? + "\n",
            false => qtdb_table(&report),
        }
    } else {
        let report = evaluate_ludb(&config)?;
        match args.json {
            true => serde_json::to_string_pretty(&report)? + "\n",
            false => ludb_tables(
                &report,
                args.axis_method,
                args.axis_category,
                args.reference,
            ),
        }
    };
    std::io::stdout().lock().write_all(text.as_bytes())?;
    Ok(())
}

fn ms(v: Option<f64>) -> String {
    v.map_or("-".into(), |x| format!("{x:.1}"))
}

fn agreement_row(out: &mut String, name: &str, a: &Agreement) {
    let _ = writeln!(
        out,
        "{name:<8} {:>5} {:>9} {:>8}",
        a.n,
        ms(a.mean_ms),
        ms(a.sd_ms)
    );
}

fn ludb_tables(
    r: &LudbMeasureReport,
    method: AxisMethod,
    rule: AxisCategoryRule,
    reference: ReferenceRule,
) -> String {
    let mut out = String::new();
    let reference = match reference {
        ReferenceRule::LeadIi => "lead II's file",
        ReferenceRule::Median => "per beat the median over the leads' files",
        ReferenceRule::Global => "per beat the earliest onset / latest offset over the leads",
    };
    let _ = writeln!(
        out,
        "{} record(s); record medians, automatic annotator − cardiologists' boundaries ({reference})",
        r.rows.len()
    );
    let _ = writeln!(out, "{:<8} {:>5} {:>9} {:>8}", "", "n", "mean ms", "SD ms");
    agreement_row(&mut out, "PR", &r.pr);
    agreement_row(&mut out, "QRS", &r.qrs);
    agreement_row(&mut out, "QT", &r.qt);
    let _ = writeln!(
        out,
        "\nAxis category ({}, limb leads; category {}): agreement {}%",
        method.as_str(),
        rule.describe(),
        r.axis_agreement_pct
            .map_or("-".into(), |p| format!("{p:.1}"))
    );
    let short = |c: AxisCategory| match c {
        AxisCategory::Normal => "normal",
        AxisCategory::Vertical => "vert",
        AxisCategory::Horizontal => "horiz",
        AxisCategory::LeftAxisDeviation => "LAD",
        AxisCategory::RightAxisDeviation => "RAD",
        AxisCategory::Extreme => "extreme",
    };
    let _ = write!(out, "{:<18}", "reference \\ auto");
    for c in AxisCategory::ALL {
        let _ = write!(out, "{:>8}", short(c));
    }
    out.push('\n');
    for (i, c) in AxisCategory::ALL.into_iter().enumerate() {
        let _ = write!(out, "{:<18}", short(c));
        for n in r.axis_confusion[i] {
            let _ = write!(out, "{n:>8}");
        }
        out.push('\n');
    }
    out
}

fn qtdb_table(r: &QtdbQtReport) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} record(s), {} q1c beats with a QT; QT of the matched automatic beat − q1c QT",
        r.records, r.reference_beats
    );
    let _ = writeln!(out, "{:<8} {:>5} {:>9} {:>8}", "", "n", "mean ms", "SD ms");
    agreement_row(&mut out, "QT", &r.qt);
    let _ = writeln!(
        out,
        "averaged over records (each record's own mean and SD; n counts records): the scatter within a record, without each record's offset"
    );
    agreement_row(&mut out, "QT", &r.qt_across_records);
    let _ = writeln!(out, "\nper record");
    for (name, a) in &r.per_record {
        agreement_row(&mut out, name, a);
    }
    out
}
