//! The one diagnostic model every stage reports through and every output format renders.
//!
//! A leaf: it imports nothing else from the crate, so every layer can report through it.

pub mod code;
mod span;

pub(crate) use code::declare_code;
pub use code::{Code, Severity};
pub use span::{FileId, Span};

/// A labelled place in a source file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    pub span: Span,
    pub message: Option<String>,
}

/// One problem found in the input: data, never printed by the stage that found it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub code: &'static Code,
    pub severity: Severity,
    pub message: String,
    pub primary: Label,
    pub related: Vec<Label>,
    pub help: Option<String>,
    /// The environments the problem exists in, when it exists only when some environments
    /// are rendered; empty when it concerns every one. It decides which renders it blocks.
    pub environments: Vec<String>,
}

impl Diagnostic {
    /// A diagnostic at `span` with the code's default severity.
    pub fn new(code: &'static Code, span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            severity: code.severity,
            message: message.into(),
            primary: Label { span, message: None },
            related: Vec::new(),
            help: None,
            environments: Vec::new(),
        }
    }

    /// Names what the primary span shows, next to it in the snippet.
    #[must_use]
    pub fn label(mut self, message: impl Into<String>) -> Self {
        self.primary.message = Some(message.into());
        self
    }

    #[must_use]
    pub fn related(mut self, span: Span, message: impl Into<String>) -> Self {
        self.related.push(Label { span, message: Some(message.into()) });
        self
    }

    #[must_use]
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Moves every place to file `id`, for a diagnostic about one file cached from an earlier
    /// run, where the file had another id.
    pub fn set_file(&mut self, id: FileId) {
        self.primary.span.file = id;
        for label in &mut self.related {
            label.span.file = id;
        }
    }

    /// Moves every place `by` files on, for a diagnostic joined into a report whose files were
    /// appended after `by` others (one report over several projects).
    pub fn shift_files(&mut self, by: usize) {
        self.primary.span.file = FileId::new(self.primary.span.file.index() + by);
        for label in &mut self.related {
            label.span.file = FileId::new(label.span.file.index() + by);
        }
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Where checks put what they find; the order of arrival does not matter (reports sort).
pub type Sink = Vec<Diagnostic>;

/// The exit status findings give, the one rule every command follows: 2 when an input could not
/// be read (a code of class `Unreadable`), 1 when one is an error or, with `strict`
/// (`--deny-warnings`, `fmt --check`, `verify`), when there is any finding at all, else 0.
pub fn exit_status(diagnostics: &[Diagnostic], strict: bool) -> u8 {
    if diagnostics.iter().any(|d| d.code.class == code::Class::Unreadable) {
        2
    } else if diagnostics.iter().any(|d| strict || d.severity == Severity::Error) {
        1
    } else {
        0
    }
}

/// Sorts diagnostics into the one report order and drops exact repeats, so output never depends
/// on the order checks ran in or files were found: by file path; within a file errors before
/// warnings (what must be fixed comes first); then by position, code and message. `path` names
/// a file by its id.
pub fn sort<'a>(diagnostics: &mut Vec<Diagnostic>, path: impl Fn(FileId) -> &'a str) {
    diagnostics.sort_by_cached_key(|d| {
        let span = d.primary.span;
        (path(span.file).to_string(), d.severity, span.start, span.end, d.code.id, d.message.clone())
    });
    diagnostics.dedup();
}
