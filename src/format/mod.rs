//! Canonical HCL layout, the way `terraform fmt` lays files out, with every comment kept.
//!
//! `hcl::format` drops comments and re-encodes strings, so this works on the source text
//! instead, the way terraform's own formatter (`hclwrite`) works on tokens. hcl-edit parses the
//! file, and its spans mark the *atoms*: keys, block types and labels, and every value that is
//! not an array or an object (strings with their escapes, numbers, heredocs, and any expression
//! outside the dialect). An atom is copied byte for byte. What lies between atoms is lexed into
//! brackets, `=`, `:`, `,`, comments and newlines, and only the whitespace around those is
//! rewritten. Newlines are kept, apart from blank lines; nothing but whitespace ever changes.
//!
//! The layout (the README's fmt section lists the same decisions for users):
//! - two spaces per open bracket (`{`, `[`) on the lines before, a line's own leading closers
//!   taken off first, so `}, {` sits at its bracket's level;
//! - one space around `=` and `:`, after `,`, and inside braces (`{ a = 1 }`); none inside
//!   square brackets (`[1, 2]`), none before `,`, and `{}` when a pair of braces holds nothing;
//! - `=` aligned in a run of adjacent lines that each assign a whole value on that line, and
//!   trailing comments aligned in a run of adjacent lines that each end in one; a blank line,
//!   or a line that does not fit, ends the run (widths count characters);
//! - at most one blank line in a row, none at the start or end of the file, none after an
//!   opening bracket that ends a line or before a closing one that starts it;
//! - one blank line between a top-level block and the item before or after it (placed above
//!   the comment lines that lead into the item);
//! - no trailing spaces, one final newline.
//!
//! Atoms and `/* */` comments are never changed inside, even when they span lines (heredocs,
//! multi-line comments, multi-line expressions outside the dialect); only their first line is
//! indented. A line holding a multi-line atom ends both alignment runs.

use std::ops::Range;

use hcl::edit::expr::Expression;
use hcl::edit::structure::{Body, Structure};
use hcl::edit::Span;

use crate::diagnostic::declare_code;
use crate::parse::lexer;
use crate::parse::nesting::{too_deep, TooDeep};
use crate::source::Limits;

declare_code! {
    /// `rulesctl fmt` refused to rewrite a file: its layout would change more than whitespace.
    ///
    /// Formatting only moves whitespace: before writing, fmt compares every non-whitespace
    /// character of its output with the input, and refuses when they differ. Reaching this means
    /// the formatter met a construct it does not lay out faithfully; the file was left as it was.
    ///
    /// Fix: nothing in the file is wrong. Keep the file as it is, and report it with the file so
    /// the formatter can be fixed.
    pub static REFUSED = ("F001", "fmt-refused", Error);
}

/// The codes this module declares.
pub static CODES: &[&crate::diagnostic::Code] = &[&REFUSED];

/// Why a file was not formatted.
pub enum Error {
    /// Not valid HCL: the parser's error.
    Syntax(hcl::edit::parser::Error),
    /// Expressions nested too deep to hand to the parser (a syntax error, see
    /// [`crate::parse::nesting`]).
    TooDeep(TooDeep),
    /// Formatting would have changed more than whitespace (a bug in rulesctl; nothing written).
    WouldChangeText,
}

/// Formats HCL source.
///
/// # Errors
///
/// [`Error::Syntax`] when `text` is not valid HCL, [`Error::TooDeep`] when its expressions nest
/// too deep to parse; [`Error::WouldChangeText`] when the result would differ from `text` in
/// anything but whitespace, which layout must never do.
pub fn format(text: &str) -> Result<String, Error> {
    if let Some(deep) = too_deep(text, Limits::CEILING.max_depth) {
        return Err(Error::TooDeep(deep));
    }
    let spans = spans_of(text).map_err(Error::Syntax)?.ok_or(Error::WouldChangeText)?;
    let formatted = layout(text, &spans).ok_or(Error::WouldChangeText)?;
    drop(spans);
    if !only_whitespace_differs(text, &formatted) || !same_atoms(text, &formatted) {
        return Err(Error::WouldChangeText);
    }
    Ok(formatted)
}

