//! `limits { max_string_bytes }` on quoted HCL strings, measured on the one tokenizer's tokens
//! in the pass that checks depth ([`super::nesting`]), before hcl-edit parses a file: hcl-edit
//! reads a string at some 250 instructions a byte, so a 10 MiB string cost ten times one at the
//! 1 MiB limit before its length could be measured.
//!
//! Only a file longer than the limit can hold a string over it (an escape is never shorter as
//! written than what it stands for), so every other file skips the scan. A string holding a
//! template (`${ }`, `%{ }`) is not a literal and is left to the parser, as are heredocs.

use std::ops::Range;

use crate::parse::lexer::{self, Kind, Token};

/// A quoted string over the limit: where it is written, quotes included, and its length in
/// bytes once its escapes are read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Over {
    pub at: Range<usize>,
    pub bytes: usize,
}

/// What the scan is inside of.
enum Frame {
    /// A quoted string from its opening quote: its length so far as written, and whether it
    /// holds a template (then it is no literal, and not measured here).
    Quote { start: usize, written: usize, templated: bool },
    /// A template or a heredoc: text in it belongs to no quoted string being measured.
    Other,
}

/// The quoted strings of one text over `max` bytes once their escapes are read, measured a
/// token at a time ([`Measure::token`], in order). A text no longer than `max` cannot hold
/// one, so its tokens are not looked at.
pub struct Measure {
    max: usize,
    active: bool,
    stack: Vec<Frame>,
    found: Vec<Over>,
}

impl Measure {
    /// A measure of `text`'s strings against `max`.
    pub fn new(text: &str, max: usize) -> Self {
        Measure { max, active: text.len() > max, stack: Vec::new(), found: Vec::new() }
    }

    /// Takes the next token of `text`.
    #[inline]
    pub fn token(&mut self, token: Token, text: &str) {
        if !self.active {
            return;
        }
        let stack = &mut self.stack;
        match token.kind {
            Kind::OpenQuote => stack.push(Frame::Quote { start: token.start, written: 0, templated: false }),
            Kind::Text => {
                if let Some(Frame::Quote { written, .. }) = stack.last_mut() {
                    *written = written.saturating_add(token.end - token.start);
                }
            }
            Kind::OpenTemplate => {
                if let Some(Frame::Quote { templated, .. }) = stack.last_mut() {
                    *templated = true;
                }
                stack.push(Frame::Other);
            }
            Kind::OpenHeredoc => stack.push(Frame::Other),
            Kind::CloseTemplate | Kind::CloseHeredoc | Kind::UnclosedTemplate | Kind::UnclosedHeredoc => {
                stack.pop();
            }
            Kind::CloseQuote => {
                // Escapes are never shorter as written than what they stand for, so only a
                // string longer than the limit as written has its escapes read.
                if let Some(Frame::Quote { start, written, templated }) = stack.pop() {
                    if !templated && written > self.max {
                        let bytes = unescaped_len(text.get(start + 1..token.start).unwrap_or_default());
                        if bytes > self.max {
                            self.found.push(Over { at: start..token.end, bytes });
                        }
                    }
                }
            }
            Kind::UnclosedQuote => {
                stack.pop();
            }
            _ => {}
        }
    }

    /// The strings over the limit, in order.
    pub fn finish(self) -> Vec<Over> {
        self.found
    }
}

/// Every quoted string of `text` longer than `max` bytes once its escapes are read, in order,
/// by a pass of its own (the loader measures in the depth scan's pass instead).
pub fn over(text: &str, max: usize) -> Vec<Over> {
    let mut measure = Measure::new(text, max);
    if measure.active {
        for token in lexer::tokens(text).without_names() {
            measure.token(token, text);
        }
    }
    measure.finish()
}

/// The length in bytes of quoted-string text once its escapes are read (HCL: `\n`, `\r`, `\t`,
/// `\"`, `\\`, `\uNNNN`, `\UNNNNNNNN`, and `$${` / `%%{` for a literal `${` / `%{`). An escape
/// hcl-edit would refuse counts as nothing, so the length is never more than the parser's.
fn unescaped_len(text: &str) -> usize {
    let bytes = text.as_bytes();
    let mut len = 0;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => {
                let (consumed, value) = match bytes.get(i + 1) {
                    Some(b'n' | b'r' | b't' | b'"' | b'\\') => (2, 1),
                    Some(b'u') => (6, code_point_len(text.get(i + 2..i + 6))),
                    Some(b'U') => (10, code_point_len(text.get(i + 2..i + 10))),
                    _ => (1, 0),
                };
                len += value;
                i += consumed;
            }
            b'$' | b'%' if bytes.get(i + 1) == Some(&bytes[i]) && bytes.get(i + 2) == Some(&b'{') => {
                len += 2;
                i += 3;
            }
            _ => {
                len += 1;
                i += 1;
            }
        }
    }
    len
}

/// The UTF-8 length of the character `hex` names; 0 when it names none.
fn code_point_len(hex: Option<&str>) -> usize {
    hex.and_then(|h| u32::from_str_radix(h, 16).ok()).and_then(char::from_u32).map_or(0, char::len_utf8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_count_as_what_they_stand_for() {
        assert_eq!(unescaped_len(r"abc"), 3);
        assert_eq!(unescaped_len(r#"a\nb\\c\"d"#), 7);
        assert_eq!(unescaped_len(r"\u00e9\U0001F600"), 2 + 4);
        assert_eq!(unescaped_len("$${x} %%{y}"), "${x} %{y}".len());
        assert_eq!(unescaped_len("日本"), 6);
        assert_eq!(unescaped_len(r"\uZZZZ"), 0, "an escape the parser refuses counts as nothing");
    }

    #[test]
    fn a_string_over_the_limit_is_found_and_a_template_is_not() {
        let text = "a = \"0123456789\"\nb = \"short\"\nc = \"${x}0123456789\"\nd = <<EOT\n0123456789\nEOT\n";
        assert_eq!(over(text, 9), [Over { at: 4..16, bytes: 10 }]);
        assert_eq!(over(text, 10), []);
        // Escapes as written are longer than what they stand for: ten bytes, not fifteen.
        assert_eq!(over("a = \"\\n\\n\\n\\n\\n01234\"\n", 10), []);
        assert!(over("a = \"0123456789\"", 100).is_empty(), "a file no longer than the limit is not scanned");
    }
}
