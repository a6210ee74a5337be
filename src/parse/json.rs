//! Where a JSON pointer is written in a JSON text, so a problem found in a parsed schema can be
//! shown at its line and column. One scan with a stack, never recursion.

use std::ops::Range;

use crate::parse::depth::json_string_end;

/// One open container on the way to the value being read.
enum Open {
    /// An object; whether a member's key is on the path.
    Object { keyed: bool },
    /// An array (its index is the last token on the path).
    Array(usize),
}

/// The span of the value at `pointer` (RFC 6901) in `text`: the whole token for a string,
/// number or literal, the opening bracket for an object or array. `None` when the pointer is
/// not there or the text is not JSON as far as the scan gets.
pub fn locate(text: &str, pointer: &str) -> Option<Range<usize>> {
    let target: Vec<String> = match pointer {
        "" => Vec::new(),
        p => p.strip_prefix('/')?.split('/').map(|t| t.replace("~1", "/").replace("~0", "~")).collect(),
    };
    let bytes = text.as_bytes();
    let mut path: Vec<String> = Vec::new();
    let mut stack: Vec<Open> = Vec::new();
    let mut want_key = false;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b' ' | b'\t' | b'\n' | b'\r' | b':' => i += 1,
            b',' => {
                match stack.last_mut() {
                    Some(Open::Array(n)) => {
                        *n += 1;
                        path.pop();
                        path.push(n.to_string());
                    }
                    Some(Open::Object { keyed }) => {
                        if std::mem::take(keyed) {
                            path.pop();
                        }
                        want_key = true;
                    }
                    None => {}
                }
                i += 1;
            }
            b'}' | b']' => {
                if let Some(Open::Array(_) | Open::Object { keyed: true }) = stack.pop() {
                    path.pop();
                }
                want_key = false;
                i += 1;
            }
            first => {
                let end = match first {
                    b'"' => json_string_end(bytes, i)? + 1,
                    b'{' | b'[' => i + 1,
                    _ => {
                        let len = bytes[i..].iter().position(|b| b",:{}[] \t\r\n\"".contains(b));
                        i + len.unwrap_or(bytes.len() - i).max(1)
                    }
                };
                if want_key && first == b'"' {
                    let key: String = serde_json::from_str(text.get(i..end)?).ok()?;
                    path.push(key);
                    if let Some(Open::Object { keyed }) = stack.last_mut() {
                        *keyed = true;
                    }
                    want_key = false;
                    i = end;
                    continue;
                }
                if path == target {
                    return Some(i..end);
                }
                match first {
                    b'{' => {
                        stack.push(Open::Object { keyed: false });
                        want_key = true;
                    }
                    b'[' => {
                        stack.push(Open::Array(0));
                        path.push("0".to_string());
                    }
                    _ => {}
                }
                i = end;
            }
        }
    }
    None
}

/// The byte offset in `text` of where serde_json reports an error: its 1-based line, and its
/// 1-based column, which counts bytes, not characters. Moved back to a character boundary (an
/// error inside a character, or at the end of a text that ends in one) and into the text.
pub fn error_offset(text: &str, line: usize, column: usize) -> usize {
    let start: usize = text.split_inclusive('\n').take(line.saturating_sub(1)).map(str::len).sum();
    let mut at = start.saturating_add(column.saturating_sub(1)).min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_offsets_count_bytes_and_land_on_characters() {
        let at = |text: &str| match serde_json::from_str::<serde_json::Value>(text) {
            Ok(_) => None,
            Err(err) => Some(error_offset(text, err.line(), err.column())),
        };
        let text = "{\"a\": \"日本語\", x}";
        assert_eq!(at(text).map(|i| &text[i..]), Some("x}"));
        let text = "{\n  \"é\": 1,\n  \"日\": ?\n}";
        assert_eq!(at(text).map(|i| &text[i..]), Some("?\n}"));
        let text = "{\"a\": \"日本語";
        assert_eq!(at(text).map(|i| &text[i..]), Some("語"), "the last character, never inside it");
        assert_eq!(error_offset("ab", 9, 9), 2);
    }

    #[test]
    fn locates_values_by_pointer() {
        let text = "{\n  \"a\": {\"b\": [1, {\"c\": \"x\"}, []]},\n  \"d~/e\": true,\n  \"f\": {}\n}";
        let at = |p: &str| locate(text, p).map(|r| text[r].to_string());
        assert_eq!(at("").as_deref(), Some("{"));
        assert_eq!(at("/a/b").as_deref(), Some("["));
        assert_eq!(at("/a/b/0").as_deref(), Some("1"));
        assert_eq!(at("/a/b/1/c").as_deref(), Some("\"x\""));
        assert_eq!(at("/a/b/2").as_deref(), Some("["));
        assert_eq!(at("/d~0~1e").as_deref(), Some("true"));
        assert_eq!(at("/f").as_deref(), Some("{"));
        assert_eq!(at("/a/c"), None);
        assert_eq!(at("/a/b/3"), None);
    }

    #[test]
    fn keys_with_escapes_are_decoded() {
        let text = r#"{"a\"b": {"\u0063": 1}}"#;
        assert_eq!(locate(text, "/a\"b/c").map(|r| &text[r]), Some("1"));
    }
}
