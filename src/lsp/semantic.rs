//! Semantic tokens for rule files and `rulesctl.hcl`: the tokenizer's tokens
//! ([`crate::parse::lexer`]), each given its meaning in the dialect: a block type, a declared
//! name, an attribute, a reference to a loot table or region, a value from a closed list.

use lsp_types::{
    SemanticToken, SemanticTokenModifier, SemanticTokenType, SemanticTokens, SemanticTokensLegend,
    SemanticTokensParams, SemanticTokensResult,
};

use crate::lsp::context::dialect;
use crate::lsp::convert::LineIndex;
use crate::lsp::requests::is_hcl;
use crate::lsp::state::State;
use crate::model::dialect::{Attr, BlockSpec, Format, Kind as AttrKind};
use crate::parse::lexer::{self, Kind, Token};

/// The token types, in legend order.
const TYPES: [SemanticTokenType; 9] = [
    SemanticTokenType::KEYWORD,
    SemanticTokenType::PROPERTY,
    SemanticTokenType::VARIABLE,
    SemanticTokenType::STRING,
    SemanticTokenType::NUMBER,
    SemanticTokenType::COMMENT,
    SemanticTokenType::ENUM_MEMBER,
    SemanticTokenType::OPERATOR,
    SemanticTokenType::MACRO,
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Type {
    Keyword,
    Property,
    Variable,
    Str,
    Number,
    Comment,
    EnumMember,
    Operator,
    Macro,
}

/// The one modifier: a name declared here (a loot table's label, a spawn region).
const DECLARATION: u32 = 1;

pub fn legend() -> SemanticTokensLegend {
    SemanticTokensLegend { token_types: TYPES.to_vec(), token_modifiers: vec![SemanticTokenModifier::DECLARATION] }
}

/// `textDocument/semanticTokens/full`, for HCL files.
pub fn tokens(state: &State, params: &SemanticTokensParams) -> Option<SemanticTokensResult> {
    let view = state.view(&params.text_document.uri)?;
    if !is_hcl(&view) {
        return None;
    }
    let data = encode(&view.text, &classify(&view.text, dialect(view.rel.unwrap_or_default())));
    Some(SemanticTokensResult::Tokens(SemanticTokens { result_id: None, data }))
}

/// A classified byte range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Classified {
    start: usize,
    end: usize,
    kind: Type,
    modifiers: u32,
}

