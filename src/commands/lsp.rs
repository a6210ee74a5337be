//! `rulesctl lsp`: the language server over stdio. It writes the protocol to stdout itself, so
//! its [`Outcome`] carries only the exit status.

use crate::cli::Globals;
use crate::commands::Outcome;
use crate::error::Error;

/// # Errors
///
/// None: a server that cannot go on (its client gone) exits with status 1, as the protocol asks
/// of an exit without `shutdown`.
pub fn run(globals: &Globals) -> Result<Outcome, Error> {
    let code = crate::lsp::serve(globals.root.clone());
    Ok(Outcome { code, ..Outcome::default() })
}
