//! Byte-level mutations with a text form, so a failing input can be kept as a recipe
//! (source file + mutation list) instead of a copy of a large file.

use super::rng::Rng;

/// One edit of a file's bytes; positions beyond the end are clamped to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mutation {
    /// Keep only the first `n` bytes.
    Truncate(usize),
    /// Invert bit `bit` (0–7) of the byte at `at`.
    Flip {
        /// Byte position.
        at: usize,
        /// Bit index.
        bit: u8,
    },
    /// Replace `len` bytes at `at` with `bytes` (an insertion when `len` is 0, a deletion
    /// when `bytes` is empty).
    Replace {
        /// Byte position.
        at: usize,
        /// Bytes removed.
        len: usize,
        /// Bytes put in their place.
        bytes: Vec<u8>,
    },
    /// In a WFDB header, repeat the last signal line until the header lists `n` signals;
    /// without `keep_length` the record line also loses its sample count.
    ManySignals {
        /// Signals listed.
        n: usize,
        /// Keep the sample count.
        keep_length: bool,
    },
}

impl Mutation {
    /// Apply the edit in place.
    pub fn apply(&self, data: &mut Vec<u8>) {
        match self {
            Mutation::Truncate(n) => data.truncate(*n),
            Mutation::Flip { at, bit } => {
                if let Some(b) = data.get_mut(*at) {
                    *b ^= 1 << (bit & 7);
                }
            }
            Mutation::Replace { at, len, bytes } => {
                let at = (*at).min(data.len());
                let end = at.saturating_add(*len).min(data.len());
                data.splice(at..end, bytes.iter().copied());
            }
            Mutation::ManySignals { n, keep_length } => {
                if let Some(header) = many_signals(data, *n, *keep_length) {
                    *data = header;
                }
            }
        }
    }

    /// The recipe line: `truncate N`, `flip AT BIT`, `replace AT LEN HEX` (`-` for no bytes) or
    /// `many-signals N keep-length|no-length`.
    pub fn to_text(&self) -> String {
        match self {
            Mutation::Truncate(n) => format!("truncate {n}"),
            Mutation::Flip { at, bit } => format!("flip {at} {bit}"),
            Mutation::Replace { at, len, bytes } => {
                let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
                let hex = if hex.is_empty() { "-".to_string() } else { hex };
                format!("replace {at} {len} {hex}")
            }
            Mutation::ManySignals { n, keep_length } => {
                let length = if *keep_length {
                    "keep-length"
                } else {
                    "no-length"
                };
                format!("many-signals {n} {length}")
            }
        }
    }

    /// Parse a recipe line written by [`Mutation::to_text`].
    pub fn parse(line: &str) -> Result<Self, String> {
        let f: Vec<&str> = line.split_whitespace().collect();
        let num = |s: &str| s.parse::<usize>().map_err(|e| format!("{line:?}: {e}"));
        match f[..] {
            ["truncate", n] => Ok(Mutation::Truncate(num(n)?)),
            ["flip", at, bit] => Ok(Mutation::Flip {
                at: num(at)?,
                bit: num(bit)? as u8,
            }),
            ["replace", at, len, hex] => {
                let hex = if hex == "-" { "" } else { hex };
                if hex.len() % 2 != 0 {
                    return Err(format!("{line:?}: odd number of hex digits"));
                }
                let bytes = (0..hex.len())
                    .step_by(2)
                    .map(|i| u8::from_str_radix(&hex[i..i + 2], 16))
                    .collect::<Result<Vec<u8>, _>>()
                    .map_err(|e| format!("{line:?}: {e}"))?;
                Ok(Mutation::Replace {
                    at: num(at)?,
                    len: num(len)?,
                    bytes,
                })
            }
            ["many-signals", n, length @ ("keep-length" | "no-length")] => {
                Ok(Mutation::ManySignals {
                    n: num(n)?,
                    keep_length: length == "keep-length",
                })
            }
            _ => Err(format!("unknown mutation {line:?}")),
        }
    }
}

/// Field values no real file holds: zero, negative, huge, overflowing and non-numeric numbers,
/// WFDB format specifications with absurd frame sizes, skews and offsets, gains with broken
/// baselines, structural characters and bytes that are not UTF-8.
const ABSURD: &[&[u8]] = &[
    b"0",
    b"-1",
    b"-0",
    b"1e308",
    b"-1e308",
    b"1e309",
    b"NaN",
    b"inf",
    b"-inf",
    b"1000000000000",
    b"1000000000",
    b"18446744073709551615",
    b"18446744073709551616",
    b"9223372036854775807",
    b"-9223372036854775808",
    b"2305843009213693952",
    b"4294967296",
    b"2147483648",
    b"65536",
    b"1e-308",
    b"5e-324",
    b"0x10",
    b"1e",
    b".",
    b"16x0",
    b"16x1000000",
    b"16x1+999999999999",
    b"16+18446744073709551615",
    b"212:7",
    b"16:-5",
    b"310",
    b"311",
    b"80",
    b"8",
    b"24",
    b"32",
    b"61",
    b"160",
    b"508",
    b"999",
    b"1000)(0)/mV",
    b"1000(0(/mV",
    b"0(0)/mV",
    b"-200(0)/mV",
    b"1e308(0)/mV",
    b"200(99999999999)/mV",
    b"500/0",
    b"500(0)",
    b"500)(",
    b"/",
    b"(",
    b")",
    b")(",
    b"x",
    b"+",
    b":",
    b"",
    b" ",
    b"\n",
    b"#",
    b"\0",
    b"\xff\xfe",
    b"\xc3",
    b"[",
    b"]",
    b"{",
    b"}",
    b"\"",
    b",",
    b"[1e308]",
    b"[-1]",
    b"[]",
];

