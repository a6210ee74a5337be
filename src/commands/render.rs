//! `rulesctl render --env ENV`: one environment's rendered values on stdout; the report, when
//! there is one, on stderr.

use crate::cli::{Globals, RenderArgs};
use crate::commands::Outcome;
use crate::error::Error;
use crate::pipeline::{analyze, RenderError};
use crate::report::Extra;
use crate::source::{root, WorkTree};

/// # Errors
///
/// No repository, or no such environment.
pub fn run(args: RenderArgs, globals: &Globals) -> Result<Outcome, Error> {
    let root = root::scope(globals.root.as_deref(), &globals.projects)?.one("render")?;
    let mut analysis = analyze(&WorkTree::new(root), None);
    let rendered = analysis.render(&args.env);
    analysis.keep_concerning(&args.env);
    match rendered {
        Ok(text) => Ok(Outcome::text(text, 0)),
        Err(RenderError::Unknown(message)) => Err(Error::Usage(message)),
        // stdout carries only values; the report, of what blocks this environment, on stderr.
        Err(RenderError::Blocked) => Ok(Outcome::report(
            globals.view().limited(&analysis.project.limits),
            &analysis.diagnostics,
            &analysis.sources,
            analysis.files,
            &Extra::default(),
            1,
        )
        .on_stderr()),
    }
}
