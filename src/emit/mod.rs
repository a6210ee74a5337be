//! What rulesctl writes: canonical JSON, hashes, the Merkle tree and the artifact.

pub mod hash;
