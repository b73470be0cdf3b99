//! Export's files go through the crate's one atomic writer ([`crate::fsio`]).

use crate::error::Result;
use crate::fsio::{Replace, write_set};
use std::path::Path;

/// Write every `(path, bytes)` pair, replacing existing files, or none of the new files when
/// staging any of them fails.
pub(crate) fn write_files(files: &[(&Path, &[u8])]) -> Result<()> {
    write_set(files, Replace::Allow)
}
