//! Finding the cause of a syntax error the parser reports late: a bracket, string, comment or
//! heredoc opened and never closed (or closed by the wrong bracket). Parsers give up where the
//! input ended or the next token made no sense; the mistake is at the opening token, which is
//! where terraform points too. HCL is read through the tokenizer ([`crate::parse::lexer`]);
//! YAML through a small scanner of its own. Used only after a parse failed.

use std::ops::Range;

use crate::parse::lexer::{self, Kind};

/// What was left open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Open {
    /// `{`, `[` or `(`, never closed.
    Bracket(char),
    /// A bracket closed by the wrong one; the range is the wrong closer.
    Mismatched(char, Range<usize>),
    /// A quoted string running into the end of its line or of the file.
    String,
    /// `/* ...` with no `*/`.
    Comment,
    /// `<<EOF` with no closing `EOF` line; the marker.
    Heredoc(String),
    /// `${` or `%{` in a heredoc, never closed by its `}`.
    Template,
}

/// The opening token and what it opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unclosed {
    pub open: Open,
    /// The byte range of the opening token.
    pub at: Range<usize>,
}

impl Unclosed {
    /// What is wrong, for a diagnostic message.
    pub fn message(&self) -> String {
        match &self.open {
            Open::Bracket(c) => format!("this `{c}` is never closed"),
            Open::Mismatched(c, _) => format!("this `{c}` is closed by the wrong bracket"),
            Open::String => "this string is never closed".to_string(),
            Open::Comment => "this comment is never closed".to_string(),
            Open::Heredoc(marker) => format!("this heredoc is never closed by a line holding `{marker}`"),
            Open::Template => "this template is never closed".to_string(),
        }
    }

    /// What to write, for the help line.
    pub fn help(&self) -> String {
        match &self.open {
            Open::Bracket('{') => "add `}` after the last line that belongs inside these braces".to_string(),
            Open::Bracket(c) | Open::Mismatched(c, _) => format!("close it with `{}`", closer(*c)),
            Open::String => "add the closing `\"` before the end of the line".to_string(),
            Open::Comment => "add `*/` where the comment should end".to_string(),
            Open::Heredoc(marker) => format!("add a line holding only `{marker}` where the text should end"),
            Open::Template => "close it with `}`".to_string(),
        }
    }
}

fn closer(open: char) -> char {
    match open {
        '{' => '}',
        '[' => ']',
        _ => ')',
    }
}

