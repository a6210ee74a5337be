//! Environments override only the allowed paths.

use serde_json::Value;

use crate::parse::yaml::escape;

use crate::check::Context;
use crate::diagnostic::declare_code;
use crate::diagnostic::{Diagnostic, Sink, Span};

declare_code! {
    /// An environment overrides a value it is not allowed to change (drift).
    ///
    /// Environments differ only where the team allows: the values paths listed in
    /// `render { allow_overrides = [...] }` in `rulesctl.hcl` (a path allows everything below
    /// it). Without that list no override is allowed. Anything else overridden per environment
    /// is drift: the environments stop running what was tested.
    ///
    /// Fix: change the value in `values.yaml` for every environment, or allow the path in
    /// `rulesctl.hcl` after review.
    pub static CODE = ("H002", "override-not-allowed", Error);
}

pub fn check(cx: &Context<'_>, sink: &mut Sink) {
    let allowed: Vec<String> = cx.project.allow_overrides.iter().flatten().map(|s| s.value.clone()).collect();
    let listed = if allowed.is_empty() { "none".to_string() } else { allowed.join(", ") };
    for env in &cx.deploy.environments {
        let Some(doc) = &env.doc else { continue };
        let Some(overrides) = doc.value.get("overrides") else { continue };
        let mut leaves = Vec::new();
        leaf_paths(overrides, "", &mut leaves);
        for (path, pointer) in leaves {
            let ok = allowed.iter().any(|a| path == *a || path.starts_with(&format!("{a}.")));
            if !ok {
                let at = doc.key_span(&format!("/overrides{pointer}"));
                let mut diagnostic = Diagnostic::new(
                    &CODE,
                    at,
                    format!("environment `{}` overrides `{path}`, which is not an allowed override", env.name),
                )
                // A key that is itself wrong (unknown to the schema, injected) is that
                // error alone; while rulesctl.hcl has an error, its list may be wrong.
                .follows(at);
                if let Some(project) = cx.project.file {
                    diagnostic = diagnostic.follows(Span::new(project, 0..usize::MAX));
                }
                sink.push(
                    diagnostic
                        .label("not allowed to differ per environment")
                        .help(format!("allowed: {listed}; change it in values.yaml, or add it to `render {{ allow_overrides }}` in rulesctl.hcl")),
                );
            }
        }
    }
}

/// Dotted paths (and JSON pointers) of every overridden leaf; an empty map counts as a leaf.
fn leaf_paths(value: &Value, pointer: &str, out: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            for (k, v) in map {
                leaf_paths(v, &format!("{pointer}/{}", escape(k)), out);
            }
        }
        _ if !pointer.is_empty() => out.push((crate::model::deploy::dotted(pointer), pointer.to_string())),
        _ => {}
    }
}
