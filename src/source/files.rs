//! The set of loaded files and byte spans into them.

use std::ops::Range;

/// Index of a file in [`Sources`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct FileId(u32);

/// A byte range in one file. An empty range at 0 means "the file as a whole".
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    pub file: FileId,
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(file: FileId, range: Range<usize>) -> Self {
        let clamp = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        Span { file, start: clamp(range.start), end: clamp(range.end.max(range.start)) }
    }

    /// The whole file, for problems that have no better place (a file too large to read).
    pub fn file(file: FileId) -> Self {
        Span { file, start: 0, end: 0 }
    }

    pub fn range(self) -> Range<usize> {
        self.start as usize..self.end as usize
    }
}

/// One input file: its root-relative path (always with `/`) and its text, normalised so that a
/// byte-order mark and CRLF line ends read as if absent.
#[derive(Debug)]
pub struct SourceFile {
    pub path: String,
    pub text: String,
    /// The sha256 of the file's bytes as read (before BOM and CRLF normalisation), in hex.
    pub sha256: Option<String>,
    line_starts: Vec<usize>,
}

impl SourceFile {
    pub fn new(path: String, text: String) -> Self {
        let line_starts = std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect();
        SourceFile { path, text, sha256: None, line_starts }
    }

    /// 1-based line and column of a byte offset; columns count characters, not bytes.
    pub fn position(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.line_starts.partition_point(|&start| start <= offset).max(1);
        let start = self.line_starts[line - 1];
        let column = self.text.get(start..offset).map_or(offset - start, |s| s.chars().count());
        (line, column + 1)
    }
}

/// Every file a command read, addressed by [`FileId`].
#[derive(Debug, Default)]
pub struct Sources {
    files: Vec<SourceFile>,
}

impl Sources {
    pub fn add(&mut self, path: String, text: String) -> FileId {
        let id = FileId(u32::try_from(self.files.len()).unwrap_or(u32::MAX));
        self.files.push(SourceFile::new(path, text));
        id
    }

    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    /// Replaces a file's text once it has been read and decoded.
    pub fn set_text(&mut self, id: FileId, text: String) {
        let file = &mut self.files[id.0 as usize];
        let sha256 = file.sha256.take();
        *file = SourceFile::new(std::mem::take(&mut file.path), text);
        file.sha256 = sha256;
    }

    /// Overwrites a span's bytes with `*` (same length, so every span stays valid), so that no
    /// renderer can ever show what was there: used for literal credentials.
    pub fn mask(&mut self, span: Span) {
        let file = &mut self.files[span.file.0 as usize];
        let range = span.range();
        if let Some(secret) = file.text.get(range.clone()) {
            let stars = "*".repeat(secret.len());
            file.text.replace_range(range, &stars);
        }
    }

    /// Prefixes every path, so files read from a git revision print as `REV:path`.
    pub fn prefix_paths(&mut self, prefix: &str) {
        for file in &mut self.files {
            file.path.insert_str(0, prefix);
        }
    }

    /// Records the hash of a file's raw bytes, for provenance.
    pub fn set_sha256(&mut self, id: FileId, bytes: &[u8]) {
        self.files[id.0 as usize].sha256 = Some(crate::emit::hash::hex(bytes));
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files.iter().enumerate().map(|(i, f)| (FileId(u32::try_from(i).unwrap_or(u32::MAX)), f))
    }
}
