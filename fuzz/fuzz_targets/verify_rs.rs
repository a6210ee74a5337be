//! `verify_rs`: `rulesctl verify` of a Rust module from `build --emit rust`. The input packs the
//! module's file name and the module, split at 0xFF.

#![no_main]

use libfuzzer_sys::fuzz_target;
use rulesctl::verify::module;
use rulesctl_fuzz::{check_report, parts};

fuzz_target!(|data: &[u8]| {
    let [Some(name), Some(text)] = parts(data, 2)[..] else { return };
    let name = String::from_utf8_lossy(name);
    let verified = module(&name, &name, text.to_vec());
    check_report(&verified.diagnostics, &verified.sources, 1);
    assert_eq!(verified.ok.is_some(), verified.diagnostics.is_empty(), "verified with findings, or failed without");
});
