//! Where a literal credential sits in a values document; shared by the check that reports it, by
//! the loader that masks it before anything can print it, and by schema validation, which must
//! not describe the same place again.
//!
//! A literal credential is a non-empty string or a number under a credential-like key, or a URL
//! with a password in it. Booleans (`usePasswordFiles: false`), empty strings, lists, maps and
//! `null` are never credentials, and neither are keys that *name* a secret or a key inside one
//! (`existingSecret`, `passwordKey`, `secretName`, `tokenSecretRef`).

use std::fmt::Write;

use serde_json::Value;

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
    walk(value, &mut String::new(), &mut out);
    out
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
/// `pointer` is the place of `value`, grown and cut back in place on the way down.
fn walk(value: &Value, pointer: &mut String, out: &mut Vec<(String, &'static str)>) {
    let len = pointer.len();
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                pointer.push('/');
                pointer.push_str(&escape(key));
                let literal = match v {
                    Value::String(s) => !s.trim().is_empty(),
                    Value::Number(_) => true,
                    _ => false,
                };
                if literal && is_credential_key(key) {
                    out.push((pointer.clone(), "a literal secret value"));
                } else if let Value::String(s) = v {
                    if url_has_password(s) {
                        out.push((pointer.clone(), "a URL with a password in it"));
                    }
                } else {
                    walk(v, pointer, out);
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

/// `scheme://user:password@host` or `scheme://:password@host`.
fn url_has_password(s: &str) -> bool {
    let Some((_, rest)) = s.split_once("://") else { return false };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    authority.rsplit_once('@').is_some_and(|(userinfo, _)| userinfo.contains(':'))
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
