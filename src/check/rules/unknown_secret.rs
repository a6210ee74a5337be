//! Every `secretRef` names a secret that exists in the environment.

use serde_json::Value;

use crate::check::Context;
use crate::declare_code;
use crate::diagnostic::{Diagnostic, Sink};

declare_code! {
    /// A `secretRef` names a secret the environment does not have.
    ///
    /// Helm templates a missing secret as an empty string, and the pod starts without its
    /// password: the Redis outage this tool exists to prevent. Each environment lists the
    /// secrets it has in `cluster.secrets`.
    ///
    /// Fix: create the secret in that environment and add it to `cluster.secrets`, or
    /// reference one that exists.
    pub static CODE = ("H003", "unknown-secret", Error);
}

pub fn check(cx: &Context<'_>, sink: &mut Sink) {
    for target in cx.deploy.targets() {
        let Some(env) = target.env else { continue };
        let Some(facts) = &env.env else { continue };
        let mut refs = Vec::new();
        find_refs(&target.doc.value, String::new(), &mut refs);
        for (pointer, name) in refs {
            if !facts.cluster.secrets.contains(&name) {
                let listed = env.doc.span("/cluster/secrets");
                sink.push(
                    Diagnostic::new(
                        &CODE,
                        target.doc.span(&pointer),
                        format!("secret `{name}` does not exist in environment `{}`", env.name),
                    )
                    .label("unknown secret")
                    .related(listed, format!("secrets of `{}`", env.name))
                    .help(format!(
                        "create `{name}` in `{}` and list it in `cluster.secrets`, or reference an existing secret",
                        env.name
                    )),
                );
            }
        }
    }
}

fn find_refs(value: &Value, pointer: String, out: &mut Vec<(String, String)>) {
    if let Value::Object(map) = value {
        for (k, v) in map {
            let child = format!("{pointer}/{}", k.replace('~', "~0").replace('/', "~1"));
            match (k.as_str(), v.get("name").and_then(Value::as_str)) {
                ("secretRef", Some(name)) => out.push((format!("{child}/name"), name.to_string())),
                _ => find_refs(v, child, out),
            }
        }
    }
}
