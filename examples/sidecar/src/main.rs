//! A tiny sidecar for the ruleset `rulesctl build` writes, in two modes.
//!
//! - `ruleset-sidecar [REGION]` (embed mode, when `build.rs` found a `--emit rust` module): the
//!   ruleset is compiled in; it proves at start-up with its own SHA-256 which ruleset it carries,
//!   and describes one region.
//! - `ruleset-sidecar serve PATH` (serve mode, always built): loads the `--emit wasm` module at
//!   PATH in a Wasm runtime, proves it, answers the line protocol on stdin/stdout, and swaps in a
//!   new module when the file is replaced (only once the new one is proven).
//!
//! With `RULESET_DIGEST` set (for example from the Argo CD ConfigMap's
//! `rulesctl.dev/ruleset-digest` annotation) either mode refuses any other ruleset.

#![forbid(unsafe_code)]

#[cfg(embedded)]
mod embedded;
mod serve;

use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    match args.next() {
        Some(mode) if mode == "serve" => serve::main(args.collect()),
        region => embed(region),
    }
}

#[cfg(embedded)]
fn embed(region: Option<String>) -> ExitCode {
    embedded::main(region)
}

#[cfg(not(embedded))]
fn embed(_: Option<String>) -> ExitCode {
    eprintln!(
        "this build embeds no ruleset module (run `rulesctl build --emit rust` or set RULESET_RS, then build again); \
         `ruleset-sidecar serve dist/ruleset-<version>.wasm` loads one at run time"
    );
    ExitCode::from(2)
}
