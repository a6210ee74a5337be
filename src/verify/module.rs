//! The Rust and WebAssembly modules of `build --emit`, each rebuilt from the canonical bytes it
//! carries and compared.

use crate::codegen::rust::verify::Kind as RustKind;
use crate::diagnostic::{Diagnostic, Sink, Span};
use crate::hash;
use crate::source::Sources;
use crate::verify::{checksum, statement, Beside, Kind, Proof, Verified};
use crate::verify::{DIGEST_MISMATCH, MERKLE_MISMATCH, MODULE_MISMATCH};

/// Verifies a Rust module from `build --emit rust` (`bytes`, named `display`, file name
/// `file_name`): its `CANONICAL` hashes to its `DIGEST`, and it holds exactly the data
/// `CANONICAL` compiles to.
pub fn rust(display: &str, file_name: &str, bytes: Vec<u8>) -> Verified {
    let mut sources = Sources::default();
    let mut sink = Sink::new();
    let id = sources.add(display.to_string(), String::new());
    sources.set_raw(id, &bytes);
    let Ok(text) = String::from_utf8(bytes) else {
        sink.push(
            Diagnostic::new(&MODULE_MISMATCH, Span::file(id), "the module is not UTF-8 text")
                .help("rebuild the module with `rulesctl build --emit rust`"),
        );
        return Verified { kind: Kind::Rust, sources, diagnostics: sink, ok: None };
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
    let ok = compiled.map(|c| Proof::of(&c));
    Verified { kind: Kind::Rust, sources, ok: if sink.is_empty() { ok } else { None }, diagnostics: sink }
}

/// Verifies a WebAssembly module from `build --emit wasm` (`bytes`, named `display`, file name
/// `file_name`): its canonical bytes hash to its recorded digest, and it is exactly the module
/// they compile to; then its `.sha256` line and its subject in the provenance statement beside
/// it, when they are there, match its bytes. A binary has no lines: diagnostics point into a hex
/// dump of the file (16 bytes a line, so line `n` holds bytes `16 (n - 1)` onwards), and each
/// message gives the byte.
pub fn wasm(display: &str, file_name: &str, bytes: Vec<u8>, beside: Beside<'_>) -> Verified {
    let mut sources = Sources::default();
    let mut sink = Sink::new();
    let id = sources.add(display.to_string(), String::new());
    sources.set_raw(id, &bytes);
    let actual = hash::hex(&bytes);
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
    // A module that proves itself may still not be the one published (another build's, swapped
    // in): its `.sha256` line and its subject in the statement say so. One that does not prove
    // itself is already reported at the byte that differs, and not again here.
    if sink.is_empty() && compiled.is_some() {
        let sums = beside(&format!("{file_name}.sha256"));
        if let Some(bytes) = sums.bytes {
            checksum::beside(&mut sources, &sums.shown, bytes, (id, file_name, &actual), &mut sink);
        }
        let stem = file_name.strip_suffix(".wasm").unwrap_or(file_name);
        let statement_file = beside(&format!("{stem}.provenance.json"));
        if let Some(bytes) = statement_file.bytes {
            statement::module_subject(&mut sources, &statement_file.shown, bytes, file_name, &actual, &mut sink);
        }
    }
    let ok = compiled.map(|c| Proof::of(&c));
    Verified { kind: Kind::Wasm, sources, ok: if sink.is_empty() { ok } else { None }, diagnostics: sink }
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
