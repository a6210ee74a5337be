//! Verifying an artifact: recompute the digest, every Merkle leaf and the root, require the exact
//! bytes its ruleset compiles to, and compare with the `.sha256` line and the provenance
//! statement written beside it, when there are. Pure: the caller reads the files.

use serde_json::Value;

use crate::artifact::compiled::{Compiled, API_VERSION, KIND};
use crate::artifact::locate::Located;
use crate::artifact::provenance;
use crate::codegen::rust::verify::Kind as RustKind;
use crate::diagnostic::declare_code;
use crate::diagnostic::{Diagnostic, Sink};
use crate::hash;
use crate::source::{FileId, Sources, Span};

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
    /// `rulesctl build` writes `ruleset-<version>.json.sha256` in the format `sha256sum -c`
    /// reads. A mismatch means one of the two files changed after the build.
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
    /// sha256 of its bytes. `verify` reports a statement that is not such a statement, or whose
    /// subject is another file or other bytes: the two files come from different builds, or one
    /// was edited.
    ///
    /// Fix: rebuild with `rulesctl build`, or restore both files from the same build.
    pub static PROVENANCE_MISMATCH = ("V006", "provenance-mismatch", Error);
}

/// The codes this module declares.
pub static CODES: &[&crate::diagnostic::Code] =
    &[&DIGEST_MISMATCH, &MERKLE_MISMATCH, &CHECKSUM_MISMATCH, &NOT_AN_ARTIFACT, &MODULE_MISMATCH, &PROVENANCE_MISMATCH];

/// Verifies a Rust module from `build --emit rust` (`bytes`, named `display`, file name
/// `file_name`): its `CANONICAL` hashes to its `DIGEST`, and it holds exactly the data
/// `CANONICAL` compiles to.
pub fn module(display: &str, file_name: &str, bytes: Vec<u8>) -> Verified {
    let mut sources = Sources::default();
    let mut sink = Sink::new();
    let id = sources.add(display.to_string(), String::new());
    sources.set_raw(id, &bytes);
    let Ok(text) = String::from_utf8(bytes) else {
        sink.push(
            Diagnostic::new(&MODULE_MISMATCH, Span::file(id), "the module is not UTF-8 text")
                .help("rebuild the module with `rulesctl build --emit rust`"),
        );
        return Verified { sources, diagnostics: sink, ok: None };
    };
    sources.set_text(id, text.clone());
    let (compiled, problems) = crate::codegen::rust::verify::check(&text, file_name);
    for problem in problems {
        let span = Span::new(id, problem.span);
        let rebuild = "the module was changed after the build: rebuild with `rulesctl build --emit rust`";
        sink.push(match problem.kind {
            RustKind::Digest => Diagnostic::new(&DIGEST_MISMATCH, span, problem.message)
                .label("recorded digest")
                .help("`CANONICAL` or `DIGEST` was changed after the build: rebuild with `rulesctl build --emit rust`"),
            RustKind::Merkle => Diagnostic::new(&MERKLE_MISMATCH, span, problem.message).help(rebuild),
            RustKind::Module => Diagnostic::new(&MODULE_MISMATCH, span, problem.message).help(rebuild),
        });
    }
    let ok = compiled.map(|c| Proof {
        digest: c.digest.clone(),
        root: c.root.clone(),
        sections: c.leaves.len(),
        provenance: None,
    });
    Verified { sources, ok: if sink.is_empty() { ok } else { None }, diagnostics: sink }
}

/// Verifies a WebAssembly module from `build --emit wasm` (`bytes`, named `display`, file name
/// `file_name`): its canonical bytes hash to its recorded digest, and it is exactly the module
/// they compile to. A binary has no lines: diagnostics point into a hex dump of the file (16
/// bytes a line, so line `n` holds bytes `16 (n - 1)` onwards), and each message gives the byte.
pub fn wasm_module(display: &str, file_name: &str, bytes: Vec<u8>) -> Verified {
    let mut sources = Sources::default();
    let mut sink = Sink::new();
    let id = sources.add(display.to_string(), String::new());
    sources.set_raw(id, &bytes);
    let (compiled, problems) = crate::codegen::wasm::verify::check(&bytes, file_name);
    if !problems.is_empty() {
        sources.set_text(id, hex_dump(&bytes));
    }
    for problem in problems {
        let span =
            Span::new(id, dump_offset(problem.span.start)..dump_offset(problem.span.end.max(problem.span.start)));
        let rebuild =
            "the module was changed after the build, or is not one: rebuild with `rulesctl build --emit wasm`";
        sink.push(match problem.kind {
            RustKind::Digest => {
                Diagnostic::new(&DIGEST_MISMATCH, span, problem.message).label("recorded digest").help(rebuild)
            }
            RustKind::Merkle => Diagnostic::new(&MERKLE_MISMATCH, span, problem.message).help(rebuild),
            RustKind::Module => Diagnostic::new(&MODULE_MISMATCH, span, problem.message).help(rebuild),
        });
    }
    let ok = compiled.map(|c| Proof {
        digest: c.digest.clone(),
        root: c.root.clone(),
        sections: c.leaves.len(),
        provenance: None,
    });
    Verified { sources, ok: if sink.is_empty() { ok } else { None }, diagnostics: sink }
}

