//! `verify_json`: `rulesctl verify` of an artifact. The input packs the artifact's file name,
//! the artifact, its `.sha256` line and its provenance statement, split at 0xFF (a part that is
//! missing is a file that is not there).

#![no_main]

use libfuzzer_sys::fuzz_target;
use rulesctl::verify::{verify, Beside};
use rulesctl_fuzz::{check_report, parts};

fuzz_target!(|data: &[u8]| {
    let [Some(name), artifact, checksum, statement] = parts(data, 4)[..] else { return };
    let name = String::from_utf8_lossy(name);
    let checksum = checksum.map(String::from_utf8_lossy);
    let beside = Beside {
        checksum: checksum.as_deref(),
        statement: statement.map(|bytes| ("ruleset.provenance.json", bytes.to_vec())),
    };
    let verified = verify(&name, &name, artifact.unwrap_or_default().to_vec(), beside);
    check_report(&verified.diagnostics, &verified.sources, 1);
    assert_eq!(verified.ok.is_some(), verified.diagnostics.is_empty(), "verified with findings, or failed without");
});
