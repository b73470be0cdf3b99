//! The synthesis worker: one thread that owns the encoded cycles and renders the views the UI
//! asks for. Requests pile up while the user drags; only the newest of each kind is rendered,
//! so the views follow the pointer without queueing stale work and no frame waits for them.

use crate::delineate::CycleBounds;
use crate::geometry::Viewpoint;
use crate::panorama::{CycleInput, Engine, Field};
use crate::record::Record;
use eframe::egui;
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::time::Instant;

/// Which pane a request feeds; the worker keeps only the newest request of each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Purpose {
    /// The panorama view: the current viewpoint (one cycle or the strip).
    Panorama,
    /// The 24-view grid.
    Grid,
}

/// One synthesis request.
#[derive(Clone)]
pub struct Request {
    /// Which pane it feeds.
    pub purpose: Purpose,
    /// Identity of the record (changes whenever another record is loaded).
    pub record_id: u64,
    /// The record whose input leads are encoded.
    pub record: Arc<Record>,
    /// Cycles to render: their seven absolute boundaries (P on … next P on).
    pub cycles: Vec<CycleBounds>,
    /// Input lead names.
    pub inputs: Vec<String>,
    /// The engine and its name.
    pub engine: Arc<dyn Engine>,
    /// Viewpoints to render.
    pub views: Vec<Viewpoint>,
    /// Level of the confidence band to render with the views, if any.
    pub band: Option<f64>,
}

/// One rendered cycle (shared with the figure builders of the export module).
pub use crate::export::figures::Segment;

/// What the worker sends back.
#[derive(Debug, Clone)]
pub struct Output {
    /// The request's number.
    pub id: u64,
    /// Which pane.
    pub purpose: Purpose,
    /// The views rendered, in order.
    pub views: Vec<Viewpoint>,
    /// Rendered cycles.
    pub segments: Vec<Segment>,
    /// Why some or all cycles could not be synthesized (the engine's own words).
    pub error: Option<String>,
    /// The band's level, when the segments carry bands.
    pub band: Option<f64>,
    /// Time spent on the request, ms.
    pub elapsed_ms: f64,
}

type FieldKey = (u64, String, Vec<String>, CycleBounds);

/// The UI's handle on the worker thread.
pub struct SynthWorker {
    tx: Sender<(u64, Request)>,
    rx: Receiver<Output>,
    next_id: u64,
    sent: HashMap<Purpose, u64>,
    /// The newest result per pane.
    pub latest: HashMap<Purpose, Output>,
}

impl SynthWorker {
    /// Start the worker; `ctx` is asked to redraw when a result arrives.
    pub fn start(ctx: Option<egui::Context>) -> Self {
        let (tx, req_rx) = channel::<(u64, Request)>();
        let (out_tx, rx) = channel();
        std::thread::spawn(move || worker(req_rx, out_tx, ctx));
        Self {
            tx,
            rx,
            next_id: 0,
            sent: HashMap::new(),
            latest: HashMap::new(),
        }
    }

    /// Queue a request (it supersedes any older request for the same pane).
    pub fn request(&mut self, req: Request) {
        self.next_id += 1;
        self.sent.insert(req.purpose, self.next_id);
        let _ = self.tx.send((self.next_id, req));
    }

    /// Take in finished results; true when something new arrived.
    pub fn poll(&mut self) -> bool {
        let mut any = false;
        while let Ok(out) = self.rx.try_recv() {
            self.latest.insert(out.purpose, out);
            any = true;
        }
        any
    }

    /// True while the newest request of `purpose` has no result yet.
    pub fn busy(&self, purpose: Purpose) -> bool {
        self.sent
            .get(&purpose)
            .is_some_and(|&id| self.latest.get(&purpose).is_none_or(|o| o.id < id))
    }

    /// Forget every result (a new record or input set).
    pub fn clear(&mut self) {
        self.latest.clear();
        self.sent.clear();
    }
}

fn worker(rx: Receiver<(u64, Request)>, tx: Sender<Output>, ctx: Option<egui::Context>) {
    let mut fields: HashMap<FieldKey, Arc<Field>> = HashMap::new();
    while let Ok(first) = rx.recv() {
        let mut newest: HashMap<Purpose, (u64, Request)> = HashMap::new();
        newest.insert(first.1.purpose, first);
        while let Ok(more) = rx.try_recv() {
            newest.insert(more.1.purpose, more);
        }
        // The pane under the pointer first: the grid can wait a few milliseconds.
        for purpose in [Purpose::Panorama, Purpose::Grid] {
            let Some((id, req)) = newest.remove(&purpose) else {
                continue;
            };
            if fields.len() > 4096 || fields.keys().any(|k| k.0 != req.record_id) {
                fields.clear();
            }
            let out = render(id, &req, &mut fields);
            if tx.send(out).is_err() {
                return;
            }
            if let Some(ctx) = &ctx {
                ctx.request_repaint();
            }
        }
    }
}

fn render(id: u64, req: &Request, fields: &mut HashMap<FieldKey, Arc<Field>>) -> Output {
    let t = Instant::now();
    let names: Vec<&str> = req.inputs.iter().map(String::as_str).collect();
    let mut segments = Vec::with_capacity(req.cycles.len());
    let mut error = None;
    for &b in &req.cycles {
        let key = (
            req.record_id,
            req.engine.name().to_string(),
            req.inputs.clone(),
            b,
        );
        let field = match fields.get(&key) {
            Some(f) => Ok(f.clone()),
            None => CycleInput::from_record(&req.record, &names, b)
                .and_then(|input| req.engine.encode(&input))
                .map(Arc::new),
        };
        let rendered = field.and_then(|f| {
            fields.insert(key, f.clone());
            let signals = req.engine.render(&f, &req.views)?;
            let bands = match req.band {
                Some(level) => req.engine.band(&f, &req.views, level)?,
                None => None,
            };
            Ok((signals, bands))
        });
        match rendered {
            Ok((signals, bands)) => segments.push(Segment {
                start: b.start(),
                signals,
                bands,
            }),
            Err(e) => {
                error.get_or_insert_with(|| e.to_string());
            }
        }
    }
    let band = req
        .band
        .filter(|_| segments.iter().any(|s| s.bands.is_some()));
    Output {
        id,
        purpose: req.purpose,
        views: req.views.clone(),
        band,
        segments,
        error,
        elapsed_ms: t.elapsed().as_secs_f64() * 1e3,
    }
}
