//! The `--base REV` comparison: the facts the version-bump checks need, computed here so checks
//! never compile a ruleset themselves.

use crate::artifact::compare::changed_sections;
use crate::artifact::compiled::Compiled;
use crate::check::{Base, Compared};
use crate::diagnostic::{Severity, Sink, Span};
use crate::model::project::Project;
use crate::model::ruleset::Ruleset;
use crate::model::Spanned;
use crate::pipeline::load;
use crate::source::root::PROJECT_FILE;
use crate::source::{Sources, Tree};

/// What is kept of the base revision's analysis.
pub struct Carried {
    label: String,
    /// The compiled base ruleset, when it passed its own check.
    compiled: Option<Compiled>,
    /// The base's version line and the file it is in, to be shown as `REV:path`.
    version: Option<(String, String, Spanned<String>)>,
    /// The base is `HEAD` with no commit yet.
    unborn: bool,
    /// The base holds the same rule files and project file as the current tree.
    unchanged: bool,
}

impl Carried {
    /// The base revision `old` as the version checks need it, for the current `tree` whose
    /// project file is `project`. When git says the rule files and the project file are the
    /// same in both (blob ids, no blob read), nothing of the base is read: the ruleset did not
    /// change. Otherwise only the base's rules are loaded and compiled; its values,
    /// environments and checks are none of the version bump's business.
    pub fn of(tree: &dyn Tree, old: &dyn Tree, project: &Project, label: &str) -> Self {
        let mut scope: Vec<String> = project.rules.iter().map(|p| p.value.clone()).collect();
        scope.push(PROJECT_FILE.to_string());
        let same = tree.identity(&scope).is_some_and(|now| old.identity(&scope).is_some_and(|then| then == now));
        if same {
            return Carried { label: label.to_string(), compiled: None, version: None, unborn: false, unchanged: true };
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
        let version = ruleset.versions.first().map(|version| {
            let file = sources.get(version.span.file);
            (format!("{label}:{}", file.path), file.text.clone(), version.clone())
        });
        Carried { label: label.to_string(), compiled, version, unborn: false, unchanged: false }
    }

    /// A base that is `HEAD` before its first commit: no ruleset at all.
    pub fn unborn(label: &str) -> Self {
        Carried { label: label.to_string(), compiled: None, version: None, unborn: true, unchanged: false }
    }

    /// The facts for the checks; the base's version file joins this run's sources.
    pub fn into_facts(self, current: Option<&Compiled>, sources: &mut Sources) -> Base {
        let version = self.version.map(|(path, text, version)| {
            let id = sources.add(path, text);
            Spanned::new(version.value, Span { file: id, ..version.span })
        });
        let compared = match (current, &self.compiled) {
            (None, _) => Compared::CurrentIncomplete,
            (Some(now), _) if self.unchanged => {
                Compared::Both { version: now.version().to_string(), differs: false, changed: Vec::new() }
            }
            (Some(_), None) if self.unborn => Compared::NoCommit,
            (Some(_), None) => Compared::BaseInvalid,
            (Some(now), Some(old)) => Compared::Both {
                version: old.version().to_string(),
                differs: now.digest != old.digest,
                changed: changed_sections(old, now),
            },
        };
        Base { label: self.label, version, compared }
    }
}
