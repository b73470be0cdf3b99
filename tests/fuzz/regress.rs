//! Kept failures: each folder of `tests/fuzz-regressions/` is one input that once broke a
//! rule, replayed on every run.
//!
//! `case.txt` holds `key: value` lines (`#` starts a comment):
//! - `case: NAME` starts from the files, reader and path of the built-in case NAME;
//! - `reader: record|annotations|labels|nefnet|delineator` and `open: PATH` set or override them;
//! - `mutate: FILE MUTATION` applies a recipe line of `mutate.rs` to FILE, in order.
//!
//! Every other file in the folder is put in the case as it is (a small mutated header, say),
//! replacing the built-in file of the same name; large inputs are kept as `case` + `mutate`
//! recipes instead.

use super::check::{Outcome, run};
use super::mutate::Mutation;
use super::targets::{Case, Reader};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The folder of kept failures.
pub fn regressions_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz-regressions")
}

/// An input ready to read: its files, the reader and the path handed to it.
pub struct Input {
    /// File name → content.
    pub files: BTreeMap<String, Vec<u8>>,
    /// The reader.
    pub reader: Reader,
    /// Path relative to the folder the files are written to.
    pub open: String,
}

impl Input {
    /// The unmutated files of a built-in case.
    pub fn of_case(case: &Case) -> Self {
        Self {
            files: case
                .files
                .iter()
                .map(|f| (f.name.clone(), f.bytes.clone()))
                .collect(),
            reader: case.reader,
            open: case.open.clone(),
        }
    }

    /// Write the files to `dir` and read them under the rules of `check::run`.
    pub fn check_in(&self, dir: &Path) -> Result<Outcome, String> {
        for (name, bytes) in &self.files {
            std::fs::write(dir.join(name), bytes).unwrap();
        }
        let names: Vec<String> = self.files.keys().cloned().collect();
        let total = self.files.values().map(Vec::len).sum();
        run(self.reader, &dir.join(&self.open), &names, total)
    }
}

/// The input a kept-failure folder describes.
pub fn load(folder: &Path, cases: &[&Case]) -> Result<Input, String> {
    let text = std::fs::read_to_string(folder.join("case.txt"))
        .map_err(|e| format!("{}/case.txt: {e}", folder.display()))?;
    let mut input: Option<Input> = None;
    let (mut reader, mut open, mut mutations) = (None, None, Vec::new());
    for line in text.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (key, value) = line
            .split_once(':')
            .ok_or_else(|| format!("{}: bad line {line:?}", folder.display()))?;
        let value = value.trim();
        match key {
            "case" => {
                let case = cases
                    .iter()
                    .find(|c| c.name == value)
                    .ok_or_else(|| format!("{}: no built-in case {value}", folder.display()))?;
                input = Some(Input::of_case(case));
            }
            "reader" => reader = Some(Reader::parse(value).ok_or(format!("reader {value}"))?),
            "open" => open = Some(value.to_string()),
            "mutate" => {
                let (file, m) = value.split_once(' ').ok_or(format!("mutate {value}"))?;
                mutations.push((file.to_string(), Mutation::parse(m)?));
            }
            _ => return Err(format!("{}: unknown key {key}", folder.display())),
        }
    }
    let mut input = match (input, reader, open) {
        (Some(i), r, o) => Input {
            reader: r.unwrap_or(i.reader),
            open: o.unwrap_or(i.open.clone()),
            ..i
        },
        (None, Some(reader), Some(open)) => Input {
            files: BTreeMap::new(),
            reader,
            open,
        },
        _ => {
            return Err(format!(
                "{}: needs `case:` or `reader:` and `open:`",
                folder.display()
            ));
        }
    };
    for entry in std::fs::read_dir(folder).map_err(|e| e.to_string())? {
        let path = entry.map_err(|e| e.to_string())?.path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name != "case.txt" {
            input
                .files
                .insert(name, std::fs::read(&path).map_err(|e| e.to_string())?);
        }
    }
    for (file, m) in &mutations {
        let bytes = input
            .files
            .get_mut(file)
            .ok_or_else(|| format!("{}: mutates missing file {file}", folder.display()))?;
        m.apply(bytes);
    }
    Ok(input)
}

/// Keep a new failure as a recipe under `out`: the case, the mutations and why it failed.
pub fn dump(out: &Path, case: &Case, file: &str, mutations: &[Mutation], why: &str) {
    std::fs::create_dir_all(out).unwrap();
    let origin = case
        .files
        .iter()
        .find(|f| f.name == file)
        .and_then(|f| f.origin.clone())
        .unwrap_or_else(|| "written by the test".into());
    let mut text = format!(
        "# {why}\n# source: {origin}\ncase: {}\nreader: {}\n",
        case.name,
        case.reader.name()
    );
    for m in mutations {
        text.push_str(&format!("mutate: {file} {}\n", m.to_text()));
    }
    std::fs::write(out.join("case.txt"), text).unwrap();
}
