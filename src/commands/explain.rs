//! `rulesctl explain [CODE]`: what a code means and how to fix it.

use crate::cli::ExplainArgs;
use crate::codes;
use crate::commands::Outcome;
use crate::error::Error;

/// The explanation of one code, or the list of all codes.
///
/// # Errors
///
/// A usage error naming the closest code when the code is unknown.
pub fn run(args: ExplainArgs) -> Result<Outcome, Error> {
    let Some(query) = args.code else {
        let mut out = String::new();
        for code in codes::all() {
            out.push_str(&format!(
                "{:<5} {:<30} {:<8} {}\n",
                code.id,
                code.name,
                code.severity.as_str(),
                code.summary()
            ));
        }
        return Ok(Outcome::text(out, 0));
    };
    match codes::find(&query) {
        Some(code) => Ok(Outcome::text(
            format!("{} {} ({})\n\n{}", code.id, code.name, code.severity.as_str(), code.explanation()),
            0,
        )),
        None => {
            // A code's id or its name, whichever the query is closer to: `X0001` → `X001`.
            let all = codes::all();
            let words = all.iter().flat_map(|c| [c.id, c.name]);
            let hint = match crate::model::decode::close_match(&query, words) {
                Some(close) => format!("did you mean `{close}`? "),
                None => String::new(),
            };
            Err(Error::Usage(format!(
                "unknown diagnostic code `{query}`: {hint}run `rulesctl explain` to list every code"
            )))
        }
    }
}
