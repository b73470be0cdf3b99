//! Keeping edits: saving annotations (never over an existing file without the user's say),
//! autosaving to the recovery file a second after each edit, and the prompt before closing.

use super::core::App;
use super::jobs::{Job, take_done};
use crate::delineate::edit::{AnnotationDoc, LeadDocs, Recovery, refuse_existing};
use eframe::egui;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Quiet time after an edit before the recovery file is written.
const AUTOSAVE_AFTER: Duration = Duration::from_millis(1000);

/// The save window's state.
#[derive(Debug, Clone, Default)]
pub struct SaveDialog {
    /// Shown.
    pub open: bool,
    /// Folder to save into.
    pub folder: String,
    /// Files that exist and would be replaced: waiting for the user to confirm.
    pub existing: Vec<PathBuf>,
}

/// What a background save sends back: whose documents it saved, the files written, and the
/// documents as saved (their clean state is taken over by the live documents).
pub(super) struct Saved {
    record_id: u64,
    key: PathBuf,
    files: Vec<PathBuf>,
    doc: AnnotationDoc,
    leads: LeadDocs,
}

/// Files as a short list: the first three, then how many more.
fn file_list(files: &[PathBuf]) -> String {
    let mut names: Vec<String> = files
        .iter()
        .take(3)
        .map(|p| p.display().to_string())
        .collect();
    if files.len() > 3 {
        names.push(format!("{} more", files.len() - 3));
    }
    names.join(", ")
}

/// A folder the user can write into (checked by creating a file there).
fn writable(dir: &Path) -> bool {
    tempfile::NamedTempFile::new_in(dir).is_ok()
}

impl App {
    /// The files annotations are saved as in `folder`: `NAME.ii` (WFDB wave file, as LUDB
    /// names lead II's) and `NAME.json` (the seed's labels with the cycles) for the cycles,
    /// then the per-lead files `NAME.<lead>` ([`LeadDocs::files_to_save`] says which).
    pub fn annotation_files(&self, folder: &Path) -> Option<Vec<PathBuf>> {
        let name = &self.state.record.as_ref()?.name;
        let a = self.state.annotations.as_ref()?;
        Some(a.leads.save_plan(folder, name))
    }

    /// The folder annotations go to by default: beside the record when writable, else the
    /// `annotations` folder in the user's data folder.
    pub fn default_save_folder(&self) -> PathBuf {
        let beside = self
            .state
            .record_path
            .as_deref()
            .and_then(Path::parent)
            .map(|p| {
                if p.as_os_str().is_empty() {
                    Path::new(".")
                } else {
                    p
                }
            });
        match beside {
            Some(dir) if writable(dir) => dir.to_path_buf(),
            _ => self.data_dir.join("annotations"),
        }
    }

    /// Start saving the annotations (the cycles and the leads) into `folder` in the
    /// background; existing files are replaced only with `overwrite`. Returns the cycles' two
    /// files (wave file, JSON labels); [`App::annotation_files`] lists every file. The
    /// documents stay dirty until the save reports success (then the recovery file goes); a
    /// failure is shown as an error and the edits stay, in the documents and the recovery file.
    pub fn save_annotations(
        &mut self,
        folder: &Path,
        overwrite: bool,
    ) -> anyhow::Result<(PathBuf, PathBuf)> {
        if self.save_job.is_some() {
            anyhow::bail!("a save is still running");
        }
        let files = self
            .annotation_files(folder)
            .ok_or_else(|| anyhow::anyhow!("no record or no annotations yet"))?;
        let name = self
            .state
            .record
            .as_ref()
            .map(|r| r.name.clone())
            .unwrap_or_default();
        let a = self
            .state
            .annotations
            .as_ref()
            .ok_or_else(|| anyhow::anyhow!("no annotations yet"))?;
        // Checked here too so the dialog can ask at once; the writer refuses again if a file
        // appears meanwhile.
        let paths: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
        refuse_existing(&paths, overwrite)?;
        let (mut doc, mut leads) = (a.doc.clone(), a.leads.clone());
        let (record_id, key) = (self.state.record_id, a.key.clone());
        let folder = folder.to_path_buf();
        self.save_job = Some(Job::spawn(
            "Saving annotations",
            self.ctx.clone(),
            move |_| {
                std::fs::create_dir_all(&folder)
                    .map_err(|e| anyhow::anyhow!("{}: {e}", folder.display()))?;
                let files = leads.save_with_cycles(&mut doc, &folder, &name, overwrite)?;
                Ok(Saved {
                    record_id,
                    key,
                    files,
                    doc,
                    leads,
                })
            },
        ));
        Ok((files[0].clone(), files[1].clone()))
    }

    /// Take in a finished background save.
    pub(super) fn saved(&mut self) {
        let Some(r) = take_done(&mut self.save_job) else {
            return;
        };
        let s = match r {
            Ok(s) => s,
            Err(e) => return self.state.error(format!("Not saved: {e}")),
        };
        let same_record = s.record_id == self.state.record_id;
        if let Some(a) = self.state.annotations.as_mut().filter(|_| same_record) {
            a.doc.take_saved(&s.doc);
            a.leads.take_saved(&s.leads);
            // Edits made while the save ran are in no file yet: their recovery file stays.
            if !a.is_dirty()
                && let Err(e) = Recovery::discard_in(&self.data_dir.join("recovery"), &s.key)
            {
                self.state
                    .error(format!("Saved, but the recovery file stays: {e}"));
            }
        }
        self.state.info(format!("Saved {}", file_list(&s.files)));
    }

