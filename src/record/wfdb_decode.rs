//! Decoding interleaved WFDB sample frames straight into mV columns.
//!
//! Formats 16 and 212 (every LUDB, PTB, MIT-BIH and CinC record) are decoded from the byte
//! slice directly: the `wfdb` crate's decoders read each sample through a `dyn BufRead` call,
//! which alone costs more than the whole load budget of a 30-minute record. Every other format
//! goes through the crate's decoders.

use wfdb::SignalFormat;
use wfdb::signal::{INVALID_SAMPLE, get_decoder};

/// How to turn a signal's ADC units into mV: `(d − baseline) / gain · to_mv`.
#[derive(Debug, Clone, Copy)]
pub struct Scale {
    /// ADC value of 0 physical units.
    pub baseline: f64,
    /// ADC units per physical unit.
    pub gain: f64,
    /// Physical unit to mV (1 for mV, 1e-3 for µV).
    pub to_mv: f64,
}

impl Scale {
    #[inline]
    fn apply(&self, d: i32) -> f64 {
        // Same operation order as wfdb-python's p_signal, so values agree to the last bit.
        let v = (f64::from(d) - self.baseline) / self.gain;
        if self.to_mv == 1.0 { v } else { v * self.to_mv }
    }
}

/// Byte layout of a file of interleaved frames.
#[derive(Debug, Clone, Copy)]
pub struct Layout {
    /// Signals per frame.
    nsig: usize,
    /// Bits per stored sample.
    bits: usize,
    /// Frames after which the byte stream is aligned again, so chunks decode independently
    /// (`None` for first-difference formats, which carry state from the file's start).
    align: Option<usize>,
}

impl Layout {
    /// The layout of `format` with `nsig` signals per frame, if the format is decodable.
    pub fn of(format: SignalFormat, nsig: usize) -> Option<Self> {
        let (bits, align) = match format {
            SignalFormat::Format8 => (8, None),
            SignalFormat::Format80 => (8, Some(1)),
            SignalFormat::Format16 | SignalFormat::Format61 | SignalFormat::Format160 => {
                (16, Some(1))
            }
            SignalFormat::Format24 => (24, Some(1)),
            SignalFormat::Format32 => (32, Some(1)),
            SignalFormat::Format212 => (12, Some(2 / gcd(2, nsig))),
            // Three samples in four bytes.
            SignalFormat::Format310 | SignalFormat::Format311 => {
                (32 / 3 + 1, Some(3 / gcd(3, nsig)))
            }
            _ => return None,
        };
        Some(Self { nsig, bits, align })
    }

    fn bytes_for(&self, frames: usize) -> usize {
        let samples = frames * self.nsig;
        if self.bits == 11 {
            samples.div_ceil(3) * 4
        } else {
            (samples * self.bits).div_ceil(8)
        }
    }

    /// Complete frames held by `len` bytes.
    pub fn frames_in(&self, len: usize) -> usize {
        let samples = if self.bits == 11 {
            len / 4 * 3
        } else {
            len * 8 / self.bits
        };
        samples / self.nsig
    }
}

/// A zeroed column; long ones ask the kernel for huge pages before the first write, because
/// faulting in a 30-minute record 4 KiB at a time costs more than decoding it.
fn zeroed_column(n: usize) -> Vec<f64> {
    let v = vec![0.0f64; n];
    #[cfg(target_os = "linux")]
    {
        const HUGE: usize = 2 << 20;
        let start = v.as_ptr() as usize;
        let end = start + n * std::mem::size_of::<f64>();
        let (lo, hi) = (start.next_multiple_of(HUGE), end / HUGE * HUGE);
        if hi > lo {
            // SAFETY: advisory only; the range lies inside the allocation, which is not
            // otherwise used until this returns, and madvise never changes its contents.
            unsafe {
                libc::madvise(lo as *mut libc::c_void, hi - lo, libc::MADV_HUGEPAGE);
            }
        }
    }
    v
}

fn gcd(a: usize, b: usize) -> usize {
    if b == 0 { a } else { gcd(b, a % b) }
}

/// Decode `frames` frames of `data` into one mV column per signal, on both cores for long files.
pub fn decode_frames(
    format: SignalFormat,
    initial: i32,
    layout: Layout,
    data: &[u8],
    frames: usize,
    scales: &[Scale],
) -> Result<Vec<Vec<f64>>, String> {
    let nsig = layout.nsig;
    let mut columns: Vec<Vec<f64>> = (0..nsig).map(|_| zeroed_column(frames)).collect();
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(4);
    let chunks = match layout.align {
        Some(_) if frames * nsig >= 200_000 => threads,
        _ => 1,
    };
    let align = layout.align.unwrap_or(1);
    let per_chunk = frames.div_ceil(chunks).div_ceil(align) * align;
    // Hand each chunk its own disjoint slice of every column.
    let mut parts: Vec<Vec<&mut [f64]>> = (0..chunks).map(|_| Vec::with_capacity(nsig)).collect();
    for col in &mut columns {
        let mut rest: &mut [f64] = col;
        for part in &mut parts {
            let (head, tail) = rest.split_at_mut(per_chunk.min(rest.len()));
            part.push(head);
            rest = tail;
        }
    }
    std::thread::scope(|scope| {
        let handles: Vec<_> = parts
            .into_iter()
            .enumerate()
            .map(|(c, mut out)| {
                let start = layout.bytes_for(c * per_chunk).min(data.len());
                let src = &data[start..];
                scope.spawn(move || decode_chunk(format, initial, nsig, src, &mut out, scales))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err("decoder thread failed".into()))
            })
            .collect::<Result<Vec<()>, String>>()
    })?;
    Ok(columns)
}

