//! `--format human`: miette snippets for every span, then one summary line.

use std::fmt;

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents, SourceCode, SourceSpan,
    SpanContents,
};

use crate::diagnostic::FileId;
use crate::diagnostic::{Diagnostic, Label, Severity};
use crate::report::Summary;
use crate::source::Sources;

pub fn render(
    diagnostics: &[Diagnostic],
    sources: &Sources,
    summary: Option<Summary>,
    color: bool,
    lines: &[String],
) -> String {
    let theme = if color { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_links(false)
        .with_width(100)
        .with_show_related_as_nested(true)
        .with_primary_span_start();
    let mut out = String::new();
    for diagnostic in diagnostics {
        let report = Report::new(diagnostic, sources);
        if handler.render_report(&mut out, &report).is_err() {
            out.push_str(&format!(
                "{}[{}]: {}\n",
                diagnostic.severity.as_str(),
                diagnostic.code.id,
                diagnostic.message
            ));
        }
        out.push('\n');
    }
    for line in lines {
        out.push_str(line);
        out.push('\n');
    }
    if let Some(summary) = summary {
        out.push_str(&summary_line(summary));
    }
    out
}

/// `checked 5 files: 2 errors, 1 warning`, how many a PATH filter hid, and how many the
/// diagnostics limit left unprinted (and how to see them).
pub fn summary_line(s: Summary) -> String {
    let plural = |n: usize, word: &str| if n == 1 { format!("{n} {word}") } else { format!("{n} {word}s") };
    let hidden = if s.hidden > 0 {
        format!("; {} in other files not shown", plural(s.hidden, "more diagnostic"))
    } else {
        String::new()
    };
    let not_kept = if s.not_kept > 0 {
        format!(
            "; {} of them past the limit of {} per file, counted but not shown (L011 says where; `limits {{ max_diagnostics = ... }}` in rulesctl.hcl raises it)",
            s.not_kept, s.max_diagnostics
        )
    } else {
        String::new()
    };
    let not_printed = if s.not_printed > 0 {
        format!(
            "; {} not printed, past the limit of {} (--all prints every one, `limits {{ max_diagnostics = ... }}` in rulesctl.hcl raises it)",
            plural(s.not_printed, "more diagnostic"),
            s.max_diagnostics
        )
    } else {
        String::new()
    };
    format!(
        "checked {}: {}, {}{not_kept}{hidden}{not_printed}\n",
        plural(s.files, "file"),
        plural(s.errors, "error"),
        plural(s.warnings, "warning")
    )
}

/// One diagnostic as miette sees it: the labels in the primary file, and one nested report per
/// other file that holds related spans.
struct Report<'a> {
    code: String,
    message: String,
    severity: miette::Severity,
    help: Option<String>,
    source: Text<'a>,
    labels: Vec<LabeledSpan>,
    related: Vec<Report<'a>>,
}