/// How a file may be mutated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A text file (WFDB header, JSON, CSV): field replacements anywhere.
    Text,
    /// A WFDB header: text, plus a header listing thousands of signals.
    WfdbHeader,
    /// Binary data whose first bytes hold a text header (`.npy`, safetensors).
    HeaderedBinary,
    /// Binary data (signal and annotation files).
    Binary,
}

/// Where field replacements and half of the bit flips go.
fn text_region(data: &[u8], kind: Kind) -> usize {
    match kind {
        Kind::Text | Kind::WfdbHeader => data.len(),
        Kind::HeaderedBinary => data.len().min(16 << 10),
        Kind::Binary => data.len().min(64),
    }
}

/// Byte ranges of tokens in `data[..end]`: numbers when `numeric`, else whitespace-separated words.
fn tokens(data: &[u8], end: usize, numeric: bool) -> Vec<(usize, usize)> {
    let inside = |b: u8| {
        if numeric {
            b.is_ascii_digit() || b"+-.eE".contains(&b)
        } else {
            !b.is_ascii_whitespace()
        }
    };
    let mut out = Vec::new();
    let mut start = None;
    for (i, &b) in data[..end].iter().enumerate() {
        match (inside(b), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push((s, i));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((s, end));
    }
    if numeric {
        out.retain(|&(s, e)| data[s..e].iter().any(u8::is_ascii_digit));
    }
    out
}

/// The header with its last signal line repeated until it lists `n` signals; without
/// `keep_length` the record line also loses its sample count, so the signal file's length
/// sets it.
fn many_signals(data: &[u8], n: usize, keep_length: bool) -> Option<Vec<u8>> {
    let text = std::str::from_utf8(data).ok()?;
    let lines: Vec<&str> = text.lines().collect();
    let rec = lines
        .iter()
        .position(|l| !l.trim().is_empty() && !l.starts_with('#'))?;
    let mut fields: Vec<&str> = lines[rec].split_whitespace().collect();
    let last = lines
        .iter()
        .skip(rec + 1)
        .rfind(|l| !l.trim().is_empty() && !l.starts_with('#'))?;
    let count = n.to_string();
    *fields.get_mut(1)? = &count;
    if !keep_length {
        fields.truncate(3);
    }
    let mut out = fields.join(" ");
    out.push('\n');
    for _ in 0..n {
        out.push_str(last);
        out.push('\n');
    }
    Some(out.into_bytes())
}

/// One random mutation of `data`.
fn one(rng: &mut Rng, data: &[u8], kind: Kind) -> Mutation {
    let len = data.len().max(1);
    let region = text_region(data, kind).max(1);
    let anywhere = |rng: &mut Rng| {
        if rng.one_in(2) {
            rng.below(region)
        } else {
            rng.below(len)
        }
    };
    match rng.below(10) {
        0..=2 => Mutation::Flip {
            at: anywhere(rng),
            bit: rng.below(8) as u8,
        },
        3 => {
            let bytes = if rng.one_in(2) {
                rng.pick(ABSURD).to_vec()
            } else {
                (0..1 + rng.below(8))
                    .map(|_| rng.below(256) as u8)
                    .collect()
            };
            Mutation::Replace {
                at: anywhere(rng),
                len: 0,
                bytes,
            }
        }
        4 => Mutation::Replace {
            at: anywhere(rng),
            len: 1 + rng.below(16),
            bytes: Vec::new(),
        },
        5 if kind == Kind::WfdbHeader && rng.one_in(3) => Mutation::ManySignals {
            n: *rng.pick(&[2_000, 5_000, 20_000]),
            keep_length: rng.one_in(2),
        },
        _ if kind == Kind::Binary => Mutation::Flip {
            at: rng.below(len),
            bit: rng.below(8) as u8,
        },
        _ => {
            let toks = tokens(data, region.min(data.len()), rng.one_in(2));
            if toks.is_empty() {
                return Mutation::Truncate(rng.below(len));
            }
            let (s, e) = *rng.pick(&toks);
            Mutation::Replace {
                at: s,
                len: e - s,
                bytes: rng.pick(ABSURD).to_vec(),
            }
        }
    }
}

/// Mutate `data` in place with one to three random edits, possibly ending with a truncation
/// at a random point; returns the edits in the order applied.
pub fn mutate(rng: &mut Rng, data: &mut Vec<u8>, kind: Kind) -> Vec<Mutation> {
    let mut done = Vec::new();
    let truncate = rng.one_in(5);
    let edits = if truncate {
        rng.below(2)
    } else {
        1 + rng.below(3)
    };
    for _ in 0..edits {
        let m = one(rng, data, kind);
        m.apply(data);
        done.push(m);
    }
    if truncate {
        let m = Mutation::Truncate(rng.below(data.len().max(1)));
        m.apply(data);
        done.push(m);
    }
    done
}
