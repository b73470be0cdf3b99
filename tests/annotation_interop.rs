//! WFDB annotation files against wfdb-python: real files read as `rdann` reads them, and
//! files written here read back by `rdann` (and byte-identical to `wrann`'s).

mod common;

use ecg_panorama::record::annotation::{
    Annotation, encode_annotations, read_annotations, symbol_counts, write_annotations,
};
use std::path::{Path, PathBuf};

/// Every annotation of each file as `rdann` returns it, as JSON rows.
const RDANN: &str = r#"
import json, sys, wfdb
out = []
for path in sys.argv[1:]:
    base, ext = path.rsplit('.', 1)
    a = wfdb.rdann(base, ext)
    out.append([[int(s), str(y), int(st), int(c), int(n), str(x)]
                for s, y, st, c, n, x in zip(a.sample, a.symbol, a.subtype, a.chan, a.num, a.aux_note)])
print(json.dumps(out))
"#;

/// `wrann` of JSON rows (argv[2]) to the file argv[1].
const WRANN: &str = r#"
import json, os, sys, numpy as np, wfdb
path, rows = sys.argv[1], json.loads(sys.argv[2])
base, ext = os.path.basename(path).rsplit('.', 1)
col = lambda k: [r[k] for r in rows]
wfdb.wrann(base, ext, np.array(col(0), dtype='int64'), symbol=col(1),
           subtype=np.array(col(2)), chan=np.array(col(3)), num=np.array(col(4)),
           aux_note=col(5), write_dir=os.path.dirname(path))
"#;

type Row = (i64, String, i8, u8, i8, String);

fn from_row((sample, symbol, subtype, chan, num, aux): Row) -> Annotation {
    Annotation {
        sample,
        symbol,
        subtype,
        chan,
        num,
        aux: (!aux.is_empty()).then_some(aux),
    }
}

fn to_row(a: &Annotation) -> Row {
    let aux = a.aux.clone().unwrap_or_default();
    (a.sample, a.symbol.clone(), a.subtype, a.chan, a.num, aux)
}

fn rdann(paths: &[PathBuf]) -> Vec<Vec<Annotation>> {
    let args: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = common::run_python(RDANN, &args);
    let files: Vec<Vec<Row>> = serde_json::from_slice(&out).expect("rdann JSON");
    assert_eq!(files.len(), paths.len());
    files
        .into_iter()
        .map(|rows| rows.into_iter().map(from_row).collect())
        .collect()
}

fn assert_same(ours: &[Annotation], reference: &[Annotation], what: &str) {
    assert_eq!(ours.len(), reference.len(), "{what}: annotation count");
    for (k, (a, b)) in ours.iter().zip(reference).enumerate() {
        assert_eq!(a, b, "{what}: annotation {k}");
    }
}

fn reference_files() -> Vec<PathBuf> {
    let data = common::data_dir();
    let mut files = vec![data.join("wfdb-samples/100.atr")];
    let leads = [
        "i", "ii", "iii", "avr", "avl", "avf", "v1", "v2", "v3", "v4", "v5", "v6",
    ];
    for record in ["1", "2"] {
        for lead in leads {
            files.push(data.join(format!("ludb/data/{record}.{lead}")));
        }
    }
    files.push(data.join("cpsc2021-samples/data_101_6.atr"));
    files.push(data.join("cpsc2021-samples/data_8_2.atr"));
    files
}

#[test]
fn real_files_read_as_rdann_reads_them() {
    let files = reference_files();
    assert_eq!(files.len(), 27);
    let reference = rdann(&files);
    for (path, expected) in files.iter().zip(&reference) {
        let ours = read_annotations(path).unwrap();
        assert!(!ours.is_empty(), "{}", path.display());
        assert_same(&ours, expected, &path.display().to_string());
    }
    // The files hold what their databases describe, so a reader that dropped fields would show.
    let mitdb = &reference[0];
    assert_eq!(mitdb[0].symbol, "+");
    assert_eq!(mitdb[0].aux.as_deref(), Some("(N\0"));
    assert!(symbol_counts(mitdb)["N"] > 2000);
    let ludb = symbol_counts(&reference[1]);
    assert!(
        ludb.keys()
            .all(|s| ["(", ")", "N", "p", "t"].contains(&s.as_str()))
    );
    let cpsc: Vec<_> = reference[25..].iter().flatten().collect();
    assert!(cpsc.iter().any(|a| a.aux.as_deref() == Some("(AFIB")));
}

