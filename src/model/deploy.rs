//! values.yaml and the environments: deep merge with spans, and schema validation at positions.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Bound;

use jsonschema::error::ValidationErrorKind;
use serde_json::{Map, Value};

use crate::diagnostic::declare_code;
use crate::diagnostic::{Diagnostic, Sink};
use crate::diagnostic::{FileId, Span};
use crate::model::decode::close_match;
use crate::model::near::Near;
use crate::model::values::Environment;
use crate::parse::yaml::escape;
use crate::parse::yaml::{Document, Pointer};

declare_code! {
    /// A values or environment file does not match its schema.
    ///
    /// `values.yaml`, and every environment's values after its overrides are merged and the
    /// declared values injected, follow the chart's own `values.schema.json` (`paths.chart` or
    /// `paths.values_schema` in rulesctl.hcl); without one, unknown keys are not errors. Each
    /// `environments/<env>.yaml` follows `schema/environment.schema.json`. Unknown keys, wrong
    /// types, missing keys and malformed strings are all reported at their line; values are
    /// never echoed, so a misplaced secret does not leak into CI logs.
    ///
    /// Fix: correct the value as the message says; a close known key is suggested.
    pub static SCHEMA = ("H001", "schema-violation", Error);
}

declare_code! {
    /// The values schema cannot be used.
    ///
    /// The chart's `values.schema.json` (or the file `paths.values_schema` names) is missing,
    /// is not JSON, is not a valid JSON Schema, or refers to another document with `$ref` or
    /// `$schema`. rulesctl never fetches anything: a `$ref` must point inside the same file
    /// (`#/...`). A schema is input like any other, so a hostile one ends here too: one that
    /// nests deeper than `limits { max_depth = N }` (64 unless set lower), is larger than
    /// `limits { max_file_bytes = N }` (that is `L004`), or whose `$ref`s loop without
    /// stepping into the value (`{"$ref": "#"}`) is refused before it is compiled; a `pattern`
    /// whose regular expression backtracks past its limit on some value (`^(a|a)*$` against
    /// a long `aaaa…!`) is reported at that value. Without a usable schema the values cannot
    /// be validated, so this is an error.
    ///
    /// Fix: correct the schema at the position shown (copy a referenced document into `$defs`,
    /// end a `$ref` loop, rewrite a pattern without nested repetition or backreferences), or
    /// fix the path in rulesctl.hcl.
    pub static SCHEMA_UNUSABLE = ("H016", "values-schema-unusable", Error);
}