/// Bytes a line in [`hex_dump`], and the width of one line: an 8-digit offset, two spaces, and
/// `xx ` per byte (the last without its space), then a newline.
const DUMP_BYTES: usize = 16;
const DUMP_LINE: usize = 8 + 2 + DUMP_BYTES * 3 - 1 + 1;

/// A binary file as text a report can point into: `00000010  00 61 73 6d …`.
fn hex_dump(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(bytes.len().div_ceil(DUMP_BYTES) * DUMP_LINE);
    for (i, chunk) in bytes.chunks(DUMP_BYTES).enumerate() {
        let _ = write!(out, "{:08x} ", i * DUMP_BYTES);
        for b in chunk {
            let _ = write!(out, " {b:02x}");
        }
        out.push('\n');
    }
    out
}

/// Where byte `offset` of the file is in its [`hex_dump`].
fn dump_offset(offset: usize) -> usize {
    (offset / DUMP_BYTES) * DUMP_LINE + 10 + (offset % DUMP_BYTES) * 3
}

/// The outcome of a verification.
pub struct Verified {
    pub sources: Sources,
    pub diagnostics: Sink,
    /// What was proven, when everything matched.
    pub ok: Option<Proof>,
}

/// What a successful verification proved.
pub struct Proof {
    pub digest: String,
    pub root: String,
    pub sections: usize,
    /// What the provenance statement beside the artifact says, when there is one.
    pub provenance: Option<(String, provenance::Summary)>,
}

/// The files found beside an artifact.
#[derive(Default)]
pub struct Beside<'a> {
    /// The text of its `.sha256` file.
    pub checksum: Option<&'a str>,
    /// Its provenance statement: the name to show and the bytes.
    pub statement: Option<(&'a str, Vec<u8>)>,
}

/// Verifies an artifact's `bytes`, naming it `display` in diagnostics; `file_name` is its file
/// name (which must match its version), and `beside` the `.sha256` file and provenance statement
/// found next to it.
pub fn verify(display: &str, file_name: &str, bytes: Vec<u8>, beside: Beside<'_>) -> Verified {
    let mut sources = Sources::default();
    let mut sink = Sink::new();
    let id = sources.add(display.to_string(), String::new());
    sources.set_raw(id, &bytes);
    let actual = hash::hex(&bytes);
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(_) => {
            sink.push(invalid(id, 0..0, "the artifact is not UTF-8 text"));
            return Verified { sources, diagnostics: sink, ok: None };
        }
    };
    sources.set_text(id, text.clone());
    let located = match Located::parse(&text) {
        Ok(located) => located,
        Err(err) => {
            let offset = crate::parse::json::error_offset(&sources.get(id).text, err.line(), err.column());
            sink.push(invalid(id, offset..offset, &format!("the artifact is not valid JSON: {err}")));
            return Verified { sources, diagnostics: sink, ok: None };
        }
    };
    let checksum = beside.checksum.map(|line| (line, actual.as_str()));
    let mut ok = check(id, file_name, &located, checksum, &mut sink);
    if let Some((shown, statement)) = beside.statement {
        let summary = check_statement(&mut sources, shown, statement, file_name, &actual, &mut sink);
        if let (Some(proof), Some(summary)) = (ok.as_mut(), summary) {
            proof.provenance = Some((shown.to_string(), summary));
        }
    }
    Verified { sources, ok: if sink.is_empty() { ok } else { None }, diagnostics: sink }
}

