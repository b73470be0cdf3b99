//! The app object: its state, its background jobs and the synthesis worker, and how results
//! come back into the state.

use super::annotations::Annotations;
use super::export_dialog::ExportDialog;
use super::jobs::{Job, take_done};
use super::recent;
use super::save::{SaveDialog, Saved};
use super::state::{AppState, View};
use super::synth::{Output, Purpose, Request, SynthWorker};
use super::vcg_view::HeartVectorPane;
use crate::delineate::CycleBounds;
use crate::geometry::Viewpoint;
use crate::panorama::{Engine, EngineKind, engine_for};
use crate::record::labels::CycleLabels;
use crate::record::{Record, demo::demo_record, open_record};
use eframe::egui;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A loaded record, its path, and the labels that came with it (the demo's true boundaries).
type Loaded = (Record, Option<PathBuf>, Option<CycleLabels>);

/// What a synthesis request depends on: a new request goes out only when this changes.
#[derive(Clone, PartialEq)]
struct RequestKey {
    record_id: u64,
    cycles: Vec<CycleBounds>,
    inputs: Vec<String>,
    engine: EngineKind,
    views: Vec<Viewpoint>,
    band: Option<u32>,
}

/// The desktop app.
pub struct App {
    /// What is shown and edited.
    pub state: AppState,
    pub(super) ctx: Option<egui::Context>,
    pub(super) data_dir: PathBuf,
    pub(super) load: Option<Job<Loaded>>,
    pub(super) annotate: Option<Job<Annotations>>,
    pub(super) filter: Option<Job<(u64, Record)>>,
    pub(super) open_dialog: Option<Job<Option<PathBuf>>>,
    engine_jobs: HashMap<EngineKind, Job<Arc<dyn Engine>>>,
    engines: HashMap<EngineKind, Result<Arc<dyn Engine>, Arc<anyhow::Error>>>,
    pub(super) synth: SynthWorker,
    pub(super) heart_vector: HeartVectorPane,
    pub(super) anomaly: super::anomaly_pane::AnomalyPane,
    sent: HashMap<Purpose, RequestKey>,
    pub(super) export_job: Option<Job<String>>,
    pub(super) export_dialog: ExportDialog,
    pub(super) save_dialog: SaveDialog,
    pub(super) save_job: Option<Job<Saved>>,
    pub(super) autosave_job: Option<Job<()>>,
    pub(super) last_revision: Option<u64>,
    pub(super) last_edit: Instant,
    pub(super) allow_close: bool,
    pub(super) confirm_close: bool,
}

impl App {
    /// The app on `view`, opening `record` (the built-in demo when `None`); `ctx` is told to
    /// redraw when background work finishes.
    pub fn new(record: Option<PathBuf>, view: View, ctx: Option<egui::Context>) -> Self {
        Self::with_data_dir(record, view, ctx, recent::data_dir())
    }

    /// [`App::new`] keeping recent files, recovery files and exports in `data_dir`.
    pub fn with_data_dir(
        record: Option<PathBuf>,
        view: View,
        ctx: Option<egui::Context>,
        data_dir: PathBuf,
    ) -> Self {
        let mut state = AppState::new(view);
        state.recent = recent::load(&data_dir);
        let mut app = Self {
            state,
            synth: SynthWorker::start(ctx.clone()),
            ctx,
            data_dir,
            load: None,
            annotate: None,
            filter: None,
            open_dialog: None,
            engine_jobs: HashMap::new(),
            engines: HashMap::new(),
            heart_vector: HeartVectorPane::default(),
            anomaly: Default::default(),
            sent: HashMap::new(),
            export_job: None,
            export_dialog: ExportDialog::default(),
            save_dialog: SaveDialog::default(),
            save_job: None,
            autosave_job: None,
            last_revision: None,
            last_edit: Instant::now(),
            allow_close: false,
            confirm_close: false,
        };
        app.open(record);
        app
    }

    /// Open a record in the background (the demo for `None`); a failure is shown as a message.
    pub fn open(&mut self, path: Option<PathBuf>) {
        if let Some(p) = &path {
            self.state.path_field = p.display().to_string();
        }
        let label = match &path {
            Some(p) => format!("Opening {}", p.display()),
            None => "Opening the demo record".into(),
        };
        self.load = Some(Job::spawn(label, self.ctx.clone(), move |_| match path {
            Some(p) => {
                let record = open_record(&p)?;
                Ok((record, Some(p), None))
            }
            None => {
                let demo = demo_record();
                Ok((demo.record, None, Some(demo.labels)))
            }
        }));
    }

    /// Where recovery files are kept.
    pub fn recovery_dir(&self) -> PathBuf {
        self.data_dir.join("recovery")
    }

    /// True while any background work (or a synthesis request) is unfinished.
    pub fn busy(&self) -> bool {
        self.load.is_some()
            || self.annotate.is_some()
            || self.filter.is_some()
            || !self.engine_jobs.is_empty()
            || self.export_job.is_some()
            || self.autosave_pending()
            || self.save_job.is_some()
            || self.synth.busy(Purpose::Panorama)
            || self.synth.busy(Purpose::Grid)
            || self.heart_vector.busy()
            || self.anomaly.busy()
    }

    /// Block until background work is done (tests and benchmarks; never called by the UI).
    pub fn wait_idle(&mut self) {
        let start = std::time::Instant::now();
        while self.busy() && start.elapsed() < Duration::from_secs(600) {
            self.poll();
            std::thread::sleep(Duration::from_millis(2));
        }
        self.poll();
    }

    /// The newest synthesis result for a pane.
    pub fn output(&self, purpose: Purpose) -> Option<&Output> {
        self.synth.latest.get(&purpose)
    }

    /// The engine of `kind`: loaded, failed (why), or `None` while loading (a load starts).
    pub(super) fn engine(
        &mut self,
        kind: EngineKind,
    ) -> Option<Result<Arc<dyn Engine>, Arc<anyhow::Error>>> {
        if let Some(e) = self.engines.get(&kind) {
            return Some(e.clone());
        }
        if !self.engine_jobs.contains_key(&kind) {
            let label = format!("Loading the {kind} engine");
            let job = Job::spawn(label, self.ctx.clone(), move |p| {
                p.report(0.1, "reading the weights");
                Ok(Arc::from(engine_for(kind, None)?))
            });
            self.engine_jobs.insert(kind, job);
        }
        None
    }

    /// Take in finished background work.
    pub fn poll(&mut self) {
        if let Some(r) = take_done(&mut self.load) {
            match r {
                Ok((record, path, labels)) => self.loaded(record, path, labels),
                Err(e) => self.state.error(format!("Cannot open the record: {e:#}")),
            }
        }
        if let Some(r) = take_done(&mut self.annotate) {
            match r {
                Ok(mut a) => {
                    for w in std::mem::take(&mut a.warnings) {
                        self.state.info(format!("Warning: {w}"));
                    }
                    self.state.annotations = Some(a);
                }
                Err(e) => self.state.error(format!("No cycles: {e:#}")),
            }
        }
        if let Some(r) = take_done(&mut self.filter) {
            match r {
                Ok((id, rec)) if id == self.state.record_id => {
                    self.state.display = Some(Arc::new(rec))
                }
                Ok(_) => {}
                Err(e) => self.state.error(format!("Filter failed: {e:#}")),
            }
        }
        let done: Vec<EngineKind> = self
            .engine_jobs
            .iter_mut()
            .filter_map(|(k, j)| j.poll().map(|r| (*k, r)))
            .map(|(k, r)| {
                self.engines.insert(k, r.map_err(Arc::new));
                k
            })
            .collect();
        for k in done {
            self.engine_jobs.remove(&k);
        }
        if let Some(Ok(Some(path))) = take_done(&mut self.open_dialog) {
            self.open(Some(path));
        }
        if let Some(r) = take_done(&mut self.export_job) {
            match r {
                Ok(done) => self.state.info(done),
                Err(e) => self.state.error(format!("Export failed: {e:#}")),
            }
        }
        self.saved();
        self.autosave();
        self.synth.poll();
        self.heart_vector.poll();
        self.anomaly.poll();
        self.request_anomaly();
    }

    fn loaded(&mut self, record: Record, path: Option<PathBuf>, labels: Option<CycleLabels>) {
        let notes: String = record.notes.iter().map(|n| format!("; {n}")).collect();
        self.state.info(format!(
            "Opened {} ({} leads, {:.1} s at {} Hz){notes}",
            record.name,
            record.leads.len(),
            record.duration_s(),
            record.fs
        ));
        if let Some(p) = &path {
            self.state.remember(p.clone());
            if let Err(e) = recent::save(&self.data_dir, &self.state.recent) {
                self.state
                    .error(format!("Cannot remember recent files: {e:#}"));
            }
        }
        self.state.set_record(record, path.clone());
        if self.state.filters.active() {
            // Remembered filters apply to every record opened.
            self.refilter();
        }
        self.synth.clear();
        self.sent.clear();
        let record = self.state.record.clone().expect("just set");
        let demo_key = self.data_dir.join(crate::record::demo::DEMO_NAME);
        let recovery = self.recovery_dir();
        self.annotate = Some(Job::spawn("Finding cycles", self.ctx.clone(), move |p| {
            p.report(0.05, "reading annotation files or running the annotator");
            match (labels, path) {
                (Some(labels), _) => Annotations::demo(&record, &labels, demo_key, &recovery),
                (None, Some(path)) => Annotations::open(&record, &path, &recovery),
                (None, None) => anyhow::bail!("a record without a path or labels"),
            }
        }));
    }

    /// Recompute the displayed record with the current filters, in the background.
    pub fn refilter(&mut self) {
        let Some(record) = self.state.record.clone() else {
            return;
        };
        let (f, id) = (self.state.filters, self.state.record_id);
        self.filter = Some(Job::spawn("Filtering", self.ctx.clone(), move |p| {
            let mut out = (*record).clone();
            let n = out.leads.len().max(1);
            for (i, lead) in out.leads.iter_mut().enumerate() {
                p.report(i as f32 / n as f32, lead.name.clone());
                if f.baseline {
                    lead.samples = crate::signal::remove_baseline(&lead.samples, record.fs)?;
                }
                if f.powerline && f.mains_hz < record.fs / 2.0 {
                    lead.samples = crate::signal::notch(&lead.samples, record.fs, f.mains_hz)?;
                }
            }
            Ok((id, out))
        }));
    }

    /// Ask the worker for `cycles` seen from `views`, unless that is what it last rendered.
    pub(super) fn request(&mut self, purpose: Purpose, cycles: &[usize], views: Vec<Viewpoint>) {
        let (Some(record), Some(Ok(engine))) =
            (self.state.record.clone(), self.engine(self.state.engine))
        else {
            return;
        };
        let all = self.state.cycles();
        let key = RequestKey {
            record_id: self.state.record_id,
            cycles: cycles.iter().filter_map(|&i| all.get(i).copied()).collect(),
            inputs: self.state.inputs.clone(),
            engine: self.state.engine,
            views,
            // The level in per mille, so the key compares exactly.
            band: self.state.band.map(|l| (l * 1000.0).round() as u32),
        };
        if self.sent.get(&purpose) == Some(&key) || key.inputs.is_empty() || key.cycles.is_empty() {
            return;
        }
        self.synth.request(Request {
            purpose,
            record_id: key.record_id,
            record,
            cycles: key.cycles.clone(),
            inputs: key.inputs.clone(),
            engine,
            views: key.views.clone(),
            band: self.state.band,
        });
        self.sent.insert(purpose, key);
    }

    /// Why the chosen engine cannot be used, or whether it is loading.
    pub(super) fn engine_status(&mut self) -> (Option<String>, bool) {
        match self.engine(self.state.engine) {
            Some(Err(e)) => (Some(format!("{e:#}")), false),
            Some(Ok(_)) => (None, false),
            None => (None, true),
        }
    }
}
