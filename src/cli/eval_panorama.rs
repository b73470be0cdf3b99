//! `ecg-panorama eval-panorama`: Nef-Net and the baselines on the cycles of one or more 12-lead
//! databases, one table each.

use anyhow::Context;
use ecg_panorama::eval::ludb::select_records;
use ecg_panorama::eval::panorama::{
    DipoleLeastSquares, EngineMethod, FolderCycles, LinearRegression, Margin, Method, NEAR,
    RIDGE_PENALTY, Scope, Skipped, SourceCounts, Table, band_coverage, best_baseline_margins,
    evaluate, folder_cycles, render_band_table, render_margins, standard_tasks,
};
use ecg_panorama::panorama::{EngineKind, engine_for};
use ecg_panorama::record::split::Split;
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;
use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Where `--ludb` points when it is not given.
const DEFAULT_LUDB: &str = "../shared/data/ludb/data";

/// Arguments of `eval-panorama`.
#[derive(clap::Args)]
pub struct EvalPanoramaArgs {
    /// A database folder of 12-lead records (`NAME.hea` …; another rate than 500 Hz is
    /// resampled to it); repeat for several databases, one table each. A record's cycles come from its lead II wave file (`NAME.ii`,
    /// LUDB's layout), else its JSON cycle labels (`NAME.json`), else the built-in annotator.
    #[arg(long, required = true, value_name = "DIR")]
    records: Vec<PathBuf>,
    /// Split file of the `--records` folder in the same position (`train NAME` / `test NAME`
    /// lines): the in-domain ridge is fitted on its train records and every method is scored on
    /// its test records. Give it once per `--records`, in the same order, or not at all;
    /// without it all records of a folder serve as both (not held out).
    #[arg(long, value_name = "FILE")]
    split: Vec<PathBuf>,
    /// LUDB folder whose train records (`--ludb-split`) fit the `ridge (LUDB)` baseline
    /// [default: ../shared/data/ludb/data; without it that row is left out].
    #[arg(long, value_name = "DIR")]
    ludb: Option<PathBuf>,
    /// Split file of `--ludb`: its train records fit `ridge (LUDB)`.
    #[arg(long, value_name = "FILE", default_value = "models/ludb-split.txt")]
    ludb_split: PathBuf,
    /// Print JSON instead of tables: an array with one report per database.
    #[arg(long)]
    json: bool,
    /// Nef-Net weights for the seen-view tasks (default: the shipped model built into the
    /// program, `models/nefnet.safetensors`).
    #[arg(long)]
    model: Option<PathBuf>,
    /// Check the confidence band instead of scoring the methods: per input set, the share of
    /// each recorded non-input lead inside the 50 %, 80 % and 95 % bands, and their widths.
    #[arg(long)]
    band: bool,
    /// Nef-Net weights trained without V4 and I, for the unseen-view task.
    #[arg(long, default_value = "models/nefnet-holdout-v4-i.safetensors")]
    holdout_model: PathBuf,
}

/// One database to score: its folder, the records that fit and the records that are scored.
struct Database {
    dir: PathBuf,
    split: Option<PathBuf>,
    train: Vec<String>,
    test: Vec<String>,
}

impl Database {
    /// The folder's records as the split divides them, every name checked against the folder
    /// before anything is loaded; `option` names the folder's option in errors.
    fn plan(dir: &Path, split: Option<&Path>, option: &str) -> anyhow::Result<Self> {
        anyhow::ensure!(dir.is_dir(), "{option} {}: no such folder", dir.display());
        let (train, test) = match split {
            Some(path) => {
                // Checks that every test record is in the folder.
                let test = select_records(dir, Some(path))?;
                let train = Split::read(path)?.train;
                let missing: Vec<&str> = train
                    .iter()
                    .filter(|n| !dir.join(format!("{n}.hea")).is_file())
                    .map(String::as_str)
                    .collect();
                anyhow::ensure!(
                    missing.is_empty(),
                    "{}: {} train record(s) are not in {} (no header): {}",
                    path.display(),
                    missing.len(),
                    dir.display(),
                    missing.join(", ")
                );
                (train, test)
            }
            None => {
                let all = select_records(dir, None)?;
                anyhow::ensure!(
                    !all.is_empty(),
                    "{option} {}: no WFDB record (NAME.hea) in the folder",
                    dir.display()
                );
                (all.clone(), all)
            }
        };
        Ok(Self {
            dir: dir.to_path_buf(),
            split: split.map(Path::to_path_buf),
            train,
            test,
        })
    }

