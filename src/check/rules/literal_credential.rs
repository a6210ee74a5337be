//! Credentials are only ever `secretRef`s.

use crate::check::{find_credentials, Context};
use crate::declare_code;
use crate::diagnostic::{Diagnostic, Sink};
use crate::model::deploy::dotted;

declare_code! {
    /// A password, token or key is written as a literal value.
    ///
    /// A credential in `values.yaml` or an environment file ends up in git history, rendered
    /// manifests and CI logs. The only way to give the chart a credential is a `secretRef`
    /// naming a Kubernetes Secret. rulesctl never prints the literal, in any output format.
    ///
    /// Example: `cache: {auth: {password: hunter2}}` or `url: redis://:hunter2@host:6379`.
    ///
    /// Fix: store the value in a Secret and reference it:
    /// `auth: {secretRef: {name: redis-auth, key: password}}`.
    pub static CODE = ("H004", "literal-credential", Error);
}

pub fn check(cx: &Context<'_>, sink: &mut Sink) {
    let docs = cx.deploy.values.iter().chain(cx.deploy.environments.iter().map(|e| &e.doc));
    for doc in docs {
        for (pointer, what) in find_credentials(&doc.value) {
            sink.push(
                Diagnostic::new(
                    &CODE,
                    doc.span(&pointer),
                    format!("`{}` holds {what}; credentials must be secretRefs", dotted(&pointer)),
                )
                .label("literal credential (value not shown)")
                .help("move the value into a Kubernetes Secret and reference it with `secretRef: {name, key}`"),
            );
        }
    }
}
