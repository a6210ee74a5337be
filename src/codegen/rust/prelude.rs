//! The module's fixed part: its types and lookups, the same in every generated module.
//!
//! Kept as text in rustfmt's default layout; an item per paragraph (blank lines only between
//! items), which is what `verify` relies on to name the item that differs.

pub const TYPES: &str = r#"/// One spawn region: `spawn_config` in the rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SpawnConfig {
    /// The region's name; [`SPAWN_CONFIGS`] is sorted by it.
    pub region: &'static str,
    /// Spawns per minute.
    pub base_rate: u32,
    /// The most spawned entities alive at once.
    pub max_concurrent: u32,
    /// Milliseconds between two spawns.
    pub cooldown_ms: u32,
    /// The name of the region's loot table, which [`loot_table`] finds.
    pub loot_table: &'static str,
}

/// One item of a loot table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LootItem {
    /// The item's name; a table's items are sorted by it.
    pub name: &'static str,
    /// The relative drop weight.
    pub weight: u32,
}

/// A loot table: `loot_table "<name>"` in the rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LootTable {
    /// The table's name; [`LOOT_TABLES`] is sorted by it.
    pub name: &'static str,
    /// The items, sorted by name.
    pub items: &'static [LootItem],
}
impl LootTable {
    /// The item `roll` picks: with `total` the sum of the weights, `r = roll % total`, and the
    /// first item (in name order) whose cumulative weight exceeds `r`. The WebAssembly module's
    /// `loot_pick` gives the same item for every roll. `None` only for a table without weight.
    pub fn pick(&self, roll: u64) -> Option<&'static LootItem> {
        let total: u64 = self.items.iter().map(|i| u64::from(i.weight)).sum();
        if total == 0 {
            return None;
        }
        let r = roll % total;
        let mut cumulative = 0;
        self.items.iter().find(|i| {
            cumulative += u64::from(i.weight);
            cumulative > r
        })
    }
}

/// A spawn region's event stream: `event_stream` in the rules.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EventStream {
    /// The region's name; [`EVENT_STREAMS`] is sorted by it.
    pub region: &'static str,
    /// The most events the stream holds.
    pub max_len: u32,
    /// The most events a consumer has in flight.
    pub max_in_flight: u32,
    /// How much the retry backoff grows each time.
    pub backoff_multiplier: f64,
    /// The longest retry backoff, in milliseconds.
    pub max_backoff_ms: u32,
}

/// The global event timers: `event_timers` in the rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct EventTimers {
    /// Seconds between world bosses.
    pub world_boss_interval: u32,
    /// Seconds per weather cycle.
    pub weather_cycle: u32,
    /// The daily maintenance window, as written in the rules (`"04:00 UTC"`).
    pub maintenance_window: &'static str,
    /// The same time as minutes after midnight UTC (240 for `"04:00 UTC"`), so nothing parses.
    pub maintenance_window_minute: u32,
}

/// The safety bounds: `safety_bounds` in the rules.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SafetyBounds {
    /// Peak spawn rate as a multiple of `base_rate`.
    pub max_spawn_rate_multiplier: f64,
    /// The floor for every `cooldown_ms`, in milliseconds.
    pub min_cooldown_override: u32,
    /// The window in which a repeated event is a duplicate, in milliseconds.
    pub duplicate_event_window_ms: u32,
}

/// One leaf of the Merkle tree: a section and its leaf hash, as in the JSON artifact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Section {
    /// `spawn_config/<region>`, `loot_table/<name>`, `event_stream/<region>`, `event_timers` or
    /// `safety_bounds`; [`SECTIONS`] is sorted by it.
    pub id: &'static str,
    /// `sha256:` and the hex leaf hash (RFC 6962: SHA-256 of 0x00, id, 0x00, compact JSON).
    pub hash: &'static str,
}

/// The spawn settings of `region`: a binary search over [`SPAWN_CONFIGS`].
pub fn spawn_config(region: &str) -> Option<&'static SpawnConfig> {
    let found = SPAWN_CONFIGS.binary_search_by(|s| s.region.cmp(region));
    found.ok().and_then(|i| SPAWN_CONFIGS.get(i))
}

/// The loot table called `name`: a binary search over [`LOOT_TABLES`].
pub fn loot_table(name: &str) -> Option<&'static LootTable> {
    let found = LOOT_TABLES.binary_search_by(|t| t.name.cmp(name));
    found.ok().and_then(|i| LOOT_TABLES.get(i))
}

/// The event stream of `region`: a binary search over [`EVENT_STREAMS`].
pub fn event_stream(region: &str) -> Option<&'static EventStream> {
    let found = EVENT_STREAMS.binary_search_by(|s| s.region.cmp(region));
    found.ok().and_then(|i| EVENT_STREAMS.get(i))
}

/// The Merkle leaf hash of the section `id`: a binary search over [`SECTIONS`].
pub fn section_hash(id: &str) -> Option<&'static str> {
    let found = SECTIONS.binary_search_by(|s| s.id.cmp(id));
    found.ok().and_then(|i| SECTIONS.get(i)).map(|s| s.hash)
}
"#;
