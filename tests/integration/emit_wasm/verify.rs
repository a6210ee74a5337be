//! `rulesctl verify ruleset-<version>.wasm`.