impl<'a> Report<'a> {
    fn new(d: &Diagnostic, sources: &'a Sources) -> Self {
        let severity = match d.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        };
        let file = d.primary.span.file;
        let here: Vec<_> = std::iter::once(d.primary.span)
            .chain(d.related.iter().map(|l| l.span))
            .filter(|s| s.file == file)
            .collect();
        let source = named(sources, file, &here);
        let mut labels = vec![labeled(&d.primary, true, &source)];
        let mut others: Vec<(FileId, Vec<&Label>)> = Vec::new();
        let text = &sources.get(file).text;
        // Counted in bytes (`\n` is one), so an offset inside a character or past the end
        // cannot make a related place's line larger than the primary one's by accident.
        let line_of = |offset: u32| {
            let end = (offset as usize).min(text.len());
            text.as_bytes()[..end].iter().filter(|&&b| b == b'\n').count()
        };
        let primary_line = line_of(d.primary.span.start);
        for label in &d.related {
            // A related place in the same file joins the primary snippet only when it does not
            // come before it by more than the snippet's context: the first place shown, and the
            // location in the header, is always the primary one, as in every other format.
            let shares_snippet =
                label.span.start >= d.primary.span.start || primary_line.saturating_sub(line_of(label.span.start)) <= 1;
            if label.span.file == file && shares_snippet {
                labels.push(labeled(label, false, &source));
            } else if let Some((_, group)) = others.iter_mut().find(|(f, _)| *f == label.span.file) {
                group.push(label);
            } else {
                others.push((label.span.file, vec![label]));
            }
        }
        let related = others
            .into_iter()
            .map(|(other, group)| {
                let spans: Vec<_> = group.iter().map(|l| l.span).collect();
                let source = named(sources, other, &spans);
                Report {
                    code: String::new(),
                    message: format!("related location in {}", sources.get(other).path),
                    severity: miette::Severity::Advice,
                    help: None,
                    labels: group.into_iter().map(|l| labeled(l, false, &source)).collect(),
                    source,
                    related: Vec::new(),
                }
            })
            .collect();
        Report {
            code: format!("{}[{}]", d.severity.as_str(), d.code.id),
            message: d.message.clone(),
            severity,
            help: d.help.clone(),
            source,
            labels,
            related,
        }
    }
}

/// How much of a line a snippet shows after its start or its last place, in bytes; the rest is
/// shown as `...`. miette lays out every character of every line it shows, so a 10 MiB string on one line
/// cost more to print than the whole run had cost to read.
const LINE_SHOWN: usize = 512;

/// The file as a snippet shows the places `spans` (all in it), up to the line after the last
/// of them (a snippet shows one line of context): printable, each masked credential a fixed
/// `*****` (with its line breaks, so later lines keep their numbers), whatever its length, and
/// each line cut [`LINE_SHOWN`] bytes after its start or after the last place starting in it,
/// so every place starts in what is shown and its column is exact. Only that head of the file is
/// copied: a diagnostic near the top of a large file costs what it costs in a small one.
fn named<'a>(sources: &'a Sources, id: FileId, spans: &[crate::diagnostic::Span]) -> Text<'a> {
    let file = sources.get(id);
    let all = file.text.as_str();
    let upto = spans.iter().map(|s| s.end as usize).max().unwrap_or(0);
    let mut starts: Vec<usize> = spans.iter().map(|s| s.start as usize).collect();
    starts.sort_unstable();
    let mut masks: Vec<std::ops::Range<usize>> = file.masked.clone();
    masks.sort_by_key(|r| r.start);
    masks.dedup_by(|later, earlier| later.start < earlier.end);
    let masks: Vec<_> = masks.into_iter().filter(|m| m.end <= all.len()).collect();
    // A credential is never cut in two: the head ends after every mask that starts in it.
    let mut end = line_end(all, line_end(all, upto));
    for mask in &masks {
        if mask.start < end {
            end = end.max(line_end(all, mask.end));
        }
    }
    let mut text = String::new();
    let mut shown = Vec::new();
    let mut at = 0;
    for mask in masks.iter().filter(|m| m.start < end) {
        show_lines(all, at..mask.start, &starts, &mut text, &mut shown);
        let start = text.len();
        text.push_str("*****");
        text.push_str(&"\n".repeat(all.get(mask.clone()).map_or(0, |t| t.matches('\n').count())));
        shown.push((mask.clone(), start..text.len()));
        at = mask.end;
    }
    show_lines(all, at..end, &starts, &mut text, &mut shown);
    Text { name: file.path.clone(), text, file: all, shown }
}

/// The offset after the line break at or after `from` (the end of the text when there is none).
fn line_end(text: &str, from: usize) -> usize {
    let bytes = text.as_bytes();
    let from = from.min(bytes.len());
    bytes[from..].iter().position(|&b| b == b'\n').map_or(bytes.len(), |i| from + i + 1)
}

