//! WFDB annotation files in MIT format, read and written as wfdb-python's `rdann`/`wrann` do.
//!
//! The file is a stream of 16-bit little-endian words: a 6-bit code and 10 data bits. Codes up
//! to 49 are annotation labels whose data bits hold the interval since the previous annotation;
//! SKIP (59) carries a longer signed 32-bit interval in the next two words (high word first);
//! NUM, SUB, CHAN and AUX (60–63) add fields to the annotation just read. A zero word ends the
//! file.

use crate::error::{Error, Result};
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// Extension of QTDB's reference annotation files (the first cardiologist's marks).
pub const Q1C: &str = "q1c";

/// Whether a WFDB label marks a beat (a QRS): normal, bundle-branch, premature, escape,
/// paced, fusion or unclassifiable.
pub fn is_beat_symbol(symbol: &str) -> bool {
    matches!(
        symbol,
        "N" | "L"
            | "R"
            | "B"
            | "A"
            | "a"
            | "J"
            | "S"
            | "V"
            | "r"
            | "F"
            | "e"
            | "j"
            | "n"
            | "E"
            | "/"
            | "f"
            | "Q"
            | "?"
    )
}

/// One annotation: sample index, mnemonic symbol, and the optional fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Annotation {
    /// Sample index from the start of the record.
    pub sample: i64,
    /// Label mnemonic (`N`, `(`, `"`, …); `[code]` for a code without a symbol.
    pub symbol: String,
    /// Annotation subtype (reset to 0 for every annotation).
    pub subtype: i8,
    /// Signal channel (carried over from the previous annotation when the file omits it).
    pub chan: u8,
    /// Annotation number (carried over from the previous annotation when the file omits it).
    pub num: i8,
    /// Auxiliary text, one char per byte (Latin-1); an empty note is stored as `None`.
    pub aux: Option<String>,
}

const KIND: &str = "WFDB annotation file";
const NOTANN: u8 = 0;
const NOTE: u8 = 22;
const SKIP: u8 = 59;
const NUM: u8 = 60;
const SUB: u8 = 61;
const CHAN: u8 = 62;
const AUX: u8 = 63;
const DATA_BITS: u16 = 0x3FF;
const MAX_AUX_LEN: usize = 255;

/// The symbol of every 6-bit code; codes without a standard symbol read as `[code]`, as the
/// WFDB library prints them.
static SYMBOLS: [&str; 64] = [
    " ", "N", "L", "R", "a", "V", "F", "J", "A", "S", "E", "j", "/", "Q", "~", "[15]", "|", "[17]",
    "s", "T", "*", "D", "\"", "=", "p", "B", "^", "t", "+", "u", "?", "!", "[", "]", "e", "n", "@",
    "x", "f", "(", ")", "r", "[42]", "[43]", "[44]", "[45]", "[46]", "[47]", "[48]", "[49]",
    "[50]", "[51]", "[52]", "[53]", "[54]", "[55]", "[56]", "[57]", "[58]", "[59]", "[60]", "[61]",
    "[62]", "[63]",
];

impl Annotation {
    /// An annotation with only a sample and a symbol (subtype, channel and number 0, no aux).
    pub fn new(sample: i64, symbol: &str) -> Self {
        Self {
            sample,
            symbol: symbol.to_string(),
            subtype: 0,
            chan: 0,
            num: 0,
            aux: None,
        }
    }
}

/// The WFDB standard code of a label symbol (wfdb-python's `ann_label_table`).
pub fn annotation_code(symbol: &str) -> Option<u8> {
    // Standard symbols are single characters; the bracketed names are not writable labels.
    if symbol.len() != 1 {
        return None;
    }
    (0..SKIP).find(|&c| SYMBOLS[usize::from(c)] == symbol)
}

/// The standard symbol of a code: `[code]` for codes without one, empty above 63.
pub fn annotation_symbol(code: u8) -> &'static str {
    SYMBOLS.get(code as usize).copied().unwrap_or("")
}

/// One annotation as stored, before file-level notes are removed and symbols assigned.
struct RawAnnotation {
    sample: i64,
    code: u8,
    subtype: i8,
    chan: u8,
    num: i8,
    aux: Vec<u8>,
}

