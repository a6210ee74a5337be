//! What rulesctl writes and reads back: canonical JSON, the Merkle tree, the artifact and its
//! verification, rendered values, schemas, formatted HCL, and comparisons of compiled rulesets.

pub mod artifact;
pub mod canonical;
pub mod compare;
pub mod format;
pub mod locate;
pub mod merkle;
pub mod provenance;
pub mod publish;
pub mod rust;
pub mod scaffold;
pub mod schema;
pub mod target;
pub mod values;
pub mod verify;

/// The codes this layer declares: writing artifacts, verifying them, formatting.
pub static CODES: &[&crate::diagnostic::Code] = &[
    &publish::VERSION_EXISTS,
    &publish::WRITE_FAILED,
    &verify::DIGEST_MISMATCH,
    &verify::MERKLE_MISMATCH,
    &verify::CHECKSUM_MISMATCH,
    &verify::NOT_AN_ARTIFACT,
    &verify::MODULE_MISMATCH,
    &verify::PROVENANCE_MISMATCH,
    &format::REFUSED,
];
