//! A declared value has its declared type.

use crate::check::{declared, Context};
use crate::diagnostic::declare_code;
use crate::diagnostic::{Diagnostic, Sink};
use crate::model::declared::Measure;

declare_code! {
    /// A value is not of the type `rulesctl.hcl` declares for it.
    ///
    /// `value "config.gossipEndpoint" { type = "endpoint" }` says the chart reads that value as
    /// `host:port`; `duration` takes `500ms`, `30s`, `5m`, `1m30s`; `quantity` takes a
    /// Kubernetes quantity. A value of another shape would reach the pod and fail there, or be
    /// read as something else.
    ///
    /// Example: `gossipEndpoint: "etcd-cluster:"` (no port) where an endpoint is declared.
    ///
    /// Fix: write the value in the declared form.
    pub static CODE = ("H009", "invalid-value", Error);
}

pub fn check(cx: &Context<'_>, sink: &mut Sink) {
    for found in declared::found(cx) {
        let Measure::Invalid(why) = found.kind.measure(found.value) else { continue };
        let path = &found.decl.path.value;
        let message = match why {
            Some(why) => format!("`{path}` is not a valid {}: {why}", found.decl.kind.value),
            None => format!("`{path}` is not a valid {}", found.decl.kind.value),
        };
        sink.push(
            found.target.scope(
                Diagnostic::new(&CODE, found.target.doc.span(&found.pointer), message)
                    .label(format!("invalid {}", found.decl.kind.value))
                    .related(found.decl.kind.span, "declared here")
                    .help(format!("write {}", found.kind.describe())),
            ),
        );
    }
}
