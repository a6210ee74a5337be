//! values.yaml and the environments: deep merge with spans, and schema validation at positions.

use std::collections::BTreeSet;

use jsonschema::error::ValidationErrorKind;
use serde_json::Value;

use crate::declare_code;
use crate::diagnostic::{Diagnostic, Sink};
use crate::model::decode::suggest;
use crate::model::values::Environment;
use crate::parse::yaml::Document;
use crate::source::FileId;

declare_code! {
    /// A values or environment file does not match its schema.
    ///
    /// `values.yaml` follows the chart's values (`schema/values.schema.json`) and each
    /// `environments/<env>.yaml` follows `schema/environment.schema.json`; after an
    /// environment's overrides are merged, the result must still match the values schema.
    /// Unknown keys, wrong types, missing keys and malformed strings are all reported at their
    /// line; values are never echoed, so a misplaced secret does not leak into CI logs.
    ///
    /// Fix: correct the value as the message says; the closest known key is suggested.
    pub static SCHEMA = ("H001", "schema-violation", Error);
}

/// One environment: its file, its typed facts, and values.yaml with its overrides merged in.
#[derive(Debug)]
pub struct EnvDoc {
    pub name: String,
    pub file: FileId,
    pub doc: Document,
    pub env: Option<Environment>,
    pub merged: Option<Document>,
}

/// Everything about rendering that a check may look at.
#[derive(Debug, Default)]
pub struct Deploy {
    pub values: Option<Document>,
    pub environments: Vec<EnvDoc>,
}

/// A document to check: values.yaml alone, or one environment's merged values.
pub struct Target<'a> {
    pub doc: &'a Document,
    pub env: Option<&'a EnvDoc>,
}

impl Target<'_> {
    /// " in environment `prod`" when `span` lies in this environment's own file; empty when it
    /// lies in values.yaml, so the same problem found through every environment reads the same
    /// and is reported once.
    pub fn env_suffix(&self, span: crate::source::Span) -> String {
        match self.env {
            Some(env) if span.file == env.file => format!(" in environment `{}`", env.name),
            _ => String::new(),
        }
    }
}

impl Deploy {
    /// values.yaml itself, then every environment that merged.
    pub fn targets(&self) -> Vec<Target<'_>> {
        let base = self.values.iter().map(|doc| Target { doc, env: None });
        let envs = self.environments.iter().filter_map(|e| e.merged.as_ref().map(|doc| Target { doc, env: Some(e) }));
        base.chain(envs).collect()
    }
}

/// Deep-merges the environment's `overrides` over `base`: maps merge, scalars and lists replace.
/// Every value keeps the span of the file it came from.
pub fn merge(base: &Document, env: &Document) -> Document {
    let mut merged = base.clone();
    if let Some(overrides) = env.value.get("overrides") {
        merge_into(&mut merged, "", overrides, env);
    }
    merged
}

fn merge_into(merged: &mut Document, pointer: &str, over: &Value, env: &Document) {
    let Value::Object(entries) = over else { return };
    for (key, value) in entries {
        let child = format!("{pointer}/{}", key.replace('~', "~0").replace('/', "~1"));
        let both_maps = value.is_object() && merged.value.pointer(&child).is_some_and(Value::is_object);
        if both_maps {
            merge_into(merged, &child, value, env);
            continue;
        }
        if let Some(Value::Object(parent)) = merged.value.pointer_mut(if pointer.is_empty() { "" } else { pointer }) {
            parent.insert(key.clone(), value.clone());
        } else {
            continue;
        }
        let prefix = format!("{child}/");
        merged.spans.retain(|p, _| p != &child && !p.starts_with(&prefix));
        let source = format!("/overrides{child}");
        let source_prefix = format!("{source}/");
        for (p, span) in env.spans.iter().filter(|(p, _)| *p == &source || p.starts_with(&source_prefix)) {
            merged.spans.insert(p["/overrides".len()..].to_string(), *span);
        }
    }
}

