//! The requests an editor makes about one document, answered from the latest analysis.

use std::collections::HashMap;

use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CodeActionParams, CompletionParams, CompletionResponse,
    GotoDefinitionParams, GotoDefinitionResponse, Hover, HoverContents, HoverParams, Location, MarkupContent,
    MarkupKind, ReferenceParams, TextEdit, WorkspaceEdit,
};

use crate::diagnostic::Span;
use crate::lsp::context::{dialect, locate};
use crate::lsp::convert::LineIndex;
use crate::lsp::diagnostics::{convert, Lines};
use crate::lsp::state::{State, View};
use crate::lsp::{actions, completion, hover, navigate, values_help};

/// Whether the document is HCL (a rule file or `rulesctl.hcl`), else YAML.
pub fn is_hcl(view: &View<'_>) -> bool {
    view.rel.map_or_else(|| view.doc.path.extension().is_some_and(|e| e == "hcl"), |rel| rel.ends_with(".hcl"))
}

/// `textDocument/hover`: the dialect entry of what is under the cursor, and the explanation of
/// each diagnostic there.
pub fn hover(state: &State, params: &HoverParams) -> Option<Hover> {
    let view = state.view(&params.text_document_position_params.text_document.uri)?;
    let offset = view.offset(params.text_document_position_params.position);
    let mut parts = Vec::new();
    let mut range = None;
    if let (Some(analysis), Some(file)) = (view.analysis, view.file) {
        let here: Vec<_> = analysis
            .diagnostics
            .iter()
            .filter(|d| d.primary.span.file == file && covers(d.primary.span, offset))
            .collect();
        if let Some(first) = here.first() {
            range = Some(first.primary.span.range());
        }
        parts.extend(hover::explain(here.into_iter()));
    }
    if is_hcl(&view) {
        if let Some(found) = locate(&view.text, offset, dialect(view.rel.unwrap_or_default())) {
            range = Some(found.span.clone());
            parts.insert(0, hover::dialect(&found));
        }
    } else if let (Some(analysis), Some(rel)) = (view.analysis, view.rel) {
        if let Some((text, span)) = values_help::hover(analysis, rel, &view.text, offset) {
            range = Some(span);
            parts.insert(0, text);
        }
    }
    if parts.is_empty() {
        return None;
    }
    let index = LineIndex::new(&view.text);
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent { kind: MarkupKind::Markdown, value: parts.join("\n\n---\n\n") }),
        range: range.map(|r| index.range(r)),
    })
}

fn covers(span: Span, offset: usize) -> bool {
    (span.start as usize) <= offset && offset <= (span.end as usize).max(span.start as usize + 1)
}

/// `textDocument/completion`.
pub fn completion(state: &State, params: &CompletionParams, snippets: bool) -> Option<CompletionResponse> {
    let view = state.view(&params.text_document_position.text_document.uri)?;
    if !is_hcl(&view) {
        let offset = view.offset(params.text_document_position.position);
        let items = values_help::complete(view.analysis?, view.rel?, &view.text, offset);
        return Some(CompletionResponse::Array(items));
    }
    let request = completion::Request {
        text: &view.text,
        offset: view.offset(params.text_document_position.position),
        top: dialect(view.rel.unwrap_or_default()),
        ruleset: view.analysis.map(|a| &a.ruleset),
        snippets,
    };
    Some(CompletionResponse::Array(completion::complete(&request)))
}

/// Spans of the analysis as locations.
fn locations(state: &State, view: &View<'_>, spans: Vec<Span>) -> Vec<Location> {
    let (Some(analysis), Some(root)) = (view.analysis, view.root) else { return Vec::new() };
    let mut lines = Lines::new(&analysis.sources);
    spans
        .into_iter()
        .filter_map(|span| {
            let uri = state.uri_for(root, &analysis.sources.get(span.file).path)?;
            Some(Location { uri, range: lines.range(span) })
        })
        .collect()
}

/// `textDocument/definition`: between loot tables and regions in rule files; from a YAML key
/// to its declarations in `rulesctl.hcl`.
pub fn definition(state: &State, params: &GotoDefinitionParams) -> Option<GotoDefinitionResponse> {
    let view = state.view(&params.text_document_position_params.text_document.uri)?;
    let (analysis, file) = (view.analysis?, view.file?);
    let offset = view.offset(params.text_document_position_params.position);
    let spans = if is_hcl(&view) {
        navigate::definition(&analysis.ruleset, file, offset)
    } else {
        // A YAML key: where rulesctl.hcl declares it.
        values_help::declarations(analysis, view.rel?, &view.text, offset)
    };
    let found = locations(state, &view, spans);
    (!found.is_empty()).then_some(GotoDefinitionResponse::Array(found))
}

/// `textDocument/references`.
pub fn references(state: &State, params: &ReferenceParams) -> Option<Vec<Location>> {
    let view = state.view(&params.text_document_position.text_document.uri)?;
    let (analysis, file) = (view.analysis?, view.file?);
    let offset = view.offset(params.text_document_position.position);
    let spans = navigate::all_references(&analysis.ruleset, file, offset, params.context.include_declaration);
    Some(locations(state, &view, spans))
}

/// `textDocument/codeAction`: a quick fix for each diagnostic in the range that suggests a name.
pub fn code_actions(state: &State, params: &CodeActionParams) -> Option<Vec<CodeActionOrCommand>> {
    if let Some(only) = &params.context.only {
        if !only.iter().any(|k| k.as_str().is_empty() || k.as_str() == CodeActionKind::QUICKFIX.as_str()) {
            return Some(Vec::new());
        }
    }
    let view = state.view(&params.text_document.uri)?;
    let (analysis, file, root) = (view.analysis?, view.file?, view.root?);
    let index = LineIndex::new(&view.text);
    let (start, end) = (index.offset(params.range.start), index.offset(params.range.end));
    let mut lines = Lines::new(&analysis.sources);
    let uri_of = |rel: &str| state.uri_for(root, rel);
    let mut actions = Vec::new();
    for d in analysis.diagnostics.iter().filter(|d| d.primary.span.file == file) {
        let span = d.primary.span.range();
        if span.start > end || start > span.end {
            continue;
        }
        let Some((range, name)) = actions::suggestion(d, &view.text) else { continue };
        let written = view.text.get(range.clone()).unwrap_or_default();
        let preferred = actions::preferred(written, &name, &actions::candidates(d, &analysis.ruleset));
        let edit = TextEdit { range: index.range(range), new_text: name.clone() };
        actions.push(CodeActionOrCommand::CodeAction(CodeAction {
            title: format!("Replace with `{name}`"),
            kind: Some(CodeActionKind::QUICKFIX),
            diagnostics: Some(vec![convert(d, &mut lines, &uri_of)]),
            edit: Some(WorkspaceEdit {
                changes: Some(HashMap::from([(view.uri.clone(), vec![edit])])),
                ..WorkspaceEdit::default()
            }),
            is_preferred: Some(preferred),
            ..CodeAction::default()
        }));
    }
    Some(actions)
}
