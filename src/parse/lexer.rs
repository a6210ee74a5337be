//! The one HCL tokenizer: every consumer that needs to know what HCL text is (code, a string,
//! a template, a heredoc or a comment) reads these tokens instead of scanning on its own.
//!
//! It follows hcl-edit's reading of the text, so its string, heredoc and comment boundaries
//! are the parser's (`tests/integration/lexer.rs` checks that on every fixture and on generated
//! files):
//! - a quoted string ends at its unescaped `"`; a `\` escapes the byte after it; `${` and `%{`
//!   open a template (code, which may hold strings and braces of its own, to any depth) unless
//!   written `$${` / `%%{`; a string still open at the end of its line is unclosed (hcl-edit
//!   reads on across the line; the HCL specification and every consumer here do not);
//! - `<<MARKER` and `<<-MARKER` open a heredoc whose text starts on the next line and ends at a
//!   line holding, after optional spaces and tabs, the marker not followed by an identifier
//!   character; an indented marker closes `<<` as well as `<<-`, as in hcl-edit;
//! - comments are `#` and `//` to the end of the line (the newline is not part of them) and
//!   `/* */`, not nested.
//!
//! Unclosed strings, templates, heredocs and block comments come out as their own kinds, so a
//! diagnostic can point at what was left open. Any input gives tokens: the tokenizer never
//! panics, reads each byte a bounded number of times, and allocates only its stack of open
//! strings, heredocs and templates. Spaces, tabs and `\r` separate tokens and are not tokens.
//! Every token starts and ends on a character boundary.

use std::ops::Range;

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// `\n` in code.
    Newline,
    /// `#` or `//` up to the end of its line; the newline (`\n` or `\r\n`) is not part of it.
    LineComment,
    /// `/* … */`.
    BlockComment,
    /// `/*` with no `*/` after it: up to the end of the text.
    UnclosedBlockComment,
    /// A name: `[A-Za-z_]` then `[A-Za-z0-9_-]`; any non-ASCII character counts as a letter.
    Ident,
    /// `1`, `1.5`, `2e10`.
    Number,
    /// `{` in code: a block's body, an object, or a brace inside a template.
    LBrace,
    /// `}` in code, but for the one that closes a template.
    RBrace,
    LBracket,
    RBracket,
    LParen,
    RParen,
    /// `=` alone.
    Equals,
    /// Any other punctuation or operator: `:`, `,`, `.`, `...`, `?`, `==`, `!=`, `<=`, `>=`,
    /// `=>`, `&&`, `||`, `+`, `-`, … (two `<` that open no heredoc are one token).
    Punct,
    /// A control character that starts no token.
    Invalid,
    /// `"` opening a quoted string.
    OpenQuote,
    /// `"` closing it.
    CloseQuote,
    /// Where a quoted string stopped unclosed: empty, at the end of its line or of the text.
    UnclosedQuote,
    /// `${` or `%{`, in a quoted string or a heredoc.
    OpenTemplate,
    /// The `}` that closes a template.
    CloseTemplate,
    /// Where a template stopped unclosed: empty, at the end of the text.
    UnclosedTemplate,
    /// `<<MARKER` or `<<-MARKER`.
    OpenHeredoc,
    /// The line that closes a heredoc: its indentation and the marker.
    CloseHeredoc,
    /// Where a heredoc stopped unclosed: empty, at the end of the text.
    UnclosedHeredoc,
    /// Text in a quoted string or a heredoc, escapes included (`\"`, `$${`); in a heredoc, the
    /// rest of the `<<MARKER` line and every newline of the body.
    Text,
}

/// One token: what it is and its byte range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    pub kind: Kind,
    pub start: usize,
    pub end: usize,
}

impl Token {
    /// The byte range.
    pub fn span(&self) -> Range<usize> {
        self.start..self.end
    }

    /// The token's text in `text`, the text it was read from.
    pub fn text<'a>(&self, text: &'a str) -> &'a str {
        text.get(self.span()).unwrap_or_default()
    }

    /// Whether this token says something was left open.
    pub fn is_unclosed(&self) -> bool {
        matches!(
            self.kind,
            Kind::UnclosedBlockComment | Kind::UnclosedQuote | Kind::UnclosedTemplate | Kind::UnclosedHeredoc
        )
    }

    /// `#`, `//` or `/* */`, closed or not.
    pub fn is_comment(&self) -> bool {
        matches!(self.kind, Kind::LineComment | Kind::BlockComment | Kind::UnclosedBlockComment)
    }
}

