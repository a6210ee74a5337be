//! Document symbols (the outline: blocks and attributes of an HCL file from its syntax tree,
//! keys of a YAML file from its spanned document) and workspace symbols (the names the ruleset
//! and the project file declare, across every repository).

use std::collections::HashMap;

use lsp_types::{
    DocumentSymbol, DocumentSymbolParams, DocumentSymbolResponse, Location, SymbolInformation, SymbolKind,
    WorkspaceSymbolParams, WorkspaceSymbolResponse,
};

use crate::diagnostic::{FileId, Span};
use crate::lsp::convert::LineIndex;
use crate::lsp::diagnostics::Lines;
use crate::lsp::requests::is_hcl;
use crate::lsp::state::State;
use crate::parse::{self, yaml, Entry, Value};
use crate::source::Limits;

/// The most workspace symbols one query returns.
const MAX_WORKSPACE_SYMBOLS: usize = 1000;

/// `textDocument/documentSymbol`: empty for a file that does not parse.
pub fn document(state: &State, params: &DocumentSymbolParams) -> Option<DocumentSymbolResponse> {
    let view = state.view(&params.text_document.uri)?;
    let index = LineIndex::new(&view.text);
    let symbols = if is_hcl(&view) {
        parse::hcl(FileId::default(), &view.text, &Limits::DEFAULT, &mut Vec::new())
            .map(|entries| hcl_symbols(&entries, &view.text, &index))
    } else {
        yaml::parse(FileId::default(), &view.text, &Limits::DEFAULT, &mut Vec::new())
            .map(|doc| yaml_symbols(&doc, &index))
    };
    Some(DocumentSymbolResponse::Nested(symbols.unwrap_or_default()))
}

#[allow(deprecated)] // `deprecated` is a field every DocumentSymbol must still spell out
fn symbol(
    name: String,
    detail: Option<String>,
    kind: SymbolKind,
    range: lsp_types::Range,
    selection: lsp_types::Range,
    children: Vec<DocumentSymbol>,
) -> DocumentSymbol {
    DocumentSymbol {
        name: if name.is_empty() { "\"\"".to_string() } else { name },
        detail,
        kind,
        tags: None,
        deprecated: None,
        range,
        selection_range: selection,
        children: (!children.is_empty()).then_some(children),
    }
}

fn hcl_symbols(entries: &[Entry], text: &str, index: &LineIndex<'_>) -> Vec<DocumentSymbol> {
    entries
        .iter()
        .map(|entry| match entry {
            Entry::Attribute { key, key_span, value_span, .. } => {
                let value = text.get(value_span.range()).unwrap_or_default();
                let range = index.range(key_span.start as usize..value_span.end as usize);
                symbol(
                    key.clone(),
                    Some(shorten(value)),
                    SymbolKind::PROPERTY,
                    range,
                    index.range(key_span.range()),
                    Vec::new(),
                )
            }
            Entry::Block(block) => {
                // A block is named by its labels, else by the region it configures.
                let region = block.body.iter().find_map(|e| match e {
                    Entry::Attribute { key, value: Value::Str(s), .. } if key == "region" => Some(s.clone()),
                    _ => None,
                });
                let name = match (block.labels.first(), region) {
                    (Some(_), _) => block.labels.iter().map(|(l, _)| l.as_str()).collect::<Vec<_>>().join(" "),
                    (None, Some(region)) => region,
                    (None, None) => block.ident.clone(),
                };
                let selection = block.labels.first().map_or(block.ident_span, |(_, span)| *span);
                let kind = match block.ident.as_str() {
                    "loot_table" | "value" | "policy" => SymbolKind::CLASS,
                    "item" => SymbolKind::ENUM_MEMBER,
                    "spawn_config" => SymbolKind::OBJECT,
                    "event_stream" => SymbolKind::EVENT,
                    _ => SymbolKind::NAMESPACE,
                };
                let children = hcl_symbols(&block.body, text, index);
                symbol(
                    name,
                    Some(block.ident.clone()),
                    kind,
                    index.range(block.span.range()),
                    index.range(selection.range()),
                    children,
                )
            }
        })
        .collect()
}

fn shorten(value: &str) -> String {
    let line = value.lines().next().unwrap_or_default();
    match line.char_indices().nth(40) {
        Some((at, _)) => format!("{}…", &line[..at]),
        None if line.len() < value.len() => format!("{line}…"),
        None => line.to_string(),
    }
}

/// A YAML file's keys, nested as written, from the parser's pointers and spans.
fn yaml_symbols(doc: &yaml::Document, index: &LineIndex<'_>) -> Vec<DocumentSymbol> {
    let mut children: HashMap<&str, Vec<&str>> = HashMap::new();
    for pointer in doc.spans.keys().filter(|p| !p.is_empty()) {
        let parent = pointer.rfind('/').map_or("", |at| &pointer[..at]);
        children.entry(parent).or_default().push(pointer);
    }
    build(doc, "", &children, index, 0)
}

