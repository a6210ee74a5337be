//! The Rust module half of `rulesctl build`: `ruleset-<version>.rs` beside the JSON artifact,
//! immutable and written atomically like it.

use std::path::Path;

use crate::commands::build::{write_failed, Output, VERSION_EXISTS};
use crate::commands::check::Analysis;
use crate::diagnostic::Diagnostic;
use crate::emit::artifact::{Compiled, MAX_ARTIFACT_BYTES};
use crate::emit::rust::{file_name, module, read};
use crate::io::{read_limited, write_atomic};
use crate::source::Span;

/// Refuses (A001) when `dist` already holds a module of this version with another ruleset,
/// whether or not this build emits one: the JSON artifact and the module of one version must
/// never describe two rulesets. Runs before anything is written. A module with the same digest
/// is left as it is, as the JSON artifact is.
pub fn refuse_if_different(
    root: &Path,
    dist: &str,
    compiled: &Compiled,
    analysis: &mut Analysis,
) -> Result<(), Box<Diagnostic>> {
    let rel = format!("{dist}/{}", file_name(compiled.version()));
    let Some(old) = existing(root, &rel) else { return Ok(()) };
    let recorded = read::digest(&old).map(|(digest, span)| (digest.to_string(), span));
    if recorded.as_ref().is_some_and(|(digest, _)| *digest == compiled.digest) {
        return Ok(());
    }
    let message = format!(
        "{rel} already exists with a different ruleset: it has {}, these rules are {}",
        recorded.as_ref().map_or("no valid DIGEST", |(d, _)| d.as_str()),
        compiled.digest
    );
    let span = recorded.map_or(0..0, |(_, span)| span);
    let id = analysis.sources.add(rel, old);
    let version = analysis.ruleset.versions.first().map_or(Span::file(id), |v| v.span);
    Err(Box::new(
        Diagnostic::new(&VERSION_EXISTS, version, message)
            .label("bump this version")
            .related(Span::new(id, span), "the existing module's digest")
            .help("modules are immutable like artifacts: raise `ruleset_version`, then build again"),
    ))
}

/// Writes the module unless it exists (then, after [`refuse_if_different`], it holds this
/// ruleset and is left untouched).
pub fn write(root: &Path, dist: &str, compiled: &Compiled, analysis: &mut Analysis) -> Result<Output, Box<Diagnostic>> {
    let rel = format!("{dist}/{}", file_name(compiled.version()));
    let digest = compiled.digest.clone();
    if existing(root, &rel).is_some() {
        return Ok(Output { path: rel, written: false, digest });
    }
    let text = module(compiled).map_err(|e| {
        write_failed(analysis, &rel, &std::io::Error::other(format!("the ruleset does not fit the module: {e}")))
    })?;
    write_atomic(&root.join(&rel), text.as_bytes()).map_err(|e| write_failed(analysis, &rel, &e))?;
    Ok(Output { path: rel, written: true, digest })
}

/// The module on disk, when there is a readable one.
fn existing(root: &Path, rel: &str) -> Option<String> {
    read_limited(&root.join(rel), MAX_ARTIFACT_BYTES).ok().and_then(|b| String::from_utf8(b).ok())
}
