//! Reading a module back with `wasmparser` (no runtime): its parts as byte ranges of the file,
//! and the canonical bytes and digest its data holds, found through the header.

use std::ops::Range;

use wasmparser::{DataKind, Operator, Parser, Payload};

use crate::codegen::wasm::code;
use crate::codegen::wasm::layout::{field, HEADER, SEGMENTS};

/// One part of a module that can differ: a section, an export, a function's code, a data
/// segment, the memory's size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    /// What a diagnostic calls it: "export `lookup`", "data segment `nodes`".
    pub name: String,
    /// Its bytes in the file.
    pub range: Range<usize>,
}

/// A module split into its parts, and its active data segments by address.
#[derive(Debug, Default)]
pub struct Parsed {
    pub parts: Vec<Part>,
    /// Each active data segment: its address and its bytes' range in the file.
    pub data: Vec<(u32, Range<usize>)>,
}

/// Why a file could not be read as a module: a byte offset and a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreadable {
    pub offset: usize,
    pub message: String,
}

fn span(range: &Range<u64>) -> Range<usize> {
    usize::try_from(range.start).unwrap_or(usize::MAX)..usize::try_from(range.end).unwrap_or(usize::MAX)
}

fn unreadable(err: &wasmparser::BinaryReaderError) -> Unreadable {
    Unreadable { offset: usize::try_from(err.offset()).unwrap_or(usize::MAX), message: err.message().to_string() }
}

/// Splits `bytes` into parts. The module is not validated here; `build` validates what it
/// writes, and `verify` compares with what it would write.
///
/// # Errors
///
/// Where the bytes stop being a WebAssembly binary (a wrong magic number, a truncated section).
pub fn parse(bytes: &[u8]) -> Result<Parsed, Unreadable> {
    let mut out = Parsed::default();
    let mut body = 0usize;
    let function_name = |i: usize| {
        code::EXPORTS
            .iter()
            .map(|(n, _)| *n)
            .chain(code::HELPERS.iter().map(|(n, _)| *n))
            .nth(i)
            .map_or_else(|| format!("the code of function {i}"), |n| format!("the code of `{n}`"))
    };
    let mut segment = 0usize;
    for payload in Parser::new(0).parse_all(bytes) {
        let payload = payload.map_err(|e| unreadable(&e))?;
        let mut part = |name: String, range: Range<u64>| out.parts.push(Part { name, range: span(&range) });
        match payload {
            Payload::Version { range, .. } => part("the header (magic number and version)".into(), range),
            Payload::TypeSection(r) => part("the type section".into(), r.range()),
            Payload::FunctionSection(r) => part("the function section".into(), r.range()),
            Payload::MemorySection(r) => part("the memory section (its size in pages)".into(), r.range()),
            Payload::ExportSection(r) => {
                let end = r.range().end;
                let mut exports = Vec::new();
                for item in r.into_iter_with_offsets() {
                    let (offset, export) = item.map_err(|e| unreadable(&e))?;
                    exports.push((export.name.to_string(), offset));
                }
                for (i, (name, start)) in exports.iter().enumerate() {
                    let stop = exports.get(i + 1).map_or(end, |(_, s)| *s);
                    part(format!("export `{name}`"), *start..stop);
                }
            }
            Payload::CodeSectionEntry(f) => {
                part(function_name(body), f.range());
                body += 1;
            }
            Payload::DataSection(r) => {
                for item in r {
                    let data = item.map_err(|e| unreadable(&e))?;
                    let name = SEGMENTS
                        .get(segment)
                        .map_or_else(|| format!("data segment {segment}"), |n| format!("data segment `{n}`"));
                    segment += 1;
                    out.parts.push(Part { name, range: span(&data.range) });
                    if let DataKind::Active { offset_expr, .. } = data.kind {
                        let mut ops = offset_expr.get_operators_reader();
                        if let Ok(Operator::I32Const { value }) = ops.read() {
                            let at = data.data.as_ptr() as usize - bytes.as_ptr() as usize;
                            out.data.push((u32::from_ne_bytes(value.to_ne_bytes()), at..at + data.data.len()));
                        }
                    }
                }
            }
            Payload::CustomSection(c) => part(format!("custom section `{}`", c.name()), c.range()),
            Payload::End(_) | Payload::CodeSectionStart { .. } => {}
            other => {
                if let Some((id, range)) = other.as_section() {
                    part(format!("section {id}"), range);
                }
            }
        }
    }
    Ok(out)
}

impl Parsed {
    /// The file range holding memory `ptr..ptr + len`, when one data segment holds all of it.
    pub fn memory(&self, ptr: u32, len: u32) -> Option<Range<usize>> {
        let end = ptr.checked_add(len)?;
        self.data.iter().find_map(|(at, range)| {
            let seg_end = at.checked_add(u32::try_from(range.len()).ok()?)?;
            (ptr >= *at && end <= seg_end).then(|| {
                let from = range.start + (ptr - at) as usize;
                from..from + len as usize
            })
        })
    }

    /// The `(ptr, len)` header field at `at` (a [`field`] offset), when the header is there.
    pub fn field(&self, bytes: &[u8], at: u32) -> Option<(u32, u32)> {
        let range = self.memory(HEADER + at, 8)?;
        let raw = bytes.get(range)?;
        let word = |i: usize| raw.get(i..i + 4).and_then(|w| w.try_into().ok()).map(u32::from_le_bytes);
        Some((word(0)?, word(4)?))
    }

    /// The file range of the string a header field points at.
    pub fn string(&self, bytes: &[u8], at: u32) -> Option<Range<usize>> {
        let (ptr, len) = self.field(bytes, at)?;
        self.memory(ptr, len)
    }
}

/// The canonical ruleset bytes a module holds, and their range in the file.
pub fn canonical<'a>(bytes: &'a [u8], parsed: &Parsed) -> Option<(&'a [u8], Range<usize>)> {
    let range = parsed.string(bytes, field::CANONICAL)?;
    Some((bytes.get(range.clone())?, range))
}

/// The digest a module records (`digest()`), when it can be read.
pub fn digest(bytes: &[u8]) -> Option<(String, Range<usize>)> {
    let parsed = parse(bytes).ok()?;
    let range = parsed.string(bytes, field::DIGEST)?;
    let text = std::str::from_utf8(bytes.get(range.clone())?).ok()?;
    Some((text.to_string(), range))
}
