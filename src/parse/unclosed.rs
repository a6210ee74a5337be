//! Finding the cause of a syntax error the parser reports late: a bracket, string, comment or
//! heredoc opened and never closed (or closed by the wrong bracket). Parsers give up where the
//! input ended or the next token made no sense; the mistake is at the opening token, which is
//! where terraform points too. A small scanner over the text, used only after a parse failed.

use std::ops::Range;

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

/// Scans HCL text for the first unclosed string or comment, a mismatched bracket, or else the
/// innermost bracket or heredoc still open at the end.
pub fn hcl(text: &str) -> Option<Unclosed> {
    let bytes = text.as_bytes();
    let mut stack: Vec<(char, usize)> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'#' => i = line_end(bytes, i),
            b'/' if bytes.get(i + 1) == Some(&b'/') => i = line_end(bytes, i),
            b'/' if bytes.get(i + 1) == Some(&b'*') => match find(bytes, i + 2, b"*/") {
                Some(end) => i = end + 2,
                None => return Some(Unclosed { open: Open::Comment, at: i..i + 2 }),
            },
            b'"' => match string_end(bytes, i) {
                Some(end) => i = end + 1,
                None => return Some(Unclosed { open: Open::String, at: i..i + 1 }),
            },
            b'<' if bytes.get(i + 1) == Some(&b'<') => {
                // Just past the ASCII `<<` or `<<-`: a character boundary.
                let marker_start = if bytes.get(i + 2) == Some(&b'-') { i + 3 } else { i + 2 };
                let marker: String =
                    text[marker_start..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
                if marker.is_empty() {
                    i += 2;
                    continue;
                }
                let body = line_end(bytes, i);
                match heredoc_end(text, body, &marker) {
                    Some(end) => i = end,
                    None => {
                        return Some(Unclosed {
                            open: Open::Heredoc(marker.clone()),
                            at: i..marker_start + marker.len(),
                        })
                    }
                }
            }
            open @ (b'{' | b'[' | b'(') => {
                stack.push((open as char, i));
                i += 1;
            }
            close @ (b'}' | b']' | b')') => {
                match stack.pop() {
                    Some((open, at)) if closer(open) != close as char => {
                        return Some(Unclosed { open: Open::Mismatched(open, i..i + 1), at: at..at + 1 });
                    }
                    _ => {}
                }
                i += 1;
            }
            _ => i += 1,
        }
    }
    stack.pop().map(|(open, at)| Unclosed { open: Open::Bracket(open), at: at..at + 1 })
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

pub(super) fn line_end(bytes: &[u8], from: usize) -> usize {
    bytes[from..].iter().position(|&b| b == b'\n').map_or(bytes.len(), |p| from + p)
}

pub(super) fn find(bytes: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    bytes.get(from..)?.windows(needle.len()).position(|w| w == needle).map(|p| from + p)
}

/// The closing quote of an HCL string opened at `start`; `None` when the line or file ends
/// first. `${ ... }` and `%{ ... }` inside may hold braces and strings of their own, nested to
/// any depth: a stack, never recursion, so hostile nesting cannot overflow the stack.
pub(super) fn string_end(bytes: &[u8], start: usize) -> Option<usize> {
    // One entry per open string: the depth of template braces inside it.
    let mut strings: Vec<usize> = vec![0];
    let mut i = start + 1;
    while i < bytes.len() {
        let depth = strings.last_mut()?;
        match bytes[i] {
            b'\\' if *depth == 0 => i += 2,
            b'\n' if *depth == 0 => return None,
            b'"' if *depth == 0 => {
                strings.pop();
                if strings.is_empty() {
                    return Some(i);
                }
                i += 1;
            }
            // `$${` and `%%{` are escapes, not templates.
            b'$' | b'%' if *depth == 0 && bytes.get(i + 1) == Some(&b'{') => {
                if bytes.get(i.wrapping_sub(1)) != Some(&bytes[i]) {
                    *depth += 1;
                }
                i += 2;
            }
            b'{' if *depth > 0 => {
                *depth += 1;
                i += 1;
            }
            b'}' if *depth > 0 => {
                *depth -= 1;
                i += 1;
            }
            b'"' => {
                strings.push(0);
                i += 1;
            }
            _ => i += 1,
        }
    }
    None
}

/// The end of a heredoc whose body starts at `from` (the newline after `<<MARKER`): just past
/// the line holding only the marker.
pub(super) fn heredoc_end(text: &str, from: usize, marker: &str) -> Option<usize> {
    let mut at = from;
    for line in text.get(from..)?.split_inclusive('\n') {
        at += line.len();
        if line.trim() == marker {
            return Some(at);
        }
    }
    None
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
