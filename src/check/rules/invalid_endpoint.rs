//! `config.gossipEndpoint` is `host:port`.

use crate::check::Context;
use crate::declare_code;
use crate::diagnostic::{Diagnostic, Sink};
use crate::model::quantity::endpoint;

declare_code! {
    /// `config.gossipEndpoint` is not a valid `host:port`.
    ///
    /// The host is a DNS name or IPv4 address and the port a number from 1 to 65535.
    ///
    /// Fix: write it as `service.namespace.svc:2379`.
    pub static CODE = ("H009", "invalid-endpoint", Error);
}

pub fn check(cx: &Context<'_>, sink: &mut Sink) {
    for target in cx.deploy.targets() {
        let pointer = "/config/gossipEndpoint";
        let Some(text) = target.doc.value.pointer(pointer).and_then(|v| v.as_str()) else { continue };
        if let Err(why) = endpoint(text) {
            sink.push(
                Diagnostic::new(
                    &CODE,
                    target.doc.span(pointer),
                    format!("`config.gossipEndpoint` is not host:port: {why}"),
                )
                .label("invalid endpoint")
                .help("write `host:port`, such as etcd-cluster.default.svc:2379"),
            );
        }
    }
}
