//! Electrocardio Panorama: real ECG records in, cardiac cycles delineated, and the ECG seen
//! from any viewpoint on a sphere around the heart.
//!
//! The data path flows one way: [`record`] → [`signal`] → [`delineate`] → [`panorama`] →
//! [`app`] / [`export`].

#![warn(missing_docs)]

pub mod anomaly;
pub mod app;
pub mod delineate;
pub mod error;
pub mod eval;
pub mod export;
pub mod fsio;
pub mod geometry;
pub mod linalg;
pub mod measure;
pub mod model;
pub mod nn;
pub mod panorama;
pub mod record;
pub mod signal;
pub mod stats;
pub mod vcg;

pub use error::{Error, Result};

/// Keep freed tensor buffers in the process: the network's multi-megabyte temporaries would
/// otherwise be mapped and unmapped on every operation, and the page faults and TLB shootdowns
/// cost more than the arithmetic (a training step runs 3× faster with this).
pub fn tune_allocator() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes glibc's allocation thresholds; called before heavy allocation.
    unsafe {
        // 32 MiB is glibc's largest accepted mmap threshold; larger values are ignored.
        libc::mallopt(libc::M_MMAP_THRESHOLD, 32 << 20);
        libc::mallopt(libc::M_TRIM_THRESHOLD, 256 << 20);
    }
}

/// Fix the worker count candle reads: without `RAYON_NUM_THREADS` it counts the physical
/// cores again (reading `/proc/cpuinfo`) on every tensor operation, which made up half the
/// time of rendering one view. Sets it to the available parallelism when unset; call first
/// thing in `main`, before any thread exists.
pub fn fix_thread_count() {
    if std::env::var_os("RAYON_NUM_THREADS").is_none() {
        let n = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
        // SAFETY: called at the start of `main`, while the process has a single thread, so no
        // other thread can read the environment concurrently.
        unsafe { std::env::set_var("RAYON_NUM_THREADS", n.to_string()) };
    }
}

/// The shared ECG data unit tests read: `ECG_PANORAMA_DATA`, else `../shared/data` beside the
/// checkout — the same rule as the integration tests.
#[cfg(test)]
pub(crate) fn test_data_dir() -> std::path::PathBuf {
    match std::env::var_os("ECG_PANORAMA_DATA") {
        Some(dir) => dir.into(),
        None => std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data"),
    }
}
