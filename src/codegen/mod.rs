//! The compiled ruleset as code a game server loads: one folder per target, each a function of
//! the canonical ruleset alone, so `verify` can rebuild it from the bytes it carries.

pub mod rust;
pub mod target;
pub mod wasm;
