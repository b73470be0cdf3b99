//! Scoring the anomaly map: PTB-XL's diagnostic superclasses, and the AUROC of a score.

use crate::error::{Error, Result};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// PTB-XL's diagnostic superclasses besides NORM.
pub const SUPERCLASSES: [&str; 4] = ["MI", "STTC", "CD", "HYP"];

/// Per record name (`00001_hr`): its diagnostic superclasses (NORM, MI, STTC, CD, HYP).
pub fn ptbxl_superclasses(
    database: &Path,
    statements: &Path,
) -> Result<BTreeMap<String, BTreeSet<String>>> {
    let open = |p: &Path| {
        csv::Reader::from_path(p).map_err(|e| Error::Invalid(format!("{}: {e}", p.display())))
    };
    let mut class_of: BTreeMap<String, String> = BTreeMap::new();
    let mut st = open(statements)?;
    let headers = st
        .headers()
        .map_err(|e| Error::Invalid(e.to_string()))?
        .clone();
    let col = |h: &csv::StringRecord, name: &str, p: &Path| {
        h.iter()
            .position(|c| c == name)
            .ok_or_else(|| Error::Invalid(format!("{}: no column {name}", p.display())))
    };
    let (diag, class) = (
        col(&headers, "diagnostic", statements)?,
        col(&headers, "diagnostic_class", statements)?,
    );
    for row in st.records() {
        let row = row.map_err(|e| Error::Invalid(format!("{}: {e}", statements.display())))?;
        if row
            .get(diag)
            .is_some_and(|d| d.trim() == "1.0" || d.trim() == "1")
            && let (Some(code), Some(c)) = (row.get(0), row.get(class))
            && !c.is_empty()
        {
            class_of.insert(code.to_string(), c.to_string());
        }
    }
    let mut db = open(database)?;
    let headers = db
        .headers()
        .map_err(|e| Error::Invalid(e.to_string()))?
        .clone();
    let (codes, file) = (
        col(&headers, "scp_codes", database)?,
        col(&headers, "filename_hr", database)?,
    );
    let mut out = BTreeMap::new();
    for row in db.records() {
        let row = row.map_err(|e| Error::Invalid(format!("{}: {e}", database.display())))?;
        let (Some(c), Some(f)) = (row.get(codes), row.get(file)) else {
            continue;
        };
        let name = f.rsplit('/').next().unwrap_or(f).to_string();
        // scp_codes is a Python dict: {'NORM': 100.0, 'SR': 0.0}.
        let classes: BTreeSet<String> = c
            .split(',')
            .filter_map(|kv| kv.split('\'').nth(1))
            .filter_map(|code| class_of.get(code).cloned())
            .collect();
        out.insert(name, classes);
    }
    Ok(out)
}

/// The area under the ROC curve of `scores` for telling `positive` from `negative` (ties count
/// half); NaN when either side is empty.
pub fn auroc(positive: &[f64], negative: &[f64]) -> f64 {
    let p: Vec<f64> = positive.iter().copied().filter(|v| v.is_finite()).collect();
    let n: Vec<f64> = negative.iter().copied().filter(|v| v.is_finite()).collect();
    if p.is_empty() || n.is_empty() {
        return f64::NAN;
    }
    let mut wins = 0.0;
    for a in &p {
        for b in &n {
            wins += if a > b {
                1.0
            } else if a == b {
                0.5
            } else {
                0.0
            };
        }
    }
    wins / (p.len() * n.len()) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auroc_counts_pairs_and_ties() {
        assert_eq!(auroc(&[2.0, 3.0], &[1.0, 0.0]), 1.0);
        assert_eq!(auroc(&[0.0], &[1.0]), 0.0);
        assert_eq!(auroc(&[1.0], &[1.0]), 0.5);
        assert!(auroc(&[], &[1.0]).is_nan());
    }

    #[test]
    fn ptbxl_records_get_their_superclasses() {
        let dir = crate::test_data_dir().join("ptbxl");
        let m = ptbxl_superclasses(
            &dir.join("ptbxl_database.csv"),
            &dir.join("scp_statements.csv"),
        )
        .unwrap();
        assert_eq!(m.len(), 353);
        assert!(m["00001_hr"].contains("NORM"));
        let norm = m
            .values()
            .filter(|c| c.len() == 1 && c.contains("NORM"))
            .count();
        assert!((150..=260).contains(&norm), "{norm}");
    }
}
