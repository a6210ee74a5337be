//! Secret references, found by the conventions charts use, anywhere in a values tree:
//! `existingSecret`, `existingSecretName`, `secretName` (strings); `secretRef` (a string, or a
//! mapping with `name`, which covers `envFrom[*].secretRef`); `secretKeyRef.name`;
//! `secret.name` (`auth.secret.name`);
//! `imagePullSecrets[*]` (a name, or a mapping with `name`); and the keys or dotted key paths
//! listed in `render { secret_refs = [...] }`. An empty string is no reference, and a Helm
//! template (`{{ ... }}`) cannot be resolved here, so it is skipped.

use std::fmt::Write;

use serde_json::Value;

use crate::parse::yaml::escape;

/// Keys whose string value names a secret.
const NAME_KEYS: [&str; 3] = ["existingSecret", "existingSecretName", "secretName"];
/// Keys whose value is a secret reference mapping with `name` (or, for `secretRef`, a string):
/// `secretRef.name`, `secretKeyRef.name`, and `secret.name` (`auth.secret.name`,
/// `tls.secret.name`, …).
const REF_KEYS: [&str; 3] = ["secretRef", "secretKeyRef", "secret"];

/// Every (pointer of the name, secret name) in `value`. `extra` are configured keys or dotted
/// key paths (`auth.credentialsSecret`) matched against the end of each key path.
pub fn find(value: &Value, extra: &[String]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    // Split once: the walk asks about every key.
    let extra: Vec<Vec<&str>> = extra.iter().map(|e| e.split('.').collect()).collect();
    walk(value, &mut String::new(), &mut Vec::new(), &extra, &mut out);
    out
}

/// Recursive over a YAML tree, which the parser keeps within `max_depth` (aliases included).
/// `pointer` is the place of `value` and `keys` its key path, grown and cut back in place: only
/// the pointers of what is found are copied (a copy per node was most of `check`'s time on a
/// deep values.yaml with many environments).
fn walk<'v>(
    value: &'v Value,
    pointer: &mut String,
    keys: &mut Vec<&'v str>,
    extra: &[Vec<&str>],
    out: &mut Vec<(String, String)>,
) {
    let len = pointer.len();
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                if let Value::String(name) = v {
                    // A string names a secret by its key alone: its pointer is made only then.
                    keys.push(key);
                    let named = NAME_KEYS.contains(&key.as_str())
                        || key == "secretRef"
                        || extra.iter().any(|e| ends_with(keys, e));
                    keys.pop();
                    if named {
                        pointer.push('/');
                        pointer.push_str(&escape(key));
                        push(pointer, name, out);
                        pointer.truncate(len);
                    }
                    continue;
                }
                if !(v.is_object() || v.is_array()) {
                    continue;
                }
                pointer.push('/');
                pointer.push_str(&escape(key));
                keys.push(key);
                match v {
                    Value::Object(inner) if REF_KEYS.contains(&key.as_str()) => match inner.get("name") {
                        Some(Value::String(name)) => push(&format!("{pointer}/name"), name, out),
                        _ => walk(v, pointer, keys, extra, out),
                    },
                    Value::Array(items) if key == "imagePullSecrets" => {
                        for (i, item) in items.iter().enumerate() {
                            match item {
                                Value::String(name) => push(&format!("{pointer}/{i}"), name, out),
                                Value::Object(m) => {
                                    if let Some(Value::String(name)) = m.get("name") {
                                        push(&format!("{pointer}/{i}/name"), name, out);
                                    }
                                }
                                _ => {}
                            }
                        }
                    }
                    _ => walk(v, pointer, keys, extra, out),
                }
                keys.pop();
                pointer.truncate(len);
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let _ = write!(pointer, "/{i}");
                walk(item, pointer, keys, extra, out);
                pointer.truncate(len);
            }
        }
        _ => {}
    }
}

fn push(pointer: &str, name: &str, out: &mut Vec<(String, String)>) {
    let name = name.trim();
    if !name.is_empty() && !name.contains("{{") {
        out.push((pointer.to_string(), name.to_string()));
    }
}

/// Whether the key path ends with `suffix`, a dotted path split at its dots
/// (`auth.credentialsSecret`).
fn ends_with(keys: &[&str], suffix: &[&str]) -> bool {
    keys.len() >= suffix.len() && keys[keys.len() - suffix.len()..].iter().zip(suffix).all(|(k, p)| k == p)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn conventional_references_are_found_and_empty_ones_are_not() {
        let doc = json!({
            "auth": {"existingSecret": "db-auth", "existingSecretName": "", "secretName": "{{ .Release.Name }}"},
            "env": [{"valueFrom": {"secretKeyRef": {"name": "api", "key": "token"}}}],
            "envFrom": [{"secretRef": {"name": "shared"}}],
            "cache": {"auth": {"secretRef": "redis-auth"}},
            "db": {"auth": {"secret": {"name": "db-secret", "key": "pw"}}},
            "imagePullSecrets": ["regcred", {"name": "other"}],
            "tls": {"credentialsSecret": "tls-cert"},
        });
        let found = find(&doc, &["tls.credentialsSecret".to_string()]);
        let names: Vec<&str> = found.iter().map(|(_, n)| n.as_str()).collect();
        assert_eq!(names, ["db-auth", "redis-auth", "db-secret", "api", "shared", "regcred", "other", "tls-cert"]);
        assert!(find(&doc, &[]).iter().all(|(_, n)| n != "tls-cert"), "extra paths only when configured");
    }
}
