//! The project's record split (`models/ludb-split.txt`): which records train and which test.

use crate::error::{Error, Result, read_text};
use std::path::Path;

/// Records assigned to training and to testing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Split {
    /// Record names used to train (and to tune).
    pub train: Vec<String>,
    /// Held-out record names, used only to evaluate.
    pub test: Vec<String>,
}

impl Split {
    /// Parse `train NAME` / `test NAME` lines; `#` starts a comment.
    pub fn parse(text: &str, path: &Path) -> Result<Self> {
        let mut split = Split::default();
        for (i, line) in text.lines().enumerate() {
            let line = line.split('#').next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            let mut parts = line.split_whitespace();
            let (part, name) = (parts.next(), parts.next());
            match (part, name, parts.next()) {
                (Some("train"), Some(n), None) => split.train.push(n.to_string()),
                (Some("test"), Some(n), None) => split.test.push(n.to_string()),
                _ => {
                    return Err(Error::malformed(
                        path,
                        "split file",
                        format!(
                            "line {}: expected `train NAME` or `test NAME`, found {line:?}",
                            i + 1
                        ),
                    ));
                }
            }
        }
        if let Some(both) = split.train.iter().find(|n| split.test.contains(n)) {
            return Err(Error::malformed(
                path,
                "split file",
                format!("record {both} is listed as both train and test"),
            ));
        }
        Ok(split)
    }

    /// Read a split file.
    pub fn read(path: &Path) -> Result<Self> {
        Self::parse(&read_text(path)?, path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_train_and_test_lines_with_comments() {
        let s = Split::parse(
            "# header\ntrain 1\ntest 2 # held out\n\ntrain 3\n",
            Path::new("s.txt"),
        )
        .unwrap();
        assert_eq!(s.train, ["1", "3"]);
        assert_eq!(s.test, ["2"]);
    }

    #[test]
    fn rejects_bad_lines_and_overlap() {
        let e = Split::parse("train 1\nvalidate 2\n", Path::new("s.txt")).unwrap_err();
        assert!(
            e.to_string().contains("s.txt") && e.to_string().contains("line 2"),
            "{e}"
        );
        assert!(Split::parse("train 1\ntest 1\n", Path::new("s.txt")).is_err());
    }

    #[test]
    fn the_shipped_ludb_split_holds_out_a_fifth_of_the_records() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("models/ludb-split.txt");
        let s = Split::read(&path).unwrap();
        assert_eq!(s.train.len() + s.test.len(), 160);
        assert!(s.test.len() >= 30 && s.test.len() <= 34, "{}", s.test.len());
    }
}
