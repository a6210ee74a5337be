//! Resource requests do not exceed limits.

use crate::check::{resources, Context};
use crate::diagnostic::declare_code;
use crate::diagnostic::{Diagnostic, Sink};
use crate::model::quantity::quantity;
use crate::parse::yaml::escape;

declare_code! {
    /// A resource request is larger than its limit.
    ///
    /// Kubernetes rejects a pod whose request exceeds its limit. Every `resources` mapping with
    /// `requests` and `limits` is checked, at any depth and in lists. Quantities are compared
    /// exactly: `0.5` CPU equals `500m`, `1Gi` equals `1024Mi`, and `1G` is less than `1Gi`.
    ///
    /// Fix: lower the request or raise the limit.
    pub static CODE = ("H005", "request-above-limit", Error);
}

pub fn check(cx: &Context<'_>, sink: &mut Sink) {
    for (target, mappings) in resources::of_targets(cx.deploy) {
        for found in mappings {
            let (Some(requests), Some(limits)) = (found.requests, found.limits) else { continue };
            for (name, request) in requests {
                let Some(limit) = limits.get(name) else { continue };
                let (Some(req), Some(lim)) = (resources::amount(request), resources::amount(limit)) else { continue };
                let (Some(r), Some(l)) = (quantity(&req), quantity(&lim)) else { continue };
                if r > l {
                    let key = escape(name);
                    let req_p = format!("{}/requests/{key}", found.pointer);
                    let lim_p = format!("{}/limits/{key}", found.pointer);
                    sink.push(
                        target.scope(
                            Diagnostic::new(
                                &CODE,
                                target.doc.span(&req_p),
                                format!("the {name} request {req} is above its limit {lim}"),
                            )
                            .label("request")
                            .related(target.doc.span(&lim_p), "limit")
                            .help(format!("lower the {name} request to at most {lim}, or raise the limit")),
                        ),
                    );
                }
            }
        }
    }
}
