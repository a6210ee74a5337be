//! The ruleset: every rule file's blocks, merged, typed and spanned.

use crate::diagnostic::Sink;
use crate::diagnostic::{FileId, Span};
use crate::model::decode::{decode, Node, NumberAt};
use crate::model::dialect::RULES;
use crate::model::Spanned;
use crate::parse::{Entry, Num};

/// A typed attribute, absent when it was missing or invalid (already reported).
pub type Field<T> = Option<Spanned<T>>;

#[derive(Debug, Clone)]
pub struct SpawnConfig {
    pub block: Span,
    pub region: Field<String>,
    pub base_rate: Field<i64>,
    pub max_concurrent: Field<i64>,
    pub cooldown_ms: Field<i64>,
    pub loot_table: Field<String>,
}

impl SpawnConfig {
    /// The region's peak spawn rate per minute, `base_rate × safety_bounds.max_spawn_rate_multiplier`
    /// (what X002 holds against `max_concurrent`, and the editor's inlay hint shows); `None` when
    /// either is missing or the product is not a finite number.
    pub fn peak_rate(&self, bounds: Option<&SafetyBounds>) -> Option<f64> {
        let rate = self.base_rate.as_ref()?.value;
        let mult = bounds?.max_spawn_rate_multiplier.as_ref()?.value.value;
        #[allow(clippy::cast_precision_loss)] // base_rate is at most 1000 once in range
        let peak = rate as f64 * mult;
        peak.is_finite().then_some(peak)
    }
}

#[derive(Debug, Clone)]
pub struct LootItem {
    pub block: Span,
    pub name: Spanned<String>,
    pub weight: Field<i64>,
}

#[derive(Debug, Clone)]
pub struct LootTable {
    pub block: Span,
    pub name: Spanned<String>,
    pub items: Vec<LootItem>,
    /// False when an item failed to decode or an unknown key stands in the table, so an
    /// "empty table" may only be an artefact of that.
    pub complete: bool,
}

#[derive(Debug, Clone)]
pub struct EventTimers {
    pub block: Span,
    pub world_boss_interval: Field<i64>,
    pub weather_cycle: Field<i64>,
    pub maintenance_window: Field<String>,
}

#[derive(Debug, Clone)]
pub struct SafetyBounds {
    pub block: Span,
    pub max_spawn_rate_multiplier: Field<Num>,
    pub min_cooldown_override: Field<i64>,
    pub duplicate_event_window_ms: Field<i64>,
}

#[derive(Debug, Clone)]
pub struct EventStream {
    pub block: Span,
    pub region: Field<String>,
    pub max_len: Field<i64>,
    pub max_in_flight: Field<i64>,
    pub backoff_multiplier: Field<Num>,
    pub max_backoff_ms: Field<i64>,
}

/// How many blocks (and numbers, and parsed files) of each kind one rule file's part holds;
/// added up over the files before a part, where that part starts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Extent {
    pub versions: usize,
    pub spawns: usize,
    pub loot_tables: usize,
    pub event_timers: usize,
    pub safety_bounds: usize,
    pub streams: usize,
    pub numbers: usize,
    pub files: usize,
}

impl std::ops::AddAssign for Extent {
    fn add_assign(&mut self, o: Extent) {
        self.versions += o.versions;
        self.spawns += o.spawns;
        self.loot_tables += o.loot_tables;
        self.event_timers += o.event_timers;
        self.safety_bounds += o.safety_bounds;
        self.streams += o.streams;
        self.numbers += o.numbers;
        self.files += o.files;
    }
}

/// All rule files together. Blocks that must appear once are kept as lists so the check that
/// owns "exactly once" can point at every copy.
#[derive(Debug, Clone, Default)]
pub struct Ruleset {
    pub versions: Vec<Spanned<String>>,
    pub spawns: Vec<SpawnConfig>,
    pub loot_tables: Vec<LootTable>,
    pub event_timers: Vec<EventTimers>,
    pub safety_bounds: Vec<SafetyBounds>,
    pub streams: Vec<EventStream>,
    /// Every numeric attribute, for the range and policy checks.
    pub numbers: Vec<NumberAt>,
    /// The rule files that parsed, so "exactly once" is not claimed over a file that did not.
    pub files: Vec<FileId>,
    /// True when some rule file failed to parse: its blocks are unknown, so checks that need
    /// the whole ruleset ("exactly once", "resolves") stay quiet rather than guess.
    pub partial: bool,
    /// True when a block's name or reference is missing or invalid (already reported): which
    /// regions and tables exist is then unknown, so the checks that match names across blocks
    /// stay quiet rather than blame the blocks that are right.
    pub names_unknown: bool,
}

