//! A counting global allocator: the largest single allocation, and the most memory in use,
//! since the last reset.
//!
//! The marks are process-wide, not per thread, because the WFDB decoder fills its columns on
//! scoped worker threads (and the crate decoders allocate there); the fuzz runs hold one lock
//! so that only one reader runs at a time and the marks are its own.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, AtomicUsize, Ordering};

/// `System`, recording allocation sizes beside it.
pub struct PeakAlloc;

static LARGEST: AtomicUsize = AtomicUsize::new(0);
static LIVE: AtomicIsize = AtomicIsize::new(0);
static LIVE_AT_RESET: AtomicIsize = AtomicIsize::new(0);
static LIVE_PEAK: AtomicIsize = AtomicIsize::new(0);

fn grew(size: usize, by: isize) {
    LARGEST.fetch_max(size, Ordering::Relaxed);
    let live = LIVE.fetch_add(by, Ordering::Relaxed) + by;
    LIVE_PEAK.fetch_max(live, Ordering::Relaxed);
}

// SAFETY: every call forwards to `System` unchanged; only counters are updated beside it.
unsafe impl GlobalAlloc for PeakAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        grew(layout.size(), layout.size() as isize);
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        grew(layout.size(), layout.size() as isize);
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        grew(new_size, new_size as isize - layout.size() as isize);
        // SAFETY: same contract as the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: PeakAlloc = PeakAlloc;

/// Forget earlier allocations.
pub fn reset() {
    let live = LIVE.load(Ordering::Relaxed);
    LIVE_AT_RESET.store(live, Ordering::Relaxed);
    LIVE_PEAK.store(live, Ordering::Relaxed);
    LARGEST.store(0, Ordering::Relaxed);
}

/// The largest single allocation since the last [`reset`], in bytes.
pub fn largest() -> usize {
    LARGEST.load(Ordering::Relaxed)
}

/// The most memory in use at once since the last [`reset`], beyond what was in use then.
pub fn live_peak() -> usize {
    let grown = LIVE_PEAK.load(Ordering::Relaxed) - LIVE_AT_RESET.load(Ordering::Relaxed);
    grown.max(0) as usize
}
