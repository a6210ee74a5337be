//! Secret references, found by the conventions charts use, anywhere in a values tree:
//! `existingSecret`, `existingSecretName`, `secretName` (strings); `secretRef` (a string, or a
//! mapping with `name`, which covers `envFrom[*].secretRef`); `secretKeyRef.name`;
//! `secret.name` (`auth.secret.name`);
//! `imagePullSecrets[*]` (a name, or a mapping with `name`); and the keys or dotted key paths
//! listed in `render { secret_refs = [...] }`. An empty string is no reference, and a Helm
//! template (`{{ ... }}`) cannot be resolved here, so it is skipped.

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
    walk(value, String::new(), &mut Vec::new(), extra, &mut out);
    out
}

fn walk(value: &Value, pointer: String, keys: &mut Vec<String>, extra: &[String], out: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                let child = format!("{pointer}/{}", escape(key));
                keys.push(key.clone());
                let configured = extra.iter().any(|e| ends_with(keys, e));
                match v {
                    Value::String(name) if NAME_KEYS.contains(&key.as_str()) || key == "secretRef" || configured => {
                        push(&child, name, out);
                    }
                    Value::Object(inner) if REF_KEYS.contains(&key.as_str()) => match inner.get("name") {
                        Some(Value::String(name)) => push(&format!("{child}/name"), name, out),
                        _ => walk(v, child, keys, extra, out),
                    },
                    Value::Array(items) if key == "imagePullSecrets" => {
                        for (i, item) in items.iter().enumerate() {
                            match item {
                                Value::String(name) => push(&format!("{child}/{i}"), name, out),
                                Value::Object(m) => {
                                    if let Some(Value::String(name)) = m.get("name") {
                                        push(&format!("{child}/{i}/name"), name, out);
                                    }
                                }
                                _ => {}
                            }
                        }
                    }
                    _ => walk(v, child, keys, extra, out),
                }
                keys.pop();
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                walk(item, format!("{pointer}/{i}"), keys, extra, out);
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

/// Whether the key path ends with the dotted `suffix` (`auth.credentialsSecret`).
fn ends_with(keys: &[String], suffix: &str) -> bool {
    let parts: Vec<&str> = suffix.split('.').collect();
    keys.len() >= parts.len() && keys[keys.len() - parts.len()..].iter().zip(&parts).all(|(k, p)| k == p)
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
