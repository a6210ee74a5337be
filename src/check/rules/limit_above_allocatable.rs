//! Limits fit on a node of the environment.

use crate::check::{resources, Context};
use crate::diagnostic::declare_code;
use crate::diagnostic::{Diagnostic, Sink};
use crate::model::quantity::quantity;
use crate::parse::yaml::escape;

declare_code! {
    /// A resource limit is above what one node of the environment can give a pod.
    ///
    /// `cluster.allocatable` says what a node can give (`cpu`, `memory`, and
    /// `ephemeral-storage` when it is listed); a pod whose limit exceeds it may never schedule,
    /// or may be killed when it uses what it was promised. Every `resources.limits` mapping is
    /// checked, at any depth and in lists.
    ///
    /// Fix: lower the limit, or use an environment with larger nodes.
    pub static CODE = ("H006", "limit-above-allocatable", Error);
}

pub fn check(cx: &Context<'_>, sink: &mut Sink) {
    for (target, mappings) in resources::of_targets(cx.deploy) {
        let Some(env) = target.env else { continue };
        let Some(env_doc) = &env.doc else { continue };
        for found in mappings {
            for (name, limit) in found.limits.into_iter().flatten() {
                let alloc_p = format!("/cluster/allocatable/{}", escape(name));
                let Some(alloc) = env_doc.value.pointer(&alloc_p).and_then(resources::amount) else { continue };
                let Some(lim) = resources::amount(limit) else { continue };
                let (Some(l), Some(a)) = (quantity(&lim), quantity(&alloc)) else { continue };
                if l > a {
                    let lim_p = format!("{}/limits/{}", found.pointer, escape(name));
                    sink.push(
                        target.scope(
                            Diagnostic::new(
                                &CODE,
                                target.doc.span(&lim_p),
                                format!("the {name} limit {lim} is above what a node can give ({alloc})"),
                            )
                            .label("limit")
                            .related(env_doc.span(&alloc_p), format!("allocatable per node in `{}`", env.name))
                            .help(format!("lower the {name} limit to at most {alloc}, or use larger nodes")),
                        ),
                    );
                }
            }
        }
    }
}