    fn held_out(&self) -> bool {
        self.split.is_some()
    }

    /// True when this database fits on exactly the records `other` fits on.
    fn fits_like(&self, other: &Database) -> bool {
        let names = |d: &Database| d.train.iter().cloned().collect::<BTreeSet<_>>();
        same_folder(&self.dir, &other.dir) && names(self) == names(other)
    }
}

/// True when both paths name the same existing folder.
fn same_folder(a: &Path, b: &Path) -> bool {
    matches!((a.canonicalize(), b.canonicalize()), (Ok(a), Ok(b)) if a == b)
}

/// The in-domain ridge's name.
const IN_DOMAIN: &str = "ridge (in-domain)";
/// The in-domain ridge's name when it is also the LUDB one.
const IN_DOMAIN_LUDB: &str = "ridge (in-domain = LUDB)";
/// The ridge fitted on LUDB's train records.
const LUDB_RIDGE: &str = "ridge (LUDB)";

/// A regression baseline's fit, as reported.
#[derive(Clone, Serialize)]
struct Fit {
    /// The method's name in the table.
    method: String,
    /// The folder whose train records it was fitted on.
    database: PathBuf,
    /// Records contributing at least one training cycle.
    records: usize,
    /// Training cycles.
    cycles: usize,
    /// Ridge penalty relative to the mean diagonal of the input moments.
    penalty: f64,
    /// Scored records among the ones it was fitted on (0 when held out).
    scored_records: usize,
    /// The records it was fitted on.
    #[serde(skip)]
    names: BTreeSet<String>,
}

impl Fit {
    /// This fit as seen from `db`: how many of the scored `cycles`' records it was fitted on.
    fn against(&self, db: &Database, cycles: &FolderCycles) -> Fit {
        let scored: BTreeSet<&String> = cycles.cycles.iter().map(|c| &c.record).collect();
        let overlap = if same_folder(&self.database, &db.dir) {
            scored.iter().filter(|n| self.names.contains(**n)).count()
        } else {
            0
        };
        Fit {
            scored_records: overlap,
            ..self.clone()
        }
    }
}

/// What `--json` prints for one database: where the cycles came from, the fits, then the table.
#[derive(Serialize)]
struct Report {
    /// The database folder.
    database: PathBuf,
    /// Its split file, when given.
    split: Option<PathBuf>,
    /// True when the scored records were not used for fitting.
    held_out: bool,
    /// Where the scored records' cycles came from.
    sources: SourceCounts,
    /// Records left out (train or scored), with the reason.
    skipped: Vec<Skipped>,
    /// Records the in-domain ridge was fitted on.
    train_records: usize,
    /// Cycles the in-domain ridge was fitted on.
    train_cycles: usize,
    /// The regression baselines' fits.
    fits: Vec<Fit>,
    #[serde(flatten)]
    table: Table,
    /// Each engine against the best other method of every task it is scored on.
    margins: Vec<Margin>,
}

/// Progress of a long load on stderr: a bar on a terminal, else a plain line every 100 records
/// and at the end.
struct Progress {
    bar: Option<ProgressBar>,
    label: String,
    total: usize,
}

impl Progress {
    fn new(label: String, total: usize) -> Self {
        let bar = std::io::IsTerminal::is_terminal(&std::io::stderr()).then(|| {
            let bar = ProgressBar::new(total as u64);
            bar.set_style(
                ProgressStyle::with_template("{elapsed_precise} [{bar:40}] {pos}/{len} {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> "),
            );
            bar.set_message(label.clone());
            bar
        });
        Self { bar, label, total }
    }

