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
    /// The places this finding depends on being right: when another error is reported within
    /// one of them, this one follows from it and is folded away ([`fold_consequences`]).
    pub follows: Vec<Span>,
    /// For the note that a file found more than `limits { max_diagnostics }`: how many it
    /// counted past the limit without keeping them. The summary counts these, not the note.
    pub past_limit: Past,
}

/// Diagnostics counted past `limits { max_diagnostics }` and not kept, by severity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Past {
    pub errors: usize,
    pub warnings: usize,
}

impl Past {
    pub fn total(self) -> usize {
        self.errors + self.warnings
    }
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
            follows: Vec::new(),
            past_limit: Past::default(),
        }
    }

    /// Says that this finding is a consequence of whatever error is reported within `span`: an
    /// override that is "not allowed" because its key is misspelt, a capacity rule broken by a
    /// value already out of range. The cause is reported; this is not.
    #[must_use]
    pub fn follows(mut self, span: Span) -> Self {
        self.follows.push(span);
        self
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

/// One mistake, one diagnostic: drops every finding that follows from an error reported
/// elsewhere, that is, one with a [`Diagnostic::follows`] span holding another error's primary
/// span. A rule of the pipeline rather than special cases in the checks: a check says what its
/// finding depends on, and this decides. Sorted lookups keep it `O(n log n)`.
pub fn fold_consequences(diagnostics: &mut Vec<Diagnostic>) {
    if diagnostics.iter().all(|d| d.follows.is_empty()) {
        return;
    }
    let mut errors: Vec<(Span, usize)> =
        diagnostics.iter().enumerate().filter(|(_, d)| d.is_error()).map(|(i, d)| (d.primary.span, i)).collect();
    errors.sort_unstable();
    let caused = |i: usize, within: &Span| {
        let from = errors.partition_point(|(s, _)| (s.file, s.start) < (within.file, within.start));
        errors[from..]
            .iter()
            .take_while(|(s, _)| s.file == within.file && s.start <= within.end)
            .any(|(s, j)| *j != i && s.end <= within.end)
    };
    let folded: Vec<bool> =
        diagnostics.iter().enumerate().map(|(i, d)| d.follows.iter().any(|within| caused(i, within))).collect();
    let mut index = 0;
    diagnostics.retain(|_| {
        index += 1;
        !folded[index - 1]
    });
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

#[cfg(test)]
mod fold_tests {
    use super::*;

    static ROOT: Code = Code { id: "T001", name: "t", severity: Severity::Error, class: code::Class::Invalid, doc: "" };

    fn at(file: usize, range: std::ops::Range<usize>) -> Span {
        Span::new(FileId::new(file), range)
    }

    #[test]
    fn a_finding_folds_only_into_another_error_within_what_it_follows() {
        let cause = Diagnostic::new(&ROOT, at(0, 10..14), "cause");
        let consequence = Diagnostic::new(&ROOT, at(1, 3..5), "consequence").follows(at(0, 0..20));
        let elsewhere = Diagnostic::new(&ROOT, at(1, 7..9), "stands").follows(at(0, 15..20));
        let itself = Diagnostic::new(&ROOT, at(2, 1..2), "follows only itself").follows(at(2, 0..5));
        let mut warning = Diagnostic::new(&ROOT, at(3, 0..1), "a warning causes nothing");
        warning.severity = Severity::Warning;
        let after_warning = Diagnostic::new(&ROOT, at(3, 5..6), "stands too").follows(at(3, 0..1));
        let mut all = vec![cause, consequence, elsewhere, itself, warning, after_warning];
        fold_consequences(&mut all);
        let left: Vec<&str> = all.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(left, ["cause", "stands", "follows only itself", "a warning causes nothing", "stands too"]);
    }
}
