//! The `--base REV` comparison: the facts the version-bump checks need, computed here so checks
//! never compile a ruleset themselves.
//!
//! What a comparison needs of the base is small: its version, its digest, its sections' Merkle
//! leaves, and where it declares its version. A run that compiled a tree's rules without an
//! error keeps exactly that under git's folder (`source::store`), keyed by the rules' identity
//! in git; the next commit's hook finds its base (the commit before, which that hook checked as
//! the index) there, and compiles nothing of it.

use serde::{Deserialize, Serialize};

use crate::artifact::compare::changed_sections;
use crate::artifact::compiled::Compiled;
use crate::check::{Base, Compared};
use crate::diagnostic::{Severity, Sink, Span};
use crate::model::project::Project;
use crate::model::ruleset::Ruleset;
use crate::model::Spanned;
use crate::pipeline::load;
use crate::source::root::PROJECT_FILE;
use crate::source::store::Store;
use crate::source::{Sources, Tree};

/// The store's kind, and the format of its entries: a new rulesctl may compile the same rules to
/// other bytes, so its version is part of every key too.
const KIND: &str = "base";
const FORMAT: &str = "rulesctl-base/1";

/// What the comparison keeps of a compiled ruleset, and what the store holds.
#[derive(Serialize, Deserialize)]
struct Summary {
    format: String,
    version: String,
    digest: String,
    /// `(section id, Merkle leaf)`, sorted by id.
    leaves: Vec<(String, String)>,
    /// The file declaring the version: its path in the tree, its text, and the version's span.
    at: Option<Declared>,
}

#[derive(Serialize, Deserialize)]
struct Declared {
    path: String,
    text: String,
    start: u32,
    end: u32,
}

impl Summary {
    fn of(compiled: &Compiled, ruleset: &Ruleset, sources: &Sources) -> Self {
        let at = ruleset.versions.first().map(|version| {
            let file = sources.get(version.span.file);
            Declared {
                path: file.path.clone(),
                text: file.text.clone(),
                start: version.span.start,
                end: version.span.end,
            }
        });
        Summary {
            format: FORMAT.to_string(),
            version: compiled.version().to_string(),
            digest: compiled.digest.clone(),
            leaves: compiled.leaves.clone(),
            at,
        }
    }
}

/// What is kept of the base revision's analysis.
pub struct Carried {
    label: String,
    /// The base ruleset compiled, when its rules load without an error.
    compiled: Option<Summary>,
    /// The base is `HEAD` with no commit yet.
    unborn: bool,
    /// The base holds the same rule files and project file as the current tree.
    unchanged: bool,
    /// Where this run's own summary goes, once it is known to be clean.
    keeper: Option<Keeper>,
}

/// The store entry of the current tree's ruleset: named once, from the identity the comparison
/// already asked git for (for the working tree that is a status walk, not to be done twice).
pub struct Keeper {
    store: Store,
    key: String,
}

impl Keeper {
    /// Whether this tree's summary is not kept yet.
    pub fn missing(&self) -> bool {
        !self.store.has(&self.key)
    }

    /// Keeps the summary of the current tree's ruleset, for a later `--base` that names this
    /// tree's commit: called after an analysis with no error (so its rules loaded cleanly, as
    /// the base's must to compile), by a run that compared against a base (the hook, `build
    /// --base`). Nothing is written when the entry is there already.
    pub fn keep(&self, compiled: &Compiled, ruleset: &Ruleset, sources: &Sources) {
        if self.store.has(&self.key) {
            return;
        }
        if let Ok(bytes) = serde_json::to_vec(&Summary::of(compiled, ruleset, sources)) {
            self.store.replace(&self.key, &bytes);
        }
    }
}

/// The paths whose files make up a ruleset: the rules and the project file.
fn scope(project: &Project) -> Vec<String> {
    let mut scope: Vec<String> = project.rules.iter().map(|p| p.value.clone()).collect();
    scope.push(PROJECT_FILE.to_string());
    scope
}

/// The store key of the ruleset `tree` holds under `scope`, when git can name its files.
/// The scope is part of the key: the same files under another project file's rule paths could
/// be a different ruleset.
fn key(identity: &str, scope: &[String]) -> String {
    let mut material = format!("{FORMAT}\n{}\n", env!("CARGO_PKG_VERSION"));
    for path in scope {
        material.push_str(&format!("scope {path}\n"));
    }
    material.push_str(identity);
    crate::hash::hex(material.as_bytes())
}

