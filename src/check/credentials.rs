//! Where a literal credential sits in a values document; shared by the check that reports it and
//! by schema validation, which must not report (or echo) the same place again.

use serde_json::Value;

/// Key names that hold secrets when they hold a literal.
const SECRET_WORDS: [&str; 7] = ["password", "passwd", "secret", "token", "apikey", "privatekey", "credential"];

/// JSON pointers of literal credentials, with what kind each is.
pub fn find(value: &Value) -> Vec<(String, &'static str)> {
    let mut out = Vec::new();
    walk(value, String::new(), &mut out);
    out
}

fn walk(value: &Value, pointer: String, out: &mut Vec<(String, &'static str)>) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                let child = format!("{pointer}/{}", key.replace('~', "~0").replace('/', "~1"));
                let word = key.to_ascii_lowercase().replace(['_', '-'], "");
                let is_secret_key =
                    SECRET_WORDS.iter().any(|w| word.contains(w)) && word != "secretref" && word != "secrets";
                if is_secret_key && !v.is_object() && !v.is_null() {
                    out.push((child, "a literal secret value"));
                } else if let Value::String(s) = v {
                    if url_has_password(s) {
                        out.push((child, "a URL with a password in it"));
                    }
                } else {
                    walk(v, child, out);
                }
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                walk(item, format!("{pointer}/{i}"), out);
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
