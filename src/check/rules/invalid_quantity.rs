//! Kubernetes quantities parse exactly.

use crate::check::Context;
use crate::declare_code;
use crate::diagnostic::{Diagnostic, Sink};
use crate::model::quantity::quantity;

declare_code! {
    /// A CPU or memory amount is not a Kubernetes quantity.
    ///
    /// Quantities are a number with an optional suffix: `250m`, `1`, `0.5`, `128Mi`, `1Gi`,
    /// `500M`, `1e3`, with at most nine decimal places.
    ///
    /// Fix: write the amount as a Kubernetes quantity.
    pub static CODE = ("H007", "invalid-quantity", Error);
}

pub fn check(cx: &Context<'_>, sink: &mut Sink) {
    let mut places: Vec<(&crate::parse::yaml::Document, String)> = Vec::new();
    for target in cx.deploy.targets() {
        for kind in ["requests", "limits"] {
            for resource in ["cpu", "memory"] {
                places.push((target.doc, format!("/gameServer/sidecar/resources/{kind}/{resource}")));
            }
        }
    }
    for env in &cx.deploy.environments {
        for resource in ["cpu", "memory"] {
            places.push((&env.doc, format!("/cluster/allocatable/{resource}")));
        }
    }
    for (doc, pointer) in places {
        let Some(text) = doc.value.pointer(&pointer).and_then(|v| v.as_str()) else { continue };
        if quantity(text).is_none() {
            sink.push(
                Diagnostic::new(&CODE, doc.span(&pointer), format!("`{text}` is not a Kubernetes quantity"))
                    .label("invalid quantity")
                    .help("write a number with an optional suffix, such as 250m, 0.5, 128Mi or 1Gi"),
            );
        }
    }
}
