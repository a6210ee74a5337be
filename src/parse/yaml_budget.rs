//! What saphyr reads of a YAML file longer than `limits { max_string_bytes }`: the file, until
//! the parser has read more than the limit (and some slack) since its last event; from there a
//! skeleton of the rest, in which every long run of plain characters keeps only its two ends.
//!
//! saphyr reads a whole scalar before its event says how long it is, at some 70 instructions a
//! character, so a 10 MiB string cost four times a 1 MiB one before its length was measured.
//! Past the budget, the run that made the string long is skipped, not read: the scalar's length
//! is what saphyr read plus what the skeleton left out. Only the scalar that read a left-out
//! stretch can be measured so (see [`Skeleton`]); when anything else did, the caller parses the
//! file again from its text, as a file shorter than the limit always is.

use std::cell::{Cell, OnceCell};

use saphyr_parser::input::SkipTabs;
use saphyr_parser::{Input, StrInput};

/// How far past the limit saphyr may read from its last event before the cut: the indentation,
/// quotes, key and escapes around a string at the limit.
pub const SLACK: usize = 4096;

/// How many bytes of each long run the skeleton keeps at either end: more than any escape
/// (`\U0001F600`) or look-ahead of the parser's reaches into it.
const KEEP: usize = 16;

/// The shortest run the skeleton shortens.
const SHORTEST: usize = 256;

/// What the parser's input and the code reading its events share.
#[derive(Default)]
pub struct Shared {
    /// Where the last event ended, in bytes: the budget counts from there.
    pub last_end: Cell<usize>,
    skeleton: OnceCell<Skeleton>,
}

impl Shared {
    /// The skeleton the input switched to, once it has.
    pub fn skeleton(&self) -> Option<&Skeleton> {
        self.skeleton.get()
    }
}

/// The file from the cut on, each long run of plain characters (a run of letters, digits,
/// spaces and `_-./+=` from a letter or digit to a letter or digit) shortened to its first and
/// last [`KEEP`] bytes.
///
/// Every character of such a run is copied as written into whatever scalar holds it, whatever
/// its style: none of them ends a plain scalar, starts a comment or an escape, closes a quote
/// or changes the indentation, so the parser reads the skeleton as it reads the file, but for
/// the columns and indexes past a shortened run and what it copies. A run in a comment is left
/// whole (after a `#` that starts one, to the line's end).
pub struct Skeleton {
    text: String,
    /// Where runs were shortened: the parser's character index of the place, and how many
    /// characters (bytes: runs are ASCII) were left out there, in order.
    seams: Vec<(usize, usize)>,
}

impl Skeleton {
    /// The skeleton of `file` from byte `from` (a character boundary) on.
    fn of(file: &str, from: usize) -> Skeleton {
        let rest = file.get(from..).unwrap_or_default();
        let bytes = rest.as_bytes();
        let at_char = file.get(..from).map_or(0, |before| before.chars().count());
        let mut text = String::new();
        let mut seams = Vec::new();
        let mut copied = 0;
        let mut previous = from.checked_sub(1).and_then(|i| file.as_bytes().get(i)).copied().unwrap_or(b'\n');
        let mut comment = false;
        let mut i = 0;
        while let Some(&b) = bytes.get(i) {
            if comment {
                comment = b != b'\n' && b != b'\r';
            } else if b == b'#' && matches!(previous, b' ' | b'\t' | b'\n' | b'\r') {
                comment = true;
            } else if b.is_ascii_alphanumeric() {
                let mut end = i + run(&bytes[i..]);
                while end > i && !bytes[end - 1].is_ascii_alphanumeric() {
                    end -= 1;
                }
                if end - i >= SHORTEST {
                    text.push_str(&rest[copied..i + KEEP]);
                    seams.push((text.len(), end - KEEP - (i + KEEP)));
                    copied = end - KEEP;
                }
                i = end;
                previous = bytes[end - 1];
                continue;
            }
            previous = b;
            i += 1;
        }
        text.push_str(&rest[copied..]);
        // From byte offsets in the skeleton to the parser's character indexes, once.
        let mut chars = at_char;
        let mut counted = 0;
        for (at, _) in &mut seams {
            chars += text.get(counted..*at).map_or(0, |s| s.chars().count());
            counted = *at;
            *at = chars;
        }
        Skeleton { text, seams }
    }

