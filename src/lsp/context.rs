//! Where the cursor is in an HCL file, in terms of the dialect table: on which block, label,
//! attribute name or value. A file that parses is read through its syntax tree (spans from
//! hcl-edit); one that does not (mid-typing) through the tokens before the cursor
//! ([`crate::parse::lexer`]).

use std::ops::Range;

use crate::diagnostic::FileId;
use crate::model::dialect::{Attr, BlockSpec, PROJECT, RULES};
use crate::parse::lexer::{self, Kind};
use crate::parse::{self, Entry};
use crate::source::root::PROJECT_FILE;
use crate::source::Limits;

/// The dialect a file is written in: `rulesctl.hcl`'s, or a rule file's.
pub fn dialect(rel: &str) -> &'static BlockSpec {
    if rel == PROJECT_FILE {
        &PROJECT
    } else {
        &RULES
    }
}

/// What the cursor is on.
#[derive(Debug, Clone, Copy)]
pub enum Spot {
    /// A block's identifier: the innermost block of the chain is that block.
    BlockIdent,
    /// A block's label: the innermost block of the chain is that block.
    Label,
    /// An attribute's name, in the innermost block of the chain.
    Key(&'static Attr),
    /// An attribute's value, in the innermost block of the chain.
    Value(&'static Attr),
}

impl PartialEq for Spot {
    /// Attributes are the dialect table's statics: the same attribute is the same address.
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Spot::BlockIdent, Spot::BlockIdent) | (Spot::Label, Spot::Label) => true,
            (Spot::Key(a), Spot::Key(b)) | (Spot::Value(a), Spot::Value(b)) => std::ptr::eq(*a, *b),
            _ => false,
        }
    }
}

/// A place in a file, resolved against the dialect.
#[derive(Debug, Clone)]
pub struct Located {
    /// The blocks the cursor is in (or on), outermost first, from the file's top level down.
    pub chain: Vec<&'static BlockSpec>,
    pub spot: Spot,
    /// The byte range of what the cursor is on.
    pub span: Range<usize>,
}

impl Located {
    /// The dotted path of the block or attribute (`spawn_config.base_rate`).
    pub fn path(&self) -> String {
        let mut parts: Vec<&str> = self.chain.iter().skip(1).map(|b| b.name).collect();
        if let Spot::Key(attr) | Spot::Value(attr) = self.spot {
            parts.push(attr.name);
        }
        parts.join(".")
    }

    pub fn block(&self) -> &'static BlockSpec {
        self.chain.last().copied().unwrap_or(&RULES)
    }
}

/// What the cursor at `offset` is on, in a file of dialect `top`.
pub fn locate(text: &str, offset: usize, top: &'static BlockSpec) -> Option<Located> {
    // The text fallback slices at `offset`; editors' positions arrive as boundaries, and this
    // keeps any other offset from splitting a character.
    let offset = floor_boundary(text, offset);
    match parse::hcl(FileId::default(), text, &Limits::DEFAULT, &mut Vec::new()) {
        Some(entries) => walk(&entries, vec![top], offset),
        None => locate_in_text(text, offset, top),
    }
}

fn covers(span: crate::diagnostic::Span, offset: usize) -> bool {
    (span.start as usize) <= offset && offset <= span.end as usize && span.end > span.start
}

fn walk(entries: &[Entry], chain: Vec<&'static BlockSpec>, offset: usize) -> Option<Located> {
    let spec = *chain.last()?;
    for entry in entries {
        match entry {
            Entry::Attribute { key, key_span, value_span, .. } => {
                let spot = if covers(*key_span, offset) {
                    Spot::Key(spec.attr(key)?)
                } else if covers(*value_span, offset) {
                    Spot::Value(spec.attr(key)?)
                } else {
                    continue;
                };
                let span = if matches!(spot, Spot::Key(_)) { key_span } else { value_span };
                return Some(Located { chain, spot, span: span.range() });
            }
            Entry::Block(block) => {
                if !covers(block.span, offset) {
                    continue;
                }
                let child = spec.block(&block.ident)?;
                let mut inner = chain.clone();
                inner.push(child);
                if covers(block.ident_span, offset) {
                    return Some(Located { chain: inner, spot: Spot::BlockIdent, span: block.ident_span.range() });
                }
                if let Some((_, span)) = block.labels.iter().find(|(_, span)| covers(*span, offset)) {
                    return Some(Located { chain: inner, spot: Spot::Label, span: span.range() });
                }
                return walk(&block.body, inner, offset);
            }
        }
    }
    None
}