    fn tick(&mut self, done: usize) {
        match &self.bar {
            Some(bar) => {
                bar.set_position(done as u64);
                if done == self.total {
                    bar.finish_and_clear();
                }
            }
            None if done.is_multiple_of(100) || done == self.total => {
                eprintln!("{}: {done}/{} records", self.label, self.total);
            }
            None => {}
        }
    }
}

/// The cycles of `names` in `dir`, with progress and a note per skipped record.
fn load(dir: &Path, names: &[String], what: &str) -> anyhow::Result<FolderCycles> {
    let label = format!(
        "cycles of {} {what} record(s) of {}",
        names.len(),
        dir.display()
    );
    let mut progress = Progress::new(label, names.len());
    let found = folder_cycles(dir, names, &mut |done| progress.tick(done))
        .with_context(|| format!("{}: loading the {what} records", dir.display()))?;
    for s in &found.skipped {
        eprintln!(
            "note: {}: record {} skipped: {}",
            dir.display(),
            s.record,
            s.reason
        );
    }
    Ok(found)
}

/// A ridge baseline fitted on `cycles` under `name`, and its reported fit.
fn ridge(name: &str, dir: &Path, cycles: &FolderCycles) -> (LinearRegression, Fit) {
    let fit = Fit {
        method: name.to_string(),
        database: dir.to_path_buf(),
        records: cycles.records(),
        cycles: cycles.cycles.len(),
        penalty: RIDGE_PENALTY,
        scored_records: 0,
        names: cycles.cycles.iter().map(|c| c.record.clone()).collect(),
    };
    (
        LinearRegression::ridge(&cycles.cycles, RIDGE_PENALTY).named(name),
        fit,
    )
}

/// "lead II wave files (26 records), the automatic annotator (3 records)".
fn describe_sources(s: &SourceCounts) -> String {
    let parts: Vec<String> = [
        ("lead II wave files", s.wave_files),
        ("JSON cycle labels", s.labels),
        ("the automatic annotator", s.annotator),
    ]
    .into_iter()
    .filter(|(_, n)| *n > 0)
    .map(|(what, n)| format!("{what} ({n} record(s))"))
    .collect();
    if parts.is_empty() {
        "no record".to_string()
    } else {
        parts.join(", ")
    }
}

/// Run `eval-panorama`.
pub fn run(args: &EvalPanoramaArgs) -> anyhow::Result<()> {
    anyhow::ensure!(
        args.split.is_empty() || args.split.len() == args.records.len(),
        "--split is given {} time(s) for {} --records folder(s): give one split per folder, in \
         the same order, or none",
        args.split.len(),
        args.records.len()
    );
    // Every folder and split is checked before the long loads start.
    let databases = args
        .records
        .iter()
        .enumerate()
        .map(|(i, dir)| Database::plan(dir, args.split.get(i).map(PathBuf::as_path), "--records"))
        .collect::<anyhow::Result<Vec<_>>>()?;
    if databases.iter().any(|d| !d.held_out()) {
        eprintln!("warning: no --split: fitting and scoring on the same records (not held out)");
    }
    if args.band {
        return run_band(&databases, args);
    }
    let ludb = match &args.ludb {
        Some(dir) => Some(Database::plan(dir, Some(&args.ludb_split), "--ludb")?),
        None if Path::new(DEFAULT_LUDB).is_dir() => Some(Database::plan(
            Path::new(DEFAULT_LUDB),
            Some(&args.ludb_split),
            "--ludb",
        )?),
        None => {
            eprintln!("note: no LUDB at {DEFAULT_LUDB} (--ludb): no ridge (LUDB) row");
            None
        }
    };

    let nefnet = EngineMethod::new(
        "Nef-Net",
        engine_for(EngineKind::NefNet, args.model.as_deref())?,
        Scope::SeenViews,
    );
    let holdout = if args.holdout_model.is_file() {
        Some(EngineMethod::new(
            "Nef-Net (V4, I unseen)",
            engine_for(EngineKind::NefNet, Some(&args.holdout_model))?,
            Scope::UnseenViews(&["II", "V2", "V5"]),
        ))
    } else {
        eprintln!(
            "note: {} not found: no Nef-Net on the unseen-view task",
            args.holdout_model.display()
        );
        None
    };
    let engines = Engines {
        nefnet,
        holdout,
        dipole: DipoleLeastSquares,
    };
    // Fitted once, for the databases that are not LUDB with LUDB's own train records.
    let mut ludb_fit = None;
    let reports = databases
        .iter()
        .map(|db| score(db, ludb.as_ref(), &mut ludb_fit, &engines))
        .collect::<anyhow::Result<Vec<_>>>()?;

    let mut out = std::io::stdout().lock();
    if args.json {
        writeln!(out, "{}", serde_json::to_string_pretty(&reports)?)?;
        return Ok(());
    }
    writeln!(
        out,
        "honest mode: min-max of the recorded 12 leads applied to the prediction (mV), clipped to \
         [-0.5, 1.5]; paper: inputs normalised by that range before the method sees them; ridge: \
         penalty {RIDGE_PENALTY} of the mean diagonal of the input moments"
    )?;
    for r in &reports {
        write_report(&mut out, r)?;
    }
    Ok(())
}

