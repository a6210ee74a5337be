//! The table of every diagnostic code, for `explain`, the README and the uniqueness test.

use crate::diagnostic::Code;
use crate::{check, commands, model, parse, source};

/// Every code rulesctl can emit, sorted by id.
pub fn all() -> Vec<&'static Code> {
    let mut codes: Vec<&'static Code> = vec![
        &source::rules::UNREADABLE,
        &source::text::NOT_UTF8,
        &source::text::NUL_BYTE,
        &source::rules::TOO_LARGE,
        &source::rules::SYMLINK_OUTSIDE,
        &source::rules::NOT_A_FILE,
        &source::rules::NO_RULES,
        &source::rules::EMPTY_FILE,
        &parse::SYNTAX,
        &parse::NON_LITERAL,
        &model::decode::UNKNOWN_BLOCK,
        &model::decode::UNKNOWN_ATTRIBUTE,
        &model::decode::WRONG_LABELS,
        &model::decode::WRONG_TYPE,
        &model::decode::MISSING_ATTRIBUTE,
        &model::decode::INVALID_FORMAT,
        &model::decode::REPEATED_BLOCK,
        &model::deploy::SCHEMA,
        &model::deploy::ENV_NAME,
        &model::deploy::VALUES_MISSING,
        &parse::yaml::SYNTAX,
        &parse::yaml::DUPLICATE_KEY,
        &parse::yaml::ALIAS_LIMIT,
        &parse::yaml::TOO_DEEP,
        &parse::yaml::YAML11_AMBIGUOUS,
        &parse::yaml::NOT_A_MAPPING,
        &check::rules::version_not_bumped::LOWERED,
        &check::rules::version_not_bumped::NOT_COMPARABLE,
        &commands::build::VERSION_EXISTS,
        &commands::build::WRITE_FAILED,
        &commands::verify::DIGEST_MISMATCH,
        &commands::verify::MERKLE_MISMATCH,
        &commands::verify::CHECKSUM_MISMATCH,
        &commands::verify::NOT_AN_ARTIFACT,
        &commands::verify_rust::MODULE_MISMATCH,
    ];
    codes.extend(check::registry::RULES.iter().map(|rule| rule.code));
    codes.sort_by_key(|c| c.id);
    codes
}

/// Looks a code up by id (`X001`) or name (`cooldown-below-minimum`), ignoring case.
pub fn find(query: &str) -> Option<&'static Code> {
    all().into_iter().find(|c| c.id.eq_ignore_ascii_case(query) || c.name.eq_ignore_ascii_case(query))
}
