//! `duplicate_event_window_ms` is shorter than `min_cooldown_override`.

use crate::check::Context;
use crate::diagnostic::declare_code;
use crate::diagnostic::{Diagnostic, Sink};

declare_code! {
    /// `duplicate_event_window_ms` is not below `min_cooldown_override`.
    ///
    /// Duplicate events are detected within a window; if the window is as long as the
    /// shortest cooldown, a legitimate second spawn is mistaken for a duplicate and dropped.
    ///
    /// Example: `duplicate_event_window_ms = 5000` with `min_cooldown_override = 5000`.
    ///
    /// Fix: make the window strictly shorter than the minimum cooldown.
    pub static CODE = ("X003", "window-not-below-cooldown", Error);
}

pub fn check(cx: &Context<'_>, sink: &mut Sink) {
    let Some(bounds) = cx.ruleset.bounds() else { return };
    let (Some(window), Some(min)) = (&bounds.duplicate_event_window_ms, &bounds.min_cooldown_override) else { return };
    if window.value >= min.value {
        sink.push(
            Diagnostic::new(
                &CODE,
                window.span,
                format!(
                    "`duplicate_event_window_ms` is {} ms, not below `min_cooldown_override` = {} ms",
                    window.value, min.value
                ),
            )
            .label("window")
            .related(min.span, "minimum cooldown")
            .help(if min.value > 1 {
                format!("lower the window below {} ms, or raise the minimum cooldown", min.value)
            } else {
                // The window is at least 1 ms: only the minimum can move.
                "raise `min_cooldown_override` above the window".to_string()
            })
            .follows(window.span)
            .follows(min.span),
        );
    }
}