/// The tokens of `text`, in order.
pub fn tokens(text: &str) -> Lexer<'_> {
    Lexer { bytes: text.as_bytes(), pos: 0, modes: Vec::new(), names: true }
}

/// What the tokenizer is inside of, above the file's code.
#[derive(Debug, Clone, Copy)]
enum Mode {
    /// `${ … }` or `%{ … }`: code, with the braces opened inside it.
    Template { braces: usize },
    /// A quoted string's text.
    Quoted,
    /// A heredoc: its marker's range, and where the tokenizer is on the current line.
    Heredoc { marker: (usize, usize), line: Line },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Line {
    /// The rest of the `<<MARKER` line: text, without templates.
    Opening,
    /// At a line's start, where the closing marker may stand.
    Start,
    /// Within a line of the body.
    Within,
}

/// The tokenizer: an iterator of [`Token`]s.
#[derive(Debug, Clone)]
pub struct Lexer<'a> {
    bytes: &'a [u8],
    pos: usize,
    modes: Vec<Mode>,
    /// Whether identifiers and numbers come out as tokens.
    names: bool,
}

impl Lexer<'_> {
    /// Leaves identifiers and numbers out, for a consumer that reads only structure (the
    /// nesting scan, on every file before it is parsed): they are skipped without a token each.
    #[must_use]
    pub fn without_names(mut self) -> Self {
        self.names = false;
        self
    }

    /// Whether the tokenizer is in the file's own code: in no string, heredoc or template.
    /// Asked after a token, it says where the next one starts.
    pub fn at_top(&self) -> bool {
        self.modes.is_empty()
    }

    #[inline]
    fn token(&mut self, kind: Kind, start: usize, end: usize) -> Option<Token> {
        self.pos = end;
        Some(Token { kind, start, end })
    }

    #[inline]
    fn byte(&self, at: usize) -> u8 {
        self.bytes.get(at).copied().unwrap_or(0)
    }

    /// The first position at or after `from` whose byte is in `table`, or the end.
    #[inline]
    fn skip_to(&self, from: usize, table: &[bool; 256]) -> usize {
        let mut i = from;
        while i < self.bytes.len() && !table[usize::from(self.bytes[i])] {
            i += 1;
        }
        i
    }

    fn line_end(&self, from: usize) -> usize {
        self.skip_to(from, &NEWLINE)
    }

    /// The end of a line comment starting at `from`: its line's end, before a `\r\n` as well
    /// as a `\n` (as hcl-edit reads it).
    fn comment_end(&self, from: usize) -> usize {
        let end = self.line_end(from);
        if end > from && self.byte(end) == b'\n' && self.byte(end - 1) == b'\r' {
            end - 1
        } else {
            end
        }
    }

    /// `$${` or `%%{` at `at`: an escaped template opener.
    fn escaped_opener(&self, at: usize) -> bool {
        let b = self.byte(at);
        (b == b'$' || b == b'%') && self.byte(at + 1) == b && self.byte(at + 2) == b'{'
    }

    /// `${` or `%{` at `at`.
    fn opener(&self, at: usize) -> bool {
        let b = self.byte(at);
        (b == b'$' || b == b'%') && self.byte(at + 1) == b'{'
    }

    fn open_template(&mut self, at: usize) -> Option<Token> {
        self.modes.push(Mode::Template { braces: 0 });
        self.token(Kind::OpenTemplate, at, at + 2)
    }

    /// The token at `self.pos` in code (the file's, or a template's).
    #[inline(always)]
    fn code(&mut self) -> Option<Token> {
        let len = self.bytes.len();
        let mut i = self.pos;
        let b = loop {
            while i < len && matches!(self.bytes[i], b' ' | b'\t' | b'\r') {
                i += 1;
            }
            if i >= len {
                self.pos = len;
                return self.unwind();
            }
            let b = self.bytes[i];
            // Names are most of code: read them first.
            let end = if is_ident_start(b) {
                self.skip_to(i + 1, &NOT_IDENT)
            } else if b.is_ascii_digit() {
                self.number_end(i)
            } else {
                break b;
            };
            if self.names {
                let kind = if is_ident_start(b) { Kind::Ident } else { Kind::Number };
                return self.token(kind, i, end);
            }
            i = end;
        };
        let next = self.byte(i + 1);
        let (kind, end) = match b {
            b'\n' => (Kind::Newline, i + 1),
            b'#' => (Kind::LineComment, self.comment_end(i)),
            b'/' if next == b'/' => (Kind::LineComment, self.comment_end(i)),
            b'/' if next == b'*' => match find_close_comment(self.bytes, i + 2) {
                Some(end) => (Kind::BlockComment, end),
                None => (Kind::UnclosedBlockComment, len),
            },
            b'"' => {
                self.modes.push(Mode::Quoted);
                (Kind::OpenQuote, i + 1)
            }
            b'<' if next == b'<' => {
                let marker_start = if self.byte(i + 2) == b'-' { i + 3 } else { i + 2 };
                if !is_ident_start(self.byte(marker_start)) {
                    (Kind::Punct, i + 2)
                } else {
                    let marker_end = self.skip_to(marker_start, &NOT_IDENT);
                    self.modes.push(Mode::Heredoc { marker: (marker_start, marker_end), line: Line::Opening });
                    (Kind::OpenHeredoc, marker_end)
                }
            }
            b'{' => {
                if let Some(Mode::Template { braces }) = self.modes.last_mut() {
                    *braces += 1;
                }
                (Kind::LBrace, i + 1)
            }
            b'}' => match self.modes.last_mut() {
                Some(Mode::Template { braces: 0 }) => {
                    self.modes.pop();
                    (Kind::CloseTemplate, i + 1)
                }
                Some(Mode::Template { braces }) => {
                    *braces -= 1;
                    (Kind::RBrace, i + 1)
                }
                _ => (Kind::RBrace, i + 1),
            },
            b'[' => (Kind::LBracket, i + 1),
            b']' => (Kind::RBracket, i + 1),
            b'(' => (Kind::LParen, i + 1),
            b')' => (Kind::RParen, i + 1),
            b'=' if next == b'=' || next == b'>' => (Kind::Punct, i + 2),
            b'=' => (Kind::Equals, i + 1),
            b'!' | b'<' | b'>' if next == b'=' => (Kind::Punct, i + 2),
            b'&' | b'|' if next == b => (Kind::Punct, i + 2),
            b'.' if next == b'.' && self.byte(i + 2) == b'.' => (Kind::Punct, i + 3),
            _ if b.is_ascii_graphic() => (Kind::Punct, i + 1),
            _ => (Kind::Invalid, i + 1),
        };
        self.token(kind, i, end)
    }

    /// Where the number starting at `from` ends: digits, a fraction, an exponent.
    fn number_end(&self, from: usize) -> usize {
        let mut end = self.digits_end(from);
        if self.byte(end) == b'.' && self.byte(end + 1).is_ascii_digit() {
            end = self.digits_end(end + 1);
        }
        if matches!(self.byte(end), b'e' | b'E') {
            let sign = usize::from(matches!(self.byte(end + 1), b'+' | b'-'));
            if self.byte(end + 1 + sign).is_ascii_digit() {
                end = self.digits_end(end + 1 + sign);
            }
        }
        end
    }

    fn digits_end(&self, from: usize) -> usize {
        let mut i = from;
        while i < self.bytes.len() && self.bytes[i].is_ascii_digit() {
            i += 1;
        }
        i
    }

    /// The token at `self.pos` in a quoted string's text.
    fn quoted(&mut self) -> Option<Token> {
        let len = self.bytes.len();
        let start = self.pos;
        let mut i = start;
        loop {
            i = self.skip_to(i, &QUOTED);
            if i >= len {
                break;
            }
            match self.bytes[i] {
                b'\\' => i = (i + 2).min(len),
                b'$' | b'%' if self.escaped_opener(i) => i += 3,
                b'$' | b'%' if !self.opener(i) => i += 1,
                _ => break,
            }
        }
        // A `\` before a non-ASCII character stops inside it; text runs on to the boundary.
        while i < len && (self.bytes[i] & 0xC0) == 0x80 {
            i += 1;
        }
        if i > start {
            return self.token(Kind::Text, start, i);
        }
        match self.bytes.get(i) {
            None => self.unwind(),
            Some(b'"') => {
                self.modes.pop();
                self.token(Kind::CloseQuote, i, i + 1)
            }
            Some(b'\n') => {
                self.modes.pop();
                self.token(Kind::UnclosedQuote, i, i)
            }
            Some(_) => self.open_template(i),
        }
    }

    /// The token at `self.pos` in a heredoc.
    fn heredoc(&mut self, marker: (usize, usize), mut line: Line) -> Option<Token> {
        let len = self.bytes.len();
        let start = self.pos;
        let mut i = start;
        let end = loop {
            match line {
                Line::Opening => {
                    i = (self.line_end(i) + 1).min(len);
                    line = Line::Start;
                }
                Line::Start => {
                    if let Some(end) = self.closing_marker(i, marker) {
                        if i > start {
                            break i;
                        }
                        self.modes.pop();
                        return self.token(Kind::CloseHeredoc, i, end);
                    }
                    line = Line::Within;
                }
                Line::Within => {
                    i = self.skip_to(i, &HEREDOC);
                    if i >= len {
                        break len;
                    }
                    if self.bytes[i] == b'\n' {
                        i += 1;
                        line = Line::Start;
                    } else if self.escaped_opener(i) {
                        i += 3;
                    } else if self.opener(i) {
                        break i;
                    } else {
                        i += 1;
                    }
                }
            }
            if i >= len {
                break len;
            }
        };
        if let Some(Mode::Heredoc { line: at, .. }) = self.modes.last_mut() {
            *at = line;
        }
        if end > start {
            return self.token(Kind::Text, start, end);
        }
        if end >= len {
            return self.unwind();
        }
        self.open_template(end)
    }

    /// The end of the closing marker line starting at `at` (spaces, tabs, the marker, and no
    /// identifier character after it), if it is one.
    fn closing_marker(&self, at: usize, (from, to): (usize, usize)) -> Option<usize> {
        let mut i = at;
        while matches!(self.byte(i), b' ' | b'\t') {
            i += 1;
        }
        let marker = self.bytes.get(from..to)?;
        let end = i + marker.len();
        (self.bytes.get(i..end)? == marker && !is_ident_continue(self.byte(end))).then_some(end)
    }

    /// At the end of the text: the innermost thing still open, as its unclosed token.
    fn unwind(&mut self) -> Option<Token> {
        let len = self.bytes.len();
        let kind = match self.modes.pop()? {
            Mode::Template { .. } => Kind::UnclosedTemplate,
            Mode::Quoted => Kind::UnclosedQuote,
            Mode::Heredoc { .. } => Kind::UnclosedHeredoc,
        };
        self.token(kind, len, len)
    }
}

