//! Completion, hover and go to definition in `values.yaml` and environment files (under their
//! `overrides:`), from the chart's `values.schema.json` (as the latest analysis read it) and the
//! project file's declarations (`value`, `render.allow_overrides`, `render.inject`). The cursor's
//! key path is read from the lines' indentation, so it works while the file does not parse.

use std::ops::Range;

use lsp_types::{
    CompletionItem, CompletionItemKind, CompletionTextEdit, Documentation, MarkupContent, MarkupKind, TextEdit,
};
use serde_json::Value;

use crate::diagnostic::Span;
use crate::lsp::convert::LineIndex;
use crate::model::project::Project;
use crate::pipeline::Analysis;

/// How many `$ref`s one lookup follows: a schema that loops is cut there.
const MAX_REFS: usize = 32;

/// Where the cursor is in a YAML file.
#[derive(Debug, PartialEq, Eq)]
pub struct Cursor {
    /// The keys of the mappings the cursor's line is in, outermost first.
    pub parents: Vec<String>,
    /// The key of the cursor's line, as far as it is written.
    pub key: String,
    /// Where the key is (for replacing it).
    pub key_span: Range<usize>,
    /// The cursor is after the key's `:`, in its value.
    pub in_value: bool,
}

/// The cursor's key path at `offset`; `None` in a comment or a list item.
pub fn cursor(text: &str, offset: usize) -> Option<Cursor> {
    let offset = crate::lsp::context::floor_boundary(text, offset);
    let line_start = text[..offset].rfind('\n').map_or(0, |n| n + 1);
    let line_end = text[offset..].find('\n').map_or(text.len(), |n| offset + n);
    let line = &text[line_start..line_end];
    let indent = line.len() - line.trim_start_matches(' ').len();
    let body = &line[indent..];
    if body.starts_with('#') || body.starts_with('-') {
        return None;
    }
    let colon = body.find(": ").or_else(|| body.strip_suffix(':').map(str::len));
    let (key, in_value) = match colon {
        Some(at) => (&body[..at], line_start + indent + at < offset),
        None => (body, false),
    };
    let key = key.trim_end();
    let mut parents = Vec::new();
    let mut want = indent;
    for previous in text[..line_start].lines().rev() {
        if want == 0 {
            break;
        }
        let pad = previous.len() - previous.trim_start_matches(' ').len();
        let rest = &previous[pad..];
        if rest.is_empty() || rest.starts_with('#') || pad >= want {
            continue;
        }
        let name = rest.split_once(':').map(|(k, _)| k.trim()).filter(|k| !k.is_empty() && !k.starts_with('-'))?;
        parents.push(unquote(name).to_string());
        want = pad;
    }
    parents.reverse();
    let start = line_start + indent;
    Some(Cursor { parents, key: unquote(key).to_string(), key_span: start..start + key.len(), in_value })
}

fn unquote(key: &str) -> &str {
    key.trim_matches(|c| c == '"' || c == '\'')
}

/// The chart-values path a cursor's mappings stand for in file `rel`: `values.yaml`'s keys are
/// the chart's; an environment's are under `overrides`. `None` where the chart schema says
/// nothing.
fn values_path(project: &Project, rel: &str, parents: &[String]) -> Option<Vec<String>> {
    if rel == project.values.value.trim_start_matches("./") {
        return Some(parents.to_vec());
    }
    let environments = format!("{}/", project.environments.value.trim_start_matches("./").trim_end_matches('/'));
    if rel.starts_with(&environments) && parents.first().is_some_and(|p| p == "overrides") {
        return Some(parents[1..].to_vec());
    }
    None
}

/// The chart's values schema as the analysis read it.
fn schema(analysis: &Analysis) -> Option<Value> {
    let project = &analysis.project;
    let rel = match (&project.values_schema, &project.chart) {
        (Some(file), _) => file.value.trim_start_matches("./").to_string(),
        (None, Some(chart)) => {
            format!("{}/values.schema.json", chart.value.trim_start_matches("./").trim_end_matches('/'))
        }
        (None, None) => return None,
    };
    let (_, file) = analysis.sources.iter().find(|(_, f)| f.path == rel)?;
    // The pipeline bounded its depth before reading it; serde_json bounds it again.
    serde_json::from_str(&file.text).ok()
}

fn resolve<'s>(root: &'s Value, mut node: &'s Value) -> &'s Value {
    for _ in 0..MAX_REFS {
        match node.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix('#')) {
            Some(pointer) => match root.pointer(pointer) {
                Some(next) => node = next,
                None => break,
            },
            None => break,
        }
    }
    node
}

/// A schema and the ones it combines (`allOf`, `anyOf`, `oneOf`), resolved.
fn parts<'s>(root: &'s Value, node: &'s Value) -> Vec<&'s Value> {
    let node = resolve(root, node);
    let mut out = vec![node];
    for combinator in ["allOf", "anyOf", "oneOf"] {
        for part in node.get(combinator).and_then(Value::as_array).into_iter().flatten() {
            out.push(resolve(root, part));
        }
    }
    out
}