fn build(
    doc: &yaml::Document,
    pointer: &str,
    children: &HashMap<&str, Vec<&str>>,
    index: &LineIndex<'_>,
    depth: usize,
) -> Vec<DocumentSymbol> {
    let Some(mine) = children.get(pointer) else { return Vec::new() };
    let mut mine: Vec<&str> = mine.clone();
    mine.sort_by_key(|p| doc.spans.get(*p).map_or(0, |(span, _)| span.start));
    mine.into_iter()
        .filter_map(|child| {
            let (value, key) = doc.spans.get(child)?;
            let segment = child.rsplit('/').next().unwrap_or_default().replace("~1", "/").replace("~0", "~");
            let value_at = doc.value.pointer(child);
            let kind = match value_at {
                Some(serde_json::Value::Object(_)) => SymbolKind::MODULE,
                Some(serde_json::Value::Array(_)) => SymbolKind::ARRAY,
                Some(serde_json::Value::Number(_)) => SymbolKind::NUMBER,
                Some(serde_json::Value::Bool(_)) => SymbolKind::BOOLEAN,
                Some(serde_json::Value::Null) => SymbolKind::NULL,
                _ => SymbolKind::STRING,
            };
            let (name, selection) = match key {
                Some(key) => (segment, *key),
                None => (format!("[{segment}]"), *value),
            };
            let start = selection.start.min(value.start) as usize;
            let end = (value.end as usize).max(selection.end as usize);
            let detail = match value_at {
                Some(serde_json::Value::Object(_) | serde_json::Value::Array(_)) | None => None,
                Some(scalar) => Some(shorten(&scalar.to_string())),
            };
            // Bounded: the parser refused a document deeper than its limit.
            let nested = if depth < 128 { build(doc, child, children, index, depth + 1) } else { Vec::new() };
            Some(symbol(name, detail, kind, index.range(start..end), index.range(selection.range()), nested))
        })
        .collect()
}

/// `workspace/symbol`: the loot tables, items, spawn regions, event streams and declared values
/// of every repository the server knows, whose name contains the query's characters in order
/// (case-insensitively).
pub fn workspace(state: &State, params: &WorkspaceSymbolParams) -> Option<WorkspaceSymbolResponse> {
    let query = params.query.to_lowercase();
    let mut out = Vec::new();
    for (root, r) in &state.roots {
        let Some(analysis) = r.analysis() else { continue };
        let mut lines = Lines::new(&analysis.sources);
        let ruleset = &analysis.ruleset;
        let mut found: Vec<(String, SymbolKind, Span, Option<String>)> = Vec::new();
        for table in &ruleset.loot_tables {
            found.push((table.name.value.clone(), SymbolKind::CLASS, table.name.span, Some("loot table".into())));
            for item in &table.items {
                found.push((
                    item.name.value.clone(),
                    SymbolKind::ENUM_MEMBER,
                    item.name.span,
                    Some(table.name.value.clone()),
                ));
            }
        }
        for spawn in &ruleset.spawns {
            if let Some(region) = &spawn.region {
                found.push((region.value.clone(), SymbolKind::OBJECT, region.span, Some("spawn region".into())));
            }
        }
        for stream in &ruleset.streams {
            if let Some(region) = &stream.region {
                found.push((region.value.clone(), SymbolKind::EVENT, region.span, Some("event stream".into())));
            }
        }
        for decl in &analysis.project.value_decls {
            found.push((decl.path.value.clone(), SymbolKind::PROPERTY, decl.path.span, Some("declared value".into())));
        }
        for (name, kind, span, container) in found {
            if !matches_query(&name, &query) {
                continue;
            }
            let Some(uri) = state.uri_for(root, &analysis.sources.get(span.file).path) else { continue };
            #[allow(deprecated)]
            out.push(SymbolInformation {
                name,
                kind,
                tags: None,
                deprecated: None,
                location: Location { uri, range: lines.range(span) },
                container_name: container,
            });
            if out.len() >= MAX_WORKSPACE_SYMBOLS {
                return Some(WorkspaceSymbolResponse::Flat(out));
            }
        }
    }
    Some(WorkspaceSymbolResponse::Flat(out))
}

/// Whether `query`'s characters appear in `name` in order (as editors' fuzzy pickers expect).
fn matches_query(name: &str, query: &str) -> bool {
    let mut wanted = query.chars().filter(|c| !c.is_whitespace()).peekable();
    for c in name.chars().flat_map(char::to_lowercase) {
        if wanted.peek() == Some(&c) {
            wanted.next();
        }
    }
    wanted.peek().is_none()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fuzzy_queries() {
        assert!(matches_query("tier_3_drops", "t3d"));
        assert!(matches_query("tier_3_drops", ""));
        assert!(!matches_query("tier_3_drops", "caves"));
    }

    #[test]
    fn hcl_and_yaml_outlines() {
        let text = "loot_table \"t\" {\n  item \"g\" { weight = 5 }\n}\nspawn_config {\n  region = \"caves\"\n}\n";
        let entries = parse::hcl(FileId::default(), text, &Limits::DEFAULT, &mut Vec::new()).unwrap();
        let index = LineIndex::new(text);
        let got = hcl_symbols(&entries, text, &index);
        assert_eq!(got.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(), ["t", "caves"]);
        let item = &got[0].children.as_ref().unwrap()[0];
        assert_eq!((item.name.as_str(), item.detail.as_deref()), ("g", Some("item")));
        let yaml_text = "a:\n  b: 1\n  c:\n    - x\nd: true\n";
        let doc = yaml::parse(FileId::default(), yaml_text, &Limits::DEFAULT, &mut Vec::new()).unwrap();
        let got = yaml_symbols(&doc, &LineIndex::new(yaml_text));
        assert_eq!(got.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(), ["a", "d"]);
        let a = got[0].children.as_ref().unwrap();
        assert_eq!(a.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(), ["b", "c"]);
        assert_eq!(a[1].children.as_ref().unwrap()[0].name, "[0]");
    }
}
