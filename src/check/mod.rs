//! Checks over the typed model: small rules, each owning one diagnostic code.

mod credentials;
mod declared;
mod policy;
mod resources;
mod secrets;
pub use credentials::find as find_credentials;
pub use secrets::find as secret_references;
pub mod registry;
pub mod rules;

use crate::diagnostic::{Code, Sink};
use crate::model::deploy::Deploy;
use crate::model::project::Project;
use crate::model::ruleset::Ruleset;
use crate::model::Spanned;

/// What every check may look at.
pub struct Context<'a> {
    pub ruleset: &'a Ruleset,
    pub project: &'a Project,
    pub deploy: &'a Deploy,
    /// The `--base REV` revision, when checking a version bump.
    pub base: Option<&'a Base>,
}

/// What the version-bump checks need to know about `--base REV`, computed by the pipeline (which
/// compiles both rulesets), so no check depends on how artifacts are built.
pub struct Base {
    pub label: String,
    /// Where the base declares its version (a span in this run's sources).
    pub version: Option<Spanned<String>>,
    pub compared: Compared,
}

/// How the base ruleset compares with the current one.
pub enum Compared {
    /// The current rules do not compile, so there is nothing to compare (their errors say why).
    CurrentIncomplete,
    /// The rules at the base do not compile.
    BaseInvalid,
    /// The base is `HEAD` of a branch with no commit yet (a repository's first commit): there is
    /// no earlier ruleset.
    NoCommit,
    /// Both compile.
    Both {
        /// The base's `ruleset_version`.
        version: String,
        /// Whether the canonical rulesets differ.
        differs: bool,
        /// The ids of the sections that differ (`spawn_config/crystal_caves`), sorted.
        changed: Vec<String>,
    },
}

/// Every code the checks own: one per registered rule, plus the version-bump rule's others.
pub fn codes() -> impl Iterator<Item = &'static Code> {
    registry::RULES
        .iter()
        .map(|rule| rule.code)
        .chain([&rules::version_not_bumped::LOWERED, &rules::version_not_bumped::NOT_COMPARABLE])
}

/// Runs every registered check.
pub fn run(cx: &Context<'_>, sink: &mut Sink) {
    for rule in registry::RULES {
        (rule.run)(cx, sink);
    }
}

/// Pairs of (first occurrence, later duplicate) among named things, in input order.
fn duplicates<'a>(names: impl Iterator<Item = &'a Spanned<String>>) -> Vec<(&'a Spanned<String>, &'a Spanned<String>)> {
    let mut first: std::collections::BTreeMap<&str, &Spanned<String>> = std::collections::BTreeMap::new();
    let mut out = Vec::new();
    for name in names {
        match first.get(name.value.as_str()) {
            Some(earlier) => out.push((*earlier, name)),
            None => {
                first.insert(&name.value, name);
            }
        }
    }
    out
}
