//! The chart's values schema: found (`paths.values_schema`, else the chart's
//! `values.schema.json`), read under the limits like any input, checked for what would make it
//! hostile (too deep, a `$ref` loop, a document elsewhere), and compiled.

use serde_json::Value;

use crate::diagnostic::{Diagnostic, Sink};
use crate::diagnostic::{FileId, Span};
use crate::model::deploy::SCHEMA_UNUSABLE;
use crate::model::project::{PathSetting, Project};
use crate::model::schema_refs;
use crate::parse::{depth, json};
use crate::source::limits::raise_hint;
use crate::source::rules::load as read;
use crate::source::{Limits, Sources, Tree};

/// The chart's values schema, compiled.
pub struct ValuesSchema {
    pub file: String,
    pub id: FileId,
    pub value: Value,
    pub validator: jsonschema::Validator,
}

/// The values schema: `paths.values_schema`, else the chart's `values.schema.json`; `None` when
/// there is none (unknown keys are then not errors) or it is unusable (reported, H016).
pub fn load(
    tree: &dyn Tree,
    project: &Project,
    sources: &mut Sources,
    sink: &mut Sink,
    files: &mut usize,
) -> Option<ValuesSchema> {
    let unusable = |setting: &PathSetting, sources: &mut Sources, message: String| {
        let span = setting.span.unwrap_or_else(|| Span::file(sources.add(setting.value.clone(), String::new())));
        Diagnostic::new(&SCHEMA_UNUSABLE, span, message)
            .help("correct the path in rulesctl.hcl, or remove it to check the values without a schema")
    };
    let rel = match (&project.values_schema, &project.chart) {
        (Some(file), _) => {
            if !tree.exists(&file.value) {
                let d = unusable(file, sources, format!("the values schema `{}` does not exist", file.value));
                sink.push(d);
                return None;
            }
            file.value.clone()
        }
        (None, Some(chart)) => {
            if !tree.exists(&chart.value) {
                let d = unusable(chart, sources, format!("the chart folder `{}` does not exist", chart.value));
                sink.push(d);
                return None;
            }
            let rel = format!("{}/values.schema.json", chart.value.trim_end_matches('/'));
            if !tree.exists(&rel) {
                return None;
            }
            rel
        }
        (None, None) => return None,
    };
    *files += 1;
    let limits = &project.limits;
    let (id, ok) = read(sources, sink, tree, &rel, limits.max_file_bytes);
    if !ok {
        return None;
    }
    match compile(id, &sources.get(id).text, limits) {
        Ok((value, validator)) => Some(ValuesSchema { file: rel, id, value, validator }),
        Err(diagnostic) => {
            sink.push(*diagnostic);
            None
        }
    }
}

/// The schema in `text` (file `id`), parsed and compiled; H016 at the place that makes it
/// unusable: nesting deeper than `max_depth` (found before serde_json, whose parser recurses),
/// text that is not JSON, a `$ref` loop, or anything the validator refuses, a reference to
/// another document above all.
fn compile(id: FileId, text: &str, limits: &Limits) -> Result<(Value, jsonschema::Validator), Box<Diagnostic>> {
    let unusable = |range: std::ops::Range<usize>, message: String| {
        Diagnostic::new(&SCHEMA_UNUSABLE, Span::new(id, range), message)
    };
    if let Some(bracket) = depth::json(text, limits.max_depth) {
        let hint = raise_hint("max_depth", limits.max_depth as u64, Limits::CEILING.max_depth as u64);
        let message = format!("the values schema nests more than {} levels deep", limits.max_depth);
        return Err(Box::new(
            unusable(bracket, message)
                .label("one level too deep")
                .help(format!("flatten the schema (move shared parts to `$defs` and `$ref` them){hint}")),
        ));
    }
    let value: Value = serde_json::from_str(text).map_err(|err| {
        let at = json::error_offset(text, err.line(), err.column());
        Box::new(
            unusable(at..at, format!("the values schema is not valid JSON: {err}"))
                .label("here")
                .help("correct the JSON at this position"),
        )
    })?;
    if let Some(found) = schema_refs::find(&value) {
        let chain: Vec<String> = found.through.iter().map(|p| schema_refs::as_reference(p)).collect();
        let message = format!("the values schema loops without looking inside the value: {}", chain.join(" → "));
        return Err(Box::new(
            unusable(json::locate(text, &found.reference).unwrap_or(0..0), message)
                .label("this `$ref` leads back to itself")
                .help("a `$ref` may recurse only through `properties`, `items` or another keyword that steps into the value; remove the loop"),
        ));
    }
    let validator = jsonschema::validator_for(&value).map_err(|err| {
        // A reference to another document is the usual cause, and the validator's own message
        // talks of registries and crate features: name the reference instead.
        Box::new(match schema_refs::first_remote(&value) {
            Some((pointer, target)) => unusable(
                json::locate(text, &pointer).unwrap_or(0..0),
                format!("the values schema refers to `{target}`, another document: rulesctl never fetches one"),
            )
            .label("outside this file")
            .help("copy what it refers to into this file under `$defs` and point the `$ref` at it (`#/$defs/...`)"),
            None => {
                let pointer = err.schema_path().as_str().to_string();
                let place = json::locate(text, &pointer).filter(|_| !pointer.is_empty()).unwrap_or(0..0);
                unusable(place, format!("the values schema cannot be used: {err}"))
                    .label(if pointer.is_empty() { "this schema".to_string() } else { format!("at {pointer}") })
                    .help("fix the schema at the place shown")
            }
        })
    })?;
    Ok((value, validator))
}
