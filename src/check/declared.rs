//! Declared values (`value "a.b" { type = ... }` in rulesctl.hcl) as they appear in each
//! document that renders; shared by the checks of type, bounds and equality.

use serde_json::Value;

use crate::check::Context;
use crate::model::declared::ValueType;
use crate::model::deploy::{pointer_of, Target};
use crate::model::project::ValueDecl;

/// One declared value found in one target.
pub struct Found<'a> {
    pub decl: &'a ValueDecl,
    pub kind: ValueType,
    pub target: Target<'a>,
    pub pointer: String,
    pub value: &'a Value,
}

/// Every declared value present in every target (values.yaml as rendered, then each
/// environment). A declared path that is absent is not an error here: the chart's schema says
/// what is required.
pub fn found<'a>(cx: &Context<'a>) -> Vec<Found<'a>> {
    let mut out = Vec::new();
    for decl in &cx.project.value_decls {
        let Some(kind) = ValueType::parse(&decl.kind.value) else { continue };
        let pointer = pointer_of(&decl.path.value);
        for target in cx.deploy.targets() {
            if let Some(value) = target.doc.value.pointer(&pointer) {
                out.push(Found { decl, kind, target, pointer: pointer.clone(), value });
            }
        }
    }
    out
}
