//! Go to definition and find references between the names the ruleset cross-references: a
//! `spawn_config.loot_table` and its `loot_table` block, an `event_stream.region` and its
//! `spawn_config`.

use crate::diagnostic::{FileId, Span};
use crate::model::ruleset::Ruleset;

/// A name two kinds of block share.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Symbol {
    LootTable(String),
    Region(String),
}

/// Whether a place declares the name (a loot table's label, a spawn region) or refers to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Declaration,
    Reference,
}

fn covers(span: Span, file: FileId, offset: usize) -> bool {
    span.file == file && (span.start as usize) <= offset && offset <= span.end as usize
}

/// The name at `offset` in `file`, and its role there.
pub fn symbol_at(ruleset: &Ruleset, file: FileId, offset: usize) -> Option<(Symbol, Role)> {
    for table in &ruleset.loot_tables {
        if covers(table.name.span, file, offset) {
            return Some((Symbol::LootTable(table.name.value.clone()), Role::Declaration));
        }
    }
    for spawn in &ruleset.spawns {
        if let Some(table) = spawn.loot_table.as_ref().filter(|t| covers(t.span, file, offset)) {
            return Some((Symbol::LootTable(table.value.clone()), Role::Reference));
        }
        if let Some(region) = spawn.region.as_ref().filter(|r| covers(r.span, file, offset)) {
            return Some((Symbol::Region(region.value.clone()), Role::Declaration));
        }
    }
    for stream in &ruleset.streams {
        if let Some(region) = stream.region.as_ref().filter(|r| covers(r.span, file, offset)) {
            return Some((Symbol::Region(region.value.clone()), Role::Reference));
        }
    }
    None
}

/// Every place that declares `symbol`.
pub fn declarations(ruleset: &Ruleset, symbol: &Symbol) -> Vec<Span> {
    match symbol {
        Symbol::LootTable(name) => {
            ruleset.loot_tables.iter().filter(|t| &t.name.value == name).map(|t| t.name.span).collect()
        }
        Symbol::Region(name) => ruleset
            .spawns
            .iter()
            .filter_map(|s| s.region.as_ref())
            .filter(|r| &r.value == name)
            .map(|r| r.span)
            .collect(),
    }
}

/// Every place that refers to `symbol`.
pub fn references(ruleset: &Ruleset, symbol: &Symbol) -> Vec<Span> {
    match symbol {
        Symbol::LootTable(name) => ruleset
            .spawns
            .iter()
            .filter_map(|s| s.loot_table.as_ref())
            .filter(|t| &t.value == name)
            .map(|t| t.span)
            .collect(),
        Symbol::Region(name) => ruleset
            .streams
            .iter()
            .filter_map(|s| s.region.as_ref())
            .filter(|r| &r.value == name)
            .map(|r| r.span)
            .collect(),
    }
}

/// Where "go to definition" leads: from a reference to what it names; from a spawn region to
/// its event stream (and so back); from a loot table's label to itself, which editors take as
/// the cue to list its references.
pub fn definition(ruleset: &Ruleset, file: FileId, offset: usize) -> Vec<Span> {
    match symbol_at(ruleset, file, offset) {
        Some((symbol, Role::Reference)) => declarations(ruleset, &symbol),
        Some((symbol @ Symbol::Region(_), Role::Declaration)) => references(ruleset, &symbol),
        Some((symbol @ Symbol::LootTable(_), Role::Declaration)) => declarations(ruleset, &symbol),
        None => Vec::new(),
    }
}

/// Every place naming the same table or region as the one at `offset`; declarations only when
/// asked for.
pub fn all_references(ruleset: &Ruleset, file: FileId, offset: usize, with_declaration: bool) -> Vec<Span> {
    let Some((symbol, _)) = symbol_at(ruleset, file, offset) else { return Vec::new() };
    let mut out = if with_declaration { declarations(ruleset, &symbol) } else { Vec::new() };
    out.extend(references(ruleset, &symbol));
    out
}
