//! Canonical JSON: the one byte form of a value, so equal data always hashes the same.
//!
//! - Object keys are sorted by their UTF-8 bytes (= Unicode code point order).
//! - Integers are written as integers (`12`, `-5`); other numbers in the shortest form that
//!   reads back to the same f64, always with a fraction or exponent (`2.5`, `2.0`, `1e-7`).
//! - Strings are escaped as JSON requires and no more: `"`, `\` and control characters;
//!   everything else is raw UTF-8.
//! - Compact form: no whitespace at all. Pretty form: two-space indent, `": "` after keys, one
//!   member per line, empty containers as `{}` and `[]`.

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

    fn value(&mut self, value: &Value, pointer: &mut String, depth: usize) {
        let start = self.out.len();
        match value {
            Value::Null => self.out.push_str("null"),
            Value::Bool(b) => self.out.push_str(if *b { "true" } else { "false" }),
            Value::Number(n) => self.out.push_str(&n.to_string()),
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
                    pointer.push_str(&format!("/{i}"));
                    self.value(item, pointer, depth + 1);
                    pointer.truncate(len);
                }
                self.newline(depth);
                self.out.push(']');
            }
            Value::Object(map) if map.is_empty() => self.out.push_str("{}"),
            Value::Object(map) => {
                let mut keys: Vec<&String> = map.keys().collect();
                keys.sort_unstable();
                self.out.push('{');
                for (i, key) in keys.into_iter().enumerate() {
                    if i > 0 {
                        self.out.push(',');
                    }
                    self.newline(depth + 1);
                    self.string(key);
                    self.out.push_str(if self.indent.is_some() { ": " } else { ":" });
                    let len = pointer.len();
                    pointer.push('/');
                    pointer.push_str(&key.replace('~', "~0").replace('/', "~1"));
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
        self.out.push_str(&Value::String(s.to_string()).to_string());
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
    }
}
