//! `rulesctl check [PATH...]`: validate the rules, values and every environment; write nothing.

use std::borrow::Cow;
use std::io::Write;

use crate::cli::{CheckArgs, Globals};
use crate::commands::Outcome;
use crate::diagnostic::Diagnostic;
use crate::error::Error;
use crate::pipeline::{analyze, Analysis, BaseTree};
use crate::report::{self, Extra, OutputFormat, Summary};
use crate::source::git::Snapshot;
use crate::source::{root, Tree, WorkTree};

/// # Errors
///
/// No repository, an unknown base revision, an unreadable or unmerged index.
pub fn run(args: CheckArgs, globals: &Globals) -> Result<Outcome, Error> {
    let root = root::find(globals.root.as_deref())?;
    let filters = root::relative_paths(&root, &args.paths)?;
    if args.watch {
        return watch(&root, &args, &filters, globals);
    }
    let tree: Box<dyn Tree> =
        if args.staged { Box::new(Snapshot::index(&root)?) } else { Box::new(WorkTree::new(root.clone())) };
    let base = args.base.as_deref().map(|rev| BaseTree::open(&root, rev)).transpose()?;
    let analysis = analyze(tree.as_ref(), base.as_ref().map(BaseTree::revision));
    let outcome = report(&analysis, &args, &filters, globals);
    // The process ends once the report is printed: freeing every file's text and model one
    // allocation at a time (most of them made on the parsing threads) was a tenth of `check`'s
    // time on 10,000 files, for memory the exit returns anyway.
    std::mem::forget(analysis);
    Ok(outcome)
}

/// The report of one analysis, filtered by PATH arguments.
fn report(analysis: &Analysis, args: &CheckArgs, filters: &[String], globals: &Globals) -> Outcome {
    // A filter narrows the report, never the verdict: an error anywhere still fails.
    let code = analysis.exit_code(args.deny_warnings);
    let sources = &analysis.sources;
    let shown: Cow<'_, [Diagnostic]> = if filters.is_empty() {
        Cow::Borrowed(&analysis.diagnostics)
    } else {
        let inside = |d: &&Diagnostic| root::matches(filters, &sources.get(d.primary.span.file).path);
        Cow::Owned(analysis.diagnostics.iter().filter(inside).cloned().collect())
    };
    let mut summary = Summary::of(&shown, analysis.files);
    summary.hidden = analysis.diagnostics.len() - shown.len();
    let text =
        report::render(globals.view().limited(&analysis.project.limits), &shown, sources, summary, &Extra::default());
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
        text.push_str(&report(analysis, args, filters, globals).stdout);
        let mut stdout = std::io::stdout().lock();
        closed = stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush()).is_err();
        !closed
    })?;
    Ok(Outcome { code: if closed { 2 } else { 0 }, ..Outcome::default() })
}
