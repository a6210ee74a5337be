//! Which JSON types a values schema allows at one place in the values: what decides how an
//! ambiguous plain scalar (`enabled: no`) is meant.

use serde_json::Value;

/// How many `$ref`s one lookup follows: a loop is refused before values are read (see
/// [`crate::model::schema_refs`]), so this only bounds a pathological chain.
const MAX_REFS: usize = 64;

/// The `type`s the schema allows for the value at `pointer` (a JSON pointer into the values),
/// following `properties`, `patternProperties`-free `additionalProperties`, `items`, local
/// `$ref`s and `allOf`. `None` when the schema says nothing there, or more than one thing.
pub fn types_at(schema: &Value, pointer: &str) -> Option<Vec<String>> {
    let mut node = resolve(schema, schema)?;
    for token in pointer.split('/').skip(1) {
        let key = token.replace("~1", "/").replace("~0", "~");
        node = child(schema, node, &key)?;
    }
    types(schema, node)
}

fn child<'a>(root: &'a Value, node: &'a Value, key: &str) -> Option<&'a Value> {
    if let Some(found) = node.get("properties").and_then(|p| p.get(key)) {
        return resolve(root, found);
    }
    if let Some(items) = node.get("items") {
        if key.parse::<usize>().is_ok() {
            return match items {
                Value::Array(list) => list.get(key.parse::<usize>().ok()?).and_then(|s| resolve(root, s)),
                schema => resolve(root, schema),
            };
        }
    }
    if node.get("patternProperties").is_some() {
        return None;
    }
    match node.get("additionalProperties") {
        Some(extra @ Value::Object(_)) => resolve(root, extra),
        _ => node.get("allOf")?.as_array()?.iter().filter_map(|s| resolve(root, s)).find_map(|s| child(root, s, key)),
    }
}

fn types(root: &Value, node: &Value) -> Option<Vec<String>> {
    match node.get("type") {
        Some(Value::String(t)) => Some(vec![t.clone()]),
        Some(Value::Array(list)) => list.iter().map(|t| t.as_str().map(str::to_string)).collect(),
        _ => node.get("allOf")?.as_array()?.iter().filter_map(|s| resolve(root, s)).find_map(|s| types(root, s)),
    }
}

/// A schema with its local `$ref`s followed.
fn resolve<'a>(root: &'a Value, mut node: &'a Value) -> Option<&'a Value> {
    for _ in 0..MAX_REFS {
        match node.get("$ref").and_then(Value::as_str) {
            Some(reference) => node = root.pointer(reference.strip_prefix('#')?)?,
            None => return Some(node),
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn types_follow_properties_items_and_refs() {
        let schema = json!({
            "type": "object",
            "properties": {
                "redis": {"$ref": "#/$defs/toggle"},
                "ports": {"type": "array", "items": {"type": ["integer", "string"]}},
                "labels": {"type": "object", "additionalProperties": {"type": "string"}}
            },
            "$defs": {"toggle": {"type": "object", "properties": {"enabled": {"type": "boolean"}}}}
        });
        assert_eq!(types_at(&schema, "/redis/enabled"), Some(vec!["boolean".to_string()]));
        assert_eq!(types_at(&schema, "/ports/3"), Some(vec!["integer".to_string(), "string".to_string()]));
        assert_eq!(types_at(&schema, "/labels/team"), Some(vec!["string".to_string()]));
        assert_eq!(types_at(&schema, "/other"), None);
    }
}