/// The first unclosed string, template or comment, or mismatched bracket, in HCL text; or else
/// the innermost bracket or heredoc still open at the end. Brackets count in code outside
/// strings and heredocs; a string is reported at the outermost quote of the strings nested in
/// each other's templates around the one that stopped (the quote the user opened first).
pub fn hcl(text: &str) -> Option<Unclosed> {
    let mut brackets: Vec<(char, usize)> = Vec::new();
    // The strings, templates and heredocs open at the token, outermost first.
    let mut open: Vec<lexer::Token> = Vec::new();
    for token in lexer::tokens(text) {
        let at = token.span();
        match token.kind {
            Kind::UnclosedBlockComment => return Some(Unclosed { open: Open::Comment, at: at.start..at.start + 2 }),
            Kind::OpenQuote | Kind::OpenTemplate | Kind::OpenHeredoc => open.push(token),
            Kind::CloseQuote | Kind::CloseTemplate | Kind::CloseHeredoc => {
                open.pop();
            }
            Kind::UnclosedQuote | Kind::UnclosedTemplate | Kind::UnclosedHeredoc => return left_open(text, &open),
            Kind::LBrace | Kind::LBracket | Kind::LParen if open.is_empty() => {
                brackets.push((char::from(text.as_bytes()[at.start]), at.start));
            }
            Kind::RBrace | Kind::RBracket | Kind::RParen if open.is_empty() => {
                let close = char::from(text.as_bytes()[at.start]);
                match brackets.pop() {
                    Some((opener, start)) if closer(opener) != close => {
                        return Some(Unclosed { open: Open::Mismatched(opener, at), at: start..start + 1 });
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }
    brackets.pop().map(|(open, at)| Unclosed { open: Open::Bracket(open), at: at..at + 1 })
}

/// What to report when the innermost of `open` stopped unclosed: the outermost quote of the
/// strings and templates nested in each other around it, else the template or heredoc itself.
fn left_open(text: &str, open: &[lexer::Token]) -> Option<Unclosed> {
    let innermost = open.last()?;
    let run = open.iter().rev().take_while(|t| matches!(t.kind, Kind::OpenQuote | Kind::OpenTemplate));
    if let Some(quote) = run.filter(|t| t.kind == Kind::OpenQuote).last() {
        return Some(Unclosed { open: Open::String, at: quote.span() });
    }
    let at = innermost.span();
    match innermost.kind {
        Kind::OpenHeredoc => {
            let marker = text.get(at.clone())?.trim_start_matches('<').trim_start_matches('-');
            Some(Unclosed { open: Open::Heredoc(marker.to_string()), at })
        }
        _ => Some(Unclosed { open: Open::Template, at }),
    }
}

/// Scans YAML text for a flow collection (`{`, `[`) left open, or a quoted scalar never
/// closed. Only brackets that start a value (after `key: `, `- `, at a line's start, or inside
/// another flow collection) count: elsewhere they are part of a plain scalar.
pub fn yaml(text: &str) -> Option<Unclosed> {
    let bytes = text.as_bytes();
    let mut stack: Vec<(char, usize)> = Vec::new();
    let mut i = 0;
    let mut value_start = true;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b'#' if i == 0 || bytes[i - 1].is_ascii_whitespace() => {
                i = line_end(bytes, i);
                continue;
            }
            b'\n' => {
                value_start = true;
                i += 1;
                continue;
            }
            b' ' | b'\t' | b'\r' => {
                i += 1;
                continue;
            }
            b'"' | b'\'' if value_start || !stack.is_empty() => {
                match quoted_end(bytes, i, b) {
                    Some(end) => i = end + 1,
                    None => return Some(Unclosed { open: Open::String, at: i..i + 1 }),
                }
                value_start = false;
                continue;
            }
            b'{' | b'[' if value_start || !stack.is_empty() => {
                stack.push((b as char, i));
                value_start = true;
            }
            b'}' | b']' if !stack.is_empty() => {
                if let Some((open, at)) = stack.pop() {
                    if closer(open) != b as char {
                        return Some(Unclosed { open: Open::Mismatched(open, i..i + 1), at: at..at + 1 });
                    }
                }
                value_start = false;
            }
            b',' if !stack.is_empty() => value_start = true,
            b':' if bytes.get(i + 1).is_none_or(|n| n.is_ascii_whitespace()) => value_start = true,
            b'-' if value_start && bytes.get(i + 1).is_none_or(|n| n.is_ascii_whitespace()) => value_start = true,
            _ => value_start = false,
        }
        i += 1;
    }
    stack.pop().map(|(open, at)| Unclosed { open: Open::Bracket(open), at: at..at + 1 })
}

fn line_end(bytes: &[u8], from: usize) -> usize {
    bytes[from..].iter().position(|&b| b == b'\n').map_or(bytes.len(), |p| from + p)
}

/// The closing quote of a YAML scalar opened at `start` with `quote`; double quotes take
/// backslash escapes, single quotes are doubled to escape.
fn quoted_end(bytes: &[u8], start: usize, quote: u8) -> Option<usize> {
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if quote == b'"' => i += 2,
            b'\'' if quote == b'\'' && bytes.get(i + 1) == Some(&b'\'') => i += 2,
            b if b == quote => return Some(i),
            _ => i += 1,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str, found: Option<Unclosed>) -> Option<(String, String)> {
        found.map(|u| (text[u.at.clone()].to_string(), u.message()))
    }

    #[test]
    fn hcl_finds_what_was_left_open() {
        let cases = [
            ("a {\n  b = 1\n", Some("{")),
            ("a = \"abc\nb = 2\n", Some("\"")),
            ("a = [1, 2\nb = 3\n", Some("[")),
            ("a = (1 + 2\n", Some("(")),
            ("a = [1, 2}\n", Some("[")),
            ("/* never\nclosed\n", Some("/*")),
            ("a = <<EOF\nhello\n", Some("<<EOF")),
            ("a = <<EOF\n}{\nEOF\nb = 1\n", None),
            ("a = \"${b[\"c\"]}\" # }\n// {\nc { d = \"}\" }\n", None),
            ("x { y = \"a\\\"b\" }\n", None),
        ];
        for (text, expected) in cases {
            let found = at(text, hcl(text));
            assert_eq!(found.as_ref().map(|(token, _)| token.as_str()), expected, "{text:?}: {found:?}");
        }
    }

    #[test]
    fn yaml_finds_open_flow_collections_and_quotes() {
        let cases = [
            ("a: {b: 1\n", Some("{")),
            ("a: [1, 2\nb: 3\n", Some("[")),
            ("a: 'abc\n", Some("'")),
            ("a: b[0]\nc: \"x\" # {\n", None),
            ("list:\n  - [1, {a: 2}]\n", None),
            ("a: {b: [1}\n", Some("[")),
        ];
        for (text, expected) in cases {
            let found = at(text, yaml(text));
            assert_eq!(found.as_ref().map(|(token, _)| token.as_str()), expected, "{text:?}: {found:?}");
        }
    }
}