/// The safety net: whether `after` holds exactly the non-whitespace characters of `before`, in
/// the same order. Formatting may move whitespace and nothing else.
pub fn only_whitespace_differs(before: &str, after: &str) -> bool {
    // Compared as they are read: collected, a 5 MB file's characters took 40 MB.
    fn visible_chars(s: &str) -> impl Iterator<Item = char> + '_ {
        s.chars().filter(|c| !c.is_whitespace())
    }
    visible_chars(before).eq(visible_chars(after))
}

/// The stronger half of the net: the output parses, and every atom (strings with their inner
/// spaces, heredocs) is byte for byte the one it was.
fn same_atoms(before: &str, after: &str) -> bool {
    match (spans_of(before), spans_of(after)) {
        (Ok(Some(a)), Ok(Some(b))) => {
            let same = |(a, b): (Range<usize>, Range<usize>)| matches!((before.get(a), after.get(b)), (Some(x), Some(y)) if x == y);
            a.atoms.len() == b.atoms.len() && a.atoms.into_iter().zip(b.atoms).all(same)
        }
        _ => false,
    }
}

/// The atoms and top-level items of `text`, from hcl-edit's spans; `None` when a node has no
/// span. The file is parsed a piece at a time ([`crate::parse::fold_bodies`]): its whole tree
/// would take some 30 times the text, where the spans take a few bytes per atom.
///
/// # Errors
///
/// The parser's error when `text` is not valid HCL.
fn spans_of(text: &str) -> Result<Option<Spans>, hcl::edit::parser::Error> {
    let step = |spans: &mut Option<Spans>, body: &Body, offset: usize| {
        if let Some(all) = spans {
            all.offset = offset;
            if all.body(body, true).is_none() {
                *spans = None;
            }
        }
    };
    crate::parse::fold_bodies(text, crate::parse::PIECE_BYTES, || Some(Spans::default()), step)
}

fn layout(text: &str, spans: &Spans) -> Option<String> {
    let tokens = lex(text, &spans.atoms)?;
    let mut lines = split_lines(tokens);
    blank_lines(&mut lines, &spans.top);
    Some(render(&lines))
}

/// The atoms of a file in source order, and where each top-level item starts.
#[derive(Default)]
struct Spans {
    atoms: Vec<Range<usize>>,
    /// (start offset, is a block) of each top-level structure.
    top: Vec<(usize, bool)>,
    /// Where the piece of the file being walked starts: the parser's spans are relative to it.
    offset: usize,
}

impl Spans {
    fn atom(&mut self, span: Option<Range<usize>>) -> Option<()> {
        let span = span?;
        self.atoms.push(span.start + self.offset..span.end + self.offset);
        Some(())
    }

    fn body(&mut self, body: &Body, top: bool) -> Option<()> {
        for structure in body.iter() {
            if top {
                self.top.push((structure.span()?.start + self.offset, structure.is_block()));
            }
            match structure {
                Structure::Attribute(attr) => {
                    self.atom(attr.key.span())?;
                    self.expr(&attr.value)?;
                }
                Structure::Block(block) => {
                    self.atom(block.ident.span())?;
                    for label in &block.labels {
                        self.atom(label.span())?;
                    }
                    self.body(&block.body, false)?;
                }
            }
        }
        Some(())
    }

    fn expr(&mut self, expr: &Expression) -> Option<()> {
        match expr {
            Expression::Array(array) => array.iter().try_for_each(|e| self.expr(e)),
            Expression::Object(object) => object.iter().try_for_each(|(key, value)| {
                self.atom(key.span())?;
                self.expr(value.expr())
            }),
            other => self.atom(other.span()),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A key, label or value, copied as it is.
    Atom,
    Open(char),
    Close(char),
    Equals,
    Colon,
    Comma,
    /// `#` or `//` up to the end of its line, trailing spaces dropped.
    LineComment,
    /// `/* */`, copied as it is.
    BlockComment,
    Newline,
}

#[derive(Debug, Clone, Copy)]
struct Token<'a> {
    kind: Kind,
    text: &'a str,
    start: usize,
}

impl Token<'_> {
    fn is_comment(&self) -> bool {
        matches!(self.kind, Kind::LineComment | Kind::BlockComment)
    }

    fn is_multiline(&self) -> bool {
        self.text.contains('\n')
    }
}