    /// Whether a run was shortened: else the skeleton is the file's text.
    pub fn shortened(&self) -> bool {
        !self.seams.is_empty()
    }

    /// The parser's character index of each place a run was shortened, with how many
    /// characters (bytes: runs are ASCII) were left out there, in order.
    pub fn seams(&self) -> impl Iterator<Item = (usize, usize)> + '_ {
        self.seams.iter().copied()
    }
}

/// The length of the run of plain characters `bytes` starts with.
fn run(bytes: &[u8]) -> usize {
    let plain = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b' ' | b'_' | b'-' | b'.' | b'/' | b'+' | b'=');
    // 32 bytes at a time while all are plain (the comparisons vectorize), then one at a time.
    let mut n = 0;
    for chunk in bytes.chunks_exact(32) {
        if !chunk.iter().fold(true, |all, &b| all & plain(b)) {
            break;
        }
        n += 32;
    }
    n + bytes[n..].iter().take_while(|&&b| plain(b)).count()
}

/// saphyr's input over a file, as [`StrInput`] reads it, until the parser has read more than
/// `budget` bytes past its last event ([`Shared::last_end`]); from there over the file's
/// [`Skeleton`]. The two read the same at the switch, so the parser never sees it. Comments and
/// runs of blanks, which saphyr skips in one call, move the budget on rather than spend it.
pub struct Budgeted<'a> {
    file: &'a str,
    shared: &'a Shared,
    budget: usize,
    /// What is left to read, of the file or, after the cut, of the skeleton.
    buffer: &'a str,
    /// The parser has spent its budget when fewer bytes than this are left (0 after the cut).
    watch: usize,
    lookahead: usize,
}

impl<'a> Budgeted<'a> {
    pub fn new(file: &'a str, budget: usize, shared: &'a Shared) -> Self {
        Budgeted { file, shared, budget, buffer: file, watch: file.len().saturating_sub(budget), lookahead: 0 }
    }

    /// After reading a character: past the budget, move it from the last event, or cut.
    #[inline]
    fn spent(&mut self) {
        if self.buffer.len() < self.watch {
            self.over_budget();
        }
    }

    #[cold]
    fn over_budget(&mut self) {
        let at = self.file.len() - self.buffer.len();
        let fence = self.shared.last_end.get().saturating_add(self.budget);
        if fence > at {
            self.watch = self.file.len().saturating_sub(fence);
            return;
        }
        let skeleton = self.shared.skeleton.get_or_init(|| Skeleton::of(self.file, at));
        self.buffer = &skeleton.text;
        self.watch = 0;
    }

    /// After skipping what is not a string (blanks, a comment): the budget starts again here.
    #[inline]
    fn skipped(&mut self) {
        if self.buffer.len() < self.watch {
            let at = self.file.len() - self.buffer.len();
            self.watch = self.file.len().saturating_sub(at.saturating_add(self.budget));
        }
    }

    fn str_input(&self) -> StrInput<'a> {
        StrInput::new(self.buffer)
    }
}

