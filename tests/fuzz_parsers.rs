//! Fuzzed parsers: every reader of outside bytes (WFDB headers, signal files in formats 16,
//! 212, 16x1+24, 80, 310, 311 and the other crate formats, WFDB annotation files, JSON cycle
//! labels, Tianchi `.npy`, CSV, EDF, model weights) reads real files of `../shared/data` mutated by
//! a seeded generator: truncations, bit flips, inserted and deleted bytes, and absurd header
//! fields (gain 0, negative or 1e308, 10¹² samples, `16x0`, rates of 0 or 10⁹, thousands of
//! signals, bytes that are not UTF-8). Each read must end in `Ok` or an error naming the
//! file — never a panic, a hang (over 2 s) or an allocation beyond what the files can hold.
//!
//! The bounded run (2,600 mutations) is part of the suite. A longer one, with another seed:
//!
//! ```sh
//! ECG_PANORAMA_FUZZ_MUTATIONS=200000 ECG_PANORAMA_FUZZ_SEED=1 \
//!     cargo test --release --test fuzz_parsers -- --nocapture
//! ```
//!
//! A failure is written as a recipe to `target/tmp/fuzz-failures/`; once the reader is fixed,
//! its (minimised) folder goes to `tests/fuzz-regressions/`, replayed by every run.

mod common;
mod fuzz;

use fuzz::check::Outcome;
use fuzz::mutate::mutate;
use fuzz::regress::{Input, dump, load, regressions_dir};
use fuzz::rng::Rng;
use fuzz::targets::{Case, Target, targets};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::Instant;

/// Mutations of the bounded run, shared evenly by the targets.
const DEFAULT_MUTATIONS: usize = 2_600;

/// One reader at a time, so the allocation mark is that reader's alone.
static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name).map_or(default, |v| {
        v.trim()
            .parse()
            .unwrap_or_else(|_| panic!("{name}={v:?} is not a number"))
    })
}

/// FNV-1a, to give each target its own stream of seeds.
fn name_hash(name: &str) -> u64 {
    name.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Write a case's unmutated files to its own folder under `root`.
fn write_case(root: &Path, case: &Case) -> PathBuf {
    let dir = root.join(&case.name);
    std::fs::create_dir_all(&dir).unwrap();
    for f in &case.files {
        std::fs::write(dir.join(&f.name), &f.bytes).unwrap();
    }
    dir
}

/// Counts of one target's run.
#[derive(Default)]
struct Tally {
    read: usize,
    refused: usize,
    failures: Vec<String>,
}

/// Run `n` mutations of `target`; new failures are kept as recipes under `failures`.
fn fuzz_target(target: &Target, n: usize, seed: u64, failures: &Path) -> Tally {
    let root = tempfile::tempdir().unwrap();
    let dirs: Vec<PathBuf> = target
        .cases
        .iter()
        .map(|c| write_case(root.path(), c))
        .collect();
    let mut tally = Tally::default();
    for k in 0..n {
        let mut rng = Rng::new(name_hash(target.name) ^ seed.rotate_left(32) ^ k as u64);
        let c = rng.below(target.cases.len());
        let (case, dir) = (&target.cases[c], &dirs[c]);
        let file = &case.files[*rng.pick(&case.mutable)];
        let mut bytes = file.bytes.clone();
        let mutations = mutate(&mut rng, &mut bytes, file.kind);
        std::fs::write(dir.join(&file.name), &bytes).unwrap();
        let names: Vec<String> = case.files.iter().map(|f| f.name.clone()).collect();
        let total = case.files.iter().map(|f| f.bytes.len()).sum::<usize>() + bytes.len()
            - file.bytes.len();
        match fuzz::check::run(case.reader, &dir.join(&case.open), &names, total) {
            Ok(Outcome::Read) => tally.read += 1,
            Ok(Outcome::Refused) => tally.refused += 1,
            Err(why) => {
                let out = failures.join(format!("{}-{seed}-{k}", case.name));
                dump(&out, case, &file.name, &mutations, &why);
                tally.failures.push(format!(
                    "{}: {} mutated ({}): {why}",
                    target.name,
                    file.name,
                    out.display()
                ));
            }
        }
        std::fs::write(dir.join(&file.name), &file.bytes).unwrap();
    }
    tally
}

#[test]
fn unmutated_files_read_within_the_bounds() {
    let _one = serial();
    let targets = targets(&common::data_dir());
    for case in targets.iter().flat_map(|t| &t.cases) {
        let dir = tempfile::tempdir().unwrap();
        match Input::of_case(case).check_in(dir.path()) {
            Ok(Outcome::Read) => {}
            other => panic!("{}: {other:?}", case.name),
        }
    }
}

#[test]
fn mutated_files_end_in_ok_or_a_named_error() {
    let _one = serial();
    let total = env_number("ECG_PANORAMA_FUZZ_MUTATIONS", DEFAULT_MUTATIONS as u64) as usize;
    let seed = env_number("ECG_PANORAMA_FUZZ_SEED", 0);
    let failures = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("fuzz-failures");
    let targets = targets(&common::data_dir());
    let per_target = total.div_ceil(targets.len());
    let start = Instant::now();
    let mut all = Vec::new();
    for target in &targets {
        let t0 = Instant::now();
        let tally = fuzz_target(target, per_target, seed, &failures);
        println!(
            "{:<40} {per_target:>7} mutations: {:>7} read, {:>7} refused, {:>4} failed ({:.1} s)",
            target.name,
            tally.read,
            tally.refused,
            tally.failures.len(),
            t0.elapsed().as_secs_f64()
        );
        all.extend(tally.failures);
    }
    println!(
        "{} mutations in {:.1} s (seed {seed})",
        per_target * targets.len(),
        start.elapsed().as_secs_f64()
    );
    assert!(
        all.is_empty(),
        "{} inputs broke a rule (recipes under {}):\n{}",
        all.len(),
        failures.display(),
        all.iter().take(30).cloned().collect::<Vec<_>>().join("\n")
    );
}

#[test]
fn kept_failures_stay_fixed() {
    let _one = serial();
    let targets = targets(&common::data_dir());
    let cases: Vec<&Case> = targets.iter().flat_map(|t| &t.cases).collect();
    let mut folders: Vec<PathBuf> = std::fs::read_dir(regressions_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    folders.sort();
    assert!(!folders.is_empty(), "no kept failures found");
    let mut broken = Vec::new();
    for folder in &folders {
        let dir = tempfile::tempdir().unwrap();
        let input = load(folder, &cases).unwrap();
        if let Err(why) = input.check_in(dir.path()) {
            broken.push(format!("{}: {why}", folder.display()));
        }
    }
    println!("{} kept failures replayed", folders.len());
    assert!(broken.is_empty(), "{}", broken.join("\n"));
}
