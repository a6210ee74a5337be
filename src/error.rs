//! The one error channel beside diagnostics: failures that are not findings about the input's
//! content, reported on stderr with exit status 2.
//!
//! A leaf, like `diagnostic`: every layer may return it. Findings about what a file says are
//! [`crate::diagnostic::Diagnostic`]s; this is for everything that stops a command before or
//! around them (a missing repository, an unknown revision, a file system that refuses).

use std::fmt;
use std::path::PathBuf;

/// Why a command could not run (exit 2).
#[derive(Debug)]
pub enum Error {
    /// The command line asks for something that does not exist or does not fit together: an
    /// unknown environment or code, a missing plugin variable.
    Usage(String),
    /// No rules repository where one was expected, or a path outside it.
    Repository(String),
    /// git could not answer: not a repository, an unknown revision, an unmerged index.
    Git(String),
    /// An input that is not what the command needs (a file that is not an artifact).
    Input(String),
    /// The file system refused: `action` is what was being done, in words (`create`, `write`).
    Io { action: &'static str, path: PathBuf, source: std::io::Error },
}

impl Error {
    /// A word for the kind of failure, for machine-readable output.
    pub fn kind(&self) -> &'static str {
        match self {
            Error::Usage(_) => "usage",
            Error::Repository(_) => "repository",
            Error::Git(_) => "git",
            Error::Input(_) => "input",
            Error::Io { .. } => "io",
        }
    }

    pub fn io(action: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io { action, path: path.into(), source }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Usage(m) | Error::Repository(m) | Error::Git(m) | Error::Input(m) => f.write_str(m),
            Error::Io { action, path, source } => write!(f, "cannot {action} {}: {source}", path.display()),
        }
    }
}

impl std::error::Error for Error {}

pub type Result<T, E = Error> = std::result::Result<T, E>;
