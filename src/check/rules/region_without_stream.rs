//! Every spawn region has its own event stream.

use crate::check::Context;
use crate::diagnostic::declare_code;
use crate::diagnostic::{Diagnostic, Sink};

declare_code! {
    /// A spawn region has no `event_stream`.
    ///
    /// Every region publishes its spawn events on its own bounded stream; regions never share
    /// one. A region without a stream has nowhere to send its events.
    ///
    /// Fix: add `event_stream { region = "<region>" ... }` for the region.
    pub static CODE = ("X010", "region-without-stream", Error);
}

pub fn check(cx: &Context<'_>, sink: &mut Sink) {
    if cx.ruleset.partial || cx.ruleset.names_unknown {
        return;
    }
    let streams: foldhash::HashSet<&str> =
        cx.ruleset.streams.iter().filter_map(|s| s.region.as_ref()).map(|r| r.value.as_str()).collect();
    for region in cx.ruleset.spawns.iter().filter_map(|s| s.region.as_ref()) {
        if !streams.contains(region.value.as_str()) {
            sink.push(
                Diagnostic::new(&CODE, region.span, format!("region `{}` has no event_stream", region.value))
                    .label("no stream for this region")
                    .help(format!("add `event_stream {{ region = \"{}\" ... }}`", region.value)),
            );
        }
    }
}