impl Carried {
    /// The base revision `old` as the version checks need it, for the current `tree` whose
    /// project file is `project`. When git says the rule files and the project file are the
    /// same in both (blob ids, no blob read), nothing of the base is read: the ruleset did not
    /// change. Else the store may have the base's summary; only when it has not are the base's
    /// rules loaded and compiled (never its values, environments and checks: they are none of
    /// the version bump's business).
    pub fn of(tree: &dyn Tree, old: &dyn Tree, project: &Project, label: &str) -> Self {
        let scope = scope(project);
        let now = tree.identity(&scope);
        let keeper = now.as_ref().zip(tree.store(KIND)).map(|(now, store)| Keeper { store, key: key(now, &scope) });
        let then = old.identity(&scope);
        let carried =
            |compiled, unchanged| Carried { label: label.to_string(), compiled, unborn: false, unchanged, keeper };
        if then.is_some() && now == then {
            return carried(None, true);
        }
        let store = old.store(KIND);
        let key = then.map(|then| key(&then, &scope));
        let kept = store.as_ref().zip(key.as_deref()).and_then(|(store, key)| store.get(key));
        if let Some(summary) = kept.and_then(|bytes| serde_json::from_slice::<Summary>(&bytes).ok()) {
            if summary.format == FORMAT {
                return carried(Some(summary), false);
            }
        }
        let mut sources = Sources::default();
        let mut sink = Sink::new();
        let mut files = 0;
        let project = load::project(old, &mut sources, &mut sink, &mut files);
        let listing = load::Listing::of(old, &project);
        let ruleset = match listing.too_many(&project, &mut sources) {
            Some(_) => Ruleset { partial: true, ..Ruleset::default() },
            None => load::ruleset(old, &project, listing.rules, &mut sources, &mut sink, &mut files, None).0,
        };
        let parsed = !sink.iter().any(|d| d.severity == Severity::Error);
        let compiled = if parsed { Compiled::of_ruleset(&ruleset) } else { None };
        let summary = compiled.map(|compiled| Summary::of(&compiled, &ruleset, &sources));
        if let (Some(store), Some(key), Some(summary)) = (store, key, &summary) {
            // Over an entry that could not be read, if that is why it was missed.
            if let Ok(bytes) = serde_json::to_vec(summary) {
                store.replace(&key, &bytes);
            }
        }
        carried(summary, false)
    }

    /// A base that is `HEAD` before its first commit: no ruleset at all.
    pub fn unborn(label: &str) -> Self {
        Carried { label: label.to_string(), compiled: None, unborn: true, unchanged: false, keeper: None }
    }

    /// Where this run's summary would be kept, taken before [`Carried::into_facts`].
    pub fn keeper(&mut self) -> Option<Keeper> {
        self.keeper.take()
    }

    /// Whether the facts need the current ruleset compiled: not when the rules are the base's,
    /// where the version check can find nothing (same version, same digest) whether the current
    /// rules compile or not.
    pub fn needs_current(&self) -> bool {
        !self.unchanged
    }

    /// The facts for the checks; the base's version file joins this run's sources. `current` is
    /// the compiled current ruleset, `None` when it does not compile or was not needed (see
    /// [`Carried::needs_current`]).
    pub fn into_facts(self, current: Option<&Compiled>, sources: &mut Sources) -> Base {
        let version = self.compiled.as_ref().and_then(|summary| {
            let at = summary.at.as_ref()?;
            let id = sources.add(format!("{}:{}", self.label, at.path), at.text.clone());
            Some(Spanned::new(summary.version.clone(), Span { file: id, start: at.start, end: at.end }))
        });
        let compared = match (current, &self.compiled) {
            // The same version as now, so the check compares it with itself and finds nothing.
            (_, _) if self.unchanged => Compared::Unchanged,
            (None, _) => Compared::CurrentIncomplete,
            (Some(_), None) if self.unborn => Compared::NoCommit,
            (Some(_), None) => Compared::BaseInvalid,
            (Some(now), Some(old)) => Compared::Both {
                version: old.version.clone(),
                differs: now.digest != old.digest,
                changed: changed_sections(&old.leaves, &now.leaves),
            },
        };
        Base { label: self.label, version, compared }
    }
}
