//! `verify_rs`: `rulesctl verify` of a Rust module from `build --emit rust`. The input packs the
//! module's file name and the module, split at 0xFF. The name is verified as a `.rs` file's.

#![no_main]

use libfuzzer_sys::fuzz_target;
use rulesctl::verify::{file, Sibling};
use rulesctl_fuzz::{check_report, parts};

fuzz_target!(|data: &[u8]| {
    let [Some(name), Some(text)] = parts(data, 2)[..] else { return };
    let name = format!("{}.rs", String::from_utf8_lossy(name).trim_end_matches(".rs"));
    let beside = |other: &str| Sibling { shown: other.to_string(), bytes: None };
    let verified = file(&name, &name, text.to_vec(), &beside);
    check_report(&verified.diagnostics, &verified.sources, 1);
    assert_eq!(verified.ok.is_some(), verified.diagnostics.is_empty(), "verified with findings, or failed without");
});