impl Ruleset {
    /// The ruleset one parsed rule file holds; [`Ruleset::append`] joins files in order. Built
    /// per file so files can be decoded on several threads and their syntax trees dropped early.
    pub fn of_file(file: FileId, entries: &[Entry], sink: &mut Sink) -> Self {
        let mut one = Ruleset::default();
        one.add_file(file, entries, usize::MAX, sink);
        one
    }

    /// Moves every place in this part to file `id`. A part decoded from one file holds places in
    /// that file only, so a cached part can join a later run, where the file has another id.
    pub fn set_file(&mut self, id: FileId) {
        fn at<T>(field: &mut Option<Spanned<T>>, id: FileId) {
            if let Some(f) = field {
                f.span.file = id;
            }
        }
        for v in &mut self.versions {
            v.span.file = id;
        }
        for s in &mut self.spawns {
            s.block.file = id;
            at(&mut s.region, id);
            at(&mut s.base_rate, id);
            at(&mut s.max_concurrent, id);
            at(&mut s.cooldown_ms, id);
            at(&mut s.loot_table, id);
        }
        for t in &mut self.loot_tables {
            t.block.file = id;
            t.name.span.file = id;
            for item in &mut t.items {
                item.block.file = id;
                item.name.span.file = id;
                at(&mut item.weight, id);
            }
        }
        for t in &mut self.event_timers {
            t.block.file = id;
            at(&mut t.world_boss_interval, id);
            at(&mut t.weather_cycle, id);
            at(&mut t.maintenance_window, id);
        }
        for b in &mut self.safety_bounds {
            b.block.file = id;
            at(&mut b.max_spawn_rate_multiplier, id);
            at(&mut b.min_cooldown_override, id);
            at(&mut b.duplicate_event_window_ms, id);
        }
        for s in &mut self.streams {
            s.block.file = id;
            at(&mut s.region, id);
            at(&mut s.max_len, id);
            at(&mut s.max_in_flight, id);
            at(&mut s.backoff_multiplier, id);
            at(&mut s.max_backoff_ms, id);
        }
        for n in &mut self.numbers {
            n.span.file = id;
        }
        for f in &mut self.files {
            *f = id;
        }
    }

    /// Makes room for the rest of `files` files, as many of each block per file as the `seen`
    /// files joined so far hold. Files in one repository tend to be alike, and growing the
    /// longest lists (every number of 10,000 files) by doubling would copy them again and again
    /// and, with some allocators, hold the old copies at the peak. One file is a poor sample of a
    /// repository whose files are of a few kinds (a file of regions, then one of loot tables):
    /// the estimate is made again after 16 and 256 files (see `pipeline::load`), and a list
    /// only grows when the new estimate is over what it has.
    pub fn reserve_like_rest(&mut self, seen: usize, files: usize) {
        let seen = seen.max(1);
        let rest = files.saturating_sub(seen);
        let room = |len: usize| len.saturating_mul(rest) / seen + files / 8;
        // Blocks that must appear once take no more room than one per file.
        let once = |len: usize| room(len).min(files.saturating_sub(len));
        grow(&mut self.versions, once);
        grow(&mut self.spawns, room);
        grow(&mut self.loot_tables, room);
        grow(&mut self.event_timers, once);
        grow(&mut self.safety_bounds, once);
        grow(&mut self.streams, room);
        grow(&mut self.numbers, room);
        grow(&mut self.files, |_| rest);
    }

    /// Appends another part of the ruleset (the next file's), keeping file order.
    pub fn append(&mut self, other: Ruleset) {
        self.versions.extend(other.versions);
        self.spawns.extend(other.spawns);
        self.loot_tables.extend(other.loot_tables);
        self.event_timers.extend(other.event_timers);
        self.safety_bounds.extend(other.safety_bounds);
        self.streams.extend(other.streams);
        self.numbers.extend(other.numbers);
        self.files.extend(other.files);
        self.partial |= other.partial;
        self.names_unknown |= other.names_unknown;
    }