impl Iterator for Lexer<'_> {
    type Item = Token;

    #[inline(always)]
    fn next(&mut self) -> Option<Token> {
        match self.modes.last().copied() {
            None | Some(Mode::Template { .. }) => self.code(),
            Some(Mode::Quoted) => self.quoted(),
            Some(Mode::Heredoc { marker, line }) => self.heredoc(marker, line),
        }
    }
}

/// Just past the `*/` that closes a comment whose text starts at `from`.
fn find_close_comment(bytes: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    while i + 1 < bytes.len() {
        match bytes[i + 1] {
            b'/' if bytes[i] == b'*' => return Some(i + 2),
            // The pair cannot start at `i + 1`: step over it.
            b'*' => i += 1,
            _ => i += 2,
        }
    }
    None
}

/// A byte that may start an identifier (any byte of a non-ASCII character counts).
pub fn is_ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_' || b >= 0x80
}

/// A byte that may continue an identifier.
pub fn is_ident_continue(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b >= 0x80
}

const NEWLINE: [bool; 256] = table(b"\n");
/// In a quoted string: an escape, its end, its line's end, a template.
const QUOTED: [bool; 256] = table(b"\\\"\n$%");
/// In heredoc text: a new line (where the marker may follow), a template.
const HEREDOC: [bool; 256] = table(b"\n$%");
const NOT_IDENT: [bool; 256] = {
    let mut t = [true; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        if c.is_ascii_alphanumeric() || c == b'_' || c == b'-' || c >= 0x80 {
            t[b] = false;
        }
        b += 1;
    }
    t
};