/// Checks the provenance statement `bytes` (shown as `display`) against the artifact file
/// `file_name` whose bytes hash to `actual`; V006 for each problem.
fn check_statement(
    sources: &mut Sources,
    display: &str,
    bytes: Vec<u8>,
    file_name: &str,
    actual: &str,
    sink: &mut Sink,
) -> Option<provenance::Summary> {
    let id = sources.add(display.to_string(), String::new());
    sources.set_raw(id, &bytes);
    let mismatch = |range: std::ops::Range<usize>, message: String| {
        Diagnostic::new(&PROVENANCE_MISMATCH, Span::new(id, range), message)
            .help("the statement and the artifact come from different builds: rebuild with `rulesctl build`, or restore both from one build")
    };
    let Ok(text) = String::from_utf8(bytes) else {
        sink.push(mismatch(0..0, "the provenance statement is not UTF-8 text".to_string()));
        return None;
    };
    sources.set_text(id, text.clone());
    let located = match Located::parse(&text) {
        Ok(located) => located,
        Err(err) => {
            let offset = crate::parse::json::error_offset(&sources.get(id).text, err.line(), err.column());
            sink.push(mismatch(offset..offset, format!("the provenance statement is not valid JSON: {err}")));
            return None;
        }
    };
    match provenance::check(&located.value, file_name, actual) {
        Ok(summary) => Some(summary),
        Err(problems) => {
            for problem in problems {
                sink.push(mismatch(located.span(&problem.pointer), problem.message));
            }
            None
        }
    }
}

fn check(id: FileId, file_name: &str, a: &Located, checksum: Option<(&str, &str)>, sink: &mut Sink) -> Option<Proof> {
    let at = |pointer: &str| Span::new(id, a.span(pointer));
    if !a.canonical {
        sink.push(invalid(
            id,
            0..0,
            "the artifact is not in the canonical form `rulesctl build` writes; it was reformatted or edited",
        ));
    }
    if a.str("/apiVersion") != Some(API_VERSION) || a.str("/kind") != Some(KIND) {
        sink.push(invalid(
            id,
            0..0,
            &format!("not a rulesctl artifact: expected apiVersion {API_VERSION} and kind {KIND}"),
        ));
        return None;
    }
    let Some(ruleset) = a.value.get("ruleset").filter(|r| r.is_object()) else {
        sink.push(invalid(id, 0..0, "the artifact has no `ruleset` object"));
        return None;
    };
    let compiled = Compiled::new(ruleset.clone());
    let version = a.str("/version").unwrap_or_default();
    if version != compiled.version() {
        sink.push(invalid(
            id,
            at("/version").range(),
            &format!("`version` is {version:?} but the ruleset says {:?}", compiled.version()),
        ));
    }
    if file_name != crate::artifact::compiled::file_name(compiled.version()) && file_name.starts_with("ruleset-") {
        sink.push(invalid(
            id,
            at("/version").range(),
            &format!("the file is named {file_name} but holds version {}", compiled.version()),
        ));
    }
    let recorded = a.str("/digest").unwrap_or_default();
    if recorded != compiled.digest {
        sink.push(
            Diagnostic::new(
                &DIGEST_MISMATCH,
                at("/digest"),
                format!("the digest says {recorded}, but the ruleset hashes to {}", compiled.digest),
            )
            .label("recorded digest")
            .help("the ruleset was changed after the build: rebuild with `rulesctl build`"),
        );
    }
    merkle(id, a, &compiled, sink);
    if sink.is_empty() {
        exactly_compiled(id, a, &compiled, sink);
    }
    if let Some((line, actual)) = checksum {
        checksum_line(id, line, actual, sink);
    }
    Some(Proof {
        digest: compiled.digest.clone(),
        root: compiled.root.clone(),
        sections: compiled.leaves.len(),
        provenance: None,
    })
}

/// An artifact whose digest and Merkle tree match is still only valid when it holds exactly what
/// its ruleset compiles to: nothing added (a `provenance` key from rulesctl 0.1.0, a note), nothing
/// changed outside what the digest and the tree cover (`merkle.algorithm`).
fn exactly_compiled(id: FileId, a: &Located, compiled: &Compiled, sink: &mut Sink) {
    let expected = compiled.artifact();
    let (Some(found), Some(wanted)) = (a.value.as_object(), expected.as_object()) else { return };
    let extra: Vec<&String> = found.keys().filter(|k| !wanted.contains_key(*k)).collect();
    for key in &extra {
        let hint = if key.as_str() == "provenance" {
            " (an earlier rulesctl wrote it; provenance now lives beside the artifact, in ruleset-<version>.provenance.json)"
        } else {
            ""
        };
        sink.push(invalid(
            id,
            a.span(&format!("/{key}")),
            &format!("the artifact holds `{key}`, which is not part of a ruleset artifact{hint}"),
        ));
    }
    if extra.is_empty() && a.value != expected {
        let pointer = first_difference(&a.value, &expected, String::new());
        sink.push(invalid(id, a.span(&pointer), &format!("`{pointer}` is not what the ruleset compiles to")));
    }
}

