//! Formatting, whole-document and range: `rulesctl fmt`'s layout, sent as edits to the lines
//! that change only (so the cursor, marks and undo history elsewhere stay put), in the buffer's
//! own line ends (a CRLF buffer stays CRLF, and one already laid out gets no edit).

use std::time::Duration;

use lsp_types::{DocumentFormattingParams, DocumentRangeFormattingParams, Position, TextEdit};

use crate::format::format;
use crate::lsp::convert::LineIndex;
use crate::lsp::requests::is_hcl;
use crate::lsp::state::{State, View};

/// `textDocument/formatting`: none when the file is laid out already, or does not parse.
pub fn document(state: &State, params: &DocumentFormattingParams) -> Option<Vec<TextEdit>> {
    let view = state.view(&params.text_document.uri)?;
    Some(edits(&view)?.into_iter().map(|(_, edit)| edit).collect())
}

/// `textDocument/rangeFormatting`: the whole file's layout, as the edits to the lines of the
/// range (layout is of whole statements: a range formats the lines it touches).
pub fn range(state: &State, params: &DocumentRangeFormattingParams) -> Option<Vec<TextEdit>> {
    let view = state.view(&params.text_document.uri)?;
    let (first, last) = (params.range.start.line as usize, params.range.end.line as usize);
    let edits = edits(&view)?;
    Some(
        edits
            .into_iter()
            .filter(|(lines, _)| lines.start <= last && first < lines.end.max(lines.start + 1))
            .map(|(_, edit)| edit)
            .collect(),
    )
}

/// The edits that turn the buffer into its layout, each with the range of old lines it
/// replaces.
fn edits(view: &View<'_>) -> Option<Vec<(std::ops::Range<usize>, TextEdit)>> {
    if !is_hcl(view) {
        return None;
    }
    let Ok(formatted) = format(&view.text) else { return Some(Vec::new()) };
    Some(line_edits(&view.doc.text, &view.text, &formatted))
}

/// Line-by-line edits from `before` (the analysed text: LF) to `after`, positioned in
/// `buffer` (the editor's text, whose line ends they keep).
fn line_edits(buffer: &str, before: &str, after: &str) -> Vec<(std::ops::Range<usize>, TextEdit)> {
    let eol = if buffer.contains("\r\n") { "\r\n" } else { "\n" };
    let diff = similar::TextDiff::configure()
        .algorithm(similar::Algorithm::Myers)
        .timeout(Duration::from_millis(500))
        .diff_lines(before, after);
    let new_lines: Vec<&str> = after.split_inclusive('\n').collect();
    let index = LineIndex::new(buffer);
    let line_count = before.split_inclusive('\n').count();
    let at = |line: usize| {
        if line >= line_count {
            index.position(buffer.len())
        } else {
            Position { line: u32::try_from(line).unwrap_or(u32::MAX), character: 0 }
        }
    };
    let mut out = Vec::new();
    for op in diff.ops() {
        let (tag, old, new) = op.as_tag_tuple();
        if tag == similar::DiffTag::Equal {
            continue;
        }
        let text: String = new_lines.get(new.clone()).unwrap_or_default().concat();
        let text = if eol == "\n" { text } else { text.replace('\n', eol) };
        let range = lsp_types::Range { start: at(old.start), end: at(old.end) };
        out.push((old, TextEdit { range, new_text: text }));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Applies edits made by `line_edits` to `buffer`.
    fn apply(buffer: &str, edits: &[(std::ops::Range<usize>, TextEdit)]) -> String {
        let index = LineIndex::new(buffer);
        let mut out = buffer.to_string();
        for (_, edit) in edits.iter().rev() {
            let (start, end) = (index.offset(edit.range.start), index.offset(edit.range.end));
            out.replace_range(start..end, &edit.new_text);
        }
        out
    }

    #[test]
    fn only_changed_lines_are_edited_in_the_buffers_line_ends() {
        let before = "a {\n  x = 1\n    y = 2\n}\n";
        let after = "a {\n  x = 1\n  y = 2\n}\n";
        let edits = line_edits(before, before, after);
        assert_eq!(edits.len(), 1);
        assert_eq!(edits[0].0, 2..3);
        assert_eq!(apply(before, &edits), after);
        let crlf = before.replace('\n', "\r\n");
        let edits = line_edits(&crlf, before, after);
        assert_eq!(apply(&crlf, &edits), after.replace('\n', "\r\n"));
        assert!(line_edits(&after.replace('\n', "\r\n"), after, after).is_empty(), "laid out: no edit");
        // No newline at the end: the last line's edit runs to the end of the text.
        let edits = line_edits("a = 1\nb  = 2", "a = 1\nb  = 2", "a = 1\nb = 2\n");
        assert_eq!(apply("a = 1\nb  = 2", &edits), "a = 1\nb = 2\n");
    }
}
