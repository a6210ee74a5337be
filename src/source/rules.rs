//! Loading input files: limits, symlinks and decoding, each failure a diagnostic.

use crate::diagnostic::declare_code;
use crate::diagnostic::{Diagnostic, Sink};
use crate::diagnostic::{FileId, Span};
use crate::io::ReadError;
use crate::source::limits::raise_hint;
use crate::source::root::PROJECT_FILE;
use crate::source::{decode, Limits, SourceFile, Sources, Tree};

declare_code! {
    /// A file could not be read.
    ///
    /// The file exists but the operating system refused to read it (permissions, a broken
    /// symbolic link, an I/O error), or a folder of rule files or environments could not be
    /// listed: it is named, rather than its files silently left out. This is not a problem with
    /// the file's content, so rulesctl exits with status 2.
    ///
    /// Fix: check the file's or folder's permissions and that any symbolic link points at an
    /// existing file.
    pub static UNREADABLE = ("L001", "unreadable-file", Error, Unreadable);
}

declare_code! {
    /// A file is larger than the size limit.
    ///
    /// Every input file is capped (8 MiB unless `limits { max_file_bytes = N }` in `rulesctl.hcl`
    /// says otherwise) so that a runaway generated file cannot slow every commit down or exhaust
    /// memory in CI. The file is not read at all.
    ///
    /// Fix: split the rules over several files, or raise `limits { max_file_bytes = N }` (up to
    /// 1 GiB). `rulesctl.hcl` itself is always read under the default, since its limits are not
    /// known until it has been read.
    pub static TOO_LARGE = ("L004", "file-too-large", Error);
}

declare_code! {
    /// A symbolic link leads outside the repository.
    ///
    /// A rules repository must be self-contained: a link to a file elsewhere on the machine would
    /// make the ruleset depend on what happens to be installed where it is checked, and could
    /// leak a file that was never meant to be read. A linked folder that leads outside is
    /// refused as a whole and never listed. The same holds for output: a `dist` folder (or an
    /// environment's folder in it) that is a link leading outside is never written through, so
    /// a repository cannot make `build` write elsewhere on the machine.
    ///
    /// Fix: copy the file or folder into the repository, or point the link inside it; for
    /// `dist`, make it a real folder.
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
    /// There are more rule and environment files than the limit.
    ///
    /// A repository holds at most `limits { max_files = N }` rule files and environment files
    /// together (100,000 unless set). More is almost always a mistake, such as a rules path
    /// that sweeps in a vendored tree or generated files, and reading them all would make every
    /// commit wait. The files are listed, counted and not read: one diagnostic, not a hang.
    ///
    /// Fix: point `paths { rules = ... }` and `paths { environments = ... }` at the right
    /// folders, or raise `limits { max_files = N }` in rulesctl.hcl.
    pub static TOO_MANY_FILES = ("L009", "too-many-files", Error);
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

/// Reads one file of `tree` into `sources`, reporting what keeps it from being read.
///
/// Returns the file's id in every case (so later diagnostics can name it) and whether its text is
/// usable.
pub fn load(sources: &mut Sources, sink: &mut Sink, tree: &dyn Tree, rel: &str, limit: u64) -> (FileId, bool) {
    let (file, problem) = read(tree, sources.next_id(), rel, limit);
    let id = sources.push(file);
    match problem {
        Some(diagnostic) => {
            sink.push(diagnostic);
            (id, false)
        }
        None => (id, true),
    }
}

/// [`load`] without `sources`, so files can be read on several threads: `id` is the id the
/// file will get. The file comes back in every case, with the diagnostic that keeps its text
/// from being used, if any.
pub fn read(tree: &dyn Tree, id: FileId, rel: &str, limit: u64) -> (SourceFile, Option<Diagnostic>) {
    let bytes = match tree.read(rel, limit) {
        Ok(bytes) => bytes,
        Err(err) => return (SourceFile::new(rel.to_string(), String::new()), Some(read_error(id, rel, err))),
    };
    let mut file = SourceFile::new(rel.to_string(), String::new());
    file.set_raw(&bytes);
    match decode(id, bytes) {
        Ok(text) => {
            file.set_text(text);
            (file, None)
        }
        Err(failure) => {
            let (diagnostic, prefix) = *failure;
            file.set_text(prefix);
            (file, Some(diagnostic))
        }
    }
}

fn read_error(id: FileId, rel: &str, err: ReadError) -> Diagnostic {
    let at = Span::file(id);
    let message = err.describe(rel);
    match err {
        ReadError::Missing => {
            Diagnostic::new(&UNREADABLE, at, message).help("create the file, or correct the path that names it")
        }
        ReadError::NotAFile(_) => Diagnostic::new(&NOT_A_FILE, at, message)
            .help("replace it with a regular file, or rename it so it is not taken for one"),
        ReadError::TooLarge { limit, .. } => {
            // rulesctl.hcl is read before its own limits are known, so only the default applies.
            let help = if rel == PROJECT_FILE {
                format!("shorten it: {PROJECT_FILE} itself is always read under the default limit of {limit} bytes")
            } else {
                let ceiling = Limits::CEILING.max_file_bytes;
                format!("split it into smaller files{}", raise_hint("max_file_bytes", limit, ceiling))
            };
            Diagnostic::new(&TOO_LARGE, at, message).help(help)
        }
        ReadError::OutsideRoot => Diagnostic::new(&SYMLINK_OUTSIDE, at, message)
            .help("copy the file into the repository, or point the link at a file inside it"),
        ReadError::Io(_) => Diagnostic::new(&UNREADABLE, at, message).help("check the file's permissions"),
    }
}
