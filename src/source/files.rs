//! The set of loaded files and byte spans into them.

use std::sync::Arc;

use crate::diagnostic::{FileId, Span};

/// One input file: its root-relative path (always with `/`) and its text, normalised so that a
/// byte-order mark and CRLF line ends read as if absent.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub path: String,
    pub text: String,
    /// The sha256 of the bytes as read, when decoding changed them (see [`SourceFile::sha256`]).
    raw_sha256: Option<String>,
    /// How many bytes were read, when decoding changed none of them: `text` is then those
    /// bytes, hashed the first time the hash is asked for.
    raw_len: Option<usize>,
    sha256: std::sync::OnceLock<String>,
    /// Whether the raw bytes had a byte-order mark or CRLF line ends that decoding removed.
    pub normalized: bool,
    /// The byte ranges [`Sources::mask`] starred (literal credentials), in the order masked: a
    /// snippet shows each as a fixed `*****`, so not even the length shows.
    pub masked: Vec<std::ops::Range<usize>>,
    /// Where each line starts, computed the first time a position is asked for: most files of a
    /// large repository never have a diagnostic, so never need it.
    line_starts: std::sync::OnceLock<Vec<usize>>,
}

impl SourceFile {
    pub fn new(path: String, text: String) -> Self {
        SourceFile {
            path,
            text,
            raw_sha256: None,
            raw_len: None,
            sha256: std::sync::OnceLock::new(),
            normalized: false,
            masked: Vec::new(),
            line_starts: std::sync::OnceLock::new(),
        }
    }

    /// Replaces the text once the file has been read and decoded.
    pub fn set_text(&mut self, text: String) {
        self.line_starts = std::sync::OnceLock::new();
        self.sha256 = std::sync::OnceLock::new();
        self.text = text;
    }

    /// Records what only the raw bytes tell: their hash (for provenance) and whether decoding
    /// drops a byte-order mark or CRLF line ends (which `fmt` then writes out). The hash is
    /// taken now only when decoding changes the bytes; otherwise the text is the bytes, hashed
    /// when [`SourceFile::sha256`] is first asked: `check` never asks, and hashing every byte of
    /// a hostile 8 MiB file cost more than refusing it at its first node over a limit.
    pub fn set_raw(&mut self, bytes: &[u8]) {
        // `contains` is a memchr: most files hold no `\r` at all.
        self.normalized =
            bytes.starts_with(b"\xEF\xBB\xBF") || (bytes.contains(&b'\r') && bytes.windows(2).any(|w| w == b"\r\n"));
        self.sha256 = std::sync::OnceLock::new();
        if self.normalized {
            self.raw_sha256 = Some(crate::hash::hex(bytes));
            self.raw_len = None;
        } else {
            self.raw_sha256 = None;
            self.raw_len = Some(bytes.len());
        }
    }

    /// The sha256 of the file's bytes as read (before BOM and CRLF normalisation), in hex;
    /// `None` when they were not recorded, or could not be decoded (the text is then not the
    /// bytes, and the file has an error, so nothing is built from it).
    pub fn sha256(&self) -> Option<&str> {
        if let Some(hash) = &self.raw_sha256 {
            return Some(hash);
        }
        let unchanged = self.raw_len? == self.text.len();
        unchanged.then(|| self.sha256.get_or_init(|| crate::hash::hex(self.text.as_bytes())).as_str())
    }

    /// 1-based line and column of a byte offset; columns count characters, not bytes. An
    /// offset inside a character is that character's (never a count of bytes).
    pub fn position(&self, offset: usize) -> (usize, usize) {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line_starts = self.line_starts.get_or_init(|| line_starts(&self.text));
        let line = line_starts.partition_point(|&start| start <= offset).max(1);
        // `line_starts` begins with 0, so `line - 1` is an index; each start follows a `\n`,
        // so `start..offset` lies on character boundaries.
        let start = line_starts[line - 1];
        let column = self.text.get(start..offset).map_or(offset - start, |s| s.chars().count());
        (line, column + 1)
    }
}

fn line_starts(text: &str) -> Vec<usize> {
    std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect()
}

/// Every file a command read, addressed by [`FileId`].
#[derive(Debug, Default)]
pub struct Sources {
    /// Shared, so an incremental run takes an unchanged file from its cache without copying it;
    /// the rare change (masking a credential) copies that one file.
    files: Vec<Arc<SourceFile>>,
}

impl Sources {
    pub fn add(&mut self, path: String, text: String) -> FileId {
        let id = FileId::new(self.files.len());
        self.files.push(Arc::new(SourceFile::new(path, text)));
        id
    }

    /// The id the next file added will get, so a file can be read on another thread with the
    /// id its diagnostics will carry.
    pub fn next_id(&self) -> FileId {
        FileId::new(self.files.len())
    }

