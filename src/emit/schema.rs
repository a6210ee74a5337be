//! JSON Schemas (draft 2020-12) of the rules (as JSON) and the environment files. The
//! environment schema comes from its serde type; the rules schema from the dialect table.
//! `schema/` holds the generated files; a test fails when they are stale.

use std::sync::OnceLock;

use serde_json::{json, Map, Value};

use crate::model::dialect::{BlockSpec, Format, Kind, RULES};
use crate::model::values::Environment;

/// File name → schema, in the order `rulesctl schema` writes them. The values schema is the
/// chart's own `values.schema.json`: rulesctl knows no chart's key names.
pub fn all() -> Vec<(&'static str, Value)> {
    vec![("rules.schema.json", rules()), ("environment.schema.json", environment())]
}

pub fn environment() -> Value {
    serde_json::to_value(schemars::schema_for!(Environment)).unwrap_or(Value::Null)
}

/// The canonical ruleset, as it appears under `ruleset` in the artifact.
pub fn rules() -> Value {
    let block = |name: &str| RULES.blocks.iter().find(|b| b.name == name);
    let object = |spec: Option<&BlockSpec>| spec.map_or(Value::Null, |s| attrs(s, &[]));
    let named = |spec: Option<&BlockSpec>, skip: &[&str]| {
        json!({ "type": "object", "propertyNames": { "pattern": "^[a-z][a-z0-9_]{0,63}$" },
                "additionalProperties": spec.map_or(Value::Null, |s| attrs(s, skip)) })
    };
    let item = block("loot_table").and_then(|t| t.blocks.first());
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "rulesctl ruleset",
        "description": "The canonical ruleset, as it appears under `ruleset` in a rulesctl artifact.",
        "type": "object",
        "additionalProperties": false,
        "required": ["ruleset_version", "spawn_configs", "loot_tables", "event_streams", "event_timers", "safety_bounds"],
        "properties": {
            "ruleset_version": { "type": "string", "pattern": "^v[0-9]+\\.[0-9]+\\.[0-9]+" },
            "spawn_configs": named(block("spawn_config"), &["region"]),
            "event_streams": named(block("event_stream"), &["region"]),
            "loot_tables": { "type": "object", "propertyNames": { "pattern": "^[a-z][a-z0-9_]{0,63}$" },
                "additionalProperties": { "type": "object", "additionalProperties": false, "required": ["items"],
                    "properties": { "items": named(item, &[]) } } },
            "event_timers": object(block("event_timers")),
            "safety_bounds": object(block("safety_bounds")),
        },
    })
}

/// A block's attributes as a closed object schema, leaving out the ones that became keys.
fn attrs(spec: &BlockSpec, skip: &[&str]) -> Value {
    let mut properties = Map::new();
    let mut required = Vec::new();
    for attr in spec.attrs.iter().filter(|a| !skip.contains(&a.name)) {
        let mut schema = match attr.kind {
            Kind::Int => json!({ "type": "integer" }),
            Kind::Number => json!({ "type": "number" }),
            Kind::Str(Format::Name) => json!({ "type": "string", "pattern": "^[a-z][a-z0-9_]{0,63}$" }),
            Kind::Str(Format::UtcTime) => json!({ "type": "string", "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9] UTC$" }),
            Kind::Str(_) => json!({ "type": "string" }),
            Kind::Strings => json!({ "type": "array", "items": { "type": "string" } }),
            Kind::StringMap => json!({ "type": "object", "additionalProperties": { "type": "string" } }),
        };
        if let Some((min, max)) = attr.range {
            schema["minimum"] = json!(min);
            schema["maximum"] = json!(max);
        }
        schema["description"] = json!(attr.doc);
        properties.insert(attr.name.to_string(), schema);
        if attr.required {
            required.push(attr.name);
        }
    }
    json!({ "type": "object", "additionalProperties": false, "required": required, "properties": properties })
}

/// The compiled environment validator, built once per process.
pub fn environment_validator() -> Option<&'static jsonschema::Validator> {
    static VALIDATOR: OnceLock<Option<jsonschema::Validator>> = OnceLock::new();
    VALIDATOR.get_or_init(|| jsonschema::validator_for(&environment()).ok()).as_ref()
}
