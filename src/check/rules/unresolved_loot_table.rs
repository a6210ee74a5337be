//! Every `loot_table` reference names a `loot_table` block.

use std::cell::OnceCell;
use std::collections::BTreeSet;

use crate::check::Context;
use crate::diagnostic::declare_code;
use crate::diagnostic::{Diagnostic, Sink};
use crate::model::near::Near;

declare_code! {
    /// A spawn region names a loot table that does not exist.
    ///
    /// `spawn_config.loot_table` must be the label of a `loot_table` block in some rule file;
    /// otherwise the region drops nothing, or the server fails to load the ruleset.
    ///
    /// Example: `loot_table = "tier_3_drop"` when the block is `loot_table "tier_3_drops"`.
    ///
    /// Fix: use the suggested name, or add the loot table.
    pub static CODE = ("X004", "unresolved-loot-table", Error);
}

pub fn check(cx: &Context<'_>, sink: &mut Sink) {
    // Looked up once per block; sorted and indexed (for the suggestion) only when one is missing.
    let names: foldhash::HashSet<&str> = cx.ruleset.loot_tables.iter().map(|t| t.name.value.as_str()).collect();
    let sorted = OnceCell::new();
    for spawn in &cx.ruleset.spawns {
        let Some(reference) = &spawn.loot_table else { continue };
        if !names.contains(reference.value.as_str()) {
            let help = if names.is_empty() {
                "add a `loot_table` block with this name".to_string()
            } else {
                sorted
                    .get_or_init(|| Near::new(names.iter().copied().collect::<BTreeSet<_>>()))
                    .suggest(&reference.value)
            };
            sink.push(
                Diagnostic::new(&CODE, reference.span, format!("no loot table is named `{}`", reference.value))
                    .label("unknown loot table")
                    .help(help),
            );
        }
    }
}
