//! Completion: the block types and attribute names valid at the cursor, the values of a closed
//! list (`value { type = "` offers `duration`, `endpoint`, `quantity`), loot table names for
//! `spawn_config.loot_table`, spawn regions for `event_stream.region`, and numeric attributes
//! for a `policy` label. It reads the text before the cursor, so it works while the file does
//! not parse (which, while typing, is most of the time).

use std::collections::BTreeSet;

use lsp_types::{
    CompletionItem, CompletionItemKind, CompletionTextEdit, Documentation, InsertTextFormat, MarkupContent, MarkupKind,
    TextEdit,
};

use crate::lsp::context::{assignment, floor_boundary, keys_in_body, scan, word_at};
use crate::lsp::convert::LineIndex;
use crate::lsp::hover;
use crate::model::dialect::{rules_attr, rules_attr_paths, BlockSpec, Kind};
use crate::model::ruleset::Ruleset;

/// What completion needs to know.
pub struct Request<'a> {
    /// The file's text as analysed (see `convert::normalize`).
    pub text: &'a str,
    pub offset: usize,
    pub top: &'static BlockSpec,
    /// The latest analysis's ruleset, for the names blocks declare.
    pub ruleset: Option<&'a Ruleset>,
    /// The client takes snippets (`$0` placeholders).
    pub snippets: bool,
}

/// The completions at the cursor; empty where nothing is known to fit.
pub fn complete(req: &Request<'_>) -> Vec<CompletionItem> {
    let text = req.text;
    let offset = floor_boundary(text, req.offset);
    let scan = scan(text, offset);
    if scan.in_comment {
        return Vec::new();
    }
    let Some(chain) = scan.chain(req.top) else { return Vec::new() };
    let Some(spec) = chain.last().copied() else { return Vec::new() };
    let statement = &text[scan.statement..offset];
    let index = LineIndex::new(text);
    let word = word_at(text, offset);
    let edit = |range: std::ops::Range<usize>, new_text: String| {
        Some(CompletionTextEdit::Edit(TextEdit { range: index.range(range), new_text }))
    };

    // A name at the start of a statement: an attribute or a block.
    let typed = statement.trim_start();
    if !scan.in_string && typed.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
        let range = word.start..word.end.max(offset);
        let present = scan.braces.last().map(|&brace| keys_in_body(text, brace, offset)).unwrap_or_default();
        let mut items = Vec::new();
        for attr in spec.attrs.iter().filter(|a| !present.iter().any(|k| k == a.name)) {
            let (new_text, format) = match (req.snippets, attr.kind) {
                (true, Kind::Str(_)) => (format!("{} = \"$1\"", attr.name), InsertTextFormat::SNIPPET),
                (true, _) => (format!("{} = $1", attr.name), InsertTextFormat::SNIPPET),
                (false, _) => (format!("{} = ", attr.name), InsertTextFormat::PLAIN_TEXT),
            };
            items.push(CompletionItem {
                label: attr.name.to_string(),
                kind: Some(CompletionItemKind::FIELD),
                detail: Some(hover::kind(attr)),
                documentation: Some(markdown(hover::attribute(&path(&chain, attr.name), attr))),
                insert_text_format: Some(format),
                text_edit: edit(range.clone(), new_text),
                sort_text: Some(format!("0{}", attr.name)),
                ..CompletionItem::default()
            });
        }
        for child in spec.blocks {
            let (new_text, format) = match (req.snippets, child.label) {
                (true, Some((meaning, _))) => (
                    format!("{} \"${{1:{}}}\" {{\n\t$0\n}}", child.name, meaning.replace(['$', '}', '\\'], "")),
                    InsertTextFormat::SNIPPET,
                ),
                (true, None) => (format!("{} {{\n\t$0\n}}", child.name), InsertTextFormat::SNIPPET),
                (false, _) => (child.name.to_string(), InsertTextFormat::PLAIN_TEXT),
            };
            items.push(CompletionItem {
                label: child.name.to_string(),
                kind: Some(CompletionItemKind::MODULE),
                detail: Some(format!("block: {}", child.doc)),
                documentation: Some(markdown(hover::block(&path(&chain, child.name), child))),
                insert_text_format: Some(format),
                text_edit: edit(range.clone(), new_text),
                sort_text: Some(format!("1{}", child.name)),
                ..CompletionItem::default()
            });
        }
        return items;
    }

    // A value, or a policy's label: names from elsewhere in the ruleset.
    let (names, value_start) = if let Some((key, value_start)) = assignment(statement) {
        (value_names(spec, key, req.ruleset), scan.statement + value_start)
    } else if let Some(label) = typed.strip_prefix("policy").filter(|_| spec.block("policy").is_some()) {
        let start = offset - label.trim_start().len();
        (policy_paths(), start)
    } else {
        return Vec::new();
    };
    let quoted = text[value_start..offset].starts_with('"');
    if text[value_start..offset].trim_start_matches('"').contains(['"', ' ']) {
        return Vec::new();
    }
    let end = word.end.max(offset);
    let closed = text[end..].starts_with('"');
    names
        .into_iter()
        .map(|(name, detail, rank)| {
            let (range, new_text) = if quoted {
                (value_start + 1..end, if closed { name.clone() } else { format!("{name}\"") })
            } else {
                (value_start..end, format!("\"{name}\""))
            };
            CompletionItem {
                label: name.clone(),
                kind: Some(CompletionItemKind::VALUE),
                detail: Some(detail),
                filter_text: Some(if quoted { name.clone() } else { format!("\"{name}\"") }),
                text_edit: edit(range, new_text),
                sort_text: Some(format!("{rank}{name}")),
                ..CompletionItem::default()
            }
        })
        .collect()
}

