//! `rulesctl fmt [--check] [PATH...]`: canonical HCL layout, comments kept, atomic rewrites.

use std::path::Path;

use crate::diagnostic::{Diagnostic, Sink};
use crate::emit::format::{format, Error};
use crate::io::write_atomic;
use crate::model::project::Project;
use crate::parse::SYNTAX;
use crate::source::root::PROJECT_FILE;
use crate::source::rules::load;
use crate::source::{Sources, Span, Tree, WorkTree};

/// What `fmt` found and did.
pub struct Formatted {
    pub sources: Sources,
    pub diagnostics: Sink,
    /// Root-relative paths of the files whose layout differs (rewritten unless checking).
    pub changed: Vec<String>,
    pub files: usize,
}

/// Formats `paths` (root-relative files or folders; all rule files and rulesctl.hcl when empty).
pub fn fmt(root: &Path, paths: &[String], check: bool) -> Formatted {
    let tree = WorkTree { root: root.to_path_buf() };
    let mut sources = Sources::default();
    let mut sink = Sink::new();
    let targets = if paths.is_empty() {
        let project = project(&tree);
        let mut all: Vec<String> = project.rules.iter().map(|p| p.value.clone()).collect();
        if tree.exists(PROJECT_FILE) {
            all.push(PROJECT_FILE.to_string());
        }
        all
    } else {
        paths.to_vec()
    };
    let files = tree.collect(&targets, ".hcl").unwrap_or_else(|missing| {
        let found: Vec<String> = targets.iter().filter(|t| !missing.contains(t)).cloned().collect();
        tree.collect(&found, ".hcl").unwrap_or_default()
    });
    let mut changed = Vec::new();
    for rel in &files {
        let (id, ok) = load(&mut sources, &mut sink, &tree, rel, crate::model::project::DEFAULT_MAX_FILE_BYTES);
        if !ok {
            continue;
        }
        let text = sources.get(id).text.clone();
        match format(&text) {
            Ok(formatted) if formatted == text && !has_bom_or_crlf(root, rel) => {}
            Ok(formatted) => {
                changed.push(rel.clone());
                if !check {
                    if let Err(err) = write_atomic(&root.join(rel), formatted.as_bytes()) {
                        sink.push(
                            Diagnostic::new(
                                &crate::commands::build::WRITE_FAILED,
                                Span::file(id),
                                format!("cannot write `{rel}`: {err}"),
                            )
                            .help("check the file's permissions"),
                        );
                    }
                }
            }
            Err(Error::Syntax(err)) => {
                let at = err.location().offset().min(text.len());
                sink.push(
                    Diagnostic::new(&SYNTAX, Span::new(id, at..at), format!("cannot format: {}", err.message()))
                        .label("here")
                        .help("fix the syntax first; fmt only lays out valid files"),
                );
            }
            Err(Error::WouldChangeText) => {
                sink.push(
                    Diagnostic::new(
                        &crate::commands::build::WRITE_FAILED,
                        Span::file(id),
                        format!("`{rel}` was not formatted: the layout would have changed more than whitespace"),
                    )
                    .help("this is a bug in rulesctl fmt; the file was left as it was. Please report it with the file"),
                );
            }
        }
    }
    crate::report::sort(&mut sink, &sources);
    Formatted { sources, diagnostics: sink, changed, files: files.len() }
}

/// The project file's settings (for `paths.rules`); a broken one falls back to the defaults.
fn project(tree: &WorkTree) -> Project {
    let mut sources = Sources::default();
    let mut sink = Sink::new();
    if !tree.exists(PROJECT_FILE) {
        return Project::default();
    }
    let (id, ok) = load(&mut sources, &mut sink, tree, PROJECT_FILE, crate::model::project::DEFAULT_MAX_FILE_BYTES);
    let entries = if ok { crate::parse::hcl(id, &sources.get(id).text, &mut sink) } else { None };
    entries.map_or_else(Project::default, |e| Project::from_entries(id, &e, &mut sink))
}

/// A byte-order mark or CRLF line ends are read as if absent, and `fmt` writes them out.
fn has_bom_or_crlf(root: &Path, rel: &str) -> bool {
    std::fs::read(root.join(rel)).is_ok_and(|b| b.starts_with(b"\xEF\xBB\xBF") || b.windows(2).any(|w| w == b"\r\n"))
}