    /// How many of each list this part holds: where it sits in a joined ruleset follows from
    /// the extents of the parts before it, so an edited file's part can be swapped in place.
    pub fn extent(&self) -> Extent {
        Extent {
            versions: self.versions.len(),
            spawns: self.spawns.len(),
            loot_tables: self.loot_tables.len(),
            event_timers: self.event_timers.len(),
            safety_bounds: self.safety_bounds.len(),
            streams: self.streams.len(),
            numbers: self.numbers.len(),
            files: self.files.len(),
        }
    }

    /// Swaps the part at `start` (the extents of the parts before it, added) spanning `old`
    /// for `part`, keeping file order, without copying the other parts (one edit in a
    /// ruleset of 10,000 files moves the lists' tails, it does not rebuild them). The flags
    /// are the caller's: they depend on every part.
    pub fn replace_part(&mut self, start: Extent, old: Extent, part: Ruleset) {
        fn swap<T>(list: &mut Vec<T>, at: usize, len: usize, new: Vec<T>) {
            list.splice(at..at + len, new);
        }
        swap(&mut self.versions, start.versions, old.versions, part.versions);
        swap(&mut self.spawns, start.spawns, old.spawns, part.spawns);
        swap(&mut self.loot_tables, start.loot_tables, old.loot_tables, part.loot_tables);
        swap(&mut self.event_timers, start.event_timers, old.event_timers, part.event_timers);
        swap(&mut self.safety_bounds, start.safety_bounds, old.safety_bounds, part.safety_bounds);
        swap(&mut self.streams, start.streams, old.streams, part.streams);
        swap(&mut self.numbers, start.numbers, old.numbers, part.numbers);
        swap(&mut self.files, start.files, old.files, part.files);
    }

    /// A copy of the part at `start` spanning `extent` (see [`Ruleset::replace_part`]), flags
    /// unset.
    pub fn part(&self, start: Extent, extent: Extent) -> Ruleset {
        fn slice<T: Clone>(list: &[T], at: usize, len: usize) -> Vec<T> {
            list.get(at..at + len).map_or_else(Vec::new, <[T]>::to_vec)
        }
        Ruleset {
            versions: slice(&self.versions, start.versions, extent.versions),
            spawns: slice(&self.spawns, start.spawns, extent.spawns),
            loot_tables: slice(&self.loot_tables, start.loot_tables, extent.loot_tables),
            event_timers: slice(&self.event_timers, start.event_timers, extent.event_timers),
            safety_bounds: slice(&self.safety_bounds, start.safety_bounds, extent.safety_bounds),
            streams: slice(&self.streams, start.streams, extent.streams),
            numbers: slice(&self.numbers, start.numbers, extent.numbers),
            files: slice(&self.files, start.files, extent.files),
            partial: false,
            names_unknown: false,
        }
    }

    /// Adds one parsed rule file.
    pub fn add_file(&mut self, file: FileId, entries: &[Entry], max_diagnostics: usize, sink: &mut Sink) {
        self.add_entries(file, entries, max_diagnostics, sink);
        self.end_file(file);
    }

