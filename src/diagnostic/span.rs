//! Places in input files: a file id and a byte range. They live here, below every other layer,
//! so the diagnostic model needs nothing else from the crate.

use std::ops::Range;

/// Index of a file in the run's set of loaded sources.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct FileId(u32);

impl FileId {
    /// The id of the `index`th loaded file; ids past `u32::MAX` saturate (no run reads that many).
    pub fn new(index: usize) -> Self {
        FileId(u32::try_from(index).unwrap_or(u32::MAX))
    }

    pub fn index(self) -> usize {
        self.0 as usize
    }
}

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
