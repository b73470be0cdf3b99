//! The window's frame: menus, the path field, the status line, and the view in the middle.

use super::core::App;
use super::export_dialog::What;
use super::grid_view::{grid_view, grid_views};
use super::jobs::{Job, progress_ui};
use super::panorama_view::{Status, panorama_view};
use super::record_view::record_view;
use super::state::View;
use super::synth::Purpose;
use eframe::egui;
use std::path::PathBuf;
use std::time::Duration;

impl App {
    /// Draw one frame of the whole app into `ui`.
    pub fn show(&mut self, ui: &mut egui::Ui) {
        if self.ctx.is_none() {
            self.ctx = Some(ui.ctx().clone());
        }
        self.poll();
        self.dropped_files(ui);
        egui::Panel::top("menu").show(ui, |ui| self.menu_bar(ui));
        egui::Panel::bottom("status").show(ui, |ui| self.status_bar(ui));
        egui::CentralPanel::default().show(ui, |ui| match self.state.view {
            View::Annotate => {
                if record_view(ui, &mut self.state, &self.anomaly).refilter {
                    self.refilter();
                }
            }
            View::Panorama => self.panorama(ui),
            View::Grid => self.grid(ui),
            View::HeartVector => self.heart_vector_view(ui),
        });
        self.keys(ui);
        self.save_window(ui);
        self.export_window(ui);
        self.close_guard(ui);
        if self.busy() {
            // Background work reports through channels: look again soon.
            ui.ctx().request_repaint_after(Duration::from_millis(50));
        }
    }

    fn panorama(&mut self, ui: &mut egui::Ui) {
        let (engine_error, engine_loading) = self.engine_status();
        let busy = self.synth.busy(Purpose::Panorama);
        // A view that sits on a recorded lead carries that lead's anomaly band.
        let on_lead = self
            .state
            .nearest_recorded()
            .filter(|(_, angle)| *angle < 1e-6)
            .map(|(name, _)| name);
        let status = Status {
            output: self.synth.latest.get(&Purpose::Panorama),
            busy,
            engine_error: engine_error.as_deref(),
            engine_loading,
            heat: on_lead.as_deref().and_then(|n| self.anomaly.heat(n)),
        };
        let wanted = panorama_view(ui, &mut self.state, &status);
        let view = vec![self.state.viewpoint];
        self.request(Purpose::Panorama, &wanted, view);
    }

    fn grid(&mut self, ui: &mut egui::Ui) {
        let (engine_error, _) = self.engine_status();
        if let Some(e) = engine_error {
            ui.colored_label(ui.visuals().error_fg_color, e);
        }
        let busy = self.synth.busy(Purpose::Grid);
        let output = self.synth.latest.get(&Purpose::Grid).cloned();
        grid_view(ui, &mut self.state, output.as_ref(), busy);
        let (views, _) = grid_views(self.state.grid);
        let cycle = self.state.cycle;
        self.request(Purpose::Grid, &[cycle], views);
    }

    fn menu_bar(&mut self, ui: &mut egui::Ui) {
        egui::MenuBar::new().ui(ui, |ui| {
            ui.menu_button("File", |ui| {
                if ui.button("Open…").clicked() {
                    self.pick_file();
                }
                ui.menu_button("Open recent", |ui| {
                    for p in self.state.recent.clone() {
                        if ui.button(p.display().to_string()).clicked() {
                            self.open(Some(p));
                        }
                    }
                });
                if ui.button("Open the demo record").clicked() {
                    self.open(None);
                }
                ui.separator();
                if ui
                    .add_enabled(
                        self.state.annotations.is_some(),
                        egui::Button::new("Save annotations…"),
                    )
                    .clicked()
                {
                    self.open_save();
                }
                if ui
                    .add_enabled(self.state.record.is_some(), egui::Button::new("Export…"))
                    .clicked()
                {
                    let what = match self.state.view {
                        View::Annotate => What::Record,
                        View::Panorama | View::HeartVector => What::View,
                        View::Grid => What::Grid,
                    };
                    self.open_export(what);
                }
                ui.separator();
                if ui.button("Quit").clicked() {
                    ui.ctx().send_viewport_cmd(egui::ViewportCommand::Close);
                }
            });
            ui.separator();
            for (v, name) in [
                (View::Annotate, "Record"),
                (View::Panorama, "Panorama"),
                (View::Grid, "Grid"),
                (View::HeartVector, "Heart vector"),
            ] {
                ui.selectable_value(&mut self.state.view, v, name);
            }
            ui.separator();
            let field = ui.add(
                egui::TextEdit::singleline(&mut self.state.path_field)
                    .hint_text("record path")
                    .desired_width(280.0),
            );
            let enter = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
            if (ui.button("Open path").clicked() || enter)
                && !self.state.path_field.trim().is_empty()
            {
                let p = PathBuf::from(self.state.path_field.trim());
                self.open(Some(p));
            }
            if let Some(r) = &self.state.record {
                ui.separator();
                ui.strong(&r.name);
            }
        });
    }

    fn status_bar(&mut self, ui: &mut egui::Ui) {
        if let Some(j) = &self.load {
            progress_ui(ui, j);
        }
        if let Some(j) = &self.annotate {
            progress_ui(ui, j);
        }
        if let Some(j) = &self.filter {
            progress_ui(ui, j);
        }
        if let Some(j) = &self.export_job {
            progress_ui(ui, j);
        }
        ui.horizontal(|ui| self.anomaly_status(ui));
        let last = self.state.messages.last().cloned();
        if let Some(m) = last {
            ui.horizontal(|ui| {
                if m.error {
                    ui.colored_label(ui.visuals().error_fg_color, &m.text);
                } else {
                    ui.label(&m.text);
                }
                if ui.small_button("Dismiss").clicked() {
                    self.state.messages.clear();
                }
            });
        }
    }

    fn pick_file(&mut self) {
        // Without a desktop portal the dialog returns at once with nothing: the path field
        // and drag-and-drop remain.
        self.open_dialog = Some(Job::spawn("Choosing a file", self.ctx.clone(), |_| {
            Ok(rfd::FileDialog::new()
                .set_title("Open an ECG record")
                .add_filter("ECG records", &["hea", "dat", "mat", "edf", "npy", "csv"])
                .add_filter("All files", &["*"])
                .pick_file())
        }));
    }

    fn dropped_files(&mut self, ui: &egui::Ui) {
        let dropped = ui.input(|i| i.raw.dropped_files.first().map(|f| f.path().to_path_buf()));
        if let Some(p) = dropped {
            self.open(Some(p));
        }
    }

    fn keys(&mut self, ui: &egui::Ui) {
        if ui.input_mut(|i| i.consume_key(egui::Modifiers::COMMAND, egui::Key::S))
            && self.state.annotations.is_some()
        {
            self.open_save();
        }
        if ui.input_mut(|i| i.consume_key(egui::Modifiers::COMMAND, egui::Key::O)) {
            self.pick_file();
        }
    }
}
