//! SHA-256 in the forms rulesctl prints: bare hex, and `sha256:`-prefixed. A leaf: the sources record
//! a hash of every file they read, and the artifact hashes what it compiles.

use sha2::{Digest, Sha256};

/// Lower-case hex of the SHA-256 of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    to_hex(&Sha256::digest(bytes))
}

/// `sha256:<hex>`.
pub fn prefixed(bytes: &[u8]) -> String {
    format!("sha256:{}", hex(bytes))
}

pub fn to_hex(digest: &[u8]) -> String {
    use std::fmt::Write;
    digest.iter().fold(String::with_capacity(64), |mut out, b| {
        let _ = write!(out, "{b:02x}");
        out
    })
}
