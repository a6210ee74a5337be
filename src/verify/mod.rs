//! Verifying what `build` writes, each file recognised by what it is: an artifact (recompute the
//! digest, every Merkle leaf and the root, require the exact bytes its ruleset compiles to, and
//! compare with the `.sha256` line and the provenance statement beside it), a `.sha256` file
//! (each line against the file it names), a provenance statement (each subject against the file
//! of that name), a Rust or WebAssembly module (rebuilt from its own canonical bytes). Pure: the
//! caller reads the files, and hands over a reader for the files beside them.

mod artifact;
mod checksum;
mod module;
mod statement;

use crate::artifact::provenance;
use crate::diagnostic::declare_code;
use crate::diagnostic::Sink;
use crate::source::Sources;

declare_code! {
    /// An artifact's `digest` does not match its ruleset.
    ///
    /// The digest is `sha256:` over the canonical JSON of the `ruleset` section. A mismatch
    /// means the ruleset was edited after the build, or the file is corrupted; a sidecar must not
    /// load it.
    ///
    /// Fix: rebuild the artifact from the rules with `rulesctl build`; never edit it by hand.
    pub static DIGEST_MISMATCH = ("V001", "digest-mismatch", Error);
}

declare_code! {
    /// An artifact's Merkle tree does not match its ruleset.
    ///
    /// Every section (spawn region, loot table, event stream, `event_timers`,
    /// `safety_bounds`) has a leaf hash, and the root hashes them all. A mismatch names the
    /// section whose content no longer matches its recorded hash.
    ///
    /// Fix: rebuild the artifact with `rulesctl build`.
    pub static MERKLE_MISMATCH = ("V002", "merkle-mismatch", Error);
}

declare_code! {
    /// An artifact does not match its `.sha256` checksum file.
    ///
    /// `rulesctl build` writes `ruleset-<version>.json.sha256` (and `.wasm.sha256` for the
    /// WebAssembly module) in the format `sha256sum -c` reads. `verify` checks the line beside the
    /// file it verifies, and a `.sha256` file given on its own line by line, each against the
    /// file it names beside it. A mismatch means one of the two files changed after the build; a
    /// line that is not `<64 hex digits>  <file name>`, or names a file that is not there, is
    /// reported at that line.
    ///
    /// Fix: rebuild, or restore both files from the same build.
    pub static CHECKSUM_MISMATCH = ("V003", "checksum-mismatch", Error);
}

declare_code! {
    /// A file is not a valid rulesctl artifact.
    ///
    /// It is not JSON, lacks the `apiVersion`, `kind`, `version`, `digest`, `ruleset` or
    /// `merkle` fields, names a version other than its ruleset's, is not byte-for-byte in the
    /// canonical form `rulesctl build` writes (so it was reformatted or edited), or holds
    /// anything else than what its ruleset compiles to: an artifact is a function of its ruleset
    /// alone. An artifact written by an earlier rulesctl carries a `provenance` key; provenance now
    /// lives beside the artifact, in `ruleset-<version>.provenance.json`.
    ///
    /// Fix: rebuild the artifact with `rulesctl build` (an artifact of the same ruleset is
    /// rewritten in place; its digest does not change).
    pub static NOT_AN_ARTIFACT = ("V004", "not-an-artifact", Error);
}

declare_code! {
    /// A Rust or WebAssembly module is not exactly what its canonical ruleset compiles to.
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
    /// A `.wasm` module from `rulesctl build --emit wasm` is checked the same way: its canonical
    /// bytes are read out of its data, the module is rebuilt from them, and the first part that
    /// differs is named (a section, an export, a function's code, a data segment such as
    /// `nodes`), at its byte offset. A file that is not WebAssembly, or is truncated, is reported
    /// at the byte where reading stopped.
    ///
    /// Fix: rebuild the module with `rulesctl build --emit rust` (or `--emit wasm`); never edit
    /// it by hand.
    pub static MODULE_MISMATCH = ("V005", "module-mismatch", Error);
}

declare_code! {
    /// A provenance statement does not describe the artifact beside it.
    ///
    /// `rulesctl build` writes `ruleset-<version>.provenance.json` next to the artifact: an in-toto
    /// Statement v1 (`_type` `https://in-toto.io/Statement/v1`) with an SLSA provenance v1
    /// predicate (`predicateType` `https://slsa.dev/provenance/v1`, `buildType`
    /// `https://rulesctl.dev/build/v1`) whose one subject is the artifact: its file name and the
    /// sha256 of its bytes, followed by the WebAssembly module when the build wrote one. `verify`
    /// reports a statement that is not such a statement, or whose subject is another file or
    /// other bytes: the files come from different builds, or one was edited. Given on its own,
    /// the statement is checked subject by subject against the file of that name beside it; a
    /// subject whose file is missing is named.
    ///
    /// Fix: rebuild with `rulesctl build`, or restore both files from the same build.
    pub static PROVENANCE_MISMATCH = ("V006", "provenance-mismatch", Error);
}