// The reading below is `StrInput`'s (saphyr-parser 0.3, MIT/Apache-2.0): the same answers, so
// the events are those of `Parser::new_from_str`, with the budget checked as characters are
// consumed.
impl Input for Budgeted<'_> {
    #[inline]
    fn lookahead(&mut self, count: usize) {
        self.lookahead = self.lookahead.max(count);
    }

    #[inline]
    fn buflen(&self) -> usize {
        self.lookahead
    }

    #[inline]
    fn bufmaxlen(&self) -> usize {
        self.str_input().bufmaxlen()
    }

    #[inline]
    fn buf_is_empty(&self) -> bool {
        self.buflen() == 0
    }

    #[inline]
    fn raw_read_ch(&mut self) -> char {
        let mut chars = self.buffer.chars();
        let c = chars.next().unwrap_or('\0');
        self.buffer = chars.as_str();
        self.spent();
        c
    }

    #[inline]
    fn raw_read_non_breakz_ch(&mut self) -> Option<char> {
        let mut chars = self.buffer.chars();
        let c = chars.next().filter(|&c| is_yaml_non_break(c))?;
        self.buffer = chars.as_str();
        self.spent();
        Some(c)
    }

    #[inline]
    fn skip(&mut self) {
        let mut chars = self.buffer.chars();
        if chars.next().is_some() {
            self.buffer = chars.as_str();
        }
        self.spent();
    }

    #[inline]
    fn skip_n(&mut self, count: usize) {
        let mut chars = self.buffer.chars();
        for _ in 0..count {
            if chars.next().is_none() {
                break;
            }
        }
        self.buffer = chars.as_str();
        self.spent();
    }

    #[inline]
    fn peek(&self) -> char {
        self.buffer.chars().next().unwrap_or('\0')
    }

    #[inline]
    fn peek_nth(&self, n: usize) -> char {
        self.str_input().peek_nth(n)
    }

    #[inline]
    fn peek_opt(&self) -> Option<char> {
        self.buffer.chars().next()
    }

    #[inline]
    fn look_ch(&mut self) -> char {
        self.lookahead(1);
        self.peek()
    }

    #[inline]
    fn next_char_is(&self, c: char) -> bool {
        self.peek() == c
    }

    #[inline]
    fn nth_char_is(&self, n: usize, c: char) -> bool {
        self.peek_nth(n) == c
    }

    #[inline]
    fn next_2_are(&self, c1: char, c2: char) -> bool {
        self.str_input().next_2_are(c1, c2)
    }

    #[inline]
    fn next_3_are(&self, c1: char, c2: char, c3: char) -> bool {
        self.str_input().next_3_are(c1, c2, c3)
    }

    #[inline]
    fn next_is_document_indicator(&self) -> bool {
        self.str_input().next_is_document_indicator()
    }

    #[inline]
    fn next_is_document_start(&self) -> bool {
        self.str_input().next_is_document_start()
    }

    #[inline]
    fn next_is_document_end(&self) -> bool {
        self.str_input().next_is_document_end()
    }

    fn skip_ws_to_eol(&mut self, skip_tabs: SkipTabs) -> (usize, Result<SkipTabs, &'static str>) {
        // StrInput's: blanks (and tabs when asked), then a comment to the line's end.
        let mut rest = self.buffer;
        let (mut blanks, mut tabs) = (false, false);
        loop {
            if let Some(r) = rest.strip_prefix(' ') {
                blanks = true;
                rest = r;
            } else if let Some(r) = rest.strip_prefix('\t').filter(|_| skip_tabs == SkipTabs::Yes) {
                tabs = true;
                rest = r;
            } else {
                break;
            }
        }
        let mut consumed = self.buffer.len() - rest.len();
        if rest.starts_with('#') {
            if !tabs && !blanks {
                return (consumed, Err("comments must be separated from other tokens by whitespace"));
            }
            let mut chars = rest.chars();
            while let Some(c) = chars.clone().next() {
                if !is_yaml_non_break(c) {
                    break;
                }
                chars.next();
                consumed += 1;
            }
            rest = chars.as_str();
        }
        self.buffer = rest;
        self.skipped();
        (consumed, Ok(SkipTabs::Result(tabs, blanks)))
    }

    #[inline]
    fn next_can_be_plain_scalar(&self, in_flow: bool) -> bool {
        self.str_input().next_can_be_plain_scalar(in_flow)
    }

    #[inline]
    fn next_is_blank_or_break(&self) -> bool {
        self.str_input().next_is_blank_or_break()
    }

    #[inline]
    fn next_is_blank_or_breakz(&self) -> bool {
        self.str_input().next_is_blank_or_breakz()
    }

    #[inline]
    fn next_is_blank(&self) -> bool {
        self.str_input().next_is_blank()
    }

    #[inline]
    fn next_is_break(&self) -> bool {
        self.str_input().next_is_break()
    }

    #[inline]
    fn next_is_breakz(&self) -> bool {
        self.str_input().next_is_breakz()
    }

    #[inline]
    fn next_is_z(&self) -> bool {
        self.str_input().next_is_z()
    }

    #[inline]
    fn next_is_flow(&self) -> bool {
        self.str_input().next_is_flow()
    }

    #[inline]
    fn next_is_digit(&self) -> bool {
        self.str_input().next_is_digit()
    }

    #[inline]
    fn next_is_alpha(&self) -> bool {
        self.str_input().next_is_alpha()
    }

    fn skip_while_non_breakz(&mut self) -> usize {
        let mut chars = self.buffer.chars();
        let mut count = 0;
        while let Some(c) = chars.clone().next() {
            if !is_yaml_non_break(c) {
                break;
            }
            chars.next();
            count += 1;
        }
        self.buffer = chars.as_str();
        self.skipped();
        count
    }

    fn skip_while_blank(&mut self) -> usize {
        let n = self.buffer.bytes().take_while(|&b| b == b' ' || b == b'\t').count();
        self.buffer = self.buffer.get(n..).unwrap_or_default();
        self.skipped();
        n
    }

    fn fetch_while_is_alpha(&mut self, out: &mut String) -> usize {
        let before = out.len();
        let n = self.str_input().fetch_while_is_alpha(out);
        self.buffer = self.buffer.get(out.len() - before..).unwrap_or_default();
        self.spent();
        n
    }

    fn fetch_while_is_yaml_non_space(&mut self, out: &mut String) -> usize {
        let before = out.len();
        let n = self.str_input().fetch_while_is_yaml_non_space(out);
        self.buffer = self.buffer.get(out.len() - before..).unwrap_or_default();
        self.spent();
        n
    }
}

