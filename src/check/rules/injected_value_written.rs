//! A value rulesctl injects is never also written by hand.

use crate::check::Context;
use crate::diagnostic::declare_code;
use crate::diagnostic::{Diagnostic, Sink};
use crate::model::deploy::pointer_of;

declare_code! {
    /// A value that rulesctl injects is also written by hand.
    ///
    /// `render { inject = { "config.rulesetVersion" = "ruleset_version" } }` in rulesctl.hcl
    /// makes rulesctl write that path into every rendered environment from the ruleset, so a
    /// version bump is one edit. A hand-written copy in values.yaml or an override would be
    /// silently replaced, and the next reader would trust the wrong number.
    ///
    /// Fix: delete the value from values.yaml (or the override); rulesctl writes it.
    pub static CODE = ("H014", "injected-value-written", Error);
}

pub fn check(cx: &Context<'_>, sink: &mut Sink) {
    let docs = cx.deploy.values.iter().map(|d| (d, String::new()));
    let envs = cx.deploy.environments.iter().filter_map(|e| e.doc.as_ref()).map(|d| (d, "/overrides".to_string()));
    let docs: Vec<_> = docs.chain(envs).collect();
    for injection in &cx.project.inject {
        let path = &injection.path.value;
        for (doc, prefix) in &docs {
            let pointer = format!("{prefix}{}", pointer_of(path));
            if doc.value.pointer(&pointer).is_some() {
                sink.push(
                    Diagnostic::new(
                        &CODE,
                        doc.key_span(&pointer),
                        format!("`{path}` is injected by rulesctl, not written by hand"),
                    )
                    .label("written by hand")
                    .related(injection.path.span, format!("injected from `{}`", injection.source.value))
                    .help(format!("delete `{path}` here; rulesctl writes it from `{}`", injection.source.value)),
                );
            }
        }
    }
}
