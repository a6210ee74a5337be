//! `config.rulesetDigest` is written by rulesctl, never by hand.

use crate::check::Context;
use crate::declare_code;
use crate::diagnostic::{Diagnostic, Sink};

declare_code! {
    /// `config.rulesetDigest` is set by hand.
    ///
    /// `rulesctl render` and `build` inject the artifact's digest into every environment's
    /// values so that a ruleset change rolls the pods. A hand-written digest would be stale
    /// the moment the rules change.
    ///
    /// Fix: delete `config.rulesetDigest` from values.yaml and the environment files.
    pub static CODE = ("H014", "generated-field", Error);
}

pub fn check(cx: &Context<'_>, sink: &mut Sink) {
    let docs = cx.deploy.values.iter().map(|d| (d, "/config/rulesetDigest"));
    let envs = cx.deploy.environments.iter().map(|e| (&e.doc, "/overrides/config/rulesetDigest"));
    for (doc, pointer) in docs.chain(envs) {
        if doc.value.pointer(pointer).is_some() {
            sink.push(
                Diagnostic::new(&CODE, doc.key_span(pointer), "`config.rulesetDigest` is set by rulesctl, not by hand")
                    .label("generated field")
                    .help("delete it; rulesctl render injects the artifact's digest"),
            );
        }
    }
}
