//! Two bounds on nesting, checked by one linear scan before hcl-edit parses a file, never by
//! recursion: `limits { max_depth }` on all brackets, and [`MAX_DEPTH`] on expressions.
//!
//! **All brackets.** Every `{`, `[`, `(` and template opener is one level, blocks and values
//! alike; a file nested deeper than `max_depth` (64 at most, as deep as hcl-edit goes) is `S002`
//! at the bracket that crossed it, so a hostile 100,000-deep file never reaches a parser that
//! recurses.
//!
//! **Expressions.** //! hcl-edit's parser retries a failed operand of a binary operator once more at every level of
//! parentheses, objects, `for` expressions, indexes and `${ }` / `%{ }` templates around it
//! (`expr_inner` calls `binary_ops` again after `binary_ops` stopped at the operand that
//! failed), so on a broken file its work doubles with each level: `x = (1 + 1 + (1 + 1 + (… <`
//! took seconds at 24 levels (its own limit is 64), and a 1.6 MB file took 7 s at 8 levels.
//! Rules never need more than a few of these (only objects belong to the dialect at all), so
//! rulesctl refuses more than [`MAX_DEPTH`] levels of them with a syntax error at the opener,
//! found by one linear scan, and the parser never sees such a file; within the bound a broken
//! file costs a few plain parses. Arrays, function calls and block bodies are not counted: the
//! parser does not retry inside them.

use std::ops::Range;

use crate::diagnostic::Diagnostic;
use crate::diagnostic::{FileId, Span};
use crate::parse::lexer::{self, Kind};
use crate::parse::strings;
use crate::parse::{SYNTAX, TOO_DEEP};
use crate::source::limits::raise_hint;
use crate::source::Limits;

/// How many parentheses and templates may be open at once.
pub const MAX_DEPTH: usize = 4;

/// The opener that went one level too deep.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TooDeep {
    /// The byte range of the bracket, `${` or `%{`.
    pub at: Range<usize>,
    /// Which bound it crossed.
    pub bound: Bound,
}

/// The two bounds of the scan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bound {
    /// `limits { max_depth }` on all brackets: `S002`.
    Limit(usize),
    /// [`MAX_DEPTH`] on expressions: a syntax error, `S001`.
    Expression,
}

impl TooDeep {
    /// The diagnostic that reports it in `file`.
    pub fn diagnostic(&self, file: FileId) -> Diagnostic {
        let span = Span::new(file, self.at.clone());
        match self.bound {
            Bound::Limit(max) => Diagnostic::new(&TOO_DEEP, span, format!("nested more than {max} levels deep"))
                .label("one level too deep")
                .help(format!(
                    "flatten the structure{}",
                    raise_hint("max_depth", max as u64, Limits::CEILING.max_depth as u64)
                )),
            Bound::Expression => Diagnostic::new(
                &SYNTAX,
                span,
                format!("parentheses, objects and templates nested more than {MAX_DEPTH} levels deep"),
            )
            .label("one level too many")
            .help(
                "rule files hold literal values: write the value out as a number, a quoted string, \
                 true/false, or an array or a shallower object of those",
            ),
        }
    }
}

/// What the scan is inside of. Strings and heredocs are the tokenizer's to track; only what
/// counts toward a bound, or decides what a `{` opens, is a frame.
enum Frame {
    /// The file, or a block's body: `value` while on an attribute's line after its `=`.
    Body { value: bool },
    /// `[`, an array.
    Array,
    /// `(`, an object `{` in an expression, a `for` expression, an index `a[`: counts.
    Counted,
    /// `${ … }` or `%{ … }`, an expression inside a string or heredoc: counts.
    Template,
}

impl Frame {
    /// Counts toward [`MAX_DEPTH`].
    fn counts(&self) -> bool {
        matches!(self, Frame::Counted | Frame::Template)
    }
}

/// The frames open at the scan's position (the file's body at the bottom; every other frame is
/// a bracket, counted toward `max_total`), and how many of them count toward [`MAX_DEPTH`]
/// (`depth`).
struct Stack {
    frames: Vec<Frame>,
    depth: usize,
    max_total: usize,
}

impl Stack {
    /// Opens `frame` at `at`; the opener itself when it is one level too many.
    fn open(&mut self, frame: Frame, at: Range<usize>) -> Result<(), TooDeep> {
        // The file's body is the one frame that is no bracket.
        if self.frames.len() > self.max_total {
            return Err(TooDeep { at, bound: Bound::Limit(self.max_total) });
        }
        if frame.counts() {
            self.depth += 1;
            if self.depth > MAX_DEPTH {
                return Err(TooDeep { at, bound: Bound::Expression });
            }
        }
        self.frames.push(frame);
        Ok(())
    }