const fn table(meaningful: &[u8]) -> [bool; 256] {
    let mut t = [false; 256];
    let mut i = 0;
    while i < meaningful.len() {
        t[meaningful[i] as usize] = true;
        i += 1;
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(Kind, &str)> {
        tokens(text).map(|t| (t.kind, &text[t.span()])).collect()
    }

    #[test]
    fn code_tokens() {
        use Kind::*;
        assert_eq!(
            kinds("a = [1.5e3, b.c] # x\n"),
            vec![
                (Ident, "a"),
                (Equals, "="),
                (LBracket, "["),
                (Number, "1.5e3"),
                (Punct, ","),
                (Ident, "b"),
                (Punct, "."),
                (Ident, "c"),
                (RBracket, "]"),
                (LineComment, "# x"),
                (Newline, "\n"),
            ]
        );
        assert_eq!(
            kinds("a==b<=c=>d...e"),
            [
                (Ident, "a"),
                (Punct, "=="),
                (Ident, "b"),
                (Punct, "<="),
                (Ident, "c"),
                (Punct, "=>"),
                (Ident, "d"),
                (Punct, "..."),
                (Ident, "e")
            ]
        );
        assert_eq!(kinds("/* a */ /* b"), [(BlockComment, "/* a */"), (UnclosedBlockComment, "/* b")]);
        assert_eq!(kinds("/*/ x */"), [(BlockComment, "/*/ x */")]);
        assert_eq!(kinds("<<<EOF"), [(Punct, "<<"), (Punct, "<"), (Ident, "EOF")]);
    }

    #[test]
    fn strings_and_templates() {
        use Kind::*;
        assert_eq!(
            kinds(r#"x = "a\"${ {b = "}"}["b"] }$${c}%{ if d }e%{ endif }""#),
            [
                (Ident, "x"),
                (Equals, "="),
                (OpenQuote, "\""),
                (Text, "a\\\""),
                (OpenTemplate, "${"),
                (LBrace, "{"),
                (Ident, "b"),
                (Equals, "="),
                (OpenQuote, "\""),
                (Text, "}"),
                (CloseQuote, "\""),
                (RBrace, "}"),
                (LBracket, "["),
                (OpenQuote, "\""),
                (Text, "b"),
                (CloseQuote, "\""),
                (RBracket, "]"),
                (CloseTemplate, "}"),
                (Text, "$${c}"),
                (OpenTemplate, "%{"),
                (Ident, "if"),
                (Ident, "d"),
                (CloseTemplate, "}"),
                (Text, "e"),
                (OpenTemplate, "%{"),
                (Ident, "endif"),
                (CloseTemplate, "}"),
                (CloseQuote, "\""),
            ]
        );
        assert_eq!(
            kinds("\"ab\ny"),
            [(OpenQuote, "\""), (Text, "ab"), (UnclosedQuote, ""), (Newline, "\n"), (Ident, "y")]
        );
        assert_eq!(
            kinds("\"${a"),
            [(OpenQuote, "\""), (OpenTemplate, "${"), (Ident, "a"), (UnclosedTemplate, ""), (UnclosedQuote, "")]
        );
        assert_eq!(kinds("\"\\"), [(OpenQuote, "\""), (Text, "\\"), (UnclosedQuote, "")]);
        assert_eq!(kinds("\"\\é\""), [(OpenQuote, "\""), (Text, "\\é"), (CloseQuote, "\"")]);
    }

    #[test]
    fn heredocs() {
        use Kind::*;
        assert_eq!(
            kinds("x = <<EOF\na ${b}\n  EOF\ny"),
            [
                (Ident, "x"),
                (Equals, "="),
                (OpenHeredoc, "<<EOF"),
                (Text, "\na "),
                (OpenTemplate, "${"),
                (Ident, "b"),
                (CloseTemplate, "}"),
                (Text, "\n"),
                (CloseHeredoc, "  EOF"),
                (Newline, "\n"),
                (Ident, "y"),
            ]
        );
        assert_eq!(kinds("<<-EOF\nEOFX\nEOF"), [(OpenHeredoc, "<<-EOF"), (Text, "\nEOFX\n"), (CloseHeredoc, "EOF")]);
        assert_eq!(kinds("<<EOF\nx EOF\n"), [(OpenHeredoc, "<<EOF"), (Text, "\nx EOF\n"), (UnclosedHeredoc, "")]);
        assert_eq!(kinds("<<EOF"), [(OpenHeredoc, "<<EOF"), (UnclosedHeredoc, "")]);
        assert_eq!(
            kinds("<<EOF\n$${x}%%{\nEOF"),
            [(OpenHeredoc, "<<EOF"), (Text, "\n$${x}%%{\n"), (CloseHeredoc, "EOF")]
        );
    }

    #[test]
    fn never_panics_and_covers_the_text_in_order() {
        let pieces = [
            "\"", "${", "%{", "}", "{", "<<", "<<-", "EOF", "\n", "\\", "/*", "*/", "#", "//", "é", "$$", " ", "1.",
            "e", "\r",
        ];
        let mut seed = 7u64;
        for _ in 0..2000 {
            let mut text = String::new();
            for _ in 0..(seed % 40) {
                seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                text.push_str(pieces[(seed >> 33) as usize % pieces.len()]);
            }
            let mut at = 0;
            for t in tokens(&text) {
                assert!(t.start >= at && t.end >= t.start && t.end <= text.len(), "{text:?}: {t:?}");
                assert!(text.is_char_boundary(t.start) && text.is_char_boundary(t.end), "{text:?}: {t:?}");
                at = t.end;
            }
        }
    }
}