/// saphyr's `is_yaml_non_break`: neither a line break, the end, nor a byte order mark.
#[inline]
fn is_yaml_non_break(c: char) -> bool {
    !saphyr_parser::input::is_breakz(c) && c != '\u{FEFF}'
}

#[cfg(test)]
mod tests {
    use saphyr_parser::{Event, Parser, Span};

    use super::*;

    /// The events of `text` through [`Budgeted`] with `budget`, the last event's end handed back
    /// as the YAML reader does, and how far into the file the parser read before the skeleton.
    fn events(text: &str, budget: usize) -> (Vec<(Event<'static>, Span)>, Option<usize>) {
        let shared = Shared::default();
        let mut parser = Parser::new(Budgeted::new(text, budget, &shared));
        let mut out = Vec::new();
        while let Some(Ok((event, span))) = parser.next_event() {
            if shared.skeleton().is_none() {
                shared.last_end.set(span.end.index());
            }
            out.push((owned(event), span));
        }
        let cut = shared.skeleton().map(|s| s.seams().map(|(_, n)| n).sum());
        (out, cut)
    }

    fn owned(event: Event<'_>) -> Event<'static> {
        match event {
            Event::Scalar(text, style, anchor, _) => Event::Scalar(text.into_owned().into(), style, anchor, None),
            Event::MappingStart(anchor, _) => Event::MappingStart(anchor, None),
            Event::SequenceStart(anchor, _) => Event::SequenceStart(anchor, None),
            Event::Nothing => Event::Nothing,
            Event::StreamStart => Event::StreamStart,
            Event::StreamEnd => Event::StreamEnd,
            Event::DocumentStart(explicit) => Event::DocumentStart(explicit),
            Event::DocumentEnd => Event::DocumentEnd,
            Event::Alias(id) => Event::Alias(id),
            Event::MappingEnd => Event::MappingEnd,
            Event::SequenceEnd => Event::SequenceEnd,
        }
    }

    fn whole(text: &str) -> Vec<(Event<'static>, Span)> {
        let mut parser = Parser::new_from_str(text);
        std::iter::from_fn(|| parser.next_event()?.ok()).map(|(e, s)| (owned(e), s)).collect()
    }

    /// A scalar ten times the budget: the parser reads the budget of it from the file and the
    /// rest from the skeleton, which left out all but the run's last bytes; what it read and
    /// what was left out make the whole string.
    #[test]
    fn the_parser_reads_a_long_string_to_the_budget_only() {
        let text = format!("a: 1\nblob: {}\nz: 2\n", "x".repeat(100_000));
        let (events, left_out) = events(&text, 10_000);
        let read: Vec<usize> = events
            .iter()
            .filter_map(|(e, _)| if let Event::Scalar(v, ..) = e { Some(v.len()) } else { None })
            .collect();
        assert_eq!(read.len(), 6, "{read:?}");
        assert!(read[3] < 10_000 + 2 * KEEP, "read {} bytes of the string", read[3]);
        assert_eq!(read[3] + left_out.unwrap_or(0), 100_000);
    }

    /// Before the cut and after it, up to a left-out run, the parser reads what it reads from the
    /// text: the same events at the same places, whatever the file holds (a budget of a few
    /// bytes cuts at once; the skeleton of a file with no long run is the file).
    #[test]
    fn the_input_reads_as_the_text_does() {
        let long_comment = format!("# {}\n", "c".repeat(2000));
        let files = [
            "# values\ngameServer:\n  replicaCount: 3\n  sidecar:\n    enabled: true\n    image:\n      \
             repository: \"registry.internal/rules-sidecar\"\n    resources:\n      requests: {cpu: \"250m\", \
             memory: \"128Mi\"}\ncache:\n  auth: {secretRef: {name: redis-auth, key: password}}\n"
                .into(),
            "a: &x {b: [1, 2, 'three'], c: \"d\\te\"}\ne: *x\nf: !!str 3\ng: |+\n  line\n\n  more\nh: >-\n  folded\n  text\n".into(),
            "# lead\n---\nk: v # tail\nl:\n  - plain  words\n    over lines\n  - ? complex\n    : value\nm: \"é ü 日本\"\n...\n".into(),
            format!("a: 1\n{long_comment}b: 2 {long_comment}c:\r\n  d: 'it''s'\r\n"),
            "a: [unclosed\n".into(),
            "a:\tb\n  c: d\n".into(),
        ];
        for text in &files {
            for budget in [0, 3, 40, 1000] {
                let (events, left_out) = events(text, budget);
                assert_eq!(left_out.unwrap_or(0), 0);
                assert_eq!(events, whole(text), "budget {budget}: {text}");
            }
        }
    }

    /// Runs in comments are left whole; runs elsewhere keep their two ends.
    #[test]
    fn the_skeleton_keeps_comments_and_the_ends_of_runs() {
        let run = format!("ab{}yz", "-x ".repeat(200));
        let text = format!("k: {run}: # {run}\n{run}\n");
        let skeleton = Skeleton::of(&text, 0);
        let kept = |s: &str| format!("{}{}", &s[..KEEP], &s[s.len() - KEEP..]);
        assert_eq!(skeleton.text, format!("k: {}: # {run}\n{}\n", kept(&run), kept(&run)));
        let gap = run.len() - 2 * KEEP;
        // Where the parser stands at each: its character index in what it read.
        let second = text.len() - 1 - run.len() + KEEP - gap;
        assert_eq!(skeleton.seams().collect::<Vec<_>>(), [(3 + KEEP, gap), (second, gap)]);
    }
}
