//! Export → 12-lead report: the app hands the record on screen, its cycles and the paper's
//! left edge to the export module's report and writes it in the background.

use super::core::App;
use super::jobs::Job;
use crate::export::FigureFormat;
use crate::export::report::{ReportInput, page_rate, patient_info, report_header, write_report};
use std::path::PathBuf;

impl App {
    /// Write the 12-lead report of the displayed record (10 s from the paper's left edge) on
    /// the dialog's paper; the job's result names the file.
    pub fn export_report(&mut self, format: FigureFormat, path: PathBuf) {
        let s = &self.state;
        let (record, record_path) = (s.display.clone(), s.record_path.clone());
        let (cycles, start_s, paper) = (s.cycles(), s.paper.t0, self.export_dialog.paper);
        let source = s.annotations.as_ref().map(|a| a.source());
        // The measurements table's, so the report shows the boundaries as edited.
        let header = s.measures.measures.as_ref().map(|m| m.header());
        self.export_job = Some(Job::spawn("Exporting", self.ctx.clone(), move |p| {
            let record = record.ok_or_else(|| anyhow::anyhow!("no record is open"))?;
            p.report(0.2, path.display().to_string());
            let mut input = ReportInput::new(&record);
            input.paper = paper;
            // The page starts on a whole 5 mm square, as the paper on screen may not.
            input.start_s = (start_s * 5.0).floor() / 5.0;
            input.patient = patient_info(&record, record_path.as_deref());
            let rate = page_rate(&cycles, record.fs, input.window());
            input.measures = report_header(header.unwrap_or_default(), rate);
            if cycles.is_empty() {
                // Edits can leave a record with beats but no cycle: blame the signal only when
                // no lead holds one.
                input.note =
                    crate::delineate::no_beats::why_silent(&record)?.unwrap_or_else(|| {
                        "no complete cycle is marked, so nothing is measured".into()
                    });
            } else if let Some(source) = source {
                input.note = format!("measurements from the cycles ({source})");
            }
            write_report(&input, format, &path, crate::export::DEFAULT_DPI)?;
            Ok(format!("Exported {}", path.display()))
        }));
    }
}
