//! `rulesctl check [PATH...]`: validate the rules, values and every environment; write nothing.

use std::borrow::Cow;
use std::io::Write;

use crate::cli::{CheckArgs, Globals};
use crate::commands::Outcome;
use serde_json::json;

use crate::diagnostic::{exit_status, Diagnostic};
use crate::error::Error;
use crate::pipeline::several::Joined;
use crate::pipeline::{analyze_for_report, Analysis, BaseTree};
use crate::report::{self, Extra, OutputFormat, Summary};
use crate::source::git::{self, Snapshot};
use crate::source::root::{Member, Scope};
use crate::source::{root, Limits, Sources, Tree, WorkTree};

/// # Errors
///
/// No repository, an unknown base revision, an unreadable or unmerged index.
pub fn run(args: CheckArgs, globals: &Globals) -> Result<Outcome, Error> {
    let anywhere = globals.root.is_none() && globals.projects.is_empty();
    if args.staged && anywhere && root::no_project_here()? {
        // The repository-wide pre-commit hook runs here: a repository without a project yet
        // must still be able to commit.
        let note = "rulesctl: no rulesctl project (rulesctl.hcl) in this folder or below; nothing staged to check\n";
        return Ok(Outcome { stderr: note.to_string(), ..Outcome::default() });
    }
    let root = match root::scope(globals.root.as_deref(), &globals.projects)? {
        Scope::One(root) => root,
        Scope::Many(members) => return several(&members, &args, globals),
    };
    let filters = root::relative_paths(&root, &args.paths)?;
    if args.watch {
        return watch(&root, &args, &filters, globals);
    }
    let tree: Box<dyn Tree> =
        if args.staged { Box::new(Snapshot::index(&root)?) } else { Box::new(WorkTree::new(root.clone())) };
    let base = args.base.as_deref().map(|rev| BaseTree::open(&root, rev)).transpose()?;
    let analysis = analyze_for_report(tree.as_ref(), base.as_ref().map(BaseTree::revision));
    let outcome = report_one(&analysis, &args, &filters, globals);
    // The process ends once the report is printed: freeing every file's text and model one
    // allocation at a time (most of them made on the parsing threads) was a tenth of `check`'s
    // time on 10,000 files, for memory the exit returns anyway.
    std::mem::forget(analysis);
    Ok(outcome)
}

/// Every project of a workspace, one combined report with paths from the working folder. With
/// `--staged`, only the projects whose files are staged, each read from the index; with `--base`,
/// each judged against its own folder in that revision.
fn several(members: &[Member], args: &CheckArgs, globals: &Globals) -> Result<Outcome, Error> {
    if args.watch {
        let names: Vec<&str> = members.iter().map(|m| m.shown.as_str()).collect();
        return Err(Error::Usage(format!(
            "--watch works on one project and {} are here ({}): choose one with --project DIR",
            names.len(),
            names.join(", ")
        )));
    }
    let filters = root::relative_paths(&root::working_dir()?, &args.paths)?;
    let mut joined = Joined::default();
    let mut checked = Vec::new();
    let mut unstaged = Vec::new();
    for member in members {
        if args.staged && !git::has_staged_changes(&member.dir)? {
            unstaged.push(member.shown.clone());
            continue;
        }
        let tree: Box<dyn Tree> = if args.staged {
            Box::new(Snapshot::index(&member.dir)?)
        } else {
            Box::new(WorkTree::new(member.dir.clone()))
        };
        let base = args.base.as_deref().map(|rev| BaseTree::open(&member.dir, rev)).transpose()?;
        let analysis = analyze_for_report(tree.as_ref(), base.as_ref().map(BaseTree::revision));
        joined.add_analysis(&member.prefix(), args.base.as_deref(), &analysis);
        checked.push(member.shown.clone());
    }
    let joined = joined.finish();
    let mut extra = Extra::default();
    extra.lines.push(format!("projects: {}", if checked.is_empty() { "none".to_string() } else { checked.join(", ") }));
    if !unstaged.is_empty() {
        extra.lines.push(format!("nothing staged, not checked: {}", unstaged.join(", ")));
    }
    extra.json.push(("projects", json!(checked)));
    if args.staged {
        extra.json.push(("unstaged", json!(unstaged)));
    }
    let limits = joined.limits();
    Ok(report(&joined.diagnostics, &joined.sources, joined.files, &limits, &extra, args, &filters, globals))
}

/// The report of one analysis, filtered by PATH arguments.
fn report_one(analysis: &Analysis, args: &CheckArgs, filters: &[String], globals: &Globals) -> Outcome {
    let limits = &analysis.project.limits;
    report(&analysis.diagnostics, &analysis.sources, analysis.files, limits, &Extra::default(), args, filters, globals)
}

/// The report of some diagnostics, filtered by PATH arguments.
#[allow(clippy::too_many_arguments)]
fn report(
    diagnostics: &[Diagnostic],
    sources: &Sources,
    files: usize,
    limits: &Limits,
    extra: &Extra,
    args: &CheckArgs,
    filters: &[String],
    globals: &Globals,
) -> Outcome {
    // A filter narrows the report, never the verdict: an error anywhere still fails.
    let code = exit_status(diagnostics, args.deny_warnings);
    let shown: Cow<'_, [Diagnostic]> = if filters.is_empty() {
        Cow::Borrowed(diagnostics)
    } else {
        let inside = |d: &&Diagnostic| root::matches(filters, &sources.get(d.primary.span.file).path);
        Cow::Owned(diagnostics.iter().filter(inside).cloned().collect())
    };
    let mut summary = Summary::of(&shown, files);
    summary.hidden = diagnostics.len() - shown.len();
    let text = report::render(globals.view().limited(limits), &shown, sources, summary, extra);
    Outcome::text(text, code)
}

/// `--watch`: a report now, then a header naming what changed and a fresh report after every
/// change, printed as they come; Ctrl-C ends it with status 0 (2 when stdout went away).
fn watch(root: &std::path::Path, args: &CheckArgs, filters: &[String], globals: &Globals) -> Result<Outcome, Error> {
    let mut closed = false;
    crate::watch::run(root, |analysis, changed| {
        let mut text = String::new();
        // The header is for people; machine formats print one report after another.
        if !changed.is_empty() && matches!(globals.format, OutputFormat::Human { .. }) {
            let mut names = changed.iter().take(3).cloned().collect::<Vec<_>>().join(", ");
            if changed.len() > 3 {
                names.push_str(&format!(" and {} more", changed.len() - 3));
            }
            text.push_str(&format!("\n--- re-checked after changes to {names} ---\n"));
        }
        text.push_str(&report_one(analysis, args, filters, globals).stdout);
        let mut stdout = std::io::stdout().lock();
        closed = stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush()).is_err();
        !closed
    })?;
    Ok(Outcome { code: if closed { 2 } else { 0 }, ..Outcome::default() })
}
