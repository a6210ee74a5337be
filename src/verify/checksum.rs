//! `.sha256` files, in the format `sha256sum -c` reads: each line a digest, two spaces (or a
//! space and `*`) and the name of a file beside it.

use std::ops::Range;

use crate::diagnostic::{Diagnostic, FileId, Sink, Span};
use crate::hash;
use crate::source::Sources;
use crate::verify::{plain_name, Beside, Kind, Proof, Verified, CHECKSUM_MISMATCH};

const HELP: &str = "one of the two files changed after the build: rebuild, or restore both from the same build";

/// One checksum line: the digest (lowercase hex) and the file name, each with its span.
struct Line {
    digest: String,
    digest_span: Range<usize>,
    name: String,
    name_span: Range<usize>,
}

/// The lines of a `.sha256` file; a line that is not a checksum line is its span. Empty lines
/// are skipped, as `sha256sum -c` skips them.
fn parse(text: &str) -> Vec<Result<Line, Range<usize>>> {
    let mut lines = Vec::new();
    let mut start = 0;
    for raw in text.split_inclusive('\n') {
        let line = raw.trim_end_matches(['\n', '\r']);
        let at = start;
        start += raw.len();
        if line.is_empty() {
            continue;
        }
        let digest = line.get(..64).filter(|d| d.bytes().all(|b| b.is_ascii_hexdigit()));
        let name = line.get(64..).and_then(|rest| rest.strip_prefix("  ").or_else(|| rest.strip_prefix(" *")));
        lines.push(match (digest, name) {
            (Some(digest), Some(name)) if !name.is_empty() => Ok(Line {
                digest: digest.to_ascii_lowercase(),
                digest_span: at..at + 64,
                name: name.to_string(),
                name_span: at + 66..at + line.len(),
            }),
            _ => Err(at..at + line.len()),
        });
    }
    lines
}

/// Adds the `.sha256` file `bytes` to `sources` as `shown`; its text when it is UTF-8.
fn add(sources: &mut Sources, shown: &str, bytes: &[u8]) -> (FileId, Option<String>) {
    let id = sources.add(shown.to_string(), String::new());
    sources.set_raw(id, bytes);
    let text = String::from_utf8(bytes.to_vec()).ok();
    if let Some(text) = &text {
        sources.set_text(id, text.clone());
    }
    (id, text)
}

fn mismatch(span: Span, message: String) -> Diagnostic {
    Diagnostic::new(&CHECKSUM_MISMATCH, span, message).help(HELP)
}

/// The one diagnostic for a line whose digest is not the file's, whichever file was verified.
fn wrong_digest(id: FileId, line: &Line, actual: &str) -> Diagnostic {
    mismatch(
        Span::new(id, line.digest_span.clone()),
        format!("`{}` hashes to {actual}, but its .sha256 line says {}", line.name, line.digest),
    )
    .label("recorded digest")
}

fn not_a_line(id: FileId, span: Range<usize>) -> Diagnostic {
    mismatch(
        Span::new(id, span),
        "this is not a checksum line: `sha256sum -c` reads `<64 hex digits>  <file name>`".to_string(),
    )
}

/// Checks the `.sha256` file beside a verified file (`bytes`, shown as `shown`, or why it could
/// not be read): its line for the file `target` (id, file name, sha256 hex) holds that digest.
pub fn beside(
    sources: &mut Sources,
    shown: &str,
    bytes: Result<Vec<u8>, String>,
    target: (FileId, &str, &str),
    sink: &mut Sink,
) {
    let (target_id, name, actual) = target;
    let bytes = match bytes {
        Ok(bytes) => bytes,
        Err(why) => {
            let id = sources.add(shown.to_string(), String::new());
            sink.push(mismatch(Span::file(id), format!("the .sha256 file cannot be read: {why}")));
            return;
        }
    };
    let (id, text) = add(sources, shown, &bytes);
    let Some(text) = text else {
        sink.push(mismatch(Span::file(id), "the .sha256 file is not UTF-8 text".to_string()));
        return;
    };
    let mut named = false;
    for line in parse(&text) {
        match line {
            Err(span) => sink.push(not_a_line(id, span)),
            Ok(line) if line.name == name => {
                named = true;
                if line.digest != actual {
                    sink.push(wrong_digest(id, &line, actual).related(Span::file(target_id), "the file it names"));
                }
            }
            Ok(_) => {}
        }
    }
    if !named {
        sink.push(mismatch(Span::new(id, 0..0), format!("the .sha256 file has no line for `{name}`")));
    }
}

/// Verifies a `.sha256` file on its own: every line's digest against the file it names, read
/// beside it.
pub fn alone(shown: &str, bytes: Vec<u8>, beside: Beside<'_>) -> Verified {
    let mut sources = Sources::default();
    let mut sink = Sink::new();
    let (id, text) = add(&mut sources, shown, &bytes);
    let mut matched = Vec::new();
    match text {
        None => sink.push(mismatch(Span::file(id), "the .sha256 file is not UTF-8 text".to_string())),
        Some(text) => {
            let lines = parse(&text);
            if lines.is_empty() {
                sink.push(mismatch(Span::new(id, 0..0), "the .sha256 file holds no checksum line".to_string()));
            }
            for line in lines {
                let line = match line {
                    Ok(line) => line,
                    Err(span) => {
                        sink.push(not_a_line(id, span));
                        continue;
                    }
                };
                let at = Span::new(id, line.name_span.clone());
                if !plain_name(&line.name) {
                    sink.push(mismatch(
                        at,
                        format!("`{}` is not a file name: a .sha256 file names files beside it", line.name),
                    ));
                    continue;
                }
                let file = beside(&line.name);
                match file.bytes {
                    Some(Ok(bytes)) if hash::hex(&bytes) == line.digest => matched.push(line.name),
                    Some(Ok(bytes)) => sink.push(wrong_digest(id, &line, &hash::hex(&bytes))),
                    Some(Err(why)) => sink.push(mismatch(at, format!("`{}` cannot be read: {why}", line.name))),
                    None => sink.push(mismatch(
                        at,
                        format!(
                            "the .sha256 file names `{}`, which is not beside it: `{}` does not exist",
                            line.name, file.shown
                        ),
                    )),
                }
            }
        }
    }
    let ok = sink.is_empty().then_some(Proof::Checksums(matched));
    Verified { kind: Kind::Checksums, sources, diagnostics: sink, ok }
}
