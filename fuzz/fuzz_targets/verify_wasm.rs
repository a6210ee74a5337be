//! `verify_wasm`: `rulesctl verify` of a WebAssembly module from `build --emit wasm`. The input
//! packs the module's file name and the module's bytes, split at 0xFF. Seed it with real modules
//! (`rulesctl build --emit wasm`): most mutations then land in a section, an export or a data
//! segment, which must be named, never panic. The name is verified as a `.wasm` file's, with no
//! file beside it.

#![no_main]

use libfuzzer_sys::fuzz_target;
use rulesctl::verify::{file, Sibling};
use rulesctl_fuzz::{check_report, parts};

fuzz_target!(|data: &[u8]| {
    let [Some(name), Some(bytes)] = parts(data, 2)[..] else { return };
    let name = format!("{}.wasm", String::from_utf8_lossy(name).trim_end_matches(".wasm"));
    let beside = |other: &str| Sibling { shown: other.to_string(), bytes: None };
    let verified = file(&name, &name, bytes.to_vec(), &beside);
    check_report(&verified.diagnostics, &verified.sources, 1);
    assert_eq!(verified.ok.is_some(), verified.diagnostics.is_empty(), "verified with findings, or failed without");
});
