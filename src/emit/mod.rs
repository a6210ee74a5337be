//! What rulesctl writes: canonical JSON, hashes, the Merkle tree and the artifact.

pub mod artifact;
pub mod canonical;
pub mod format;
pub mod hash;
pub mod locate;
pub mod merkle;
pub mod rust;
pub mod schema;
pub mod target;
pub mod values;
