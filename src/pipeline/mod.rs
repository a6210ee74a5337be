//! The one analysis entry point: load → parse → model → check over a [`Tree`], returning one
//! [`Analysis`] that every command (and, later, the language server) reads from.
//!
//! The pipeline is the only layer that sees both sides of the wall: it computes what checks need
//! from `emit` (the compiled ruleset, the `--base` comparison) and hands it to them as data, so
//! no check imports `emit`.

mod base;
mod chart;
mod deploy;
mod kept;
mod load;
mod render;
mod scope;
pub mod several;
mod unread;
mod values_schema;
mod workspace;

use std::cell::OnceCell;
use std::path::Path;

pub use render::RenderError;
pub use workspace::Workspace;

use crate::artifact::compiled::Compiled;
use crate::check::{self, Context};
use crate::diagnostic::{Diagnostic, Severity, Sink};
use crate::error::Error;
use crate::model::deploy::Deploy;
use crate::model::project::Project;
use crate::model::ruleset::Ruleset;
use crate::source::git::{self, Snapshot};
use crate::source::{Sources, Tree};
use kept::Kept;

/// The codes this layer declares: environments that cannot be rendered at all.
pub static CODES: &[&crate::diagnostic::Code] = &[
    &deploy::ENV_NAME,
    &deploy::VALUES_MISSING,
    &unread::YML_ENVIRONMENT,
    &unread::UNREAD_FILE,
    &unread::NEAR_MISS_FOLDER,
    &load::PAST_LIMIT,
];

/// Everything a run learned about the repository.
pub struct Analysis {
    pub sources: Sources,
    pub project: Project,
    pub ruleset: Ruleset,
    pub deploy: Deploy,
    /// Sorted into report order.
    pub diagnostics: Vec<Diagnostic>,
    /// How many files were read (the summary's "checked N files").
    pub files: usize,
    /// A values-only project: `rulesctl.hcl` sets no rules path and there is no `rules/`
    /// folder, so values and environments are checked and rendered alone, and nothing
    /// ruleset-related (injection, the artifact) is needed or produced.
    pub values_only: bool,
    compiled: OnceCell<Option<Compiled>>,
}

/// A revision to judge the version bump against (`--base REV`).
pub struct BaseRevision<'a> {
    /// The revision's files; `None` when it is `HEAD` with no commit yet (see [`BaseTree`]).
    pub tree: Option<&'a dyn Tree>,
    /// How the revision was named (`HEAD`, `origin/main`); files read from it print as
    /// `REV:path`.
    pub label: &'a str,
}

/// `--base REV`, opened from git: what `check --base` and `build --base` share.
pub struct BaseTree {
    label: String,
    snapshot: Option<Snapshot>,
}

impl BaseTree {
    /// Opens revision `rev` of the repository holding `root`. `HEAD` with no commit yet (a
    /// repository's first commit) opens as no tree at all, which the version check reports as
    /// `G003`; every other revision must exist.
    ///
    /// # Errors
    ///
    /// Not a git repository, or an unknown revision.
    pub fn open(root: &Path, rev: &str) -> Result<Self, Error> {
        let snapshot =
            if rev == "HEAD" && git::head_is_unborn(root)? { None } else { Some(Snapshot::revision(root, rev)?) };
        Ok(BaseTree { label: rev.to_string(), snapshot })
    }

    /// The revision, for [`analyze`].
    pub fn revision(&self) -> BaseRevision<'_> {
        BaseRevision { tree: self.snapshot.as_ref().map(|s| s as &dyn Tree), label: &self.label }
    }
}

/// Loads and checks the repository in `tree`; with `base`, also judges the version bump
/// against the rules in that revision.
pub fn analyze(tree: &dyn Tree, base: Option<BaseRevision<'_>>) -> Analysis {
    run(tree, base, None, Keep::Values).0
}

