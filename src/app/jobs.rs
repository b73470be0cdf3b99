//! Background work: each job runs on its own thread and reports progress and its result
//! through a channel that the UI polls once per frame, so no frame ever waits for it.

use eframe::egui;
use std::sync::mpsc::{Receiver, Sender, TryRecvError, channel};
use std::time::Duration;

/// What a job sends back.
enum Msg<T> {
    Progress(f32, String),
    Done(anyhow::Result<T>),
}

/// The job's side of the channel: report progress, ask the UI to redraw.
pub struct Progress<T> {
    tx: Sender<Msg<T>>,
    ctx: Option<egui::Context>,
}

impl<T> Progress<T> {
    /// Report `fraction` (0–1) of the work done and what is being done.
    pub fn report(&self, fraction: f32, what: impl Into<String>) {
        // A closed channel means the UI dropped the job: nothing to tell.
        let _ = self.tx.send(Msg::Progress(fraction, what.into()));
        if let Some(ctx) = &self.ctx {
            ctx.request_repaint();
        }
    }
}

/// A running (or finished) background job producing a `T`.
pub struct Job<T> {
    /// What the job does, shown beside its progress bar.
    pub label: String,
    /// Fraction done, 0–1.
    pub fraction: f32,
    /// The latest progress text.
    pub status: String,
    rx: Receiver<Msg<T>>,
}

impl<T: Send + 'static> Job<T> {
    /// Start `work` on a new thread; `ctx` is asked to redraw whenever the job reports.
    pub fn spawn(
        label: impl Into<String>,
        ctx: Option<egui::Context>,
        work: impl FnOnce(&Progress<T>) -> anyhow::Result<T> + Send + 'static,
    ) -> Self {
        let (tx, rx) = channel();
        let progress = Progress { tx, ctx };
        std::thread::spawn(move || {
            let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work(&progress)))
                .unwrap_or_else(|_| {
                    Err(anyhow::anyhow!("the background task failed unexpectedly"))
                });
            let _ = progress.tx.send(Msg::Done(result));
            if let Some(ctx) = &progress.ctx {
                ctx.request_repaint();
            }
        });
        Self {
            label: label.into(),
            fraction: 0.0,
            status: String::new(),
            rx,
        }
    }

    /// Take in what the job reported; its result once it has finished (show an error with
    /// `{:#}`, which prints its whole chain of causes).
    pub fn poll(&mut self) -> Option<anyhow::Result<T>> {
        loop {
            match self.rx.try_recv() {
                Ok(Msg::Progress(f, s)) => {
                    self.fraction = f.clamp(0.0, 1.0);
                    self.status = s;
                }
                Ok(Msg::Done(r)) => return Some(r),
                Err(TryRecvError::Empty) => return None,
                Err(TryRecvError::Disconnected) => {
                    return Some(Err(anyhow::anyhow!(
                        "the background task stopped without a result"
                    )));
                }
            }
        }
    }

    /// Block until the job finishes (tests, benchmarks and the command line only).
    pub fn wait(&mut self) -> anyhow::Result<T> {
        loop {
            if let Some(r) = self.poll() {
                return r;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
    }
}

/// Poll an optional job slot: the result when it finished (the slot is then emptied).
pub fn take_done<T: Send + 'static>(slot: &mut Option<Job<T>>) -> Option<anyhow::Result<T>> {
    let r = slot.as_mut()?.poll()?;
    *slot = None;
    Some(r)
}

/// Draw a job's progress line.
pub fn progress_ui<T>(ui: &mut egui::Ui, job: &Job<T>) {
    ui.horizontal(|ui| {
        ui.spinner();
        let text = if job.status.is_empty() {
            job.label.clone()
        } else {
            format!("{}: {}", job.label, job.status)
        };
        ui.add(
            egui::ProgressBar::new(job.fraction)
                .desired_width(160.0)
                .show_percentage(),
        );
        ui.label(text);
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use anyhow::Context;

    #[test]
    fn a_failed_job_keeps_the_chain_and_the_library_error() {
        let mut job = Job::<()>::spawn("Opening", None, |p| {
            p.report(0.5, "reading");
            Err(crate::Error::Invalid("the header is empty".into()))
                .context("cannot open record 100")
        });
        let err = job.wait().unwrap_err();
        assert_eq!(
            format!("{err:#}"),
            "cannot open record 100: the header is empty"
        );
        assert!(matches!(
            err.downcast_ref::<crate::Error>(),
            Some(crate::Error::Invalid(_))
        ));
    }

    #[test]
    fn a_panicking_job_is_an_error_not_a_crash() {
        let mut job = Job::<()>::spawn("Crashing", None, |_| panic!("boom"));
        let err = job.wait().unwrap_err();
        assert!(
            format!("{err:#}").contains("failed unexpectedly"),
            "{err:#}"
        );
    }
}
