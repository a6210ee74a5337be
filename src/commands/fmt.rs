//! `rulesctl fmt [--check] [PATH...]`: canonical HCL layout, comments kept, atomic rewrites.

use std::path::PathBuf;

use serde_json::json;

use crate::commands::{Globals, Outcome};
use crate::diagnostic::{Diagnostic, Sink};
use crate::emit::format::{format, Error as FormatError, REFUSED};
use crate::emit::publish::WRITE_FAILED;
use crate::error::Error;
use crate::io::write_atomic;
use crate::model::project::DEFAULT_MAX_FILE_BYTES;
use crate::parse::SYNTAX;
use crate::pipeline;
use crate::report::Extra;
use crate::source::root::{self, PROJECT_FILE};
use crate::source::rules::load;
use crate::source::{Sources, Span, Tree, WorkTree};

#[derive(Debug)]
pub struct Args {
    /// List the files that differ and exit 1, without writing.
    pub check: bool,
    /// Files or folders (default: rulesctl.hcl and every rule file).
    pub paths: Vec<PathBuf>,
}

/// # Errors
///
/// No repository, or a path outside it.
pub fn run(args: Args, globals: &Globals) -> Result<Outcome, Error> {
    let root = root::find(globals.root.as_deref())?;
    let paths = root::relative_paths(&root, &args.paths)?;
    let tree = WorkTree { root };
    let targets = if paths.is_empty() {
        let mut all: Vec<String> = pipeline::project(&tree).rules.iter().map(|p| p.value.clone()).collect();
        if tree.exists(PROJECT_FILE) {
            all.push(PROJECT_FILE.to_string());
        }
        all
    } else {
        paths
    };
    let files = tree.collect(&targets, ".hcl").unwrap_or_else(|missing| {
        let found: Vec<String> = targets.iter().filter(|t| !missing.contains(t)).cloned().collect();
        tree.collect(&found, ".hcl").unwrap_or_default()
    });
    let mut sources = Sources::default();
    let mut sink = Sink::new();
    let mut changed = Vec::new();
    for rel in &files {
        let (id, ok) = load(&mut sources, &mut sink, &tree, rel, DEFAULT_MAX_FILE_BYTES);
        if !ok {
            continue;
        }
        let file = sources.get(id);
        match format(&file.text) {
            Ok(formatted) if formatted == file.text && !file.normalized => {}
            Ok(formatted) => {
                changed.push(rel.clone());
                if !args.check {
                    if let Err(err) = write_atomic(&tree.root.join(rel), formatted.as_bytes()) {
                        sink.push(
                            Diagnostic::new(&WRITE_FAILED, Span::file(id), format!("cannot write `{rel}`: {err}"))
                                .help("check the file's permissions"),
                        );
                    }
                }
            }
            Err(FormatError::Syntax(err)) => {
                let at = err.location().offset().min(file.text.len());
                sink.push(
                    Diagnostic::new(&SYNTAX, Span::new(id, at..at), format!("cannot format: {}", err.message()))
                        .label("here")
                        .help("fix the syntax first; fmt only lays out valid files"),
                );
            }
            Err(FormatError::WouldChangeText) => {
                sink.push(
                    Diagnostic::new(
                        &REFUSED,
                        Span::file(id),
                        format!("`{rel}` was not formatted: the layout would have changed more than whitespace"),
                    )
                    .help("this is a bug in rulesctl fmt; the file was left as it was. Please report it with the file"),
                );
            }
        }
    }
    sources.sort(&mut sink);
    let verb = if args.check { "would reformat" } else { "reformatted" };
    let lines = changed.iter().map(|p| format!("{verb} {p}")).collect();
    let failed = !sink.is_empty() || (args.check && !changed.is_empty());
    let extra = Extra { lines, json: vec![("changed", json!(changed))] };
    Ok(Outcome::report(globals.view(), &sink, &sources, files.len(), &extra, u8::from(failed)))
}
