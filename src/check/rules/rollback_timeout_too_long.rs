//! `deployment.rollbackTimeout` is at most five minutes.

use crate::check::Context;
use crate::declare_code;
use crate::diagnostic::{Diagnostic, Sink};
use crate::model::quantity::duration_ms;

declare_code! {
    /// `deployment.rollbackTimeout` is longer than 5m.
    ///
    /// A rollback that waits longer than five minutes leaves a bad ruleset live for too long;
    /// the old pipeline's slow rollbacks are what this tool replaces.
    ///
    /// Fix: set a timeout of at most `5m`.
    pub static CODE = ("H008", "rollback-timeout-too-long", Error);
}

pub fn check(cx: &Context<'_>, sink: &mut Sink) {
    for target in cx.deploy.targets() {
        let pointer = "/deployment/rollbackTimeout";
        let Some(text) = target.doc.value.pointer(pointer).and_then(|v| v.as_str()) else { continue };
        if duration_ms(text).is_some_and(|ms| ms > 300_000) {
            sink.push(
                Diagnostic::new(
                    &CODE,
                    target.doc.span(pointer),
                    format!("`deployment.rollbackTimeout` is {text}, longer than 5m"),
                )
                .label("at most 5m")
                .help("set `rollbackTimeout: \"5m\"` or less"),
            );
        }
    }
}