/// What a scan of the text before the cursor learnt.
#[derive(Debug, Default)]
pub struct Scan {
    /// The braces open at the cursor: a block's identifier, or `None` for an object value or
    /// anything else that is not a block.
    pub open: Vec<Option<String>>,
    /// Where each open brace is, innermost last.
    pub braces: Vec<usize>,
    /// Where the statement the cursor is in starts: after the last newline or brace.
    pub statement: usize,
    /// The cursor is inside a quoted string.
    pub in_string: bool,
    /// The cursor is inside a comment.
    pub in_comment: bool,
}

impl Scan {
    /// The chain of block specs the cursor is in, when every open brace is a known block.
    pub fn chain(&self, top: &'static BlockSpec) -> Option<Vec<&'static BlockSpec>> {
        let mut chain = vec![top];
        for open in &self.open {
            let spec = chain.last()?.block(open.as_deref()?)?;
            chain.push(spec);
        }
        Some(chain)
    }
}

/// Where the text read stopped: in code, in a string or heredoc, or in a comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Code,
    Str,
    Comment,
}

/// Reads `text[from..to]` through the tokenizer; calls `mark` at every brace and line end in
/// the file's own code (not in a string, heredoc, template or comment), with its offset, until
/// `mark` returns false. Returns where `to` is.
fn lex(text: &str, from: usize, to: usize, mut mark: impl FnMut(u8, usize) -> bool) -> State {
    let Some(part) = text.get(from..to) else { return State::Code };
    let mut tokens = lexer::tokens(part);
    let (mut in_string, mut in_comment) = (false, false);
    while let Some(token) = tokens.next() {
        match token.kind {
            Kind::LBrace | Kind::RBrace | Kind::Newline
                if tokens.at_top() && !mark(part.as_bytes()[token.start], from + token.start) =>
            {
                break;
            }
            Kind::UnclosedQuote | Kind::UnclosedHeredoc => in_string |= token.start == part.len(),
            Kind::LineComment => in_comment |= token.end == part.len(),
            Kind::UnclosedBlockComment => in_comment = true,
            _ => {}
        }
    }
    if in_comment {
        State::Comment
    } else if in_string {
        State::Str
    } else {
        State::Code
    }
}

