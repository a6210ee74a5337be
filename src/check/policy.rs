//! What a `policy` block means: the one place that decides whether it narrows a range.

use crate::model::dialect::{describe_range, rules_attr, Attr, Kind};
use crate::model::project::{Policy, Project};

/// Why a policy cannot be applied; `None` means it is a valid narrowing.
pub enum Problem {
    UnknownAttribute,
    NotNumeric(&'static Attr),
    Empty,
    NotInteger { max: bool },
    Widens { max: bool, builtin: String },
    Inverted,
}

/// The narrowed inclusive range a valid policy imposes.
pub fn narrowed(policy: &Policy) -> Result<(&'static Attr, (f64, f64)), Problem> {
    let attr = rules_attr(&policy.attr.value).ok_or(Problem::UnknownAttribute)?;
    let (Some((lo, hi)), Kind::Int | Kind::Number) = (attr.range, attr.kind) else {
        return Err(Problem::NotNumeric(attr));
    };
    if policy.min.is_none() && policy.max.is_none() {
        return Err(Problem::Empty);
    }
    let builtin = describe_range(attr.kind, (lo, hi));
    for (bound, is_max) in [(&policy.min, false), (&policy.max, true)] {
        let Some(bound) = bound else { continue };
        if attr.kind == Kind::Int && !bound.value.is_integer_literal() {
            return Err(Problem::NotInteger { max: is_max });
        }
        if bound.value.value < lo || bound.value.value > hi {
            return Err(Problem::Widens { max: is_max, builtin });
        }
    }
    let min = policy.min.as_ref().map_or(lo, |m| m.value.value);
    let max = policy.max.as_ref().map_or(hi, |m| m.value.value);
    if min > max {
        return Err(Problem::Inverted);
    }
    Ok((attr, (min, max)))
}

/// The range `path` (`spawn_config.max_concurrent`) may take in this project: its built-in
/// range, narrowed by the valid policies that name it. A help line that suggests a number
/// checks it against this first, so it never suggests one the rules would reject.
pub fn allowed(project: &Project, path: &str) -> Option<(f64, f64)> {
    let builtin = rules_attr(path)?.range?;
    let narrowed = project.policies.iter().filter(|p| p.attr.value == path).filter_map(|p| narrowed(p).ok());
    Some(narrowed.fold(builtin, |(lo, hi), (_, (min, max))| (lo.max(min), hi.min(max))))
}
