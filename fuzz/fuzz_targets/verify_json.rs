//! `verify_json`: `rulesctl verify` of an artifact. The input packs the artifact's file name,
//! the artifact, its `.sha256` line and its provenance statement, split at 0xFF (a part that is
//! missing is a file that is not there): whatever the artifact's `.sha256` or statement is asked
//! for gets the packed one.

#![no_main]

use libfuzzer_sys::fuzz_target;
use rulesctl::verify::{file, Sibling};
use rulesctl_fuzz::{check_report, parts};

fuzz_target!(|data: &[u8]| {
    let [Some(name), artifact, checksum, statement] = parts(data, 4)[..] else { return };
    let name = String::from_utf8_lossy(name);
    let beside = |other: &str| {
        let bytes = if other.ends_with(".sha256") {
            checksum
        } else if other.ends_with(".provenance.json") {
            statement
        } else {
            None
        };
        Sibling { shown: other.to_string(), bytes: bytes.map(|b| Ok(b.to_vec())) }
    };
    let verified = file(&name, &name, artifact.unwrap_or_default().to_vec(), &beside);
    check_report(&verified.diagnostics, &verified.sources, 1);
    assert_eq!(verified.ok.is_some(), verified.diagnostics.is_empty(), "verified with findings, or failed without");
});
