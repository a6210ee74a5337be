//! The one file-system seam: size-limited reads, atomic writes, and the few other operations
//! commands need. Nothing outside `io` and `source` touches `std::fs` (a test enforces it).

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

impl ReadError {
    /// What went wrong reading `path`, in the words every reader uses (`verify`'s arguments and
    /// the repository's files alike).
    pub fn describe(&self, path: &str) -> String {
        match self {
            ReadError::Missing => format!("`{path}` does not exist"),
            ReadError::NotAFile(what) => format!("`{path}` is {what}, not a file"),
            ReadError::TooLarge { size, limit } => format!("`{path}` is {size} bytes, over the limit of {limit} bytes"),
            ReadError::OutsideRoot => "this symbolic link leads outside the repository".to_string(),
            ReadError::Io(err) => format!("cannot read `{path}`: {err}"),
        }
    }
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
    read_known(path, &meta, limit)
}

/// [`read_limited`] for a file whose metadata the caller already has (it stats every file
/// anyway, for the symbolic-link check): one system call fewer per file.
///
/// # Errors
///
/// As [`read_limited`].
pub fn read_known(path: &Path, meta: &std::fs::Metadata, limit: u64) -> Result<Vec<u8>, ReadError> {
    if meta.is_dir() {
        return Err(ReadError::NotAFile("a directory"));
    }
    if !meta.is_file() {
        return Err(ReadError::NotAFile("not a regular file"));
    }
    if meta.len() > limit {
        return Err(ReadError::TooLarge { size: meta.len(), limit });
    }
    read_opened(File::open(path).map_err(ReadError::Io)?, meta.len(), limit)
}

/// A regular file opened without following a final symbolic link (`O_NOFOLLOW`) and without
/// waiting for a FIFO's writer (`O_NONBLOCK`), with its metadata read from the handle: one path
/// lookup instead of `lstat`'s and `open`'s (a twentieth of `check`'s CPU on 10,000 files).
/// `None` for anything else (a link, a folder, a FIFO, a missing file, an error): the caller
/// then asks the path, whose answer says what it is.
#[cfg(unix)]
pub fn open_unfollowed(path: &Path) -> Option<(File, std::fs::Metadata)> {
    use std::os::unix::fs::OpenOptionsExt;
    let file =
        std::fs::OpenOptions::new().read(true).custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK).open(path).ok()?;
    let meta = file.metadata().ok()?;
    meta.is_file().then_some((file, meta))
}

/// Without `O_NOFOLLOW`, every path is asked first.
#[cfg(not(unix))]
pub fn open_unfollowed(_path: &Path) -> Option<(File, std::fs::Metadata)> {
    None
}

/// Reads an open regular file whose metadata said `size` bytes, at most `limit` bytes.
///
/// # Errors
///
/// As [`read_limited`].
pub fn read_opened(mut file: File, size: u64, limit: u64) -> Result<Vec<u8>, ReadError> {
    if size > limit {
        return Err(ReadError::TooLarge { size, limit });
    }
    let size = usize::try_from(size).unwrap_or(0);
    // One read of the size the metadata gave (plus a byte to notice growth) is the whole file
    // when it returns exactly that size: a second read only to be told "end of file" was a
    // tenth of the system calls of `check` on 10,000 files. A shorter read (a file system that
    // reads in pieces) or a longer one (the file grew) goes on to the end, under the limit.
    let mut bytes = vec![0; size.saturating_add(1)];
    let first = loop {
        match file.read(&mut bytes) {
            Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
            other => break other.map_err(ReadError::Io)?,
        }
    };
    bytes.truncate(first);
    if first != size {
        file.take(limit.saturating_add(1).saturating_sub(first as u64))
            .read_to_end(&mut bytes)
            .map_err(ReadError::Io)?;
    }
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooLarge { size: bytes.len() as u64, limit });
    }
    Ok(bytes)
}

/// Reads standard input to its end, at most `limit` bytes (`fmt -`, for editors).
///
/// # Errors
///
/// [`ReadError::TooLarge`] as soon as more than `limit` bytes arrive (its `size` is then a
/// lower bound); [`ReadError::Io`] when reading fails.
pub fn read_stdin(limit: u64) -> Result<Vec<u8>, ReadError> {
    let mut bytes = Vec::new();
    io::stdin().lock().take(limit.saturating_add(1)).read_to_end(&mut bytes).map_err(ReadError::Io)?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooLarge { size: bytes.len() as u64, limit });
    }
    Ok(bytes)
}

