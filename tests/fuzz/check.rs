//! Running one reader on one input under the rules: no panic, no hang, no allocation beyond
//! what the files can hold, and an error that names the file.

use super::alloc::{largest, live_peak, reset};
use super::targets::Reader;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

/// Longest a reader may take on one input.
pub const WATCHDOG: Duration = Duration::from_secs(2);

/// The largest single allocation, and the most memory held at once, allowed while reading
/// files of `total_bytes` bytes.
///
/// A reader holds at most a few copies of its input, and the widest is a decoded signal
/// column: one 8-byte f64 per stored sample, which takes as little as one byte (formats 8
/// and 80, so 8×), and an annotation list, one 64-byte entry per 2-byte word (32×); a `Vec`
/// grown by doubling may hold twice what it needs, hence 64×. The fixed 16 MiB covers what
/// does not grow with the input (format 212 tables, candle's and the threads' own buffers);
/// a sample count of 10¹² or a 10⁶-sample frame asks for far more than either.
pub fn alloc_limit(total_bytes: usize) -> usize {
    64 * total_bytes + (16 << 20)
}

/// What a reader made of an input that broke no rule.
#[derive(Debug)]
pub enum Outcome {
    /// It read the input.
    Read,
    /// It refused it with an error naming the file.
    Refused,
}

/// Read `entry` with `reader` on a watchdog thread; `names` are the file names the error
/// may name, `total_bytes` their size. `Err` says which rule was broken.
pub fn run(
    reader: Reader,
    entry: &Path,
    names: &[String],
    total_bytes: usize,
) -> Result<Outcome, String> {
    let (tx, rx) = mpsc::channel();
    let path = entry.to_path_buf();
    std::thread::spawn(move || {
        reset();
        let result = catch_unwind(AssertUnwindSafe(|| reader.read(&path)));
        let _ = tx.send((result, largest(), live_peak()));
    });
    let (result, largest, live) = match rx.recv_timeout(WATCHDOG) {
        Ok(r) => r,
        Err(_) => return Err(format!("no answer within {WATCHDOG:?}")),
    };
    let limit = alloc_limit(total_bytes);
    match result {
        Err(payload) => {
            let msg = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "(no message)".into());
            // Checked before the allocations: the panic machinery's backtrace is no reader's.
            Err(format!("panicked: {msg}"))
        }
        _ if largest > limit => Err(format!(
            "allocated {largest} bytes at once, more than {limit} for {total_bytes} bytes of input"
        )),
        _ if live > limit => Err(format!(
            "held {live} bytes at once, more than {limit} for {total_bytes} bytes of input"
        )),
        Ok(Ok(())) => Ok(Outcome::Read),
        Ok(Err(msg)) => {
            let dir = entry
                .parent()
                .unwrap_or(Path::new(""))
                .display()
                .to_string();
            if msg.contains(&dir) && names.iter().any(|n| msg.contains(n.as_str())) {
                Ok(Outcome::Refused)
            } else {
                Err(format!("error does not name the file: {msg}"))
            }
        }
    }
}