fn decode_chunk(
    format: SignalFormat,
    initial: i32,
    nsig: usize,
    src: &[u8],
    out: &mut [&mut [f64]],
    scales: &[Scale],
) -> Result<(), String> {
    let frames = out.first().map_or(0, |c| c.len());
    match format {
        SignalFormat::Format16 => {
            for (f, frame) in src.chunks_exact(2 * nsig).take(frames).enumerate() {
                for (s, b) in frame.chunks_exact(2).enumerate() {
                    let d = i16::from_le_bytes([b[0], b[1]]);
                    out[s][f] = if d == i16::MIN {
                        f64::NAN
                    } else {
                        scales[s].apply(i32::from(d))
                    };
                }
            }
            Ok(())
        }
        SignalFormat::Format212 => {
            decode_212(nsig, src, out, scales);
            Ok(())
        }
        _ => decode_with_crate(format, initial, nsig, src, out, scales),
    }
}

/// The mV of a raw 12-bit format-212 sample.
fn value_212(scale: &Scale, raw: usize) -> f64 {
    match ((raw as i32) << 20) >> 20 {
        -2048 => f64::NAN,
        d => scale.apply(d),
    }
}

/// The two raw 12-bit samples of a format-212 byte triple.
fn unpack_212(b: &[u8]) -> [usize; 2] {
    [
        usize::from(b[0]) | (usize::from(b[1] & 0x0F) << 8),
        usize::from(b[2]) | (usize::from(b[1] & 0xF0) << 4),
    ]
}

/// Format 212: two 12-bit samples in three bytes. With only 4096 possible values, a table per
/// signal gives the exact mV of each without a division per sample.
fn decode_212(nsig: usize, src: &[u8], out: &mut [&mut [f64]], scales: &[Scale]) {
    let frames = out.first().map_or(0, |c| c.len());
    if frames < 4096 {
        // Tables would cost more than they save, and a header listing thousands of signals
        // over a short file would make them gigabytes.
        fill_212(nsig, src, out, |s, raw| value_212(&scales[s], raw));
        return;
    }
    let tables: Vec<Vec<f64>> = scales
        .iter()
        .map(|sc| (0..4096).map(|raw| value_212(sc, raw)).collect())
        .collect();
    if nsig == 2 {
        // The common two-lead Holter layout: one frame per byte triple.
        let [a, b] = out else { return };
        for ((t, x), y) in src.chunks_exact(3).zip(a.iter_mut()).zip(b.iter_mut()) {
            let [r0, r1] = unpack_212(t);
            *x = tables[0][r0];
            *y = tables[1][r1];
        }
        return;
    }
    fill_212(nsig, src, out, |s, raw| tables[s][raw]);
}

/// Fill the columns with `value(signal, raw)` of each format-212 sample in frame order.
fn fill_212(nsig: usize, src: &[u8], out: &mut [&mut [f64]], value: impl Fn(usize, usize) -> f64) {
    let frames = out.first().map_or(0, |c| c.len());
    let total = frames * nsig;
    let (mut s, mut f, mut k) = (0, 0, 0);
    let mut put = |raw: usize| {
        if k < total {
            out[s][f] = value(s, raw);
            k += 1;
            s += 1;
            if s == nsig {
                s = 0;
                f += 1;
            }
        }
    };
    for t in src.chunks_exact(3) {
        let [r0, r1] = unpack_212(t);
        put(r0);
        put(r1);
    }
    // An odd sample count ends in half a byte triple.
    if let [.., b0, b1] = src[src.len() / 3 * 3..] {
        put(usize::from(b0) | (usize::from(b1 & 0x0F) << 8));
    }
}

fn decode_with_crate(
    format: SignalFormat,
    initial: i32,
    nsig: usize,
    mut src: &[u8],
    out: &mut [&mut [f64]],
    scales: &[Scale],
) -> Result<(), String> {
    let frames = out.first().map_or(0, |c| c.len());
    let mut decoder = get_decoder(format, initial).map_err(|e| e.to_string())?;
    let mut digital = vec![0i32; frames * nsig];
    let n = decoder
        .decode_buf(&mut src, &mut digital)
        .map_err(|e| e.to_string())?;
    if n < digital.len() {
        return Err(format!("decoded {n} of {} samples", digital.len()));
    }
    for (k, &d) in digital.iter().enumerate() {
        let s = k % nsig;
        out[s][k / nsig] = if d == INVALID_SAMPLE {
            f64::NAN
        } else {
            scales[s].apply(d)
        };
    }
    Ok(())
}