/// One environment: its file, its typed facts, and values.yaml with its overrides merged in and
/// the declared values injected.
#[derive(Debug)]
pub struct EnvDoc {
    pub name: String,
    pub file: FileId,
    /// The file as written; `None` when it could not be read or parsed (already reported).
    pub doc: Option<Document>,
    pub env: Option<Environment>,
    /// What renders; `None` when the environment or values.yaml is unusable.
    pub merged: Option<Document>,
    /// What the checks see: the chart's defaults under `merged`, without the dependencies it
    /// switches off; `None` when the chart has no defaults (then `merged` is checked).
    pub effective: Option<Document>,
    /// The literal credentials in the file, found before they were masked: (pointer, what).
    pub credentials: Vec<(String, &'static str)>,
    /// What each check of one document found in this environment's values, when they were
    /// checked as soon as they were merged and then dropped (`merged` and `effective` are then
    /// `None`): a run that only reports (`pipeline::analyze_for_report`) never holds every
    /// environment's copy of values.yaml at once. `check::run` reports them with each check's
    /// own findings, in the order it would have found them.
    pub checked: Vec<(&'static crate::diagnostic::Code, Sink)>,
    /// The file `build` writes for this environment, rendered as soon as the values were
    /// merged and checked, when they were then dropped (`pipeline::analyze_for_build`).
    pub rendered_file: Option<String>,
}

/// Everything about rendering that a check may look at.
#[derive(Debug, Default)]
pub struct Deploy {
    /// values.yaml as written (with literal credentials masked).
    pub values: Option<Document>,
    /// The literal credentials in values.yaml, found before they were masked: (pointer, what).
    pub credentials: Vec<(String, &'static str)>,
    /// values.yaml with the declared values injected: what every environment starts from.
    pub rendered: Option<Document>,
    /// What the checks see of values.yaml: the chart's defaults under `rendered`, without the
    /// dependencies switched off; `None` when the chart has no defaults.
    pub effective: Option<Document>,
    pub environments: Vec<EnvDoc>,
    /// The JSON pointers of each target's Kubernetes `resources` mappings, in [`Deploy::targets`]
    /// order: found by one walk of each document on first use and shared by the three checks
    /// that read them (`check::resources::of_targets`), which walked every environment's
    /// values once each. Filled only after loading, which is the last to change the documents.
    pub resource_pointers: std::sync::OnceLock<Vec<Vec<String>>>,
}

/// A document to check: values.yaml alone, or one environment's merged values.
pub struct Target<'a> {
    pub doc: &'a Document,
    pub env: Option<&'a EnvDoc>,
}

impl Target<'_> {
    /// Marks a diagnostic found through this target as belonging to its environment, so it
    /// blocks only that environment's render; the pipeline merges the same finding across
    /// environments into one diagnostic naming them.
    pub fn scope(&self, mut diagnostic: Diagnostic) -> Diagnostic {
        if let Some(env) = self.env {
            diagnostic.environments = vec![env.name.clone()];
        }
        diagnostic
    }
}

impl Deploy {
    /// values.yaml itself (as rendered, over the chart's defaults), then every environment that
    /// merged.
    pub fn targets(&self) -> Vec<Target<'_>> {
        let base = self.effective.as_ref().or(self.rendered.as_ref()).map(|doc| Target { doc, env: None });
        let envs = self
            .environments
            .iter()
            .filter_map(|e| e.effective.as_ref().or(e.merged.as_ref()).map(|doc| Target { doc, env: Some(e) }));
        base.into_iter().chain(envs).collect()
    }
}

/// Deep-merges the environment's `overrides` over `base`: maps merge, scalars and lists replace.
/// Every value keeps the span of the file it came from.
pub fn merge(base: &Document, env: &Document) -> Document {
    let mut merged = base.clone();
    if let Some(overrides) = env.value.get("overrides") {
        merge_into(&mut merged, "", overrides, env, "/overrides", false);
    }
    merged
}

/// `over` merged over `base` as Helm merges a values file over a chart's defaults: maps merge,
/// scalars and lists replace, and a `null` deletes the default (Helm's way to unset a key).
/// What the result misplaces falls back to `over`'s file.
pub fn overlay(base: &Document, over: &Document) -> Document {
    let mut merged = base.clone();
    merged.file = over.file.or(base.file);
    if let Some(span) = over.spans.get("") {
        merged.spans.insert(Pointer::from(""), *span);
    }
    merge_into(&mut merged, "", &over.value, over, "", true);
    if !merged.value.is_object() {
        merged.value = over.value.clone();
        merged.spans.clone_from(&over.spans);
    }
    merged
}

/// `doc` as the value of `key` in a new top-level mapping: a subchart's defaults sit under the
/// subchart's name (or alias) in its parent's values.
pub fn nest(doc: &Document, key: &str) -> Document {
    let at = format!("/{}", escape(key));
    let mut value = Map::new();
    value.insert(key.to_string(), doc.value.clone());
    let spans = doc.spans.iter().map(|(p, span)| (Pointer::from(format!("{at}{p}")), *span)).collect();
    Document { value: Value::Object(value), spans, file: doc.file, ..Document::default() }
}

