//! Where a literal credential sits in a values document; shared by the check that reports it, by
//! the loader that masks it before anything can print it, and by schema validation, which must
//! not describe the same place again.
//!
//! A literal credential is a non-empty string or a number under a credential-like key (a
//! placeholder such as `changeme` or `${PASSWORD}` is none), a URL with a password in it, or a
//! string with a provider token's shape under any key (see [`token_shapes`]). Booleans (`usePasswordFiles: false`), empty strings, lists, maps and
//! `null` are never credentials, and neither are keys that *name* a secret or a key inside one
//! (`existingSecret`, `passwordKey`, `secretName`, `tokenSecretRef`).

use std::fmt::Write;

use serde_json::Value;

use crate::model::token_shapes;
use crate::parse::yaml::escape;

/// Words that make a key credential-like; longer words first, so `secretkey` wins over `secret`.
const WORDS: [&str; 9] =
    ["secretaccesskey", "secretkey", "privatekey", "apikey", "password", "passwd", "credential", "secret", "token"];

/// What may follow the last credential word in a key that still holds the credential itself
/// (`adminPassword`, `apiKeyValue`, `tokenBase64`). Anything else (`Key`, `Name`, `Ref`, `File`,
/// `Length`, `Ttl`) says the key describes the credential rather than holds it.
const VALUE_SUFFIXES: [&str; 6] = ["", "s", "value", "data", "base64", "b64"];

/// JSON pointers of literal credentials, with what kind each is.
pub fn find(value: &Value) -> Vec<(String, &'static str)> {
    let mut out = Vec::new();
    walk(value, &mut String::new(), &mut Vec::new(), &mut out);
    out
}

/// What credential a string is, by the key it is under (`path`'s last key) or by its shape.
fn literal(path: &[&str], s: &str) -> Option<&'static str> {
    if s.trim().is_empty() {
        return None;
    }
    if let Some(kind) = token_shapes::kind(s) {
        return Some(kind);
    }
    if token_shapes::pagerduty_key(path, s) {
        return Some("a PagerDuty service or routing key");
    }
    if url_has_password(s) {
        return Some("a URL with a password in it");
    }
    let under_credential_key = path.last().is_some_and(|k| is_credential_key(k));
    (under_credential_key && !token_shapes::placeholder(s)).then_some("a literal secret value")
}

/// Whether a key's name says it holds a credential.
pub fn is_credential_key(key: &str) -> bool {
    let word: String = key.to_ascii_lowercase().chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    if word.starts_with("existing") {
        return false;
    }
    let last =
        WORDS.iter().filter_map(|w| word.rfind(w).map(|at| (at, at + w.len()))).max_by_key(|(at, end)| (*at, *end));
    match last {
        Some((_, end)) => VALUE_SUFFIXES.contains(&&word[end..]),
        None => false,
    }
}

/// Recursive over a YAML tree, which the parser keeps within `max_depth` (aliases included).
/// `pointer` is the place of `value` and `path` its keys, grown and cut back in place.
fn walk<'v>(value: &'v Value, pointer: &mut String, path: &mut Vec<&'v str>, out: &mut Vec<(String, &'static str)>) {
    let len = pointer.len();
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                pointer.push('/');
                pointer.push_str(&escape(key));
                path.push(key);
                match v {
                    Value::String(s) => out.extend(literal(path, s).map(|kind| (pointer.clone(), kind))),
                    Value::Number(_) if is_credential_key(key) => out.push((pointer.clone(), "a literal secret value")),
                    _ => walk(v, pointer, path, out),
                }
                path.pop();
                pointer.truncate(len);
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let _ = write!(pointer, "/{i}");
                match item {
                    Value::String(s) => {
                        // A list item is no credential by its key, only by its shape.
                        let shape = literal(&[], s);
                        out.extend(shape.map(|kind| (pointer.clone(), kind)));
                    }
                    _ => walk(item, pointer, path, out),
                }
                pointer.truncate(len);
            }
        }
        _ => {}
    }
}

/// `scheme://user:password@host` or `scheme://:password@host`.
/// A placeholder password (`${REDIS_PASSWORD}`, `<password>`) is none.
fn url_has_password(s: &str) -> bool {
    s.split_whitespace().any(|word| {
        let Some((_, rest)) = word.split_once("://") else { return false };
        let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
        authority.rsplit_once('@').and_then(|(userinfo, _)| userinfo.split_once(':')).is_some_and(|(_, password)| {
            !password.is_empty() && !token_shapes::placeholder(password) && !password.contains("{{")
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn credential_keys_hold_credentials_and_naming_keys_do_not() {
        for key in [
            "password",
            "adminPassword",
            "redis-password",
            "apiKey",
            "clientSecret",
            "jwt_secret",
            "token",
            "secretKey",
            "secretAccessKey",
            "privateKey",
            "credentials",
            "passwordBase64",
        ] {
            assert!(is_credential_key(key), "{key} holds a credential");
        }
        for key in [
            "existingSecret",
            "existingSecretPasswordKey",
            "passwordKey",
            "secretName",
            "secretRef",
            "secretKeyRef",
            "tokenTTL",
            "passwordFile",
            "usePasswordFiles",
            "passwordMinLength",
            "secrets_path",
            "name",
            "image",
            "tokenSecretRef",
            "apiKeyRef",
            "secretMountPath",
        ] {
            assert!(!is_credential_key(key), "{key} does not hold a credential");
        }
    }

    #[test]
    fn only_non_empty_strings_and_numbers_are_literals() {
        let doc = json!({
            "a": {"password": "hunter2", "token": 1234, "usePasswordFiles": false, "adminPassword": "",
                  "secret": null, "apiKey": [], "clientSecret": {}, "existingSecret": "db-auth", "passwordKey": "pw"},
            "b": [{"token": "t0k"}],
            "url": "redis://:hunter2@cache:6379"
        });
        let found: Vec<String> = find(&doc).into_iter().map(|(p, _)| p).collect();
        assert_eq!(found, ["/a/password", "/a/token", "/b/0/token", "/url"]);
    }
}
