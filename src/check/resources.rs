//! Kubernetes `resources` mappings, found by shape anywhere in a values tree: a mapping under a
//! key named `resources` that holds `requests` or `limits` mappings. Charts nest them at any
//! depth and in lists (`extraContainers[*].resources`), and no key name above them is assumed.

use std::fmt::Write;

use serde_json::Value;

use crate::model::deploy::{Deploy, Target};
use crate::parse::yaml::escape;

/// One `resources` mapping.
pub struct Resources<'a> {
    /// JSON pointer of the `resources` mapping.
    pub pointer: String,
    pub requests: Option<&'a serde_json::Map<String, Value>>,
    pub limits: Option<&'a serde_json::Map<String, Value>>,
}

impl Resources<'_> {
    /// Every (pointer, resource name, amount as text) under `requests` and `limits`; numbers
    /// count as their decimal text (`cpu: 2`), everything else that is not a string is skipped.
    pub fn amounts(&self) -> Vec<(String, &str, String)> {
        let mut out = Vec::new();
        for (kind, map) in [("requests", self.requests), ("limits", self.limits)] {
            for (name, value) in map.into_iter().flatten() {
                if let Some(text) = amount(value) {
                    out.push((format!("{}/{kind}/{}", self.pointer, escape(name)), name.as_str(), text));
                }
            }
        }
        out
    }
}

/// The text of an amount: a string, or a number's decimal form.
pub fn amount(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Every document to check (see [`Deploy::targets`]) with its `resources` mappings. Each
/// document is walked once per run, whichever check asks first; the others look up what it
/// found ([`Deploy::resource_pointers`]).
pub fn of_targets(deploy: &Deploy) -> Vec<(Target<'_>, Vec<Resources<'_>>)> {
    let targets = deploy.targets();
    let pointers = deploy.resource_pointers.get_or_init(|| {
        targets.iter().map(|t| find(&t.doc.value).into_iter().map(|found| found.pointer).collect()).collect()
    });
    targets
        .into_iter()
        .zip(pointers)
        .map(|(target, pointers)| {
            let found = pointers.iter().filter_map(|pointer| at(&target.doc.value, pointer)).collect();
            (target, found)
        })
        .collect()
}

/// The `resources` mapping at `pointer`, as [`find`] found it there.
fn at<'a>(value: &'a Value, pointer: &str) -> Option<Resources<'a>> {
    let v = value.pointer(pointer)?;
    let requests = v.get("requests").and_then(Value::as_object);
    let limits = v.get("limits").and_then(Value::as_object);
    (requests.is_some() || limits.is_some()).then(|| Resources { pointer: pointer.to_string(), requests, limits })
}

/// Every `resources` mapping in `value`, in document order.
pub fn find(value: &Value) -> Vec<Resources<'_>> {
    let mut out = Vec::new();
    walk(value, &mut String::new(), &mut out);
    out
}

/// `pointer` is the place of `value`, grown and cut back in place on the way down: only the
/// pointers of what is found are kept.
fn walk<'a>(value: &'a Value, pointer: &mut String, out: &mut Vec<Resources<'a>>) {
    let len = pointer.len();
    match value {
        Value::Object(map) => {
            // A scalar holds no mapping: not even its pointer is needed (a third of the nodes).
            for (key, v) in map.iter().filter(|(_, v)| v.is_object() || v.is_array()) {
                pointer.push('/');
                pointer.push_str(&escape(key));
                let found = (key == "resources")
                    .then(|| (v.get("requests").and_then(Value::as_object), v.get("limits").and_then(Value::as_object)))
                    .filter(|(requests, limits)| requests.is_some() || limits.is_some());
                match found {
                    Some((requests, limits)) => out.push(Resources { pointer: pointer.clone(), requests, limits }),
                    None => walk(v, pointer, out),
                }
                pointer.truncate(len);
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let _ = write!(pointer, "/{i}");
                walk(item, pointer, out);
                pointer.truncate(len);
            }
        }
        _ => {}
    }
}
