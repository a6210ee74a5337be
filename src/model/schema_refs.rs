//! Where a values schema's `$ref`s lead, for the two ways a schema can be unusable before it is
//! compiled: a `$ref` to another document (rulesctl never fetches one, so it is named, not
//! followed), and a loop: `$ref`s (and `allOf`, `not`, `if` and the like) that lead back to
//! where they started without stepping into the value. A loop never says anything about a value
//! (the validator quietly accepts everything it meets), so it is refused. Recursion that steps
//! into the value (`properties`, `items`) is fine: the value's own depth ends it.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

/// Keywords whose subschemas apply to the same value, in place.
const IN_PLACE_ONE: &[&str] = &["not", "if", "then", "else"];
const IN_PLACE_MANY: &[&str] = &["allOf", "anyOf", "oneOf"];
/// Keywords that hold data, not schemas: a `$ref` inside them is only text.
const DATA: &[&str] = &["enum", "const", "default", "examples"];

/// One schema on the walk: its pointer, its edges (where written, target), the next to follow.
type Step = (String, Vec<(String, String)>, usize);

/// A loop: where its first `$ref` is written, and the schemas it passes through, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Loop {
    /// The JSON pointer of the `$ref` keyword that starts the loop.
    pub reference: String,
    /// The pointers of the schemas on the loop, from the first back to it.
    pub through: Vec<String>,
}

/// The first loop in `schema`, in document order; `None` when there is none. Iterative, with
/// every schema visited once, so a schema with a million `$ref`s is settled in linear time.
pub fn find(schema: &Value) -> Option<Loop> {
    let nodes = schemas(schema);
    // 0: not seen, 1: on the current path, 2: done.
    let mut state: BTreeMap<&str, u8> = BTreeMap::new();
    for start in &nodes {
        if state.get(start.as_str()).copied().unwrap_or(0) != 0 {
            continue;
        }
        let mut path: Vec<Step> = vec![(start.clone(), edges(schema, start), 0)];
        state.insert(start.as_str(), 1);
        while let Some((node, out, next)) = path.last_mut() {
            let Some((via, target)) = out.get(*next).cloned() else {
                let done = node.clone();
                path.pop();
                if let Some(key) = nodes.get(&done) {
                    state.insert(key.as_str(), 2);
                }
                continue;
            };
            *next += 1;
            let Some(key) = nodes.get(&target) else { continue };
            match state.get(key.as_str()).copied().unwrap_or(0) {
                0 => {
                    state.insert(key.as_str(), 1);
                    let out = edges(schema, &target);
                    path.push((target, out, 0));
                }
                1 => {
                    let from = path.iter().position(|(n, _, _)| *n == target).unwrap_or(0);
                    let mut through: Vec<String> = path[from..].iter().map(|(n, _, _)| n.clone()).collect();
                    through.push(target);
                    let reference = first_reference(schema, &through).unwrap_or(via);
                    return Some(Loop { reference, through });
                }
                _ => {}
            }
        }
    }
    None
}

/// The `$ref` keyword of the first schema on the loop that has one leading to the next.
fn first_reference(schema: &Value, through: &[String]) -> Option<String> {
    through.windows(2).find_map(|pair| {
        let (node, next) = (&pair[0], &pair[1]);
        let target = schema.pointer(node)?.get("$ref")?.as_str().and_then(local)?;
        (target == *next).then(|| format!("{node}/$ref"))
    })
}

/// Every schema object in the document by pointer, data keywords left out.
fn schemas(schema: &Value) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut stack = vec![(String::new(), schema)];
    while let Some((pointer, value)) = stack.pop() {
        match value {
            Value::Object(map) => {
                found.insert(pointer.clone());
                for (key, child) in map {
                    if !DATA.contains(&key.as_str()) {
                        stack.push((format!("{pointer}/{}", crate::parse::yaml::escape(key)), child));
                    }
                }
            }
            Value::Array(items) => {
                for (i, child) in items.iter().enumerate() {
                    stack.push((format!("{pointer}/{i}"), child));
                }
            }
            _ => {}
        }
    }
    found
}