/// `--band`: the band's coverage and widths on every database's scored records.
fn run_band(databases: &[Database], args: &EvalPanoramaArgs) -> anyhow::Result<()> {
    let engine = engine_for(EngineKind::NefNet, args.model.as_deref())?;
    let mut reports = Vec::new();
    for db in databases {
        let scored = load(&db.dir, &db.test, "test")?;
        let rows = band_coverage(engine.as_ref(), &scored.cycles, &standard_tasks())
            .with_context(|| format!("{}: checking the band", db.dir.display()))?;
        reports.push((db, scored.cycles.len(), scored.records(), rows));
    }
    let mut out = std::io::stdout().lock();
    if args.json {
        let json: Vec<_> = reports
            .iter()
            .map(|(db, cycles, records, rows)| {
                serde_json::json!({
                    "database": db.dir, "split": db.split, "held_out": db.held_out(),
                    "cycles": cycles, "records": records, "band": rows,
                })
            })
            .collect();
        writeln!(out, "{}", serde_json::to_string_pretty(&json)?)?;
        return Ok(());
    }
    writeln!(
        out,
        "confidence band of Nef-Net: share of every recorded non-input lead's samples inside the \
         band; widths are full widths (upper − lower), mean over samples; const.: a band of one \
         width with the same coverage; near/far: views within / beyond {NEAR} rad of an input"
    )?;
    for (db, cycles, records, rows) in &reports {
        writeln!(
            out,
            "\n== {}: {cycles} cycle(s) of {records} record(s), {}",
            db.dir.display(),
            if db.held_out() {
                "held out"
            } else {
                "NOT held out"
            }
        )?;
        write!(out, "{}", render_band_table(rows))?;
    }
    Ok(())
}

/// The methods every database is scored with besides its regressions.
struct Engines {
    nefnet: EngineMethod,
    holdout: Option<EngineMethod>,
    dipole: DipoleLeastSquares,
}