/// Decode an annotation file's bytes; `path` only names the file in errors.
///
/// Like `rdann`, this drops `NOTANN` entries and every note at sample 0 (time resolution and
/// label definitions live there), and applies label definitions found in those notes. Unlike
/// `rdann`, a non-empty file must end with the zero word: a file cut after an annotation's
/// word or fields is reported instead of read as a shorter (or field-less) list.
pub fn decode_annotations(bytes: &[u8], path: &Path) -> Result<Vec<Annotation>> {
    let bad = |reason: String| Error::malformed(path, KIND, reason);
    if !bytes.len().is_multiple_of(2) {
        return Err(bad(format!(
            "odd length ({} bytes) for a file of 16-bit words",
            bytes.len()
        )));
    }
    let words: Vec<u16> = bytes
        .chunks_exact(2)
        .map(|w| u16::from_le_bytes([w[0], w[1]]))
        .collect();
    let n = words.len();
    let code_of = |w: u16| (w >> 10) as u8;
    let (mut sample, mut chan, mut num) = (0i64, 0u8, 0i8);
    let mut raw = Vec::new();
    let mut i = 0;
    // The last word is the end marker, so an annotation never starts there.
    while i + 1 < n {
        while code_of(words[i]) == SKIP {
            // Two interval words and the annotation word they lead to.
            if i + 3 >= n {
                return Err(bad(format!("truncated SKIP at byte {}", 2 * i)));
            }
            let interval = ((u32::from(words[i + 1]) << 16) | u32::from(words[i + 2])) as i32;
            sample = sample
                .checked_add(i64::from(interval))
                .ok_or_else(|| bad(format!("sample overflow at byte {}", 2 * i)))?;
            i += 3;
        }
        let word = words[i];
        let code = code_of(word);
        if code > SKIP {
            return Err(bad(format!(
                "field word of code {code} at byte {} where an annotation was expected",
                2 * i
            )));
        }
        sample += i64::from(word & DATA_BITS);
        i += 1;
        let (mut subtype, mut aux) = (0i8, Vec::new());
        while i < n && code_of(words[i]) > SKIP {
            let low = words[i].to_le_bytes()[0];
            match code_of(words[i]) {
                NUM => num = low as i8,
                SUB => subtype = low as i8,
                CHAN => chan = low,
                _ => {
                    let len = usize::from(low);
                    let start = 2 * (i + 1);
                    if start + len > bytes.len() {
                        return Err(bad(format!(
                            "truncated AUX at byte {}: {len} bytes announced, {} left",
                            2 * i,
                            bytes.len() - start
                        )));
                    }
                    aux = bytes[start..start + len].to_vec();
                    i += len.div_ceil(2);
                }
            }
            i += 1;
        }
        raw.push(RawAnnotation {
            sample,
            code,
            subtype,
            chan,
            num,
            aux,
        });
    }
    // Without the zero word a cut file would pass for a shorter one, so only an empty file
    // may lack it.
    if n > 0 && (i == n || words[n - 1] != 0) {
        return Err(bad(format!(
            "missing end marker: the file ends with word 0x{:04x} instead of 0x0000",
            words[n - 1]
        )));
    }
    let header_note = |r: &RawAnnotation| r.sample == 0 && r.code == NOTE;
    let notes: Vec<String> = raw
        .iter()
        .filter(|r| header_note(r))
        .map(|r| latin1(&r.aux))
        .collect();
    let custom = label_definitions(&notes).map_err(bad)?;
    Ok(raw
        .into_iter()
        .filter(|r| r.code != NOTANN && !header_note(r))
        .map(|r| Annotation {
            sample: r.sample,
            symbol: custom
                .get(&r.code)
                .cloned()
                .unwrap_or_else(|| annotation_symbol(r.code).to_string()),
            subtype: r.subtype,
            chan: r.chan,
            num: r.num,
            aux: (!r.aux.is_empty()).then(|| latin1(&r.aux)),
        })
        .collect())
}

fn latin1(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| char::from(b)).collect()
}

/// Label definitions (`"CODE SYMBOL DESCRIPTION"` notes between the WFDB definition markers).
fn label_definitions(notes: &[String]) -> std::result::Result<HashMap<u8, String>, String> {
    let mut defs = HashMap::new();
    let mut inside = false;
    for note in notes {
        if note == "## annotation type definitions" {
            inside = true;
        } else if note == "## end of definitions" {
            inside = false;
        } else if inside {
            let mut parts = note.splitn(3, ' ');
            let (code, symbol, description) = (parts.next(), parts.next(), parts.next());
            match (code.and_then(|c| c.parse::<u8>().ok()), symbol, description) {
                (Some(code), Some(symbol), Some(d))
                    if code < SKIP && !symbol.is_empty() && !d.is_empty() =>
                {
                    defs.insert(code, symbol.to_string());
                }
                _ => return Err(format!("bad annotation type definition {note:?}")),
            }
        }
    }
    Ok(defs)
}

