//! The single-thread parse floor the benchmark compares `rulesctl check` with: read every rule
//! file of a repository one after another, parse it with hcl-edit, turn it into JSON (hcl-rs's
//! `from_body`, as terraform's JSON form) and validate that against a JSON Schema of a rule
//! file's shape, compiled once. No spans kept, no
//! checks, no report: the least any HCL-plus-schema validator must do with the same files.
//!
//! usage: parse-floor DIR   (prints the number of files and bytes read)

use std::path::Path;

fn main() {
    let dir = std::env::args().nth(1).unwrap_or_else(|| ".".to_string());
    let rules = Path::new(&dir).join("rules");
    let mut names: Vec<_> = match std::fs::read_dir(&rules) {
        Ok(entries) => entries.flatten().map(|e| e.path()).collect(),
        Err(e) => {
            eprintln!("parse-floor: {}: {e}", rules.display());
            std::process::exit(2);
        }
    };
    names.sort();
    let schema = serde_json::json!({
        "type": "object",
        "additionalProperties": false,
        "properties": {
            "ruleset_version": { "type": "string" },
            "spawn_config": { "type": "object", "required": ["region", "base_rate", "max_concurrent", "cooldown_ms", "loot_table"] },
            "event_stream": { "type": "object", "required": ["region", "max_len", "max_in_flight", "backoff_multiplier", "max_backoff_ms"] },
            "loot_table": {
                "type": "object",
                "additionalProperties": {
                    "type": "object",
                    "properties": { "item": { "type": "object", "additionalProperties": {
                        "type": "object", "required": ["weight"], "properties": { "weight": { "type": "integer" } } } } }
                }
            },
            "event_timers": { "type": "object" },
            "safety_bounds": { "type": "object" }
        }
    });
    let Ok(validator) = jsonschema::validator_for(&schema) else {
        eprintln!("parse-floor: the schema does not compile");
        std::process::exit(2);
    };
    let (mut files, mut bytes, mut invalid) = (0usize, 0usize, 0usize);
    for path in names {
        let Ok(text) = std::fs::read_to_string(&path) else { continue };
        files += 1;
        bytes += text.len();
        let Ok(body) = hcl::edit::parser::parse_body(&text) else {
            invalid += 1;
            continue;
        };
        let Ok(value) = hcl::from_body::<serde_json::Value>(hcl::Body::from(body)) else {
            invalid += 1;
            continue;
        };
        if !validator.is_valid(&value) {
            if invalid == 0 && std::env::var_os("PARSE_FLOOR_SHOW").is_some() {
                eprintln!("{value}");
            }
            invalid += 1;
        }
    }
    println!("{files} files, {bytes} bytes, {invalid} invalid");
}
