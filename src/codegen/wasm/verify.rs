//! Checking a module: it is a WebAssembly binary, its data holds canonical JSON of a ruleset,
//! its recorded digest is the SHA-256 of those bytes, and every other byte is what they compile
//! to. The module is rebuilt from its own canonical bytes and compared part by part (each
//! section, export, function body and data segment), so a difference is named by the part it is
//! in, at its byte offset in the file.

use std::ops::Range;

use serde_json::Value;

use crate::artifact::canonical;
use crate::artifact::compiled::Compiled;
use crate::codegen::rust::verify::{Kind, Problem};
use crate::codegen::wasm::layout::field;
use crate::codegen::wasm::read::{self, Parsed};
use crate::codegen::wasm::{file_name, module};

const REBUILD: &str = "this is not a module that `rulesctl build --emit wasm` wrote";

fn problem(kind: Kind, span: Range<usize>, message: String) -> Problem {
    Problem { kind, span, message }
}

/// Checks module `bytes` read from a file called `name`. Returns what its canonical bytes compile
/// to (when they are usable) and every problem found.
pub fn check(bytes: &[u8], name: &str) -> (Option<Compiled>, Vec<Problem>) {
    let mut problems = Vec::new();
    let parsed = match read::parse(bytes) {
        Ok(parsed) => parsed,
        Err(err) => {
            let at = err.offset.min(bytes.len());
            let what = if bytes.len() < 8 || !bytes.starts_with(b"\0asm") {
                "the file is not a WebAssembly module"
            } else {
                "the module is truncated or corrupt"
            };
            problems.push(problem(Kind::Module, at..at, format!("{what}: {} (at byte {at})", err.message)));
            return (None, problems);
        }
    };
    let Some((raw, span)) = read::canonical(bytes, &parsed) else {
        let message = format!("the module has no header pointing at canonical ruleset bytes: {REBUILD}");
        problems.push(problem(Kind::Module, 0..0, message));
        return (None, problems);
    };
    let Ok(json) = std::str::from_utf8(raw) else {
        problems.push(problem(Kind::Module, span, "the canonical ruleset bytes are not UTF-8".to_string()));
        return (None, problems);
    };
    let value: Value = match serde_json::from_str(json) {
        Ok(value) => value,
        Err(err) => {
            let at = span.start + crate::parse::json::error_offset(json, err.line(), err.column());
            problems.push(problem(Kind::Module, at..at, format!("the canonical ruleset is not valid JSON: {err}")));
            return (None, problems);
        }
    };
    let compact = canonical::compact(&value);
    if compact != json {
        let same = json.bytes().zip(compact.bytes()).take_while(|(a, b)| a == b).count();
        let at = span.start + same;
        let message = "the canonical ruleset bytes are not in canonical form (compact JSON, keys sorted by bytes, \
                       floats with a fraction) from here on: they were edited";
        problems.push(problem(Kind::Module, at..at, message.to_string()));
        return (None, problems);
    }
    // `build` lays out only rulesets that passed `check`; bytes read from a file are held to the
    // shape of a ruleset here.
    if let Err(err) = crate::codegen::rust::check_shape(&value) {
        let message = format!("the canonical bytes do not hold a ruleset: {err}");
        problems.push(problem(Kind::Module, span.start..span.start, message));
        return (None, problems);
    }
    let compiled = Compiled::new(value);
    let expected = match module(&compiled) {
        Ok(expected) => expected,
        Err(err) => {
            problems.push(problem(Kind::Module, span.start..span.start, err.to_string()));
            return (None, problems);
        }
    };
    if name.starts_with("ruleset-") && name != file_name(compiled.version()) {
        let at = parsed.string(bytes, field::VERSION).unwrap_or(0..0);
        problems.push(problem(
            Kind::Module,
            at,
            format!("the file is named {name} but holds version {}", compiled.version()),
        ));
    }
    if bytes != expected.as_slice() {
        compare(bytes, &parsed, &expected, &compiled, &mut problems);
    }
    (Some(compiled), problems)
}

/// Names every part that differs from the rebuilt module `expected`.
fn compare(bytes: &[u8], parsed: &Parsed, expected: &[u8], compiled: &Compiled, problems: &mut Vec<Problem>) {
    let recorded = |at: u32| {
        parsed.string(bytes, at).and_then(|r| Some((String::from_utf8_lossy(bytes.get(r.clone())?).into_owned(), r)))
    };
    let mut said = false;
    match recorded(field::DIGEST) {
        Some((digest, span)) if digest != compiled.digest => {
            let message = format!("`digest()` says {digest}, but the canonical bytes hash to {}", compiled.digest);
            problems.push(problem(Kind::Digest, span, message));
            said = true;
        }
        _ => {}
    }
    match recorded(field::ROOT) {
        Some((root, span)) if root != compiled.root() => {
            let message = format!("`merkle_root()` says {root}, but the sections give {}", compiled.root());
            problems.push(problem(Kind::Merkle, span, message));
            said = true;
        }
        _ => {}
    }
    let Ok(want) = read::parse(expected) else { return };
    let mut have = parsed.parts.clone();
    let mut found_any = said;
    for part in &want.parts {
        let Some(i) = have.iter().position(|p| p.name == part.name) else {
            problems.push(problem(Kind::Module, 0..0, format!("the module lacks {}", part.name)));
            found_any = true;
            continue;
        };
        let got = have.remove(i);
        let (a, b) =
            (bytes.get(got.range.clone()).unwrap_or_default(), expected.get(part.range.clone()).unwrap_or_default());
        if a == b {
            continue;
        }
        found_any = true;
        if said && matches!(part.name.as_str(), "data segment `pool`") {
            // The digest or root already named; the pool segment holds them.
            continue;
        }
        let same = a.iter().zip(b).take_while(|(x, y)| x == y).count();
        let at = got.range.start + same;
        let merkle = matches!(part.name.as_str(), "data segment `sections`" | "data segment `ranges`");
        let kind = if merkle { Kind::Merkle } else { Kind::Module };
        let detail = if a.len() == b.len() {
            format!("byte {same} of {} differs", a.len())
        } else {
            format!("it is {} bytes where {} are expected, first differing at byte {same}", a.len(), b.len())
        };
        problems.push(problem(kind, at..at, format!("{} does not match the canonical ruleset: {detail}", part.name)));
    }
    for extra in have {
        problems.push(problem(
            Kind::Module,
            extra.range,
            format!("unexpected {}: rulesctl does not write it", extra.name),
        ));
        found_any = true;
    }
    if !found_any {
        let at = bytes.iter().zip(expected).take_while(|(a, b)| a == b).count();
        problems.push(problem(
            Kind::Module,
            at..at,
            "the module's layout differs from what rulesctl writes".to_string(),
        ));
    }
}