/// Encode annotations as `wrann` does: the first sample and each gap as an interval (SKIP for
/// gaps over 1023), subtype when non-zero, chan and num only when they change, aux when
/// non-empty, then the zero end word.
pub fn encode_annotations(anns: &[Annotation]) -> Result<Vec<u8>> {
    let mut out: Vec<u8> = Vec::with_capacity(2 * anns.len() + 2);
    fn word(out: &mut Vec<u8>, code: u8, data: u16) {
        out.extend_from_slice(&((u16::from(code) << 10) | data).to_le_bytes());
    }
    let (mut prev, mut chan, mut num) = (0i64, 0u8, 0i8);
    for (k, a) in anns.iter().enumerate() {
        let invalid = |why: String| Error::Invalid(format!("annotation {k} ({a:?}): {why}"));
        let code = annotation_code(&a.symbol)
            .ok_or_else(|| invalid(format!("unknown symbol {:?}", a.symbol)))?;
        if code == NOTANN {
            return Err(invalid("NOTANN (\" \") is not an annotation".into()));
        }
        if a.sample < 0 {
            return Err(invalid("negative sample".into()));
        }
        if a.sample < prev {
            return Err(invalid(format!(
                "samples not sorted ({} after {prev})",
                a.sample
            )));
        }
        // Readers take a note at sample 0 for a file-level definition and drop it.
        if code == NOTE && a.sample == 0 {
            return Err(invalid(
                "a note at sample 0 would be read as a file header".into(),
            ));
        }
        let aux = match &a.aux {
            Some(text) => text
                .chars()
                .map(|c| u8::try_from(u32::from(c)))
                .collect::<std::result::Result<Vec<u8>, _>>()
                .map_err(|_| invalid("aux text has a character above U+00FF".into()))?,
            None => Vec::new(),
        };
        if aux.len() > MAX_AUX_LEN {
            return Err(invalid(format!(
                "aux text is {} bytes (at most {MAX_AUX_LEN})",
                aux.len()
            )));
        }
        let mut gap = a.sample - prev;
        while gap > i64::from(DATA_BITS) {
            let step = gap.min(i64::from(i32::MAX));
            word(&mut out, SKIP, 0);
            out.extend_from_slice(&((step >> 16) as u16).to_le_bytes());
            out.extend_from_slice(&(step as u16).to_le_bytes());
            gap -= step;
        }
        word(&mut out, code, gap as u16);
        if a.num != num {
            word(&mut out, NUM, u16::from(a.num as u8));
            num = a.num;
        }
        if a.subtype != 0 {
            word(&mut out, SUB, u16::from(a.subtype as u8));
        }
        if a.chan != chan {
            word(&mut out, CHAN, u16::from(a.chan));
            chan = a.chan;
        }
        if !aux.is_empty() {
            word(&mut out, AUX, aux.len() as u16);
            out.extend_from_slice(&aux);
            if !aux.len().is_multiple_of(2) {
                out.push(0);
            }
        }
        prev = a.sample;
    }
    out.extend_from_slice(&[0, 0]);
    Ok(out)
}

/// Read and decode an annotation file.
pub fn read_annotations(path: &Path) -> Result<Vec<Annotation>> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    decode_annotations(&bytes, path)
}

/// Write an annotation file atomically (see [`crate::fsio`]), replacing an existing one.
pub fn write_annotations(path: &Path, anns: &[Annotation]) -> Result<()> {
    let bytes = encode_annotations(anns)?;
    crate::fsio::write(path, &bytes, crate::fsio::Replace::Allow)
}