/// Reads a UTF-8 text file of at most `limit` bytes; `None` when it is missing, unreadable, too
/// large or not UTF-8 (for files that are only compared, such as an installed hook).
pub fn read_text(path: &Path, limit: u64) -> Option<String> {
    read_limited(path, limit).ok().and_then(|bytes| String::from_utf8(bytes).ok())
}

/// Writes `bytes` atomically unless the file already holds exactly them; returns whether it
/// wrote. An unchanged file keeps its modification time, so tools watching it see no change.
///
/// # Errors
///
/// Any I/O error from the write.
pub fn write_if_changed(path: &Path, bytes: &[u8]) -> io::Result<bool> {
    let limit = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
    if read_limited(path, limit).is_ok_and(|old| old == bytes) {
        return Ok(false);
    }
    write_atomic(path, bytes)?;
    Ok(true)
}

/// Creates a folder and its parents.
///
/// # Errors
///
/// Any I/O error.
pub fn create_dir_all(path: &Path) -> io::Result<()> {
    std::fs::create_dir_all(path)
}

/// Renames a file within one folder (moving a hook aside, restoring it).
///
/// # Errors
///
/// Any I/O error.
pub fn rename(from: &Path, to: &Path) -> io::Result<()> {
    std::fs::rename(from, to)
}

/// Removes a file.
///
/// # Errors
///
/// Any I/O error.
pub fn remove_file(path: &Path) -> io::Result<()> {
    std::fs::remove_file(path)
}

/// Whether `path`, which need not exist yet, lands inside `root` once every symbolic link on
/// the way is resolved: its nearest existing ancestor, resolved, lies under `root` resolved. A
/// dangling link on the way counts as outside, since where it would lead is unknown.
pub fn resolves_inside(root: &Path, path: &Path) -> bool {
    let Ok(root) = std::fs::canonicalize(root) else { return false };
    path.ancestors()
        .find(|at| at.symlink_metadata().is_ok())
        .is_some_and(|at| std::fs::canonicalize(at).is_ok_and(|real| real.starts_with(&root)))
}

/// The names of the files directly in `dir` (no folders), sorted; `None` when `dir` is not a
/// readable folder.
pub fn files_in(dir: &Path) -> Option<Vec<String>> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .ok()?
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    Some(names)
}

/// The files directly in `dir` (no folders, no temporary files of [`write_atomic`]), oldest
/// first by modification time, then by name; empty when `dir` cannot be read.
pub fn files_by_age(dir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut files: Vec<(std::time::SystemTime, String)> = entries
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .map(|e| (e.metadata().and_then(|m| m.modified()).unwrap_or(std::time::UNIX_EPOCH), e.file_name()))
        .map(|(at, name)| (at, name.to_string_lossy().into_owned()))
        .filter(|(_, name)| !name.ends_with(TEMP_SUFFIX))
        .collect();
    files.sort();
    files.into_iter().map(|(_, name)| name).collect()
}

/// Whether anything, even a dangling symbolic link, is at `path`.
pub fn exists(path: &Path) -> bool {
    path.symlink_metadata().is_ok()
}

/// Suffix of the temporary files `write_atomic` leaves only if it is killed.
const TEMP_SUFFIX: &str = ".rulesctl-tmp";

/// Writes `bytes` to `path` so that a crash or kill at any moment leaves the old file or the new
/// one, never a torn one: a temporary file in the same folder, flushed to disk, renamed over
/// `path`, then the folder synced so the rename itself survives a power loss.
///
/// # Errors
///
/// Any I/O error; the temporary file is removed when the error happens before the rename.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    write_atomic_inner(path, bytes, None)
}

/// [`write_atomic`], with Unix permissions set before the file appears (an executable hook is
/// never visible without its execute bit).
///
/// # Errors
///
/// Any I/O error.
pub fn write_atomic_mode(path: &Path, bytes: &[u8], mode: u32) -> io::Result<()> {
    write_atomic_inner(path, bytes, Some(mode))
}

