//! `config.rulesetVersion` is the ruleset version.

use crate::check::Context;
use crate::declare_code;
use crate::diagnostic::{Diagnostic, Sink};

declare_code! {
    /// `config.rulesetVersion` is not the rules' `ruleset_version`.
    ///
    /// The game servers load the artifact named by `config.rulesetVersion`; if it differs from
    /// the rules being built, the servers run another ruleset than the one that was checked.
    ///
    /// Fix: set `config.rulesetVersion` to the `ruleset_version` of the rules.
    pub static CODE = ("H011", "ruleset-version-mismatch", Error);
}

pub fn check(cx: &Context<'_>, sink: &mut Sink) {
    let Some(version) = cx.ruleset.versions.first() else { return };
    for target in cx.deploy.targets() {
        let pointer = "/config/rulesetVersion";
        let Some(found) = target.doc.value.pointer(pointer).and_then(|v| v.as_str()) else { continue };
        if found != version.value {
            sink.push(
                Diagnostic::new(
                    &CODE,
                    target.doc.span(pointer),
                    format!("`config.rulesetVersion` is {found}, but the ruleset is {}", version.value),
                )
                .label("values say")
                .related(version.span, "ruleset_version")
                .help(format!("set `rulesetVersion: \"{}\"`", version.value)),
            );
        }
    }
}