/// Appends `range` of `all` to `text` as a snippet shows it: printable, each line cut
/// [`LINE_SHOWN`] bytes after its start or after the last of `starts` (sorted) in it, the cut
/// shown as `...` and recorded in `shown`.
fn show_lines(
    all: &str,
    range: std::ops::Range<usize>,
    starts: &[usize],
    text: &mut String,
    shown: &mut Vec<(std::ops::Range<usize>, std::ops::Range<usize>)>,
) {
    let mut at = range.start;
    while at < range.end {
        let next = line_end(all, at).min(range.end);
        let body_end = if all.as_bytes().get(next.wrapping_sub(1)) == Some(&b'\n') { next - 1 } else { next };
        let from = starts.partition_point(|&s| s < at);
        let last = starts[from..].iter().take_while(|&&s| s < body_end).last().copied().unwrap_or(at);
        let keep = last.saturating_add(LINE_SHOWN);
        if body_end > keep {
            let mut cut = keep;
            while !all.is_char_boundary(cut) {
                cut -= 1;
            }
            text.push_str(&printable(all.get(at..cut).unwrap_or_default()));
            let start = text.len();
            // ASCII, so an offset into it is still a character boundary.
            text.push_str("...");
            shown.push((cut..body_end, start..text.len()));
            text.push_str(all.get(body_end..next).unwrap_or_default());
        } else {
            text.push_str(&printable(all.get(at..next).unwrap_or_default()));
        }
        at = next;
    }
}

/// The text as a snippet may show it, each control character replaced by a printable one of the
/// same length in bytes (`?`, or `¿` for a two-byte C1 control), so every span still fits. A
/// lone `\r` above all: miette starts a new line at it, where every other format (and HCL) does
/// not, so the snippet's line numbers disagreed with the header's and with `--format json`,
/// and a terminal printed the rest of the line over its start. Other controls (an escape
/// sequence in a comment) are not for a terminal to interpret either.
fn printable(text: &str) -> String {
    let kept =
        |c: char, next: Option<char>| !c.is_control() || matches!(c, '\n' | '\t') || (c == '\r' && next == Some('\n'));
    let mut chars = text.chars().peekable();
    let mut out = String::with_capacity(text.len());
    while let Some(c) = chars.next() {
        if kept(c, chars.peek().copied()) {
            out.push(c);
        } else {
            out.push(if c.len_utf8() == 1 { '?' } else { '¿' });
        }
    }
    out
}

/// A file as miette reads it, except that the column in a snippet's `[path:line:column]` header
/// counts characters, as every other format does; miette's own count is in bytes, which puts
/// the header past the end of a line that holds `é` or `日本` before the span. The column is
/// counted in the file as written, not in the shown text, where a credential is
/// shorter or longer than it was.
struct Text<'a> {
    name: String,
    /// What a snippet shows: the head of the file (see [`named`]).
    text: String,
    /// The file as written: every offset as written.
    file: &'a str,
    /// Each masked or cut range in the file, and where its `*****` or `…` stands in `text`.
    shown: Vec<(std::ops::Range<usize>, std::ops::Range<usize>)>,
}

impl Text<'_> {
    /// Where an offset into the file stands in the shown text.
    fn shown_offset(&self, offset: usize) -> usize {
        let mut delta: isize = 0;
        for (mask, shown) in &self.shown {
            if offset >= mask.end {
                delta = shown.end as isize - mask.end as isize;
            } else if offset > mask.start {
                return shown.start + (offset - mask.start).min(shown.len());
            } else {
                break;
            }
        }
        offset.saturating_add_signed(delta)
    }

    /// Where a shown offset stands in the file.
    fn file_offset(&self, offset: usize) -> usize {
        let mut delta: isize = 0;
        for (mask, shown) in &self.shown {
            if offset >= shown.end {
                delta = mask.end as isize - shown.end as isize;
            } else if offset >= shown.start {
                return mask.start;
            } else {
                break;
            }
        }
        offset.saturating_add_signed(delta)
    }
}