fn write_atomic_inner(path: &Path, bytes: &[u8], mode: Option<u32>) -> io::Result<()> {
    use std::io::Write;
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);

    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let (tmp, mut file) = loop {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let tmp = dir.join(format!(".{name}.{}.{n}{TEMP_SUFFIX}", std::process::id()));
        match std::fs::OpenOptions::new().write(true).create_new(true).open(&tmp) {
            Ok(file) => break (tmp, file),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e),
        }
    };
    #[cfg(unix)]
    if let Some(mode) = mode {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(std::fs::Permissions::from_mode(mode))?;
    }
    #[cfg(not(unix))]
    let _ = mode;
    let written = file.write_all(bytes).and_then(|()| file.sync_all());
    drop(file);
    if let Err(e) = written.and_then(|()| std::fs::rename(&tmp, path)) {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    // Syncing a folder is not possible on every platform; the rename has happened either way.
    if let Ok(dir) = File::open(dir) {
        let _ = dir.sync_all();
    }
    Ok(())
}

/// Removes temporary files left in `dir` by `write_atomic` runs that were killed. A file is left
/// alone while the process that made it is alive (on Linux), or for an hour elsewhere, so builds
/// running at the same time never delete each other's work in progress.
pub fn clean_stale_temps(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(stem) = name.strip_suffix(TEMP_SUFFIX) else { continue };
        let pid = stem.rsplit('.').nth(1).and_then(|p| p.parse::<u32>().ok());
        let proc = Path::new("/proc");
        let alive = match pid {
            Some(pid) if proc.is_dir() => proc.join(pid.to_string()).exists(),
            _ => entry
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.elapsed().ok())
                .is_some_and(|age| age.as_secs() < 3600),
        };
        if !alive {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The metadata is taken, then the file changes before it is read: the read is one system
    /// call only when the size still matches, and otherwise reads to the real end, under the
    /// limit.
    #[test]
    fn a_file_that_changes_after_its_metadata_is_read_to_its_real_end() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("a.hcl");
        let read = |before: &[u8], after: &[u8], limit: u64| {
            std::fs::write(&path, before).expect("write");
            let meta = std::fs::metadata(&path).expect("metadata");
            std::fs::write(&path, after).expect("write");
            read_known(&path, &meta, limit)
        };
        assert_eq!(read(b"", b"", 10).ok(), Some(Vec::new()));
        assert_eq!(read(b"abc", b"abc", 10).ok(), Some(b"abc".to_vec()));
        assert_eq!(read(b"abc", b"abcdef", 10).ok(), Some(b"abcdef".to_vec()), "grew");
        assert_eq!(read(b"abcdef", b"ab", 10).ok(), Some(b"ab".to_vec()), "shrank");
        assert_eq!(read(b"", b"abcdef", 10).ok(), Some(b"abcdef".to_vec()), "was empty");
        let grew_past = read(b"abc", &[b'x'; 64], 10);
        assert!(matches!(grew_past, Err(ReadError::TooLarge { size: 11, limit: 10 })), "{grew_past:?}");
    }

    /// Only a regular file reached without a final link opens here: a link (to a file or not),
    /// a folder and a FIFO are left to the path's `lstat`, and the FIFO is not waited on (the
    /// test would hang on a blocking open, as `check` would have).
    #[cfg(unix)]
    #[test]
    fn only_a_regular_file_opens_unfollowed() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("a.hcl");
        std::fs::write(&file, b"abc").expect("write");
        let (opened, meta) = open_unfollowed(&file).expect("a regular file opens");
        assert_eq!(meta.len(), 3);
        assert_eq!(read_opened(opened, meta.len(), 10).ok(), Some(b"abc".to_vec()));
        let link = dir.path().join("link.hcl");
        std::os::unix::fs::symlink(&file, &link).expect("symlink");
        assert!(open_unfollowed(&link).is_none(), "a link is asked by path, so its target is checked");
        assert!(open_unfollowed(dir.path()).is_none(), "a folder");
        assert!(open_unfollowed(&dir.path().join("gone.hcl")).is_none(), "a missing file");
        let fifo = dir.path().join("pipe.hcl");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status().expect("mkfifo");
        assert!(made.success());
        assert!(open_unfollowed(&fifo).is_none(), "a FIFO");
        let (_, meta) = open_unfollowed(&file).expect("opens");
        assert!(matches!(
            read_opened(File::open(&file).expect("open"), meta.len(), 2),
            Err(ReadError::TooLarge { size: 3, limit: 2 })
        ));
    }
}
