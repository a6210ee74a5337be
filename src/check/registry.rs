//! The one table of checks: code → rule.

use crate::check::rules;
use crate::check::Context;
use crate::diagnostic::{Code, Sink};

/// A registered check.
pub struct Rule {
    pub code: &'static Code,
    pub run: fn(&Context<'_>, &mut Sink),
    /// What its findings depend on, so an incremental analysis knows which to run again after
    /// an edit (`pipeline::Workspace`); a full run ignores it.
    pub scope: Scope,
    /// It matches names across blocks, so it speaks only when every rule file parsed and
    /// every block's name and references are known (neither `Ruleset::partial` nor
    /// `Ruleset::names_unknown`): otherwise which names exist is unknown, and it would blame
    /// blocks that are right. Decided here rather than in the check, so an incremental
    /// analysis can keep its findings while a file is broken mid-edit and show them again
    /// once it parses, without running it over the whole ruleset.
    pub needs_known_names: bool,
}

/// The checks whose findings about a document that renders (values.yaml as rendered, or one
/// environment's merged values) depend only on that document, the project file and the
/// ruleset: each environment can be checked by them alone, as soon as its values are merged
/// (see [`crate::model::deploy::EnvDoc::checked`]).
static PER_DOCUMENT: &[&Code] = &[
    &rules::unknown_secret::CODE,
    &rules::request_above_limit::CODE,
    &rules::limit_above_allocatable::CODE,
    &rules::invalid_quantity::CODE,
    &rules::value_out_of_bounds::CODE,
    &rules::invalid_value::CODE,
    &rules::value_mismatch::CODE,
];

impl Rule {
    /// Whether it checks one document at a time (see [`PER_DOCUMENT`]).
    pub fn per_document(&self) -> bool {
        PER_DOCUMENT.iter().any(|code| std::ptr::eq(*code, self.code))
    }

    /// Whether this check speaks about the ruleset in `cx` (see [`Rule::needs_known_names`]).
    pub fn speaks(&self, cx: &Context<'_>) -> bool {
        !self.needs_known_names || !(cx.ruleset.partial || cx.ruleset.names_unknown)
    }
}

/// What a check's findings depend on. A wrong scope makes the editor's diagnostics differ from
/// `rulesctl check`'s, which `tests/integration/incremental.rs` catches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Each finding is about one block of one rule file and depends only on that block, the
    /// ruleset's `safety_bounds` and the project file, and its primary span is in that file: it
    /// can run on one file's part alone.
    Block,
    /// Findings about the region names of `spawn_config` and `event_stream` blocks across
    /// files, each at a block with that name and depending only on the blocks of that name,
    /// except for the suggestions made when a stream's region has no `spawn_config`.
    Regions,
    /// The same for loot table names (`loot_table` blocks and the `spawn_config`s that name
    /// them), except for the suggestions made when a reference names no table.
    LootTables,
    /// Everything else: the project file, values and environments, and the blocks that appear
    /// once per ruleset. Cheap on a ruleset of any size, so it simply runs again.
    Whole,
}

