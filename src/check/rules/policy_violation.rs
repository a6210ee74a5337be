//! Numbers also respect the narrower ranges set by `policy` blocks in `rulesctl.hcl`.

use crate::check::policy::narrowed;
use crate::check::Context;
use crate::diagnostic::declare_code;
use crate::diagnostic::{Diagnostic, Sink};
use crate::model::dialect::describe_range;

declare_code! {
    /// A number is inside its built-in range but outside a team policy.
    ///
    /// A `policy "block.attribute" { min = .., max = .. }` block in `rulesctl.hcl` narrows a
    /// built-in range for this repository, such as a lower ceiling on
    /// `safety_bounds.max_spawn_rate_multiplier` for a cautious live season.
    ///
    /// Example: with `policy "spawn_config.base_rate" { max = 500 }`, `base_rate = 600` fails.
    ///
    /// Fix: bring the value within the policy, or change the policy in review.
    pub static CODE = ("B002", "policy-violation", Error);
}

pub fn check(cx: &Context<'_>, sink: &mut Sink) {
    for policy in &cx.project.policies {
        let Ok((attr, (min, max))) = narrowed(policy) else { continue };
        let builtin = attr.range.unwrap_or((f64::MIN, f64::MAX));
        for n in cx.ruleset.numbers.iter().filter(|n| std::ptr::eq(n.attr, attr)) {
            let v = n.num.value;
            let in_builtin = v >= builtin.0 && v <= builtin.1;
            if in_builtin && (v < min || v > max) {
                let range = describe_range(attr.kind, (min, max));
                let bound = if v > max { policy.max.as_ref() } else { policy.min.as_ref() };
                let bound_span = bound.map_or(policy.block, |b| b.span);
                sink.push(
                    Diagnostic::new(
                        &CODE,
                        n.span,
                        format!("`{}` is {}, outside the policy range {range}", n.path(), n.num.repr()),
                    )
                    .label(format!("policy allows {range}"))
                    .related(bound_span, "policy set here")
                    .help(format!("choose a value from {range}, or change the policy in rulesctl.hcl")),
                );
            }
        }
    }
}
