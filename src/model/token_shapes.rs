//! Credentials recognised by their shape, under any key: provider token formats whose prefix
//! and length no ordinary value has (Slack webhooks and tokens, PagerDuty routing keys, GitHub
//! and GitLab tokens, AWS access keys, Stripe, Google, npm and SendGrid keys, private key
//! blocks, JWTs), and placeholders that only stand for a credential (`changeme`, `<password>`,
//! `${PASSWORD}`), which are not one.

/// What kind of credential `s` is by its shape alone, when it is one.
pub fn kind(s: &str) -> Option<&'static str> {
    let s = s.trim();
    if s.contains("-----BEGIN") && s.contains("PRIVATE KEY") {
        return Some("a private key");
    }
    if slack_webhook(s) {
        return Some("a Slack webhook URL");
    }
    // Tokens are single words; a longer value may hold one (`Bearer ghp_…`, `token=…`).
    s.split(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '=' | ',' | ';' | '&' | '?' | '/' | '@'))
        .find_map(word_kind)
}

fn word_kind(w: &str) -> Option<&'static str> {
    let after = |prefix: &str| w.strip_prefix(prefix);
    let alnum = |s: &str| s.bytes().all(|b| b.is_ascii_alphanumeric());
    let urlsafe = |s: &str| s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    for prefix in ["ghp_", "gho_", "ghu_", "ghs_", "ghr_"] {
        if after(prefix).is_some_and(|t| t.len() == 36 && alnum(t)) {
            return Some("a GitHub token");
        }
    }
    if after("github_pat_").is_some_and(|t| t.len() >= 70 && urlsafe(t)) {
        return Some("a GitHub token");
    }
    for prefix in ["glpat-", "gldt-", "glrt-", "glcbt-", "glptt-", "gloas-", "GR1348941"] {
        if after(prefix).is_some_and(|t| t.len() >= 20 && urlsafe(t)) {
            return Some("a GitLab token");
        }
    }
    const AWS: [&str; 11] = ["AKIA", "ASIA", "ABIA", "ACCA", "AGPA", "AIDA", "AROA", "AIPA", "ANPA", "ANVA", "APKA"];
    if w.len() == 20
        && AWS.iter().any(|p| w.starts_with(p))
        && w.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
    {
        return Some("an AWS access key");
    }
    for prefix in ["xoxb-", "xoxp-", "xoxa-", "xoxr-", "xoxs-", "xoxe-", "xapp-"] {
        if after(prefix)
            .is_some_and(|t| t.len() >= 20 && urlsafe(t) && t.bytes().filter(u8::is_ascii_digit).count() >= 6)
        {
            return Some("a Slack token");
        }
    }
    // PagerDuty's Events API v2 routing keys of an event orchestration: `R0` and 30 more.
    if w.len() == 32 && w.starts_with("R0") && w.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()) {
        return Some("a PagerDuty routing key");
    }
    for prefix in ["sk_live_", "rk_live_", "sk_test_", "rk_test_"] {
        if after(prefix).is_some_and(|t| t.len() >= 24 && alnum(t)) {
            return Some("a Stripe key");
        }
    }
    if after("AIza").is_some_and(|t| t.len() == 35 && urlsafe(t)) {
        return Some("a Google API key");
    }
    if after("npm_").is_some_and(|t| t.len() == 36 && alnum(t)) {
        return Some("an npm token");
    }
    if let Some(t) = after("SG.") {
        if t.split_once('.').is_some_and(|(a, b)| a.len() == 22 && b.len() == 43 && urlsafe(a) && urlsafe(b)) {
            return Some("a SendGrid key");
        }
    }
    if jwt(w) {
        return Some("a JWT");
    }
    None
}

/// `https://hooks.slack.com/services/T…/B…/…` (and workflow and trigger hooks).
fn slack_webhook(s: &str) -> bool {
    let rest = s.strip_prefix("https://").or_else(|| s.strip_prefix("http://")).unwrap_or(s);
    ["hooks.slack.com/services/", "hooks.slack.com/workflows/", "hooks.slack.com/triggers/"]
        .iter()
        .any(|p| rest.strip_prefix(p).is_some_and(|path| path.split('/').filter(|p| !p.is_empty()).count() >= 3))
}

/// Three base64url segments, the first two JSON objects (`eyJ` is `{"`).
fn jwt(w: &str) -> bool {
    let parts: Vec<&str> = w.split('.').collect();
    parts.len() == 3
        && parts[0].starts_with("eyJ")
        && parts[1].starts_with("eyJ")
        && parts[0].len() >= 10
        && parts[1].len() >= 10
        && parts[2].len() >= 16
        && parts.iter().all(|p| p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-'))
}

/// A PagerDuty service or routing key (32 letters and digits) under a key that says so
/// (`routing_key`, `serviceKey`, `integrationKey`), or anywhere under a `pagerduty` key:
/// the same 32 characters elsewhere are as likely an MD5 sum.
pub fn pagerduty_key(path: &[&str], s: &str) -> bool {
    let word = |k: &str| k.to_ascii_lowercase().replace(['_', '-'], "");
    let named = path.last().is_some_and(|k| matches!(word(k).as_str(), "routingkey" | "servicekey" | "integrationkey"));
    let under = path.iter().any(|k| word(k).contains("pagerduty"));
    (named || under) && s.len() == 32 && s.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// A value that only stands for a credential: `changeme`, `<password>`, `${PASSWORD}`,
/// `{{ .Values.x }}`, `xxxx`, `REPLACE_ME`.
pub fn placeholder(s: &str) -> bool {
    let t = s.trim();
    let lower = t.to_ascii_lowercase();
    let wrapped = |open: &str, close: &str| t.starts_with(open) && t.ends_with(close);
    wrapped("<", ">")
        || wrapped("${", "}")
        || wrapped("{{", "}}")
        || wrapped("%", "%")
        || wrapped("[", "]")
        || t.starts_with('$') && t[1..].bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
        || t.bytes().all(|b| matches!(b, b'*' | b'x' | b'X' | b'.' | b'-'))
        || matches!(
            lower.replace(['-', '_', ' '], "").as_str(),
            "changeme"
                | "changeit"
                | "replaceme"
                | "todo"
                | "tbd"
                | "placeholder"
                | "redacted"
                | "yourpassword"
                | "yourpasswordhere"
                | "yourtoken"
                | "yourapikey"
                | "notset"
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_and_placeholders() {
        assert_eq!(
            kind("https://hooks.slack.com/services/T0AAAAAAA/B0BBBBBBB/abcdefghijklmnopqrstuvwx"),
            Some("a Slack webhook URL")
        );
        assert_eq!(kind("AKIAABCDEFGHIJKLMNOP"), Some("an AWS access key"));
        assert_eq!(kind("Bearer ghp_abcdefghijklmnopqrstuvwxyz0123456789"), Some("a GitHub token"));
        assert_eq!(kind("sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"), None);
        assert_eq!(kind("https://hooks.slack.com/"), None);
        assert!(placeholder("<password>") && placeholder("${PASSWORD}") && placeholder("changeme"));
        assert!(!placeholder("hunter2"));
    }
}
