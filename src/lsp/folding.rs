//! Folding ranges: in HCL, blocks, objects and lists over several lines, heredocs, block
//! comments and runs of line comments, from the tokenizer's tokens; in YAML, every mapping and
//! sequence over several lines, from the parser's spans.

use lsp_types::{FoldingRange, FoldingRangeKind, FoldingRangeParams};

use crate::diagnostic::FileId;
use crate::lsp::convert::LineIndex;
use crate::lsp::requests::is_hcl;
use crate::lsp::state::State;
use crate::parse::lexer::{self, Kind};
use crate::parse::yaml;
use crate::source::Limits;

/// `textDocument/foldingRange`.
pub fn ranges(state: &State, params: &FoldingRangeParams) -> Option<Vec<FoldingRange>> {
    let view = state.view(&params.text_document.uri)?;
    Some(if is_hcl(&view) { hcl(&view.text) } else { yaml_ranges(&view.text) })
}

fn range(start: u32, end: u32, kind: Option<FoldingRangeKind>) -> FoldingRange {
    FoldingRange { start_line: start, end_line: end, kind, ..FoldingRange::default() }
}

/// Folds a multi-line pair: up to the line before the closing one, so `}` stays in view.
fn pair(out: &mut Vec<FoldingRange>, open: u32, close: u32, kind: Option<FoldingRangeKind>) {
    if close > open + 1 {
        out.push(range(open, close - 1, kind));
    } else if close == open + 1 && kind.is_some() {
        out.push(range(open, close, kind));
    }
}

fn hcl(text: &str) -> Vec<FoldingRange> {
    let index = LineIndex::new(text);
    let line = |at: usize| index.position(at).line;
    let mut out = Vec::new();
    let mut open: Vec<u32> = Vec::new();
    let mut heredocs: Vec<u32> = Vec::new();
    // The first and last line of the current run of line comments.
    let mut comments: Option<(u32, u32)> = None;
    let flush_comments = |out: &mut Vec<FoldingRange>, run: Option<(u32, u32)>| {
        if let Some((first, last)) = run.filter(|(first, last)| last > first) {
            out.push(range(first, last, Some(FoldingRangeKind::Comment)));
        }
    };
    for token in lexer::tokens(text) {
        if token.kind == Kind::LineComment {
            let at = line(token.start);
            comments = match comments {
                Some((first, last)) if at == last + 1 => Some((first, at)),
                run => {
                    flush_comments(&mut out, run);
                    Some((at, at))
                }
            };
            continue;
        }
        if !matches!(token.kind, Kind::Newline) {
            flush_comments(&mut out, comments.take());
        }
        match token.kind {
            Kind::LBrace | Kind::LBracket => open.push(line(token.start)),
            Kind::RBrace | Kind::RBracket => {
                if let Some(start) = open.pop() {
                    pair(&mut out, start, line(token.start), None);
                }
            }
            Kind::OpenHeredoc => heredocs.push(line(token.start)),
            Kind::CloseHeredoc => {
                if let Some(start) = heredocs.pop() {
                    pair(&mut out, start, line(token.start), None);
                }
            }
            Kind::BlockComment | Kind::UnclosedBlockComment => {
                let (start, end) = (line(token.start), line(token.end));
                if end > start {
                    out.push(range(start, end, Some(FoldingRangeKind::Comment)));
                }
            }
            _ => {}
        }
    }
    flush_comments(&mut out, comments);
    out.sort_by_key(|r| (r.start_line, r.end_line));
    out
}

fn yaml_ranges(text: &str) -> Vec<FoldingRange> {
    let Some(doc) = yaml::parse(FileId::default(), text, &Limits::DEFAULT, &mut Vec::new()) else { return Vec::new() };
    let index = LineIndex::new(text);
    let mut out = Vec::new();
    for (pointer, (value, key)) in &doc.spans {
        if !matches!(doc.value.pointer(pointer), Some(serde_json::Value::Object(_) | serde_json::Value::Array(_))) {
            continue;
        }
        let start = key.map_or(value.start, |k| k.start) as usize;
        // The value's span may end after its last line's newline: fold to its last character.
        let end = text.get(..value.end as usize).map_or(value.end as usize, |t| t.trim_end().len());
        let (first, last) = (index.position(start).line, index.position(end).line);
        if last > first && !pointer.is_empty() {
            out.push(range(first, last, None));
        }
    }
    out.sort_by_key(|r| (r.start_line, r.end_line));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(ranges: &[FoldingRange]) -> Vec<(u32, u32)> {
        ranges.iter().map(|r| (r.start_line, r.end_line)).collect()
    }

    #[test]
    fn blocks_heredocs_and_comments_fold() {
        let text = "# a\n# b\nloot_table \"t\" {\n  item \"g\" {\n    weight = 5\n  }\n}\nx = <<EOT\none\ntwo\nEOT\n/* c\nd */\n";
        assert_eq!(lines(&hcl(text)), [(0, 1), (2, 5), (3, 4), (7, 9), (11, 12)]);
        assert!(hcl("a { b = 1 }\n").is_empty(), "one line folds nothing");
    }

    #[test]
    fn yaml_mappings_fold() {
        let text = "a:\n  b: 1\n  c:\n    - x\n    - y\nd: 1\n";
        assert_eq!(lines(&yaml_ranges(text)), [(0, 4), (2, 4)]);
    }
}