/// Load a database's cycles, fit its ridge (and LUDB's, once, into `ludb_fit`), score every
/// method on its scored cycles.
fn score(
    db: &Database,
    ludb: Option<&Database>,
    ludb_fit: &mut Option<(LinearRegression, Fit)>,
    engines: &Engines,
) -> anyhow::Result<Report> {
    let (fit_on, scored) = if db.held_out() {
        (
            load(&db.dir, &db.train, "train")?,
            load(&db.dir, &db.test, "test")?,
        )
    } else {
        let all = load(&db.dir, &db.test, "scored")?;
        (all.clone(), all)
    };
    let skipped: Vec<Skipped> = if db.held_out() {
        fit_on
            .skipped
            .iter()
            .chain(&scored.skipped)
            .cloned()
            .collect()
    } else {
        scored.skipped.clone()
    };
    anyhow::ensure!(
        !scored.cycles.is_empty(),
        "{}: no complete P-QRS-T-P cycle of 100 to 512 samples in the {} scored record(s) \
         ({} skipped: see the notes above)",
        db.dir.display(),
        db.test.len(),
        scored.skipped.len()
    );
    if fit_on.cycles.is_empty() {
        eprintln!(
            "warning: {}: no training cycle: the in-domain ridge has no scores",
            db.dir.display()
        );
    }
    let is_ludb = ludb.is_some_and(|l| db.fits_like(l));
    let name = if is_ludb { IN_DOMAIN_LUDB } else { IN_DOMAIN };
    let (in_domain, in_domain_fit) = ridge(name, &db.dir, &fit_on);
    if ludb_fit.is_none() {
        if is_ludb {
            // The same fit serves the other databases' LUDB row.
            *ludb_fit = Some((
                in_domain.clone().named(LUDB_RIDGE),
                Fit {
                    method: LUDB_RIDGE.to_string(),
                    ..in_domain_fit.clone()
                },
            ));
        } else if let Some(l) = ludb {
            let cycles = load(&l.dir, &l.train, "LUDB train")?;
            *ludb_fit = Some(ridge(LUDB_RIDGE, &l.dir, &cycles));
        }
    }
    let mut methods: Vec<&dyn Method> = vec![&engines.nefnet];
    if let Some(h) = &engines.holdout {
        methods.push(h);
    }
    methods.push(&in_domain);
    let mut fits = vec![in_domain_fit.against(db, &scored)];
    if !is_ludb && let Some((method, fit)) = ludb_fit.as_ref() {
        methods.push(method);
        fits.push(fit.against(db, &scored));
    }
    methods.push(&engines.dipole);
    let table = evaluate(&standard_tasks(), &methods, &scored.cycles);
    let engine_names: Vec<String> = std::iter::once(&engines.nefnet)
        .chain(&engines.holdout)
        .map(|e| e.name())
        .collect();
    let engine_names: Vec<&str> = engine_names.iter().map(String::as_str).collect();
    let margins = best_baseline_margins(&table, &engine_names);
    Ok(Report {
        database: db.dir.clone(),
        split: db.split.clone(),
        held_out: db.held_out(),
        sources: scored.sources,
        skipped,
        train_records: fits[0].records,
        train_cycles: fits[0].cycles,
        fits,
        table,
        margins,
    })
}

/// One database's header lines and table.
fn write_report(out: &mut dyn Write, r: &Report) -> std::io::Result<()> {
    writeln!(out)?;
    writeln!(
        out,
        "== {}: {} cycle(s) of {} record(s) scored, {}",
        r.database.display(),
        r.table.cycles,
        r.table.records,
        match &r.split {
            Some(s) => format!("held out (test records of {})", s.display()),
            None => "NOT held out (no split: fitted on the scored records)".to_string(),
        }
    )?;
    writeln!(
        out,
        "cycles from {}; {} record(s) skipped",
        describe_sources(&r.sources),
        r.skipped.len()
    )?;
    for f in &r.fits {
        let whose = if f.database == r.database {
            "this folder".to_string()
        } else {
            f.database.display().to_string()
        };
        let overlap = if f.scored_records > 0 {
            format!(" ({} of them scored here: NOT held out)", f.scored_records)
        } else {
            String::new()
        };
        writeln!(
            out,
            "{}: fitted on {} cycle(s) of {} train record(s) of {whose}{overlap}",
            f.method, f.cycles, f.records
        )?;
    }
    if r.fits.iter().any(|f| f.method == IN_DOMAIN_LUDB) {
        writeln!(
            out,
            "(LUDB scored with its own train records: the LUDB ridge is the in-domain one, one row)"
        )?;
    }
    write!(out, "{}", r.table.render())?;
    if !r.margins.is_empty() {
        writeln!(out)?;
        write!(out, "{}", render_margins(&r.margins))?;
    }
    Ok(())
}
