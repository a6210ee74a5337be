//! rulesctl proves live-game rules valid and within safety bounds before they are committed.
//!
//! The modules follow the pipeline: [`source`] loads files, [`parse`] turns HCL into spanned
//! literal trees, [`model`] types them, [`check`] runs one small rule per diagnostic code, and
//! [`report`] renders the one [`diagnostic::Diagnostic`] list in every output format.

pub mod check;
pub mod cli;
pub mod commands;
pub mod diagnostic;
pub mod io;
pub mod model;
pub mod parse;
pub mod report;
pub mod source;

use std::ffi::OsString;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use cli::Command;

/// Runs rulesctl with `args` (program name first) and returns the exit status: 0 success,
/// 1 invalid input, 2 usage error, unreadable input or internal failure.
pub fn run<I, T>(args: I) -> u8
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let invocation = match cli::parse(args, color) {
        Ok(invocation) => invocation,
        Err(err) => {
            let _ = err.print();
            return if err.use_stderr() { 2 } else { 0 };
        }
    };
    match invocation.command {
        Command::Explain { code } => match commands::explain::explain(code.as_deref()) {
            Ok(text) => out(&text, 0),
            Err(message) => fail(&message),
        },
        Command::Check { deny_warnings, paths } => {
            let root = match find_root(invocation.root.as_deref()) {
                Ok(root) => root,
                Err(message) => return fail(&message),
            };
            let filters = match relative_filters(&root, &paths) {
                Ok(filters) => filters,
                Err(message) => return fail(&message),
            };
            let mut analysis = commands::check::analyze(&source::WorkTree { root: root.clone() });
            if !filters.is_empty() {
                analysis.diagnostics.retain(|d| {
                    let path = &analysis.sources.get(d.primary.span.file).path;
                    filters.iter().any(|f| f.is_empty() || path == f || path.starts_with(&format!("{f}/")))
                });
            }
            let summary = report::Summary::of(&analysis.diagnostics, analysis.files);
            let text = report::render(invocation.format, &analysis.diagnostics, &analysis.sources, summary);
            out(&text, analysis.exit_code(deny_warnings))
        }
    }
}

fn out(text: &str, code: u8) -> u8 {
    let mut stdout = std::io::stdout().lock();
    if stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush()).is_err() {
        return 2;
    }
    code
}

fn fail(message: &str) -> u8 {
    let _ = writeln!(std::io::stderr().lock(), "error: {message}");
    2
}

/// The repository root: `--root`, else discovered from the working directory.
fn find_root(given: Option<&Path>) -> Result<PathBuf, String> {
    if let Some(dir) = given {
        return if dir.is_dir() {
            Ok(dir.to_path_buf())
        } else {
            Err(format!("--root {}: not a directory", dir.display()))
        };
    }
    let cwd = std::env::current_dir().map_err(|e| format!("cannot read the working directory: {e}"))?;
    source::root::discover(&cwd).ok_or_else(|| {
        format!(
            "no rules repository found: neither {} nor any parent folder holds rulesctl.hcl or rules/; run rulesctl inside a rules repository or pass --root DIR",
            cwd.display()
        )
    })
}

/// Turns PATH arguments into root-relative prefixes.
fn relative_filters(root: &Path, paths: &[PathBuf]) -> Result<Vec<String>, String> {
    let root = std::fs::canonicalize(root).map_err(|e| format!("{}: {e}", root.display()))?;
    paths
        .iter()
        .map(|p| {
            let abs = std::fs::canonicalize(p).map_err(|e| format!("{}: {e}", p.display()))?;
            let rel = abs
                .strip_prefix(&root)
                .map_err(|_| format!("{} is outside the repository {}", p.display(), root.display()))?;
            Ok(rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/"))
        })
        .collect()
}
pub mod emit;