/// The names an attribute's value may take, with a detail and a rank (lower sorts first): the
/// dialect's values when they are a closed list, else names declared elsewhere in the ruleset.
fn value_names(spec: &BlockSpec, key: &str, ruleset: Option<&Ruleset>) -> Vec<(String, String, u8)> {
    if let Some(Kind::Str(format)) = spec.attr(key).map(|a| a.kind) {
        if !format.choices().is_empty() {
            let detail = format.describe().to_string();
            return format.choices().iter().map(|c| ((*c).to_string(), detail.clone(), 0)).collect();
        }
    }
    let Some(ruleset) = ruleset else { return Vec::new() };
    match (spec.name, key) {
        ("spawn_config", "loot_table") => {
            let names: BTreeSet<(&str, usize)> =
                ruleset.loot_tables.iter().map(|t| (t.name.value.as_str(), t.items.len())).collect();
            names
                .into_iter()
                .map(|(name, items)| (name.to_string(), format!("loot table, {items} item(s)"), 0))
                .collect()
        }
        ("event_stream", "region") => {
            let streamed: BTreeSet<&str> =
                ruleset.streams.iter().filter_map(|s| s.region.as_ref()).map(|r| r.value.as_str()).collect();
            let regions: BTreeSet<&str> =
                ruleset.spawns.iter().filter_map(|s| s.region.as_ref()).map(|r| r.value.as_str()).collect();
            regions
                .into_iter()
                .map(|r| {
                    let has = streamed.contains(r);
                    let detail = if has { "spawn region (has a stream)" } else { "spawn region without a stream" };
                    (r.to_string(), detail.to_string(), u8::from(has))
                })
                .collect()
        }
        _ => Vec::new(),
    }
}

/// The numeric rules attributes a `policy` block can narrow.
fn policy_paths() -> Vec<(String, String, u8)> {
    rules_attr_paths()
        .into_iter()
        .filter_map(|path| {
            let attr = rules_attr(&path)?;
            matches!(attr.kind, Kind::Int | Kind::Number).then(|| (path, hover::kind(attr), 0))
        })
        .collect()
}

fn path(chain: &[&'static BlockSpec], name: &str) -> String {
    chain.iter().skip(1).map(|b| b.name).chain(std::iter::once(name)).collect::<Vec<_>>().join(".")
}

fn markdown(value: String) -> Documentation {
    Documentation::MarkupContent(MarkupContent { kind: MarkupKind::Markdown, value })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::dialect::{PROJECT, RULES};

    fn labels(text: &str, top: &'static BlockSpec) -> Vec<String> {
        let req = Request { text, offset: text.len(), top, ruleset: None, snippets: false };
        complete(&req).into_iter().map(|i| i.label).collect()
    }

    #[test]
    fn offers_what_the_block_allows() {
        assert!(labels("spawn_config {\n  max_", &RULES).contains(&"max_concurrent".to_string()));
        assert!(labels("spawn_config {\n  ", &RULES).contains(&"cooldown_ms".to_string()));
        let top = labels("", &RULES);
        for name in ["spawn_config", "loot_table", "event_timers", "safety_bounds", "event_stream", "ruleset_version"] {
            assert!(top.contains(&name.to_string()), "{name} missing from {top:?}");
        }
        assert_eq!(labels("loot_table \"t\" {\n  ", &RULES), vec!["item"]);
        assert_eq!(labels("loot_table \"t\" {\n  item \"x\" { ", &RULES), vec!["weight"]);
        let set = labels("event_stream {\n  region = \"a\"\n  max_len = 5 # {\n  ", &RULES);
        assert!(!set.contains(&"region".to_string()) && !set.contains(&"max_len".to_string()), "{set:?}");
        assert!(set.contains(&"max_in_flight".to_string()), "{set:?}");
        assert!(labels("paths {\n  ", &PROJECT).contains(&"values_schema".to_string()));
        assert!(labels("# spawn_config {\n", &RULES).contains(&"spawn_config".to_string()));
        assert!(labels("spawn_config {\n  # ", &RULES).is_empty(), "nothing in a comment");
        assert!(labels("nonsense {\n  ", &RULES).is_empty(), "nothing in an unknown block");
    }

    #[test]
    fn offers_policy_targets() {
        let got = labels("policy \"spawn_config.", &PROJECT);
        assert!(got.contains(&"spawn_config.base_rate".to_string()), "{got:?}");
        assert!(!got.contains(&"spawn_config.region".to_string()), "only numbers can be narrowed");
    }

    #[test]
    fn offers_the_values_of_a_closed_list() {
        assert_eq!(labels("value \"a.b\" {\n  type = \"", &PROJECT), ["duration", "endpoint", "quantity"]);
        assert_eq!(labels("value \"a.b\" {\n  type = \"du", &PROJECT), ["duration", "endpoint", "quantity"]);
    }
}
