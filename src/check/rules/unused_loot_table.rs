//! A loot table nothing references is probably a leftover.

use crate::check::Context;
use crate::diagnostic::declare_code;
use crate::diagnostic::{Diagnostic, Sink};
use crate::model::near::Near;

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
    let used: foldhash::HashSet<&str> =
        cx.ruleset.spawns.iter().filter_map(|s| s.loot_table.as_ref()).map(|r| r.value.as_str()).collect();
    let tables: foldhash::HashSet<&str> = cx.ruleset.loot_tables.iter().map(|t| t.name.value.as_str()).collect();
    // References to no table: a table one slip away from one is its misspelt target (X004 says
    // so), not a leftover.
    let unresolved: Vec<_> = cx
        .ruleset
        .spawns
        .iter()
        .filter_map(|s| s.loot_table.as_ref())
        .filter(|r| !tables.contains(r.value.as_str()))
        .collect();
    let references = Near::new(unresolved.iter().map(|r| r.value.as_str()));
    for table in &cx.ruleset.loot_tables {
        if !used.contains(table.name.value.as_str()) {
            let name = table.name.value.as_str();
            let misspelt = references.first_misspelling_of(name).map(|i| unresolved[i]);
            let mut diagnostic = Diagnostic::new(
                &CODE,
                table.name.span,
                format!("loot table `{}` is not used by any spawn region", table.name.value),
            )
            .label("unused")
            .help("reference it with `loot_table = \"...\"` in a spawn_config, or delete it");
            if let Some(reference) = misspelt {
                diagnostic = diagnostic.follows(reference.span);
            }
            sink.push(diagnostic);
        }
    }
}
