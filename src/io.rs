//! The one place that touches the file system for reading input; atomic writes live here too.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

/// Why a file could not be read.
#[derive(Debug)]
pub enum ReadError {
    Missing,
    /// A directory, FIFO, socket or device where a file was expected. Never opened: opening a
    /// FIFO would block forever.
    NotAFile(&'static str),
    TooLarge {
        size: u64,
        limit: u64,
    },
    /// A symbolic link that resolves outside the repository; its target is never read.
    OutsideRoot,
    Io(io::Error),
}

/// Reads a regular file of at most `limit` bytes.
///
/// # Errors
///
/// See [`ReadError`]. The limit is checked before reading and enforced while reading, so a file
/// that grows in between cannot exhaust memory.
pub fn read_limited(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    let meta = match std::fs::metadata(path) {
        Ok(meta) => meta,
        Err(err) if err.kind() == io::ErrorKind::NotFound => return Err(ReadError::Missing),
        Err(err) => return Err(ReadError::Io(err)),
    };
    if meta.is_dir() {
        return Err(ReadError::NotAFile("a directory"));
    }
    if !meta.is_file() {
        return Err(ReadError::NotAFile("not a regular file"));
    }
    if meta.len() > limit {
        return Err(ReadError::TooLarge { size: meta.len(), limit });
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    File::open(path).and_then(|file| file.take(limit + 1).read_to_end(&mut bytes)).map_err(ReadError::Io)?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooLarge { size: bytes.len() as u64, limit });
    }
    Ok(bytes)
}
