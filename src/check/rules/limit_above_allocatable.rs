//! Limits fit on a node of the environment.

use crate::check::Context;
use crate::declare_code;
use crate::diagnostic::{Diagnostic, Sink};
use crate::model::quantity::quantity;

declare_code! {
    /// A resource limit is above what one node of the environment can give a pod.
    ///
    /// `cluster.allocatable` says what a node can give; a pod whose limit exceeds it may never
    /// schedule, or may be killed when it uses what it was promised.
    ///
    /// Fix: lower the limit, or use an environment with larger nodes.
    pub static CODE = ("H006", "limit-above-allocatable", Error);
}

pub fn check(cx: &Context<'_>, sink: &mut Sink) {
    for target in cx.deploy.targets() {
        let Some(env) = target.env else { continue };
        for resource in ["cpu", "memory"] {
            let lim_p = format!("/gameServer/sidecar/resources/limits/{resource}");
            let alloc_p = format!("/cluster/allocatable/{resource}");
            let (Some(lim), Some(alloc)) = (
                target.doc.value.pointer(&lim_p).and_then(|v| v.as_str()),
                env.doc.value.pointer(&alloc_p).and_then(|v| v.as_str()),
            ) else {
                continue;
            };
            let (Some(l), Some(a)) = (quantity(lim), quantity(alloc)) else { continue };
            if l > a {
                sink.push(
                    Diagnostic::new(
                        &CODE,
                        target.doc.span(&lim_p),
                        format!("the {resource} limit {lim} is above what a node of `{}` can give ({alloc})", env.name),
                    )
                    .label("limit")
                    .related(env.doc.span(&alloc_p), "allocatable per node")
                    .help(format!("lower the {resource} limit to at most {alloc}")),
                );
            }
        }
    }
}
