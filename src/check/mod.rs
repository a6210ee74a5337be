//! Checks over the typed model: small rules, each owning one diagnostic code.

mod declared;
mod policy;
pub mod registry;
mod resources;
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
    /// The rule files and the project file are the base's (git's blob ids say so): the same
    /// ruleset, nothing to compare.
    Unchanged,
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

/// Below this many rule files the checks run on one thread: together they take microseconds.
const PARALLEL_FROM: usize = 1000;

/// Runs every registered check. On a large ruleset, every other check runs on a second thread
/// (the cross-file checks walk every block, a tenth of `check`'s time at 10,000 files); the
/// diagnostics are joined in registry order either way, so the report never depends on it.
/// What a check of one document found earlier in an environment whose values are gone
/// ([`crate::model::deploy::EnvDoc::checked`]) follows that check's own findings, where the
/// check would have found it.
pub fn run(cx: &Context<'_>, sink: &mut Sink) {
    let rules = registry::RULES;
    let one = |rule: &registry::Rule, found: &mut Sink| {
        if rule.speaks(cx) {
            (rule.run)(cx, found);
        }
        let earlier = cx.deploy.environments.iter().flat_map(|env| &env.checked);
        for (_, checked) in earlier.filter(|(code, _)| std::ptr::eq(*code, rule.code)) {
            found.extend(checked.iter().cloned());
        }
    };
    if cx.ruleset.files.len() < PARALLEL_FROM || crate::threads::count() < 2 {
        for rule in rules {
            one(rule, sink);
        }
        return;
    }
    let half = |parity: usize| -> Vec<Sink> {
        rules
            .iter()
            .skip(parity)
            .step_by(2)
            .map(|rule| {
                let mut found = Sink::new();
                one(rule, &mut found);
                found
            })
            .collect()
    };
    let (even, odd) = crate::threads::join_if(true, || half(0), || half(1));
    let mut odd = odd.into_iter();
    for found in even {
        sink.extend(found);
        sink.extend(odd.next().into_iter().flatten());
    }
}

/// The checks of one document ([`registry::Rule::per_document`]) over `cx`, on this thread,
/// each check's findings apart: for an environment checked alone, as soon as it is merged.
pub fn run_per_document(cx: &Context<'_>) -> Vec<(&'static Code, Sink)> {
    registry::RULES
        .iter()
        .filter(|rule| rule.per_document() && rule.speaks(cx))
        .map(|rule| {
            let mut found = Sink::new();
            (rule.run)(cx, &mut found);
            (rule.code, found)
        })
        .collect()
}

/// Runs the registered checks of one scope, in registry order, whether or not each speaks
/// about this ruleset ([`registry::Rule::speaks`] is the caller's to apply): an incremental
/// analysis runs each scope over only what an edit can have changed (see
/// [`registry::Scope`]).
pub fn run_scope(cx: &Context<'_>, scope: registry::Scope, sink: &mut Sink) {
    for rule in registry::RULES.iter().filter(|rule| rule.scope == scope) {
        (rule.run)(cx, sink);
    }
}

/// Whether the finding of code `code` may be reported about the ruleset in `cx`: not when it
/// comes from a check that does not speak about it (see [`registry::Rule::speaks`]).
pub fn reported(cx: &Context<'_>, code: &Code) -> bool {
    registry::RULES.iter().filter(|rule| std::ptr::eq(rule.code, code)).all(|rule| rule.speaks(cx))
}

/// Pairs of (first occurrence, later duplicate) among named things, in input order.
fn duplicates<'a>(
    names: impl Iterator<Item = &'a Spanned<String>> + Clone,
) -> Vec<(&'a Spanned<String>, &'a Spanned<String>)> {
    let mut out = Vec::new();
    // A loot table's few items are compared pairwise, with no allocation; a map per table cost
    // one.
    if names.clone().nth(16).is_none() {
        for (i, name) in names.clone().enumerate() {
            if let Some(earlier) = names.clone().take(i).find(|earlier| earlier.value == name.value) {
                out.push((earlier, name));
            }
        }
        return out;
    }
    // A hash map: the names of 10,000 files are looked up one by one.
    use foldhash::HashMapExt;
    let mut first: foldhash::HashMap<&str, &Spanned<String>> =
        foldhash::HashMap::with_capacity(names.size_hint().1.unwrap_or(0));
    for name in names {
        match first.entry(name.value.as_str()) {
            std::collections::hash_map::Entry::Occupied(earlier) => out.push((*earlier.get(), name)),
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(name);
            }
        }
    }
    out
}
