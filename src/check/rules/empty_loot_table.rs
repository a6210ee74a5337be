//! A loot table has at least one item.

use crate::check::Context;
use crate::diagnostic::declare_code;
use crate::diagnostic::{Diagnostic, Sink};

declare_code! {
    /// A loot table has no items.
    ///
    /// A region using an empty table drops nothing, and weighted selection over no items is
    /// undefined in the sidecar.
    ///
    /// Fix: add at least one `item "name" { weight = N }` block.
    pub static CODE = ("X009", "empty-loot-table", Error);
}

pub fn check(cx: &Context<'_>, sink: &mut Sink) {
    for table in cx.ruleset.loot_tables.iter().filter(|t| t.items.is_empty() && t.complete) {
        sink.push(
            Diagnostic::new(&CODE, table.name.span, format!("loot table `{}` has no items", table.name.value))
                .label("empty table")
                .help("add an item: `item \"gold_coin\" { weight = 100 }`"),
        );
    }
}
