//! Credentials live in Kubernetes Secrets, never in values.

use crate::check::Context;
use crate::diagnostic::declare_code;
use crate::diagnostic::{Diagnostic, Sink};
use crate::model::deploy::dotted;

declare_code! {
    /// A password, token or key is written as a literal value.
    ///
    /// A credential in `values.yaml` or an environment file ends up in git history, rendered
    /// manifests and CI logs. A literal credential is a non-empty string or number under a
    /// password-, token-, secret- or key-like name, or a URL with a password in it; booleans,
    /// empty strings, lists, maps and keys that name a secret (`existingSecret`,
    /// `passwordKey`) are not. rulesctl never prints the literal, nor its length: the file is
    /// read with the value replaced by `*****` before anything can show it.
    ///
    /// Example: `cache: {auth: {password: hunter2}}` or `url: redis://:hunter2@host:6379`.
    ///
    /// Fix: store the value in a Kubernetes Secret and reference it the way the chart offers,
    /// such as `existingSecret: redis-auth` or `secretRef: {name: redis-auth, key: password}`.
    pub static CODE = ("H004", "literal-credential", Error);
}

/// Even under a dependency the chart switches off: the value is in git already, and rendering
/// it would print it (the file is read masked), so it stays an error there too. The chart's own
/// vendored files are never read for credentials.
pub fn check(cx: &Context<'_>, sink: &mut Sink) {
    let values = cx.deploy.values.iter().map(|doc| (doc, &cx.deploy.credentials));
    let envs = cx.deploy.environments.iter().filter_map(|e| Some((e.doc.as_ref()?, &e.credentials)));
    for (doc, found) in values.chain(envs) {
        for (pointer, what) in found {
            sink.push(
                Diagnostic::new(
                    &CODE,
                    doc.span(pointer),
                    format!("`{}` holds {what}; credentials belong in a Kubernetes Secret", dotted(pointer)),
                )
                .label("literal credential (value not shown)")
                .help("move the value into a Kubernetes Secret and reference that Secret the way the chart offers (for example `existingSecret`)"),
            );
        }
    }
}
