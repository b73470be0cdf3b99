//! One record or a folder of them for the commands that draw pages (`report`, `figure`): the
//! output format, the progress bar, and the records that failed, listed at the end.

use anyhow::{Context, bail};
use ecg_panorama::export::FigureFormat;
use indicatif::{ProgressBar, ProgressStyle};
use std::path::{Path, PathBuf};

/// A page's file format, as `--format` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutFormat {
    /// One-page PDF in true mm.
    Pdf,
    /// SVG sized in mm.
    Svg,
    /// PNG at `--dpi`.
    Png,
}

impl From<OutFormat> for FigureFormat {
    fn from(f: OutFormat) -> Self {
        match f {
            OutFormat::Pdf => FigureFormat::Pdf,
            OutFormat::Svg => FigureFormat::Svg,
            OutFormat::Png => FigureFormat::Png,
        }
    }
}

/// Where the pages go and in which format.
pub struct Batch<'a> {
    /// The record argument: a record or a folder of records.
    pub input: &'a Path,
    /// `--out`: a file for one record, a folder for a folder.
    pub out: &'a Path,
    /// `--format`, if given.
    pub format: Option<OutFormat>,
    /// The format of a folder's pages when `--format` is not given.
    pub default_format: FigureFormat,
    /// Added to each record's name in a folder's page names (e.g. "-grid").
    pub suffix: &'a str,
}

/// The records of a folder: WFDB headers (by their stem) and Tianchi `.npy` files, sorted.
fn records_in(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("cannot list {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .filter_map(|p| match p.extension()?.to_str()? {
            "hea" => Some(p.with_extension("")),
            "npy" => Some(p),
            _ => None,
        })
        .collect();
    out.sort();
    Ok(out)
}

impl Batch<'_> {
    /// Draw every record with `draw(record, out_path, format)`: one record → one file, any
    /// failure an error; a folder → one page per record, failures skipped and listed, an
    /// error only when every record failed.
    pub fn run(
        &self,
        draw: impl Fn(&Path, &Path, FigureFormat) -> anyhow::Result<()>,
    ) -> anyhow::Result<()> {
        if !self.input.is_dir() {
            let format = self.single_format()?;
            // The record's own errors name its files; a bare step (no record yet) gets its path.
            return draw(self.input, self.out, format).map_err(|e| {
                let named = format!("{e:#}").contains(&*self.input.to_string_lossy());
                if named {
                    e
                } else {
                    e.context(self.input.display().to_string())
                }
            });
        }
        let format = self.format.map_or(self.default_format, FigureFormat::from);
        if self.out.is_file() {
            bail!(
                "--out {}: a folder of records needs an output folder, not a file",
                self.out.display()
            );
        }
        let records = records_in(self.input)?;
        if records.is_empty() {
            bail!(
                "{}: no records (WFDB .hea or .npy files) in this folder",
                self.input.display()
            );
        }
        std::fs::create_dir_all(self.out)
            .with_context(|| format!("cannot create {}", self.out.display()))?;
        let bar = progress(records.len());
        let mut skipped = Vec::new();
        for rec in &records {
            let name = rec.file_stem().unwrap_or_default().to_string_lossy();
            bar.set_message(name.to_string());
            let file = self
                .out
                .join(format!("{name}{}.{}", self.suffix, format.extension()));
            if let Err(e) = draw(rec, &file, format) {
                skipped.push((rec, e));
            }
            bar.inc(1);
        }
        bar.finish_and_clear();
        let written = records.len() - skipped.len();
        eprintln!(
            "{written} of {} records written to {}",
            records.len(),
            self.out.display()
        );
        if !skipped.is_empty() {
            eprintln!("skipped {}:", skipped.len());
            for (rec, e) in &skipped {
                eprintln!("  {}: {e:#}", rec.display());
            }
        }
        if written == 0 {
            bail!("every record of {} failed", self.input.display());
        }
        Ok(())
    }

    /// The format of one record's page: `--format`, else `--out`'s extension; both must agree.
    fn single_format(&self) -> anyhow::Result<FigureFormat> {
        let from_ext = FigureFormat::from_path(self.out);
        match (self.format.map(FigureFormat::from), from_ext) {
            (Some(f), Some(e)) if f != e => bail!(
                "--format {} but --out {} names a .{} file",
                f.extension(),
                self.out.display(),
                e.extension()
            ),
            (Some(f), _) | (None, Some(f)) => Ok(f),
            (None, None) => bail!(
                "--out {}: give a .pdf, .svg or .png file name (or --format)",
                self.out.display()
            ),
        }
    }
}

/// A bar on a terminal; hidden otherwise, so logs only get the summary.
fn progress(total: usize) -> ProgressBar {
    if !std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(total as u64);
    bar.set_style(
        ProgressStyle::with_template("{elapsed_precise} [{bar:40}] {pos}/{len} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar
}
