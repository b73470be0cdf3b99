//! `ecg-panorama bench`: in-process timings.

use super::RecordArg;
use std::io::Write;
use std::time::Instant;

/// What to benchmark.
#[derive(clap::Subcommand)]
pub enum BenchCommand {
    /// Median time to load a whole record into mV.
    Read {
        #[command(flatten)]
        record: RecordArg,
        /// Number of timed loads (after one warm-up load).
        #[arg(long, default_value_t = 20)]
        repeat: usize,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

/// Run a benchmark.
pub fn run(cmd: &BenchCommand) -> anyhow::Result<()> {
    match cmd {
        BenchCommand::Read {
            record,
            repeat,
            json,
        } => {
            let warm = record.load()?;
            let samples = warm.total_samples();
            let mut times: Vec<f64> = (0..(*repeat).max(1))
                .map(|_| {
                    let t = Instant::now();
                    let r = record.load();
                    let dt = t.elapsed().as_secs_f64();
                    r.map(|r| {
                        std::hint::black_box(r);
                        dt
                    })
                })
                .collect::<Result<_, _>>()?;
            times.sort_by(f64::total_cmp);
            let median = times[times.len() / 2];
            let min = times[0];
            let msps = samples as f64 / median / 1e6;
            if *json {
                let out = serde_json::json!({
                    "record": warm.name,
                    "samples": samples,
                    "repeat": times.len(),
                    "median_ms": median * 1e3,
                    "min_ms": min * 1e3,
                    "msamples_per_s": msps,
                });
                writeln!(std::io::stdout(), "{}", serde_json::to_string_pretty(&out)?)?;
            } else {
                writeln!(
                    std::io::stdout(),
                    "{}: {} samples, median {:.3} ms (min {:.3} ms) over {} loads, {:.1} Msamples/s",
                    warm.name,
                    samples,
                    median * 1e3,
                    min * 1e3,
                    times.len(),
                    msps
                )?;
            }
            Ok(())
        }
    }
}
