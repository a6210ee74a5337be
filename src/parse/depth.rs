//! How deep JSON nests, found by scanning it once with a counter, never by recursion: the check
//! that runs before a parser that recurses, so a hostile 100,000-deep file is refused at the
//! bracket that crossed the limit, with a message that names the limit. HCL has its own scan,
//! [`super::nesting`].

use std::ops::Range;

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
    fn json_counts_brackets_outside_strings() {
        assert_eq!(json("{\"a\": [[1]]}", 3), None);
        assert_eq!(json("{\"a\": [[1]]}", 2), Some(7..8));
        assert_eq!(json("{\"a\\\"[[\": \"[[[[\"}", 1), None);
    }
}
