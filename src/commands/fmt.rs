//! `rulesctl fmt [--check] [--diff] [PATH... | -]`: canonical HCL layout, comments kept, atomic
//! rewrites; `-` formats standard input to standard output, as editors do on save.

use std::path::Path;

use serde_json::json;

use crate::cli::{FmtArgs, Globals};
use crate::commands::Outcome;
use crate::diagnostic::{exit_status, Diagnostic, Sink};
use crate::diagnostic::{FileId, Span};
use crate::error::Error;
use crate::format::{format, Error as FormatError, REFUSED};
use crate::io::{read_stdin, write_atomic, ReadError};
use crate::model::project::DEFAULT_MAX_FILE_BYTES;
use crate::parse::SYNTAX;
use crate::pipeline;
use crate::pipeline::several::Joined;
use crate::publish::WRITE_FAILED;
use crate::report::Extra;
use crate::source::root::{self, Member, Scope, PROJECT_FILE};
use crate::source::rules::{load, TOO_LARGE, UNREADABLE};
use crate::source::{decode, Limits, Sources, Tree, WorkTree};

/// How standard input is named in diagnostics and diffs.
const STDIN: &str = "<stdin>";

/// # Errors
///
/// No repository, a path outside it, or `-` together with other paths.
pub fn run(args: FmtArgs, globals: &Globals) -> Result<Outcome, Error> {
    if args.paths.iter().any(|p| p == Path::new("-")) {
        if args.paths.len() > 1 {
            return Err(Error::Usage("`-` (standard input) cannot be combined with other paths".to_string()));
        }
        return Ok(stdin(&args, globals));
    }
    let root = match root::scope(globals.root.as_deref(), &globals.projects)? {
        Scope::One(root) => root,
        Scope::Many(members) => return several(&members, &args, globals),
    };
    let paths = root::relative_paths(&root, &args.paths)?;
    let done = project(&root, "", paths, &args);
    let code = exit_code(&done.sink, (args.check || args.diff) && !done.changed.is_empty());
    Ok(outcome(&args, globals, code, done.diffs, &done.sink, &done.sources, done.files, &done.changed, Vec::new()))
}

/// What `fmt` did in one project.
struct Done {
    sources: Sources,
    sink: Sink,
    /// The files that differ, as printed (under the project's prefix).
    changed: Vec<String>,
    diffs: String,
    files: usize,
}

/// Formats one project's files (`paths`, project-relative; all of them when empty); `prefix`
/// goes before every path the diffs and the list of changed files print.
fn project(root: &Path, prefix: &str, paths: Vec<String>, args: &FmtArgs) -> Done {
    let tree = WorkTree::new(root.to_path_buf());
    let project = pipeline::project(&tree);
    // Each file under the limit `check` reads it under: the project file under the default.
    let limit = |rel: &str| if rel == PROJECT_FILE { DEFAULT_MAX_FILE_BYTES } else { project.limits.max_file_bytes };
    let targets = if paths.is_empty() {
        let mut all: Vec<String> = project.rules.iter().map(|p| p.value.clone()).collect();
        if tree.exists(PROJECT_FILE) {
            all.push(PROJECT_FILE.to_string());
        }
        all
    } else {
        paths
    };
    let files = tree.list_files(&targets, ".hcl").unwrap_or_else(|missing| {
        let found: Vec<String> = targets.iter().filter(|t| !missing.contains(t)).cloned().collect();
        tree.list_files(&found, ".hcl").unwrap_or_default()
    });
    let mut sources = Sources::default();
    let mut sink = Sink::new();
    let mut changed = Vec::new();
    let mut diffs = String::new();
    for rel in &files {
        let (id, ok) = load(&mut sources, &mut sink, &tree, rel, limit(rel));
        if !ok {
            continue;
        }
        let Some(formatted) = lay_out(&sources, id, &mut sink) else { continue };
        let file = sources.get(id);
        if formatted == file.text && !file.normalized {
            continue;
        }
        changed.push(format!("{prefix}{rel}"));
        if args.diff {
            // A byte-order mark or CRLF line ends are part of what changes: diff the bytes as read.
            let before = match tree.read(rel, limit(rel)) {
                Ok(bytes) if file.normalized => String::from_utf8_lossy(&bytes).into_owned(),
                _ => file.text.clone(),
            };
            diffs.push_str(&unified_diff(&format!("{prefix}{rel}"), &before, &formatted));
        } else if !args.check {
            if let Err(err) = write_atomic(&tree.root.join(rel), formatted.as_bytes()) {
                sink.push(
                    Diagnostic::new(&WRITE_FAILED, Span::file(id), format!("cannot write `{rel}`: {err}"))
                        .help("check the file's permissions"),
                );
            }
        }
    }
    sources.sort(&mut sink);
    Done { sources, sink, changed, diffs, files: files.len() }
}

