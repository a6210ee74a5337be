//! A declared value equals the ruleset field it is tied to.

use crate::check::{declared, Context};
use crate::diagnostic::declare_code;
use crate::diagnostic::{Diagnostic, Sink};
use crate::model::declared::Measure;

declare_code! {
    /// A value differs from the ruleset field `rulesctl.hcl` ties it to.
    ///
    /// `value "config.vectorClockWindow" { type = "duration", equals =
    /// "safety_bounds.duplicate_event_window_ms" }` says the chart's value must be the rules'
    /// value: when one changes without the other, the game server and the sidecar disagree.
    /// Durations compare a `*_ms` field as milliseconds and other whole numbers as seconds.
    /// When a value can simply be copied, `render { inject = {...} }` writes it instead.
    ///
    /// Example: `vectorClockWindow: "5000ms"` while `duplicate_event_window_ms = 3000`.
    ///
    /// Fix: set the value to the rules' value, or inject it.
    pub static CODE = ("H012", "value-mismatch", Error);
}

pub fn check(cx: &Context<'_>, sink: &mut Sink) {
    for found in declared::found(cx) {
        let Some(equals) = &found.decl.equals else { continue };
        let Some((field, field_span)) = cx.ruleset.field(&equals.value) else { continue };
        let ours = found.kind.measure(found.value);
        let theirs = found.kind.measure_field(&equals.value, &field);
        let differs = match (&ours, &theirs) {
            (Measure::Amount(a), Measure::Amount(b)) => a != b,
            (Measure::Valid, Measure::Valid) => Some(found.value) != Some(&field),
            _ => false,
        };
        if differs {
            let path = &found.decl.path.value;
            let text = crate::check::resources::amount(found.value).unwrap_or_default();
            let want = crate::check::resources::amount(&field).unwrap_or_default();
            sink.push(
                found.target.scope(
                    Diagnostic::new(
                        &CODE,
                        found.target.doc.span(&found.pointer),
                        format!("`{path}` is {text}, but `{}` is {want}", equals.value),
                    )
                    .label("values say")
                    .related(field_span, equals.value.clone())
                    .related(equals.span, "tied together here")
                    .help(format!(
                        "set `{path}` to the rules' value, or inject it with `render {{ inject = {{ \"{path}\" = \"{}\" }} }}`",
                        equals.value
                    )),
                ),
            );
        }
    }
}
