//! `rulesctl check`'s diagnostics as LSP diagnostics: the same code, severity, message and
//! places, grouped by the file of their primary place.

use std::collections::{BTreeMap, HashMap};

use lsp_types::{DiagnosticRelatedInformation, DiagnosticSeverity, Location, NumberOrString, Uri};

use crate::diagnostic::Span;
use crate::diagnostic::{Diagnostic, FileId, Severity};
use crate::lsp::convert::LineIndex;
use crate::source::Sources;

/// Line indexes of the files of one analysis, built when first needed.
pub struct Lines<'a> {
    sources: &'a Sources,
    built: HashMap<FileId, LineIndex<'a>>,
}

impl<'a> Lines<'a> {
    pub fn new(sources: &'a Sources) -> Self {
        Lines { sources, built: HashMap::new() }
    }

    pub fn range(&mut self, span: Span) -> lsp_types::Range {
        let sources = self.sources;
        let index = self.built.entry(span.file).or_insert_with(|| LineIndex::new(&sources.get(span.file).text));
        index.range(span.range())
    }
}

/// One diagnostic in LSP terms. `uri` names a root-relative path. The help line follows the
/// message, as in the human report, so an editor shows it on hover.
pub fn convert(d: &Diagnostic, lines: &mut Lines<'_>, uri: &impl Fn(&str) -> Option<Uri>) -> lsp_types::Diagnostic {
    let related: Vec<DiagnosticRelatedInformation> = d
        .related
        .iter()
        .filter_map(|label| {
            let uri = uri(&lines.sources.get(label.span.file).path)?;
            Some(DiagnosticRelatedInformation {
                location: Location { uri, range: lines.range(label.span) },
                message: label.message.clone().unwrap_or_default(),
            })
        })
        .collect();
    let mut message = d.message.clone();
    if let Some(help) = &d.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    lsp_types::Diagnostic {
        range: lines.range(d.primary.span),
        severity: Some(match d.severity {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
        }),
        code: Some(NumberOrString::String(d.code.id.to_string())),
        code_description: None,
        source: Some("rulesctl".to_string()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        tags: None,
        data: Some(serde_json::json!({ "name": d.code.name })),
    }
}

/// Every diagnostic, converted and grouped by the root-relative path of its primary place; a
/// file with more than `cap` gets its first `cap - 1` and a last one that says how many more
/// (only those published are converted, so a file with 50,000 findings costs what 1,000 do).
pub fn by_file(
    diagnostics: &[Diagnostic],
    sources: &Sources,
    uri: &impl Fn(&str) -> Option<Uri>,
    cap: usize,
) -> BTreeMap<String, Vec<lsp_types::Diagnostic>> {
    let cap = cap.max(1);
    let mut counts: HashMap<FileId, usize> = HashMap::new();
    for d in diagnostics {
        *counts.entry(d.primary.span.file).or_default() += 1;
    }
    let mut lines = Lines::new(sources);
    let mut out: BTreeMap<String, Vec<lsp_types::Diagnostic>> = BTreeMap::new();
    let mut shown: HashMap<FileId, usize> = HashMap::new();
    for d in diagnostics {
        let file = d.primary.span.file;
        let total = counts.get(&file).copied().unwrap_or(0);
        let seen = shown.entry(file).or_default();
        *seen += 1;
        let list = out.entry(sources.get(file).path.clone()).or_default();
        if total <= cap || *seen < cap {
            list.push(convert(d, &mut lines, uri));
        } else if *seen == cap {
            list.push(more(total - (cap - 1), lines.range(d.primary.span)));
        }
    }
    out
}

/// The last diagnostic of a file over the cap: how many were left out, where the first is.
fn more(hidden: usize, range: lsp_types::Range) -> lsp_types::Diagnostic {
    let s = if hidden == 1 { "" } else { "s" };
    lsp_types::Diagnostic {
        range,
        severity: Some(DiagnosticSeverity::INFORMATION),
        source: Some("rulesctl".to_string()),
        message: format!(
            "{hidden} more diagnostic{s} in this file, from here on, are not shown (the limit is \
             rulesctl.maxDiagnosticsPerFile); `rulesctl check` lists them all"
        ),
        ..lsp_types::Diagnostic::default()
    }
}
