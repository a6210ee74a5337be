//! A `policy` block may narrow a built-in range, never widen it.

use std::collections::BTreeMap;

use crate::check::policy::{narrowed, Problem};
use crate::check::Context;
use crate::diagnostic::declare_code;
use crate::diagnostic::{Diagnostic, Sink};

declare_code! {
    /// A `policy` block in `rulesctl.hcl` does not narrow its attribute's range.
    ///
    /// A policy is a ceiling a team sets on itself; it may only narrow the built-in range.
    /// A policy that widens the range, sets `min` above `max`, sets neither, uses a fraction
    /// for an integer attribute, targets a non-numeric attribute or repeats an earlier policy
    /// is rejected, so the built-in safety net always holds.
    ///
    /// Example: `policy "spawn_config.base_rate" { max = 5000 }` (the built-in maximum is 1000).
    ///
    /// Fix: choose bounds inside the built-in range, with `min` at most `max`.
    pub static CODE = ("P001", "invalid-policy", Error);
}

pub fn check(cx: &Context<'_>, sink: &mut Sink) {
    let mut seen = BTreeMap::new();
    for policy in &cx.project.policies {
        if let Some(first) = seen.insert(policy.attr.value.as_str(), policy.attr.span) {
            sink.push(
                Diagnostic::new(&CODE, policy.attr.span, format!("a second policy for `{}`", policy.attr.value))
                    .label("repeated policy")
                    .related(first, "first policy here")
                    .help("merge the two policy blocks into one"),
            );
            continue;
        }
        let bound_span = |max: bool| {
            if max { policy.max.as_ref() } else { policy.min.as_ref() }.map_or(policy.attr.span, |b| b.span)
        };
        let (span, message, help) = match narrowed(policy) {
            Ok(_) | Err(Problem::UnknownAttribute) => continue,
            Err(Problem::NotNumeric(attr)) => (
                policy.attr.span,
                format!("`{}` is not a numeric attribute", policy.attr.value),
                format!("policies narrow numeric ranges; `{}` has none", attr.name),
            ),
            Err(Problem::Empty) => (
                policy.block,
                "this policy sets neither `min` nor `max`".into(),
                "add `min = ...`, `max = ...` or both".into(),
            ),
            Err(Problem::NotInteger { max }) => (
                bound_span(max),
                format!("`{}` is an integer attribute, so its policy bounds are integers", policy.attr.value),
                "write a whole number".into(),
            ),
            Err(Problem::Widens { max, builtin }) => (
                bound_span(max),
                format!("this policy widens `{}` beyond its built-in range {builtin}", policy.attr.value),
                format!("a policy may only narrow the range: choose a bound within {builtin}"),
            ),
            Err(Problem::Inverted) => (
                policy.block,
                "this policy's `min` is greater than its `max`".into(),
                "swap the bounds or correct one of them".into(),
            ),
        };
        sink.push(Diagnostic::new(&CODE, span, message).label("invalid policy").help(help));
    }
}
