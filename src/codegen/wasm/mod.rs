//! The ruleset as a sandboxed WebAssembly module (`build --emit wasm`), written by rulesctl
//! itself with `wasm-encoder` and proven with `wasmparser`'s validator before it is written: no
//! compiler, no wasm32 toolchain.
//!
//! The module imports nothing and exports `memory` and the functions of ABI 1 (the SPEC's table,
//! name for name). Its code is the same for every ruleset ([`code`]); only its data segments and
//! page count differ ([`layout`]), and those are a function of the canonical ruleset bytes alone,
//! so `verify` can rebuild the module from the canonical bytes it carries and compare.

pub mod code;
pub mod layout;
pub mod read;
pub mod verify;

use std::fmt;

use wasm_encoder::{
    CodeSection, ConstExpr, DataSection, ExportKind, ExportSection, FunctionSection, MemorySection, MemoryType, Module,
    TypeSection,
};

use crate::artifact::compiled::Compiled;

/// The ABI version `rulesctl_abi()` returns.
pub const ABI: i32 = 1;

/// The module's file name for a version, beside `ruleset-<version>.json`.
pub fn file_name(version: &str) -> String {
    format!("ruleset-{version}.wasm")
}

/// Why a ruleset could not be made into a module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BuildError {
    /// It does not fit a 32-bit memory (or, a rulesctl bug, its canonical bytes are not JSON).
    Layout(layout::LayoutError),
    /// The validator refused what was encoded: a bug in rulesctl, never the rules' fault.
    Invalid(String),
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BuildError::Layout(e) => write!(f, "{e}"),
            BuildError::Invalid(e) => write!(f, "the encoded module does not validate (a rulesctl bug): {e}"),
        }
    }
}

/// The module's bytes, validated: a function of the canonical bytes alone, laid out from the
/// text without building the JSON value. The ruleset's shape is `check`'s business (and
/// `verify`'s, for bytes read from a file): any JSON lays out.
///
/// # Errors
///
/// When the ruleset does not fit 4 GiB.
pub fn module(compiled: &Compiled) -> Result<Vec<u8>, BuildError> {
    let memory = layout::layout(compiled).map_err(BuildError::Layout)?;
    let bytes = encode(&memory);
    validate(&bytes).map_err(|e| BuildError::Invalid(e.to_string()))?;
    Ok(bytes)
}

/// Encodes the fixed code around `memory`'s data.
pub fn encode(memory: &layout::Layout) -> Vec<u8> {
    let mut types = TypeSection::new();
    for (params, results) in code::TYPES {
        types.ty().function(params.iter().copied(), results.iter().copied());
    }
    let mut functions = FunctionSection::new();
    for (_, ty) in code::EXPORTS.iter().chain(&code::HELPERS) {
        functions.function(*ty);
    }
    let mut memories = MemorySection::new();
    let pages = u64::from(memory.pages);
    memories.memory(MemoryType {
        minimum: pages,
        maximum: Some(pages),
        memory64: false,
        shared: false,
        page_size_log2: None,
    });
    let mut exports = ExportSection::new();
    exports.export("memory", ExportKind::Memory, 0);
    for (index, (name, _)) in (0u32..).zip(code::EXPORTS) {
        exports.export(name, ExportKind::Func, index);
    }
    let mut bodies = CodeSection::new();
    for body in code::bodies() {
        bodies.function(&body);
    }
    let mut data = DataSection::new();
    for segment in &memory.segments {
        let offset = i32::from_ne_bytes(segment.offset.to_ne_bytes());
        data.active(0, &ConstExpr::i32_const(offset), segment.bytes.iter().copied());
    }
    let mut module = Module::new();
    module.section(&types).section(&functions).section(&memories).section(&exports).section(&bodies).section(&data);
    module.finish()
}

/// The standard validator, with the WebAssembly 1.0 features only (plus what every runtime has:
/// nothing here needs more).
///
/// # Errors
///
/// The validator's error, with its byte offset.
pub fn validate(bytes: &[u8]) -> Result<(), wasmparser::BinaryReaderError> {
    wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::WASM1).validate_all(bytes).map(|_| ())
}
