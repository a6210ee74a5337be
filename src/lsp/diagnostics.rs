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

/// Every diagnostic, converted and grouped by the root-relative path of its primary place.
pub fn by_file(
    diagnostics: &[Diagnostic],
    sources: &Sources,
    uri: &impl Fn(&str) -> Option<Uri>,
) -> BTreeMap<String, Vec<lsp_types::Diagnostic>> {
    let mut lines = Lines::new(sources);
    let mut out: BTreeMap<String, Vec<lsp_types::Diagnostic>> = BTreeMap::new();
    for d in diagnostics {
        let path = &sources.get(d.primary.span.file).path;
        out.entry(path.clone()).or_default().push(convert(d, &mut lines, uri));
    }
    out
}