/// Validates `doc` against `validator`, reporting at YAML positions; pointers in `skip` (already
/// reported as literal credentials) are left alone. Returns whether it is valid.
pub fn validate(
    doc: &Document,
    validator: &jsonschema::Validator,
    schema: &Value,
    what: &str,
    skip: &BTreeSet<String>,
    sink: &mut Sink,
) -> bool {
    let mut valid = true;
    for err in validator.iter_errors(&doc.value) {
        valid = false;
        let pointer = err.instance_path().as_str().to_string();
        if skip.iter().any(|s| pointer == *s || pointer.starts_with(&format!("{s}/"))) {
            continue;
        }
        let at = dotted(&pointer);
        match err.kind() {
            ValidationErrorKind::AdditionalProperties { unexpected } => {
                let known = known_keys(schema, err.schema_path().as_str());
                for key in unexpected {
                    let child = format!("{pointer}/{}", key.replace('~', "~0").replace('/', "~1"));
                    if skip.contains(&child) {
                        continue;
                    }
                    let place = if at.is_empty() { format!("the top level of {what}") } else { format!("`{at}`") };
                    sink.push(
                        Diagnostic::new(&SCHEMA, doc.key_span(&child), format!("unknown key `{key}` in {place}"))
                            .label("unknown key")
                            .help(suggest(key, known.iter().map(String::as_str))),
                    );
                }
            }
            ValidationErrorKind::Required { property } => {
                let key = property.as_str().unwrap_or_default();
                let place = if at.is_empty() { what.to_string() } else { format!("`{at}`") };
                sink.push(
                    Diagnostic::new(
                        &SCHEMA,
                        doc.key_span(&pointer),
                        format!("{place} is missing the required key `{key}`"),
                    )
                    .label(format!("`{key}` missing"))
                    .help(format!("add `{key}:`; see schema/{}", schema_file(what))),
                );
            }
            _ => {
                let message = err.masked().to_string();
                sink.push(
                    Diagnostic::new(&SCHEMA, doc.span(&pointer), format!("`{at}`: {message}"))
                        .label("does not match the schema")
                        .help(format!("see schema/{} for what `{at}` takes", schema_file(what))),
                );
            }
        }
    }
    valid
}

fn schema_file(what: &str) -> &'static str {
    if what.contains("environment") {
        "environment.schema.json"
    } else {
        "values.schema.json"
    }
}

/// The property names next to a failing `additionalProperties`, following one `$ref`.
fn known_keys(schema: &Value, schema_path: &str) -> Vec<String> {
    let parent = schema_path.strip_suffix("/additionalProperties").unwrap_or(schema_path);
    let mut node = schema.pointer(parent);
    if let Some(reference) = node.and_then(|n| n.get("$ref")).and_then(Value::as_str) {
        node = schema.pointer(reference.trim_start_matches('#'));
    }
    node.and_then(|n| n.get("properties"))
        .and_then(Value::as_object)
        .map(|p| p.keys().cloned().collect())
        .unwrap_or_default()
}

/// `/gameServer/sidecar/image` → `gameServer.sidecar.image`.
pub fn dotted(pointer: &str) -> String {
    pointer
        .trim_start_matches('/')
        .split('/')
        .map(|p| p.replace("~1", "/").replace("~0", "~"))
        .collect::<Vec<_>>()
        .join(".")
}

declare_code! {
    /// An environment file's name is not a valid environment name.
    ///
    /// The file name is the environment's name, and it becomes a folder under `dist/` and a
    /// Kubernetes label: lower-case letters, digits and `-` only, directly in the environments
    /// folder.
    ///
    /// Fix: rename the file, for example `Prod_EU.yaml` to `prod-eu.yaml`.
    pub static ENV_NAME = ("H013", "invalid-environment-name", Error);
}

declare_code! {
    /// There are environments but no values.yaml, or the configured values file is missing.
    ///
    /// Every environment is rendered from `values.yaml` (or `paths { values = ... }`) plus its
    /// overrides; without it there is nothing to render.
    ///
    /// Fix: create values.yaml, or correct `paths.values` in rulesctl.hcl.
    pub static VALUES_MISSING = ("H015", "values-missing", Error);
}

/// `[a-z0-9-]+`.
pub fn is_env_name(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}