    /// Closes the innermost bracket; the file's body stays, and so does a template (its `}`
    /// is the tokenizer's [`Kind::CloseTemplate`]).
    fn close(&mut self) {
        if self.frames.len() > 1 && !matches!(self.frames.last(), Some(Frame::Template)) {
            self.pop();
        }
    }

    /// Closes the innermost template, and any bracket left open inside it.
    fn close_template(&mut self) {
        while self.frames.len() > 1 {
            if let Some(Frame::Template) = self.pop() {
                break;
            }
        }
    }

    fn pop(&mut self) -> Option<Frame> {
        let frame = self.frames.pop()?;
        self.depth -= usize::from(frame.counts());
        Some(frame)
    }
}

/// The first bracket that opens level `max_depth + 1`, or the first `(`, object `{`, `for`
/// expression, index `[`, `${` or `%{` that opens more than [`MAX_DEPTH`] of those at once,
/// whichever comes first; comments, string text and heredoc text (where only templates open)
/// are skipped. One pass over the tokens, no recursion.
pub fn too_deep(text: &str, max_depth: usize) -> Option<TooDeep> {
    scan(text, max_depth, None).err()
}

/// [`too_deep`], handing every token to `measure` in the same pass, so the loader measures
/// strings ([`crate::parse::strings`]) without tokenizing the file twice. When the scan stops
/// at a bracket too deep, `measure` has seen the tokens before it.
pub fn too_deep_measuring(text: &str, max_depth: usize, measure: &mut strings::Measure) -> Option<TooDeep> {
    scan(text, max_depth, Some(measure)).err()
}

