//! One file per subcommand, each owning its whole path from arguments to [`Outcome`]. Commands
//! never import each other: what two of them share lives in `pipeline`, `emit` or `source`.

pub mod argocd;
pub mod build;
pub mod check;
pub mod diff;
pub mod explain;
pub mod fmt;
pub mod hooks;
pub mod init;
pub mod render;
pub mod schema;
pub mod verify;

use std::path::PathBuf;

use crate::diagnostic::Diagnostic;
use crate::report::{self, Extra, Format, Summary};
use crate::source::Sources;

/// The options every command takes.
#[derive(Debug, Clone)]
pub struct Globals {
    /// `--root DIR`, else discovered.
    pub root: Option<PathBuf>,
    pub format: Format,
}

/// What a command produced: the text for stdout and stderr, and the exit status.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Outcome {
    pub stdout: String,
    pub stderr: String,
    pub code: u8,
}

impl Outcome {
    /// Plain text on stdout.
    pub fn text(stdout: String, code: u8) -> Self {
        Outcome { stdout, stderr: String::new(), code }
    }

    /// A diagnostic report on stdout in `format`.
    pub fn report(
        format: Format,
        diagnostics: &[Diagnostic],
        sources: &Sources,
        files: usize,
        extra: &Extra,
        code: u8,
    ) -> Self {
        let summary = Summary::of(diagnostics, files);
        Outcome::text(report::render(format, diagnostics, sources, summary, extra), code)
    }

    /// Moves the report to stderr, for commands whose stdout carries only their product
    /// (rendered values, manifests).
    #[must_use]
    pub fn on_stderr(self) -> Self {
        Outcome { stdout: String::new(), stderr: self.stdout, code: self.code }
    }
}
