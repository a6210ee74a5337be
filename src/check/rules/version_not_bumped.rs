//! A ruleset that changed since `--base REV` carries a higher `ruleset_version`.

use semver::Version;

use crate::check::{Compared, Context};
use crate::diagnostic::declare_code;
use crate::diagnostic::{Diagnostic, Sink};

declare_code! {
    /// The ruleset changed since the base revision but `ruleset_version` did not go up.
    ///
    /// An artifact's version names one ruleset forever (see `A001`). `rulesctl check --base
    /// REV` compiles the rules at REV and now; when the canonical ruleset differs, the version
    /// must be strictly greater by semantic-version order. Comments and layout are not changes.
    ///
    /// Example: a cooldown changed in a commit that kept `ruleset_version = "v2.4.1"`.
    ///
    /// Fix: raise `ruleset_version` (v2.4.1 → v2.4.2 for a tuning change).
    pub static CODE = ("G001", "version-not-bumped", Error);
}

declare_code! {
    /// `ruleset_version` is lower than at the base revision.
    ///
    /// Versions only go up: a lower version could name an artifact that already exists with
    /// other content, and sidecars comparing versions would roll backwards.
    ///
    /// Fix: set a version greater than the base revision's.
    pub static LOWERED = ("G002", "version-lowered", Error);
}

declare_code! {
    /// The ruleset at the base revision cannot be compiled, so the version bump is not checked.
    ///
    /// `--base REV` compares with the rules at REV; when they do not pass the check themselves
    /// (or there are none), there is nothing to compare with. The same holds for `--base HEAD`
    /// before a repository's first commit, when HEAD names a branch with no commit yet: the
    /// pre-commit hook runs `check --staged --base HEAD`, and this warning is how the first
    /// commit says that it has no earlier version to compare with. Any other revision that does
    /// not exist, and `HEAD` once it has a commit, is never skipped: it is an error (exit 2).
    ///
    /// Fix: pick a base revision whose rules are valid, or ignore this on the first commit.
    pub static NOT_COMPARABLE = ("G003", "base-not-comparable", Warning);
}

pub fn check(cx: &Context<'_>, sink: &mut Sink) {
    let Some(base) = cx.base else { return };
    let Some(now) = cx.ruleset.versions.first() else { return };
    let (old_version, differs, changed) = match &base.compared {
        Compared::CurrentIncomplete | Compared::Unchanged => return,
        Compared::BaseInvalid => {
            sink.push(
                Diagnostic::new(
                    &NOT_COMPARABLE,
                    now.span,
                    format!("the rules at `{}` do not compile, so the version bump cannot be checked", base.label),
                )
                .help(format!("run `rulesctl check` at `{}` to see why, or compare with another revision", base.label)),
            );
            return;
        }
        Compared::NoCommit => {
            sink.push(
                Diagnostic::new(
                    &NOT_COMPARABLE,
                    now.span,
                    format!(
                        "`{}` has no commit yet (this is the first commit), so there is no earlier version to compare with",
                        base.label
                    ),
                )
                .help("nothing to fix: from the next commit on, a changed ruleset needs a higher `ruleset_version`"),
            );
            return;
        }
        Compared::Both { version, differs, changed } => (version, *differs, changed),
    };
    let parse = |v: &str| Version::parse(v.trim_start_matches('v')).ok();
    let (Some(new_v), Some(old_v)) = (parse(&now.value), parse(old_version)) else { return };
    let with_base = |d: Diagnostic| match &base.version {
        Some(v) => d.related(v.span, format!("`{}` at {}", v.value, base.label)),
        None => d,
    };
    if new_v < old_v {
        sink.push(with_base(
            Diagnostic::new(
                &LOWERED,
                now.span,
                format!("`ruleset_version` went down from {old_version} at `{}` to {}", base.label, now.value),
            )
            .label("lower than the base")
            .help(format!("versions only go up: choose one greater than {old_version}")),
        ));
    } else if differs && new_v == old_v {
        let what = if changed.is_empty() { "the ruleset".to_string() } else { changed.join(", ") };
        let example = match next_after(&new_v) {
            Some(next) => format!(", for example to \"v{next}\""),
            None => String::new(),
        };
        sink.push(with_base(
            Diagnostic::new(
                &CODE,
                now.span,
                format!(
                    "the ruleset changed since `{}` ({what}) but `ruleset_version` is still {}",
                    base.label, now.value
                ),
            )
            .label("bump this version")
            .help(format!("raise `ruleset_version`{example}")),
        ));
    }
}

/// The next release after `v`: its patch raised, or, when the patch is already `u64::MAX` (the
/// version is read from the rules as written), its minor or major; `None` when none can be.
fn next_after(v: &Version) -> Option<Version> {
    let (major, minor, patch) = if let Some(patch) = v.patch.checked_add(1) {
        (v.major, v.minor, patch)
    } else if let Some(minor) = v.minor.checked_add(1) {
        (v.major, minor, 0)
    } else {
        (v.major.checked_add(1)?, 0, 0)
    };
    Some(Version { major, minor, patch, pre: semver::Prerelease::EMPTY, build: v.build.clone() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_next_version_never_overflows() {
        let next = |v: &str| Version::parse(v).ok().as_ref().and_then(next_after).map(|n| n.to_string());
        assert_eq!(next("1.2.3-rc.1").as_deref(), Some("1.2.4"));
        assert_eq!(next("1.2.18446744073709551615").as_deref(), Some("1.3.0"));
        assert_eq!(next("1.18446744073709551615.18446744073709551615").as_deref(), Some("2.0.0"));
        let max = "18446744073709551615";
        assert_eq!(next(&format!("{max}.{max}.{max}")), None);
    }
}