fn scan(text: &str, max_depth: usize, mut measure: Option<&mut strings::Measure>) -> Result<(), TooDeep> {
    let mut stack = Stack { frames: vec![Frame::Body { value: false }], depth: 0, max_total: max_depth };
    // A string left open at the end of its line takes that newline with it: the line after it
    // still reads as the attribute's value.
    let mut unclosed_string = false;
    for token in lexer::tokens(text).without_names() {
        if let Some(measure) = measure.as_deref_mut() {
            measure.token(token, text);
        }
        let after_unclosed_string = std::mem::take(&mut unclosed_string);
        let at = token.span();
        match token.kind {
            Kind::Newline if after_unclosed_string => {}
            Kind::Newline | Kind::Equals | Kind::Punct => {
                if let Some(Frame::Body { value }) = stack.frames.last_mut() {
                    match token.kind {
                        Kind::Newline => *value = false,
                        Kind::Equals => *value = true,
                        // `==`, `!=`, `<=`, `>=`, `=>`: any `=` in code starts a value.
                        _ => *value |= text.as_bytes()[at.clone()].contains(&b'='),
                    }
                }
            }
            Kind::UnclosedQuote => unclosed_string = true,
            Kind::OpenTemplate => stack.open(Frame::Template, at)?,
            Kind::CloseTemplate => stack.close_template(),
            // A `{` outside a value opens a block's body; in a value, an object.
            Kind::LBrace if matches!(stack.frames.last(), Some(Frame::Body { value: false })) => {
                stack.open(Frame::Body { value: false }, at)?;
            }
            Kind::LBrace | Kind::LParen => stack.open(Frame::Counted, at)?,
            Kind::LBracket => {
                let i = token.start;
                let rest = &text[i + 1..];
                let for_expr =
                    rest.trim_start().strip_prefix("for").is_some_and(|r| r.starts_with(char::is_whitespace));
                // `a[0]`: an index after an expression (a name, a closing bracket or quote).
                let before = text[..i].trim_end().bytes().next_back();
                let index = before.is_some_and(|c| c.is_ascii_alphanumeric() || b"_-)]}\"*".contains(&c));
                stack.open(if for_expr || index { Frame::Counted } else { Frame::Array }, at)?;
            }
            Kind::RBrace | Kind::RBracket | Kind::RParen => stack.close(),
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deep(text: &str) -> Option<&str> {
        too_deep(text, 64).map(|d| &text[d.at])
    }

    fn over_limit(text: &str, max: usize) -> Option<Range<usize>> {
        too_deep(text, max).filter(|d| d.bound == Bound::Limit(max)).map(|d| d.at)
    }

    #[test]
    fn max_depth_counts_every_bracket_outside_strings_comments_and_heredocs() {
        let nested = |n: usize| format!("x = {}{}\n", "[".repeat(n), "]".repeat(n));
        assert_eq!(over_limit(&nested(3), 3), None);
        assert_eq!(over_limit(&nested(4), 3), Some(7..8));
        assert_eq!(over_limit(&nested(100_000), 64), Some(68..69));
        assert_eq!(over_limit("a {\n  b {\n    c = [1]\n  }\n}\n", 2), Some(18..19));
        assert_eq!(over_limit("a {\n  b {\n    c = [1]\n  }\n}\n", 3), None);
        let hidden = "x = \"[[[[\" # [[[[\n// {{{{\n/* (((( */\ny = <<EOF\n[[[[\nEOF\nz = [1]\n";
        assert_eq!(over_limit(hidden, 1), None);
        assert_eq!(over_limit("x = \"${1}\"\n", 1), None);
        assert_eq!(over_limit("x = [\"${1}\"]\n", 1), Some(6..8), "a template is a level");
        assert_eq!(over_limit("x = [[ \"never closed\n", 1), Some(5..6));
        assert_eq!(over_limit("x = \"never closed [[[\n", 1), None);
        let blocks = format!("{}{}", "a \"b\" {\n".repeat(65), "}\n".repeat(65));
        assert_eq!(over_limit(&blocks, 64).map(|at| &blocks[at]), Some("{"), "blocks count");
    }

    #[test]
    fn counts_parentheses_objects_for_expressions_and_templates() {
        let parens = |n: usize| format!("x = {}1{}\n", "(".repeat(n), ")".repeat(n));
        assert_eq!(deep(&parens(MAX_DEPTH)), None);
        assert_eq!(deep(&parens(MAX_DEPTH + 1)), Some("("));
        let templates = |n: usize| format!("x = {}{}\n", "\"${".repeat(n), "\"}".repeat(n));
        assert_eq!(deep(&templates(MAX_DEPTH)), None);
        assert_eq!(deep(&templates(MAX_DEPTH + 1)), Some("${"));
        let mixed = format!("x = {}\n", "(\"%{ if ".repeat(MAX_DEPTH));
        assert_eq!(deep(&mixed), Some("("), "two levels a step: the ninth is a parenthesis");
        let objects = |n: usize| format!("x = {}1{}\n", "[{a = ".repeat(n), "}]".repeat(n));
        assert_eq!(deep(&objects(MAX_DEPTH)), None);
        assert_eq!(deep(&objects(MAX_DEPTH + 1)), Some("{"));
        let fors = format!("x = {}\n", "[for a in b: ".repeat(MAX_DEPTH + 1));
        assert_eq!(deep(&fors), Some("["));
        let indexes = format!("x = {}\n", "a[".repeat(MAX_DEPTH + 1));
        assert_eq!(deep(&indexes), Some("["));
        let spread = format!("x = [\n{}1{}]\n", "[1, [2], \n".repeat(60), "]".repeat(60));
        assert_eq!(deep(&spread), None, "an array after a comma, a bracket or a new line is no index");
        let arrays = format!("x = {}1{}\n", "[".repeat(60), "]".repeat(60));
        assert_eq!(deep(&arrays), None, "arrays nest as deep as the parser allows");
        let blocks = format!("{}{}", "a \"b\" {\n  c = 1\n".repeat(60), "}\n".repeat(60));
        assert_eq!(deep(&blocks), None, "so do blocks");
        let one_line = format!("{}\n", "item \"x\" { weight = { a = 1 } }\n".repeat(60));
        assert_eq!(deep(&one_line), None, "a block closed on its line leaves the body");
    }

    #[test]
    fn closed_levels_no_longer_count() {
        let siblings = format!("x = [{}]\n", "(((1)))".repeat(40));
        assert_eq!(deep(&siblings), None);
        let strings = format!("x = \"{}\"\n", "${a}".repeat(40));
        assert_eq!(deep(&strings), None);
    }

    #[test]
    fn text_that_is_not_code_does_not_count() {
        let many = "(".repeat(3 * MAX_DEPTH);
        for text in [
            format!("x = \"{many}\"\n"),
            format!("x = \"\\\"{many}\"\n"),
            format!("# {many}\nx = 1\n"),
            format!("// {many}\nx = 1\n"),
            format!("/* {many} */\nx = 1\n"),
            format!("x = <<EOT\n{many}\nEOT\ny = 1\n"),
            format!("x = <<-EOT\n  {many}\n  EOT\n"),
            format!("x = \"{}\"\n", "$${".repeat(3 * MAX_DEPTH)),
            format!("x = <<EOT\n{}\nEOT\n", "%%{".repeat(3 * MAX_DEPTH)),
        ] {
            assert_eq!(deep(&text), None, "{text}");
        }
        let heredoc = format!("x = <<EOT\n{}\nEOT\n", "${\"".repeat(MAX_DEPTH + 1));
        assert_eq!(deep(&heredoc), Some("${"), "templates in a heredoc count");
    }
}
