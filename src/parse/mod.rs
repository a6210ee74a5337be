//! Text to spanned trees: HCL through hcl-edit, lowered to literal-only data.

pub mod depth;
pub mod json;
pub mod lexer;
mod literal;
pub mod nesting;
pub(crate) mod unclosed;
pub mod yaml;
pub mod yaml11;

pub use literal::{lower, Block, Entry, Num, Value, NON_LITERAL};

use crate::diagnostic::declare_code;
use crate::diagnostic::{Diagnostic, Sink};
use crate::diagnostic::{FileId, Span};
use crate::source::limits::raise_hint;
use crate::source::Limits;

/// The codes this layer declares: syntax, for HCL and YAML.
pub static CODES: &[&crate::diagnostic::Code] = &[
    &SYNTAX,
    &TOO_DEEP,
    &STRING_TOO_LONG,
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
    /// quote, an attribute defined twice in the same block, or nesting deeper than 64 levels
    /// (parentheses, objects, `for` expressions, indexes and `${ }` / `%{ }` templates, which
    /// rules never need many of: deeper than 4).
    ///
    /// Fix: correct the syntax at the position shown; `rulesctl fmt` only runs on valid files.
    pub static SYNTAX = ("S001", "syntax-error", Error);
}

declare_code! {
    /// The HCL nests too deeply.
    ///
    /// A rule file nests a few levels (`loot_table "x" { item "y" { ... } }`, an array in an
    /// attribute). Every `{`, `[` and `(` counts, blocks and values alike; nesting deeper than
    /// `limits { max_depth = N }` (64 unless set lower; 64 is also as deep as the HCL parser
    /// itself goes) is refused before the file is parsed, so a hostile file cannot exhaust the
    /// stack or memory. The diagnostic points at the bracket that went one level too deep.
    ///
    /// Fix: flatten the structure; when `max_depth` is set below 64, raise it.
    pub static TOO_DEEP = ("S002", "hcl-too-deep", Error);
}

declare_code! {
    /// A string is longer than the limit.
    ///
    /// One HCL string (a value, a label or an object key) or one YAML scalar (a key or a value)
    /// holds at most `limits { max_string_bytes = N }` bytes, 1 MiB unless set. A runaway
    /// string is almost always a generated file gone wrong, and every string is matched against
    /// the patterns of the values schema, so its length costs time on every check.
    ///
    /// Fix: shorten the string (keep large data out of the values and rules), or raise
    /// `limits { max_string_bytes = N }` in rulesctl.hcl.
    pub static STRING_TOO_LONG = ("L010", "string-too-long", Error);
}

/// `L010` when `text` is longer than `max` bytes; returns whether it was.
pub fn too_long(span: Span, text: &str, max: usize, sink: &mut Sink) -> bool {
    if text.len() <= max {
        return false;
    }
    let ceiling = Limits::CEILING.max_string_bytes as u64;
    sink.push(
        Diagnostic::new(
            &STRING_TOO_LONG,
            span,
            format!("this string is {} bytes, over the limit of {max} bytes", text.len()),
        )
        .label("too long")
        .help(format!("shorten it{}", raise_hint("max_string_bytes", max as u64, ceiling))),
    );
    true
}

/// Parses one HCL file into literal blocks and attributes, under `limits` (`max_depth`,
/// `max_string_bytes`).
///
/// Returns `None` when the file is not valid HCL or nests too deeply (see [`nesting`], a scan
/// before the parser); non-literal values and strings over the limit are reported and left out.
pub fn hcl(file: FileId, text: &str, limits: &Limits, sink: &mut Sink) -> Option<Vec<Entry>> {
    if let Some(deep) = nesting::too_deep(text, limits.max_depth) {
        sink.push(deep.diagnostic(file));
        return None;
    }
    match hcl::edit::parser::parse_body(text) {
        Ok(body) => Some(lower(file, &body, limits.max_string_bytes, sink)),
        Err(err) => {
            let gave_up = Span::new(file, in_file(text, err.location().offset()));
            let raw = err.message();
            let message = match raw.strip_prefix("invalid ").and_then(|m| m.split_once("; ")) {
                Some((what, expected)) => format!("syntax error in {what}: {expected}"),
                None => format!("syntax error: {raw}"),
            };
            // The parser may give up before the opener, at the start of the line it could not
            // read; an opener on that line, or before where it gave up, is the cause.
            // `in_file` returns a character's range, so `gave_up.start` is a boundary.
            let line_start = text[..gave_up.start as usize].rfind('\n').map_or(0, |i| i + 1);
            let line_end = text[line_start..].find('\n').map_or(text.len(), |i| line_start + i);
            let at_cause = |u: &unclosed::Unclosed| u.at.start <= err.location().offset() || u.at.start < line_end;
            let diagnostic = match unclosed::hcl(text).filter(at_cause) {
                Some(cause) => related_unless_same(
                    Diagnostic::new(&SYNTAX, Span::new(file, cause.at.clone()), cause.message()).label("opened here"),
                    gave_up,
                )
                .help(cause.help()),
                None => Diagnostic::new(&SYNTAX, gave_up, message).label("here").help(hcl_help(raw)),
            };
            sink.push(diagnostic);
            None
        }
    }
}

/// The one character at byte `offset`, moved inside the file: an offset at or past the end (or
/// in trailing blank space) points at the last character that is not whitespace, so a caret can
/// always be drawn.
pub fn in_file(text: &str, offset: usize) -> std::ops::Range<usize> {
    let content_end = text.trim_end().len();
    let at = if offset >= content_end {
        text[..content_end].char_indices().next_back().map_or(0, |(i, _)| i)
    } else {
        (0..=offset).rev().find(|i| text.is_char_boundary(*i)).unwrap_or(0)
    };
    let end = text[at..].chars().next().map_or(at, |c| at + c.len_utf8());
    at..end
}

/// What to write, from hcl-edit's "expected ..." message.
fn hcl_help(raw: &str) -> String {
    if raw.contains("escape sequence") {
        return "after `\\`, write one of `n`, `r`, `t`, `\\`, `\"`, `uXXXX` or `UXXXXXXXX`; for a backslash itself write `\\\\`"
            .to_string();
    }
    if raw.contains("unexpected token") {
        return "a line starts with an attribute (`name = value`) or a block (`name { ... }`); remove or quote what is here"
            .to_string();
    }
    match raw.split_once("expected ") {
        Some((_, "newline or eof")) => "end the line here: each attribute and block goes on its own line".to_string(),
        Some((_, expected)) => format!("write {expected} here"),
        None => "write an attribute (`name = value`) or a block (`name { ... }`) here".to_string(),
    }
}

/// Adds where the parser gave up as a related place, unless it is the primary place itself.
pub(crate) fn related_unless_same(diagnostic: Diagnostic, gave_up: Span) -> Diagnostic {
    if diagnostic.primary.span == gave_up {
        diagnostic
    } else {
        diagnostic.related(gave_up, "the parser gave up here")
    }
}
