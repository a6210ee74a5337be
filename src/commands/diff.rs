//! `rulesctl diff OLD NEW` (artifacts or git revisions) and `rulesctl diff --env A --env B`
//! (two rendered environments): which sections differ, and how.

use std::path::Path;

use crate::artifact::compare::{compare, Side};
use crate::artifact::compiled::MAX_ARTIFACT_BYTES;
use crate::artifact::locate::Located;
use crate::cli::{DiffArgs, Globals};
use crate::commands::Outcome;
use crate::error::Error;
use crate::io::{read_limited, ReadError};
use crate::pipeline::{analyze, Analysis, RenderError};
use crate::report::{changes, Extra, OutputFormat};
use crate::source::git::Snapshot;
use crate::source::{root, WorkTree};

/// Why a side could not be had.
enum Failure {
    /// Exit 2.
    Unusable(Error),
    /// Exit 1: an analysis whose errors keep the side from compiling; report it.
    Invalid(Box<Analysis>),
}

impl From<Error> for Failure {
    fn from(err: Error) -> Self {
        Failure::Unusable(err)
    }
}

/// # Errors
///
/// A side that is neither an artifact nor a revision, an unknown environment, no repository.
pub fn run(args: DiffArgs, globals: &Globals) -> Result<Outcome, Error> {
    match args {
        DiffArgs::Rulesets { old, new, exit_code } => {
            let root = root::scope(globals.root.as_deref(), &globals.projects).and_then(|s| s.one("diff")).ok();
            let load = |arg: &str| load(arg, root.as_deref());
            match (load(&old), load(&new)) {
                (Ok(old), Ok(new)) => Ok(output(globals.format, &old, &new, exit_code)),
                // The old side's failure, when both fail.
                (Err(failure), _) | (_, Err(failure)) => match failure {
                    Failure::Unusable(err) => Err(err),
                    Failure::Invalid(analysis) => Ok(report(globals, &analysis)),
                },
            }
        }
        DiffArgs::Environments { a, b, exit_code } => {
            let root = root::scope(globals.root.as_deref(), &globals.projects)?.one("diff --env")?;
            let analysis = analyze(&WorkTree::new(root), None);
            let side = |name: &str| environment(&analysis, name);
            match (side(&a), side(&b)) {
                (Ok(old), Ok(new)) => Ok(output(globals.format, &old, &new, exit_code)),
                (Err(RenderError::Blocked), _) | (_, Err(RenderError::Blocked)) => Ok(report(globals, &analysis)),
                (Err(RenderError::Unknown(message)), _) | (_, Err(RenderError::Unknown(message))) => {
                    Err(Error::Usage(message))
                }
            }
        }
    }
}

/// The diff of two sides in `format`; exit 1 for a difference only with `--exit-code`.
fn output(format: OutputFormat, old: &Side, new: &Side, exit_code: bool) -> Outcome {
    let found = compare(old, new);
    let text = match format {
        OutputFormat::Json => changes::json(old, new, &found),
        _ => changes::human(old, new, &found),
    };
    // Two rulesets that differ only in their version still differ: their digests do.
    Outcome::text(text, u8::from(exit_code && (!found.is_empty() || old.digest != new.digest)))
}

fn report(globals: &Globals, analysis: &Analysis) -> Outcome {
    Outcome::report(
        globals.view().limited(&analysis.project.limits),
        &analysis.diagnostics,
        &analysis.sources,
        analysis.files,
        &Extra::default(),
        1,
    )
}

/// Loads `arg` as an artifact file when one exists at that path, else as a git revision of the
/// repository at `root`.
fn load(arg: &str, root: Option<&Path>) -> Result<Side, Failure> {
    let path = Path::new(arg);
    if path.is_file() {
        let bytes = read_limited(path, MAX_ARTIFACT_BYTES).map_err(|e| unreadable(arg, &e))?;
        let text = String::from_utf8(bytes)
            .map_err(|_| Error::Input(format!("`{arg}` is not a rulesctl artifact: it is not UTF-8 text")))?;
        let located =
            Located::parse(&text).map_err(|e| Error::Input(format!("`{arg}` is not a rulesctl artifact: {e}")))?;
        let ruleset = located.value.get("ruleset").filter(|r| r.is_object()).cloned();
        let ruleset =
            ruleset.ok_or_else(|| Error::Input(format!("`{arg}` is not a rulesctl artifact: no `ruleset`")))?;
        return Ok(Side::ruleset(arg, ruleset));
    }
    let Some(root) = root else {
        return Err(Failure::Unusable(Error::Input(format!(
            "`{arg}` is neither an artifact file nor, outside a rules repository, a git revision"
        ))));
    };
    let tree =
        Snapshot::revision(root, arg).map_err(|e| Error::Input(format!("`{arg}` is not an artifact file, and {e}")))?;
    let mut analysis = analyze(&tree, None);
    analysis.sources.prefix_paths(&format!("{arg}:"));
    if analysis.errors() > 0 {
        return Err(Failure::Invalid(Box::new(analysis)));
    }
    match analysis.compiled() {
        Some(compiled) => Ok(Side::ruleset(arg, compiled.ruleset().clone())),
        None => Err(Failure::Invalid(Box::new(analysis))),
    }
}

fn unreadable(arg: &str, err: &ReadError) -> Error {
    let why = match err {
        ReadError::TooLarge { size, limit } => format!("it is {size} bytes, over {limit}"),
        ReadError::Io(e) => e.to_string(),
        ReadError::Missing => "it does not exist".to_string(),
        ReadError::NotAFile(what) => format!("it is {what}"),
        ReadError::OutsideRoot => "it is outside the repository".to_string(),
    };
    Error::Input(format!("cannot read `{arg}`: {why}"))
}

/// One environment's rendered values as a side.
fn environment(analysis: &Analysis, name: &str) -> Result<Side, RenderError> {
    let env = analysis.environment(name)?;
    let Some(merged) = &env.merged else {
        return Err(RenderError::Unknown(format!("environment `{name}` cannot be rendered")));
    };
    if analysis.blocking_errors(env) > 0 {
        return Err(RenderError::Blocked);
    }
    Ok(Side::values(format!("environment {name}"), &merged.value))
}
