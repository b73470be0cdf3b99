//! The desktop application (eframe/egui): state, panels, the sphere gizmo and the view grid.
//!
//! [`App`] holds the plain-data [`AppState`] and the background work; [`App::show`] draws one
//! frame into any `egui::Ui`, so tests and benchmarks drive the real app without a window.
//! [`run`] opens the window.

use eframe::egui;
mod annotate;
mod annotations;
pub mod anomaly_pane;
pub mod band_paint;
pub mod boundary_mode;
mod core;
pub mod export_dialog;
mod export_report;
pub mod gizmo;
pub mod grid_view;
pub mod jobs;
pub mod measure_panel;
pub mod panorama_view;
mod paper;
pub mod preset_view;
pub mod recent;
mod record_view;
mod save;
pub mod settings;
mod shell;
pub mod state;
pub mod synth;
mod vcg_paint;
pub mod vcg_view;

pub use self::core::App;
pub use annotations::Annotations;
pub use boundary_mode::BoundaryMode;
pub use state::{AppState, GridKind, View};

use std::path::{Path, PathBuf};

/// How the window starts.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The record to open (the built-in demo when `None`).
    pub record: Option<PathBuf>,
    /// The view to start on (the one shown when the app last closed when `None`).
    pub view: Option<View>,
    /// Save the first complete frame to this PNG file and close.
    pub screenshot: Option<PathBuf>,
    /// The viewpoint to start on (the one of the last session when `None`).
    pub viewpoint: Option<crate::geometry::Viewpoint>,
}

/// The eframe side of the app: the window's life cycle around [`App`].
struct Window {
    app: App,
    screenshot: Option<PathBuf>,
    settled_frames: u32,
    shot: Option<std::sync::mpsc::Receiver<anyhow::Result<()>>>,
    /// Restore and save settings (not for screenshots, which must not depend on the last run).
    remember: bool,
    /// A failed screenshot, handed back to [`run_with`] so the command fails instead of printing.
    shot_error: std::sync::Arc<std::sync::Mutex<Option<anyhow::Error>>>,
}

impl eframe::App for Window {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.app.show(ui);
        if let Some(path) = self.screenshot.clone() {
            self.screenshot_step(ui.ctx(), &path);
        }
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        if self.remember {
            self.app.save_settings(storage);
        }
    }

    fn persist_egui_memory(&self) -> bool {
        self.remember
    }
}

impl Window {
    /// Once the app has been idle for a few frames, ask for a screenshot; when it is saved, close.
    fn screenshot_step(&mut self, ctx: &egui::Context, path: &Path) {
        if let Some(result) = self.shot.as_ref().and_then(|rx| rx.try_recv().ok()) {
            if let Err(e) = result {
                let e = e.context(format!("screenshot {}", path.display()));
                *self.shot_error.lock().unwrap_or_else(|p| p.into_inner()) = Some(e);
            }
            self.screenshot = None;
            ctx.send_viewport_cmd(egui::ViewportCommand::Close);
            return;
        }
        self.settled_frames = if self.app.busy() {
            0
        } else {
            self.settled_frames + 1
        };
        if self.settled_frames == 5 && self.shot.is_none() {
            let (tx, rx) = std::sync::mpsc::channel();
            let (path, ctx2) = (path.to_path_buf(), ctx.clone());
            ctx.request_screenshot(move |image| {
                let _ = tx.send(save_png(&image, &path));
                ctx2.request_repaint();
            });
            self.shot = Some(rx);
        }
        ctx.request_repaint_after(std::time::Duration::from_millis(30));
    }
}

fn save_png(image: &egui::ColorImage, path: &Path) -> anyhow::Result<()> {
    use resvg::tiny_skia::{IntSize, Pixmap};
    let [w, h] = image.size;
    let bytes: Vec<u8> = image.pixels.iter().flat_map(|c| c.to_array()).collect();
    let size =
        IntSize::from_wh(w as u32, h as u32).ok_or_else(|| anyhow::anyhow!("empty screenshot"))?;
    let pixmap =
        Pixmap::from_vec(bytes, size).ok_or_else(|| anyhow::anyhow!("bad screenshot size"))?;
    let png = pixmap.encode_png()?;
    crate::fsio::write(path, &png, crate::fsio::Replace::Allow)?;
    Ok(())
}

/// True when a window can be opened: on Linux and the BSDs, an X11 or Wayland display is set.
pub fn display_available() -> bool {
    if cfg!(any(
        target_os = "linux",
        target_os = "freebsd",
        target_os = "openbsd",
        target_os = "netbsd"
    )) {
        ["DISPLAY", "WAYLAND_DISPLAY"]
            .iter()
            .any(|v| std::env::var_os(v).is_some_and(|s| !s.is_empty()))
    } else {
        true
    }
}

/// Open the window on `record` (the built-in demo when `None`), on the view `show`.
pub fn run(record: Option<PathBuf>, show: Option<View>) -> anyhow::Result<()> {
    run_with(Options {
        record,
        view: show,
        screenshot: None,
        viewpoint: None,
    })
}

/// Open the window as `options` say.
pub fn run_with(options: Options) -> anyhow::Result<()> {
    if !display_available() {
        anyhow::bail!(
            "no display to open the window on (DISPLAY and WAYLAND_DISPLAY are unset); `ecg-panorama info RECORD` prints a summary without one"
        );
    }
    let remember = options.screenshot.is_none();
    let shot_error = std::sync::Arc::default();
    let window_shot_error = std::sync::Arc::clone(&shot_error);
    let native = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("Electrocardio Panorama")
            .with_inner_size([1400.0, 900.0])
            .with_drag_and_drop(true),
        persist_window: remember,
        persistence_path: Some(settings::storage_dir()),
        ..Default::default()
    };
    eframe::run_native(
        "Electrocardio Panorama",
        native,
        Box::new(move |cc| {
            let mut app = App::with_storage(
                options.record,
                options.view,
                Some(cc.egui_ctx.clone()),
                recent::data_dir(),
                cc.storage.filter(|_| remember),
            );
            if let Some(v) = options.viewpoint {
                app.state.viewpoint = v;
            }
            Ok(Box::new(Window {
                app,
                screenshot: options.screenshot,
                settled_frames: 0,
                shot: None,
                remember,
                shot_error: window_shot_error,
            }))
        }),
    )
    .map_err(|e| anyhow::anyhow!("cannot open the window: {e}"))?;
    match shot_error.lock().unwrap_or_else(|p| p.into_inner()).take() {
        Some(e) => Err(e),
        None => Ok(()),
    }
}