/// Splits `text` into tokens: the atoms at their spans, and what lies between them (each gap
/// read by the tokenizer, [`crate::parse::lexer`], on its own, as code) as punctuation, comments
/// and newlines. `None` when something between atoms is none of those, or the spans do not
/// follow each other: the formatter then refuses rather than guess.
fn lex<'a>(text: &'a str, atoms: &[Range<usize>]) -> Option<Vec<Token<'a>>> {
    let mut atoms = atoms.to_vec();
    atoms.sort_by_key(|r| r.start);
    let mut tokens = Vec::new();
    let mut pos = 0;
    let mut next = atoms.iter();
    loop {
        let atom = next.next();
        let limit = atom.map_or(text.len(), |a| a.start);
        let gap = text.get(pos..limit)?;
        for token in lexer::tokens(gap) {
            let source = token.text(gap);
            let (kind, source) = match token.kind {
                lexer::Kind::Newline => (Kind::Newline, source),
                lexer::Kind::LineComment => (Kind::LineComment, source.trim_end()),
                lexer::Kind::BlockComment => (Kind::BlockComment, source),
                lexer::Kind::LBrace => (Kind::Open('{'), source),
                lexer::Kind::LBracket => (Kind::Open('['), source),
                lexer::Kind::RBrace => (Kind::Close('}'), source),
                lexer::Kind::RBracket => (Kind::Close(']'), source),
                lexer::Kind::Equals => (Kind::Equals, source),
                lexer::Kind::Punct if source == ":" => (Kind::Colon, source),
                lexer::Kind::Punct if source == "," => (Kind::Comma, source),
                _ => return None,
            };
            tokens.push(Token { kind, text: source, start: pos + token.start });
        }
        let Some(atom) = atom else { return Some(tokens) };
        if atom.end <= atom.start || atom.end > text.len() {
            return None;
        }
        tokens.push(Token { kind: Kind::Atom, text: text.get(atom.clone())?, start: atom.start });
        pos = atom.end;
    }
}

/// One line of output: its tokens (never empty) and whether a blank line comes before it.
struct Line<'a> {
    tokens: Vec<Token<'a>>,
    blank_before: bool,
}

impl Line<'_> {
    fn start(&self) -> usize {
        self.tokens[0].start
    }

    fn comment_only(&self) -> bool {
        self.tokens.iter().all(Token::is_comment)
    }

    fn ends_with_opener(&self) -> bool {
        self.tokens.iter().rev().find(|t| !t.is_comment()).is_some_and(|t| matches!(t.kind, Kind::Open(_)))
    }

    fn starts_with_closer(&self) -> bool {
        matches!(self.tokens[0].kind, Kind::Close(_))
    }
}

