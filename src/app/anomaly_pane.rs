//! The anomaly map in the app: computed on a background job once per record and cycles
//! ([`crate::anomaly`]), shown as a heat band under each recorded lead, a record score in the
//! status bar and a warning naming a suspected electrode swap.

use super::core::App;
use super::jobs::{Job, take_done};
use crate::anomaly::assess::{Assessment, assess};
use crate::anomaly::normal::NormalModel;
use crate::delineate::CycleBounds;
use crate::panorama::EngineKind;
use eframe::egui;
use std::sync::Arc;

/// Accessible name of the status bar's anomaly line.
pub const STATUS_LABEL: &str = "Anomaly score";

/// What a map depends on.
#[derive(Debug, Clone, PartialEq)]
struct Key {
    record_id: u64,
    cycles: Vec<CycleBounds>,
}

/// The app's anomaly map: the newest one, or why there is none.
#[derive(Default)]
pub struct AnomalyPane {
    key: Option<Key>,
    job: Option<Job<Arc<Assessment>>>,
    /// The map of the current record and cycles once computed, or why there is none.
    pub result: Option<Result<Arc<Assessment>, String>>,
}

impl AnomalyPane {
    /// True while a map is being computed.
    pub fn busy(&self) -> bool {
        self.job.is_some()
    }

    /// Take in a finished map.
    pub(super) fn poll(&mut self) {
        if let Some(r) = take_done(&mut self.job) {
            self.result = Some(r.map_err(|e| format!("{e:#}")));
        }
    }

    /// The map's scores of lead `name` per record sample, when there is a map.
    pub fn heat(&self, name: &str) -> Option<&[f64]> {
        let c = self.result.as_ref()?.as_ref().ok()?;
        let k = c.map.leads.iter().position(|l| l == name)?;
        c.map.samples.get(k).map(Vec::as_slice)
    }
}

impl App {
    /// The anomaly map of the open record.
    pub fn anomaly(&self) -> &AnomalyPane {
        &self.anomaly
    }

    /// Start the open record's map when the record or its cycles changed (on Nef-Net, whose
    /// band scales it).
    pub(super) fn request_anomaly(&mut self) {
        if !self.state.anomaly_map {
            return;
        }
        let (Some(record), cycles) = (self.state.record.clone(), self.state.cycles()) else {
            return;
        };
        if cycles.is_empty() {
            return;
        }
        let key = Key {
            record_id: self.state.record_id,
            cycles: cycles.clone(),
        };
        if self.anomaly.key.as_ref() == Some(&key) {
            return;
        }
        let Some(Ok(engine)) = self.engine(EngineKind::NefNet) else {
            return;
        };
        self.anomaly.result = None;
        self.anomaly.job = Some(Job::spawn("Anomaly map", self.ctx.clone(), move |p| {
            let normal = NormalModel::load_default()?;
            let done = assess(
                engine.as_ref(),
                &normal,
                &record,
                &cycles,
                &mut |f, what| p.report(f, what),
            )?;
            Ok(Arc::new(done))
        }));
        self.anomaly.key = Some(key);
    }

    /// The status bar's anomaly line: the record score, a swap warning, or why there is no map.
    pub(super) fn anomaly_status(&self, ui: &mut egui::Ui) {
        if !self.state.anomaly_map {
            return;
        }
        match &self.anomaly.result {
            Some(Ok(c)) => {
                let text = format!(
                    "{STATUS_LABEL} {:.1} ({} against normal records)",
                    c.score, c.score_means
                );
                ui.label(text).on_hover_text(
                    "How far the leads depart from what the other leads predict, in SDs of \
                     normal records; the heat band under each lead shows where",
                );
                if let Some(s) = c.swap {
                    ui.colored_label(
                        ui.visuals().warn_fg_color,
                        format!(
                            "Suspected electrode swap: {} — check the electrodes",
                            s.name()
                        ),
                    );
                }
            }
            Some(Err(e)) => {
                ui.weak(format!("No anomaly map: {e}"));
            }
            None if self.anomaly.busy() => {
                ui.weak("Computing the anomaly map…");
            }
            None => {}
        }
    }
}
