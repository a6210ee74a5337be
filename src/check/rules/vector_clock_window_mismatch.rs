//! `config.vectorClockWindow` is `safety_bounds.duplicate_event_window_ms`.

use crate::check::Context;
use crate::declare_code;
use crate::diagnostic::{Diagnostic, Sink};
use crate::model::quantity::duration_ms;

declare_code! {
    /// `config.vectorClockWindow` differs from `duplicate_event_window_ms`.
    ///
    /// The servers' vector-clock window and the rules' duplicate-event window describe the
    /// same interval; if they differ, duplicates slip through (or real events are dropped).
    /// Durations are compared by value: `3s` equals `3000ms`.
    ///
    /// Fix: set `vectorClockWindow` to the rules' `duplicate_event_window_ms`, such as
    /// `"3000ms"`.
    pub static CODE = ("H012", "vector-clock-window-mismatch", Error);
}

pub fn check(cx: &Context<'_>, sink: &mut Sink) {
    let Some(window) = cx.ruleset.bounds().and_then(|b| b.duplicate_event_window_ms.as_ref()) else { return };
    for target in cx.deploy.targets() {
        let pointer = "/config/vectorClockWindow";
        let Some(text) = target.doc.value.pointer(pointer).and_then(|v| v.as_str()) else { continue };
        let Some(ms) = duration_ms(text) else { continue };
        if i64::try_from(ms).ok() != Some(window.value) {
            sink.push(
                Diagnostic::new(
                    &CODE,
                    target.doc.span(pointer),
                    format!(
                        "`config.vectorClockWindow` is {text}, but `duplicate_event_window_ms` is {} ms",
                        window.value
                    ),
                )
                .label("values say")
                .related(window.span, "duplicate_event_window_ms")
                .help(format!("set `vectorClockWindow: \"{}ms\"`", window.value)),
            );
        }
    }
}