    /// Adds a file read elsewhere (see [`Sources::next_id`]).
    pub fn push(&mut self, file: SourceFile) -> FileId {
        self.push_shared(Arc::new(file))
    }

    /// [`Sources::push`] for a file another run holds too.
    pub fn push_shared(&mut self, file: Arc<SourceFile>) -> FileId {
        let id = self.next_id();
        self.files.push(file);
        id
    }

    /// The file behind `id`, shared, for a cache to keep.
    pub fn shared(&self, id: FileId) -> Arc<SourceFile> {
        Arc::clone(&self.files[id.index()])
    }

    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id.index()]
    }

    /// Puts `file` in the place of the file behind `id`: an edit read again keeps its id, so
    /// the spans of every other file, and the diagnostics pointing there, stay valid.
    pub fn replace(&mut self, id: FileId, file: SourceFile) {
        if let Some(slot) = self.files.get_mut(id.index()) {
            *slot = Arc::new(file);
        }
    }

    /// Forgets every file from `len` on: the files read last (values and environments) are
    /// read again in the same order and get the same ids.
    pub fn truncate(&mut self, len: usize) {
        self.files.truncate(len);
    }

    /// Replaces a file's text once it has been read and decoded.
    pub fn set_text(&mut self, id: FileId, text: String) {
        Arc::make_mut(&mut self.files[id.index()]).set_text(text);
    }

    /// Overwrites a span's characters with stars, each one as many bytes as the character it
    /// replaces (`*`, or `×`, `∗`, `🞱` for wider ones), so every byte offset, line and column
    /// stays valid and no renderer can ever show what was there: used for literal credentials.
    /// Line breaks are kept, so the lines after the span keep their numbers.
    pub fn mask(&mut self, span: Span) {
        let file = Arc::make_mut(&mut self.files[span.file.index()]);
        let range = span.range();
        if let Some(secret) = file.text.get(range.clone()) {
            let stars: String = secret
                .chars()
                .map(|c| match c.len_utf8() {
                    _ if c == '\n' => '\n',
                    1 => '*',
                    2 => '×',
                    3 => '∗',
                    _ => '🞱',
                })
                .collect();
            file.text.replace_range(range.clone(), &stars);
            file.masked.push(range);
            file.line_starts = std::sync::OnceLock::new();
        }
    }

    /// Prefixes every path, so files read from a git revision print as `REV:path`.
    pub fn prefix_paths(&mut self, prefix: &str) {
        for file in self.files.iter_mut().map(Arc::make_mut) {
            file.path.insert_str(0, prefix);
        }
    }

    /// Appends every file of `other`, each path as `rename` gives it (`services/mysql/` put
    /// before it), and returns how many files came before them: the amount to shift `other`'s
    /// diagnostics by ([`crate::diagnostic::Diagnostic::shift_files`]).
    pub fn append(&mut self, other: &Sources, rename: impl Fn(&str) -> String) -> usize {
        let before = self.files.len();
        for file in &other.files {
            let mut file = Arc::clone(file);
            let path = rename(&file.path);
            if path != file.path {
                Arc::make_mut(&mut file).path = path;
            }
            self.files.push(file);
        }
        before
    }

    /// See [`SourceFile::set_raw`].
    pub fn set_raw(&mut self, id: FileId, bytes: &[u8]) {
        Arc::make_mut(&mut self.files[id.index()]).set_raw(bytes);
    }

    /// Sorts diagnostics into the one stable report order (see [`crate::diagnostic::sort`]).
    pub fn sort(&self, diagnostics: &mut Vec<crate::diagnostic::Diagnostic>) {
        crate::diagnostic::sort(diagnostics, |id| self.get(id).path.as_str());
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files.iter().enumerate().map(|(i, f)| (FileId::new(i), &**f))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_position_inside_a_character_is_that_characters() {
        let file = SourceFile::new("x".into(), "ab\n日本語x".into());
        assert_eq!(file.position(3 + 3), (2, 2), "on 本");
        assert_eq!(file.position(3 + 4), (2, 2), "inside 本: still its column, not a byte count");
        assert_eq!(file.position(3 + 9), (2, 4));
        assert_eq!(file.position(999), (2, 5));
    }

    #[test]
    fn masking_keeps_line_breaks() {
        let mut sources = Sources::default();
        let id = sources.add("v.yaml".into(), "a: |\n  s3cr3t\n  é\nb: 1\n".into());
        sources.mask(Span::new(id, 3..18));
        assert_eq!(sources.get(id).text, "a: *\n********\n**×\nb: 1\n");
        assert_eq!(sources.get(id).position(19), (4, 1));
    }
}
