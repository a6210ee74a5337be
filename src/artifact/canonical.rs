//! Canonical JSON: the one byte form of a value, so equal data always hashes the same.
//!
//! - Object keys are sorted by their UTF-8 bytes (= Unicode code point order).
//! - Integers are written as integers (`12`, `-5`); other numbers in the shortest form that
//!   reads back to the same f64, always with a fraction or exponent (`2.5`, `2.0`, `1e-7`).
//! - Strings are escaped as JSON requires and no more: `"`, `\` and control characters;
//!   everything else is raw UTF-8.
//! - Compact form: no whitespace at all. Pretty form: two-space indent, `": "` after keys, one
//!   member per line, empty containers as `{}` and `[]`.

use std::fmt::Write as _;

use serde_json::Value;

/// Where each value was written, by JSON pointer, so diagnostics can point into the output.
pub type Spans = Vec<(String, std::ops::Range<usize>)>;

/// The compact canonical form (what digests are computed over).
pub fn compact(value: &Value) -> String {
    let mut w = Writer { out: String::new(), indent: None, spans: None };
    w.value(value, &mut String::new(), 0);
    w.out
}

/// The pretty canonical form, ending in a newline, with the span of every value.
pub fn pretty(value: &Value) -> (String, Spans) {
    let mut w = Writer { out: String::new(), indent: Some(2), spans: Some(Vec::new()) };
    w.value(value, &mut String::new(), 0);
    w.out.push('\n');
    (w.out, w.spans.unwrap_or_default())
}

