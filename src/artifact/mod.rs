//! The compiled ruleset and its proofs: canonical JSON, the digest and Merkle tree
//! ([`compiled::Compiled`]), the provenance statement, reading an artifact back with its spans,
//! and comparing two compiled rulesets section by section. Writing them is `publish`'s job,
//! checking written files `verify`'s.

pub mod canonical;
pub mod compare;
pub mod compiled;
pub mod locate;
pub mod merkle;
pub mod provenance;