/// The schema of the value at `path`.
fn at<'s>(root: &'s Value, path: &[String]) -> Option<&'s Value> {
    let mut node = root;
    for key in path {
        let found = parts(root, node).into_iter().find_map(|p| {
            p.get("properties")
                .and_then(|props| props.get(key))
                .or_else(|| p.get("additionalProperties").filter(|a| a.is_object()))
        })?;
        node = found;
    }
    Some(resolve(root, node))
}

/// The keys the schema allows at `path`, with their schemas.
fn keys<'s>(root: &'s Value, path: &[String]) -> Vec<(&'s str, &'s Value)> {
    let Some(node) = at(root, path) else { return Vec::new() };
    let mut out: Vec<(&str, &Value)> = Vec::new();
    for part in parts(root, node) {
        for (name, schema) in part.get("properties").and_then(Value::as_object).into_iter().flatten() {
            if !out.iter().any(|(n, _)| n == name) {
                out.push((name, resolve(root, schema)));
            }
        }
    }
    out
}

/// What the project file says of dotted `path`: each declaration, as a line of Markdown.
fn declared(project: &Project, path: &str) -> Vec<String> {
    let mut out = Vec::new();
    for decl in project.value_decls.iter().filter(|d| d.path.value == path) {
        let mut line = format!("declared in `rulesctl.hcl`: a `{}`", decl.kind.value);
        for (what, bound) in [("min", &decl.min), ("max", &decl.max), ("equals", &decl.equals)] {
            if let Some(bound) = bound {
                line.push_str(&format!(", {what} `{}`", bound.value));
            }
        }
        out.push(line);
    }
    for inject in project.inject.iter().filter(|i| i.path.value == path) {
        out.push(format!("injected by rulesctl from `{}`", inject.source.value));
    }
    if project.allow_overrides.iter().flatten().any(|o| o.value == path || path.starts_with(&format!("{}.", o.value))) {
        out.push("environments may override it (`render.allow_overrides`)".to_string());
    }
    out
}

/// Every dotted path the project file declares.
fn declared_paths(project: &Project) -> Vec<&str> {
    let mut out: Vec<&str> = project.value_decls.iter().map(|d| d.path.value.as_str()).collect();
    out.extend(project.inject.iter().map(|i| i.path.value.as_str()));
    out.extend(project.allow_overrides.iter().flatten().map(|o| o.value.as_str()));
    out
}

fn type_of(schema: &Value) -> Option<String> {
    match schema.get("type")? {
        Value::String(t) => Some(t.clone()),
        Value::Array(types) => Some(types.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(" | ")),
        _ => None,
    }
}

fn markdown(value: String) -> Documentation {
    Documentation::MarkupContent(MarkupContent { kind: MarkupKind::Markdown, value })
}

/// Completion in a YAML file `rel` at `offset`: the keys the schema and the declarations allow
/// under the cursor's mapping, or the values the schema enumerates for its key.
pub fn complete(analysis: &Analysis, rel: &str, text: &str, offset: usize) -> Vec<CompletionItem> {
    let Some(cursor) = cursor(text, offset) else { return Vec::new() };
    let Some(path) = values_path(&analysis.project, rel, &cursor.parents) else {
        return Vec::new();
    };
    let schema = schema(analysis).unwrap_or(Value::Null);
    let index = LineIndex::new(text);
    if cursor.in_value {
        let mut full = path.clone();
        full.push(cursor.key.clone());
        let Some(node) = at(&schema, &full) else { return Vec::new() };
        let mut values: Vec<String> =
            node.get("enum").and_then(Value::as_array).into_iter().flatten().map(yaml_scalar).collect();
        if let Some(constant) = node.get("const") {
            values.push(yaml_scalar(constant));
        }
        if type_of(node).as_deref() == Some("boolean") {
            values.extend(["true".to_string(), "false".to_string()]);
        }
        return values
            .into_iter()
            .map(|v| CompletionItem {
                label: v.clone(),
                kind: Some(CompletionItemKind::ENUM_MEMBER),
                detail: Some(format!("{} (values.schema.json)", full.join("."))),
                ..CompletionItem::default()
            })
            .collect();
    }
    let mut items: Vec<CompletionItem> = Vec::new();
    let range = index.range(cursor.key_span.clone());
    let mut push = |name: &str, detail: Option<String>, doc: String| {
        if items.iter().any(|i| i.label == name) {
            return;
        }
        items.push(CompletionItem {
            label: name.to_string(),
            kind: Some(CompletionItemKind::PROPERTY),
            detail,
            documentation: (!doc.is_empty()).then(|| markdown(doc)),
            text_edit: Some(CompletionTextEdit::Edit(TextEdit { range, new_text: format!("{name}: ") })),
            ..CompletionItem::default()
        });
    };
    for (name, node) in keys(&schema, &path) {
        let dotted = path.iter().map(String::as_str).chain([name]).collect::<Vec<_>>().join(".");
        let mut doc = node.get("description").and_then(Value::as_str).unwrap_or_default().to_string();
        for line in declared(&analysis.project, &dotted) {
            doc.push_str(&format!("\n\n{line}"));
        }
        push(name, type_of(node), doc.trim().to_string());
    }
    let prefix = if path.is_empty() { String::new() } else { format!("{}.", path.join(".")) };
    for dotted in declared_paths(&analysis.project) {
        let Some(rest) = dotted.strip_prefix(&prefix) else { continue };
        let Some(name) = rest.split('.').next().filter(|n| !n.is_empty()) else { continue };
        push(name, Some("declared in rulesctl.hcl".to_string()), declared(&analysis.project, dotted).join("\n\n"));
    }
    items
}

