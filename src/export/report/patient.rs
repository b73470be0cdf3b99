//! Who and when, for the report's header: age, sex and the recording's date and time, from
//! wherever the record's files keep them.
//!
//! - header comments: LUDB's `#<age>: 51` / `#<sex>: F`, the CinC challenge's `# Age: 77` /
//!   `# Sex: Female`, PTB's `# age: 81` / `# ECG date: 01/10/1990`, MIT-BIH's `# 69 M …`;
//! - the `.hea` record line's base time and date (`NAME 2 360 650000 11:13:10 01/01/2000`);
//! - PTB-XL, whose headers hold none of it: its `ptbxl_database.csv` (age, sex 0 = male,
//!   1 = female, `recording_date`), looked for beside the record and up to three folders above.

use crate::record::{Record, record_stem};
use std::path::Path;

/// What the header says about the patient and the recording; `None` when no file says it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PatientInfo {
    /// Age in years, as written.
    pub age: Option<String>,
    /// "M" or "F" (other values as written).
    pub sex: Option<String>,
    /// Date and time of the recording, as written.
    pub recorded: Option<String>,
}

impl PatientInfo {
    /// The header's patient line, e.g. "Age 51 · Sex F · Recorded 01/10/1990"; empty when
    /// nothing is known.
    pub fn line(&self) -> String {
        [
            self.age.as_ref().map(|a| format!("Age {a}")),
            self.sex.as_ref().map(|s| format!("Sex {s}")),
            self.recorded.as_ref().map(|r| format!("Recorded {r}")),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join("  ·  ")
    }
}

/// Age, sex and recording time of `record`, read from its comments and, when `path` names its
/// files, its `.hea` record line and PTB-XL's database table.
pub fn patient_info(record: &Record, path: Option<&Path>) -> PatientInfo {
    let mut info = PatientInfo::default();
    for c in &record.comments {
        from_comment(c.trim().trim_start_matches('#').trim(), &mut info);
    }
    if let Some(path) = path {
        let stem = record_stem(path);
        if info.recorded.is_none() {
            let mut hea = stem.into_os_string();
            hea.push(".hea");
            info.recorded = base_time(Path::new(&hea));
        }
        if info.age.is_none() || info.sex.is_none() || info.recorded.is_none() {
            ptbxl(&record.name, path, &mut info);
        }
    }
    info
}

fn set(slot: &mut Option<String>, value: &str) {
    let v = value.trim();
    let unknown =
        v.is_empty() || ["?", "nan", "unknown", "n/a"].contains(&v.to_lowercase().as_str());
    if slot.is_none() && !unknown {
        *slot = Some(v.to_string());
    }
}

fn sex_of(v: &str) -> String {
    match v.trim().to_lowercase().as_str() {
        "m" | "male" => "M".into(),
        "f" | "female" => "F".into(),
        _ => v.trim().to_string(),
    }
}

fn from_comment(c: &str, info: &mut PatientInfo) {
    if let Some((key, value)) = c.split_once(':') {
        let key = key.trim().trim_matches(['<', '>']).trim().to_lowercase();
        match key.as_str() {
            "age" => set(&mut info.age, value),
            "sex" | "gender" => set(&mut info.sex, &sex_of(value)),
            "ecg date" | "date" | "recording date" => set(&mut info.recorded, value),
            _ => {}
        }
        return;
    }
    // MIT-BIH: "69 M 1085 1629 x1".
    let mut words = c.split_whitespace();
    if let (Some(age), Some(sex)) = (words.next(), words.next())
        && age.parse::<u32>().is_ok_and(|a| a < 130)
        && matches!(sex, "M" | "F")
    {
        set(&mut info.age, age);
        set(&mut info.sex, sex);
    }
}

/// The base time and date on a `.hea` file's record line, when it has them.
fn base_time(hea: &Path) -> Option<String> {
    let text = std::fs::read_to_string(hea).ok()?;
    let line = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))?;
    let fields: Vec<&str> = line.split_whitespace().collect();
    let rest = fields.get(4..).filter(|r| !r.is_empty())?;
    rest.first()?.contains(':').then(|| rest.join(" "))
}

/// PTB-XL's age, sex and recording date of record `NNNNN_hr` (or `_lr`).
fn ptbxl(name: &str, path: &Path, info: &mut PatientInfo) {
    let Some(id) = name
        .strip_suffix("_hr")
        .or_else(|| name.strip_suffix("_lr"))
        .filter(|id| id.len() == 5 && id.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|id| id.parse::<u64>().ok())
    else {
        return;
    };
    let Some(table) = path
        .ancestors()
        .skip(1)
        .take(4)
        .map(|d| d.join("ptbxl_database.csv"))
        .find(|p| p.is_file())
    else {
        return;
    };
    let Ok(mut reader) = csv::Reader::from_path(&table) else {
        return;
    };
    let Ok(headers) = reader.headers().cloned() else {
        return;
    };
    let col = |name: &str| headers.iter().position(|h| h == name);
    let (Some(c_id), c_age, c_sex, c_date) =
        (col("ecg_id"), col("age"), col("sex"), col("recording_date"))
    else {
        return;
    };
    for row in reader.records().flatten() {
        if row.get(c_id).and_then(|v| v.parse::<f64>().ok()) != Some(id as f64) {
            continue;
        }
        let get = |c: Option<usize>| c.and_then(|c| row.get(c)).unwrap_or("");
        // PTB-XL writes ages over 89 as 300 to keep patients anonymous.
        let age = get(c_age).parse::<f64>().ok().map(|a| match a {
            a if a >= 300.0 => "> 89".to_string(),
            a => format!("{a:.0}"),
        });
        set(&mut info.age, age.as_deref().unwrap_or(""));
        match get(c_sex).trim() {
            "0" | "0.0" => set(&mut info.sex, "M"),
            "1" | "1.0" => set(&mut info.sex, "F"),
            _ => {}
        }
        set(&mut info.recorded, get(c_date));
        return;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_comments(comments: &[&str]) -> PatientInfo {
        let record = Record {
            name: "r".into(),
            fs: 500.0,
            leads: Vec::new(),
            comments: comments.iter().map(|c| c.to_string()).collect(),
            notes: Vec::new(),
        };
        patient_info(&record, None)
    }

    #[test]
    fn comments_of_each_database() {
        let ludb = with_comments(&["<age>: 51", "<sex>: F", "<diagnoses>:"]);
        assert_eq!(
            (ludb.age.as_deref(), ludb.sex.as_deref()),
            (Some("51"), Some("F"))
        );
        let cinc = with_comments(&[" Age: 77", " Sex: Female", " Dx: 1"]);
        assert_eq!(
            (cinc.age.as_deref(), cinc.sex.as_deref()),
            (Some("77"), Some("F"))
        );
        let ptb = with_comments(&["age: 81", "sex: male", "ECG date: 01/10/1990"]);
        assert_eq!(ptb.line(), "Age 81  ·  Sex M  ·  Recorded 01/10/1990");
        let mit = with_comments(&["69 M 1085 1629 x1", "Aldomet, Inderal"]);
        assert_eq!(
            (mit.age.as_deref(), mit.sex.as_deref()),
            (Some("69"), Some("M"))
        );
        let none = with_comments(&["age: ?", "Produced by xform"]);
        assert_eq!(none, PatientInfo::default());
        assert_eq!(none.line(), "");
    }
}