/// One member of an object written by [`pretty_fields`]: a value, or a value already in compact
/// canonical form.
pub enum Field<'a> {
    Value(&'a Value),
    Compact(&'a str),
}

/// The pretty canonical form of an object given as its fields, ending in a newline: what
/// [`pretty`] writes for the same object, without building it (so a large ruleset is written
/// from its canonical text, never copied into a tree) and without spans.
pub fn pretty_fields(fields: &[(&str, Field<'_>)]) -> String {
    let size: usize = fields.iter().map(|(_, f)| if let Field::Compact(c) = f { c.len() * 2 } else { 64 }).sum();
    let mut w = Writer { out: String::with_capacity(size), indent: Some(2), spans: None };
    let mut sorted: Vec<&(&str, Field<'_>)> = fields.iter().collect();
    sorted.sort_unstable_by_key(|(key, _)| *key);
    w.out.push('{');
    for (i, (key, field)) in sorted.into_iter().enumerate() {
        if i > 0 {
            w.out.push(',');
        }
        w.newline(1);
        w.string(key);
        w.out.push_str(": ");
        match field {
            Field::Value(value) => w.value(value, &mut String::new(), 1),
            Field::Compact(text) => reindent(text, 1, &mut w.out),
        }
    }
    w.newline(0);
    w.out.push_str("}\n");
    w.out
}

/// Writes compact canonical JSON in the pretty form at `depth`: a newline and two spaces a level
/// after `{`, `[` and `,`, `": "` after keys, empty containers kept as `{}` and `[]`. Only the
/// layout changes, never a token, so the bytes equal [`pretty`] of the parsed value.
///
/// Every cut is just before or after an ASCII bracket, `,` or `:` outside a string, so each
/// slice of `compact` falls on character boundaries.
fn reindent(compact: &str, depth: usize, out: &mut String) {
    let bytes = compact.as_bytes();
    let mut depth = depth;
    let mut in_string = false;
    let mut i = 0;
    let newline = |out: &mut String, depth: usize| {
        out.push('\n');
        out.extend(std::iter::repeat_n(' ', 2 * depth));
    };
    let mut from = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if in_string {
            match b {
                b'\\' => i += 1,
                b'"' => in_string = false,
                _ => {}
            }
            i += 1;
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'{' | b'[' => {
                out.push_str(&compact[from..=i]);
                from = i + 1;
                let empty = matches!(bytes.get(i + 1), Some(b'}' | b']'));
                if empty {
                    out.push(bytes[i + 1] as char);
                    i += 2;
                    from = i;
                    continue;
                }
                depth += 1;
                newline(out, depth);
            }
            b'}' | b']' => {
                out.push_str(&compact[from..i]);
                depth = depth.saturating_sub(1);
                newline(out, depth);
                out.push(b as char);
                from = i + 1;
            }
            b',' => {
                out.push_str(&compact[from..=i]);
                newline(out, depth);
                from = i + 1;
            }
            b':' => {
                out.push_str(&compact[from..=i]);
                out.push(' ');
                from = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    out.push_str(&compact[from..]);
}

/// Appends `s` as a JSON string, escaped exactly as serde_json escapes it.
///
/// Escaped exactly as serde_json escapes it: `"`, `\\`, the short escapes `\b \f \n \r \t`,
/// other control characters as `\u00XX`; everything else raw.
pub fn push_string(out: &mut String, s: &str) {
    out.reserve(s.len() + 2);
    out.push('"');
    let mut from = 0;
    for (i, c) in s.char_indices() {
        let escaped = match c {
            '"' => "\\\"",
            '\\' => "\\\\",
            '\u{8}' => "\\b",
            '\u{c}' => "\\f",
            '\n' => "\\n",
            '\r' => "\\r",
            '\t' => "\\t",
            c if (c as u32) < 0x20 => "",
            _ => continue,
        };
        out.push_str(&s[from..i]);
        if escaped.is_empty() {
            let _ = write!(out, "\\u{:04x}", c as u32);
        } else {
            out.push_str(escaped);
        }
        from = i + c.len_utf8();
    }
    out.push_str(&s[from..]);
    out.push('"');
}

struct Writer {
    out: String,
    indent: Option<usize>,
    spans: Option<Spans>,
}

impl Writer {
    fn newline(&mut self, depth: usize) {
        if let Some(indent) = self.indent {
            self.out.push('\n');
            self.out.extend(std::iter::repeat_n(' ', indent * depth));
        }
    }

    /// Recursive: values come from a ruleset, from YAML (at most `max_depth` deep) or from
    /// serde_json (at most its recursion limit of 128), see ARCHITECTURE.md.
    fn value(&mut self, value: &Value, pointer: &mut String, depth: usize) {
        let start = self.out.len();
        let spans = self.spans.is_some();
        match value {
            Value::Null => self.out.push_str("null"),
            Value::Bool(b) => self.out.push_str(if *b { "true" } else { "false" }),
            Value::Number(n) => {
                let _ = write!(self.out, "{n}");
            }
            Value::String(s) => self.string(s),
            Value::Array(items) if items.is_empty() => self.out.push_str("[]"),
            Value::Array(items) => {
                self.out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        self.out.push(',');
                    }
                    self.newline(depth + 1);
                    let len = pointer.len();
                    if spans {
                        let _ = write!(pointer, "/{i}");
                    }
                    self.value(item, pointer, depth + 1);
                    pointer.truncate(len);
                }
                self.newline(depth);
                self.out.push(']');
            }
            Value::Object(map) if map.is_empty() => self.out.push_str("{}"),
            Value::Object(map) => {
                // serde_json's map is ordered by key bytes already; sort only if a build ever
                // turns on its insertion-ordered map.
                let mut keys: Vec<&String> = map.keys().collect();
                if !keys.is_sorted() {
                    keys.sort_unstable();
                }
                self.out.push('{');
                for (i, key) in keys.into_iter().enumerate() {
                    if i > 0 {
                        self.out.push(',');
                    }
                    self.newline(depth + 1);
                    self.string(key);
                    self.out.push_str(if self.indent.is_some() { ": " } else { ":" });
                    let len = pointer.len();
                    if spans {
                        pointer.push('/');
                        pointer.push_str(&crate::parse::yaml::escape(key));
                    }
                    if let Some(v) = map.get(key) {
                        self.value(v, pointer, depth + 1);
                    }
                    pointer.truncate(len);
                }
                self.newline(depth);
                self.out.push('}');
            }
        }
        if let Some(spans) = &mut self.spans {
            spans.push((pointer.clone(), start..self.out.len()));
        }
    }

    fn string(&mut self, s: &str) {
        push_string(&mut self.out, s);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keys_sorted_numbers_kept_apart() {
        let v = json!({"b": 1, "a": [2.5, 2.0, -5, "é\n"], "c": {}});
        assert_eq!(compact(&v), r#"{"a":[2.5,2.0,-5,"é\n"],"b":1,"c":{}}"#);
        let (text, spans) = pretty(&v);
        assert_eq!(
            text,
            "{\n  \"a\": [\n    2.5,\n    2.0,\n    -5,\n    \"é\\n\"\n  ],\n  \"b\": 1,\n  \"c\": {}\n}\n"
        );
        let b = spans.iter().find(|(p, _)| p == "/b").map(|(_, r)| r.clone());
        assert_eq!(b.map(|r| &text[r]), Some("1"));
        let fields = [("c", Field::Value(&v["c"])), ("a", Field::Value(&v["a"])), ("b", Field::Value(&v["b"]))];
        assert_eq!(pretty_fields(&fields), text, "an object written from its fields is the same bytes");
        let compact_a = compact(&v["a"]);
        let fields = [("c", Field::Value(&v["c"])), ("a", Field::Compact(&compact_a)), ("b", Field::Value(&v["b"]))];
        assert_eq!(pretty_fields(&fields), text, "a member given as compact text is reindented to the same bytes");
    }

    #[test]
    fn reindenting_compact_text_gives_the_pretty_form() {
        let v = json!({"x": {"a": [], "b": {}, "c": [1, {"d": "a,b:{c}[\\\"]"}], "e": {"f": {"g": 2.5}}}, "y": []});
        let mut out = String::new();
        reindent(&compact(&v), 0, &mut out);
        out.push('\n');
        assert_eq!(out, pretty(&v).0);
    }

    #[test]
    fn strings_are_escaped_exactly_as_serde_json_escapes_them() {
        let all: String = (0u32..0x300).chain([0x2028, 0x2029, 0xfeff, 0x1f600]).filter_map(char::from_u32).collect();
        for s in [all.as_str(), "", "plain", "quote\" and \\ back", "\u{7f}\u{0}\u{1f}"] {
            let mut w = Writer { out: String::new(), indent: None, spans: None };
            w.string(s);
            assert_eq!(w.out, serde_json::to_string(s).unwrap_or_default(), "{s:?}");
        }
    }
}
