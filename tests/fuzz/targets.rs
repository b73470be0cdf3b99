//! What is fuzzed: real files from the shared data (and a few records written here in formats
//! no shared record uses), grouped by the parser their mutations reach, and the readers the
//! app and the command line call on them.

use super::mutate::Kind;
use ecg_panorama::delineate::Delineator;
use ecg_panorama::panorama::NefNetEngine;
use ecg_panorama::record::{annotation, csv_io, labels::CycleLabels, open_record};
use std::path::{Path, PathBuf};

/// The library entry point a file is read through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reader {
    /// `record::open_record` (WFDB, Tianchi `.npy`, CSV), as `ecg-panorama info` and the app.
    Record,
    /// `annotation::read_annotations`, as `info` and the panorama cycle sources.
    Annotations,
    /// `CycleLabels::read`, as `info --labels` and the Tianchi cycle source.
    Labels,
    /// `NefNetEngine::load`, as `synth --model` and the app.
    NefNet,
    /// `Delineator::load`, as `annotate --model`.
    Delineator,
}

impl Reader {
    /// Every reader, with its name in regression recipes.
    pub const ALL: [(Reader, &'static str); 5] = [
        (Reader::Record, "record"),
        (Reader::Annotations, "annotations"),
        (Reader::Labels, "labels"),
        (Reader::NefNet, "nefnet"),
        (Reader::Delineator, "delineator"),
    ];

    /// Its name in regression recipes.
    pub fn name(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(r, _)| *r == self)
            .map_or("", |(_, n)| n)
    }

    /// The reader of a recipe name.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.iter().find(|(_, n)| *n == name).map(|(r, _)| *r)
    }

    /// Read `path`; the error as the user would see it.
    pub fn read(self, path: &Path) -> Result<(), String> {
        let shown = |e: ecg_panorama::Error| e.to_string();
        match self {
            Reader::Record => open_record(path).map(drop).map_err(shown),
            Reader::Annotations => annotation::read_annotations(path).map(drop).map_err(shown),
            Reader::Labels => CycleLabels::read(path).map(drop).map_err(shown),
            Reader::NefNet => NefNetEngine::load(path).map(drop).map_err(shown),
            Reader::Delineator => Delineator::load(path).map(drop).map_err(shown),
        }
    }
}

/// One file of a case.
#[derive(Debug, Clone)]
pub struct CaseFile {
    /// Its name in the case's folder.
    pub name: String,
    /// Its unmutated content.
    pub bytes: Vec<u8>,
    /// Where it comes from under the data folder (`None` for files written by the test).
    pub origin: Option<String>,
    /// How it is mutated.
    pub kind: Kind,
}

/// Files read together (a record's header and signal files, or one file) and how to read them.
#[derive(Debug, Clone)]
pub struct Case {
    /// Folder name of the case.
    pub name: String,
    /// Its files.
    pub files: Vec<CaseFile>,
    /// The path handed to the reader, relative to the case folder.
    pub open: String,
    /// The reader.
    pub reader: Reader,
    /// Indices of the files this target mutates.
    pub mutable: Vec<usize>,
}

/// A parser under test and the cases whose mutations reach it.
pub struct Target {
    /// Its name in the report.
    pub name: &'static str,
    /// The cases, picked at random for each mutation.
    pub cases: Vec<Case>,
}

fn data_file(data: &Path, rel: &str, kind: Kind) -> CaseFile {
    let path = data.join(rel);
    CaseFile {
        name: Path::new(rel)
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned(),
        bytes: std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())),
        origin: Some(rel.to_string()),
        kind,
    }
}

fn kind_of(rel: &str) -> Kind {
    match Path::new(rel).extension().and_then(|e| e.to_str()) {
        Some("hea") => Kind::WfdbHeader,
        Some("json" | "csv") => Kind::Text,
        Some("npy" | "safetensors") => Kind::HeaderedBinary,
        _ => Kind::Binary,
    }
}

/// A case of files from the data folder; `mutable` picks, by extension, the files it mutates.
fn from_data(data: &Path, files: &[&str], open: &str, reader: Reader, mutable: &[&str]) -> Case {
    let files: Vec<CaseFile> = files
        .iter()
        .map(|rel| data_file(data, rel, kind_of(rel)))
        .collect();
    let mutable = (0..files.len())
        .filter(|&i| mutable.iter().any(|ext| files[i].name.ends_with(ext)))
        .collect();
    Case {
        name: open.replace('.', "_"),
        files,
        open: open.to_string(),
        reader,
        mutable,
    }
}

