//! The `.rs` half of `rulesctl verify`: a Rust module from `build --emit rust` must hash its
//! `CANONICAL` to its `DIGEST`, and hold exactly the data `CANONICAL` compiles to.

use std::path::Path;

use crate::commands::verify::{DIGEST_MISMATCH, MERKLE_MISMATCH};
use crate::declare_code;
use crate::diagnostic::{Diagnostic, Sink};
use crate::emit::rust::verify::{check as check_module, Kind};
use crate::source::{FileId, Span};

declare_code! {
    /// A Rust module is not exactly what its `CANONICAL` ruleset compiles to.
    ///
    /// `rulesctl build --emit rust` writes `ruleset-<version>.rs` as a function of the canonical
    /// ruleset alone, and keeps those bytes in the module as `CANONICAL`. `verify` rebuilds the
    /// module from `CANONICAL` and compares byte for byte, so a data value, a type, a lookup or a
    /// line that was edited, added or removed is reported at the first line that differs, for
    /// example `SPAWN_CONFIGS` does not match `CANONICAL`: `base_rate: 13,` should be
    /// `base_rate: 12,`. It also fires when the file has no `CANONICAL`, or `CANONICAL` is not
    /// canonical JSON of a ruleset. (A wrong `DIGEST` is `V001`; a wrong Merkle root or leaf is
    /// `V002`.)
    ///
    /// Fix: rebuild the module with `rulesctl build --emit rust`; never edit it by hand.
    pub static MODULE_MISMATCH = ("V005", "module-mismatch", Error);
}

/// Whether `path` names a Rust module rather than a JSON artifact.
pub fn is_module(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "rs")
}

/// Checks module `text` (file `id`); the digest, Merkle root and section count when it passes.
pub fn check(id: FileId, path: &Path, text: &str, sink: &mut Sink) -> Option<(String, String, usize)> {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let (compiled, problems) = check_module(text, &name);
    for problem in problems {
        let span = Span::new(id, problem.span);
        let diagnostic = match problem.kind {
            Kind::Digest => Diagnostic::new(&DIGEST_MISMATCH, span, problem.message)
                .label("recorded digest")
                .help("`CANONICAL` or `DIGEST` was changed after the build: rebuild with `rulesctl build --emit rust`"),
            Kind::Merkle => Diagnostic::new(&MERKLE_MISMATCH, span, problem.message)
                .help("the module was changed after the build: rebuild with `rulesctl build --emit rust`"),
            Kind::Module => Diagnostic::new(&MODULE_MISMATCH, span, problem.message)
                .help("the module was changed after the build: rebuild with `rulesctl build --emit rust`"),
        };
        sink.push(diagnostic);
    }
    compiled.map(|c| (c.digest.clone(), c.root.clone(), c.leaves.len()))
}