/// Every project of a workspace, one report; PATH arguments are not taken (run fmt in a
/// project's folder, or name the projects with --project).
fn several(members: &[Member], args: &FmtArgs, globals: &Globals) -> Result<Outcome, Error> {
    if !args.paths.is_empty() {
        return Err(Error::Usage(
            "fmt PATH works in one project: run it in the project's folder, or format whole projects with --project DIR"
                .to_string(),
        ));
    }
    let mut joined = Joined::default();
    let mut diffs = String::new();
    let mut changed = Vec::new();
    for member in members {
        let prefix = member.prefix();
        let done = project(&member.dir, &prefix, Vec::new(), args);
        joined.add(&prefix, None, &done.sources, &done.sink, done.files, &Limits::DEFAULT);
        diffs.push_str(&done.diffs);
        changed.extend(done.changed);
    }
    let joined = joined.finish();
    let code = exit_code(&joined.diagnostics, (args.check || args.diff) && !changed.is_empty());
    let projects: Vec<String> = members.iter().map(|m| m.shown.clone()).collect();
    let line = format!("projects: {}", projects.join(", "));
    let json = ("projects", json!(projects));
    let extra = vec![(line, json)];
    Ok(outcome(args, globals, code, diffs, &joined.diagnostics, &joined.sources, joined.files, &changed, extra))
}