/// The WFDB records of the shared data, one per storage format and layout.
const RECORDS: [(&[&str], &str); 5] = [
    (&["ludb/data/1.hea", "ludb/data/1.dat"], "1"),
    (&["wfdb-samples/100.hea", "wfdb-samples/100.dat"], "100"),
    (
        &[
            "wfdb-samples/s0010_re.hea",
            "wfdb-samples/s0010_re.dat",
            "wfdb-samples/s0010_re.xyz",
        ],
        "s0010_re",
    ),
    (
        &["cinc2021-samples/E07500.hea", "cinc2021-samples/E07500.mat"],
        "E07500",
    ),
    (
        &[
            "cpsc2021-samples/data_101_6.hea",
            "cpsc2021-samples/data_101_6.dat",
        ],
        "data_101_6",
    ),
];

/// Frames of the records written here.
const SYNTH_FRAMES: usize = 1000;

/// Records in the formats no shared record uses (`format`, signals, bytes per frame), their
/// signal bytes taken from LUDB record 1's signal file: every byte string is a valid sample
/// stream in these formats.
const SYNTH_FORMATS: [(u16, usize, usize); 8] = [
    (80, 2, 2),
    (310, 3, 4),
    (311, 3, 4),
    (8, 1, 1),
    (24, 2, 6),
    (32, 2, 8),
    (61, 2, 4),
    (160, 2, 4),
];

/// A record in `format` written from the bytes of `source`.
pub fn synthetic_record(format: u16, nsig: usize, frame_bytes: usize, source: &[u8]) -> Case {
    let name = format!("fmt{format}");
    let leads = ["I", "II", "V1"];
    let mut header = format!("{name} {nsig} 500 {SYNTH_FRAMES}\n");
    for lead in &leads[..nsig] {
        header.push_str(&format!(
            "{name}.dat {format} 200(0)/mV 12 0 0 0 0 {lead}\n"
        ));
    }
    let signal: Vec<u8> = source
        .iter()
        .copied()
        .cycle()
        .take(SYNTH_FRAMES * frame_bytes)
        .collect();
    Case {
        name: name.clone(),
        files: vec![
            CaseFile {
                name: format!("{name}.hea"),
                bytes: header.into_bytes(),
                origin: None,
                kind: Kind::WfdbHeader,
            },
            CaseFile {
                name: format!("{name}.dat"),
                bytes: signal,
                origin: None,
                kind: Kind::Binary,
            },
        ],
        open: name,
        reader: Reader::Record,
        mutable: vec![0, 1],
    }
}

/// LUDB record 1's first 500 samples as `ecg-panorama convert --to csv` writes them.
fn csv_case(data: &Path) -> Case {
    let mut record = open_record(&data.join("ludb/data/1")).unwrap();
    for lead in &mut record.leads {
        lead.samples.truncate(500);
    }
    let mut bytes = Vec::new();
    csv_io::write_csv(&record, &mut bytes).unwrap();
    Case {
        name: "csv".into(),
        files: vec![CaseFile {
            name: "1.csv".into(),
            bytes,
            origin: None,
            kind: Kind::Text,
        }],
        open: "1.csv".into(),
        reader: Reader::Record,
        mutable: vec![0],
    }
}

/// LUDB record 1's first 500 samples as a 16-bit EDF+ file: 12 signals in µV, two data records
/// of 0.5 s, and an annotation channel.
fn edf_case(data: &Path) -> Case {
    let record = open_record(&data.join("ludb/data/1")).unwrap();
    let ns = record.leads.len() + 1;
    let field = |v: &str, width: usize| format!("{v:<width$}");
    let mut head = String::new();
    head += &field("0", 8);
    head += &field("X X X X", 80);
    head += &field("Startdate X X X X", 80);
    head += "01.01.2601.00.00";
    head += &field(&(256 * (ns + 1)).to_string(), 8);
    head += &field("EDF+C", 44);
    head += &field("2", 8);
    head += &field("0.5", 8);
    head += &field(&ns.to_string(), 4);
    let labels: Vec<String> = record
        .leads
        .iter()
        .map(|l| format!("ECG {}", l.name))
        .chain(["EDF Annotations".to_string()])
        .collect();
    let per_record = |k: usize| if k < ns - 1 { 250 } else { 30 };
    for (width, value) in [
        (16, None),
        (80, Some("")),
        (8, Some("uV")),
        (8, Some("-32768")),
        (8, Some("32767")),
        (8, Some("-32768")),
        (8, Some("32767")),
        (80, Some("")),
        (8, Some("n")),
        (32, Some("")),
    ] {
        for (k, label) in labels.iter().enumerate() {
            let v = match value {
                None => label.clone(),
                Some("n") => per_record(k).to_string(),
                Some(v) => v.to_string(),
            };
            head += &field(&v, width);
        }
    }
    let mut bytes = head.into_bytes();
    for r in 0..2 {
        for (k, lead) in record.leads.iter().enumerate() {
            for i in 0..per_record(k) {
                let uv = (lead.samples[r * 250 + i] * 1000.0).round() as i16;
                bytes.extend_from_slice(&uv.to_le_bytes());
            }
        }
        bytes.extend(std::iter::repeat_n(0u8, 2 * per_record(ns - 1)));
    }
    Case {
        name: "edf".into(),
        files: vec![CaseFile {
            name: "1.edf".into(),
            bytes,
            origin: None,
            kind: Kind::Binary,
        }],
        open: "1.edf".into(),
        reader: Reader::Record,
        mutable: vec![0],
    }
}

