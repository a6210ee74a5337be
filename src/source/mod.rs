//! Everything rulesctl reads, as root-relative files with positions: discovery, loading, limits.

mod files;
pub mod git;
pub mod limits;
pub mod root;
pub mod rules;
mod sizes;
pub mod store;
pub mod text;
pub mod tree;

pub use files::{SourceFile, Sources};
pub use limits::Limits;
pub use text::decode;
pub use tree::{Overlay, Tree, WorkTree};

/// The codes this layer declares: files that cannot be read or decoded.
pub static CODES: &[&crate::diagnostic::Code] = &[
    &rules::UNREADABLE,
    &text::NOT_UTF8,
    &text::NUL_BYTE,
    &rules::TOO_LARGE,
    &rules::SYMLINK_OUTSIDE,
    &rules::NOT_A_FILE,
    &rules::NO_RULES,
    &rules::EMPTY_FILE,
    &rules::TOO_MANY_FILES,
];
