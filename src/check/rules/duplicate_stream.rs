//! One event stream per region.

use crate::check::{duplicates, Context};
use crate::diagnostic::declare_code;
use crate::diagnostic::{Diagnostic, Sink};

declare_code! {
    /// Two `event_stream` blocks serve the same region.
    ///
    /// Each region has exactly one stream, so its bounds (`max_len`, `max_in_flight`) mean
    /// one thing.
    ///
    /// Fix: delete one of the streams.
    pub static CODE = ("X012", "duplicate-stream", Error);
}

pub fn check(cx: &Context<'_>, sink: &mut Sink) {
    for (first, again) in duplicates(cx.ruleset.streams.iter().filter_map(|s| s.region.as_ref())) {
        sink.push(
            Diagnostic::new(&CODE, again.span, format!("region `{}` has more than one event_stream", again.value))
                .label("second stream")
                .related(first.span, "first stream")
                .help("keep one event_stream per region"),
        );
    }
}
