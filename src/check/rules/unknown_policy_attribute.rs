//! A `policy` block names an attribute that exists.

use crate::check::policy::{narrowed, Problem};
use crate::check::Context;
use crate::diagnostic::declare_code;
use crate::diagnostic::{Diagnostic, Sink};
use crate::model::decode::suggest;
use crate::model::dialect::rules_attr_paths;

declare_code! {
    /// A `policy` block names an attribute that does not exist.
    ///
    /// A policy is named `block.attribute`, like `spawn_config.base_rate` or
    /// `loot_table.item.weight`. A misspelt name would silently enforce nothing.
    ///
    /// Fix: use the suggested name.
    pub static CODE = ("P002", "unknown-policy-attribute", Error);
}

pub fn check(cx: &Context<'_>, sink: &mut Sink) {
    let paths = rules_attr_paths();
    for policy in &cx.project.policies {
        if let Err(Problem::UnknownAttribute) = narrowed(policy) {
            sink.push(
                Diagnostic::new(
                    &CODE,
                    policy.attr.span,
                    format!("`{}` is not an attribute of the rules dialect", policy.attr.value),
                )
                .label("unknown attribute")
                .help(suggest(&policy.attr.value, paths.iter().map(String::as_str))),
            );
        }
    }
}
