//! Item names are unique within their loot table.

use crate::check::{duplicates, Context};
use crate::diagnostic::declare_code;
use crate::diagnostic::{Diagnostic, Sink};

declare_code! {
    /// A loot table lists the same item twice.
    ///
    /// Two weights for one item make its drop chance ambiguous.
    ///
    /// Fix: keep one `item` block per item and add the weights together if both were meant.
    pub static CODE = ("X008", "duplicate-item", Error);
}

pub fn check(cx: &Context<'_>, sink: &mut Sink) {
    for table in &cx.ruleset.loot_tables {
        for (first, again) in duplicates(table.items.iter().map(|i| &i.name)) {
            sink.push(
                Diagnostic::new(
                    &CODE,
                    again.span,
                    format!("item `{}` appears twice in loot table `{}`", again.value, table.name.value),
                )
                .label("repeated here")
                .related(first.span, "first here")
                .help("keep one item block and combine the weights"),
            );
        }
    }
}
