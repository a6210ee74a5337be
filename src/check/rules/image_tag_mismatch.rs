//! The sidecar image's tag is the ruleset version.

use crate::check::Context;
use crate::declare_code;
use crate::diagnostic::{Diagnostic, Sink};

declare_code! {
    /// The sidecar image's tag is not the ruleset version.
    ///
    /// The rules sidecar is released together with the ruleset: `gameServer.sidecar.image`
    /// must end in `:<ruleset_version>`. A mismatch ships a sidecar that may not understand the
    /// rules it is given.
    ///
    /// Fix: set the image tag to the `ruleset_version` of the rules (or bump both together).
    pub static CODE = ("H010", "image-tag-mismatch", Error);
}

pub fn check(cx: &Context<'_>, sink: &mut Sink) {
    let Some(version) = cx.ruleset.versions.first() else { return };
    for target in cx.deploy.targets() {
        let pointer = "/gameServer/sidecar/image";
        let Some(image) = target.doc.value.pointer(pointer).and_then(|v| v.as_str()) else { continue };
        let tag = image.rsplit_once(':').map(|(_, t)| t).filter(|t| !t.contains('/'));
        if tag != Some(version.value.as_str()) {
            sink.push(
                Diagnostic::new(
                    &CODE,
                    target.doc.span(pointer),
                    format!(
                        "the sidecar image tag is `{}`, but the ruleset is {}",
                        tag.unwrap_or("(none)"),
                        version.value
                    ),
                )
                .label("image tag")
                .related(version.span, "ruleset_version")
                .help(format!("tag the sidecar image `:{}`", version.value)),
            );
        }
    }
}
