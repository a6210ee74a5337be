//! Everything rulesctl reads, as root-relative files with positions: discovery, loading, limits.

mod files;
pub mod git;
pub mod root;
pub mod rules;
pub mod text;
pub mod tree;

pub use files::{FileId, SourceFile, Sources, Span};
pub use text::decode;
pub use tree::{Tree, WorkTree};
