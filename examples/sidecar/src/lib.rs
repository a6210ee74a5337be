//! The sidecar's serve mode as a library, so its tests and benchmark drive the same code: load
//! and prove a `--emit wasm` module ([`module`]) in wasmi or wasmtime ([`runtime`]), answer the line protocol ([`protocol`]), swap
//! a new module in only once it is proven ([`swap`]), and watch the file ([`watch`]).

#![forbid(unsafe_code)]

pub mod module;
pub mod protocol;
pub mod runtime;
pub mod sha256;
pub mod swap;
pub mod version;
pub mod watch;