impl SourceCode for Text<'_> {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let inner = self.text.as_str().read_span(span, before, after)?;
        let start = self.file_offset(span.offset().min(self.text.len()));
        // Only a span read without context carries a column; the text holds no lone \r (see
        // `printable`), so lines start after \n alone, as in `SourceFile::position`.
        let column = match self.file.get(..start) {
            Some(head) if before == 0 => head.rsplit('\n').next().map_or(0, |l| l.chars().count()),
            _ => inner.column(),
        };
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            *inner.span(),
            inner.line(),
            column,
            inner.line_count(),
        )))
    }
}

fn labeled(label: &Label, primary: bool, text: &Text) -> LabeledSpan {
    let range = label.span.range();
    let (start, end) = (text.shown_offset(range.start), text.shown_offset(range.end));
    let span = (start, end.saturating_sub(start));
    if primary {
        LabeledSpan::new_primary_with_span(label.message.clone(), span)
    } else {
        LabeledSpan::new_with_span(label.message.clone(), span)
    }
}

impl fmt::Debug for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Report<'_> {}

impl miette::Diagnostic for Report<'_> {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        (!self.code.is_empty()).then(|| Box::new(&self.code) as Box<dyn fmt::Display>)
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help.as_ref().map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(self.labels.iter().cloned()))
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn miette::Diagnostic> + 'a>> {
        if self.related.is_empty() {
            return None;
        }
        Some(Box::new(self.related.iter().map(|r| r as &dyn miette::Diagnostic)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Span;

    static CODE: crate::diagnostic::Code = crate::diagnostic::Code {
        id: "T001",
        name: "test",
        severity: crate::diagnostic::Severity::Error,
        class: crate::diagnostic::code::Class::Invalid,
        doc: "A test.",
    };

    #[test]
    fn a_primary_place_inside_a_character_before_a_related_line_renders() {
        let mut sources = Sources::default();
        let id = sources.add("a.hcl".into(), "a\nb\nc\n日本\n".into());
        // The primary place inside `日`, a related one on an earlier line of the same file.
        let d = Diagnostic::new(&CODE, Span::new(id, 7..8), "inside").related(Span::new(id, 4..5), "earlier");
        let out = render(&[d], &sources, None, false, &[]);
        assert!(out.contains("inside") && out.contains("earlier"), "{out}");
    }

    #[test]
    fn a_long_line_is_cut_after_its_last_place_and_the_column_stays_exact() {
        let mut sources = Sources::default();
        let line = format!("{}é{}", "a".repeat(1_000), "b".repeat(5_000));
        let id = sources.add("a.hcl".into(), format!("first\n{line}\nthird\nfourth\n"));
        // A place 1,001 characters into the long line (after the é), and one on the first line.
        let at = 6 + 1_000 + 2 + 10;
        let d = Diagnostic::new(&CODE, Span::new(id, at..at + 3), "far along").related(Span::new(id, 0..5), "first");
        let out = render(&[d], &sources, None, false, &[]);
        assert!(out.contains("[a.hcl:2:1012]"), "{out}");
        assert!(out.contains("b..."), "{out}");
        assert!(out.len() < 4_000, "{out}");
        assert!(!out.contains("fourth"), "only the line after the last place is shown: {out}");
        // The head of the file stops after the line that follows the last place.
        let text = named(&sources, id, &[Span::new(id, 0..5)]);
        assert_eq!(text.text.len(), "first\n".len() + 512 + "...\n".len());
    }

    #[test]
    fn control_characters_print_as_one_byte_stand_ins() {
        assert_eq!(printable("a\rb\r\nc\td\u{1b}[2Je\u{9b}f"), "a?b\r\nc\td?[2Je¿f");
        assert_eq!(printable("\u{9b}").len(), "\u{9b}".len());
    }
}
