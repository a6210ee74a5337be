//! An artifact, `ruleset-<version>.json`: its digest, Merkle tree and exact bytes, and the
//! `.sha256` line and provenance statement beside it.

use serde_json::Value;

use crate::artifact::compiled::{Compiled, API_VERSION, KIND};
use crate::artifact::locate::Located;
use crate::artifact::provenance;
use crate::diagnostic::{Diagnostic, Sink};
use crate::diagnostic::{FileId, Span};
use crate::hash;
use crate::source::Sources;
use crate::verify::{checksum, statement, Beside, Kind, Proof, Verified};
use crate::verify::{DIGEST_MISMATCH, MERKLE_MISMATCH, NOT_AN_ARTIFACT};

/// Verifies an artifact's `bytes`, shown as `shown`; `file_name` is its file name (which must
/// match its version), and `beside` reads the `.sha256` file and provenance statement next to
/// it, each checked when it is there.
pub fn verify(shown: &str, file_name: &str, bytes: Vec<u8>, beside: Beside<'_>) -> Verified {
    let mut sources = Sources::default();
    let mut sink = Sink::new();
    let id = sources.add(shown.to_string(), String::new());
    sources.set_raw(id, &bytes);
    let actual = hash::hex(&bytes);
    let done = |sources, sink: Sink, ok: Option<Proof>| Verified {
        kind: Kind::Artifact,
        sources,
        ok: if sink.is_empty() { ok } else { None },
        diagnostics: sink,
    };
    let Ok(text) = String::from_utf8(bytes) else {
        sink.push(invalid(id, 0..0, "the artifact is not UTF-8 text"));
        return done(sources, sink, None);
    };
    sources.set_text(id, text.clone());
    let located = match Located::parse(&text) {
        Ok(located) => located,
        Err(err) => {
            let offset = crate::parse::json::error_offset(&sources.get(id).text, err.line(), err.column());
            sink.push(invalid(id, offset..offset, &format!("the artifact is not valid JSON: {err}")));
            return done(sources, sink, None);
        }
    };
    let mut ok = check(id, file_name, &located, &mut sink);
    let sums = beside(&format!("{file_name}.sha256"));
    if let Some(bytes) = sums.bytes {
        checksum::beside(&mut sources, &sums.shown, bytes, (id, file_name, &actual), &mut sink);
    }
    let statement_file = beside(&provenance::beside(file_name));
    if let Some(bytes) = statement_file.bytes {
        let shown = statement_file.shown;
        let summary = statement::beside(&mut sources, &shown, bytes, file_name, &actual, &mut sink);
        if let (Some(Proof::Ruleset { provenance, .. }), Some(summary)) = (ok.as_mut(), summary) {
            *provenance = Some((shown, summary));
        }
    }
    done(sources, sink, ok)
}

fn check(id: FileId, file_name: &str, a: &Located, sink: &mut Sink) -> Option<Proof> {
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
    Some(Proof::of(&compiled))
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
    if root != compiled.root() {
        sink.push(
            Diagnostic::new(
                &MERKLE_MISMATCH,
                Span::new(id, a.span("/merkle/root")),
                format!("the Merkle root says {root}, but the sections give {}", compiled.root()),
            )
            .label("recorded root")
            .help("rebuild with `rulesctl build`"),
        );
    }
}

fn str_at(v: &Value, key: &str) -> String {
    v.get(key).and_then(Value::as_str).unwrap_or_default().to_string()
}

fn invalid(id: FileId, span: std::ops::Range<usize>, message: &str) -> Diagnostic {
    Diagnostic::new(&NOT_AN_ARTIFACT, Span::new(id, span), message).help("rebuild the artifact with `rulesctl build`")
}
