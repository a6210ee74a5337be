//! The `--base REV` comparison: the facts the version-bump checks need, computed here so checks
//! never compile a ruleset themselves.

use crate::artifact::compare::changed_sections;
use crate::artifact::compiled::Compiled;
use crate::check::{Base, Compared};
use crate::diagnostic::Span;
use crate::model::Spanned;
use crate::pipeline::Analysis;
use crate::source::Sources;

/// What is kept of the base revision's analysis.
pub struct Carried {
    label: String,
    /// The compiled base ruleset, when it passed its own check.
    compiled: Option<Compiled>,
    /// The base's version line and the file it is in, to be shown as `REV:path`.
    version: Option<(String, String, Spanned<String>)>,
    /// The base is `HEAD` with no commit yet.
    unborn: bool,
}

impl Carried {
    pub fn from(old: &Analysis, label: &str) -> Self {
        let compiled = if old.errors() == 0 { old.compiled().cloned() } else { None };
        let version = old.ruleset.versions.first().map(|version| {
            let file = old.sources.get(version.span.file);
            (format!("{label}:{}", file.path), file.text.clone(), version.clone())
        });
        Carried { label: label.to_string(), compiled, version, unborn: false }
    }

    /// A base that is `HEAD` before its first commit: no ruleset at all.
    pub fn unborn(label: &str) -> Self {
        Carried { label: label.to_string(), compiled: None, version: None, unborn: true }
    }

    /// The facts for the checks; the base's version file joins this run's sources.
    pub fn into_facts(self, current: Option<&Compiled>, sources: &mut Sources) -> Base {
        let version = self.version.map(|(path, text, version)| {
            let id = sources.add(path, text);
            Spanned::new(version.value, Span { file: id, ..version.span })
        });
        let compared = match (current, &self.compiled) {
            (None, _) => Compared::CurrentIncomplete,
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