/// [`analyze`] for a run that only reports what it found (`check`): each environment is checked
/// as soon as its values are merged, and those values are then dropped, so nothing can be
/// rendered from the result (every [`crate::model::deploy::EnvDoc`]'s `merged` is `None`). The
/// diagnostics are [`analyze`]'s, in the same order.
pub fn analyze_for_report(tree: &dyn Tree, base: Option<BaseRevision<'_>>) -> Analysis {
    run(tree, base, None, Keep::Findings).0
}

/// [`analyze_for_report`] for `build`: each environment is also rendered into the file `build`
/// writes as soon as it is checked ([`Analysis::render`] returns it), and only that file is
/// kept. The diagnostics are [`analyze`]'s, in the same order.
pub fn analyze_for_build(tree: &dyn Tree, base: Option<BaseRevision<'_>>) -> Analysis {
    run(tree, base, None, Keep::Files).0
}

/// What an analysis keeps of each environment's merged values.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Keep {
    /// The values themselves.
    Values,
    /// Only what the checks of one document found in them.
    Findings,
    /// Those findings and the rendered file.
    Files,
}

/// The analysis, and with `reuse` (a [`Workspace`]'s) what it keeps to update it after an edit
/// (`None` when the rule files were not read: too many of them, or none).
fn run(
    tree: &dyn Tree,
    base: Option<BaseRevision<'_>>,
    reuse: Option<load::Reuse<'_>>,
    keep: Keep,
) -> (Analysis, Option<Kept>) {
    let mut sources = Sources::default();
    let mut sink = Sink::new();
    let mut files = 0;
    let project = load::project(tree, &mut sources, &mut sink, &mut files);
    let mut base = base.map(|b| match b.tree {
        Some(old) => base::Carried::of(tree, old, &project, b.label),
        None => base::Carried::unborn(b.label),
    });
    let listing = load::Listing::of(tree, &project);
    let values_only = load::values_only(&project, &listing);
    // Too many files: none is read, and the checks of the whole ruleset stay quiet.
    let too_many = listing.too_many(&project, &mut sources);
    let rule_files = listing.rules.clone().unwrap_or_default();
    unread::report(tree, &project, &rule_files, &mut sources, &mut sink);
    let mut rules = None;
    let (ruleset, environments) = match too_many {
        Some(diagnostic) => {
            sink.push(diagnostic);
            (Ruleset { partial: true, ..Ruleset::default() }, None)
        }
        None if values_only => {
            load::nothing_to_inject(&project, &mut sink);
            (Ruleset { partial: true, ..Ruleset::default() }, Some(listing.environments))
        }
        None => {
            let (ruleset, kept) =
                load::ruleset(tree, &project, listing.rules, &mut sources, &mut sink, &mut files, reuse.as_ref());
            rules = kept;
            (ruleset, Some(listing.environments))
        }
    };
    // A workspace keeps the diagnostics found so far apart from those of the rule files (which
    // `load::ruleset` handed back with each file) and those found from here on.
    let before = match rules {
        Some(_) => std::mem::take(&mut sink),
        None => Sink::new(),
    };
    let (deploy_sources, deploy_files) = (sources.len(), files);
    let compiled = OnceCell::new();
    // Compiling the whole ruleset costs as much as checking it: only the digest needs it.
    let injected = if project.inject.iter().any(|i| i.source.value == "digest") {
        injections(&project, &ruleset, compiled.get_or_init(|| Compiled::of_ruleset(&ruleset)).as_ref())
    } else {
        injections(&project, &ruleset, None)
    };
    let deploy = match &environments {
        Some(environments) => {
            let after = match keep {
                Keep::Values => deploy::After::Kept,
                Keep::Findings => deploy::After::Checked(&ruleset),
                // The header names the ruleset's version and digest; without them the
                // environment does not render (`Analysis::render` says so), so nothing is made.
                Keep::Files if values_only => deploy::After::Rendered(&ruleset, None),
                Keep::Files => match compiled.get_or_init(|| Compiled::of_ruleset(&ruleset)) {
                    Some(c) => deploy::After::Rendered(&ruleset, Some((c.version(), c.digest.as_str()))),
                    None => deploy::After::Checked(&ruleset),
                },
            };
            let merging = deploy::Merging { injected: &injected, after };
            deploy::load(tree, &project, environments, &merging, &mut sources, &mut sink, &mut files)
        }
        None => Deploy::default(),
    };
    let keeper = base.as_mut().and_then(base::Carried::keeper);
    let base = base.map(|carried| {
        // Compiling costs a third of a check at 10,000 files: only when a fact or the summary
        // still to be kept needs it.
        let needed = carried.needs_current() || keeper.as_ref().is_some_and(base::Keeper::missing);
        let current = if needed { compiled.get_or_init(|| Compiled::of_ruleset(&ruleset)).as_ref() } else { None };
        carried.into_facts(current, &mut sources)
    });
    let mut analysis =
        Analysis { sources, project, ruleset, deploy, diagnostics: Vec::new(), files, values_only, compiled };
    let kept = match (rules, environments) {
        (Some(rules), Some(environments)) if base.is_none() => {
            let deploy = kept::DeployPart { sources: deploy_sources, files: deploy_files, found: sink, environments };
            let kept = Kept::new(&analysis, rules, before, deploy, injected);
            analysis.diagnostics = kept.diagnostics(&analysis);
            Some(kept)
        }
        _ => {
            let a = &analysis;
            check::run(
                &Context { ruleset: &a.ruleset, project: &a.project, deploy: &a.deploy, base: base.as_ref() },
                &mut sink,
            );
            // A run that compared with a base and found nothing wrong keeps what the next
            // `--base` naming this tree needs (see `base`).
            let clean = !before.iter().chain(sink.iter()).any(|d| d.severity == Severity::Error);
            if let (Some(keeper), true, Some(current)) = (&keeper, clean, a.compiled.get().and_then(Option::as_ref)) {
                keeper.keep(current, &a.ruleset, &a.sources);
            }
            analysis.diagnostics = finish(sink, &analysis.deploy, &analysis.sources);
            None
        }
    };
    (analysis, kept)
}

