//! What `build` writes besides the JSON artifact, which it always writes.

/// One output format of `build --emit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// `ruleset-<version>.json` and its `.sha256`: always written, so naming it changes nothing.
    Json,
    /// `ruleset-<version>.rs`, a self-contained Rust module (see [`crate::codegen::rust`]).
    Rust,
    /// `ruleset-<version>.wasm`, a sandboxed WebAssembly module (see [`crate::codegen::wasm`]).
    Wasm,
}
