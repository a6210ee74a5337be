//! Provenance statements, `ruleset-<version>.provenance.json`: checked beside the artifact it
//! describes, beside the WebAssembly module it lists, or on its own against every file it names.

use std::ops::Range;

use serde_json::Value;

use crate::artifact::locate::Located;
use crate::artifact::provenance;
use crate::diagnostic::{Diagnostic, FileId, Sink, Span};
use crate::hash;
use crate::source::Sources;
use crate::verify::{plain_name, Beside, Kind, Proof, Verified, PROVENANCE_MISMATCH};

const HELP: &str = "the statement and the files it names come from different builds: rebuild with `rulesctl build`, or restore them all from one build";

/// Whether `bytes` are JSON with an in-toto `_type`, so a statement is recognised whatever its
/// file is called.
pub fn looks_like_one(bytes: &[u8]) -> bool {
    serde_json::from_slice::<Value>(bytes).is_ok_and(|v| {
        v.get("_type").and_then(Value::as_str).is_some_and(|t| t.starts_with("https://in-toto.io/Statement/"))
    })
}

fn mismatch(id: FileId, range: Range<usize>, message: String) -> Diagnostic {
    Diagnostic::new(&PROVENANCE_MISMATCH, Span::new(id, range), message).help(HELP)
}

/// Adds the statement (`bytes` shown as `shown`, or why it could not be read) to `sources` and
/// parses it; V006 when it cannot be read, is not UTF-8 or is not JSON.
fn load(
    sources: &mut Sources,
    shown: &str,
    bytes: Result<Vec<u8>, String>,
    sink: &mut Sink,
) -> Option<(FileId, Located)> {
    let id = sources.add(shown.to_string(), String::new());
    let bytes = match bytes {
        Ok(bytes) => bytes,
        Err(why) => {
            sink.push(mismatch(id, 0..0, format!("the provenance statement cannot be read: {why}")));
            return None;
        }
    };
    sources.set_raw(id, &bytes);
    let Ok(text) = String::from_utf8(bytes) else {
        sink.push(mismatch(id, 0..0, "the provenance statement is not UTF-8 text".to_string()));
        return None;
    };
    sources.set_text(id, text.clone());
    match Located::parse(&text) {
        Ok(located) => Some((id, located)),
        Err(err) => {
            let offset = crate::parse::json::error_offset(&sources.get(id).text, err.line(), err.column());
            sink.push(mismatch(id, offset..offset, format!("the provenance statement is not valid JSON: {err}")));
            None
        }
    }
}

/// Checks the provenance statement beside the artifact file `file_name`, whose bytes hash to
/// `actual`: V006 for each problem. Returns what it says of the build when it matches.
pub fn beside(
    sources: &mut Sources,
    shown: &str,
    bytes: Result<Vec<u8>, String>,
    file_name: &str,
    actual: &str,
    sink: &mut Sink,
) -> Option<provenance::Summary> {
    let (id, located) = load(sources, shown, bytes, sink)?;
    match provenance::check(&located.value, file_name, actual) {
        Ok(summary) => Some(summary),
        Err(problems) => {
            for problem in problems {
                sink.push(mismatch(id, located.span(&problem.pointer), problem.message));
            }
            None
        }
    }
}

/// Checks the provenance statement beside the WebAssembly module `file_name`, whose bytes hash to
/// `actual`: when the statement lists the module, its digest must be the module's. (A statement
/// of a build without `--emit wasm` does not list it; the module proves itself.)
pub fn module_subject(
    sources: &mut Sources,
    shown: &str,
    bytes: Result<Vec<u8>, String>,
    file_name: &str,
    actual: &str,
    sink: &mut Sink,
) {
    let Some((id, located)) = load(sources, shown, bytes, sink) else { return };
    let subjects = located.value.get("subject").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
    for (i, subject) in subjects.iter().enumerate() {
        if subject.get("name").and_then(Value::as_str) != Some(file_name) {
            continue;
        }
        let recorded = subject.pointer("/digest/sha256").and_then(Value::as_str).unwrap_or_default();
        if recorded != actual {
            let pointer = format!("/subject/{i}/digest/sha256");
            sink.push(mismatch(id, located.span(&pointer), provenance::subject_mismatch(file_name, recorded, actual)));
        }
    }
}

/// Verifies a provenance statement on its own (`bytes`, file name `name`, shown as `shown`): it
/// is a statement `rulesctl build` writes, about the artifact its name says
/// (`ruleset-v2.4.1.provenance.json` → `ruleset-v2.4.1.json`), and every subject's digest is
/// that of the file of that name beside it.
pub fn alone(shown: &str, name: &str, bytes: Vec<u8>, beside: Beside<'_>) -> Verified {
    let mut sources = Sources::default();
    let mut sink = Sink::new();
    let Some((id, located)) = load(&mut sources, shown, Ok(bytes), &mut sink) else {
        return Verified { kind: Kind::Statement, sources, diagnostics: sink, ok: None };
    };
    let statement = &located.value;
    let at = |pointer: &str| located.span(pointer);
    for problem in provenance::type_problems(statement) {
        sink.push(mismatch(id, at(&problem.pointer), problem.message));
    }
    let first = statement.pointer("/subject/0/name").and_then(Value::as_str).unwrap_or_default();
    let artifact = name.strip_suffix(".provenance.json").map_or_else(|| first.to_string(), |s| format!("{s}.json"));
    let subjects = provenance::subjects(statement, &artifact).unwrap_or_else(|problem| {
        sink.push(mismatch(id, at(&problem.pointer), problem.message));
        Vec::new()
    });
    if subjects.first().is_some_and(|s| s.name != artifact) {
        let message = format!("the statement is about `{first}`, not `{artifact}`");
        sink.push(mismatch(id, at("/subject/0/name"), message));
    }
    let mut matched = Vec::new();
    for subject in &subjects {
        let name_at = at(&format!("{}/name", subject.pointer));
        if !plain_name(&subject.name) {
            let message = format!("the statement's subject `{}` is not a file name beside it", subject.name);
            sink.push(mismatch(id, name_at, message));
            continue;
        }
        let file = beside(&subject.name);
        match file.bytes {
            Some(Ok(bytes)) => {
                let actual = hash::hex(&bytes);
                if actual == subject.sha256 {
                    matched.push(subject.name.clone());
                } else {
                    let pointer = format!("{}/digest/sha256", subject.pointer);
                    let message = provenance::subject_mismatch(&subject.name, &subject.sha256, &actual);
                    sink.push(mismatch(id, at(&pointer), message));
                }
            }
            Some(Err(why)) => {
                sink.push(mismatch(
                    id,
                    name_at,
                    format!("the statement's subject `{}` cannot be read: {why}", subject.name),
                ));
            }
            None => sink.push(mismatch(
                id,
                name_at,
                format!("the statement's subject `{}` is not beside it: `{}` does not exist", subject.name, file.shown),
            )),
        }
    }
    let ok = sink.is_empty().then(|| Proof::Statement { subjects: matched, summary: provenance::summary(statement) });
    Verified { kind: Kind::Statement, sources, diagnostics: sink, ok }
}
