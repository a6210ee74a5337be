//! `rulesctl check [PATH...]`: validate the rules, values and every environment; write nothing.

use std::path::PathBuf;

use crate::commands::{Globals, Outcome};
use crate::error::Error;
use crate::pipeline::{analyze, BaseTree};
use crate::report::{self, Extra, Summary};
use crate::source::git::Snapshot;
use crate::source::{root, Tree, WorkTree};

#[derive(Debug)]
pub struct Args {
    /// Warnings fail too.
    pub deny_warnings: bool,
    /// Check the git index instead of the working tree.
    pub staged: bool,
    /// `--base REV`: also judge the version bump against REV.
    pub base: Option<String>,
    /// Report only diagnostics in these files or folders (everything is always checked).
    pub paths: Vec<PathBuf>,
}

/// # Errors
///
/// No repository, an unknown base revision, an unreadable or unmerged index.
pub fn run(args: Args, globals: &Globals) -> Result<Outcome, Error> {
    let root = root::find(globals.root.as_deref())?;
    let filters = root::relative_paths(&root, &args.paths)?;
    let tree: Box<dyn Tree> =
        if args.staged { Box::new(Snapshot::index(&root)?) } else { Box::new(WorkTree { root: root.clone() }) };
    let base = args.base.as_deref().map(|rev| BaseTree::open(&root, rev)).transpose()?;
    let mut analysis = analyze(tree.as_ref(), base.as_ref().map(BaseTree::revision));
    // A filter narrows the report, never the verdict: an error anywhere still fails.
    let code = analysis.exit_code(args.deny_warnings);
    let before = analysis.diagnostics.len();
    if !filters.is_empty() {
        let sources = &analysis.sources;
        analysis.diagnostics.retain(|d| root::matches(&filters, &sources.get(d.primary.span.file).path));
    }
    let mut summary = Summary::of(&analysis.diagnostics, analysis.files);
    summary.hidden = before - analysis.diagnostics.len();
    let text = report::render(globals.view(), &analysis.diagnostics, &analysis.sources, summary, &Extra::default());
    Ok(Outcome::text(text, code))
}
