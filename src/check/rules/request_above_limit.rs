//! Resource requests do not exceed limits.

use crate::check::Context;
use crate::declare_code;
use crate::diagnostic::{Diagnostic, Sink};
use crate::model::quantity::quantity;

declare_code! {
    /// A resource request is larger than its limit.
    ///
    /// Kubernetes rejects a pod whose request exceeds its limit. Quantities are compared
    /// exactly: `0.5` CPU equals `500m`, `1Gi` equals `1024Mi`, and `1G` is less than `1Gi`.
    ///
    /// Fix: lower the request or raise the limit.
    pub static CODE = ("H005", "request-above-limit", Error);
}

pub fn check(cx: &Context<'_>, sink: &mut Sink) {
    for target in cx.deploy.targets() {
        for resource in ["cpu", "memory"] {
            let req_p = format!("/gameServer/sidecar/resources/requests/{resource}");
            let lim_p = format!("/gameServer/sidecar/resources/limits/{resource}");
            let (Some(req), Some(lim)) = (
                target.doc.value.pointer(&req_p).and_then(|v| v.as_str()),
                target.doc.value.pointer(&lim_p).and_then(|v| v.as_str()),
            ) else {
                continue;
            };
            let (Some(r), Some(l)) = (quantity(req), quantity(lim)) else { continue };
            if r > l {
                let env = target.env_suffix(target.doc.span(&req_p));
                sink.push(
                    Diagnostic::new(
                        &CODE,
                        target.doc.span(&req_p),
                        format!("the {resource} request {req} is above its limit {lim}{env}"),
                    )
                    .label("request")
                    .related(target.doc.span(&lim_p), "limit")
                    .help(format!("lower the {resource} request to at most {lim}, or raise the limit")),
                );
            }
        }
    }
}