/// Merges `over` (found at `from` in `source`) into `merged` at `pointer`. Over a chart's
/// `defaults`, a `null` removes the key instead of being written.
fn merge_into(merged: &mut Document, pointer: &str, over: &Value, source: &Document, from: &str, defaults: bool) {
    let Value::Object(entries) = over else { return };
    for (key, value) in entries {
        let child = format!("{pointer}/{}", escape(key));
        let both_maps = value.is_object() && merged.value.pointer(&child).is_some_and(Value::is_object);
        if both_maps {
            // Over a chart's defaults, the mapping is placed where the team's file writes it:
            // a problem with the mapping as a whole (a required key missing) is fixed there.
            if let Some(span) = source.spans.get(format!("{from}{child}").as_str()).filter(|_| defaults) {
                merged.spans.insert(Pointer::from(child.as_str()), *span);
            }
            merge_into(merged, &child, value, source, from, defaults);
            continue;
        }
        if let Some(Value::Object(parent)) = merged.value.pointer_mut(pointer) {
            if defaults && value.is_null() {
                parent.remove(key);
                cut(&mut merged.spans, &child);
                continue;
            }
            parent.insert(key.clone(), value.clone());
        } else {
            continue;
        }
        cut(&mut merged.spans, &child);
        let at = format!("{from}{child}");
        let at_prefix = format!("{at}/");
        for (p, span) in source
            .spans
            .range::<str, _>((Bound::Included(at.as_str()), Bound::Unbounded))
            .take_while(|(p, _)| p.starts_with(&at))
        {
            if **p == *at || p.starts_with(&at_prefix) {
                // The same pointer in both: the count is shared, not the text copied.
                let here = if from.is_empty() { p.clone() } else { Pointer::from(&p[from.len()..]) };
                merged.spans.insert(here, *span);
            }
        }
    }
}

/// Removes the spans of the value at `pointer` and of everything under it: the pointer itself
/// and the run of pointers after `pointer/` (a lookup and a range; scanning every span cost a
/// pass over the whole values.yaml per override and per injection).
fn cut<V>(spans: &mut BTreeMap<Pointer, V>, pointer: &str) {
    spans.remove(pointer);
    let prefix = format!("{pointer}/");
    let under: Vec<Pointer> = spans
        .range::<str, _>((Bound::Included(prefix.as_str()), Bound::Unbounded))
        .map(|(p, _)| p)
        .take_while(|p| p.starts_with(&prefix))
        .cloned()
        .collect();
    for p in under {
        spans.remove(&p);
    }
}

/// Writes `value` at the dotted `path` (creating mappings on the way), recording `span` (where
/// it was declared) as its place. A path that runs into a non-mapping is left alone.
pub fn inject(doc: &mut Document, path: &str, value: Value, span: Span) {
    let mut pointer = String::new();
    let parts: Vec<&str> = path.split('.').collect();
    for (i, part) in parts.iter().enumerate() {
        let Some(Value::Object(parent)) = doc.value.pointer_mut(&pointer) else { return };
        let last = i + 1 == parts.len();
        let slot = parent.entry((*part).to_string()).or_insert_with(|| Value::Object(Map::new()));
        pointer = format!("{pointer}/{}", escape(part));
        if last {
            *slot = value.clone();
            cut(&mut doc.spans, &pointer);
            doc.spans.insert(Pointer::from(pointer.as_str()), (span, None));
            return;
        }
        if !doc.spans.contains_key(pointer.as_str()) {
            doc.spans.insert(Pointer::from(pointer.as_str()), (span, None));
        }
    }
}

/// The JSON pointer of a dotted values path (`a.b.c` → `/a/b/c`).
pub fn pointer_of(path: &str) -> String {
    path.split('.').map(|p| format!("/{}", escape(p))).collect()
}

/// A compiled schema and what to call it in messages.
pub struct Schema<'a> {
    pub validator: &'a jsonschema::Validator,
    pub value: &'a Value,
    /// The schema file as a root-relative path (`chart/values.schema.json`).
    pub file: &'a str,
    /// The schema file among the sources, and its text, to point into; `None` for a schema
    /// rulesctl ships.
    pub source: Option<(FileId, &'a str)>,
}