pub static RULES: &[Rule] = &[
    Rule {
        code: &rules::block_count::CODE,
        run: rules::block_count::check,
        scope: Scope::Whole,
        needs_known_names: false,
    },
    Rule {
        code: &rules::out_of_range::CODE,
        run: rules::out_of_range::check,
        scope: Scope::Block,
        needs_known_names: false,
    },
    Rule {
        code: &rules::policy_violation::CODE,
        run: rules::policy_violation::check,
        scope: Scope::Block,
        needs_known_names: false,
    },
    Rule {
        code: &rules::invalid_policy::CODE,
        run: rules::invalid_policy::check,
        scope: Scope::Whole,
        needs_known_names: false,
    },
    Rule {
        code: &rules::unknown_policy_attribute::CODE,
        run: rules::unknown_policy_attribute::check,
        scope: Scope::Whole,
        needs_known_names: false,
    },
    Rule {
        code: &rules::cooldown_below_minimum::CODE,
        run: rules::cooldown_below_minimum::check,
        scope: Scope::Block,
        needs_known_names: false,
    },
    Rule {
        code: &rules::spawn_rate_exceeds_capacity::CODE,
        run: rules::spawn_rate_exceeds_capacity::check,
        scope: Scope::Block,
        needs_known_names: false,
    },
    Rule {
        code: &rules::window_not_below_cooldown::CODE,
        run: rules::window_not_below_cooldown::check,
        scope: Scope::Whole,
        needs_known_names: false,
    },
    Rule {
        code: &rules::unresolved_loot_table::CODE,
        run: rules::unresolved_loot_table::check,
        scope: Scope::LootTables,
        needs_known_names: true,
    },
    Rule {
        code: &rules::unused_loot_table::CODE,
        run: rules::unused_loot_table::check,
        scope: Scope::LootTables,
        needs_known_names: true,
    },
    Rule {
        code: &rules::duplicate_region::CODE,
        run: rules::duplicate_region::check,
        scope: Scope::Regions,
        needs_known_names: false,
    },
    Rule {
        code: &rules::duplicate_loot_table::CODE,
        run: rules::duplicate_loot_table::check,
        scope: Scope::LootTables,
        needs_known_names: false,
    },
    Rule {
        code: &rules::duplicate_item::CODE,
        run: rules::duplicate_item::check,
        scope: Scope::Block,
        needs_known_names: false,
    },
    Rule {
        code: &rules::empty_loot_table::CODE,
        run: rules::empty_loot_table::check,
        scope: Scope::Block,
        needs_known_names: false,
    },
    Rule {
        code: &rules::region_without_stream::CODE,
        run: rules::region_without_stream::check,
        scope: Scope::Regions,
        needs_known_names: true,
    },
    Rule {
        code: &rules::stream_without_region::CODE,
        run: rules::stream_without_region::check,
        scope: Scope::Regions,
        needs_known_names: true,
    },
    Rule {
        code: &rules::duplicate_stream::CODE,
        run: rules::duplicate_stream::check,
        scope: Scope::Regions,
        needs_known_names: false,
    },
    Rule {
        code: &rules::literal_credential::CODE,
        run: rules::literal_credential::check,
        scope: Scope::Whole,
        needs_known_names: false,
    },
    Rule {
        code: &rules::override_not_allowed::CODE,
        run: rules::override_not_allowed::check,
        scope: Scope::Whole,
        needs_known_names: false,
    },
    Rule {
        code: &rules::unknown_secret::CODE,
        run: rules::unknown_secret::check,
        scope: Scope::Whole,
        needs_known_names: false,
    },
    Rule {
        code: &rules::request_above_limit::CODE,
        run: rules::request_above_limit::check,
        scope: Scope::Whole,
        needs_known_names: false,
    },
    Rule {
        code: &rules::limit_above_allocatable::CODE,
        run: rules::limit_above_allocatable::check,
        scope: Scope::Whole,
        needs_known_names: false,
    },
    Rule {
        code: &rules::invalid_quantity::CODE,
        run: rules::invalid_quantity::check,
        scope: Scope::Whole,
        needs_known_names: false,
    },
    Rule {
        code: &rules::value_out_of_bounds::CODE,
        run: rules::value_out_of_bounds::check,
        scope: Scope::Whole,
        needs_known_names: false,
    },
    Rule {
        code: &rules::invalid_value::CODE,
        run: rules::invalid_value::check,
        scope: Scope::Whole,
        needs_known_names: false,
    },
    Rule {
        code: &rules::value_mismatch::CODE,
        run: rules::value_mismatch::check,
        scope: Scope::Whole,
        needs_known_names: false,
    },
    Rule {
        code: &rules::injected_value_written::CODE,
        run: rules::injected_value_written::check,
        scope: Scope::Whole,
        needs_known_names: false,
    },
    Rule {
        code: &rules::version_not_bumped::CODE,
        run: rules::version_not_bumped::check,
        scope: Scope::Whole,
        needs_known_names: false,
    },
];
