//! Loading values.yaml and the environments: parse with spans, mask literal credentials, merge
//! each environment's overrides, inject the declared values, and validate against the chart's
//! schema (when there is one) and the environment schema.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::diagnostic::{declare_code, Diagnostic, Sink};
use crate::diagnostic::{FileId, Span};
use crate::emit::schema;
use crate::model::credentials;
use crate::model::deploy::{inject, is_env_name, merge, pointer_of, validate, Deploy, EnvDoc, Schema, SCHEMA};
use crate::model::project::Project;
use crate::parse::yaml::{self, Document};
use crate::pipeline::values_schema;
use crate::source::rules::load as read;
use crate::source::{Limits, Sources, Tree};

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

/// A value rulesctl writes into every rendered document: (dotted path, value, where declared).
pub type Injected = (String, Value, Span);

/// Loads values.yaml and every environment. Both are optional for a rules-only repository;
/// environments without values are an error.
pub fn load(
    tree: &dyn Tree,
    project: &Project,
    env_files: &[String],
    injected: &[Injected],
    sources: &mut Sources,
    sink: &mut Sink,
    files: &mut usize,
) -> Deploy {
    let limits = &project.limits;
    let env_root = project.environments.value.trim_end_matches('/').to_string();
    let values_rel = project.values.value.clone();
    if !tree.exists(&values_rel) {
        if project.values.span.is_some() || !env_files.is_empty() {
            let span =
                project.values.span.unwrap_or_else(|| Span::file(sources.add(values_rel.clone(), String::new())));
            sink.push(
                Diagnostic::new(
                    &VALUES_MISSING,
                    span,
                    format!("`{values_rel}` does not exist, so no environment can be rendered"),
                )
                .help("create values.yaml, or correct `paths { values = ... }` in rulesctl.hcl"),
            );
        }
        return Deploy::default();
    }
    let chart_schema = values_schema::load(tree, project, sources, sink, files);
    let chart_schema_text = chart_schema.as_ref().map(|s| sources.get(s.id).text.clone());
    let chart_schema = chart_schema.as_ref().zip(chart_schema_text.as_deref()).map(|(s, text)| Schema {
        validator: &s.validator,
        value: &s.value,
        file: &s.file,
        source: Some((s.id, text)),
    });
    let env_schema_value = schema::environment();
    let env_schema = schema::environment_validator().map(|validator| Schema {
        validator,
        value: &env_schema_value,
        // Named by the command that writes it: a user's repository need not hold `schema/`.
        file: "the environment schema (`rulesctl schema` writes it)",
        source: None,
    });
    let mut deploy = Deploy::default();
    *files += 1;
    let (id, ok) = read(sources, sink, tree, &values_rel, limits.max_file_bytes);
    if ok {
        if let Some((doc, found)) = parse_masked(id, limits, sources, sink) {
            deploy.values = Some(doc);
            deploy.credentials = found;
        }
    }
    // Left alone by schema validation: literal credentials (reported as such) and paths an
    // injection should have written but could not (its own error says why).
    let mut values_secrets: BTreeSet<String> = deploy.credentials.iter().map(|(p, _)| p.clone()).collect();
    let written: BTreeSet<&str> = injected.iter().map(|(path, _, _)| path.as_str()).collect();
    values_secrets.extend(
        project.inject.iter().filter(|i| !written.contains(i.path.value.as_str())).map(|i| pointer_of(&i.path.value)),
    );
    deploy.rendered = deploy.values.clone().map(|mut doc| {
        for (path, value, span) in injected {
            inject(&mut doc, path, value.clone(), *span);
        }
        doc
    });
    if let (Some(rendered), Some(schema)) = (&deploy.rendered, &chart_schema) {
        validate(rendered, schema, &values_rel, &values_secrets, sink);
    }
    for rel in env_files {
        *files += 1;
        let (id, ok) = read(sources, sink, tree, rel, limits.max_file_bytes);
        if !rel.ends_with(".yaml") {
            // A folder listed as itself (a link out of the repository, or one that cannot be
            // listed): reading it said why, and it is no environment.
            continue;
        }
        let name = rel.strip_prefix(&format!("{env_root}/")).unwrap_or(rel).trim_end_matches(".yaml").to_string();
        if !is_env_name(&name) {
            sink.push(
                Diagnostic::new(&ENV_NAME, Span::file(id), format!("`{name}` is not a valid environment name"))
                    .help("name environment files with lower-case letters, digits and `-`, directly in the environments folder"),
            );
            continue;
        }
        let doc = ok.then(|| parse_masked(id, limits, sources, sink)).flatten();
        let Some((doc, credentials)) = doc else {
            // Broken, but still this environment: it blocks only itself, and `render --env`
            // reports its errors rather than "unknown environment".
            let env = EnvDoc { name, file: id, doc: None, env: None, merged: None, credentials: Vec::new() };
            deploy.environments.push(env);
            continue;
        };
        let mut skip: BTreeSet<String> = credentials.iter().map(|(p, _)| p.clone()).collect();
        overlay_keys(&doc, deploy.values.as_ref(), &mut skip, sink);
        // An allocatable amount that is no quantity is H007's to report, which says more than
        // the schema's pattern would.
        for resource in ["cpu", "memory"] {
            let pointer = format!("/cluster/allocatable/{resource}");
            let text = doc.value.pointer(&pointer).and_then(Value::as_str);
            if text.is_some_and(|t| crate::model::quantity::quantity(t).is_none()) {
                skip.insert(pointer);
            }
        }
        let typed = match &env_schema {
            Some(schema) => validate(&doc, schema, rel, &skip, sink),
            None => true,
        };
        let env = typed.then(|| serde_json::from_value(doc.value.clone()).ok()).flatten();
        let merged = deploy.values.as_ref().map(|values| {
            let mut merged = merge(values, &doc);
            for (path, value, span) in injected {
                inject(&mut merged, path, value.clone(), *span);
            }
            if let Some(schema) = &chart_schema {
                let mut quiet = values_secrets.clone();
                quiet.extend(skip.iter().filter_map(|p| p.strip_prefix("/overrides").map(str::to_string)));
                let mut found = Sink::new();
                validate(&merged, schema, &values_rel, &quiet, &mut found);
                sink.extend(found.into_iter().map(|mut d| {
                    d.environments = vec![name.clone()];
                    d
                }));
            }
            merged
        });
        deploy.environments.push(EnvDoc { name, file: id, doc: Some(doc), env, merged, credentials });
    }
    deploy
}

