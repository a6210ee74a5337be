//! Renderers: one diagnostic list in, one output format out. Checks never print.

pub mod changes;
mod github;
pub mod human;
mod json;
mod sarif;

use crate::diagnostic::{Diagnostic, Severity};
use crate::source::Sources;

/// The output formats of every command that reports diagnostics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Human { color: bool },
    Json,
    Sarif,
    Github,
}

/// Counts for the summary line and the JSON summary.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    pub errors: usize,
    pub warnings: usize,
    pub files: usize,
}

impl Summary {
    pub fn of(diagnostics: &[Diagnostic], files: usize) -> Self {
        let errors = diagnostics.iter().filter(|d| d.severity == Severity::Error).count();
        Summary { errors, warnings: diagnostics.len() - errors, files }
    }
}

/// What a command adds to its report: lines before the human summary, keys in the JSON object.
#[derive(Debug, Default)]
pub struct Extra {
    pub lines: Vec<String>,
    pub json: Vec<(&'static str, serde_json::Value)>,
}

/// Renders the report in `format`.
pub fn render(
    format: Format,
    diagnostics: &[Diagnostic],
    sources: &Sources,
    summary: Summary,
    extra: &Extra,
) -> String {
    match format {
        Format::Human { color } => human::render(diagnostics, sources, summary, color, &extra.lines),
        Format::Json => json::render(diagnostics, sources, summary, &extra.json),
        Format::Sarif => sarif::render(diagnostics, sources),
        Format::Github => {
            let mut out = github::render(diagnostics, sources, summary);
            for line in &extra.lines {
                out.push_str(line);
                out.push('\n');
            }
            out
        }
    }
}

/// 1-based start and end positions of a span, as every format reports them.
pub struct Position {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

impl Position {
    pub fn of(span: crate::source::Span, sources: &Sources) -> Self {
        let file = sources.get(span.file);
        let (line, column) = file.position(span.start as usize);
        let (end_line, end_column) = file.position(span.end as usize);
        Position { file: file.path.clone(), line, column, end_line, end_column }
    }
}