/// How many annotations carry each symbol.
pub fn symbol_counts(anns: &[Annotation]) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for a in anns {
        *counts.entry(a.symbol.clone()).or_insert(0) += 1;
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ann(sample: i64, symbol: &str) -> Annotation {
        Annotation::new(sample, symbol)
    }

    fn with(sample: i64, symbol: &str, subtype: i8, chan: u8, num: i8, aux: &str) -> Annotation {
        Annotation {
            subtype,
            chan,
            num,
            aux: (!aux.is_empty()).then(|| aux.to_string()),
            ..ann(sample, symbol)
        }
    }

    fn decode(bytes: &[u8]) -> Result<Vec<Annotation>> {
        decode_annotations(bytes, Path::new("test.atr"))
    }

    fn words(ws: &[u16]) -> Vec<u8> {
        ws.iter().flat_map(|w| w.to_le_bytes()).collect()
    }

    fn sample_set() -> Vec<Annotation> {
        vec![
            with(3, "(", 0, 0, 0, ""),
            with(10, "p", -5, 2, 0, ""),
            with(10, ")", 7, 2, -128, "x"),
            with(1500, "N", 127, 0, 127, "ab"),
            with(1500 + 70_000, "\"", -1, 255, 3, "odd"),
            with(1500 + 70_000 + 1023, "t", 0, 255, 3, "ünïcode é"),
            with(1500 + 70_000 + 2047, "+", 0, 1, 0, "(AFIB"),
            with(5_000_000_000, "N", 0, 1, 0, ""),
            with(5_000_000_000, "~", 1, 0, -3, &"z".repeat(255)),
        ]
    }

    #[test]
    fn round_trip_keeps_every_field() {
        let anns = sample_set();
        let bytes = encode_annotations(&anns).unwrap();
        assert_eq!(decode(&bytes).unwrap(), anns);
    }

    #[test]
    fn words_follow_the_format() {
        // N at 5: code 1, interval 5; then the end word.
        let one = encode_annotations(&[ann(5, "N")]).unwrap();
        assert_eq!(one, [0x05, 0x04, 0, 0]);
        // 70000 = 0x0001_1170 needs SKIP with the high word first, then a zero interval.
        let far = encode_annotations(&[ann(70_000, "N")]).unwrap();
        assert_eq!(far, [0x00, 0xEC, 0x01, 0x00, 0x70, 0x11, 0x00, 0x04, 0, 0]);
        // 1023 still fits the 10 data bits.
        let edge = encode_annotations(&[ann(1023, "(")]).unwrap();
        assert_eq!(edge, words(&[(39 << 10) | 1023, 0]));
        // num -1 (NUM=60), subtype 2 (SUB=61), chan 4 (CHAN=62), aux "abc" (AUX=63) padded.
        let full = encode_annotations(&[with(1, "N", 2, 4, -1, "abc")]).unwrap();
        let mut expect = words(&[(1 << 10) | 1, 60 << 10 | 0xFF, 61 << 10 | 2, 62 << 10 | 4]);
        expect.extend([3, 63 << 2, b'a', b'b', b'c', 0, 0, 0]);
        assert_eq!(full, expect);
    }

    #[test]
    fn chan_and_num_are_written_only_when_they_change() {
        let anns = [
            with(1, "N", 0, 3, 5, ""),
            with(2, "N", 0, 3, 5, ""),
            with(3, "N", 0, 0, 5, ""),
        ];
        let bytes = encode_annotations(&anns).unwrap();
        let expect = words(&[
            (1 << 10) | 1,
            60 << 10 | 5,
            62 << 10 | 3,
            (1 << 10) | 1,
            (1 << 10) | 1,
            62 << 10,
            0,
        ]);
        assert_eq!(bytes, expect);
        assert_eq!(decode(&bytes).unwrap(), anns);
    }

    #[test]
    fn header_notes_and_notann_are_dropped_and_definitions_applied() {
        let note = |text: &str| {
            let mut b = vec![0, 22 << 2, text.len() as u8, 63 << 2];
            b.extend(text.bytes());
            if !text.len().is_multiple_of(2) {
                b.push(0);
            }
            b
        };
        let mut bytes = note("## time resolution: 250");
        bytes.extend(note("## annotation type definitions"));
        bytes.extend(note("42 Z custom zed"));
        bytes.extend(note("## end of definitions"));
        // SKIP -1 then NOTANN +1: the marker that closes the definitions.
        bytes.extend([0x00, 0xEC, 0xFF, 0xFF, 0xFF, 0xFF, 0x01, 0x00]);
        bytes.extend(words(&[
            (1 << 10) | 5,
            (42 << 10) | 5,
            62 << 10 | 7,
            0x0000,
            0,
        ]));
        bytes.extend(words(&[(1 << 10) | 2, 0]));
        let got = decode(&bytes).unwrap();
        assert_eq!(
            got,
            [
                ann(5, "N"),
                with(10, "Z", 0, 7, 0, ""),
                with(12, "N", 0, 7, 0, "")
            ]
        );
        assert_eq!(
            symbol_counts(&got),
            BTreeMap::from([("N".to_string(), 2), ("Z".to_string(), 1)])
        );
    }

    #[test]
    fn codes_and_symbols_agree() {
        for (symbol, code) in [("N", 1), ("\"", 22), ("p", 24), ("t", 27), ("[", 32)] {
            assert_eq!(annotation_code(symbol), Some(code));
        }
        for (symbol, code) in [("(", 39), (")", 40), ("r", 41), ("+", 28), ("~", 14)] {
            assert_eq!(annotation_code(symbol), Some(code));
        }
        for code in 0..64u8 {
            let symbol = annotation_symbol(code);
            if let Some(back) = annotation_code(symbol) {
                assert_eq!(back, code, "{symbol}");
            } else {
                assert_eq!(symbol, format!("[{code}]"));
            }
        }
        assert_eq!(annotation_code("[15]"), None);
        assert_eq!(annotation_code("NN"), None);
        assert_eq!(annotation_symbol(64), "");
    }

    #[test]
    fn bad_annotations_are_refused() {
        let long = "x".repeat(256);
        let cases = [
            vec![ann(1, "Z")],
            vec![ann(1, " ")],
            vec![ann(-1, "N")],
            vec![ann(5, "N"), ann(4, "N")],
            vec![with(1, "N", 0, 0, 0, &long)],
            vec![with(1, "N", 0, 0, 0, "€")],
            vec![with(0, "\"", 0, 0, 0, "## hello")],
        ];
        for anns in cases {
            assert!(
                matches!(encode_annotations(&anns), Err(Error::Invalid(_))),
                "{anns:?}"
            );
        }
    }

    #[test]
    fn every_truncation_is_an_error() {
        let bytes = encode_annotations(&sample_set()).unwrap();
        for len in 1..bytes.len() {
            match decode(&bytes[..len]) {
                Err(Error::Malformed { path, kind, .. }) => {
                    assert_eq!(path, Path::new("test.atr"));
                    assert_eq!(kind, KIND);
                }
                other => panic!("cut at {len}: {other:?}"),
            }
        }
    }

    #[test]
    fn specific_damage_is_named() {
        let reason = |bytes: &[u8]| match decode(bytes) {
            Err(Error::Malformed { reason, .. }) => reason,
            other => panic!("{other:?}"),
        };
        assert!(reason(&[1, 4, 0]).contains("odd length"));
        assert!(reason(&words(&[59 << 10, 1, 0])).contains("truncated SKIP"));
        assert!(reason(&words(&[(1 << 10) | 1, (63 << 10) | 9, 0x6161])).contains("truncated AUX"));
        assert!(reason(&words(&[(1 << 10) | 1, (1 << 10) | 1])).contains("end marker"));
        assert!(reason(&words(&[(1 << 10) | 1, 60 << 10])).contains("end marker"));
        assert!(reason(&words(&[60 << 10, 0])).contains("field word"));
        let mut defs = Vec::new();
        for text in ["## annotation type definitions", "nonsense"] {
            defs.extend([0, 22 << 2, text.len() as u8, 63 << 2]);
            defs.extend(text.bytes());
        }
        defs.extend([0, 0]);
        assert!(reason(&defs).contains("definition"));
        assert_eq!(decode(&[]).unwrap(), []);
    }

    #[test]
    fn garbage_never_panics() {
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        for round in 0..2000 {
            let len = round % 97;
            let bytes: Vec<u8> = (0..len)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    (state >> 24) as u8
                })
                .collect();
            let _ = decode(&bytes);
        }
    }

    #[test]
    fn write_is_atomic_and_reads_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rec.atr");
        std::fs::write(&path, b"old").unwrap();
        write_annotations(&path, &sample_set()).unwrap();
        assert_eq!(read_annotations(&path).unwrap(), sample_set());
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1, "temporary file left behind");
        assert!(write_annotations(&path, &[ann(1, "?!")]).is_err());
        assert_eq!(read_annotations(&path).unwrap(), sample_set());
        assert!(matches!(
            read_annotations(&dir.path().join("none.atr")),
            Err(Error::NotFound { .. })
        ));
    }
}
