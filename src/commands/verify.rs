//! `rulesctl verify ARTIFACT`: recompute the digest, every Merkle leaf and the root, and compare
//! with the `.sha256` file beside the artifact when there is one.

use std::path::Path;

use serde_json::Value;

use crate::declare_code;
use crate::diagnostic::{Diagnostic, Sink};
use crate::emit::artifact::{Compiled, API_VERSION, KIND, MAX_ARTIFACT_BYTES};
use crate::emit::hash;
use crate::emit::locate::Located;
use crate::io::{read_limited, ReadError};
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
    /// `merkle` fields, names a version other than its ruleset's, or is not byte-for-byte in
    /// the canonical form `rulesctl build` writes (so it was reformatted or edited).
    ///
    /// Fix: rebuild the artifact with `rulesctl build`.
    pub static NOT_AN_ARTIFACT = ("V004", "not-an-artifact", Error);
}

/// The outcome of a verification.
pub struct Verified {
    pub sources: Sources,
    pub diagnostics: Sink,
    /// The verified digest and root, when everything matched.
    pub ok: Option<(String, String, usize)>,
    /// Why the file could not be read at all (exit 2).
    pub unreadable: Option<String>,
}

/// Verifies the artifact at `path`, naming it `display` in diagnostics.
pub fn verify(path: &Path, display: &str) -> Verified {
    let mut sources = Sources::default();
    let mut sink = Sink::new();
    let id = sources.add(display.to_string(), String::new());
    let text = match read_limited(path, MAX_ARTIFACT_BYTES) {
        Ok(bytes) => {
            sources.set_sha256(id, &bytes);
            match String::from_utf8(bytes) {
                Ok(text) => text,
                Err(_) => {
                    sink.push(invalid(id, 0..0, "the artifact is not UTF-8 text"));
                    return Verified { sources, diagnostics: sink, ok: None, unreadable: None };
                }
            }
        }
        Err(err) => {
            let message = match err {
                ReadError::Missing => format!("`{display}` does not exist"),
                ReadError::NotAFile(what) => format!("`{display}` is {what}, not a file"),
                ReadError::TooLarge { size, limit } => format!("`{display}` is {size} bytes, over {limit}"),
                ReadError::OutsideRoot => format!("`{display}` cannot be read"),
                ReadError::Io(e) => format!("cannot read `{display}`: {e}"),
            };
            return Verified { sources, diagnostics: sink, ok: None, unreadable: Some(message) };
        }
    };
    sources.set_text(id, text.clone());
    if crate::commands::verify_rust::is_module(path) {
        let ok = crate::commands::verify_rust::check(id, path, &text, &mut sink);
        return Verified { sources, ok: if sink.is_empty() { ok } else { None }, diagnostics: sink, unreadable: None };
    }
    let located = match Located::parse(&text) {
        Ok(located) => located,
        Err(err) => {
            let offset = offset_of(&sources, id, err.line(), err.column());
            sink.push(invalid(id, offset..offset, &format!("the artifact is not valid JSON: {err}")));
            return Verified { sources, diagnostics: sink, ok: None, unreadable: None };
        }
    };
    let ok = check(id, path, &located, &mut sink);
    Verified { sources, ok: if sink.is_empty() { ok } else { None }, diagnostics: sink, unreadable: None }
}

fn check(id: FileId, path: &Path, a: &Located, sink: &mut Sink) -> Option<(String, String, usize)> {
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
    let file_name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    if file_name != crate::emit::artifact::file_name(compiled.version()) && file_name.starts_with("ruleset-") {
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
    checksum_file(id, path, sink);
    Some((compiled.digest.clone(), compiled.root.clone(), compiled.leaves.len()))
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

/// Compares with `<artifact>.sha256` when it exists.
fn checksum_file(id: FileId, path: &Path, sink: &mut Sink) {
    let mut sums = path.as_os_str().to_owned();
    sums.push(".sha256");
    let Ok(line) = std::fs::read_to_string(&sums) else { return };
    let Ok(bytes) = std::fs::read(path) else { return };
    let actual = hash::hex(&bytes);
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

/// The byte offset of a 1-based line and column (characters).
fn offset_of(sources: &Sources, id: FileId, line: usize, column: usize) -> usize {
    let text = &sources.get(id).text;
    let start: usize = text.split_inclusive('\n').take(line.saturating_sub(1)).map(str::len).sum();
    let within = text[start..].char_indices().nth(column.saturating_sub(1)).map_or(0, |(i, _)| i);
    (start + within).min(text.len())
}
