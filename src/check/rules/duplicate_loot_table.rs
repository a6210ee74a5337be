//! Loot table names are unique across all files.

use crate::check::{duplicates, Context};
use crate::diagnostic::declare_code;
use crate::diagnostic::{Diagnostic, Sink};

declare_code! {
    /// Two `loot_table` blocks have the same name.
    ///
    /// A `loot_table` reference must resolve to exactly one table.
    ///
    /// Fix: merge the two tables, or rename one.
    pub static CODE = ("X007", "duplicate-loot-table", Error);
}

pub fn check(cx: &Context<'_>, sink: &mut Sink) {
    for (first, again) in duplicates(cx.ruleset.loot_tables.iter().map(|t| &t.name)) {
        sink.push(
            Diagnostic::new(&CODE, again.span, format!("loot table `{}` is declared more than once", again.value))
                .label("declared again here")
                .related(first.span, "first declared here")
                .help("merge the two loot_table blocks, or rename one of them"),
        );
    }
}
