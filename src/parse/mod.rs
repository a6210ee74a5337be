//! Text to spanned trees: HCL through hcl-edit, lowered to literal-only data.

pub mod depth;
pub mod json;
pub mod lexer;
mod literal;
pub mod nesting;
pub mod strings;
pub(crate) mod unclosed;
pub mod yaml;
pub mod yaml11;
mod yaml_budget;

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
    sink.push(string_too_long(span, text.len(), max));
    true
}

/// `L010` for a string of `bytes` bytes at `span`.
pub(crate) fn string_too_long(span: Span, bytes: usize, max: usize) -> Diagnostic {
    let ceiling = Limits::CEILING.max_string_bytes as u64;
    Diagnostic::new(&STRING_TOO_LONG, span, format!("this string is {bytes} bytes, over the limit of {max} bytes"))
        .label("too long")
        .help(format!("shorten it{}", raise_hint("max_string_bytes", max as u64, ceiling)))
}

/// Parses one HCL file into literal blocks and attributes, under `limits` (`max_depth`,
/// `max_string_bytes`).
///
/// Returns `None` when the file is not valid HCL or nests too deeply (see [`nesting`], a scan
/// before the parser); non-literal values and strings over the limit are reported and left out.
pub fn hcl(file: FileId, text: &str, limits: &Limits, sink: &mut Sink) -> Option<Vec<Entry>> {
    hcl_fold(file, text, limits, sink, Vec::new, |entries, mut piece, _| entries.append(&mut piece))
}

/// How many bytes of a file hcl-edit parses at once, at least (a piece ends at the first
/// top-level line end after that). Its tree takes some 30 times the text it was parsed from,
/// every run of blank space and every comment copied into a string of its own: parsed whole,
/// a 5 MB rule file held 150 MiB of tree at the peak, for a moment.
pub(crate) const PIECE_BYTES: usize = 64 * 1024;

/// [`hcl`], handing the entries to `step` a piece of the file at a time (see [`PIECE_BYTES`]
/// and [`fold_bodies`]), each piece's syntax tree dropped before the next is parsed, so a large
/// file never has its whole tree in memory: `step` folds the pieces' entries, in file order,
/// into what `init` makes. The entries of all pieces are those of the whole file, and so are
/// the diagnostics (which `sink` receives at the end, so a restart takes them back).
///
/// A piece ends at a line end outside every bracket, string, heredoc and comment (from the one
/// tokenizer), so each holds whole top-level attributes and blocks; a valid file is then a run
/// of valid pieces. Returns `None` when the file is not valid HCL or nests too deeply.
pub fn hcl_fold<A>(
    file: FileId,
    text: &str,
    limits: &Limits,
    sink: &mut Sink,
    init: impl Fn() -> A,
    step: impl FnMut(&mut A, Vec<Entry>, &mut Sink),
) -> Option<A> {
    hcl_fold_in(file, text, limits, sink, PIECE_BYTES, init, step)
}

fn hcl_fold_in<A>(
    file: FileId,
    text: &str,
    limits: &Limits,
    sink: &mut Sink,
    piece_bytes: usize,
    init: impl Fn() -> A,
    mut step: impl FnMut(&mut A, Vec<Entry>, &mut Sink),
) -> Option<A> {
    let mut measure = strings::Measure::new(text, limits.max_string_bytes);
    if let Some(deep) = nesting::too_deep_measuring(text, limits.max_depth, &mut measure) {
        sink.push(deep.diagnostic(file));
        return None;
    }
    // A quoted string over the limit is found by the tokenizer and the file is not parsed:
    // hcl-edit would read the whole string before its length could be measured.
    let over = measure.finish();
    if !over.is_empty() {
        sink.extend(over.into_iter().map(|o| string_too_long(Span::new(file, o.at), o.bytes, limits.max_string_bytes)));
        return None;
    }
    // The pieces' diagnostics are kept with what they fold into, so a restart drops both.
    let folded = fold_bodies(
        text,
        piece_bytes,
        || (init(), Sink::new()),
        |(folded, found), body, offset| {
            let entries = literal::lower_at(literal::At { file, offset }, body, limits.max_string_bytes, found);
            step(folded, entries, found);
        },
    );
    match folded {
        Ok((folded, found)) => {
            sink.extend(found);
            Some(folded)
        }
        Err(err) => {
            sink.push(syntax_error(file, text, &err));
            None
        }
    }
}

/// Parses `text` with hcl-edit a piece at a time (see [`pieces`]), handing each piece's tree
/// and the offset of the piece in `text` to `step`, which folds them into what `init` makes;
/// each tree is dropped before the next piece is parsed.
///
/// When a piece does not parse, or assigns a top-level attribute an earlier piece assigned
/// (which hcl-edit refuses within one body), the fold starts again from `init` with the whole
/// text parsed as one: the error of a broken file is the parser's own, at the same place as
/// ever.
///
/// # Errors
///
/// The parser's error when `text` is not valid HCL.
pub(crate) fn fold_bodies<A>(
    text: &str,
    piece_bytes: usize,
    init: impl Fn() -> A,
    mut step: impl FnMut(&mut A, &hcl::edit::structure::Body, usize),
) -> Result<A, hcl::edit::parser::Error> {
    let mut folded = init();
    let mut keys = std::collections::HashSet::new();
    for piece in pieces(text, piece_bytes) {
        let Ok(body) = hcl::edit::parser::parse_body(&text[piece.clone()]) else {
            return whole(text, init, step);
        };
        if !body.attributes().all(|attr| keys.insert(attr.key.as_str().to_string())) {
            return whole(text, init, step);
        }
        step(&mut folded, &body, piece.start);
    }
    Ok(folded)
}

