//! Every secret reference names a secret that exists in the environment.

use crate::check::Context;
use crate::diagnostic::declare_code;
use crate::diagnostic::{Diagnostic, Sink};
use crate::model::secrets;

declare_code! {
    /// A secret reference names a secret the environment does not have.
    ///
    /// Helm templates a missing secret as an empty string, and the pod starts without its
    /// password: the Redis outage this tool exists to prevent. References are found by the
    /// conventions charts use, at any depth: `existingSecret`, `existingSecretName`,
    /// `secretName`, `secretRef` (a name, or `{name: ...}`, as in `envFrom`),
    /// `secretKeyRef.name`, `imagePullSecrets`, and the keys listed in
    /// `render { secret_refs = [...] }`. Each environment lists the secrets it has in
    /// `cluster.secrets`.
    ///
    /// Fix: create the secret in that environment and add it to `cluster.secrets`, or
    /// reference one that exists.
    pub static CODE = ("H003", "unknown-secret", Error);
}

pub fn check(cx: &Context<'_>, sink: &mut Sink) {
    let extra: Vec<String> = cx.project.secret_refs.iter().map(|s| s.value.clone()).collect();
    for target in cx.deploy.targets() {
        let Some(env) = target.env else { continue };
        let (Some(facts), Some(env_doc)) = (&env.env, &env.doc) else { continue };
        for (pointer, name) in secrets::find(&target.doc.value, &extra) {
            if facts.cluster.secrets.contains(&name) {
                continue;
            }
            let listed = env_doc.span("/cluster/secrets");
            // A listed secret one slip away from the name is most likely the same secret.
            let known = facts.cluster.secrets.iter().map(String::as_str);
            let help = match crate::model::decode::close_match(&name, known) {
                Some(close) => format!(
                    "`cluster.secrets` of `{}` lists `{close}`: did you mean `{name}`? Correct the one that is misspelt",
                    env.name
                ),
                None => format!("create `{name}` there and list it in `cluster.secrets`, or reference an existing secret"),
            };
            sink.push(
                target.scope(
                    Diagnostic::new(&CODE, target.doc.span(&pointer), format!("secret `{name}` does not exist"))
                        .label("unknown secret")
                        .related(listed, format!("secrets of `{}`", env.name))
                        .help(help),
                ),
            );
        }
    }
}
