//! The ruleset as a self-contained Rust module (`build --emit rust`): `core`-only types, the
//! data as `static`/`const` items, binary-search lookups, the digest and Merkle leaves of the
//! JSON artifact, and `CANONICAL`, the bytes the digest covers, so a sidecar can prove with its
//! own SHA-256 which ruleset it was compiled with.
//!
//! The module is a function of the canonical ruleset alone (no time, path, or rulesctl version),
//! which is what lets `verify` rebuild it from its own `CANONICAL` and compare byte for byte.
//! Names from the rules only ever appear inside string literals, never as identifiers, so a
//! region called `type` or `self` needs no escaping.

mod data;
mod layout;
mod literal;
mod prelude;
pub mod read;
pub mod verify;

pub use data::ShapeError;

use crate::artifact::compiled::Compiled;
use layout::{item, Expr};

/// The module's file name for a version, beside `ruleset-<version>.json`.
pub fn file_name(version: &str) -> String {
    format!("ruleset-{version}.rs")
}

/// The module's source text.
///
/// # Errors
///
/// When the ruleset does not fit the module's types; never for a ruleset that passed `check`.
pub fn module(compiled: &Compiled) -> Result<String, ShapeError> {
    let data = data::Data::new(compiled.ruleset())?;
    let version = &data.version;
    let lit = |s: &str| Expr::Lit(literal::string(s));
    let sections = compiled
        .leaves
        .iter()
        .map(|(id, hash)| Expr::Struct("Section", vec![("id", lit(id)), ("hash", lit(hash))]))
        .collect();
    let items = [
        (
            "/// The ruleset's version: `ruleset_version` in the rules.\n",
            item("const", "VERSION", "&str", &lit(version)),
        ),
        (
            "/// `sha256:` and the hex SHA-256 of [`CANONICAL`]: the JSON artifact's digest too.\n",
            item("const", "DIGEST", "&str", &lit(&compiled.digest)),
        ),
        (
            "/// The root of the Merkle tree over [`SECTIONS`] (RFC 6962), as in the JSON artifact.\n",
            item("const", "MERKLE_ROOT", "&str", &lit(compiled.root())),
        ),
        ("", prelude::TYPES.to_string()),
        (
            "/// Every spawn region, sorted by name; [`spawn_config`] looks one up.\n",
            item("static", "SPAWN_CONFIGS", "&[SpawnConfig]", &data.spawn_configs),
        ),
        (
            "/// Every loot table, sorted by name; [`loot_table`] looks one up.\n",
            item("static", "LOOT_TABLES", "&[LootTable]", &data.loot_tables),
        ),
        (
            "/// Every event stream, sorted by region; [`event_stream`] looks one up.\n\
             #[allow(clippy::approx_constant)] // a rule of 3.14 is data, not an approximation of pi\n",
            item("static", "EVENT_STREAMS", "&[EventStream]", &data.event_streams),
        ),
        (
            "/// The global event timers (a `const`, so usable in constant expressions).\n",
            item("const", "EVENT_TIMERS", "EventTimers", &data.event_timers),
        ),
        (
            "/// The safety bounds (a `const`, so usable in constant expressions).\n\
             #[allow(clippy::approx_constant)] // a rule of 3.14 is data, not an approximation of pi\n",
            item("const", "SAFETY_BOUNDS", "SafetyBounds", &data.safety_bounds),
        ),
        (
            "/// Every section's Merkle leaf, sorted by id; [`section_hash`] looks one up.\n",
            item("static", "SECTIONS", "&[Section]", &Expr::Slice(sections)),
        ),
        (
            "/// The compact canonical JSON of the ruleset: exactly the bytes [`DIGEST`] covers, so\n\
             /// SHA-256 of `CANONICAL.as_bytes()` proves which ruleset this module holds.\n",
            item("const", "CANONICAL", "&str", &Expr::Lit(literal::raw_string(compiled.canonical()))),
        ),
    ];
    // Each item: its doc comment (and attributes), then its code; a blank line between items.
    let mut out = header(version);
    for (lead, text) in items {
        out.push('\n');
        out.push_str(lead);
        out.push_str(&text);
    }
    Ok(out)
}

/// The opening comment. Plain `//` lines: `//!` would be an inner attribute, which `include!`
/// does not accept. `version` has passed the dialect's version format, so it cannot break out
/// of the comment.
fn header(version: &str) -> String {
    let name = file_name(version);
    format!(
        "// Ruleset {version} as Rust data, written by `rulesctl build --emit rust`. Do not edit:\n\
         // `rulesctl verify {name}` rebuilds it from CANONICAL and rejects any difference.\n\
         //\n\
         // It depends on `core` only (no crates, `no_std`), allocates nothing and parses nothing at\n\
         // run time. Use it as `mod ruleset {{ include!(\"{name}\"); }}`; see \"Compiling the\n\
         // ruleset into a Rust sidecar\" in the rulesctl README.\n"
    )
}

/// Checks that a ruleset has the shape the generated modules' types need (every key present,
/// integers within `u32`, names and formats as the dialect allows); the Wasm module requires the
/// same shape as the Rust one, so one ruleset is either both or neither.
///
/// # Errors
///
/// The first value that is missing, extra, or of the wrong type or range.
pub fn check_shape(ruleset: &serde_json::Value) -> Result<(), ShapeError> {
    data::Data::new(ruleset).map(|_| ())
}
