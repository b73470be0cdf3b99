//! What the app shows and edits, as plain data: testable without a window.
//!
//! The state is split as eframe's template does: the fields a user expects the app to
//! remember (engine, inputs, filters, zoom, view, viewpoint, boundary mode, extra leads) are
//! serialised and kept through eframe's storage; everything about the open record and the
//! session is `#[serde(skip)]` runtime state.

use super::annotations::Annotations;
use super::boundary_mode::BoundaryMode;
use crate::delineate::CycleBounds;
use crate::geometry::{EXTRA_LEADS, STANDARD_12, Viewpoint, lead_view, normalise_lead_name};
use crate::panorama::EngineKind;
use crate::record::Record;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Arc;

/// The app's main views.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum, Serialize, Deserialize)]
pub enum View {
    /// The record on ECG paper with its cycles, for annotation.
    #[default]
    Annotate,
    /// The sphere gizmo and the synthesized cycle for the current viewpoint.
    Panorama,
    /// The 24-view grid.
    Grid,
    /// The heart-vector loop of the current cycle and its measures.
    HeartVector,
}

/// Which viewpoint grid the grid view shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum GridKind {
    /// θ ∈ {0, π/3, 2π/3, π} × 6 azimuths (the paper's figure).
    #[default]
    Panorama,
    /// θ ∈ {π/6, π/2, 5π/6} × 8 azimuths (no pole repeats).
    PoleFree,
    /// The 15-lead preset: the recorded leads with synthesized V4R, V8 and V9.
    Leads15,
    /// The 18-lead preset: the recorded leads with synthesized V4R–V6R and V7–V9.
    Leads18,
}

/// Display filters (the record itself is never changed).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Filters {
    /// Remove baseline wander.
    pub baseline: bool,
    /// Notch the powerline frequency.
    pub powerline: bool,
    /// Mains frequency, Hz.
    pub mains_hz: f64,
}

impl Filters {
    /// True when any filter changes the displayed signal.
    pub fn active(&self) -> bool {
        self.baseline || self.powerline
    }
}

impl Default for Filters {
    fn default() -> Self {
        Self {
            baseline: false,
            powerline: false,
            mains_hz: 50.0,
        }
    }
}

/// How the ECG paper is laid out on screen.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Paper {
    /// Time at the left edge, s.
    pub t0: f64,
    /// Screen points per paper millimetre (the zoom).
    pub px_per_mm: f32,
}

impl Default for Paper {
    fn default() -> Self {
        Self {
            t0: 0.0,
            px_per_mm: 4.0,
        }
    }
}

/// A message shown to the user.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    /// True for errors.
    pub error: bool,
    /// The text.
    pub text: String,
}