    /// Adds some of a rule file's top-level entries: a file parsed in pieces
    /// ([`crate::parse::hcl_fold`]) is added a piece at a time, in order, then ended with
    /// [`Ruleset::end_file`]. Decoding the top level piece by piece says what decoding it whole
    /// says, as the top level requires no attribute and has no block that may appear only once
    /// (a test holds the dialect table to that): each entry is decoded on its own. Past
    /// `max_diagnostics` in `sink`, diagnostics are made plainer (see [`decode`]).
    pub fn add_entries(&mut self, file: FileId, entries: &[Entry], max_diagnostics: usize, sink: &mut Sink) {
        let root = decode(entries, &RULES, Span::file(file), max_diagnostics, sink);
        // An unknown block at the top level may be a misspelt `spawn_config` or `loot_table`:
        // what it holds is unknown, so the checks across the whole ruleset stay quiet.
        if root.unknown {
            self.partial = true;
        }
        root.numbers(&mut self.numbers);
        self.versions.extend(root.str("ruleset_version"));
        for node in &root.blocks {
            match node.spec.name {
                "spawn_config" => self.spawns.push(SpawnConfig {
                    block: node.ident_span,
                    region: node.str("region"),
                    base_rate: node.int("base_rate"),
                    max_concurrent: node.int("max_concurrent"),
                    cooldown_ms: node.int("cooldown_ms"),
                    loot_table: node.str("loot_table"),
                }),
                "loot_table" => {
                    self.names_unknown |= node.label.is_none();
                    if let Some(name) = node.label.clone() {
                        let items = node.children("item").filter_map(item).collect();
                        let complete = !node.unknown && node.blocks.iter().all(|b| b.complete);
                        self.loot_tables.push(LootTable { block: node.ident_span, name, items, complete });
                    }
                }
                "event_timers" => self.event_timers.push(EventTimers {
                    block: node.ident_span,
                    world_boss_interval: node.int("world_boss_interval"),
                    weather_cycle: node.int("weather_cycle"),
                    maintenance_window: node.str("maintenance_window"),
                }),
                "safety_bounds" => self.safety_bounds.push(SafetyBounds {
                    block: node.ident_span,
                    max_spawn_rate_multiplier: node.num("max_spawn_rate_multiplier"),
                    min_cooldown_override: node.int("min_cooldown_override"),
                    duplicate_event_window_ms: node.int("duplicate_event_window_ms"),
                }),
                "event_stream" => self.streams.push(EventStream {
                    block: node.ident_span,
                    region: node.str("region"),
                    max_len: node.int("max_len"),
                    max_in_flight: node.int("max_in_flight"),
                    backoff_multiplier: node.num("backoff_multiplier"),
                    max_backoff_ms: node.int("max_backoff_ms"),
                }),
                _ => {}
            }
        }
    }

    /// Ends a rule file whose entries were added with [`Ruleset::add_entries`].
    pub fn end_file(&mut self, file: FileId) {
        self.files.push(file);
        let spawn_names = self.spawns.iter().any(|s| s.region.is_none() || s.loot_table.is_none());
        self.names_unknown |= spawn_names || self.streams.iter().any(|s| s.region.is_none());
    }

    /// The one `safety_bounds` block, when there is exactly one.
    pub fn bounds(&self) -> Option<&SafetyBounds> {
        match self.safety_bounds.as_slice() {
            [only] => Some(only),
            _ => None,
        }
    }
}

fn item(node: &Node) -> Option<LootItem> {
    Some(LootItem { block: node.ident_span, name: node.label.clone()?, weight: node.int("weight") })
}

/// Makes room for `more(len)` more elements in `list`, moving only the elements it holds: `Vec::reserve`
/// reallocates, and the allocator copies the whole old block, reserved room included, which a
/// first estimate had made large and never touched (each of its pages a fault to read, then one
/// to write).
fn grow<T>(list: &mut Vec<T>, more: impl Fn(usize) -> usize) {
    let more = more(list.len());
    if list.capacity() - list.len() >= more {
        return;
    }
    let mut bigger = Vec::with_capacity(list.len().saturating_add(more));
    bigger.append(list);
    *list = bigger;
}

#[cfg(test)]
mod tests {
    use super::grow;
    use crate::model::dialect::{Occurs, RULES};

    /// What [`super::Ruleset::add_entries`] relies on to decode a file's top level in pieces:
    /// nothing at the top level is missing from one piece but present in another, and no block
    /// there is a repeat of one in another piece.
    #[test]
    fn the_top_level_of_a_rule_file_can_be_decoded_a_piece_at_a_time() {
        assert!(RULES.attrs.iter().all(|a| !a.required));
        assert!(RULES.blocks.iter().all(|b| b.occurs != Occurs::AtMostOnce));
    }

    /// Room is made by moving what the list holds into a new block of the size asked for, so
    /// the estimate's untouched room is never copied; a list with room enough is left alone.
    #[test]
    fn a_list_grows_to_the_room_asked_for_keeping_what_it_holds() {
        let mut list: Vec<u32> = Vec::with_capacity(100);
        list.extend([1, 2, 3]);
        grow(&mut list, |len| len * 10);
        assert_eq!(list.capacity(), 100, "room enough: left alone");
        grow(&mut list, |len| len + 1000);
        assert!(list.capacity() >= 1006, "{}", list.capacity());
        assert!(list.capacity() < 2000, "no doubling over the estimate: {}", list.capacity());
        assert_eq!(list, [1, 2, 3]);
    }
}
