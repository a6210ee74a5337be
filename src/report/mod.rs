//! Renderers: one diagnostic list in, one output format out. Checks never print.

pub mod changes;
mod github;
pub mod human;
mod json;
mod sarif;

use crate::diagnostic::{Diagnostic, Past, Severity};
use crate::source::{Limits, Sources};

/// The output formats of every command that reports diagnostics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    Human { color: bool },
    Json,
    Sarif,
    Github,
}

/// How a report is printed: its format, the `--quiet` and `--all` choices, and how many
/// diagnostics it prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct View {
    pub format: OutputFormat,
    /// Only the diagnostics: no summary line, no extra lines.
    pub quiet: bool,
    /// Every diagnostic, none grouped and none left out.
    pub all: bool,
    /// `limits { max_diagnostics }`: the first this many are printed unless `all`.
    pub max_diagnostics: usize,
}

impl View {
    /// The plain view of a format: summary shown, alike diagnostics grouped, the default limit.
    pub fn of(format: OutputFormat) -> Self {
        View { format, quiet: false, all: false, max_diagnostics: Limits::DEFAULT.max_diagnostics }
    }

    /// This view under a repository's limits.
    #[must_use]
    pub fn limited(self, limits: &Limits) -> Self {
        View { max_diagnostics: limits.max_diagnostics, ..self }
    }
}

/// Counts for the summary line and the JSON summary.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    pub errors: usize,
    pub warnings: usize,
    pub files: usize,
    /// Diagnostics left out by a `check PATH` filter: they exist, in other files.
    pub hidden: usize,
    /// Diagnostics past `limits { max_diagnostics }`, counted above but not printed.
    pub not_printed: usize,
    /// The limit that left them out.
    pub max_diagnostics: usize,
    /// Diagnostics files found past `limits { max_diagnostics }` and only counted (`L011`);
    /// `errors` and `warnings` include them.
    pub not_kept: usize,
}

impl Summary {
    /// Counts every diagnostic, and for each `L011` note the ones it stands for, not the note.
    pub fn of(diagnostics: &[Diagnostic], files: usize) -> Self {
        let past = diagnostics.iter().fold(Past::default(), |sum, d| Past {
            errors: sum.errors + d.past_limit.errors,
            warnings: sum.warnings + d.past_limit.warnings,
        });
        let kept = diagnostics.iter().filter(|d| d.past_limit == Past::default());
        let errors = kept.clone().filter(|d| d.severity == Severity::Error).count();
        let warnings = kept.count() - errors;
        Summary {
            errors: errors + past.errors,
            warnings: warnings + past.warnings,
            files,
            hidden: 0,
            not_printed: 0,
            max_diagnostics: 0,
            not_kept: past.total(),
        }
    }
}

/// What a command adds to its report: lines before the human summary, keys in the JSON object.
#[derive(Debug, Default)]
pub struct Extra {
    pub lines: Vec<String>,
    pub json: Vec<(&'static str, serde_json::Value)>,
}

/// Renders the report. Every format prints the first `view.max_diagnostics` diagnostics (all of
/// them with `--all`), so a million findings cannot flood a terminal, a CI log or a SARIF
/// upload; the summary still counts every one and says how many were not printed. The human
/// and GitHub formats also group many alike diagnostics unless `--all`.
///
/// An `L011` note (a file's diagnostics past the limit, counted) is always printed, where it
/// falls in report order: it is what says the list is not all there is.
pub fn render(view: View, diagnostics: &[Diagnostic], sources: &Sources, summary: Summary, extra: &Extra) -> String {
    let printed = if view.all { diagnostics.len() } else { diagnostics.len().min(view.max_diagnostics) };
    let (head, rest) = diagnostics.split_at(printed);
    let notes: Vec<&Diagnostic> = rest.iter().filter(|d| d.past_limit.total() > 0).collect();
    let with_notes: Vec<Diagnostic>;
    let diagnostics = if notes.is_empty() {
        head
    } else {
        with_notes = head.iter().chain(notes.iter().copied()).cloned().collect();
        &with_notes
    };
    let summary = Summary { not_printed: rest.len() - notes.len(), max_diagnostics: view.max_diagnostics, ..summary };
    let summary_shown = (!view.quiet).then_some(summary);
    match view.format {
        OutputFormat::Json => json::render(diagnostics, sources, summary, &extra.json),
        OutputFormat::Sarif => sarif::render(diagnostics, sources, summary),
        OutputFormat::Human { color } => {
            let (shown, mut lines) =
                if view.all { (diagnostics.to_vec(), Vec::new()) } else { group(diagnostics, sources) };
            if !view.quiet {
                lines.extend(extra.lines.iter().cloned());
            }
            human::render(&shown, sources, summary_shown, color, &lines)
        }
        OutputFormat::Github => {
            let (shown, mut lines) =
                if view.all { (diagnostics.to_vec(), Vec::new()) } else { group(diagnostics, sources) };
            let mut out = github::render(&shown, sources, summary_shown);
            if !view.quiet {
                lines.extend(extra.lines.iter().cloned());
            }
            for line in &lines {
                out.push_str(line);
                out.push('\n');
            }
            out
        }
    }
}

/// More alike diagnostics than this in one file are grouped.
const GROUP_OVER: usize = 5;
/// How many of a group are shown before the note that counts the rest.
const GROUP_SHOWN: usize = 3;

/// Groups diagnostics that say the same thing about different keys (`unknown key `a` in
/// `prometheus``, `unknown key `b` in ...`): in one file, with one code, alike but for the first
/// quoted word. Past [`GROUP_OVER`] of a kind, the first [`GROUP_SHOWN`] are kept and one line
/// counts the rest, so one large file cannot flood a terminal or a CI log.
fn group(diagnostics: &[Diagnostic], sources: &Sources) -> (Vec<Diagnostic>, Vec<String>) {
    let key = |d: &Diagnostic| (d.primary.span.file, d.code.id, alike(&d.message));
    let mut counts: std::collections::BTreeMap<_, usize> = std::collections::BTreeMap::new();
    for d in diagnostics {
        *counts.entry(key(d)).or_default() += 1;
    }
    let mut seen: std::collections::BTreeMap<_, usize> = std::collections::BTreeMap::new();
    let mut shown = Vec::new();
    let mut notes = Vec::new();
    for d in diagnostics {
        let k = key(d);
        let total = counts.get(&k).copied().unwrap_or(0);
        let n = seen.entry(k.clone()).or_default();
        *n += 1;
        if total <= GROUP_OVER || *n <= GROUP_SHOWN {
            shown.push(d.clone());
        }
        if total > GROUP_OVER && *n == total {
            notes.push(format!(
                "... and {} more {} in {} like the ones above: {} (--all shows every one)",
                total - GROUP_SHOWN,
                d.code.id,
                sources.get(d.primary.span.file).path,
                k.2
            ));
        }
    }
    (shown, notes)
}

/// A message with its first backquoted word replaced, so messages about different keys match.
fn alike(message: &str) -> String {
    match message.split_once('`').and_then(|(before, rest)| Some((before, rest.split_once('`')?.1))) {
        Some((before, after)) => format!("{before}`…`{after}"),
        None => message.to_string(),
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
    pub fn of(span: crate::diagnostic::Span, sources: &Sources) -> Self {
        let file = sources.get(span.file);
        let (line, column) = file.position(span.start as usize);
        let (end_line, end_column) = file.position(span.end as usize);
        Position { file: file.path.clone(), line, column, end_line, end_column }
    }
}