/// What a block's `{` opens.
#[derive(Clone, Copy)]
enum Open {
    Block(Option<&'static BlockSpec>),
    /// An object value, or a brace inside a template.
    Other,
}

/// Every token of `text` that has a meaning, in order.
fn classify(text: &str, top: &'static BlockSpec) -> Vec<Classified> {
    let tokens: Vec<Token> = lexer::tokens(text).collect();
    let mut out = Vec::new();
    let mut push =
        |t: &Token, kind: Type, modifiers: u32| out.push(Classified { start: t.start, end: t.end, kind, modifiers });
    let mut stack: Vec<Open> = Vec::new();
    let mut statement_start = true;
    // The block a header names, once its identifier is read; its labels follow.
    let mut header: Option<Option<&'static BlockSpec>> = None;
    // The attribute whose value is being read.
    let mut attr: Option<(&'static str, &'static Attr)> = None;
    let mut i = 0;
    while i < tokens.len() {
        let t = tokens[i];
        let spec = match stack.last() {
            None => Some(top),
            Some(Open::Block(spec)) => *spec,
            Some(Open::Other) => None,
        };
        match t.kind {
            Kind::Newline => {
                statement_start = true;
                header = None;
                attr = None;
            }
            Kind::LineComment | Kind::BlockComment | Kind::UnclosedBlockComment => push(&t, Type::Comment, 0),
            Kind::Ident if statement_start => {
                statement_start = false;
                let name = t.text(text);
                let next = tokens[i + 1..].iter().find(|n| !n.is_comment()).map(|n| n.kind);
                if next == Some(Kind::Equals) {
                    push(&t, Type::Property, 0);
                    attr = spec.and_then(|s| s.attr(name)).map(|a| (spec.map_or("", |s| s.name), a));
                } else {
                    push(&t, Type::Keyword, 0);
                    header = Some(spec.and_then(|s| s.block(name)));
                }
            }
            Kind::Ident => {
                let kind =
                    if matches!(t.text(text), "true" | "false" | "null") { Type::Keyword } else { Type::Variable };
                push(&t, kind, 0);
            }
            Kind::Number => push(&t, Type::Number, 0),
            Kind::LBrace => {
                stack.push(match header.take() {
                    Some(block) => Open::Block(block),
                    None => Open::Other,
                });
                statement_start = true;
                attr = None;
            }
            Kind::RBrace => {
                stack.pop();
                statement_start = true;
                attr = None;
            }
            Kind::Equals | Kind::Punct => push(&t, Type::Operator, 0),
            Kind::OpenQuote => {
                let close = tokens[i + 1..]
                    .iter()
                    .position(|n| !matches!(n.kind, Kind::Text))
                    .map(|at| i + 1 + at)
                    .filter(|&at| matches!(tokens[at].kind, Kind::CloseQuote | Kind::UnclosedQuote));
                match close {
                    Some(at) => {
                        let whole = Token { kind: Kind::Text, start: t.start, end: tokens[at].end };
                        let (kind, modifiers) = string_meaning(header, attr);
                        push(&whole, kind, modifiers);
                        i = at;
                    }
                    None => push(&t, Type::Str, 0),
                }
            }
            Kind::Text | Kind::CloseQuote | Kind::OpenHeredoc | Kind::CloseHeredoc => push(&t, Type::Str, 0),
            Kind::OpenTemplate | Kind::CloseTemplate => push(&t, Type::Macro, 0),
            _ => {}
        }
        i += 1;
    }
    out
}

/// What a whole quoted string means: a block's label (a declared name when the block declares
/// one), a reference to a declared name, a value from a closed list, or just a string.
fn string_meaning(header: Option<Option<&'static BlockSpec>>, attr: Option<(&str, &Attr)>) -> (Type, u32) {
    if let Some(block) = header {
        return match block.and_then(|b| b.label) {
            Some((_, Format::Name)) => (Type::Variable, DECLARATION),
            _ => (Type::Str, 0),
        };
    }
    match attr {
        Some((_, a)) if matches!(a.kind, AttrKind::Str(f) if !f.choices().is_empty()) => (Type::EnumMember, 0),
        Some(("spawn_config", a)) if a.name == "region" => (Type::Variable, DECLARATION),
        Some(("spawn_config", a)) if a.name == "loot_table" => (Type::Variable, 0),
        Some(("event_stream", a)) if a.name == "region" => (Type::Variable, 0),
        _ => (Type::Str, 0),
    }
}

/// LSP's relative encoding, in UTF-16 units; a token over several lines becomes one a line.
fn encode(text: &str, classified: &[Classified]) -> Vec<SemanticToken> {
    let index = LineIndex::new(text);
    let mut out = Vec::with_capacity(classified.len());
    let (mut line, mut character) = (0u32, 0u32);
    for c in classified {
        let mut start = c.start;
        while start < c.end {
            let end = text[start..c.end].find('\n').map_or(c.end, |n| start + n);
            let (from, to) = (index.position(start), index.position(end));
            if to.character > from.character {
                let delta_line = from.line.saturating_sub(line);
                let delta_start =
                    if delta_line == 0 { from.character.saturating_sub(character) } else { from.character };
                out.push(SemanticToken {
                    delta_line,
                    delta_start,
                    length: to.character - from.character,
                    token_type: c.kind as u32,
                    token_modifiers_bitset: c.modifiers,
                });
                (line, character) = (from.line, from.character);
            }
            start = end + 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::dialect::{PROJECT, RULES};

    fn kinds<'a>(text: &'a str, top: &'static BlockSpec) -> Vec<(&'a str, Type, u32)> {
        classify(text, top).into_iter().map(|c| (&text[c.start..c.end], c.kind, c.modifiers)).collect()
    }

    #[test]
    fn names_take_their_meaning_from_the_dialect() {
        let text = "loot_table \"t\" { # c\n  item \"g\" { weight = 5 }\n}\nspawn_config {\n  region = \"r\"\n  loot_table = \"t\"\n}\n";
        let got = kinds(text, &RULES);
        assert!(got.contains(&("loot_table", Type::Keyword, 0)));
        assert!(got.contains(&("\"t\"", Type::Variable, DECLARATION)));
        assert!(got.contains(&("# c", Type::Comment, 0)));
        assert!(got.contains(&("weight", Type::Property, 0)));
        assert!(got.contains(&("5", Type::Number, 0)));
        assert!(got.contains(&("\"r\"", Type::Variable, DECLARATION)));
        assert!(got.contains(&("loot_table", Type::Property, 0)), "an attribute of the same name: {got:?}");
        assert!(got.iter().filter(|g| g.0 == "\"t\"").any(|g| g.2 == 0), "the reference: {got:?}");
        let project = "value \"a.b\" {\n  type = \"duration\"\n}\n";
        assert!(kinds(project, &PROJECT).contains(&("\"duration\"", Type::EnumMember, 0)));
    }

    #[test]
    fn a_block_comment_over_lines_is_a_token_a_line() {
        let text = "/* a\nbc */ x = 1";
        let data = encode(text, &classify(text, &RULES));
        assert_eq!((data[0].delta_line, data[0].length), (0, 4));
        assert_eq!((data[1].delta_line, data[1].delta_start, data[1].length), (1, 0, 5));
        assert_eq!((data[2].delta_line, data[2].delta_start), (0, 6), "x after the comment");
    }
}
