//! `ruleset_version`, `event_timers` and `safety_bounds` appear exactly once across all files.

use crate::check::Context;
use crate::diagnostic::declare_code;
use crate::diagnostic::Span;
use crate::diagnostic::{Diagnostic, Sink};

declare_code! {
    /// A setting that must appear exactly once across all rule files is missing or repeated.
    ///
    /// `ruleset_version`, `event_timers` and `safety_bounds` describe the whole ruleset. With
    /// none there is nothing to hold the rules to; with two, which one applies would depend on
    /// file order.
    ///
    /// Example: two files that both declare `safety_bounds { ... }`.
    ///
    /// Fix: keep exactly one, in any rule file.
    pub static CODE = ("D007", "block-count", Error);
}

pub fn check(cx: &Context<'_>, sink: &mut Sink) {
    let rs = cx.ruleset;
    let what = [
        (
            "the attribute `ruleset_version`",
            "ruleset_version = \"v1.0.0\"",
            rs.versions.iter().map(|v| v.span).collect::<Vec<_>>(),
        ),
        ("the block `event_timers`", "event_timers { ... }", rs.event_timers.iter().map(|b| b.block).collect()),
        ("the block `safety_bounds`", "safety_bounds { ... }", rs.safety_bounds.iter().map(|b| b.block).collect()),
    ];
    for (name, example, spans) in what {
        match spans.as_slice() {
            [] if !rs.partial => {
                let Some(&first) = rs.files.first() else { continue };
                sink.push(
                    Diagnostic::new(
                        &CODE,
                        Span::file(first),
                        format!("{name} is missing: it must appear exactly once across all rule files"),
                    )
                    .help(format!("add `{example}` to one rule file")),
                );
            }
            [first, rest @ ..] => {
                for &again in rest {
                    sink.push(
                        Diagnostic::new(&CODE, again, format!("{name} appears more than once across the rule files"))
                            .label("repeated here")
                            .related(*first, "first here")
                            .help("keep exactly one and delete the others"),
                    );
                }
            }
            [] => {}
        }
    }
}
