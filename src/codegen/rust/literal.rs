//! Rust literals for the values a ruleset holds, so any string or number becomes valid source.

/// A string literal. `str`'s `Debug` output is a valid Rust literal: it escapes `"`, `\`,
/// control and unprintable characters (`\u{200b}`) and keeps the rest as UTF-8.
pub fn string(s: &str) -> String {
    format!("{s:?}")
}

/// A float literal that reads back to the same `f64`. `f64`'s `Debug` output is the shortest
/// round-trip form and always has a `.` or an exponent (`2.0`, `2.5`, `1e-7`), so it is never
/// taken for an integer. `None` for NaN and infinities, which have no literal (and no JSON).
pub fn float(value: f64) -> Option<String> {
    value.is_finite().then(|| format!("{value:?}"))
}

/// A raw string literal holding `s` unchanged: one more `#` than the longest run of `#` that
/// follows a `"` in `s`, so the text can never end the literal early.
pub fn raw_string(s: &str) -> String {
    let longest = s.split('"').skip(1).map(|after| after.bytes().take_while(|&b| b == b'#').count()).max().unwrap_or(0);
    let hashes = "#".repeat(longest + 1);
    format!("r{hashes}\"{s}\"{hashes}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_escape_what_rust_needs() {
        assert_eq!(string("type"), "\"type\"");
        assert_eq!(string("a\"b\\c\n\u{7}é"), "\"a\\\"b\\\\c\\n\\u{7}é\"");
    }

    #[test]
    fn floats_always_look_like_floats() {
        assert_eq!(float(2.0).as_deref(), Some("2.0"));
        assert_eq!(float(2.5).as_deref(), Some("2.5"));
        assert_eq!(float(10.0).as_deref(), Some("10.0"));
        assert_eq!(float(1e-7).as_deref(), Some("1e-7"));
        assert_eq!(float(0.1 + 0.2).as_deref(), Some("0.30000000000000004"));
        assert_eq!(float(f64::NAN), None);
    }

    #[test]
    fn raw_strings_outlast_their_content() {
        assert_eq!(raw_string("{\"a\":1}"), "r#\"{\"a\":1}\"#");
        assert_eq!(raw_string("{\"a#\":\"##\"}"), "r###\"{\"a#\":\"##\"}\"###");
        assert_eq!(raw_string("plain"), "r#\"plain\"#");
    }
}
