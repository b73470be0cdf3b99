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
    #[error("{path}: {source}", path = .path.display())]
    Io {
        /// The file being read or written.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
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
    /// A request that makes no sense for the data (bad filter cut-off, empty signal, ...).
    #[error("{0}")]
    Invalid(String),
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
                source,
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