/// `offset`, within the text and moved back to a character boundary.
pub fn floor_boundary(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// Scans `text` up to `offset`: which braces are open there, and where its statement starts.
pub fn scan(text: &str, offset: usize) -> Scan {
    let offset = floor_boundary(text, offset);
    let mut out = Scan::default();
    let state = lex(text, 0, offset, |b, i| {
        match b {
            b'{' => {
                out.open.push(block_header(&text[out.statement..i]));
                out.braces.push(i);
            }
            b'}' => {
                out.open.pop();
                out.braces.pop();
            }
            _ => {}
        }
        out.statement = i + 1;
        true
    });
    out.in_string = state == State::Str;
    out.in_comment = state == State::Comment;
    out
}

/// The attribute names already set in the body that opens at the brace at `brace`, but for the
/// statement holding `offset` (the one being typed).
pub fn keys_in_body(text: &str, brace: usize, offset: usize) -> Vec<String> {
    let mut keys = Vec::new();
    let mut depth = 0usize;
    let mut statement = brace + 1;
    lex(text, brace + 1, text.len(), |b, i| {
        if depth == 0 && !(statement..=i).contains(&offset) {
            if let Some((key, _)) = assignment(&text[statement..i]) {
                keys.push(key.to_string());
            }
        }
        match b {
            b'{' => depth += 1,
            b'}' if depth == 0 => return false,
            b'}' => depth -= 1,
            _ => {}
        }
        statement = i + 1;
        true
    });
    keys
}

/// The identifier of a block header (`loot_table "tier_3" `), or `None` when the text before a
/// brace is not one (`inject = `).
fn block_header(header: &str) -> Option<String> {
    let mut words = header.split_whitespace();
    let ident = words.next()?;
    let labels_ok = words.all(|w| (w.starts_with('"') && w.ends_with('"') && w.len() >= 2) || is_ident(w));
    (is_ident(ident) && labels_ok && !header.contains('=')).then(|| ident.to_string())
}

pub fn is_ident(word: &str) -> bool {
    let mut chars = word.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

fn is_ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
}

/// The identifier-like word around `offset`, as a byte range.
pub fn word_at(text: &str, offset: usize) -> Range<usize> {
    let bytes = text.as_bytes();
    let offset = offset.min(bytes.len());
    let start = (0..offset).rev().take_while(|&i| is_ident_byte(bytes[i])).last().unwrap_or(offset);
    let end = (offset..bytes.len()).take_while(|&i| is_ident_byte(bytes[i])).last().map_or(offset, |i| i + 1);
    start..end
}

/// `key = ` followed by the value typed so far, when the statement reads so: the key, and
/// where the value starts.
pub fn assignment(statement: &str) -> Option<(&str, usize)> {
    let (key, rest) = statement.split_once('=')?;
    let key = key.trim();
    if !is_ident(key) || rest.starts_with('=') {
        return None;
    }
    let value_start = statement.len() - rest.trim_start().len();
    Some((key, value_start))
}

/// The textual fallback for [`locate`], for a file that does not parse.
fn locate_in_text(text: &str, offset: usize, top: &'static BlockSpec) -> Option<Located> {
    let word = word_at(text, offset);
    let scan = scan(text, word.start);
    if scan.in_comment {
        return None;
    }
    let mut chain = scan.chain(top)?;
    let statement = &text[scan.statement..word.start];
    let after = text[word.end..].trim_start_matches([' ', '\t']);
    if statement.trim().is_empty() && !scan.in_string && !word.is_empty() {
        let name = &text[word.clone()];
        if after.starts_with('=') {
            let attr = chain.last()?.attr(name)?;
            return Some(Located { chain, spot: Spot::Key(attr), span: word });
        }
        if after.starts_with(['{', '"']) || is_ident(after.split_whitespace().next().unwrap_or_default()) {
            let spec = chain.last()?.block(name)?;
            chain.push(spec);
            return Some(Located { chain, spot: Spot::BlockIdent, span: word });
        }
        return None;
    }
    let whole = &text[scan.statement..];
    let (key, value_start) = assignment(statement).or_else(|| assignment(&whole[..whole.find('\n')?]))?;
    let attr = chain.last()?.attr(key)?;
    let start = scan.statement + value_start;
    let end = text[start..].find('\n').map_or(text.len(), |n| start + n);
    let value = text[start..end].split(" #").next().unwrap_or_default().trim_end();
    Some(Located { chain, spot: Spot::Value(attr), span: start..start + value.len() })
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULE: &str = "spawn_config {\n  region = \"caves\"\n  base_rate = 12\n}\n\nloot_table \"t\" {\n  item \"gold\" { weight = 95 }\n}\n";

    fn at(text: &str, needle: &str) -> usize {
        text.find(needle).unwrap_or_else(|| panic!("{needle} not in text"))
    }

    #[test]
    fn locates_through_the_syntax_tree() {
        let found = locate(RULE, at(RULE, "base_rate") + 3, &RULES).unwrap();
        assert_eq!(found.path(), "spawn_config.base_rate");
        assert!(matches!(found.spot, Spot::Key(a) if a.name == "base_rate"));
        let found = locate(RULE, at(RULE, "95"), &RULES).unwrap();
        assert_eq!(found.path(), "loot_table.item.weight");
        assert!(matches!(found.spot, Spot::Value(_)));
        let found = locate(RULE, at(RULE, "item") + 1, &RULES).unwrap();
        assert_eq!((found.path().as_str(), found.spot), ("loot_table.item", Spot::BlockIdent));
        assert!(locate(RULE, 0, &PROJECT).is_none(), "spawn_config is not a project block");
    }

    #[test]
    fn locates_in_a_file_that_does_not_parse() {
        let broken = format!("{RULE}event_stream {{\n  max_len = 5\n  region =");
        let found = locate(&broken, at(&broken, "max_len") + 2, &RULES).unwrap();
        assert_eq!(found.path(), "event_stream.max_len");
        let found = locate(&broken, broken.len(), &RULES).unwrap();
        assert!(matches!(found.spot, Spot::Value(a) if a.name == "region"));
        let found = locate(&broken, at(&broken, "event_stream") + 2, &RULES).unwrap();
        assert_eq!((found.path().as_str(), found.spot), ("event_stream", Spot::BlockIdent));
        let found = locate(&broken, at(&broken, "weight") + 1, &RULES).unwrap();
        assert_eq!(found.path(), "loot_table.item.weight");
    }

    #[test]
    fn an_offset_inside_a_character_is_moved_to_its_start() {
        let broken = "spawn_config {\n  x 😀 = 1\n  region =";
        let inside = at(broken, "😀") + 1;
        assert_eq!(locate(broken, inside, &RULES).map(|f| f.span), locate(broken, inside - 1, &RULES).map(|f| f.span));
    }

    #[test]
    fn the_scan_skips_strings_and_comments() {
        let text = "# {\nrender {\n  inject = {\n    \"a.{\" = \"b\" // }\n  }\n  allow_overrides = [\"x";
        let scan = scan(text, text.len());
        assert_eq!(scan.open, vec![Some("render".to_string())]);
        assert!(scan.in_string);
        let scan = super::scan(text, at(text, "\"b\""));
        assert_eq!(scan.open, vec![Some("render".to_string()), None]);
        assert!(super::scan(text, 2).in_comment);
    }
}
