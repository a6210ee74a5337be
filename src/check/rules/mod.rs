//! One check per file; each declares the code it owns and documents it for `rulesctl explain`.

pub mod block_count;
pub mod cooldown_below_minimum;
pub mod duplicate_item;
pub mod duplicate_loot_table;
pub mod duplicate_region;
pub mod duplicate_stream;
pub mod empty_loot_table;
pub mod invalid_policy;
pub mod out_of_range;
pub mod policy_violation;
pub mod region_without_stream;
pub mod spawn_rate_exceeds_capacity;
pub mod stream_without_region;
pub mod unknown_policy_attribute;
pub mod unresolved_loot_table;
pub mod unused_loot_table;
pub mod window_not_below_cooldown;
