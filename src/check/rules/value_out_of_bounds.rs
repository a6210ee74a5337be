//! A declared value lies within its declared bounds.

use crate::check::{declared, Context};
use crate::diagnostic::declare_code;
use crate::diagnostic::{Diagnostic, Sink};
use crate::model::declared::Measure;

declare_code! {
    /// A value is outside the bounds `rulesctl.hcl` declares for it.
    ///
    /// `value "deployment.rollbackTimeout" { type = "duration", max = "5m" }` holds every
    /// environment's rendered value to at most five minutes; `min` is a floor. Durations and
    /// quantities are compared exactly (`300s` equals `5m`, `1Gi` equals `1024Mi`).
    ///
    /// Example: `rollbackTimeout: "10m"` with `max = "5m"`.
    ///
    /// Fix: bring the value within the bounds, or change the declaration after review.
    pub static CODE = ("H008", "value-out-of-bounds", Error);
}

pub fn check(cx: &Context<'_>, sink: &mut Sink) {
    for found in declared::found(cx) {
        let Measure::Amount(amount) = found.kind.measure(found.value) else { continue };
        let text = crate::check::resources::amount(found.value).unwrap_or_default();
        let path = &found.decl.path.value;
        for (bound, below) in [(&found.decl.min, true), (&found.decl.max, false)] {
            let Some(bound) = bound else { continue };
            let Measure::Amount(limit) = found.kind.measure_text(&bound.value) else { continue };
            if (below && amount < limit) || (!below && amount > limit) {
                let (word, side) = if below { ("min", "below") } else { ("max", "above") };
                sink.push(
                    found.target.scope(
                        Diagnostic::new(
                            &CODE,
                            found.target.doc.span(&found.pointer),
                            format!("`{path}` is {text}, {side} the {word} of {}", bound.value),
                        )
                        .label(format!("{side} {}", bound.value))
                        .related(bound.span, format!("{word} declared here"))
                        .help(format!(
                            "set `{path}` to {} or {}",
                            bound.value,
                            if below { "more" } else { "less" }
                        )),
                    ),
                );
            }
        }
    }
}
