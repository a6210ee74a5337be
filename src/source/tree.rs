//! Where input files come from: the working tree or a git tree, behind one small interface.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::io::{read_known, read_limited, ReadError};
use crate::source::store::Store;

/// A read-only view of a repository's files, addressed by root-relative `/` paths.
pub trait Tree {
    /// Reads a file of at most `limit` bytes.
    ///
    /// # Errors
    ///
    /// See [`ReadError`].
    fn read(&self, rel: &str, limit: u64) -> Result<Vec<u8>, ReadError>;

    /// Lists the files ending in `suffix` under each path (a file is listed as itself), sorted.
    /// Hidden files and folders are skipped.
    ///
    /// # Errors
    ///
    /// The paths that do not exist.
    fn list_files(&self, paths: &[String], suffix: &str) -> Result<Vec<String>, Vec<String>>;

    /// Whether something exists at `rel`.
    fn exists(&self, rel: &str) -> bool;

    /// A digest of git's path, blob id and mode of every file under `paths`, when git can say
    /// them without reading a blob (a revision or the index; the working tree when git sees it
    /// clean there); `None` otherwise. Two trees with equal identities hold the same files.
    fn identity(&self, _paths: &[String]) -> Option<String> {
        None
    }

    /// This tree, when it can be read from several threads at once (the working tree can; a
    /// git snapshot, holding one libgit2 handle, cannot): rule files are then read, hashed and
    /// parsed on every core.
    fn sync(&self) -> Option<&(dyn Tree + Sync)> {
        None
    }

    /// Where facts derived from this tree may be kept between runs (see [`Store`]): git's
    /// folder of the repository it is in, when there is one.
    fn store(&self, _kind: &str) -> Option<Store> {
        None
    }
}

/// What `collect` returns: the sorted, unique files, or the paths that do not exist.
///
/// # Errors
///
/// `missing`, when it is not empty.
pub fn listing(mut found: Vec<String>, missing: Vec<String>) -> Result<Vec<String>, Vec<String>> {
    found.sort();
    found.dedup();
    if missing.is_empty() {
        Ok(found)
    } else {
        Err(missing)
    }
}

/// The files on disk under a root folder.
pub struct WorkTree {
    pub root: PathBuf,
    /// Folders below the root already seen, with every folder above them, not to be symbolic
    /// links: each file then costs one `lstat` for the link check, not one per folder.
    real_folders: Mutex<HashSet<PathBuf>>,
}

impl WorkTree {
    pub fn new(root: PathBuf) -> Self {
        WorkTree { root, real_folders: Mutex::new(HashSet::new()) }
    }

    /// Whether `path`, below the root, passes through a symbolic link that resolves outside it.
    /// `file_is_link` is what the caller's `lstat` of the file itself said.
    fn leaves_root(&self, path: &Path, file_is_link: bool) -> bool {
        let known = |folder: &Path| self.real_folders.lock().is_ok_and(|seen| seen.contains(folder));
        let mut checked = Vec::new();
        let mut is_link = file_is_link;
        let folders = path.ancestors().skip(1).take_while(|p| p.starts_with(&self.root) && *p != self.root);
        for folder in folders {
            if is_link || known(folder) {
                break;
            }
            if folder.is_symlink() {
                is_link = true;
            } else {
                checked.push(folder.to_path_buf());
            }
        }
        if !is_link {
            // Only a chain checked all the way up (or to a known folder) is remembered.
            if let Ok(mut seen) = self.real_folders.lock() {
                seen.extend(checked);
            }
            return false;
        }
        resolves_outside(&self.root, path)
    }
}

/// How deep the folder walk goes; deeper trees are almost certainly a symlink loop.
const MAX_WALK_DEPTH: usize = 32;

impl Tree for WorkTree {
    fn identity(&self, paths: &[String]) -> Option<String> {
        crate::source::git::clean_identity(&self.root, paths)
    }

    fn store(&self, kind: &str) -> Option<Store> {
        crate::source::git::common_dir(&self.root).map(|common| Store::new(&common, kind))
    }

    fn read(&self, rel: &str, limit: u64) -> Result<Vec<u8>, ReadError> {
        let path = self.root.join(rel);
        // A regular file reached without a link at its end: the handle's metadata is the
        // `lstat` (links, folders and the rest are asked by path below, which says why).
        if let Some((file, meta)) = crate::io::open_unfollowed(&path) {
            if self.leaves_root(&path, false) {
                return Err(ReadError::OutsideRoot);
            }
            return crate::io::read_opened(file, meta.len(), limit);
        }
        let meta = match path.symlink_metadata() {
            Ok(meta) => meta,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Err(ReadError::Missing),
            Err(err) => return Err(ReadError::Io(err)),
        };
        let is_link = meta.file_type().is_symlink();
        if self.leaves_root(&path, is_link) {
            return Err(ReadError::OutsideRoot);
        }
        let read = if is_link { read_limited(&path, limit) } else { read_known(&path, &meta, limit) };
        match read {
            // A folder that could not be listed is listed as itself (see `walk`): say why it
            // could not, rather than that it is a folder.
            Err(ReadError::NotAFile(what)) if path.is_dir() => match std::fs::read_dir(&path) {
                Err(err) => Err(ReadError::Io(err)),
                Ok(_) => Err(ReadError::NotAFile(what)),
            },
            other => other,
        }
    }