    /// Write the recovery file once the document has been quiet for a second.
    pub(super) fn autosave(&mut self) {
        if let Some(r) = self.autosave_job.as_mut().and_then(Job::poll) {
            self.autosave_job = None;
            if let Err(e) = r {
                self.state.error(format!("Autosave failed: {e:#}"));
            }
        }
        let Some(a) = self.state.annotations.as_mut() else {
            return;
        };
        let rev = a.revision();
        if self.last_revision != Some(rev) {
            self.last_revision = Some(rev);
            self.last_edit = Instant::now();
        }
        if !a.needs_autosave()
            || self.last_edit.elapsed() < AUTOSAVE_AFTER
            || self.autosave_job.is_some()
        {
            return;
        }
        a.autosaved = rev;
        let (doc, leads) = (a.doc.clone(), a.leads.clone());
        let (key, dir) = (a.key.clone(), self.recovery_dir());
        self.autosave_job = Some(Job::spawn("Autosaving", self.ctx.clone(), move |_| {
            Recovery::save_all_in(&dir, &doc, &leads, &key)?;
            Ok(())
        }));
    }

    /// True while an edit waits to be autosaved.
    pub(super) fn autosave_pending(&self) -> bool {
        self.autosave_job.is_some()
            || self
                .state
                .annotations
                .as_ref()
                .is_some_and(|a| a.needs_autosave())
    }

    /// The save window.
    pub(super) fn save_window(&mut self, ui: &egui::Ui) {
        let mut d = std::mem::take(&mut self.save_dialog);
        let mut open = d.open;
        egui::Window::new("Save annotations")
            .collapsible(false)
            .open(&mut open)
            .show(ui.ctx(), |ui| {
                ui.label("Folder");
                if ui
                    .add(egui::TextEdit::singleline(&mut d.folder).desired_width(420.0))
                    .changed()
                {
                    d.existing.clear();
                }
                let folder = PathBuf::from(d.folder.trim());
                let files = self.annotation_files(&folder).unwrap_or_default();
                if !files.is_empty() {
                    ui.weak(format!("Writes {}", file_list(&files)));
                }
                if d.existing.is_empty() {
                    if ui.button("Save").clicked() {
                        d.existing = files.into_iter().filter(|p| p.exists()).collect();
                        if d.existing.is_empty() {
                            d.open = !self.save_result(&folder, false);
                        }
                    }
                } else {
                    let names: Vec<String> =
                        d.existing.iter().map(|p| p.display().to_string()).collect();
                    ui.colored_label(
                        ui.visuals().warn_fg_color,
                        format!("These files exist: {}", names.join(", ")),
                    );
                    ui.horizontal(|ui| {
                        if ui.button("Replace them").clicked() {
                            d.open = !self.save_result(&folder, true);
                            d.existing.clear();
                        }
                        if ui.button("Cancel").clicked() {
                            d.existing.clear();
                        }
                    });
                }
            });
        d.open &= open;
        self.save_dialog = d;
    }

    /// Start the save; true when it started (the window closes, the result comes as a message).
    fn save_result(&mut self, folder: &Path, overwrite: bool) -> bool {
        match self.save_annotations(folder, overwrite) {
            Ok(_) => true,
            Err(e) => {
                self.state.error(format!("Not saved: {e:#}"));
                false
            }
        }
    }

    /// Open the save window on the default folder.
    pub(super) fn open_save(&mut self) {
        self.save_dialog = SaveDialog {
            open: true,
            folder: self.default_save_folder().display().to_string(),
            existing: Vec::new(),
        };
    }

    /// Ask before closing the window with unsaved edits (they are in the recovery file).
    pub(super) fn close_guard(&mut self, ui: &egui::Ui) {
        let ctx = ui.ctx();
        if ctx.input(|i| i.viewport().close_requested()) && self.state.dirty() && !self.allow_close
        {
            ctx.send_viewport_cmd(egui::ViewportCommand::CancelClose);
            self.confirm_close = true;
        }
        if !self.confirm_close {
            return;
        }
        egui::Modal::new(ui.scope_id().with("confirm_close")).show(ctx, |ui| {
            ui.heading("Unsaved edits");
            ui.label("The annotations have edits that are not saved. They stay in the recovery file and come back when this record is opened again.");
            ui.horizontal(|ui| {
                if ui.button("Save…").clicked() {
                    self.confirm_close = false;
                    self.open_save();
                }
                if ui.button("Close without saving").clicked() {
                    self.allow_close = true;
                    ctx.send_viewport_cmd(egui::ViewportCommand::Close);
                }
                if ui.button("Cancel").clicked() {
                    self.confirm_close = false;
                }
            });
        });
    }
}
