//! One file per subcommand, each owning its whole path from arguments to [`Outcome`]. Commands
//! never import each other: what two of them share lives in a layer below (`pipeline`, `artifact`, `publish`, `source`, …).

pub mod argocd;
pub mod build;
pub mod check;
pub mod completions;
pub mod diff;
pub mod explain;
pub mod fmt;
pub mod hooks;
pub mod init;
pub mod lsp;
pub mod man;
pub mod render;
pub mod schema;
pub mod verify;

use crate::cli::Globals;
use crate::diagnostic::Diagnostic;
use crate::error::Error;
use crate::report::{self, Extra, OutputFormat, Summary, View};
use crate::source::Sources;

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
        view: View,
        diagnostics: &[Diagnostic],
        sources: &Sources,
        files: usize,
        extra: &Extra,
        code: u8,
    ) -> Self {
        let summary = Summary::of(diagnostics, files);
        Outcome::text(report::render(view, diagnostics, sources, summary, extra), code)
    }

    /// A command that could not run (exit 2): `error: ...` on stderr, or with `--format json`
    /// the one JSON object on stdout, with the failure under `error`.
    pub fn failure(globals: &Globals, err: &Error) -> Self {
        if globals.format == OutputFormat::Json {
            return Outcome::failure_as_json(err.kind(), &err.to_string());
        }
        Outcome { stdout: String::new(), stderr: format!("error: {err}\n"), code: 2 }
    }

    /// A failure as the JSON report: no diagnostics, an empty summary, and what stopped the
    /// command under `error`, as `{"kind", "message"}`.
    pub fn failure_as_json(kind: &str, message: &str) -> Self {
        let report = serde_json::json!({
            "diagnostics": [],
            "summary": { "errors": 0, "warnings": 0, "files": 0 },
            "error": { "kind": kind, "message": message.trim() },
        });
        let mut stdout = serde_json::to_string_pretty(&report).unwrap_or_default();
        stdout.push('\n');
        Outcome { stdout, stderr: String::new(), code: 2 }
    }

    /// Moves the report to stderr, for commands whose stdout carries only their product
    /// (rendered values, manifests).
    #[must_use]
    pub fn on_stderr(self) -> Self {
        Outcome { stdout: String::new(), stderr: self.stdout, code: self.code }
    }
}
