//! The table of every diagnostic code, for `explain`, SARIF's rule list and the book (docs/src/reference/codes.md).
//!
//! Each layer lists the codes it declares next to their declarations (`source::CODES`,
//! `parse::CODES`, `model::CODES`, `pipeline::CODES`, `check::codes()`, `publish::CODES`, `verify::CODES`, `format::CODES`); this module only joins
//! them. `tests/integration/architecture.rs` reads `src/` and fails when a `declare_code!` is
//! missing from this table.

use crate::diagnostic::Code;
use crate::{check, format, model, parse, pipeline, publish, source, verify};

/// Every code rulesctl can emit, sorted by id.
pub fn all() -> Vec<&'static Code> {
    let mut codes: Vec<&'static Code> =
        [source::CODES, parse::CODES, model::CODES, pipeline::CODES, publish::CODES, verify::CODES, format::CODES]
            .concat();
    codes.extend(check::codes());
    codes.sort_by_key(|c| c.id);
    codes
}

/// Looks a code up by id (`X001`) or name (`cooldown-below-minimum`), ignoring case.
pub fn find(query: &str) -> Option<&'static Code> {
    all().into_iter().find(|c| c.id.eq_ignore_ascii_case(query) || c.name.eq_ignore_ascii_case(query))
}

/// The book's table of codes, generated from the same doc comments as `explain`.
pub fn markdown_table() -> String {
    let mut out = String::from("| code | name | severity | what it means |\n| --- | --- | --- | --- |\n");
    for code in all() {
        out.push_str(&format!(
            "| `{}` | `{}` | {} | {} |\n",
            code.id,
            code.name,
            code.severity.as_str(),
            code.summary()
        ));
    }
    out
}