/// [`fold_bodies`] on the whole text at once.
fn whole<A>(
    text: &str,
    init: impl Fn() -> A,
    mut step: impl FnMut(&mut A, &hcl::edit::structure::Body, usize),
) -> Result<A, hcl::edit::parser::Error> {
    let body = hcl::edit::parser::parse_body(text)?;
    let mut folded = init();
    step(&mut folded, &body, 0);
    Ok(folded)
}

/// The pieces [`hcl_fold`] parses one at a time: byte ranges of `text`, in order, together the
/// whole text, each at least `size` bytes long (but the last) and ending just after a line end
/// in the file's own code, outside every bracket. Text of at most `size` bytes is one piece.
fn pieces(text: &str, size: usize) -> impl Iterator<Item = std::ops::Range<usize>> + '_ {
    let mut tokens = lexer::tokens(text).without_names();
    let (mut start, mut depth) = (0, 0usize);
    std::iter::from_fn(move || {
        if start >= text.len() {
            return None;
        }
        if text.len() - start > size {
            while let Some(token) = tokens.next() {
                // A bracket counts only in code: one in a template (`"${ {} }"`) is the
                // template's, and after it the tokenizer is still in the string.
                let code = tokens.at_top();
                match token.kind {
                    lexer::Kind::LBrace | lexer::Kind::LBracket | lexer::Kind::LParen if code => depth += 1,
                    lexer::Kind::RBrace | lexer::Kind::RBracket | lexer::Kind::RParen if code => {
                        depth = depth.saturating_sub(1);
                    }
                    lexer::Kind::Newline if code && depth == 0 && token.end - start >= size => {
                        let piece = start..token.end;
                        start = token.end;
                        return Some(piece);
                    }
                    _ => {}
                }
            }
        }
        let rest = start..text.len();
        start = text.len();
        Some(rest)
    })
}

/// `S001` for a file hcl-edit could not parse, at the cause when the tokenizer finds one.
fn syntax_error(file: FileId, text: &str, err: &hcl::edit::parser::Error) -> Diagnostic {
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
    match unclosed::hcl(text).filter(at_cause) {
        Some(cause) => related_unless_same(
            Diagnostic::new(&SYNTAX, Span::new(file, cause.at.clone()), cause.message()).label("opened here"),
            gave_up,
        )
        .help(cause.help()),
        None => Diagnostic::new(&SYNTAX, gave_up, message).label("here").help(hcl_help(raw)),
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Parses `text` with pieces of `size` bytes: its entries and diagnostics.
    fn parsed(text: &str, size: usize, limits: &Limits) -> (Option<Vec<Entry>>, Sink) {
        let mut sink = Sink::new();
        let entries = hcl_fold_in(FileId::new(3), text, limits, &mut sink, size, Vec::new, |all, mut piece, _| {
            all.append(&mut piece);
        });
        (entries, sink)
    }

    /// Files parsed in pieces as small as they come (a cut at every top-level line end) say
    /// exactly what they say parsed whole: the same entries at the same places, the same
    /// diagnostics, the same syntax errors.
    #[test]
    fn a_file_parsed_in_pieces_says_what_it_says_parsed_whole() {
        let files = [
            "a = 1\nb = \"two\"\n\nblock \"x\" {\n  c = [1, 2,\n    3]\n  d = { k = \"v\", \"q\" = 2 }\n}\n",
            "# comment\n/* block\n comment */\nx = 1 # trailing\n\n// more\ny {\n}\n",
            "h = <<EOT\nline one\n}\n]\nEOT\nafter = 2\n",
            "t = \"${ { a = 1 } }\"\nu = \"%{ if true }x%{ endif }\"\nv = 3\n",
            "a = 1\nb = 2\na = 3\n",
            "blk {\n  a = 1\n}\na = 1\nblk {\n  a = 2\n}\nb = 5\n",
            "a = 1\nb = {\n  c = 2\n\nd = 4\n",
            "a = 1\nb = 2 +\n  3\nc = 4\n",
            "a = 1\n}\nb = 2\n",
            "a = var.x\nb = 1 + 2\nc = \"${x}\"\nd = null\ne = \"0123456789abcdef\"\nf = [\"0123456789abcdef\"]\n",
            "a = 1",
            "x {\n  y = 1\n}",
            "",
            "\n\n\n",
            "a = \"unclosed\nb = 2\n",
            "a = (\n  1\n)\nb = 2\n",
            "a = 1\n\u{feff}b = 2\n",
            "label \"x\" \"y\" {\n  item \"z\" { weight = 1 }\n}\nnum = 1.50\nneg = -3\n",
        ];
        let limits = Limits { max_string_bytes: 12, ..Limits::DEFAULT };
        for text in files {
            let whole = parsed(text, usize::MAX, &limits);
            for size in [0, 1, 5, 9] {
                assert_eq!(parsed(text, size, &limits), whole, "{text:?} in pieces of {size}");
            }
        }
    }

    #[test]
    fn pieces_cover_the_text_and_end_at_top_level_line_ends() {
        let text = "a = 1\nb {\n  c = 2\n}\nd = [\n  1,\n]\ne = 3";
        let cuts: Vec<_> = pieces(text, 1).collect();
        let starts: Vec<usize> = cuts.iter().map(|r| r.start).collect();
        assert_eq!(cuts.first().map(|r| r.start), Some(0));
        assert_eq!(cuts.last().map(|r| r.end), Some(text.len()));
        assert!(cuts.windows(2).all(|w| w[0].end == w[1].start));
        assert_eq!(starts, [0, 6, 20, 33]);
        let whole: Vec<_> = pieces(text, text.len()).collect();
        assert_eq!((whole.len(), whole.first()), (1, Some(&(0..text.len()))));
        assert_eq!(pieces("", 1).count(), 0);
    }
}