/// Parses a YAML file and masks its literal credentials (see [`masked`]); the parser's
/// diagnostics reach `sink` only once they point into the masked text and say nothing of a
/// credential.
fn parse_masked(
    id: FileId,
    limits: &Limits,
    sources: &mut Sources,
    sink: &mut Sink,
) -> Option<(Document, Vec<(String, &'static str)>)> {
    let mut parsed = Sink::new();
    let doc = yaml::parse(id, &sources.get(id).text, limits, &mut parsed);
    match doc {
        Some(doc) => Some(masked(id, doc, limits, sources, parsed, sink)),
        None => {
            sink.extend(parsed);
            None
        }
    }
}

/// Replaces every literal credential in the file's text with `"*****"` (a fixed mask, so not
/// even its length shows) and reads the file again, so nothing downstream can print the value.
/// Should the masked text not read back with the same shape (a block scalar, say), the
/// characters are starred in place instead, which keeps every span valid. Returns the document
/// and the credentials found before masking.
///
/// `parsed` are the diagnostics of reading the unmasked text. Its spans fit only that text, and
/// a warning about a plain credential quotes it (`password: 0755` reads as octal in YAML 1.1):
/// when the masked text is read again, its diagnostics replace them; when the credentials are
/// starred in place, those at a credential are dropped.
fn masked(
    id: FileId,
    doc: Document,
    limits: &Limits,
    sources: &mut Sources,
    parsed: Sink,
    sink: &mut Sink,
) -> (Document, Vec<(String, &'static str)>) {
    let found = credentials::find(&doc.value);
    // And the credentials among entries a duplicate key replaced: not in the value, but still
    // in the text every snippet shows.
    let shadowed: Vec<Span> = doc
        .shadowed
        .iter()
        .flat_map(|one| credentials::find(&one.value).into_iter().map(|(p, _)| one.span(&p)))
        .collect();
    if found.is_empty() && shadowed.is_empty() {
        sink.extend(parsed);
        return (doc, found);
    }
    let pointers: BTreeSet<String> = found.iter().map(|(p, _)| p.clone()).collect();
    let original = sources.get(id).text.clone();
    let mut ranges: Vec<std::ops::Range<usize>> = pointers
        .iter()
        .map(|p| doc.span(p))
        .chain(shadowed.iter().copied())
        .map(|span| quoted(&original, span.range()))
        .map(|r| {
            // A block scalar's span runs on over its final line break: keep that, so the mask
            // does not join the next line to it.
            let kept = original.get(r.clone()).map_or(0, |t| t.trim_end().len());
            r.start..r.start + kept
        })
        .filter(|r| !r.is_empty())
        .collect();
    ranges.sort_by_key(|r| std::cmp::Reverse(r.start));
    ranges.dedup_by(|later, earlier| later.end > earlier.start);
    let mut text = original.clone();
    for range in &ranges {
        if let Some(secret) = text.get(range.clone()) {
            // As many line breaks as the value spanned, so every later line keeps its number.
            let mask = format!("\"*****\"{}", "\n".repeat(secret.matches('\n').count()));
            text.replace_range(range.clone(), &mask);
        }
    }
    let mut scratch = Sink::new();
    // The masked text must read back with the errors the file had (a duplicate key, say) and
    // no other: then its diagnostics stand for the first ones.
    let errors = |found: &Sink| -> Vec<(&str, String)> {
        found.iter().filter(|d| d.is_error()).map(|d| (d.code.id, d.message.clone())).collect()
    };
    match yaml::parse(id, &text, limits, &mut scratch) {
        Some(again) if errors(&scratch) == errors(&parsed) && same_shape(&doc, &again, &pointers) => {
            sources.set_text(id, text);
            sink.extend(scratch);
            (again, found)
        }
        _ => {
            let spans: Vec<Span> = pointers.iter().map(|pointer| doc.span(pointer)).chain(shadowed).collect();
            for span in &spans {
                sources.mask(*span);
            }
            let at_credential = |d: &Diagnostic| {
                let at = d.primary.span;
                spans.iter().any(|s| s.file == at.file && s.start <= at.start && at.end <= s.end)
            };
            sink.extend(parsed.into_iter().filter(|d| !at_credential(d)));
            (doc, found)
        }
    }
}

/// Whether masking changed nothing but the masked values: the same pointers everywhere, and a
/// string where each credential was.
fn same_shape(before: &Document, after: &Document, masked: &BTreeSet<String>) -> bool {
    before.spans.keys().eq(after.spans.keys())
        && masked.iter().all(|p| after.value.pointer(p).is_some_and(Value::is_string))
}

/// A scalar's range widened to its quotes, when it is written quoted.
fn quoted(text: &str, range: std::ops::Range<usize>) -> std::ops::Range<usize> {
    let before = range.start.checked_sub(1).and_then(|i| text.get(i..range.start));
    let after = text.get(range.end..range.end + 1);
    match (before, after) {
        (Some(q @ ("\"" | "'")), Some(a)) if a == q => range.start - 1..range.end + 1,
        _ => range,
    }
}

/// An environment file written as a plain Helm overlay (`gameServer:` at its top, as for
/// `helm -f`): each top-level key that is a key of values.yaml gets one diagnostic that says to
/// move it under `overrides:`, rather than "unknown key" with a list of the two keys an
/// environment file has. Those keys are then left out of the schema check (`skip`).
fn overlay_keys(doc: &Document, values: Option<&Document>, skip: &mut BTreeSet<String>, sink: &mut Sink) {
    let (Some(top), Some(values)) = (doc.value.as_object(), values.and_then(|v| v.value.as_object())) else { return };
    for key in top.keys().filter(|k| !matches!(k.as_str(), "cluster" | "overrides") && values.contains_key(*k)) {
        let pointer = format!("/{}", yaml::escape(key));
        sink.push(
            Diagnostic::new(&SCHEMA, doc.key_span(&pointer), format!("`{key}` is a values key, not an environment setting"))
                .label("belongs under `overrides:`")
                .help(format!(
                    "an environment file holds the values it changes under `overrides:`: indent `{key}:` one level under an `overrides:` key"
                )),
        );
        skip.insert(pointer);
    }
}
