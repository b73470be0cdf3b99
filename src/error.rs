//! The one error type of the library: every failure names the file and what is wrong with it.

use std::path::{Path, PathBuf};

/// Everything that can go wrong while reading, converting or processing a record.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file that should exist does not.
    #[error("{path}: file not found{context}", path = .path.display())]
    NotFound {
        /// The missing file.
        path: PathBuf,
        /// Who asked for it (e.g. " (named by header 100.hea)"); may be empty.
        context: String,
    },
    /// The operating system refused a read or write.
    #[error("{path}: {cause}", path = .path.display())]
    Io {
        /// The file being read or written.
        path: PathBuf,
        /// The underlying error, in the message already (not a `source`, so an error chain
        /// does not print it twice).
        cause: std::io::Error,
    },
    /// A text file (header, CSV, JSON) is not valid UTF-8.
    #[error("{path}: not UTF-8 text (invalid byte at offset {offset})", path = .path.display())]
    NotUtf8 {
        /// The offending file.
        path: PathBuf,
        /// Byte offset of the first invalid sequence.
        offset: usize,
    },
    /// A WFDB header that cannot be understood.
    #[error("{path}: malformed header: {reason}", path = .path.display())]
    Header {
        /// The header file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// A signal storage format this program cannot decode.
    #[error("{path}: unsupported signal format {format}: {reason}", path = .path.display())]
    UnsupportedFormat {
        /// The header or signal file.
        path: PathBuf,
        /// The format as written in the file.
        format: String,
        /// Why it is not supported.
        reason: String,
    },
    /// A signal file shorter than its header says.
    #[error(
        "{path}: truncated signal file: the header promises {expected} samples per signal, the file holds {found}",
        path = .path.display()
    )]
    Truncated {
        /// The signal file.
        path: PathBuf,
        /// Samples per signal announced by the header.
        expected: u64,
        /// Complete samples per signal actually present.
        found: u64,
    },
    /// A sampling rate that is zero, negative or not a number.
    #[error("{path}: invalid sampling rate {fs} Hz (it must be a positive number)", path = .path.display())]
    SamplingRate {
        /// The file that declares it.
        path: PathBuf,
        /// The rate as read.
        fs: f64,
    },
    /// A sample that is NaN or infinite where only finite values make sense.
    #[error("{path}: non-finite value ({value}) in lead {lead} at sample {sample}", path = .path.display())]
    NonFinite {
        /// The file holding it.
        path: PathBuf,
        /// Lead name or column.
        lead: String,
        /// Zero-based sample index.
        sample: usize,
        /// The value as read (NaN, inf).
        value: f64,
    },
    /// A file whose content does not fit its kind (annotation, JSON labels, CSV, npy).
    #[error("{path}: malformed {kind}: {reason}", path = .path.display())]
    Malformed {
        /// The file.
        path: PathBuf,
        /// What it was read as, e.g. "WFDB annotation file".
        kind: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// A path whose kind of record cannot be recognised.
    #[error("{path}: unknown record format: {reason}", path = .path.display())]
    UnknownFormat {
        /// The path given.
        path: PathBuf,
        /// What was expected.
        reason: String,
    },
    /// A weights file that safetensors cannot read.
    #[error("{path}: malformed {network} weights: {cause}", path = .path.display())]
    NotWeights {
        /// The weights file (or the name the built-in weights go by).
        path: PathBuf,
        /// The network it was meant for, e.g. "Nef-Net".
        network: &'static str,
        /// What safetensors found; in the message rather than the error chain, so that a
        /// chain printed with `{:#}` does not say it twice.
        cause: Box<candle_core::Error>,
    },
    /// A weights file whose tensors (names, shapes) do not fit the network it is loaded into.
    #[error(
        "{path}: malformed {network} weights: they do not fit the network: {cause}",
        path = .path.display()
    )]
    ModelMismatch {
        /// The weights file (or the name the built-in weights go by).
        path: PathBuf,
        /// The network it was loaded into, e.g. "Nef-Net".
        network: &'static str,
        /// The tensor that did not fit; in the message rather than the error chain, so that
        /// a chain printed with `{:#}` does not say it twice.
        cause: Box<candle_core::Error>,
    },
    /// A lead name that is not in the lead table.
    #[error("unknown input lead '{lead}' (known leads: {known})")]
    UnknownLead {
        /// The name as given.
        lead: String,
        /// The names that would have been understood.
        known: &'static str,
    },
    /// A lead the record does not hold.
    #[error("record {record} has no lead {lead}{}", available_leads(.available))]
    MissingLead {
        /// The record's name.
        record: String,
        /// The lead asked for.
        lead: String,
        /// The leads the record has, when worth listing (empty otherwise).
        available: Vec<String>,
    },
    /// A lead without a known viewpoint where an engine or a score needs one.
    #[error("lead {lead} has no known viewpoint{}", needed_by.map(|n| format!(" (the {n} needs one)")).unwrap_or_default())]
    NoViewpoint {
        /// The lead's name.
        lead: String,
        /// What needs the viewpoint, e.g. "Nef-Net engine"; `None` when nothing more is said.
        needed_by: Option<&'static str>,
    },
    /// A cycle that does not lie inside its record.
    #[error("record {record}: cycle {start}..={end} does not lie inside its {len} samples")]
    CycleOutside {
        /// The record's name.
        record: String,
        /// First sample of the cycle.
        start: usize,
        /// Last sample of the cycle.
        end: usize,
        /// Samples in the record.
        len: usize,
    },
    /// Records a split file names that the records folder does not hold.
    #[error(
        "{split}: {} test record(s) are not in {dir} (no header): {}",
        missing.len(),
        first_ten(.missing),
        split = .split.display(),
        dir = .dir.display()
    )]
    MissingRecords {
        /// The split file.
        split: PathBuf,
        /// The records folder.
        dir: PathBuf,
        /// The names without a header in `dir`.
        missing: Vec<String>,
    },
    /// A viewpoint given on the command line that cannot be understood.
    #[error("view '{spec}': {reason}")]
    BadView {
        /// The view as given.
        spec: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A tensor operation of a network failed (boxed: candle's error is several times the
    /// size of every other variant; `?` converts it, see the `From` impl).
    #[error(transparent)]
    Tensor(Box<candle_core::Error>),
    /// A document that could not be turned into JSON.
    #[error(transparent)]
    Json(#[from] serde_json::Error),
    /// A request that makes no sense for the data (bad filter cut-off, empty signal, ...).
    #[error("{0}")]
    Invalid(String),
}

/// The first ten names, comma-separated, with "…" when there are more.
fn first_ten(names: &[String]) -> String {
    let shown = names[..names.len().min(10)].join(", ");
    if names.len() > 10 {
        format!("{shown}, …")
    } else {
        shown
    }
}

/// " (it has I, II, …)" for a non-empty lead list, else nothing.
fn available_leads(leads: &[String]) -> String {
    if leads.is_empty() {
        String::new()
    } else {
        format!(" (it has {})", leads.join(", "))
    }
}

impl From<candle_core::Error> for Error {
    fn from(e: candle_core::Error) -> Self {
        Error::Tensor(Box::new(e))
    }
}

/// Result with the library's [`Error`].
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// An I/O error on `path`, turning "not found" into [`Error::NotFound`].
    pub fn io(path: &Path, source: std::io::Error) -> Self {
        if source.kind() == std::io::ErrorKind::NotFound {
            Error::NotFound {
                path: path.to_path_buf(),
                context: String::new(),
            }
        } else {
            Error::Io {
                path: path.to_path_buf(),
                cause: source,
            }
        }
    }

    /// A [`Error::Malformed`] error.
    pub fn malformed(path: &Path, kind: &'static str, reason: impl Into<String>) -> Self {
        Error::Malformed {
            path: path.to_path_buf(),
            kind,
            reason: reason.into(),
        }
    }
}

/// Read a whole text file, with a clear error for a missing file or non-UTF-8 content.
pub fn read_text(path: &Path) -> Result<String> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    String::from_utf8(bytes).map_err(|e| Error::NotUtf8 {
        path: path.to_path_buf(),
        offset: e.utf8_error().valid_up_to(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::{DType, Device, Tensor};

    /// A reshape that cannot work: 6 values into 4 × 2.
    fn bad_reshape() -> candle_core::Result<Tensor> {
        Tensor::zeros((2, 3), DType::F32, &Device::Cpu)?.reshape((4, 2))
    }

    fn through_question_mark() -> Result<Tensor> {
        Ok(bad_reshape()?)
    }

    #[test]
    fn a_candle_error_converts_through_question_mark_and_keeps_its_message() {
        let candle = bad_reshape().unwrap_err().to_string();
        let err = through_question_mark().unwrap_err();
        assert!(matches!(err, Error::Tensor(_)), "{err:?}");
        assert_eq!(err.to_string(), candle);
    }

    #[test]
    fn a_json_error_converts_through_question_mark_and_keeps_its_message() {
        // JSON object keys must be strings: a map keyed by pairs cannot be written.
        let doc = std::collections::BTreeMap::from([((1, 2), 3)]);
        let json = serde_json::to_vec(&doc).unwrap_err().to_string();
        let err = (|| -> Result<Vec<u8>> { Ok(serde_json::to_vec(&doc)?) })().unwrap_err();
        assert!(matches!(err, Error::Json(_)), "{err:?}");
        assert_eq!(err.to_string(), json);
    }

    #[test]
    fn weights_that_do_not_fit_name_the_file_and_the_tensor_once_in_a_chain() {
        let cause = candle_core::Error::Msg("cannot find tensor enc.weight".into());
        let err = Error::ModelMismatch {
            path: PathBuf::from("w.safetensors"),
            network: "Nef-Net",
            cause: Box::new(cause),
        };
        let text = err.to_string();
        assert_eq!(
            text,
            "w.safetensors: malformed Nef-Net weights: they do not fit the network: \
             cannot find tensor enc.weight"
        );
        let chain = format!(
            "{:#}",
            anyhow::Error::from(err).context("loading the engine")
        );
        assert_eq!(chain.matches("enc.weight").count(), 1, "{chain}");
    }

    #[test]
    fn a_long_list_of_missing_records_is_cut_at_ten() {
        let missing: Vec<String> = (1..=12).map(|n| n.to_string()).collect();
        let err = Error::MissingRecords {
            split: PathBuf::from("split.txt"),
            dir: PathBuf::from("ludb"),
            missing,
        };
        assert_eq!(
            err.to_string(),
            "split.txt: 12 test record(s) are not in ludb (no header): \
             1, 2, 3, 4, 5, 6, 7, 8, 9, 10, …"
        );
    }

    #[test]
    fn lead_errors_say_which_lead_and_what_there_is() {
        let missing = |available: Vec<String>| Error::MissingLead {
            record: "100".into(),
            lead: "V1".into(),
            available,
        };
        assert_eq!(missing(vec![]).to_string(), "record 100 has no lead V1");
        assert_eq!(
            missing(vec!["MLII".into(), "V5".into()]).to_string(),
            "record 100 has no lead V1 (it has MLII, V5)"
        );
        let none = Error::NoViewpoint {
            lead: "X".into(),
            needed_by: Some("Nef-Net engine"),
        };
        assert_eq!(
            none.to_string(),
            "lead X has no known viewpoint (the Nef-Net engine needs one)"
        );
    }
}