/// The rules of the pipeline over every finding, then the report order.
fn finish(mut sink: Sink, deploy: &Deploy, sources: &Sources) -> Sink {
    crate::diagnostic::fold_consequences(&mut sink);
    scope::one_per_value(&mut sink);
    scope::merge(&mut sink, deploy);
    sources.sort(&mut sink);
    sink
}

/// The values `render { inject = ... }` writes, resolved: a ruleset field from the model, the
/// digest from the compiled ruleset. A source that cannot be had (the rules are incomplete) is
/// left out; the rules' own errors say why.
fn injections(project: &Project, ruleset: &Ruleset, compiled: Option<&Compiled>) -> Vec<deploy::Injected> {
    project
        .inject
        .iter()
        .filter_map(|i| {
            let value = match i.source.value.as_str() {
                "digest" => serde_json::Value::String(compiled?.digest.clone()),
                field => ruleset.field(field)?.0,
            };
            Some((i.path.value.clone(), value, i.source.span))
        })
        .collect()
}

/// The project file's settings alone (for `fmt`, which needs only `paths.rules`); a broken
/// one falls back to the defaults, and its diagnostics are left to `check`.
pub fn project(tree: &dyn Tree) -> Project {
    load::project(tree, &mut Sources::default(), &mut Sink::new(), &mut 0)
}

impl Analysis {
    pub fn errors(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.severity == Severity::Error).count()
    }

    /// 2 when some input could not be read, 1 when it is invalid (or has warnings and
    /// `deny_warnings`), else 0.
    pub fn exit_code(&self, deny_warnings: bool) -> u8 {
        crate::diagnostic::exit_status(&self.diagnostics, deny_warnings)
    }

    /// The compiled ruleset, when every field it needs is present. It is only *valid* when the
    /// errors that concern it are gone: callers check [`Analysis::errors`] (or an environment's
    /// blocking errors) first.
    pub fn compiled(&self) -> Option<&Compiled> {
        self.compiled.get_or_init(|| Compiled::of_ruleset(&self.ruleset)).as_ref()
    }

    /// Adds a diagnostic found after the analysis (by a writer, say), keeping report order.
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
        self.sources.sort(&mut self.diagnostics);
    }
}