/// Everything the app shows and edits: remembered settings, and runtime state (skipped).
#[derive(Serialize, Deserialize)]
#[serde(default)]
pub struct AppState {
    /// The record as loaded.
    #[serde(skip)]
    pub record: Option<Arc<Record>>,
    /// Where it came from (none for the demo).
    #[serde(skip)]
    pub record_path: Option<PathBuf>,
    /// Changes whenever another record is loaded.
    #[serde(skip)]
    pub record_id: u64,
    /// The record as displayed (filters applied).
    #[serde(skip)]
    pub display: Option<Arc<Record>>,
    /// Display filters.
    pub filters: Filters,
    /// Leads hidden in the record view.
    #[serde(skip)]
    pub hidden: BTreeSet<String>,
    /// The cycles and their boundaries (loaded, proposed or edited), and each lead's own.
    #[serde(skip)]
    pub annotations: Option<Annotations>,
    /// Which boundaries the annotator shows and edits.
    pub boundaries: BoundaryMode,
    /// The lead whose strip the pointer is over, or was last over (the bar's buttons act on it).
    #[serde(skip)]
    pub hover_lead: Option<String>,
    /// The current viewpoint.
    pub viewpoint: Viewpoint,
    /// Input leads of the panorama engine.
    pub inputs: Vec<String>,
    /// The panorama engine.
    #[serde(with = "super::settings::engine_name")]
    pub engine: EngineKind,
    /// The selected cycle.
    #[serde(skip)]
    pub cycle: usize,
    /// Show all cycles as a continuous synthesized strip.
    pub strip: bool,
    /// The confidence band drawn around synthesized views: its level, or `None` for no band.
    pub band: Option<f64>,
    /// Compute the anomaly map of each record (heat bands, record score, swap warning).
    pub anomaly_map: bool,
    /// The view on screen.
    pub view: View,
    /// The grid shown by the grid view.
    pub grid: GridKind,
    /// Recently opened records, newest first.
    #[serde(skip)]
    pub recent: Vec<PathBuf>,
    /// Messages, newest last.
    #[serde(skip)]
    pub messages: Vec<Message>,
    /// The typed path of the path field.
    #[serde(skip)]
    pub path_field: String,
    /// ECG paper layout.
    pub paper: Paper,
    /// Sample under the pointer in the record view.
    #[serde(skip)]
    pub cursor: Option<usize>,
    /// Caliper from (t s, mV) to (t s, mV).
    #[serde(skip)]
    pub caliper: Option<((f64, f64), (f64, f64))>,
    /// Rotation of the sphere gizmo.
    #[serde(skip)]
    pub rotation: glam::Quat,
    /// Show the extra leads (V3R–V6R, V7–V9) on the gizmo and among the snap buttons.
    pub extra_leads: bool,
    /// Show the measurements panel beside the record.
    pub measurements: bool,
    /// The record's measurements, kept until its annotations change.
    #[serde(skip)]
    pub measures: super::measure_panel::MeasureCache,
}

impl Default for AppState {
    fn default() -> Self {
        Self::new(View::default())
    }
}

impl AppState {
    /// A fresh state on `view`, looking from lead II.
    pub fn new(view: View) -> Self {
        Self {
            record: None,
            record_path: None,
            record_id: 0,
            display: None,
            filters: Filters::default(),
            hidden: BTreeSet::new(),
            annotations: None,
            boundaries: BoundaryMode::default(),
            hover_lead: None,
            viewpoint: Viewpoint::from_degrees(150.0, 90.0),
            inputs: Vec::new(),
            engine: EngineKind::NefNet,
            cycle: 0,
            strip: false,
            band: Some(crate::panorama::DEFAULT_LEVEL),
            anomaly_map: true,
            view,
            grid: GridKind::default(),
            recent: Vec::new(),
            messages: Vec::new(),
            path_field: String::new(),
            paper: Paper::default(),
            cursor: None,
            caliper: None,
            rotation: default_rotation(),
            extra_leads: false,
            measurements: true,
            measures: Default::default(),
        }
    }

    /// Take the remembered settings of `saved`, keeping this state's record and session.
    /// Lists every field that is not `#[serde(skip)]`.
    pub fn take_settings(&mut self, saved: AppState) {
        self.filters = saved.filters;
        self.viewpoint = saved.viewpoint;
        self.inputs = saved.inputs;
        self.engine = saved.engine;
        self.strip = saved.strip;
        self.view = saved.view;
        self.grid = saved.grid;
        self.paper = saved.paper;
        self.boundaries = saved.boundaries;
        self.extra_leads = saved.extra_leads;
        self.measurements = saved.measurements;
    }

    /// Take a newly loaded record: the remembered inputs when the record has them all, else
    /// default ones; first cycle, time back to the start.
    pub fn set_record(&mut self, record: Record, path: Option<PathBuf>) {
        let has_all = |inputs: &[String]| {
            !inputs.is_empty()
                && inputs
                    .iter()
                    .all(|n| record.lead(n).is_some_and(|l| l.view.is_some()))
        };
        if !has_all(&self.inputs) {
            self.inputs = default_inputs(&record);
        }
        let record = Arc::new(record);
        self.display = Some(record.clone());
        self.record = Some(record);
        self.record_path = path;
        self.record_id += 1;
        self.annotations = None;
        self.hidden.clear();
        self.cycle = 0;
        self.paper.t0 = 0.0;
        self.cursor = None;
        self.hover_lead = None;
        self.caliper = None;
    }

