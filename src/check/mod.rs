//! Checks over the typed model: small rules, each owning one diagnostic code.

mod credentials;
mod policy;
pub use credentials::find as find_credentials;
pub mod registry;
pub mod rules;

use crate::diagnostic::Sink;
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
    pub base: Option<&'a rules::version_not_bumped::Base>,
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
