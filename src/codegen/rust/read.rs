//! Reading a generated module back: its `CANONICAL` and `DIGEST` literals, and its items.
//!
//! There is no Rust parser here on purpose: a module is only ever accepted when it is byte for
//! byte what rulesctl writes, so reading the few fixed lines rulesctl writes is enough, and
//! anything else is reported as a difference from the rebuilt module.

use std::ops::Range;

const CANONICAL_HEAD: &str = "pub const CANONICAL: &str = r";
const DIGEST_HEAD: &str = "pub const DIGEST: &str = \"";

/// The text of the `CANONICAL` raw string and its byte span in `module`.
pub fn canonical(module: &str) -> Option<(&str, Range<usize>)> {
    let start = line_starting(module, CANONICAL_HEAD)? + CANONICAL_HEAD.len();
    // A line start plus an ASCII head, then `#`s and a quote: every offset here is a boundary.
    let rest = &module[start..];
    let hashes = rest.bytes().take_while(|&b| b == b'#').count();
    let body = rest[hashes..].strip_prefix('"')?;
    let close = format!("\"{}", "#".repeat(hashes));
    let len = body.find(&close)?;
    let from = start + hashes + 1;
    Some((&module[from..from + len], from..from + len))
}

/// The value of the `DIGEST` string literal and its byte span in `module`.
pub fn digest(module: &str) -> Option<(&str, Range<usize>)> {
    let from = line_starting(module, DIGEST_HEAD)? + DIGEST_HEAD.len();
    let len = module[from..].find('"')?;
    Some((&module[from..from + len], from..from + len))
}

/// The byte offset of the first line that starts with `head`.
fn line_starting(text: &str, head: &str) -> Option<usize> {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if line.starts_with(head) {
            return Some(offset);
        }
        offset += line.len();
    }
    None
}

/// One item of a module: a run of lines between blank lines, named by the identifier of its
/// `pub const|static|struct|fn` line (`None` for the opening comment).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paragraph {
    pub name: Option<String>,
    pub span: Range<usize>,
}

/// The module's paragraphs in order. Generated modules have no blank line inside an item.
pub fn paragraphs(text: &str) -> Vec<Paragraph> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let blank = line.trim().is_empty();
        match (blank, start) {
            (true, Some(from)) => {
                out.push(paragraph(text, from..offset));
                start = None;
            }
            (false, None) => start = Some(offset),
            _ => {}
        }
        offset += line.len();
    }
    if let Some(from) = start {
        out.push(paragraph(text, from..offset));
    }
    out
}

fn paragraph(text: &str, span: Range<usize>) -> Paragraph {
    let name = text[span.clone()].lines().find_map(|line| {
        let rest = ["pub const ", "pub static ", "pub struct ", "pub fn "].iter().find_map(|k| line.strip_prefix(k))?;
        let end = rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(rest.len());
        Some(rest[..end].to_string())
    });
    Paragraph { name, span }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MODULE: &str = "// header\n\n/// doc\npub const DIGEST: &str = \"sha256:ab\";\n\n\
                          #[derive(Debug)]\npub struct SpawnConfig {\n    pub a: u32,\n}\n\n\
                          pub const CANONICAL: &str = r##\"{\"a\":\"#\"}\"##;\n";

    #[test]
    fn finds_the_literals_and_their_spans() {
        let (canonical, span) = canonical(MODULE).expect("canonical");
        assert_eq!(canonical, "{\"a\":\"#\"}");
        assert_eq!(&MODULE[span], canonical);
        let (digest, span) = digest(MODULE).expect("digest");
        assert_eq!((digest, &MODULE[span]), ("sha256:ab", "sha256:ab"));
        assert_eq!(super::canonical("pub const CANONICAL: &str = r#\"{unterminated"), None);
    }

    #[test]
    fn splits_items_at_blank_lines() {
        let names: Vec<Option<String>> = paragraphs(MODULE).into_iter().map(|p| p.name).collect();
        assert_eq!(
            names,
            [None, Some("DIGEST".to_string()), Some("SpawnConfig".to_string()), Some("CANONICAL".to_string())]
        );
    }
}
