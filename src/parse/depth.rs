//! How deep a text nests, found by scanning it once with a counter, never by recursion: the check
//! that runs before a parser that recurses, so a hostile 100,000-deep file is refused at the
//! bracket that crossed the limit, with a message that names the limit.

use std::ops::Range;

use crate::parse::unclosed::{find, heredoc_end, line_end, string_end};

/// The first HCL bracket (`{`, `[` or `(`, outside strings, comments and heredocs) that opens
/// level `max + 1`. Blocks and values count alike: `a { b = [1] }` nests two levels. A file that
/// breaks off (an unclosed string, comment or heredoc) is left to the parser to report.
pub fn hcl(text: &str, max: usize) -> Option<Range<usize>> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'#' => i = line_end(bytes, i),
            b'/' if bytes.get(i + 1) == Some(&b'/') => i = line_end(bytes, i),
            b'/' if bytes.get(i + 1) == Some(&b'*') => i = find(bytes, i + 2, b"*/")? + 2,
            b'"' => i = string_end(bytes, i)? + 1,
            b'<' if bytes.get(i + 1) == Some(&b'<') => {
                // Just past the ASCII `<<` or `<<-`: a character boundary.
                let marker_start = if bytes.get(i + 2) == Some(&b'-') { i + 3 } else { i + 2 };
                let marker: String =
                    text[marker_start..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
                i = if marker.is_empty() { i + 2 } else { heredoc_end(text, line_end(bytes, i), &marker)? };
            }
            b'{' | b'[' | b'(' => {
                depth += 1;
                if depth > max {
                    return Some(i..i + 1);
                }
                i += 1;
            }
            b'}' | b']' | b')' => {
                depth = depth.saturating_sub(1);
                i += 1;
            }
            _ => i += 1,
        }
    }
    None
}

/// The first JSON `{` or `[` (outside strings) that opens level `max + 1`.
pub fn json(text: &str, max: usize) -> Option<Range<usize>> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => i = json_string_end(bytes, i)? + 1,
            b'{' | b'[' => {
                depth += 1;
                if depth > max {
                    return Some(i..i + 1);
                }
                i += 1;
            }
            b'}' | b']' => {
                depth = depth.saturating_sub(1);
                i += 1;
            }
            _ => i += 1,
        }
    }
    None
}

/// The closing quote of the JSON string opened at `start`.
pub(super) fn json_string_end(bytes: &[u8], start: usize) -> Option<usize> {
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return Some(i),
            _ => i += 1,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hcl_counts_brackets_outside_strings_comments_and_heredocs() {
        let nested = |n: usize| format!("x = {}{}\n", "[".repeat(n), "]".repeat(n));
        assert_eq!(hcl(&nested(3), 3), None);
        assert_eq!(hcl(&nested(4), 3), Some(7..8));
        assert_eq!(hcl("a {\n  b {\n    c = [1]\n  }\n}\n", 2), Some(18..19));
        assert_eq!(hcl("a {\n  b {\n    c = [1]\n  }\n}\n", 3), None);
        let hidden = "x = \"[[[[\" # [[[[\n// {{{{\n/* (((( */\ny = <<EOF\n[[[[\nEOF\nz = [1]\n";
        assert_eq!(hcl(hidden, 1), None);
        assert_eq!(hcl("x = \"${[[[[1]]]]}\"\n", 1), None, "a template is the parser's business");
        assert_eq!(hcl("x = [[ \"never closed\n", 1), Some(5..6));
        assert_eq!(hcl("x = \"never closed [[[\n", 1), None);
    }

    #[test]
    fn json_counts_brackets_outside_strings() {
        assert_eq!(json("{\"a\": [[1]]}", 3), None);
        assert_eq!(json("{\"a\": [[1]]}", 2), Some(7..8));
        assert_eq!(json("{\"a\\\"[[\": \"[[[[\"}", 1), None);
    }
}
