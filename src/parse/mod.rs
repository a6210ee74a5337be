//! Text to spanned trees: HCL through hcl-edit, lowered to literal-only data.

mod literal;
pub mod yaml;

pub use literal::{lower, Block, Entry, Num, Value, NON_LITERAL};

use crate::declare_code;
use crate::diagnostic::{Diagnostic, Sink};
use crate::source::{FileId, Span};

/// The codes this layer declares: syntax, for HCL and YAML.
pub static CODES: &[&crate::diagnostic::Code] = &[
    &SYNTAX,
    &NON_LITERAL,
    &yaml::SYNTAX,
    &yaml::DUPLICATE_KEY,
    &yaml::ALIAS_LIMIT,
    &yaml::TOO_DEEP,
    &yaml::YAML11_AMBIGUOUS,
    &yaml::NOT_A_MAPPING,
];

declare_code! {
    /// The file is not valid HCL.
    ///
    /// The parser stopped at the position shown. Common causes: a missing closing brace or
    /// quote, an attribute defined twice in the same block, or nesting deeper than 64 levels.
    ///
    /// Fix: correct the syntax at the position shown; `rulesctl fmt` only runs on valid files.
    pub static SYNTAX = ("S001", "syntax-error", Error);
}

/// Parses one HCL file into literal blocks and attributes.
///
/// Returns `None` when the file is not valid HCL; non-literal values are reported and left out.
pub fn hcl(file: FileId, text: &str, sink: &mut Sink) -> Option<Vec<Entry>> {
    match hcl::edit::parser::parse_body(text) {
        Ok(body) => Some(lower(file, &body, sink)),
        Err(err) => {
            let at = err.location().offset().min(text.len());
            let end = text[at..].chars().next().map_or(at, |c| at + c.len_utf8());
            let raw = err.message();
            let message = match raw.strip_prefix("invalid ").and_then(|m| m.split_once("; ")) {
                Some((what, expected)) => format!("syntax error in {what}: {expected}"),
                None => format!("syntax error: {raw}"),
            };
            sink.push(
                Diagnostic::new(&SYNTAX, Span::new(file, at..end), message)
                    .label("here")
                    .help("fix the HCL syntax at this position"),
            );
            None
        }
    }
}