fn made_up_set() -> Vec<Annotation> {
    let a = |sample, symbol: &str, subtype, chan, num, aux: &str| {
        from_row((sample, symbol.into(), subtype, chan, num, aux.into()))
    };
    vec![
        a(3, "(", 0, 0, 0, ""),
        a(10, "p", -5, 2, 0, ""),
        a(10, ")", 7, 2, 100, "x"),
        a(1500, "N", 0, 0, 127, "ab"),
        a(71_500, "\"", 1, 255, 3, "café, odd"),
        a(72_000, "(", 0, 255, 3, ""),
        a(72_050, "N", -128, 1, 3, "(N"),
        a(72_200, ")", 0, 1, 3, ""),
        a(3_000_000_000, "t", 0, 0, 0, &"z".repeat(255)),
    ]
}

#[test]
fn written_files_read_back_in_rdann() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("made.ann");
    let mut anns = made_up_set();
    // wrann refuses negative numbers, the format and rdann do not.
    anns[1].num = -7;
    anns[2].num = -7;
    write_annotations(&path, &anns).unwrap();
    assert_same(
        &rdann(std::slice::from_ref(&path))[0],
        &anns,
        "written file",
    );
    assert_same(
        &read_annotations(&path).unwrap(),
        &anns,
        "written file, read here",
    );
}

/// `wrann` with a sampling rate and a custom label: both go into notes at sample 0.
const WRANN_HEADER: &str = r#"
import os, sys, numpy as np, pandas as pd, wfdb
path = sys.argv[1]
base, ext = os.path.basename(path).rsplit('.', 1)
labels = pd.DataFrame({'label_store': [42], 'symbol': ['Z'], 'description': ['made-up beat']})
wfdb.wrann(base, ext, np.array([0, 5, 10, 2000]), symbol=['N', 'Z', '"', 'N'],
           aux_note=['', '', 'note', ''], chan=np.array([0, 1, 1, 4]), fs=250,
           custom_labels=labels, write_dir=os.path.dirname(path))
"#;

#[test]
fn header_notes_and_custom_labels_read_as_rdann() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("defs.ann");
    common::run_python(WRANN_HEADER, &[&path.display().to_string()]);
    let reference = rdann(std::slice::from_ref(&path)).remove(0);
    assert_eq!(reference.len(), 4);
    assert_eq!(reference[1].symbol, "Z");
    assert_same(
        &read_annotations(&path).unwrap(),
        &reference,
        "wrann file with definitions",
    );
}

#[test]
fn written_bytes_equal_wrann_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("wfdb.ann");
    let anns = made_up_set();
    let rows: Vec<Row> = anns.iter().map(to_row).collect();
    let json = serde_json::to_string(&rows).unwrap();
    common::run_python(WRANN, &[&path.display().to_string(), &json]);
    let theirs = std::fs::read(&path).unwrap();
    assert_eq!(encode_annotations(&anns).unwrap(), theirs);
    assert_same(&read_annotations(&path).unwrap(), &anns, "wrann file");
}

#[test]
fn rewritten_mitdb_file_reads_the_same() {
    let original = common::data_dir().join("wfdb-samples/100.atr");
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("100.atr");
    let ours = read_annotations(&original).unwrap();
    write_annotations(&copy, &ours).unwrap();
    let both = rdann(&[original.clone(), copy.clone()]);
    assert_same(&both[1], &both[0], "rewritten 100.atr");
    assert_same(
        &read_annotations(&copy).unwrap(),
        &ours,
        "rewritten 100.atr, read here",
    );
    // The original was written with the same field order and compaction, byte for byte.
    assert_eq!(
        std::fs::read(&copy).unwrap(),
        std::fs::read(&original).unwrap()
    );
}

#[test]
fn missing_file_is_not_found() {
    let err = read_annotations(Path::new("/nonexistent/x.atr")).unwrap_err();
    assert!(err.to_string().contains("x.atr"), "{err}");
}
