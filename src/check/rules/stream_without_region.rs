//! Every event stream belongs to a spawn region.

use std::cell::OnceCell;
use std::collections::BTreeSet;

use crate::check::Context;
use crate::diagnostic::declare_code;
use crate::diagnostic::{Diagnostic, Sink};
use crate::model::near::Near;

declare_code! {
    /// An `event_stream` names a region that does not spawn.
    ///
    /// A stream exists to carry one spawn region's events; one for a region with no
    /// `spawn_config` is a typo or a leftover.
    ///
    /// Fix: correct the region name, or delete the stream.
    pub static CODE = ("X011", "stream-without-region", Error);
}

pub fn check(cx: &Context<'_>, sink: &mut Sink) {
    // Looked up once per block; sorted and indexed (for the suggestion) only when one is missing.
    let regions: foldhash::HashSet<&str> =
        cx.ruleset.spawns.iter().filter_map(|s| s.region.as_ref()).map(|r| r.value.as_str()).collect();
    let sorted = OnceCell::new();
    for region in cx.ruleset.streams.iter().filter_map(|s| s.region.as_ref()) {
        if !regions.contains(region.value.as_str()) {
            let help = if regions.is_empty() {
                "add a spawn_config for this region, or delete the stream".to_string()
            } else {
                sorted
                    .get_or_init(|| Near::new(regions.iter().copied().collect::<BTreeSet<_>>()))
                    .suggest(&region.value)
            };
            sink.push(
                Diagnostic::new(
                    &CODE,
                    region.span,
                    format!("event_stream for `{}`, which is not a spawn region", region.value),
                )
                .label("no spawn_config has this region")
                .help(help),
            );
        }
    }
}
