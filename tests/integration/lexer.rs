//! The tokenizer (`rulesctl::parse::lexer`) and hcl-edit agree on where every quoted string,
//! heredoc and comment starts and ends: on every `.hcl` file under `tests/fixtures/` that
//! hcl-edit parses, and on generated files built from the constructs where scanners go wrong
//! (a `#` or `//` in a string, a `"` in a comment, templates holding strings and braces, `<<-`
//! heredocs with indented markers and marker-like lines).
//!
//! hcl-edit's side: the spans of `Expression::String`, `StringTemplate` and `HeredocTemplate`
//! (the `Span` trait), and the comments in the decor of every node, placed by the node's span.
//! `LEXER_PROPERTY_CASES=N` runs more generated files (default 400); a failure names its seed.

use std::collections::BTreeSet;
use std::path::Path;

use hcl::edit::expr::{Array, Expression, FuncArgs, Object, ObjectKey};
use hcl::edit::structure::{BlockLabel, Body, Structure};
use hcl::edit::visit::{self, Visit};
use hcl::edit::{Decor, Decorate, Span};
use rulesctl::parse::lexer::{self, Kind};

use crate::support::FIXTURES;

type Range = (usize, usize);

/// What one side found: quoted strings, heredocs, comments (where placed, and their text).
#[derive(Debug, Default, PartialEq)]
struct Boundaries {
    strings: BTreeSet<Range>,
    heredocs: BTreeSet<Range>,
    comments: BTreeSet<Range>,
    comment_texts: Vec<String>,
    /// A quoted string runs over a line's end: hcl-edit reads on, the tokenizer (with the HCL
    /// specification and every consumer) stops there. Such files are left out.
    multiline_string: bool,
}

fn tokenizer(text: &str) -> Boundaries {
    let mut found = Boundaries::default();
    let mut open: Vec<lexer::Token> = Vec::new();
    for token in lexer::tokens(text) {
        match token.kind {
            Kind::OpenQuote | Kind::OpenHeredoc | Kind::OpenTemplate => open.push(token),
            Kind::CloseQuote | Kind::CloseHeredoc | Kind::CloseTemplate => {
                let opener = open.pop().expect("a closer follows its opener");
                match token.kind {
                    Kind::CloseQuote => found.strings.insert((opener.start, token.end)),
                    Kind::CloseHeredoc => found.heredocs.insert((opener.start, token.end)),
                    _ => true,
                };
            }
            Kind::LineComment | Kind::BlockComment => {
                found.comments.insert((token.start, token.end));
                found.comment_texts.push(token.text(text).trim_end_matches('\r').to_string());
            }
            Kind::UnclosedQuote => found.multiline_string = true,
            kind => assert!(!token.is_unclosed(), "{kind:?} in a file hcl-edit parses"),
        }
    }
    found.comment_texts.sort();
    found
}

/// hcl-edit's boundaries, by visiting every node.
#[derive(Default)]
struct Parser {
    found: Boundaries,
}

impl Parser {
    /// The comments in `raw` (decor: whitespace and comments only), placed when `at` (where the
    /// decor starts) is known.
    fn trivia(&mut self, raw: &str, at: Option<usize>) {
        let bytes = raw.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            let rest = &raw[i..];
            let len = if rest.starts_with('#') || rest.starts_with("//") {
                rest.find('\n').unwrap_or(rest.len())
            } else if let Some(comment) = rest.strip_prefix("/*") {
                comment.find("*/").expect("a closed block comment") + 4
            } else {
                assert!(bytes[i].is_ascii_whitespace(), "decor holds only trivia: {raw:?}");
                i += 1;
                continue;
            };
            if let Some(at) = at {
                self.found.comments.insert((at + i, at + i + len));
            }
            self.found.comment_texts.push(rest[..len].trim_end_matches('\r').to_string());
            i += len;
        }
    }

    fn decor(&mut self, decor: &Decor, span: Option<std::ops::Range<usize>>) {
        if let Some(prefix) = decor.prefix() {
            self.trivia(prefix, span.as_ref().map(|s| s.start - prefix.len()));
        }
        if let Some(suffix) = decor.suffix() {
            self.trivia(suffix, span.as_ref().map(|s| s.end));
        }
    }
}

