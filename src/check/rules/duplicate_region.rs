//! Spawn regions are unique across all files.

use crate::check::{duplicates, Context};
use crate::diagnostic::declare_code;
use crate::diagnostic::{Diagnostic, Sink};

declare_code! {
    /// Two `spawn_config` blocks declare the same region.
    ///
    /// A region's settings must come from one place; with two, which one wins would depend on
    /// file order. Both places are shown, even when they are in different files.
    ///
    /// Fix: merge the two blocks, or rename one region.
    pub static CODE = ("X006", "duplicate-region", Error);
}

pub fn check(cx: &Context<'_>, sink: &mut Sink) {
    for (first, again) in duplicates(cx.ruleset.spawns.iter().filter_map(|s| s.region.as_ref())) {
        sink.push(
            Diagnostic::new(&CODE, again.span, format!("region `{}` is declared more than once", again.value))
                .label("declared again here")
                .related(first.span, "first declared here")
                .help("merge the two spawn_config blocks, or rename one of the regions"),
        );
    }
}