/// Hover on a key of a YAML file: the schema's type and description of its path and what the
/// project file declares of it.
pub fn hover(analysis: &Analysis, rel: &str, text: &str, offset: usize) -> Option<(String, Range<usize>)> {
    let cursor = cursor(text, offset).filter(|c| !c.in_value && !c.key.is_empty())?;
    let mut path = values_path(&analysis.project, rel, &cursor.parents)?;
    path.push(cursor.key.clone());
    let dotted = path.join(".");
    let schema = schema(analysis).unwrap_or(Value::Null);
    let mut parts = Vec::new();
    if let Some(node) = at(&schema, &path) {
        let kind = type_of(node).map(|t| format!(": {t}")).unwrap_or_default();
        parts.push(format!("**`{dotted}`**{kind}"));
        if let Some(description) = node.get("description").and_then(Value::as_str) {
            parts.push(description.to_string());
        }
        if let Some(values) = node.get("enum").and_then(Value::as_array) {
            let values: Vec<String> = values.iter().map(|v| format!("`{}`", yaml_scalar(v))).collect();
            parts.push(format!("one of {}", values.join(", ")));
        }
    }
    let declared = declared(&analysis.project, &dotted);
    if parts.is_empty() && declared.is_empty() {
        return None;
    }
    if parts.is_empty() {
        parts.push(format!("**`{dotted}`**"));
    }
    parts.extend(declared);
    Some((parts.join("\n\n"), cursor.key_span))
}

/// Where `rulesctl.hcl` declares the YAML key under the cursor: its `value` block, its `inject`
/// entry, and the `allow_overrides` entry that covers it.
pub fn declarations(analysis: &Analysis, rel: &str, text: &str, offset: usize) -> Vec<Span> {
    let Some(cursor) = cursor(text, offset).filter(|c| !c.key.is_empty()) else { return Vec::new() };
    let Some(mut path) = values_path(&analysis.project, rel, &cursor.parents) else { return Vec::new() };
    path.push(cursor.key);
    let dotted = path.join(".");
    let project = &analysis.project;
    let mut out: Vec<Span> =
        project.value_decls.iter().filter(|d| d.path.value == dotted).map(|d| d.path.span).collect();
    out.extend(project.inject.iter().filter(|i| i.path.value == dotted).map(|i| i.path.span));
    out.extend(
        project
            .allow_overrides
            .iter()
            .flatten()
            .filter(|o| o.value == dotted || dotted.starts_with(&format!("{}.", o.value)))
            .map(|o| o.span),
    );
    out
}

fn yaml_scalar(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cursor_path_follows_indentation() {
        let text = "a:\n  # note\n  b:\n    c: 1\n    d\nx: 2\n";
        let at = text.find("d\n").unwrap() + 1;
        let got = cursor(text, at).unwrap();
        assert_eq!((got.parents, got.key.as_str(), got.in_value), (vec!["a".to_string(), "b".to_string()], "d", false));
        let got = cursor(text, text.find("1").unwrap()).unwrap();
        assert!(got.in_value && got.key == "c");
        assert_eq!(cursor(text, text.find("x:").unwrap()).unwrap().parents, Vec::<String>::new());
    }

    #[test]
    fn schema_lookups_follow_refs_and_combinators() {
        let schema = serde_json::json!({
            "$defs": { "S": { "properties": { "tag": { "type": "string", "enum": ["a", "b"] } } } },
            "properties": { "img": { "allOf": [{ "$ref": "#/$defs/S" }] }, "loop": { "$ref": "#/properties/loop" } }
        });
        let names: Vec<&str> = keys(&schema, &["img".to_string()]).into_iter().map(|(n, _)| n).collect();
        assert_eq!(names, ["tag"]);
        assert!(at(&schema, &["img".to_string(), "tag".to_string()]).is_some_and(|s| s["enum"][1] == "b"));
        assert!(keys(&schema, &["loop".to_string()]).is_empty(), "a $ref loop ends");
    }
}
