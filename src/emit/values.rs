//! Rendered Helm values: the merged document (overrides merged, declared values injected),
//! written as YAML that YAML 1.1 (Helm) and YAML 1.2 read the same way.

use serde_json::Value;

/// Where a rendered file came from, for its header comment.
pub struct Header<'a> {
    pub environment: &'a str,
    /// (path, sha256) of values.yaml and the environment file.
    pub sources: Vec<(&'a str, &'a str)>,
    /// The ruleset's version and digest; `None` for a values-only project.
    pub ruleset: Option<(&'a str, &'a str)>,
}

/// The rendered file: a header naming its sources, then the values.
pub fn render(values: &Value, header: &Header<'_>) -> String {
    let mut out = format!(
        "# Rendered by rulesctl {} for environment `{}`. Do not edit: change the sources and re-render.\n",
        env!("CARGO_PKG_VERSION"),
        header.environment
    );
    for (path, sha) in &header.sources {
        out.push_str(&format!("# source: {path} sha256:{sha}\n"));
    }
    if let Some((version, digest)) = header.ruleset {
        out.push_str(&format!("# ruleset: {version} {digest}\n"));
    }
    write_map(values, 0, &mut out);
    out
}

/// A mapping as YAML in the same YAML 1.1-safe style, without a header.
pub fn yaml(value: &Value) -> String {
    let mut out = String::new();
    write_map(value, 0, &mut out);
    out
}

fn write_map(value: &Value, indent: usize, out: &mut String) {
    let Value::Object(map) = value else { return };
    let mut keys: Vec<&String> = map.keys().collect();
    keys.sort_unstable();
    for key in keys {
        let Some(v) = map.get(key) else { continue };
        out.push_str(&" ".repeat(indent));
        out.push_str(&key_text(key));
        out.push(':');
        write_value(v, indent, out);
    }
}

/// Writes a value after `key:` (or `-`), starting on the same line.
fn write_value(v: &Value, indent: usize, out: &mut String) {
    match v {
        Value::Object(m) if !m.is_empty() => {
            out.push('\n');
            write_map(v, indent + 2, out);
        }
        Value::Array(items) if !items.is_empty() => {
            out.push('\n');
            for item in items {
                out.push_str(&" ".repeat(indent + 2));
                out.push('-');
                match item {
                    Value::Object(m) if !m.is_empty() => {
                        // The first key goes on the dash's line; the rest align under it.
                        let mut nested = String::new();
                        write_map(item, indent + 4, &mut nested);
                        out.push(' ');
                        out.push_str(nested.trim_start());
                    }
                    _ => write_value(item, indent + 2, out),
                }
            }
        }
        scalar => {
            out.push(' ');
            out.push_str(&scalar_text(scalar));
            out.push('\n');
        }
    }
}

/// A scalar that reads back as the same value under YAML 1.1 and 1.2.
pub fn scalar_text(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) if n.is_f64() => float_text(&n.to_string()),
        Value::Number(n) => n.to_string(),
        Value::String(s) => quoted(s),
        Value::Object(_) => "{}".into(),
        Value::Array(_) => "[]".into(),
    }
}

/// A string as a double-quoted scalar: JSON's quoting (YAML reads it alike), and the three
/// characters YAML 1.1 readers (Helm's go-yaml, PyYAML) take for line breaks, NEL, LS and PS,
/// escaped, since a raw line break in a quoted scalar is folded into a space there.
fn quoted(s: &str) -> String {
    let json = Value::String(s.to_string()).to_string();
    if !json.contains(['\u{85}', '\u{2028}', '\u{2029}']) {
        return json;
    }
    json.replace('\u{85}', "\\u0085").replace('\u{2028}', "\\u2028").replace('\u{2029}', "\\u2029")
}

/// YAML 1.1 floats need a `.` and a signed exponent: `1e-7` would be a string there.
fn float_text(repr: &str) -> String {
    let (mantissa, exp) = match repr.split_once(['e', 'E']) {
        Some((m, e)) => (m.to_string(), Some(e)),
        None => (repr.to_string(), None),
    };
    let mantissa = if mantissa.contains('.') { mantissa } else { format!("{mantissa}.0") };
    match exp {
        Some(e) if e.starts_with(['-', '+']) => format!("{mantissa}e{e}"),
        Some(e) => format!("{mantissa}e+{e}"),
        None => mantissa,
    }
}

/// Keys stay plain only when no YAML version could read them as anything but a string.
fn key_text(key: &str) -> String {
    let plain = key.bytes().next().is_some_and(|b| b.is_ascii_alphabetic())
        && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        && !matches!(
            key.to_ascii_lowercase().as_str(),
            "y" | "n" | "yes" | "no" | "on" | "off" | "true" | "false" | "null"
        );
    if plain {
        key.to_string()
    } else {
        quoted(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn ambiguous_scalars_are_quoted() {
        let v = json!({"on": "yes", "a": ["0755", 1, 2.5, 1e-7, true, null, {"b": "c", "d": []}], "e": {}});
        let mut out = String::new();
        write_map(&v, 0, &mut out);
        assert_eq!(out, "a:\n  - \"0755\"\n  - 1\n  - 2.5\n  - 1.0e-7\n  - true\n  - null\n  - b: \"c\"\n    d: []\ne: {}\n\"on\": \"yes\"\n");
    }
}
