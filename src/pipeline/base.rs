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
const FORMAT: &str = "rulesctl-base/2";

/// What the comparison keeps of a compiled ruleset, and what the store holds: a line naming
/// [`FORMAT`], a line of JSON ([`Head`]), then the leaves, each as two length-prefixed strings
/// (u32 LE). The leaves are most of it (tens of thousands at 10,000 files) and are read in place,
/// never into strings of their own: parsing them as JSON cost a hook a few milliseconds.
struct Summary {
    head: Head,
    bytes: Vec<u8>,
    /// Where the leaves start in `bytes`.
    leaves_at: usize,
}

#[derive(Serialize, Deserialize)]
struct Head {
    version: String,
    digest: String,
    /// The file declaring the version: its path in the tree, its text, and the version's span.
    at: Option<Declared>,
    /// How many leaves follow.
    leaves: usize,
}

#[derive(Serialize, Deserialize)]
struct Declared {
    path: String,
    text: String,
    start: u32,
    end: u32,
}

impl Summary {
    /// The bytes kept of `compiled`.
    fn encode(compiled: &Compiled, ruleset: &Ruleset, sources: &Sources) -> Option<Vec<u8>> {
        let at = ruleset.versions.first().map(|version| {
            let file = sources.get(version.span.file);
            Declared {
                path: file.path.clone(),
                text: file.text.clone(),
                start: version.span.start,
                end: version.span.end,
            }
        });
        let head = Head {
            version: compiled.version().to_string(),
            digest: compiled.digest.clone(),
            at,
            leaves: compiled.leaves.len(),
        };
        let mut bytes = format!("{FORMAT}\n").into_bytes();
        serde_json::to_writer(&mut bytes, &head).ok()?;
        bytes.push(b'\n');
        for (id, leaf) in &compiled.leaves {
            for text in [id, leaf] {
                bytes.extend_from_slice(&u32::try_from(text.len()).ok()?.to_le_bytes());
                bytes.extend_from_slice(text.as_bytes());
            }
        }
        Some(bytes)
    }

    /// `None` for anything [`Summary::encode`] did not write, whole.
    fn parse(bytes: Vec<u8>) -> Option<Self> {
        let rest = bytes.strip_prefix(FORMAT.as_bytes())?.strip_prefix(b"\n")?;
        let line = rest.iter().position(|b| *b == b'\n')?;
        let head: Head = serde_json::from_slice(&rest[..line]).ok()?;
        let leaves_at = bytes.len() - rest.len() + line + 1;
        let summary = Summary { head, bytes, leaves_at };
        let leaves = summary.leaves()?;
        (leaves.len() == summary.head.leaves).then_some(summary)
    }

    /// `(section id, Merkle leaf)`, sorted by id, borrowed from the kept bytes.
    fn leaves(&self) -> Option<Vec<(&str, &str)>> {
        let mut rest = self.bytes.get(self.leaves_at..)?;
        let mut text = || {
            let len = usize::try_from(u32::from_le_bytes(rest.get(..4)?.try_into().ok()?)).ok()?;
            let out = std::str::from_utf8(rest.get(4..4 + len)?).ok()?;
            rest = rest.get(4 + len..)?;
            Some(out)
        };
        let mut leaves = Vec::with_capacity(self.head.leaves.min(1 << 20));
        while let Some(id) = text() {
            leaves.push((id, text()?));
        }
        // Whole: the last string read ended exactly at the end.
        rest.is_empty().then_some(leaves)
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
        if let Some(bytes) = Summary::encode(compiled, ruleset, sources) {
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
        if let Some(summary) = kept.and_then(Summary::parse) {
            return carried(Some(summary), false);
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
        let bytes = compiled.and_then(|compiled| Summary::encode(&compiled, &ruleset, &sources));
        if let (Some(store), Some(key), Some(bytes)) = (store, key, &bytes) {
            // Over an entry that could not be read, if that is why it was missed.
            store.replace(&key, bytes);
        }
        carried(bytes.and_then(Summary::parse), false)
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
            let at = summary.head.at.as_ref()?;
            let id = sources.add(format!("{}:{}", self.label, at.path), at.text.clone());
            Some(Spanned::new(summary.head.version.clone(), Span { file: id, start: at.start, end: at.end }))
        });
        let compared = match (current, &self.compiled) {
            // The same version as now, so the check compares it with itself and finds nothing.
            (_, _) if self.unchanged => Compared::Unchanged,
            (None, _) => Compared::CurrentIncomplete,
            (Some(_), None) if self.unborn => Compared::NoCommit,
            (Some(_), None) => Compared::BaseInvalid,
            (Some(now), Some(old)) => Compared::Both {
                version: old.head.version.clone(),
                differs: now.digest != old.head.digest,
                // Read whole when it was kept (`Summary::parse`).
                changed: changed_sections(&old.leaves().unwrap_or_default(), &now.leaves),
            },
        };
        Base { label: self.label, version, compared }
    }
}