impl Visit for Parser {
    fn visit_body(&mut self, node: &Body) {
        self.decor(node.decor(), None);
        visit::visit_body(self, node);
    }

    fn visit_structure(&mut self, node: &Structure) {
        self.decor(node.decor(), node.span());
        if let Structure::Block(block) = node {
            self.decor(block.ident.decor(), block.ident.span());
        } else if let Structure::Attribute(attr) = node {
            self.decor(attr.key.decor(), attr.key.span());
        }
        visit::visit_structure(self, node);
    }

    fn visit_block_label(&mut self, node: &BlockLabel) {
        self.decor(node.decor(), node.span());
        if let BlockLabel::String(string) = node {
            self.found.strings.insert(range(string.span()));
        }
    }

    fn visit_object_key(&mut self, node: &ObjectKey) {
        if let ObjectKey::Ident(ident) = node {
            self.decor(ident.decor(), ident.span());
        }
        visit::visit_object_key(self, node);
    }

    fn visit_array(&mut self, node: &Array) {
        self.trivia(node.trailing(), None);
        visit::visit_array(self, node);
    }

    fn visit_object(&mut self, node: &Object) {
        self.trivia(node.trailing(), None);
        visit::visit_object(self, node);
    }

    fn visit_func_args(&mut self, node: &FuncArgs) {
        self.trivia(node.trailing(), None);
        visit::visit_func_args(self, node);
    }

    fn visit_expr(&mut self, node: &Expression) {
        self.decor(node.decor(), node.span());
        match node {
            Expression::String(_) | Expression::StringTemplate(_) => {
                self.found.strings.insert(range(node.span()));
            }
            Expression::HeredocTemplate(_) => {
                self.found.heredocs.insert(range(node.span()));
            }
            _ => {}
        }
        visit::visit_expr(self, node);
    }
}

fn range(span: Option<std::ops::Range<usize>>) -> Range {
    let span = span.expect("a parsed node has a span");
    (span.start, span.end)
}

/// Compares both sides on `text`; `None` when hcl-edit does not parse it (or is not handed it).
fn compare(text: &str) -> Option<Result<(), String>> {
    // As before every parse in rulesctl: past the bound, hcl-edit backtracks for minutes.
    if rulesctl::parse::nesting::too_deep(text, 64).is_some() {
        return None;
    }
    let body = hcl::edit::parser::parse_body(text).ok()?;
    let mut parser = Parser::default();
    parser.visit_body(&body);
    let mut expected = parser.found;
    expected.comment_texts.sort();
    let found = tokenizer(text);
    if found.multiline_string {
        return None;
    }
    let mut errors = Vec::new();
    if found.strings != expected.strings {
        errors.push(format!("strings: tokenizer {:?}, hcl-edit {:?}", found.strings, expected.strings));
    }
    if found.heredocs != expected.heredocs {
        errors.push(format!("heredocs: tokenizer {:?}, hcl-edit {:?}", found.heredocs, expected.heredocs));
    }
    // Every comment hcl-edit places is one of the tokenizer's, and both find the same comments.
    if !expected.comments.is_subset(&found.comments) || found.comment_texts != expected.comment_texts {
        errors.push(format!(
            "comments: tokenizer {:?} {:?}, hcl-edit {:?} {:?}",
            found.comments, found.comment_texts, expected.comments, expected.comment_texts
        ));
    }
    Some(if errors.is_empty() { Ok(()) } else { Err(errors.join("\n")) })
}

fn hcl_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("a fixtures folder").flatten() {
        let path = entry.path();
        if path.is_dir() {
            hcl_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "hcl") {
            out.push(path);
        }
    }
}

#[test]
fn tokenizer_and_hcl_edit_agree_on_every_fixture() {
    let mut files = Vec::new();
    hcl_files(Path::new(FIXTURES), &mut files);
    files.sort();
    let (mut compared, mut failures) = (0, Vec::new());
    for path in &files {
        let Ok(text) = std::fs::read_to_string(path) else { continue };
        match compare(&text) {
            Some(Ok(())) => compared += 1,
            Some(Err(e)) => failures.push(format!("{}:\n{e}", path.display())),
            None => {}
        }
    }
    assert!(failures.is_empty(), "{} of {} files disagree:\n{}", failures.len(), compared, failures.join("\n\n"));
    assert!(compared > 300, "only {compared} fixtures parsed");
}