    /// Report an error to the user.
    pub fn error(&mut self, text: impl Into<String>) {
        self.messages.push(Message {
            error: true,
            text: text.into(),
        });
    }

    /// Tell the user something.
    pub fn info(&mut self, text: impl Into<String>) {
        self.messages.push(Message {
            error: false,
            text: text.into(),
        });
    }

    /// Remember an opened record at the top of the recent list (10 at most).
    pub fn remember(&mut self, path: PathBuf) {
        self.recent.retain(|p| p != &path);
        self.recent.insert(0, path);
        self.recent.truncate(10);
    }

    /// The cycles' boundaries ([P on, P off, QRS on, QRS off, T on, T off, next P on]).
    pub fn cycles(&self) -> Vec<CycleBounds> {
        self.annotations
            .as_ref()
            .map(Annotations::cycles)
            .unwrap_or_default()
    }

    /// The points the gizmo shows: the 12 standard leads, the extra leads when they are shown
    /// or recorded, and Frank leads the record has; (name, viewpoint, recorded in this record).
    pub fn lead_points(&self) -> Vec<(String, Viewpoint, bool)> {
        let has = |n: &str| self.record.as_ref().is_some_and(|r| r.lead(n).is_some());
        STANDARD_12
            .iter()
            .copied()
            .chain(
                EXTRA_LEADS
                    .into_iter()
                    .filter(|n| self.extra_leads || has(n)),
            )
            .chain(["vx", "vy", "vz"].into_iter().filter(|n| has(n)))
            .filter_map(|n| {
                let view = lead_view(&normalise_lead_name(n), false)?;
                Some((n.to_string(), view.viewpoint, has(n)))
            })
            .collect()
    }

    /// The recorded lead looking from nearest the current viewpoint, and the angle to it (rad).
    pub fn nearest_recorded(&self) -> Option<(String, f64)> {
        let record = self.record.as_ref()?;
        record
            .leads
            .iter()
            .filter_map(|l| {
                let v = l.view?.viewpoint;
                Some((l.name.clone(), v.angle_to(&self.viewpoint)))
            })
            .min_by(|a, b| a.1.total_cmp(&b.1))
    }

    /// Leads of the record that have a viewpoint (possible engine inputs).
    pub fn input_candidates(&self) -> Vec<String> {
        self.record
            .as_ref()
            .map(|r| {
                r.leads
                    .iter()
                    .filter(|l| l.view.is_some())
                    .map(|l| l.name.clone())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Why nothing is synthesized without inputs: a lead to tick, or none the record offers
    /// (Holter channels such as ECG1 have no known direction from the heart).
    pub fn no_inputs_message(&self) -> String {
        match &self.record {
            Some(r) if self.input_candidates().is_empty() => format!(
                "None of this record's leads ({}) has a known viewpoint, so no view can be \
                 synthesized from them. The record view still shows and annotates them. If \
                 they are standard leads under other names, `ecg-panorama convert RECORD \
                 --leads I,II,… --to csv --out FILE.csv` names them.",
                r.lead_list()
            ),
            _ => "Choose at least one input lead.".to_string(),
        }
    }

    /// True when annotations hold edits not saved yet.
    pub fn dirty(&self) -> bool {
        self.annotations.as_ref().is_some_and(Annotations::is_dirty)
    }
}

/// The sphere's resting orientation: seen a little from the patient's left and from below,
/// so that the chest leads and the inferior limb leads all face the viewer.
pub fn default_rotation() -> glam::Quat {
    glam::Quat::from_rotation_x(-0.25) * glam::Quat::from_rotation_y(-0.5)
}

/// II, V2 and V5 when the record has them (three non-coplanar views that any engine takes);
/// otherwise up to three leads with a known viewpoint.
pub fn default_inputs(record: &Record) -> Vec<String> {
    let preferred: Vec<String> = ["II", "V2", "V5"]
        .iter()
        .filter(|n| record.lead(n).is_some())
        .map(|n| n.to_string())
        .collect();
    if preferred.len() == 3 {
        return preferred;
    }
    record
        .leads
        .iter()
        .filter(|l| l.view.is_some())
        .take(3)
        .map(|l| l.name.clone())
        .collect()
}
