//! Canonical HCL layout, the way `terraform fmt` lays files out, with every comment kept.
//!
//! `hcl::format` drops comments, so this normalises hcl-edit's own tree instead: each
//! structure's decor (the whitespace and comments around it) is rewritten, never its values.
//! Two-space indent; `=` aligned within a run of adjacent single-line attributes; one blank line
//! between top-level blocks (and at most one anywhere); no trailing spaces; a final newline.

use hcl::edit::parser::parse_body;
use hcl::edit::structure::{Body, Structure};
use hcl::edit::{Decor, Decorate, RawString};

use crate::declare_code;

declare_code! {
    /// `rulesctl fmt` refused to rewrite a file: its layout would change more than whitespace.
    ///
    /// Formatting only moves whitespace: before writing, fmt compares every non-whitespace
    /// character of its output with the input, and refuses when they differ. Reaching this means
    /// the formatter met a construct it does not lay out faithfully; the file was left as it was.
    ///
    /// Fix: nothing in the file is wrong. Keep the file as it is, and report it with the file so
    /// the formatter can be fixed.
    pub static REFUSED = ("F001", "fmt-refused", Error);
}

/// Why a file was not formatted.
pub enum Error {
    /// Not valid HCL: the parser's error.
    Syntax(hcl::edit::parser::Error),
    /// Formatting would have changed more than whitespace (a bug in rulesctl; nothing written).
    WouldChangeText,
}

/// Formats HCL source.
///
/// # Errors
///
/// [`Error::Syntax`] when `text` is not valid HCL; [`Error::WouldChangeText`] when the result
/// would differ from `text` in anything but whitespace, which layout must never do.
pub fn format(text: &str) -> Result<String, Error> {
    let formatted = layout(text).map_err(Error::Syntax)?;
    let visible = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
    if visible(&formatted) != visible(text) {
        return Err(Error::WouldChangeText);
    }
    Ok(formatted)
}

fn layout(text: &str) -> Result<String, hcl::edit::parser::Error> {
    let mut body = parse_body(text)?;
    format_body(&mut body, 0);
    let tail = write_lines(lines(body.decor().suffix()), None, "");
    body.decor_mut().set_prefix("");
    body.decor_mut().set_suffix(tail);
    Ok(tidy(&body.to_string()))
}

/// A line of decor before a structure or a closing brace.
#[derive(Debug, Clone, PartialEq)]
enum Line {
    Blank,
    Comment(String),
}

/// The comment and blank lines in a piece of decor, in order, blank runs collapsed to one. The
/// text after the last newline is the indentation before what follows, so it is not a line.
fn lines(raw: Option<&RawString>) -> Vec<Line> {
    let text: &str = raw.map_or("", |r| r);
    let segments: Vec<&str> = text.split('\n').collect();
    let mut out: Vec<Line> = Vec::new();
    // The last segment is indentation, unless it is a comment with no newline after it.
    let last_is_text = segments.last().is_some_and(|l| !l.trim().is_empty());
    let count = if last_is_text { segments.len() } else { segments.len().saturating_sub(1) };
    for segment in &segments[..count] {
        let line = match segment.trim() {
            "" => Line::Blank,
            comment => Line::Comment(comment.to_string()),
        };
        if !(line == Line::Blank && out.last() == Some(&Line::Blank)) {
            out.push(line);
        }
    }
    out
}

/// Writes lines at `indent`; with `blank` a leading blank line is ensured, without it dropped.
fn write_lines(mut found: Vec<Line>, blank: Option<bool>, indent: &str) -> String {
    match blank {
        Some(true) if found.first() != Some(&Line::Blank) => found.insert(0, Line::Blank),
        Some(false) if found.first() == Some(&Line::Blank) => {
            found.remove(0);
        }
        _ => {}
    }
    found
        .iter()
        .map(|l| match l {
            Line::Blank => "\n".to_string(),
            Line::Comment(c) => format!("{indent}{c}\n"),
        })
        .collect()
}

fn has_comment(raw: Option<&RawString>) -> bool {
    lines(raw).iter().any(|l| matches!(l, Line::Comment(_)))
}

/// A trailing same-line comment, as ` # comment`, or nothing.
fn trailing(raw: Option<&RawString>) -> String {
    let text: &str = raw.map_or("", |r| r);
    let t = text.trim();
    if t.is_empty() {
        String::new()
    } else {
        format!(" {t}")
    }
}

fn is_single_line(s: &Structure) -> bool {
    s.as_attribute().is_some_and(|a| !a.value.to_string().contains('\n'))
}

/// Whether a structure's prefix holds a comment or a blank line, which breaks an alignment run.
fn breaks_run(s: &Structure) -> bool {
    // The newline ending the previous line is written by the encoder, so any newline here is a
    // blank line.
    let raw: &str = s.decor().prefix().map_or("", |r| r);
    raw.contains('#') || raw.contains("//") || raw.contains("/*") || raw.contains('\n')
}

