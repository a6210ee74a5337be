//! The Merkle tree over ruleset sections, built as RFC 6962 (Certificate Transparency) does so a
//! sidecar in any language can recompute it:
//!
//! - leaf hash = SHA-256(0x00 ‖ section id ‖ 0x00 ‖ compact canonical JSON of the section)
//! - node hash = SHA-256(0x01 ‖ left ‖ right)
//! - leaves in byte order of their section ids; a tree of n > 1 leaves splits at the largest
//!   power of two below n, the left part first.

use sha2::{Digest, Sha256};

pub type Hash = [u8; 32];

pub fn leaf(section: &str, canonical_json: &str) -> Hash {
    let mut h = Sha256::new();
    h.update([0x00]);
    h.update(section.as_bytes());
    h.update([0x00]);
    h.update(canonical_json.as_bytes());
    h.finalize().into()
}

fn node(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([0x01]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// The root over leaf hashes in order; the hash of nothing for an empty tree.
pub fn root(leaves: &[Hash]) -> Hash {
    match leaves {
        [] => Sha256::digest([]).into(),
        [only] => *only,
        _ => {
            let split = leaves.len().next_power_of_two() / 2;
            node(&root(&leaves[..split]), &root(&leaves[split..]))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_at_the_largest_power_of_two_below_n() {
        let l: Vec<Hash> = (0u8..5).map(|i| leaf(&i.to_string(), "{}")).collect();
        let left = node(&node(&l[0], &l[1]), &node(&l[2], &l[3]));
        assert_eq!(root(&l), node(&left, &l[4]));
        assert_eq!(root(&l[..3]), node(&node(&l[0], &l[1]), &l[2]));
        assert_ne!(leaf("a", "{}"), leaf("b", "{}"), "the section id is part of the leaf");
    }
}
