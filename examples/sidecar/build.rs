//! Finds the ruleset module and copies it to `$OUT_DIR/ruleset.rs`, where `main.rs` includes it,
//! and sets `cfg(embedded)` so the embed mode is compiled in.
//!
//! The module is `RULESET_RS` when set (a path, absolute or relative to this folder), else the
//! one `ruleset-*.rs` in `../../dist`, where `rulesctl build --emit rust` puts it for the bundled
//! example. With neither, the sidecar builds without the embed mode: the serve mode (a `.wasm`
//! loaded at run time) needs no module at build time. Cargo rebuilds the sidecar when either the
//! variable or the module changes.

use std::path::{Path, PathBuf};

fn main() {
    println!("cargo::rustc-check-cfg=cfg(embedded)");
    println!("cargo:rerun-if-env-changed=RULESET_RS");
    let module = match std::env::var_os("RULESET_RS") {
        Some(path) => PathBuf::from(path),
        None => match only_module_in(Path::new("../../dist")) {
            Some(module) => module,
            None => return,
        },
    };
    println!("cargo:rerun-if-changed={}", module.display());
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR")).join("ruleset.rs");
    if let Err(err) = std::fs::copy(&module, &out) {
        panic!("cannot read the ruleset module {}: {err}", module.display());
    }
    println!("cargo:rustc-cfg=embedded");
}

/// The single `ruleset-*.rs` in `dist`, or none (the serve mode only); several is an error that
/// says what to do.
fn only_module_in(dist: &Path) -> Option<PathBuf> {
    println!("cargo:rerun-if-changed={}", dist.display());
    let mut found: Vec<PathBuf> =
        std::fs::read_dir(dist).map(|entries| entries.flatten().map(|e| e.path()).collect()).unwrap_or_default();
    found.retain(|p| {
        let name = p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        name.starts_with("ruleset-") && name.ends_with(".rs")
    });
    match found.as_slice() {
        [only] => Some(only.clone()),
        [] => None,
        _ => panic!("several ruleset modules in {}: set RULESET_RS to the one to embed", dist.display()),
    }
}
