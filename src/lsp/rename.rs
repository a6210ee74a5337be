//! Rename of a loot table or a spawn region: every declaration and every reference, across the
//! repository's rule files, from the latest analysis's spans (see [`crate::lsp::navigate`]).

use std::collections::BTreeMap;

use lsp_types::{PrepareRenameResponse, RenameParams, TextDocumentPositionParams, TextEdit, Uri, WorkspaceEdit};

use crate::diagnostic::Span;
use crate::lsp::diagnostics::Lines;
use crate::lsp::navigate::{declarations, references, symbol_at, Symbol};
use crate::lsp::state::State;
use crate::model::dialect::is_name;
use crate::source::Sources;

/// `textDocument/prepareRename`: the name under the cursor (inside its quotes) when it is a
/// loot table or a region; an error says why nothing else can be renamed.
pub fn prepare(state: &State, params: &TextDocumentPositionParams) -> Result<Option<PrepareRenameResponse>, String> {
    let Some(view) = state.view(&params.text_document.uri) else { return Ok(None) };
    let (Some(analysis), Some(file)) = (view.analysis, view.file) else { return Ok(None) };
    let offset = view.offset(params.position);
    let Some((symbol, _)) = symbol_at(&analysis.ruleset, file, offset) else {
        return Err("only a loot table's or a spawn region's name can be renamed".to_string());
    };
    let spans = declarations(&analysis.ruleset, &symbol);
    let here = spans
        .into_iter()
        .chain(references(&analysis.ruleset, &symbol))
        .find(|s| s.file == file && (s.start as usize) <= offset && offset <= s.end as usize);
    let Some(here) = here else { return Ok(None) };
    let mut lines = Lines::new(&analysis.sources);
    let inner = unquoted(&analysis.sources, here);
    let placeholder = match &symbol {
        Symbol::LootTable(name) | Symbol::Region(name) => name.clone(),
    };
    Ok(Some(PrepareRenameResponse::RangeWithPlaceholder { range: lines.range(inner), placeholder }))
}

/// `textDocument/rename`: every place that declares or names the table or region, rewritten.
/// The new name must be one the dialect accepts.
pub fn rename(state: &State, params: &RenameParams) -> Result<Option<WorkspaceEdit>, String> {
    let position = &params.text_document_position;
    let Some(view) = state.view(&position.text_document.uri) else { return Ok(None) };
    let (Some(analysis), Some(file), Some(root)) = (view.analysis, view.file, view.root) else { return Ok(None) };
    let new_name = params.new_name.trim();
    if !is_name(new_name) {
        return Err(format!("`{new_name}` is not a name: it must match [a-z][a-z0-9_]{{0,63}}"));
    }
    let offset = view.offset(position.position);
    let Some((symbol, _)) = symbol_at(&analysis.ruleset, file, offset) else { return Ok(None) };
    let mut spans = declarations(&analysis.ruleset, &symbol);
    spans.extend(references(&analysis.ruleset, &symbol));
    let mut lines = Lines::new(&analysis.sources);
    // By URI as text: `Uri` caches its parts inside, so it makes a poor map key while filling.
    let mut by_file: BTreeMap<String, (Uri, Vec<TextEdit>)> = BTreeMap::new();
    for span in spans {
        let Some(uri) = state.uri_for(root, &analysis.sources.get(span.file).path) else { continue };
        let range = lines.range(unquoted(&analysis.sources, span));
        let entry = by_file.entry(uri.to_string()).or_insert_with(|| (uri, Vec::new()));
        entry.1.push(TextEdit { range, new_text: new_name.to_string() });
    }
    Ok(Some(WorkspaceEdit { changes: Some(by_file.into_values().collect()), ..WorkspaceEdit::default() }))
}

/// A string's span without its quotes.
fn unquoted(sources: &Sources, span: Span) -> Span {
    let text = sources.get(span.file).text.get(span.range()).unwrap_or_default();
    if text.len() >= 2 && text.starts_with('"') && text.ends_with('"') {
        Span { start: span.start + 1, end: span.end - 1, ..span }
    } else {
        span
    }
}