/// The JSON pointer of the first place where `found` departs from `wanted`.
fn first_difference(found: &Value, wanted: &Value, at: String) -> String {
    match (found, wanted) {
        (Value::Object(f), Value::Object(w)) => {
            let keys: std::collections::BTreeSet<&String> = f.keys().chain(w.keys()).collect();
            keys.into_iter().find(|k| f.get(*k) != w.get(*k)).map_or(at.clone(), |k| match (f.get(k), w.get(k)) {
                (Some(a), Some(b)) => first_difference(a, b, format!("{at}/{k}")),
                _ => format!("{at}/{k}"),
            })
        }
        (Value::Array(f), Value::Array(w)) if f.len() == w.len() => f
            .iter()
            .zip(w)
            .position(|(a, b)| a != b)
            .map_or(at.clone(), |i| first_difference(&f[i], &w[i], format!("{at}/{i}"))),
        _ => at,
    }
}

fn merkle(id: FileId, a: &Located, compiled: &Compiled, sink: &mut Sink) {
    let recorded: Vec<(String, String)> = a
        .value
        .pointer("/merkle/leaves")
        .and_then(Value::as_array)
        .map(|leaves| leaves.iter().map(|l| (str_at(l, "section"), str_at(l, "hash"))).collect())
        .unwrap_or_default();
    for (i, (section, hash)) in compiled.leaves.iter().enumerate() {
        let found = recorded.iter().position(|(s, _)| s == section);
        let pointer = format!("/merkle/leaves/{}/hash", found.unwrap_or(i));
        match found.map(|j| &recorded[j].1) {
            Some(h) if h == hash => {}
            Some(h) => sink.push(
                Diagnostic::new(
                    &MERKLE_MISMATCH,
                    Span::new(id, a.span(&pointer)),
                    format!("section `{section}` hashes to {hash}, but its leaf says {h}"),
                )
                .label("recorded leaf hash")
                .help("the section was changed after the build: rebuild with `rulesctl build`"),
            ),
            None => sink.push(
                Diagnostic::new(
                    &MERKLE_MISMATCH,
                    Span::new(id, a.span("/merkle/leaves")),
                    format!("section `{section}` has no Merkle leaf"),
                )
                .help("rebuild with `rulesctl build`"),
            ),
        }
    }
    for (section, _) in recorded.iter().filter(|(s, _)| !compiled.leaves.iter().any(|(c, _)| c == s)) {
        sink.push(
            Diagnostic::new(
                &MERKLE_MISMATCH,
                Span::new(id, a.span("/merkle/leaves")),
                format!("the Merkle tree has a leaf for `{section}`, which the ruleset does not have"),
            )
            .help("rebuild with `rulesctl build`"),
        );
    }
    let root = a.str("/merkle/root").unwrap_or_default();
    if root != compiled.root {
        sink.push(
            Diagnostic::new(
                &MERKLE_MISMATCH,
                Span::new(id, a.span("/merkle/root")),
                format!("the Merkle root says {root}, but the sections give {}", compiled.root),
            )
            .label("recorded root")
            .help("rebuild with `rulesctl build`"),
        );
    }
}

fn str_at(v: &Value, key: &str) -> String {
    v.get(key).and_then(Value::as_str).unwrap_or_default().to_string()
}

/// Compares the artifact's hash with the first word of its `.sha256` line.
fn checksum_line(id: FileId, line: &str, actual: &str, sink: &mut Sink) {
    let recorded = line.split_whitespace().next().unwrap_or_default();
    if recorded != actual {
        sink.push(
            Diagnostic::new(
                &CHECKSUM_MISMATCH,
                Span::file(id),
                format!("the file hashes to {actual}, but its .sha256 file says {recorded}"),
            )
            .help("one of the two files changed after the build: rebuild, or restore both from the same build"),
        );
    }
}

fn invalid(id: FileId, span: std::ops::Range<usize>, message: &str) -> Diagnostic {
    Diagnostic::new(&NOT_AN_ARTIFACT, Span::new(id, span), message).help("rebuild the artifact with `rulesctl build`")
}
