//! The one table of checks: code → rule.

use crate::check::rules;
use crate::check::Context;
use crate::diagnostic::{Code, Sink};

/// A registered check.
pub struct Rule {
    pub code: &'static Code,
    pub run: fn(&Context<'_>, &mut Sink),
}

pub static RULES: &[Rule] = &[
    Rule { code: &rules::block_count::CODE, run: rules::block_count::check },
    Rule { code: &rules::out_of_range::CODE, run: rules::out_of_range::check },
    Rule { code: &rules::policy_violation::CODE, run: rules::policy_violation::check },
    Rule { code: &rules::invalid_policy::CODE, run: rules::invalid_policy::check },
    Rule { code: &rules::unknown_policy_attribute::CODE, run: rules::unknown_policy_attribute::check },
    Rule { code: &rules::cooldown_below_minimum::CODE, run: rules::cooldown_below_minimum::check },
    Rule { code: &rules::spawn_rate_exceeds_capacity::CODE, run: rules::spawn_rate_exceeds_capacity::check },
    Rule { code: &rules::window_not_below_cooldown::CODE, run: rules::window_not_below_cooldown::check },
    Rule { code: &rules::unresolved_loot_table::CODE, run: rules::unresolved_loot_table::check },
    Rule { code: &rules::unused_loot_table::CODE, run: rules::unused_loot_table::check },
    Rule { code: &rules::duplicate_region::CODE, run: rules::duplicate_region::check },
    Rule { code: &rules::duplicate_loot_table::CODE, run: rules::duplicate_loot_table::check },
    Rule { code: &rules::duplicate_item::CODE, run: rules::duplicate_item::check },
    Rule { code: &rules::empty_loot_table::CODE, run: rules::empty_loot_table::check },
    Rule { code: &rules::region_without_stream::CODE, run: rules::region_without_stream::check },
    Rule { code: &rules::stream_without_region::CODE, run: rules::stream_without_region::check },
    Rule { code: &rules::duplicate_stream::CODE, run: rules::duplicate_stream::check },
    Rule { code: &rules::literal_credential::CODE, run: rules::literal_credential::check },
    Rule { code: &rules::override_not_allowed::CODE, run: rules::override_not_allowed::check },
    Rule { code: &rules::unknown_secret::CODE, run: rules::unknown_secret::check },
    Rule { code: &rules::request_above_limit::CODE, run: rules::request_above_limit::check },
    Rule { code: &rules::limit_above_allocatable::CODE, run: rules::limit_above_allocatable::check },
    Rule { code: &rules::invalid_quantity::CODE, run: rules::invalid_quantity::check },
    Rule { code: &rules::value_out_of_bounds::CODE, run: rules::value_out_of_bounds::check },
    Rule { code: &rules::invalid_value::CODE, run: rules::invalid_value::check },
    Rule { code: &rules::value_mismatch::CODE, run: rules::value_mismatch::check },
    Rule { code: &rules::injected_value_written::CODE, run: rules::injected_value_written::check },
    Rule { code: &rules::version_not_bumped::CODE, run: rules::version_not_bumped::check },
];