/// xorshift64*, seeded: a failure replays from its seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }
}

/// String content that scanners misread.
const STRING_TEXT: &[&str] = &[
    "plain",
    "# not a comment",
    "// nor this",
    "/* nor */",
    "}{][)(",
    "\\\"",
    "\\\\",
    "$${x}",
    "%%{ y }",
    "<<EOF",
    "$",
    "%",
    "é",
];
const COMMENTS: &[&str] = &["# \"open", "// ${ x", "/* \"a\" } */", "/* multi\n  line */", "# <<EOF", "/**/", "//"];
const MARKERS: &[&str] = &["EOF", "EOT", "END_OF-TEXT"];

fn string(rng: &mut Rng, depth: u32) -> String {
    let mut s = String::from("\"");
    for _ in 0..rng.next() % 4 {
        match rng.next() % 6 {
            0 if depth < 3 => s.push_str(&format!("${{ {} }}", expression(rng, depth + 1))),
            1 if depth < 3 => s.push_str("%{ if true }yes%{ else }no%{ endif }"),
            _ => s.push_str(rng.pick(STRING_TEXT)),
        }
    }
    s.push('"');
    s
}

fn heredoc(rng: &mut Rng, depth: u32) -> String {
    let marker = rng.pick(MARKERS);
    let indented = rng.next().is_multiple_of(2);
    let mut s = format!("<<{}{marker}\n", if indented { "-" } else { "" });
    // At least one line: hcl-edit does not close a heredoc at its first line when a later line
    // could close it (the tokenizer, like the HCL specification, does).
    for _ in 0..1 + rng.next() % 4 {
        let indent = if indented { "    " } else { "" };
        match rng.next() % 7 {
            0 => s.push_str(&format!("{indent}{marker}X\n")),
            1 => s.push_str(&format!("{indent}not {marker}\n")),
            2 if depth < 3 => s.push_str(&format!("{indent}v = ${{ {} }}\n", expression(rng, depth + 1))),
            3 => s.push_str(&format!("{indent}# \"{}\" }}\n", rng.pick(STRING_TEXT))),
            _ => s.push_str(&format!("{indent}{}\n", rng.pick(STRING_TEXT))),
        }
    }
    let closing_indent = if rng.next().is_multiple_of(2) { "  " } else { "" };
    s.push_str(&format!("{closing_indent}{marker}"));
    s
}

fn expression(rng: &mut Rng, depth: u32) -> String {
    match rng.next() % 7 {
        0 | 1 => string(rng, depth),
        2 if depth < 3 => format!("[{}, {}]", expression(rng, depth + 1), expression(rng, depth + 1)),
        3 if depth < 3 => format!("{{ k = {} }}", expression(rng, depth + 1)),
        4 if depth < 3 => format!("{{ a = {} }}[\"a\"]", string(rng, depth + 1)),
        5 => "12.5e3".to_string(),
        _ => "true".to_string(),
    }
}

fn file(rng: &mut Rng) -> String {
    let mut out = String::new();
    for i in 0..1 + rng.next() % 6 {
        if rng.next().is_multiple_of(3) {
            out.push_str(rng.pick(COMMENTS));
            out.push('\n');
        }
        let value = if rng.next().is_multiple_of(3) { heredoc(rng, 1) } else { expression(rng, 0) };
        let comment = if rng.next().is_multiple_of(3) { format!(" {}", rng.pick(COMMENTS)) } else { String::new() };
        let comment = if comment.contains('\n') { String::new() } else { comment };
        match rng.next() % 3 {
            0 => out.push_str(&format!("block \"l{i}\" {{\n  a{i} = {value}{comment}\n}}\n")),
            _ => out.push_str(&format!("a{i} = {value}{comment}\n")),
        }
    }
    out
}

#[test]
fn tokenizer_and_hcl_edit_agree_on_generated_files() {
    let cases = std::env::var("LEXER_PROPERTY_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(400u64);
    let mut parsed = 0;
    for seed in 1..=cases {
        let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
        let text = file(&mut rng);
        match compare(&text) {
            Some(Ok(())) => parsed += 1,
            Some(Err(e)) => panic!("seed {seed}:\n{text}\n{e}"),
            None => {}
        }
    }
    assert!(parsed * 10 >= cases * 9, "only {parsed} of {cases} generated files parsed");
}
