//! Kubernetes quantities parse exactly.

use crate::check::{resources, Context};
use crate::diagnostic::declare_code;
use crate::diagnostic::{Diagnostic, Sink};
use crate::model::quantity::quantity;

declare_code! {
    /// A resource amount is not a Kubernetes quantity.
    ///
    /// Every amount under `resources.requests` and `resources.limits` (at any depth), and every
    /// `cluster.allocatable` amount, is a number with an optional suffix: `250m`, `1`, `0.5`,
    /// `128Mi`, `1Gi`, `500M`, `1e3`, with at most nine decimal places.
    ///
    /// Fix: write the amount as a Kubernetes quantity.
    pub static CODE = ("H007", "invalid-quantity", Error);
}

pub fn check(cx: &Context<'_>, sink: &mut Sink) {
    for (target, mappings) in resources::of_targets(cx.deploy) {
        for found in mappings {
            for (pointer, _, text) in found.amounts() {
                if quantity(&text).is_none() {
                    sink.push(target.scope(invalid(target.doc.span(&pointer), &text)));
                }
            }
        }
    }
    for doc in cx.deploy.environments.iter().filter_map(|e| e.doc.as_ref()) {
        let Some(alloc) = doc.value.pointer("/cluster/allocatable").and_then(|v| v.as_object()) else { continue };
        for (name, value) in alloc {
            let Some(text) = resources::amount(value) else { continue };
            if quantity(&text).is_none() {
                sink.push(invalid(doc.span(&format!("/cluster/allocatable/{name}")), &text));
            }
        }
    }
}

fn invalid(span: crate::diagnostic::Span, text: &str) -> Diagnostic {
    Diagnostic::new(&CODE, span, format!("`{text}` is not a Kubernetes quantity"))
        .label("invalid quantity")
        .help("write a number with an optional suffix, such as 250m, 0.5, 128Mi or 1Gi")
}
