//! `rulesctl render --env ENV`: one environment's values, rendered.

use std::path::Path;

use crate::commands::check::{analyze, Analysis};
use crate::diagnostic::Severity;
use crate::emit::artifact::{ruleset_value, Compiled};
use crate::emit::values::{render as emit, Header};
use crate::model::deploy::EnvDoc;
use crate::source::WorkTree;

/// Why an environment could not be rendered.
pub enum Failure {
    /// Exit 2: no such environment (the message lists the known ones).
    Usage(String),
    /// Exit 1: the inputs this environment needs have errors.
    Invalid(Box<Analysis>),
}

/// Checks the repository at `root` and renders `env`.
///
/// # Errors
///
/// See [`Failure`].
pub fn render(root: &Path, env: &str) -> Result<String, Failure> {
    let analysis = analyze(&WorkTree { root: root.to_path_buf() });
    rendered(&analysis, env).map_err(|f| match f {
        Some(message) => Failure::Usage(message),
        None => Failure::Invalid(Box::new(analysis)),
    })
}

/// Renders one environment of an analysed repository. `Err(None)` when the inputs it needs have
/// errors; `Err(Some(message))` when there is no such environment. Errors that live only in
/// other environments' files do not block it.
pub fn rendered(analysis: &Analysis, name: &str) -> Result<String, Option<String>> {
    let Some(env) = analysis.deploy.environments.iter().find(|e| e.name == name) else {
        let known: Vec<&str> = analysis.deploy.environments.iter().map(|e| e.name.as_str()).collect();
        let list = if known.is_empty() { "there are none".to_string() } else { format!("known: {}", known.join(", ")) };
        return Err(Some(format!("unknown environment `{name}` ({list})")));
    };
    if blocking_errors(analysis, env) > 0 {
        return Err(None);
    }
    let compiled = ruleset_value(&analysis.ruleset).map(Compiled::new).ok_or(None)?;
    let merged = env.merged.as_ref().ok_or(None)?;
    let values_file = analysis.deploy.values.as_ref().and_then(|v| v.file);
    let sources = values_file
        .into_iter()
        .chain([env.file])
        .map(|id| analysis.sources.get(id))
        .filter_map(|f| Some((f.path.as_str(), f.sha256.as_deref()?)))
        .collect();
    let header =
        Header { environment: &env.name, sources, ruleset_version: compiled.version(), digest: &compiled.digest };
    Ok(emit(&merged.value, &header))
}

/// Errors that stop `env` from rendering: all but those whose place is another environment's file.
pub fn blocking_errors(analysis: &Analysis, env: &EnvDoc) -> usize {
    let others: Vec<_> = analysis.deploy.environments.iter().filter(|e| e.name != env.name).map(|e| e.file).collect();
    analysis
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error && !others.contains(&d.primary.span.file))
        .count()
}