fn split_lines(tokens: Vec<Token<'_>>) -> Vec<Line<'_>> {
    let mut lines: Vec<Line<'_>> = Vec::new();
    let mut newlines = 0;
    for token in tokens {
        if token.kind == Kind::Newline {
            newlines += 1;
            continue;
        }
        match lines.last_mut() {
            Some(line) if newlines == 0 => line.tokens.push(token),
            // One newline ends a line; more make a blank line before the next.
            _ => lines.push(Line { tokens: vec![token], blank_before: newlines > 1 }),
        }
        newlines = 0;
    }
    lines
}

/// Applies the blank-line rules; `top` lists where each top-level item starts.
fn blank_lines(lines: &mut [Line<'_>], top: &[(usize, bool)]) {
    for i in 0..lines.len() {
        if i == 0 || lines[i - 1].ends_with_opener() || lines[i].starts_with_closer() {
            lines[i].blank_before = false;
        }
    }
    let starts: Vec<usize> = lines.iter().map(Line::start).collect();
    for pair in top.windows(2) {
        let ((_, before_is_block), (start, is_block)) = (pair[0], pair[1]);
        if !(is_block || before_is_block) {
            continue;
        }
        let mut at = starts.partition_point(|&s| s <= start).saturating_sub(1);
        while at > 0 && !lines[at].blank_before && lines[at - 1].comment_only() {
            at -= 1;
        }
        if at > 0 {
            lines[at].blank_before = true;
        }
    }
}

/// The space between two tokens on one line.
fn gap(a: Kind, b: Kind) -> &'static str {
    match (a, b) {
        (_, Kind::Comma) | (Kind::Open('{'), Kind::Close('}')) | (Kind::Open('['), _) | (_, Kind::Close(']')) => "",
        _ => " ",
    }
}

fn join(tokens: &[Token<'_>]) -> String {
    let mut out = String::new();
    for (i, token) in tokens.iter().enumerate() {
        if i > 0 {
            out.push_str(gap(tokens[i - 1].kind, token.kind));
        }
        out.push_str(token.text);
    }
    out
}

/// A line cut into the cells that align with the lines around it.
struct Cells {
    indent: usize,
    /// Everything before the `=` (or the whole line when it assigns nothing).
    lead: String,
    /// From the `=` to the end of the value, when the line assigns a whole value.
    assign: Option<String>,
    /// A trailing comment after something else.
    comment: Option<String>,
    /// A token spans lines: the line takes part in no alignment.
    multiline: bool,
}

fn cells(line: &Line<'_>, indent: usize) -> Cells {
    let tokens = &line.tokens[..];
    let multiline = tokens.iter().any(Token::is_multiline);
    let (body, comment) = match tokens.split_last() {
        Some((last, rest)) if !rest.is_empty() && last.is_comment() && !multiline => {
            (rest, Some(last.text.to_string()))
        }
        _ => (tokens, None),
    };
    let equals = body.iter().skip(1).position(|t| t.kind == Kind::Equals).map(|i| i + 1);
    let split = equals.filter(|&i| !multiline && net_brackets(&body[i..]) == 0);
    let (lead, assign) = match split {
        Some(i) => (join(&body[..i]), Some(join(&body[i..]))),
        None => (join(body), None),
    };
    Cells { indent, lead, assign, comment, multiline }
}

fn net_brackets(tokens: &[Token<'_>]) -> isize {
    tokens
        .iter()
        .map(|t| match t.kind {
            Kind::Open(_) => 1,
            Kind::Close(_) => -1,
            _ => 0,
        })
        .sum()
}

/// The indent level of each line: the brackets still open before it, less those the line
/// starts by closing. Brackets opened together on one line count as one level, as in
/// terraform (`[[`, `= [{`).
fn indents(lines: &[Line<'_>]) -> Vec<usize> {
    fn close(stack: &mut Vec<isize>, mut n: isize) {
        while n > 0 {
            let Some(top) = stack.last_mut() else { return };
            if n >= *top {
                n -= *top;
                stack.pop();
            } else {
                *top -= n;
                n = 0;
            }
        }
    }
    let mut stack: Vec<isize> = Vec::new();
    lines
        .iter()
        .map(|line| {
            let leading = line.tokens.iter().take_while(|t| matches!(t.kind, Kind::Close(_))).count();
            close(&mut stack, leading.try_into().unwrap_or(isize::MAX));
            let indent = stack.len();
            let net = net_brackets(&line.tokens[leading..]);
            if net > 0 {
                stack.push(net);
            } else {
                close(&mut stack, -net);
            }
            indent
        })
        .collect()
}

fn width(s: &str) -> usize {
    s.chars().count()
}

fn render(lines: &[Line<'_>]) -> String {
    let mut rows: Vec<Cells> = lines.iter().zip(indents(lines)).map(|(line, indent)| cells(line, indent)).collect();
    let breaks: Vec<bool> = lines.iter().map(|l| l.blank_before).collect();
    // `=` first: where it lands moves the comments.
    let lead_width = |c: &Cells| c.indent * 2 + width(&c.lead);
    let pads = align(&rows, &breaks, |c| c.assign.is_some() && !c.multiline, lead_width);
    for (row, pad) in rows.iter_mut().zip(pads) {
        if let Some(assign) = row.assign.take() {
            row.lead = format!("{}{}{assign}", row.lead, " ".repeat(pad));
        }
    }
    let pads = align(&rows, &breaks, |c| c.comment.is_some(), lead_width);
    let mut out = String::new();
    for ((row, pad), blank) in rows.iter().zip(pads).zip(breaks) {
        if blank {
            out.push('\n');
        }
        out.push_str(&"  ".repeat(row.indent));
        out.push_str(&row.lead);
        if let Some(comment) = &row.comment {
            out.push_str(&" ".repeat(pad));
            out.push_str(comment);
        }
        out.push('\n');
    }
    out
}

/// For runs of adjacent rows that `takes_part`, the spaces after each row's `width` that line
/// the next cell up one column after the widest; 1 elsewhere.
fn align(
    rows: &[Cells],
    breaks: &[bool],
    takes_part: impl Fn(&Cells) -> bool,
    width: impl Fn(&Cells) -> usize,
) -> Vec<usize> {
    let mut pads = vec![1; rows.len()];
    let mut start = 0;
    while start < rows.len() {
        if !takes_part(&rows[start]) {
            start += 1;
            continue;
        }
        let mut end = start + 1;
        while end < rows.len() && takes_part(&rows[end]) && !breaks[end] {
            end += 1;
        }
        let widest = rows[start..end].iter().map(&width).max().unwrap_or(0);
        for i in start..end {
            pads[i] = widest - width(&rows[i]) + 1;
        }
        start = end;
    }
    pads
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fmt(text: &str) -> String {
        match format(text) {
            Ok(out) => out,
            Err(Error::Syntax(e)) => format!("syntax error: {e}"),
            Err(Error::TooDeep(_)) => "too deep".to_string(),
            Err(Error::WouldChangeText) => "refused".to_string(),
        }
    }

    #[test]
    fn the_safety_net_refuses_any_change_beyond_whitespace() {
        assert!(only_whitespace_differs("a = 1\n", "a    =    1"));
        assert!(only_whitespace_differs("/* x\n * y */", "/* x\n   * y */"));
        assert!(!only_whitespace_differs("a = \"\\u002e\"", "a = \".\""), "an escape re-encoded");
        assert!(!only_whitespace_differs("a = 1 # c", "a = 1"), "a comment dropped");
        assert!(!only_whitespace_differs("a = 1", "a = 1 }"), "a character added");
        assert!(!same_atoms("a = \"x  y\"", "a = \"x y\""), "whitespace inside a string is content");
        assert!(!same_atoms("a = 1", "a = ["), "the output must parse");
        assert!(same_atoms("a=1\n", "a = 1\n"));
    }

    #[test]
    fn a_last_comment_without_a_newline_is_kept() {
        assert_eq!(fmt("a = 1\n// the end"), "a = 1\n// the end\n");
        assert!(fmt("b {\n  a = 1\n  # before close").starts_with("syntax error"), "no closing brace");
    }

    #[test]
    fn trailing_comments_align_within_a_run() {
        assert_eq!(
            fmt("a = 1 # one\nlonger = 22 # two\nc = 3\n"),
            "a      = 1  # one\nlonger = 22 # two\nc      = 3\n"
        );
        // As in terraform, a line without a comment ends the comments' run, not the `=` run.
        assert_eq!(fmt("a = 1 # one\nb = 2\ncc = 33 # three\n"), "a  = 1 # one\nb  = 2\ncc = 33 # three\n");
        // One-line blocks and block headers take part in the comments' run.
        assert_eq!(
            fmt("b {\nfoo {} # here\na = 1 # foo\nbungle = \"bonce\" # baz\n}\n"),
            "b {\n  foo {}           # here\n  a      = 1       # foo\n  bungle = \"bonce\" # baz\n}\n"
        );
    }

    #[test]
    fn lays_out_like_terraform_fmt_and_keeps_comments() {
        let src = "# head\n\n\n\nversion = \"v1\"   # trailing\nx=1\nlonger_name     = 2\n\n  block \"l\"   {  # after brace\n    # inside\n  a = 1\n  long_name = 3\n  inner { y = 2 }\n  # before close\n}\nother {\n}\n# end\n";
        let want = "# head\n\nversion     = \"v1\" # trailing\nx           = 1\nlonger_name = 2\n\nblock \"l\" { # after brace\n  # inside\n  a         = 1\n  long_name = 3\n  inner { y = 2 }\n  # before close\n}\n\nother {\n}\n# end\n";
        assert_eq!(fmt(src), want);
        assert_eq!(fmt(want), want, "idempotent");
    }

    #[test]
    fn escapes_and_strings_are_kept_byte_for_byte() {
        let src =
            "ruleset_version = \"v1.0\\u002e0\"\n\nloot_table \"tier\\u005f3\" {\n  item \"a\\tb\" { weight = 5 }\n}\n";
        assert_eq!(fmt(src), src);
        assert_eq!(fmt("a=\"x   y\\\\ \\\"q\\\" \\U0001F600\"\n"), "a = \"x   y\\\\ \\\"q\\\" \\U0001F600\"\n");
    }

    #[test]
    fn comments_between_a_blocks_type_labels_and_brace_are_kept() {
        assert_eq!(fmt("b/*t*/\"l\"   /* l */{\n a = 1\n}\n"), "b /*t*/ \"l\" /* l */ {\n  a = 1\n}\n");
        assert_eq!(fmt("b /* one\n   two */ \"l\" {}\n"), "b /* one\n   two */ \"l\" {}\n");
    }

    #[test]
    fn block_comments_are_never_changed_inside() {
        let src = "b {\n    /*\n     * star lines\n     *   stay   \n     */\n  a = 1\n}\n";
        assert_eq!(fmt(src), "b {\n  /*\n     * star lines\n     *   stay   \n     */\n  a = 1\n}\n");
        let src = "/**\n * top\n */\na = 1\n";
        assert_eq!(fmt(src), src);
    }

    #[test]
    fn empty_braces_stay_empty() {
        assert_eq!(fmt("b {}\n"), "b {}\n");
        assert_eq!(fmt("b{}\n"), "b {}\n");
        assert_eq!(fmt("b {   }\n"), "b {}\n");
        assert_eq!(fmt("a = {}\nb = []\nc = [ ]\n"), "a = {}\nb = []\nc = []\n");
        assert_eq!(fmt("b {\n}\n"), "b {\n}\n", "a block written on two lines keeps them");
    }

    #[test]
    fn heredocs_are_kept_verbatim() {
        let src = "b {\nbar = <<EOT\n  Foo bar   \n\n\nEOT\n  baz = <<-EOT\n    x\n    EOT\n}\n";
        assert_eq!(fmt(src), "b {\n  bar = <<EOT\n  Foo bar   \n\n\nEOT\n  baz = <<-EOT\n    x\n    EOT\n}\n");
    }

    #[test]
    fn arrays_and_objects_are_laid_out_like_terraform() {
        assert_eq!(fmt("a=[1,2,  3]\nb={x=1,y=2}\n"), "a = [1, 2, 3]\nb = { x = 1, y = 2 }\n");
        assert_eq!(fmt("a = [\n1,\n    2,\n]\n"), "a = [\n  1,\n  2,\n]\n");
        assert_eq!(fmt("o = {\na = 1\nlonger = 2\n}\n"), "o = {\n  a      = 1\n  longer = 2\n}\n");
        assert_eq!(fmt("a = [\n{\nx = 1\n}, {\nx = 2\n},\n]\n"), "a = [\n  {\n    x = 1\n  }, {\n    x = 2\n  },\n]\n");
        assert_eq!(fmt("a = [[\n1\n]]\n"), "a = [[\n  1\n]]\n");
        assert_eq!(fmt("a = { \"k\": 1 }\n"), "a = { \"k\" : 1 }\n");
        assert_eq!(fmt("a = [\n\n1,\n\n]\n"), "a = [\n  1,\n]\n");
    }

    #[test]
    fn top_level_blocks_are_set_apart_with_their_comments() {
        assert_eq!(fmt("a = 1\n# about b\nb {}\nc = 2\n"), "a = 1\n\n# about b\nb {}\n\nc = 2\n");
        assert_eq!(fmt("\n\n\nb {\n\n\n  a = 1\n\n}\n\n\n"), "b {\n  a = 1\n}\n");
        assert_eq!(fmt("b {\n  a = 1\n\n\n  c = 2\n}\n"), "b {\n  a = 1\n\n  c = 2\n}\n");
    }

    #[test]
    fn expressions_outside_the_dialect_are_copied() {
        let src = "a = var.x\nb = max(1,\n    2)\nc = \"${ x }\"\nd = [for x in y : x]\n";
        assert_eq!(fmt(src), "a = var.x\nb = max(1,\n    2)\nc = \"${ x }\"\nd = [for x in y : x]\n");
    }

    #[test]
    fn empty_and_comment_only_files() {
        assert_eq!(fmt(""), "");
        assert_eq!(fmt("\n\n  \n"), "");
        assert_eq!(fmt("  # only\n\n\n// this\n"), "# only\n\n// this\n");
    }

    #[test]
    fn crlf_and_tabs_are_whitespace() {
        assert_eq!(fmt("b {\r\n\ta\t=\t1\r\n}\r\n"), "b {\n  a = 1\n}\n");
    }
}