fn format_body(body: &mut Body, depth: usize) {
    let indent = "  ".repeat(depth);
    // Alignment runs: adjacent single-line attributes with no comment or blank line between.
    let (widths, comment_columns): (Vec<usize>, Vec<usize>) = {
        let items: Vec<&Structure> = body.iter().collect();
        let mut widths = vec![0; items.len()];
        let mut columns = vec![0; items.len()];
        let mut start = 0;
        while start < items.len() {
            if !is_single_line(items[start]) {
                start += 1;
                continue;
            }
            let mut end = start + 1;
            while end < items.len() && is_single_line(items[end]) && !breaks_run(items[end]) {
                end += 1;
            }
            let run = &items[start..end];
            let width =
                run.iter().filter_map(|s| s.as_attribute()).map(|a| a.key.as_str().chars().count()).max().unwrap_or(0);
            widths[start..end].iter_mut().for_each(|w| *w = width);
            // Trailing comments in a run line up one space after the longest commented line.
            let line =
                |s: &&Structure| s.as_attribute().map_or(0, |a| width + 3 + a.value.to_string().trim().chars().count());
            let column =
                run.iter().filter(|s| !trailing(s.decor().suffix()).is_empty()).map(line).max().unwrap_or(0) + 1;
            columns[start..end].iter_mut().for_each(|c| *c = column);
            start = end;
        }
        (widths, columns)
    };
    let mut previous_was_block = false;
    for (i, mut structure) in body.iter_mut().enumerate() {
        let is_block = structure.is_block();
        let blank = if i == 0 {
            Some(false)
        } else if depth == 0 && (is_block || previous_was_block) {
            Some(true)
        } else {
            None
        };
        let mut prefix = write_lines(lines(structure.decor().prefix()), blank, &indent);
        prefix.push_str(&indent);
        let comment = trailing(structure.decor().suffix());
        let line = structure
            .as_attribute()
            .map(|a| widths[i].max(a.key.as_str().chars().count()) + 3 + a.value.to_string().trim().chars().count());
        let suffix = match line {
            Some(line) if !comment.is_empty() && comment_columns[i] > line => {
                format!("{}{comment}", " ".repeat(comment_columns[i] - line - 1))
            }
            _ => comment,
        };
        *structure.decor_mut() = Decor::new(prefix, suffix);
        if let Some(mut attr) = structure.as_attribute_mut() {
            let width = widths[i].max(attr.get().key.as_str().chars().count());
            let pad = " ".repeat(width - attr.get().key.as_str().chars().count() + 1);
            *attr.key_decor_mut() = Decor::new("", pad);
            let value = attr.value_mut();
            let value_suffix = trailing(value.decor().suffix());
            *value.decor_mut() = Decor::new(" ", value_suffix);
        } else if let Some(block) = structure.as_block_mut() {
            format_block(block, depth);
        }
        previous_was_block = is_block;
    }
}

fn format_block(block: &mut hcl::edit::structure::Block, depth: usize) {
    *block.ident.decor_mut() = Decor::new("", " ");
    for label in &mut block.labels {
        *label.decor_mut() = Decor::new("", " ");
    }
    let body = &mut block.body;
    let single = body.is_empty() || (body.len() == 1 && body.iter().all(is_single_line));
    let has_comments = |d: &Decor| has_comment(d.prefix()) || has_comment(d.suffix());
    let inner_comments = has_comments(body.decor()) || body.iter().any(|s| has_comments(s.decor()));
    if body.prefer_oneline() && single && !inner_comments {
        for mut structure in body.iter_mut() {
            *structure.decor_mut() = Decor::new(" ", " ");
            if let Some(mut attr) = structure.as_attribute_mut() {
                *attr.key_decor_mut() = Decor::new("", " ");
                *attr.value_mut().decor_mut() = Decor::new(" ", "");
            }
        }
        *body.decor_mut() = Decor::new("", if body.is_empty() { " " } else { "" });
        return;
    }
    body.set_prefer_oneline(false);
    let after_brace = trailing(body.decor().prefix());
    let mut suffix = write_lines(lines(body.decor().suffix()), None, &"  ".repeat(depth + 1));
    suffix.push_str(&"  ".repeat(depth));
    *body.decor_mut() = Decor::new(after_brace, suffix);
    format_body(body, depth + 1);
}

/// Trailing spaces off, at most one blank line in a row, none at the start, one final newline.
fn tidy(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank_run = 0;
    for line in text.lines() {
        let line = line.trim_end();
        if line.is_empty() {
            blank_run += 1;
            if blank_run > 1 || out.is_empty() {
                continue;
            }
        } else {
            blank_run = 0;
        }
        out.push_str(line);
        out.push('\n');
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    if out.is_empty() {
        return out;
    }
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_last_comment_without_a_newline_is_kept() {
        assert_eq!(format("a = 1\n// the end").unwrap_or_default(), "a = 1\n// the end\n");
        assert!(format("b {\n  a = 1\n  # before close").is_err(), "not HCL: no closing brace");
    }

    #[test]
    fn trailing_comments_align_within_a_run() {
        let got = format("a = 1 # one\nlonger = 22 # two\nc = 3\n").unwrap_or_default();
        assert_eq!(got, "a      = 1  # one\nlonger = 22 # two\nc      = 3\n");
    }

    #[test]
    fn lays_out_like_terraform_fmt_and_keeps_comments() {
        let src = "# head\n\n\n\nversion = \"v1\"   # trailing\nx=1\nlonger_name     = 2\n\n  block \"l\"   {  # after brace\n    # inside\n  a = 1\n  long_name = 3\n  inner { y = 2 }\n  # before close\n}\nother {\n}\n# end\n";
        let want = "# head\n\nversion     = \"v1\" # trailing\nx           = 1\nlonger_name = 2\n\nblock \"l\" { # after brace\n  # inside\n  a         = 1\n  long_name = 3\n  inner { y = 2 }\n  # before close\n}\n\nother {\n}\n# end\n";
        let got = format(src).unwrap_or_else(|_| String::from("failed"));
        assert_eq!(got, want);
        assert_eq!(format(&got).unwrap_or_default(), got, "idempotent");
    }
}
