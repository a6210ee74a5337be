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
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(digest.len() * 2);
    for b in digest {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0xf)]));
    }
    out
}
