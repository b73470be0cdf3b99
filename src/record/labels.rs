//! The seed's JSON cycle labels: "P on", "P off", "R on", "R off", "T on", "T off" lists of
//! sample indices (one set of boundaries per record, not per lead).

use crate::error::{Error, Result, read_text};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// Wave boundaries of a record as the seed's JSON stores them (sample indices at the record's rate).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CycleLabels {
    /// P wave onsets.
    #[serde(rename = "P on", default)]
    pub p_on: Vec<i64>,
    /// P wave offsets.
    #[serde(rename = "P off", default)]
    pub p_off: Vec<i64>,
    /// QRS onsets.
    #[serde(rename = "R on", default)]
    pub r_on: Vec<i64>,
    /// QRS offsets.
    #[serde(rename = "R off", default)]
    pub r_off: Vec<i64>,
    /// T wave onsets.
    #[serde(rename = "T on", default)]
    pub t_on: Vec<i64>,
    /// T wave offsets.
    #[serde(rename = "T off", default)]
    pub t_off: Vec<i64>,
}

impl CycleLabels {
    /// The six lists with their JSON keys, in file order.
    pub fn kinds(&self) -> [(&'static str, &Vec<i64>); 6] {
        [
            ("P on", &self.p_on),
            ("P off", &self.p_off),
            ("R on", &self.r_on),
            ("R off", &self.r_off),
            ("T on", &self.t_on),
            ("T off", &self.t_off),
        ]
    }

    /// Number of boundary marks of all kinds.
    pub fn total(&self) -> usize {
        self.kinds().iter().map(|(_, v)| v.len()).sum()
    }

    /// Parse labels from JSON text; `path` names the file in errors.
    pub fn from_json(text: &str, path: &Path) -> Result<Self> {
        let labels: CycleLabels = serde_json::from_str(text)
            .map_err(|e| Error::malformed(path, "JSON cycle-label file", e.to_string()))?;
        if labels.total() == 0 {
            return Err(Error::malformed(
                path,
                "JSON cycle-label file",
                "none of the keys \"P on\", \"P off\", \"R on\", \"R off\", \"T on\", \"T off\" holds a boundary",
            ));
        }
        if let Some((key, v)) = labels
            .kinds()
            .into_iter()
            .find(|(_, v)| v.iter().any(|&s| s < 0))
        {
            let bad = v.iter().find(|&&s| s < 0).copied().unwrap_or_default();
            return Err(Error::malformed(
                path,
                "JSON cycle-label file",
                format!("\"{key}\" holds a negative sample index ({bad})"),
            ));
        }
        Ok(labels)
    }

    /// Read labels from a JSON file.
    pub fn read(path: &Path) -> Result<Self> {
        Self::from_json(&read_text(path)?, path)
    }

    /// Write labels as JSON (keys in the seed's order), atomically.
    pub fn write(&self, path: &Path) -> Result<()> {
        let text = serde_json::to_string(self)?;
        crate::fsio::write(path, text.as_bytes(), crate::fsio::Replace::Allow)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_seed_format_and_writes_it_back() {
        let text = r#"{"P on": [10, 510], "P off": [60], "R on": [100], "R off": [150], "T on": [250], "T off": [350]}"#;
        let p = Path::new("x.json");
        let labels = CycleLabels::from_json(text, p).unwrap();
        assert_eq!(labels.p_on, vec![10, 510]);
        assert_eq!(labels.t_off, vec![350]);
        let again = CycleLabels::from_json(&serde_json::to_string(&labels).unwrap(), p).unwrap();
        assert_eq!(again, labels);
    }

    #[test]
    fn broken_json_names_the_file() {
        let err =
            CycleLabels::from_json(r#"{"P on": [4106 4627]}"#, Path::new("2373.json")).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("2373.json") && msg.contains("JSON"), "{msg}");
    }

    #[test]
    fn empty_or_negative_labels_are_rejected() {
        assert!(CycleLabels::from_json("{}", Path::new("e.json")).is_err());
        assert!(CycleLabels::from_json(r#"{"R on": [-3]}"#, Path::new("n.json")).is_err());
    }
}