/// The report: with `--diff`, the patch on stdout and the report (when there is one) on stderr;
/// else the report with the files changed (or that would be), and `extra` lines and keys.
#[allow(clippy::too_many_arguments)]
fn outcome(
    args: &FmtArgs,
    globals: &Globals,
    code: u8,
    diffs: String,
    sink: &[Diagnostic],
    sources: &Sources,
    files: usize,
    changed: &[String],
    extra: Vec<(String, (&'static str, serde_json::Value))>,
) -> Outcome {
    if args.diff {
        // stdout carries only the patch; the report goes to stderr, and only when there is one.
        let mut outcome = Outcome::text(diffs, code);
        if !sink.is_empty() {
            outcome.stderr = Outcome::report(globals.view(), sink, sources, files, &Extra::default(), code).stdout;
        }
        return outcome;
    }
    let verb = if args.check { "would reformat" } else { "reformatted" };
    let mut lines: Vec<String> = changed.iter().map(|p| format!("{verb} {p}")).collect();
    let mut json = vec![("changed", json!(changed))];
    for (line, key) in extra {
        lines.push(line);
        json.push(key);
    }
    let extra = Extra { lines, json };
    Outcome::report(globals.view(), sink, sources, files, &extra, code)
}

/// `fmt -`: standard input to standard output; diagnostics, when there are any, on stderr.
/// With `--check`, stdout stays empty and the exit status says whether the input is formatted;
/// with `--diff`, stdout holds the diff.
fn stdin(args: &FmtArgs, globals: &Globals) -> Outcome {
    let mut sources = Sources::default();
    let mut sink = Sink::new();
    let id = sources.add(STDIN.to_string(), String::new());
    let formatted = match read_stdin(DEFAULT_MAX_FILE_BYTES) {
        Ok(bytes) => {
            sources.set_raw(id, &bytes);
            match decode(id, bytes) {
                Ok(text) => {
                    sources.set_text(id, text);
                    lay_out(&sources, id, &mut sink)
                }
                Err(failure) => {
                    let (diagnostic, prefix) = *failure;
                    sources.set_text(id, prefix);
                    sink.push(diagnostic);
                    None
                }
            }
        }
        Err(ReadError::TooLarge { limit, .. }) => {
            let message = format!("standard input is over the limit of {limit} bytes");
            sink.push(Diagnostic::new(&TOO_LARGE, Span::file(id), message).help("format a smaller file"));
            None
        }
        Err(err) => {
            let reason = match err {
                ReadError::Io(err) => err.to_string(),
                _ => "not a readable stream".to_string(),
            };
            let message = format!("cannot read standard input: {reason}");
            sink.push(Diagnostic::new(&UNREADABLE, Span::file(id), message).help("pipe the file into rulesctl fmt -"));
            None
        }
    };
    let file = sources.get(id);
    let differs = formatted.as_ref().is_some_and(|f| *f != file.text || file.normalized);
    let code = exit_code(&sink, (args.check || args.diff) && differs);
    let stdout = match formatted {
        Some(formatted) if args.diff && differs => unified_diff(STDIN, &file.text, &formatted),
        Some(formatted) if !args.check && !args.diff => formatted,
        _ => String::new(),
    };
    let mut outcome = Outcome::text(stdout, code);
    if !sink.is_empty() {
        outcome.stderr = Outcome::report(globals.view(), &sink, &sources, 1, &Extra::default(), code).stdout;
    }
    outcome
}

/// Formats one loaded file; what keeps it from being formatted goes to `sink`.
fn lay_out(sources: &Sources, id: FileId, sink: &mut Sink) -> Option<String> {
    let file = sources.get(id);
    match format(&file.text) {
        Ok(formatted) => Some(formatted),
        Err(FormatError::Syntax(err)) => {
            let at = err.location().offset().min(file.text.len());
            sink.push(
                Diagnostic::new(&SYNTAX, Span::new(id, at..at), format!("cannot format: {}", err.message()))
                    .label("here")
                    .help("fix the syntax first; fmt only lays out valid files"),
            );
            None
        }
        Err(FormatError::TooDeep(deep)) => {
            sink.push(deep.diagnostic(id));
            None
        }
        Err(FormatError::WouldChangeText) => {
            sink.push(
                Diagnostic::new(
                    &REFUSED,
                    Span::file(id),
                    format!("`{}` was not formatted: the layout would have changed more than whitespace", file.path),
                )
                .help("this is a bug in rulesctl fmt; the file was left as it was. Please report it with the file"),
            );
            None
        }
    }
}

/// 2 when an input could not be read, 1 for any other diagnostic or when `differs`, else 0.
fn exit_code(sink: &[Diagnostic], differs: bool) -> u8 {
    exit_status(sink, true).max(u8::from(differs))
}

/// A unified diff (`--- a/PATH`, `+++ b/PATH`, hunks with three lines of context), as `git
/// diff` prints one and `git apply` or `patch -p1` read it.
fn unified_diff(path: &str, before: &str, after: &str) -> String {
    similar::TextDiff::from_lines(before, after)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{path}"), &format!("b/{path}"))
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_unified_diff_has_headers_and_three_lines_of_context() {
        let before = "a\nb\nc\nd\ne\nf\ng\nh=1\n";
        let after = "a\nb\nc\nd\ne\nf\ng\nh = 1\n";
        assert_eq!(
            unified_diff("rules/x.hcl", before, after),
            "--- a/rules/x.hcl\n+++ b/rules/x.hcl\n@@ -5,4 +5,4 @@\n e\n f\n g\n-h=1\n+h = 1\n"
        );
        assert_eq!(unified_diff("x", "same\n", "same\n"), "");
    }
}