/// The in-place edges out of the schema at `pointer`: (where the edge is written, target).
fn edges(schema: &Value, pointer: &str) -> Vec<(String, String)> {
    let Some(Value::Object(map)) = schema.pointer(pointer) else { return Vec::new() };
    let mut out = Vec::new();
    if let Some(target) = map.get("$ref").and_then(Value::as_str).and_then(local) {
        out.push((format!("{pointer}/$ref"), target));
    }
    for key in IN_PLACE_ONE {
        if map.get(*key).is_some_and(Value::is_object) {
            let at = format!("{pointer}/{key}");
            out.push((at.clone(), at));
        }
    }
    for key in IN_PLACE_MANY {
        if let Some(Value::Array(items)) = map.get(*key) {
            for i in 0..items.len() {
                let at = format!("{pointer}/{key}/{i}");
                out.push((at.clone(), at));
            }
        }
    }
    if let Some(Value::Object(dependent)) = map.get("dependentSchemas") {
        for name in dependent.keys() {
            let at = format!("{pointer}/dependentSchemas/{}", crate::parse::yaml::escape(name));
            out.push((at.clone(), at));
        }
    }
    out
}

/// The JSON pointer a same-document `$ref` (`#`, `#/a/b`, percent-encoded or not) names.
fn local(reference: &str) -> Option<String> {
    let fragment = reference.strip_prefix('#')?;
    if !(fragment.is_empty() || fragment.starts_with('/')) {
        return None;
    }
    let bytes = fragment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

/// The first `$ref` or `$schema` (keys taken in sorted order) that names another document, as (its
/// pointer, what it names). The meta-schemas of the JSON Schema drafts are built in, so
/// `$schema` naming one of them is not another document.
pub fn first_remote(schema: &Value) -> Option<(String, String)> {
    let mut stack = vec![(String::new(), schema)];
    while let Some((pointer, value)) = stack.pop() {
        match value {
            Value::Object(map) => {
                for key in ["$ref", "$schema", "$dynamicRef", "$recursiveRef"] {
                    let Some(target) = map.get(key).and_then(Value::as_str) else { continue };
                    let builtin = key == "$schema"
                        && (target.starts_with("https://json-schema.org/")
                            || target.starts_with("http://json-schema.org/"));
                    if !target.starts_with('#') && !builtin {
                        return Some((format!("{pointer}/{key}"), target.to_string()));
                    }
                }
                for (key, child) in map.iter().rev() {
                    if !DATA.contains(&key.as_str()) {
                        stack.push((format!("{pointer}/{}", crate::parse::yaml::escape(key)), child));
                    }
                }
            }
            Value::Array(items) => {
                for (i, child) in items.iter().enumerate().rev() {
                    stack.push((format!("{pointer}/{i}"), child));
                }
            }
            _ => {}
        }
    }
    None
}

/// `#/a/b` for a pointer, as a `$ref` would write it.
pub fn as_reference(pointer: &str) -> String {
    format!("#{pointer}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_ref_to_itself_loops() {
        let found = find(&json!({"$ref": "#"})).map(|l| (l.reference, l.through));
        assert_eq!(found, Some(("/$ref".to_string(), vec![String::new(), String::new()])));
    }

    #[test]
    fn mutually_recursive_refs_loop() {
        let schema = json!({"$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"allOf": [{"$ref": "#/%24defs/a"}]}}});
        let found = find(&schema).map(|l| l.reference);
        assert_eq!(found.as_deref(), Some("/$defs/a/$ref"));
    }

    #[test]
    fn remote_references_are_named_in_document_order() {
        let schema = json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "properties": {"a": {"$ref": "#/$defs/x"}, "b": {"items": [{"$ref": "file:///etc/passwd"}]}},
            "$defs": {"x": {"$ref": "http://example.invalid/y.json"}},
            "default": {"$ref": "https://example.invalid/data-not-schema"},
        });
        let found = first_remote(&schema);
        assert_eq!(found, Some(("/$defs/x/$ref".to_string(), "http://example.invalid/y.json".to_string())));
        assert_eq!(first_remote(&json!({"$ref": "#/a", "a": {}})), None);
    }

    #[test]
    fn recursion_through_the_value_is_fine() {
        let tree = json!({
            "$ref": "#/$defs/node",
            "$defs": {"node": {"type": "object", "properties": {"child": {"$ref": "#/$defs/node"}},
                               "additionalProperties": {"$ref": "#"}}},
            "default": {"$ref": "#"},
        });
        assert_eq!(find(&tree), None);
    }
}
