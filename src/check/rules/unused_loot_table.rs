//! A loot table nothing references is probably a leftover.

use crate::check::Context;
use crate::diagnostic::declare_code;
use crate::diagnostic::{Diagnostic, Sink};

declare_code! {
    /// A loot table that no spawn region references.
    ///
    /// An unreferenced table ships in the artifact but never drops anything. It is usually a
    /// leftover from a renamed region or a typo in a `loot_table` reference. This is a warning:
    /// `--deny-warnings` makes it fail.
    ///
    /// Fix: reference it from a `spawn_config`, or delete it.
    pub static CODE = ("X005", "unused-loot-table", Warning);
}

pub fn check(cx: &Context<'_>, sink: &mut Sink) {
    if cx.ruleset.partial || cx.ruleset.names_unknown {
        return;
    }
    let used: foldhash::HashSet<&str> =
        cx.ruleset.spawns.iter().filter_map(|s| s.loot_table.as_ref()).map(|r| r.value.as_str()).collect();
    for table in &cx.ruleset.loot_tables {
        if !used.contains(table.name.value.as_str()) {
            sink.push(
                Diagnostic::new(
                    &CODE,
                    table.name.span,
                    format!("loot table `{}` is not used by any spawn region", table.name.value),
                )
                .label("unused")
                .help("reference it with `loot_table = \"...\"` in a spawn_config, or delete it"),
            );
        }
    }
}
