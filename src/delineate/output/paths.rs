//! Output file names: each lead's annotation-file extension (LUDB's `i`, `avr`, `v1`, …) and
//! the paths a write produces.

use super::OutputFormat;
use crate::delineate::Delineation;
use std::path::{Path, PathBuf};

/// Extensions that belong to signal, header or label files: a lead named like one of them must
/// not take its place beside the record.
const RESERVED: [&str; 7] = ["hea", "dat", "mat", "xyz", "npy", "csv", "json"];

/// The annotation-file extension of a lead: its canonical name in lower case (`i`, `avr`, `v1`,
/// `vx`), other characters than ASCII letters and digits replaced by `_`.
pub fn lead_extension(lead: &str) -> String {
    let ext: String = lead
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    let ext = ext.trim_matches('_').to_string();
    if RESERVED.contains(&ext.as_str()) {
        format!("lead_{ext}")
    } else {
        ext
    }
}

/// The extension of every lead of `d`, in lead order; unnamed leads become `leadK` (from 1) and
/// repeated names get `_2`, `_3`, … so that no two leads share a file.
pub fn lead_extensions(d: &Delineation) -> Vec<String> {
    unique_extensions(d.leads.iter().map(|l| l.lead.as_str()))
}

/// [`lead_extensions`] of leads named `leads` (canonical names, in the record's order).
pub fn unique_extensions<'a>(leads: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (k, lead) in leads.into_iter().enumerate() {
        let mut ext = lead_extension(lead);
        if ext.is_empty() {
            ext = format!("lead{}", k + 1);
        }
        let base = ext.clone();
        let mut n = 2;
        while out.contains(&ext) {
            ext = format!("{base}_{n}");
            n += 1;
        }
        out.push(ext);
    }
    out
}

/// The files `write_outputs` would write, in writing order (leads, then the JSON file).
pub fn output_paths(
    record_name: &str,
    d: &Delineation,
    dir: &Path,
    format: OutputFormat,
) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if format.wfdb() {
        for ext in lead_extensions(d) {
            out.push(dir.join(format!("{record_name}.{ext}")));
        }
    }
    if format.json() {
        out.push(dir.join(format!("{record_name}.json")));
    }
    out
}