/// Validates `doc` against `schema`, reporting at YAML positions; `what` names the document at
/// its top level. Pointers in `skip` (already reported as literal credentials) are left alone,
/// so a secret is never described twice. Returns whether it is valid.
pub fn validate(doc: &Document, schema: &Schema<'_>, what: &str, skip: &BTreeSet<String>, sink: &mut Sink) -> bool {
    let mut valid = true;
    for err in schema.validator.iter_errors(&doc.value) {
        valid = false;
        let pointer = err.instance_path().as_str().to_string();
        if skip.iter().any(|s| pointer == *s || pointer.starts_with(&format!("{s}/"))) {
            continue;
        }
        let at = dotted(&pointer);
        match err.kind() {
            ValidationErrorKind::AdditionalProperties { unexpected } => {
                let known = known_keys(schema.value, err.schema_path().as_str());
                // Indexed once: a mapping of thousands of unknown keys against a schema of
                // thousands of properties measured every pair.
                let known = Near::new(known.iter().map(String::as_str));
                for key in unexpected {
                    let child = format!("{pointer}/{}", escape(key));
                    if skip.contains(&child) {
                        continue;
                    }
                    let place = if at.is_empty() { format!("the top level of {what}") } else { format!("`{at}`") };
                    sink.push(
                        Diagnostic::new(&SCHEMA, doc.key_span(&child), format!("unknown key `{key}` in {place}"))
                            .label("unknown key")
                            .help(known.suggest(key)),
                    );
                }
            }
            ValidationErrorKind::Required { property } => {
                let key = property.as_str().unwrap_or_default();
                if skip.contains(&format!("{pointer}/{}", escape(key))) {
                    continue;
                }
                // A key written one slip away is this key misspelt: its "unknown key" diagnostic
                // says so, and "missing" would be the same mistake twice.
                let schema_path = err.schema_path().as_str();
                let known = known_keys(schema.value, schema_path.strip_suffix("/required").unwrap_or(schema_path));
                let known: foldhash::HashSet<&str> = known.iter().map(String::as_str).collect();
                let unknown = doc
                    .value
                    .pointer(&pointer)
                    .and_then(Value::as_object)
                    .into_iter()
                    .flat_map(|map| map.keys().map(String::as_str).filter(|k| !known.contains(k)));
                if close_match(key, unknown).is_some() {
                    continue;
                }
                let place = if at.is_empty() { what.to_string() } else { format!("`{at}`") };
                sink.push(
                    Diagnostic::new(
                        &SCHEMA,
                        doc.key_span(&pointer),
                        format!("{place} is missing the required key `{key}`"),
                    )
                    .label(format!("`{key}` missing"))
                    .help(format!("add `{key}:`; see {}", schema.file)),
                );
            }
            ValidationErrorKind::BacktrackLimitExceeded { .. } => {
                let place = if at.is_empty() { what.to_string() } else { format!("`{at}`") };
                let schema_path = err.schema_path().as_str();
                let mut diagnostic = Diagnostic::new(
                    &SCHEMA_UNUSABLE,
                    doc.span(&pointer),
                    format!("{place}: the schema's pattern at {schema_path} gave up on this value: the regular expression backtracked past its limit"),
                )
                .label("the pattern could not decide this value")
                .help("rewrite the pattern without nested repetition or backreferences (`(a+)+`, `(a|a)*`, `\\1`), so it runs in linear time");
                if let Some((file, text)) = schema.source {
                    if let Some(range) = crate::parse::json::locate(text, schema_path) {
                        diagnostic = diagnostic.related(Span::new(file, range), "this pattern");
                    }
                }
                sink.push(diagnostic);
            }
            _ => {
                let message = err.masked().to_string();
                let place = if at.is_empty() { what.to_string() } else { format!("`{at}`") };
                sink.push(
                    Diagnostic::new(&SCHEMA, doc.span(&pointer), format!("{place}: {message}"))
                        .label("does not match the schema")
                        .help(format!("see {} for what {place} takes", schema.file)),
                );
            }
        }
    }
    valid
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

/// `[a-z0-9-]+`.
pub fn is_env_name(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}
