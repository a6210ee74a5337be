//! Every spawn region has its own event stream.

use crate::check::Context;
use crate::diagnostic::declare_code;
use crate::diagnostic::{Diagnostic, Sink};
use crate::model::near::Near;

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
    let streams: foldhash::HashSet<&str> =
        cx.ruleset.streams.iter().filter_map(|s| s.region.as_ref()).map(|r| r.value.as_str()).collect();
    let regions: foldhash::HashSet<&str> =
        cx.ruleset.spawns.iter().filter_map(|s| s.region.as_ref()).map(|r| r.value.as_str()).collect();
    // Streams for no region: one a slip away from this region is its stream, misspelt (X011).
    let stray: Vec<_> = cx
        .ruleset
        .streams
        .iter()
        .filter_map(|s| s.region.as_ref())
        .filter(|r| !regions.contains(r.value.as_str()))
        .collect();
    let strays = Near::new(stray.iter().map(|s| s.value.as_str()));
    for region in cx.ruleset.spawns.iter().filter_map(|s| s.region.as_ref()) {
        if !streams.contains(region.value.as_str()) {
            let mut diagnostic =
                Diagnostic::new(&CODE, region.span, format!("region `{}` has no event_stream", region.value))
                    .label("no stream for this region")
                    .help(format!("add `event_stream {{ region = \"{}\" ... }}`", region.value));
            if let Some(misspelt) = strays.first_misspelling_of(&region.value) {
                diagnostic = diagnostic.follows(stray[misspelt].span);
            }
            sink.push(diagnostic);
        }
    }
}