/// The codes this module declares.
pub static CODES: &[&crate::diagnostic::Code] =
    &[&DIGEST_MISMATCH, &MERKLE_MISMATCH, &CHECKSUM_MISMATCH, &NOT_AN_ARTIFACT, &MODULE_MISMATCH, &PROVENANCE_MISMATCH];

/// What a file is, as `verify` recognises it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `ruleset-<version>.json`.
    Artifact,
    /// A `.sha256` file, in the format `sha256sum -c` reads.
    Checksums,
    /// `ruleset-<version>.provenance.json`, an in-toto statement.
    Statement,
    /// `ruleset-<version>.rs` from `build --emit rust`.
    Rust,
    /// `ruleset-<version>.wasm` from `build --emit wasm`.
    Wasm,
}

impl Kind {
    /// Recognises a file by its name and, where the name does not settle it, its bytes: a
    /// WebAssembly binary starts with `\0asm`, a statement has an in-toto `_type`.
    pub fn of(name: &str, bytes: &[u8]) -> Kind {
        if name.ends_with(".sha256") {
            Kind::Checksums
        } else if name.ends_with(".rs") {
            Kind::Rust
        } else if name.ends_with(".wasm") || bytes.starts_with(b"\0asm") {
            Kind::Wasm
        } else if name.ends_with(".provenance.json") || statement::looks_like_one(bytes) {
            Kind::Statement
        } else {
            Kind::Artifact
        }
    }

    /// The name `--format json` gives it.
    pub fn id(self) -> &'static str {
        match self {
            Kind::Artifact => "artifact",
            Kind::Checksums => "sha256",
            Kind::Statement => "provenance",
            Kind::Rust => "rust",
            Kind::Wasm => "wasm",
        }
    }
}

/// A file beside the one verified, as the caller read it: the path to show, and its bytes,
/// `None` when there is no such file, or why it could not be read.
pub struct Sibling {
    pub shown: String,
    pub bytes: Option<Result<Vec<u8>, String>>,
}

/// Reads the file of a name beside the one verified.
pub type Beside<'a> = &'a dyn Fn(&str) -> Sibling;

/// The outcome of a verification.
pub struct Verified {
    pub kind: Kind,
    pub sources: Sources,
    pub diagnostics: Sink,
    /// What was proven, when everything matched.
    pub ok: Option<Proof>,
}

/// What a successful verification proved.
pub enum Proof {
    /// An artifact or a module: what its canonical ruleset hashes to, and what the provenance
    /// statement beside an artifact says, when there is one.
    Ruleset { digest: String, root: String, sections: usize, provenance: Option<(String, provenance::Summary)> },
    /// A `.sha256` file: the files whose digests matched, in its order.
    Checksums(Vec<String>),
    /// A provenance statement: the subjects whose digests matched, and what it says of the build.
    Statement { subjects: Vec<String>, summary: provenance::Summary },
}

/// Verifies the file `bytes`, named `name` and shown as `shown`, as whatever it is (see
/// [`Kind::of`]); `beside` reads the files next to it (its `.sha256`, its provenance statement,
/// the files a `.sha256` or a statement names).
pub fn file(shown: &str, name: &str, bytes: Vec<u8>, beside: Beside<'_>) -> Verified {
    match Kind::of(name, &bytes) {
        Kind::Artifact => artifact::verify(shown, name, bytes, beside),
        Kind::Checksums => checksum::alone(shown, bytes, beside),
        Kind::Statement => statement::alone(shown, name, bytes, beside),
        Kind::Rust => module::rust(shown, name, bytes),
        Kind::Wasm => module::wasm(shown, name, bytes, beside),
    }
}

/// Whether `name` is a plain file name, so the file it names is beside the one naming it: no
/// folder, no `..`, nothing empty.
fn plain_name(name: &str) -> bool {
    !name.is_empty() && name != "." && name != ".." && !name.contains(['/', '\\', '\0'])
}

impl Proof {
    /// What a canonical ruleset that matched proves.
    fn of(compiled: &crate::artifact::compiled::Compiled) -> Proof {
        Proof::Ruleset {
            digest: compiled.digest.clone(),
            root: compiled.root().to_string(),
            sections: compiled.leaves.len(),
            provenance: None,
        }
    }
}