fn model_case(file: &str, reader: Reader) -> Case {
    let models = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("models");
    let path = models.join(file);
    Case {
        name: file.replace('.', "_"),
        files: vec![CaseFile {
            name: file.into(),
            bytes: std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())),
            origin: Some(format!("models/{file}")),
            kind: Kind::HeaderedBinary,
        }],
        open: file.into(),
        reader,
        mutable: vec![0],
    }
}

/// Every target, built from the data folder.
pub fn targets(data: &Path) -> Vec<Target> {
    let records = |mutable: &[&str], which: &[usize]| -> Vec<Case> {
        which
            .iter()
            .map(|&i| {
                let (files, open) = RECORDS[i];
                from_data(data, files, open, Reader::Record, mutable)
            })
            .collect()
    };
    let one = |rel: &str, reader: Reader| from_data(data, &[rel], rel_name(rel), reader, &[""]);
    let ludb_dat = std::fs::read(data.join("ludb/data/1.dat")).unwrap();
    vec![
        Target {
            name: "WFDB header",
            cases: records(&[".hea"], &[0, 1, 2, 3, 4]),
        },
        Target {
            name: "WFDB format 16 signal",
            cases: records(&[".dat", ".xyz"], &[0, 2, 4]),
        },
        Target {
            name: "WFDB format 212 signal",
            cases: records(&[".dat"], &[1]),
        },
        Target {
            name: "WFDB .mat 16x1+24",
            cases: records(&[".mat", ".hea"], &[3]),
        },
        Target {
            name: "WFDB formats 80/310/311/8/24/32/61/160",
            cases: SYNTH_FORMATS
                .iter()
                .map(|&(f, n, b)| synthetic_record(f, n, b, &ludb_dat))
                .collect(),
        },
        Target {
            name: "WFDB annotations",
            cases: vec![
                one("ludb/data/1.i", Reader::Annotations),
                one("ludb/data/1.v6", Reader::Annotations),
                one("wfdb-samples/100.atr", Reader::Annotations),
                one("cpsc2021-samples/data_101_6.atr", Reader::Annotations),
            ],
        },
        Target {
            name: "JSON cycle labels",
            cases: vec![
                one(
                    "electrocardio-panorama/tianchi/tianchi_interval/11315.json",
                    Reader::Labels,
                ),
                one(
                    "electrocardio-panorama/ManualAnnotation/1005.json",
                    Reader::Labels,
                ),
            ],
        },
        Target {
            name: "Tianchi .npy",
            cases: vec![
                one(
                    "electrocardio-panorama/tianchi/npy_data/tianchi_train_round1/11315.npy",
                    Reader::Record,
                ),
                one(
                    "electrocardio-panorama/tianchi/npy_data/tianchi_train_round1/40723.npy",
                    Reader::Record,
                ),
            ],
        },
        Target {
            name: "CSV",
            cases: vec![csv_case(data)],
        },
        Target {
            name: "EDF",
            cases: vec![edf_case(data)],
        },
        Target {
            name: "model weights",
            cases: vec![
                model_case("nefnet.safetensors", Reader::NefNet),
                model_case("nefnet-holdout-v4-i.safetensors", Reader::NefNet),
                model_case("delineator.safetensors", Reader::Delineator),
            ],
        },
    ]
}

fn rel_name(rel: &str) -> &str {
    rel.rsplit('/').next().unwrap_or(rel)
}
