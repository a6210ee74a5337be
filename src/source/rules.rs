//! Loading input files under the root: the rule-file walk, limits, symlinks and decoding.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use crate::declare_code;
use crate::diagnostic::{Diagnostic, Sink};
use crate::io::{read_limited, ReadError};
use crate::source::{decode, FileId, Sources, Span};

declare_code! {
    /// A file could not be read.
    ///
    /// The file exists but the operating system refused to read it (permissions, a broken
    /// symbolic link, an I/O error). This is not a problem with the file's content, so rulesctl
    /// exits with status 2.
    ///
    /// Fix: check the file's permissions and that any symbolic link points at an existing file.
    pub static UNREADABLE = ("L001", "unreadable-file", Error, Unreadable);
}

declare_code! {
    /// A file is larger than the size limit.
    ///
    /// Every input file is capped (8 MiB unless `limits { max_file_bytes = N }` in `rulesctl.hcl`
    /// says otherwise) so that a runaway generated file cannot slow every commit down or exhaust
    /// memory in CI. The file is not read at all.
    ///
    /// Fix: split the rules over several files, or raise `limits.max_file_bytes`.
    pub static TOO_LARGE = ("L004", "file-too-large", Error);
}

declare_code! {
    /// A symbolic link leads outside the repository.
    ///
    /// A rules repository must be self-contained: a link to a file elsewhere on the machine would
    /// make the ruleset depend on what happens to be installed where it is checked, and could
    /// leak a file that was never meant to be read.
    ///
    /// Fix: copy the file into the repository, or point the link at a file inside it.
    pub static SYMLINK_OUTSIDE = ("L005", "symlink-outside-root", Error);
}

declare_code! {
    /// Something that is not a regular file stands where a file was expected.
    ///
    /// A directory named like a rule file (`spawns.hcl/`), a FIFO or a device is never read: a
    /// FIFO would block forever.
    ///
    /// Fix: rename the directory, or replace it with a regular file.
    pub static NOT_A_FILE = ("L006", "not-a-file", Error);
}

declare_code! {
    /// There are no rule files.
    ///
    /// The rules folder (`rules/`, or `paths { rules = ... }` in `rulesctl.hcl`) is missing or
    /// holds no `*.hcl` file, so there is no ruleset to check.
    ///
    /// Fix: create the folder with at least one `*.hcl` rule file, or correct `paths.rules`.
    pub static NO_RULES = ("L007", "no-rule-files", Error);
}

declare_code! {
    /// A rule file is empty.
    ///
    /// An empty rule file contributes nothing. It is usually a file that was meant to be filled
    /// in or deleted.
    ///
    /// Fix: add rules to it or delete it.
    pub static EMPTY_FILE = ("L008", "empty-file", Warning);
}

/// How deep the rule-folder walk goes; deeper trees are almost certainly a symlink loop.
const MAX_WALK_DEPTH: usize = 32;

/// Reads one file under `root` into `sources`, reporting what keeps it from being read.
///
/// Returns the file's id in every case (so later diagnostics can name it) and whether its text is
/// usable.
pub fn load(sources: &mut Sources, sink: &mut Sink, root: &Path, rel: &str, limit: u64) -> (FileId, bool) {
    let id = sources.add(rel.to_string(), String::new());
    let path = root.join(rel);
    if let Some(diagnostic) = outside_root(root, &path, id) {
        sink.push(diagnostic);
        return (id, false);
    }
    let bytes = match read_limited(&path, limit) {
        Ok(bytes) => bytes,
        Err(err) => {
            sink.push(read_error(id, rel, err));
            return (id, false);
        }
    };
    match decode(id, bytes) {
        Ok(text) => {
            sources.set_text(id, text);
            (id, true)
        }
        Err(failure) => {
            let (diagnostic, prefix) = *failure;
            sources.set_text(id, prefix);
            sink.push(diagnostic);
            (id, false)
        }
    }
}

fn read_error(id: FileId, rel: &str, err: ReadError) -> Diagnostic {
    let at = Span::file(id);
    match err {
        ReadError::Missing => Diagnostic::new(&UNREADABLE, at, format!("`{rel}` does not exist"))
            .help("create the file, or correct the path that names it"),
        ReadError::NotAFile(what) => Diagnostic::new(&NOT_A_FILE, at, format!("`{rel}` is {what}, not a file"))
            .help("replace it with a regular file, or rename it so it is not taken for one"),
        ReadError::TooLarge { size, limit } => {
            Diagnostic::new(&TOO_LARGE, at, format!("`{rel}` is {size} bytes, over the limit of {limit} bytes"))
                .help("split it into smaller files, or raise `limits { max_file_bytes = ... }` in rulesctl.hcl")
        }
        ReadError::Io(err) => {
            Diagnostic::new(&UNREADABLE, at, format!("cannot read `{rel}`: {err}")).help("check the file's permissions")
        }
    }
}

/// A diagnostic when `path` resolves (through symbolic links) to somewhere outside `root`.
fn outside_root(root: &Path, path: &Path, id: FileId) -> Option<Diagnostic> {
    let is_link = path.ancestors().take_while(|p| p.starts_with(root) && *p != root).any(Path::is_symlink);
    if !is_link {
        return None;
    }
    let target = std::fs::canonicalize(path).ok()?;
    let root = std::fs::canonicalize(root).ok()?;
    if target.starts_with(&root) {
        return None;
    }
    Some(
        Diagnostic::new(&SYMLINK_OUTSIDE, Span::file(id), "this symbolic link leads outside the repository")
            .help("copy the file into the repository, or point the link at a file inside it"),
    )
}

/// Lists the `*.hcl` files under each of `paths` (relative to `root`), recursively, as sorted
/// root-relative paths. Hidden files and folders (`.git`, editor swap files) are skipped.
///
/// # Errors
///
/// Returns `Err(missing)` with the paths that do not exist.
pub fn collect(root: &Path, paths: &[String]) -> Result<Vec<String>, Vec<String>> {
    let mut found = Vec::new();
    let mut missing = Vec::new();
    let mut seen = HashSet::new();
    for rel in paths {
        let rel = rel.trim_end_matches('/');
        let path = root.join(rel);
        if path.is_dir() {
            walk(&path, rel, 0, &mut seen, &mut found);
        } else if path.exists() || path.is_symlink() {
            found.push(rel.to_string());
        } else {
            missing.push(rel.to_string());
        }
    }
    found.sort();
    found.dedup();
    if missing.is_empty() {
        Ok(found)
    } else {
        Err(missing)
    }
}

fn walk(dir: &Path, rel: &str, depth: usize, seen: &mut HashSet<PathBuf>, found: &mut Vec<String>) {
    let Ok(canonical) = std::fs::canonicalize(dir) else { return };
    if depth > MAX_WALK_DEPTH || !seen.insert(canonical) {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut names: Vec<String> = entries.flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    for name in names {
        if name.starts_with('.') {
            continue;
        }
        let child_rel = if rel.is_empty() || rel == "." { name.clone() } else { format!("{rel}/{name}") };
        let child = dir.join(&name);
        if name.ends_with(".hcl") {
            // Directories named like rule files are reported by `load`, not walked into.
            found.push(child_rel);
        } else if child.is_dir() {
            walk(&child, &child_rel, depth + 1, seen, found);
        }
    }
}