    fn list_files(&self, paths: &[String], suffix: &str) -> Result<Vec<String>, Vec<String>> {
        let mut found = Vec::new();
        let mut missing = Vec::new();
        let mut seen = HashSet::new();
        for rel in paths {
            let rel = rel.trim_end_matches('/');
            let path = self.root.join(rel);
            if path.is_dir() && leaves_root(&self.root, &path) {
                // Never walked: listed as itself, so reading it reports the link (L005).
                found.push(rel.to_string());
            } else if path.is_dir() {
                walk(&self.root, &path, rel, suffix, 0, &mut seen, &mut found);
            } else if path.exists() || path.is_symlink() {
                found.push(rel.to_string());
            } else {
                missing.push(rel.to_string());
            }
        }
        listing(found, missing)
    }

    fn exists(&self, rel: &str) -> bool {
        self.root.join(rel).symlink_metadata().is_ok()
    }

    fn sync(&self) -> Option<&(dyn Tree + Sync)> {
        Some(self)
    }
}

/// Whether `path`, below `root`, passes through a symbolic link that resolves outside `root`.
fn leaves_root(root: &Path, path: &Path) -> bool {
    let is_link = path.ancestors().take_while(|p| p.starts_with(root) && *p != root).any(Path::is_symlink);
    is_link && resolves_outside(root, path)
}

/// Whether `path`, with its links followed, is outside `root`; a path that cannot be resolved
/// (a dangling link) is left for the read to report.
fn resolves_outside(root: &Path, path: &Path) -> bool {
    match (std::fs::canonicalize(path), std::fs::canonicalize(root)) {
        (Ok(target), Ok(root)) => !target.starts_with(root),
        _ => false,
    }
}

/// Lists the files ending in `suffix` below `dir` (root-relative `rel`) into `found`. A folder
/// that cannot be listed (permissions), or a link to a folder outside `root`, is listed as
/// itself, so that reading it reports why (`L001`, `L005`) instead of its files silently
/// missing; the outside folder is never walked, so a link to `/` costs nothing.
fn walk(
    root: &Path,
    dir: &Path,
    rel: &str,
    suffix: &str,
    depth: usize,
    seen: &mut HashSet<PathBuf>,
    found: &mut Vec<String>,
) {
    let Ok(canonical) = std::fs::canonicalize(dir) else { return };
    if depth > MAX_WALK_DEPTH || !seen.insert(canonical) {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        found.push(rel.to_string());
        return;
    };
    let mut names: Vec<String> = entries.flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    for name in names {
        if name.starts_with('.') {
            continue;
        }
        let child_rel = if rel.is_empty() || rel == "." { name.clone() } else { format!("{rel}/{name}") };
        if name.ends_with(suffix) {
            // Directories named like input files are reported when read, not walked into.
            found.push(child_rel);
            continue;
        }
        let child = dir.join(&name);
        if child.is_dir() && child.is_symlink() && leaves_root(root, &child) {
            found.push(child_rel);
        } else if child.is_dir() {
            walk(root, &child, &child_rel, suffix, depth + 1, seen, found);
        }
    }
}

/// A tree with some files replaced: editor buffers not yet saved, over the files on disk. A
/// buffer counts as a file even where the disk has none yet.
pub struct Overlay<'a> {
    pub base: &'a dyn Tree,
    /// Root-relative path → the buffer's text.
    pub files: &'a std::collections::BTreeMap<String, String>,
}

impl Tree for Overlay<'_> {
    fn read(&self, rel: &str, limit: u64) -> Result<Vec<u8>, ReadError> {
        match self.files.get(rel) {
            Some(text) if text.len() as u64 > limit => Err(ReadError::TooLarge { size: text.len() as u64, limit }),
            Some(text) => Ok(text.as_bytes().to_vec()),
            None => self.base.read(rel, limit),
        }
    }

    fn list_files(&self, paths: &[String], suffix: &str) -> Result<Vec<String>, Vec<String>> {
        let below = |rel: &str, path: &str| {
            let path = path.trim_end_matches('/');
            path.is_empty() || path == "." || rel == path || rel.starts_with(&format!("{path}/"))
        };
        let buffers: Vec<String> = self
            .files
            .keys()
            .filter(|rel| rel.ends_with(suffix) && paths.iter().any(|p| below(rel, p)))
            .filter(|rel| !rel.split('/').any(|part| part.starts_with('.')))
            .cloned()
            .collect();
        match self.base.list_files(paths, suffix) {
            Ok(mut found) => {
                found.extend(buffers);
                listing(found, Vec::new())
            }
            Err(missing) => {
                let still: Vec<String> = missing.into_iter().filter(|m| !buffers.iter().any(|b| below(b, m))).collect();
                let present: Vec<String> =
                    paths.iter().filter(|p| !still.contains(&p.trim_end_matches('/').to_string())).cloned().collect();
                let mut found = self.base.list_files(&present, suffix).unwrap_or_default();
                found.extend(buffers);
                listing(found, still)
            }
        }
    }

    fn exists(&self, rel: &str) -> bool {
        self.files.contains_key(rel) || self.base.exists(rel)
    }
}
