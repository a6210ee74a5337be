//! Checking a module: its `CANONICAL` is canonical JSON of a ruleset, its `DIGEST` is the
//! SHA-256 of `CANONICAL`, and every other byte is what `CANONICAL` compiles to.
//!
//! The module is rebuilt from its own `CANONICAL` and compared item by item, so a changed digest,
//! Merkle leaf, data value, type or lookup is found and named by the item it is in, and nothing
//! can be added to the module (code included) without being reported.

use std::ops::Range;

use serde_json::Value;

use crate::artifact::canonical;
use crate::artifact::compiled::Compiled;
use crate::codegen::rust::read::{self, Paragraph};
use crate::codegen::rust::{file_name, module};

/// What kind of difference was found, which decides the diagnostic code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `DIGEST` is not the SHA-256 of `CANONICAL`.
    Digest,
    /// `MERKLE_ROOT` or `SECTIONS` is not the Merkle tree of `CANONICAL`.
    Merkle,
    /// Anything else: no usable `CANONICAL`, or an item that differs from the rebuilt module.
    Module,
}

/// One difference, at a byte span of the module text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub kind: Kind,
    pub span: Range<usize>,
    pub message: String,
}

/// Checks module `text` read from a file called `name`. Returns what `CANONICAL` compiles to
/// (when it is usable) and every problem found.
pub fn check(text: &str, name: &str) -> (Option<Compiled>, Vec<Problem>) {
    let mut problems = Vec::new();
    let Some((json, span)) = read::canonical(text) else {
        let message = "there is no complete `pub const CANONICAL: &str = r#\"…\"#;`: this is not a module that \
                       `rulesctl build --emit rust` wrote";
        problems.push(module_problem(0..0, message.to_string()));
        return (None, problems);
    };
    let value: Value = match serde_json::from_str(json) {
        Ok(value) => value,
        Err(err) => {
            let at = span.start + crate::parse::json::error_offset(json, err.line(), err.column());
            problems.push(module_problem(at..at, format!("`CANONICAL` is not valid JSON: {err}")));
            return (None, problems);
        }
    };
    let compact = canonical::compact(&value);
    if compact != json {
        // Point at the first byte that differs, not at the whole (possibly huge) literal.
        let same = json.bytes().zip(compact.bytes()).take_while(|(a, b)| a == b).count();
        let at = span.start + floor_char_boundary(json, same);
        let message = "`CANONICAL` is not in canonical form (compact JSON, keys sorted by bytes, floats with a \
                       fraction) from here on: it was edited";
        problems.push(module_problem(at..at, message.to_string()));
        return (None, problems);
    }
    let compiled = Compiled::new(value);
    let expected = match module(&compiled) {
        Ok(expected) => expected,
        Err(err) => {
            let at = span.start;
            problems.push(module_problem(at..at, format!("`CANONICAL` does not hold a ruleset: {err}")));
            return (None, problems);
        }
    };
    if name.starts_with("ruleset-") && name != file_name(compiled.version()) {
        let at = line_span(text, "pub const VERSION:");
        problems.push(module_problem(at, format!("the file is named {name} but holds version {}", compiled.version())));
    }
    compare(text, &expected, &compiled, &mut problems);
    (Some(compiled), problems)
}

/// Compares the module with the rebuilt one, item by item (matched by name, in order).
fn compare(text: &str, expected: &str, compiled: &Compiled, problems: &mut Vec<Problem>) {
    let mut actual = read::paragraphs(text);
    let mut found_any = false;
    for want in read::paragraphs(expected) {
        let Some(i) = actual.iter().position(|p| p.name == want.name) else {
            problems.push(module_problem(0..0, format!("the module lacks {}", describe(&want))));
            found_any = true;
            continue;
        };
        let have = actual.remove(i);
        let (have_text, want_text) = (&text[have.span.clone()], &expected[want.span.clone()]);
        if have_text != want_text {
            problems.push(difference(text, &have, have_text, want_text, compiled));
            found_any = true;
        }
    }
    for extra in actual {
        let first = text[extra.span.clone()].lines().next().unwrap_or_default().trim().to_string();
        problems.push(module_problem(extra.span, format!("unexpected lines that rulesctl does not write: `{first}`")));
        found_any = true;
    }
    if !found_any && text != expected {
        // Every item matches but the text does not: items out of order, or extra blank lines.
        let at = text.bytes().zip(expected.bytes()).take_while(|(a, b)| a == b).count();
        problems.push(module_problem(at..at, "the module's layout differs from what rulesctl writes".to_string()));
    }
}

/// The problem for an item whose text differs: its first differing line, with what was expected.
fn difference(text: &str, have: &Paragraph, have_text: &str, want_text: &str, compiled: &Compiled) -> Problem {
    let name = have.name.as_deref().unwrap_or("the opening comment");
    if name == "DIGEST" {
        if let Some((digest, span)) = read::digest(text).filter(|(d, _)| *d != compiled.digest) {
            return Problem {
                kind: Kind::Digest,
                span,
                message: format!("`DIGEST` says {digest}, but `CANONICAL` hashes to {}", compiled.digest),
            };
        }
    }
    let mut offset = have.span.start;
    let mut wanted = want_text.lines();
    for line in have_text.split_inclusive('\n') {
        let want = wanted.next();
        let got = line.trim_end_matches('\n');
        if Some(got) != want {
            let indent = got.len() - got.trim_start().len();
            let span = offset + indent..offset + got.len();
            let kind = if matches!(name, "MERKLE_ROOT" | "SECTIONS") { Kind::Merkle } else { Kind::Module };
            let message = match want {
                Some(want) => {
                    format!("`{name}` does not match `CANONICAL`: `{}` should be `{}`", got.trim(), want.trim())
                }
                None => format!("`{name}` does not match `CANONICAL`: `{}` should not be there", got.trim()),
            };
            return Problem { kind, span, message };
        }
        offset += line.len();
    }
    let end = have.span.end;
    Problem { kind: Kind::Module, span: end..end, message: format!("`{name}` is missing lines at its end") }
}

/// The span of the first line starting with `head`, or the start of the file.
fn line_span(text: &str, head: &str) -> Range<usize> {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if line.starts_with(head) {
            return offset..offset + line.trim_end().len();
        }
        offset += line.len();
    }
    0..0
}

fn describe(p: &Paragraph) -> String {
    p.name.as_ref().map_or_else(|| "its opening comment".to_string(), |n| format!("`{n}`"))
}

fn module_problem(span: Range<usize>, message: String) -> Problem {
    Problem { kind: Kind::Module, span, message }
}

/// The largest char boundary of `text` at or below `at`, so a span never splits a character.
fn floor_char_boundary(text: &str, at: usize) -> usize {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ruleset() -> Value {
        json!({
            "ruleset_version": "v1.0.0",
            "spawn_configs": {"caves": {"base_rate": 12, "max_concurrent": 45, "cooldown_ms": 8000, "loot_table": "t"}},
            "loot_tables": {"t": {"items": {"gold": {"weight": 95}, "scale": {"weight": 5}}}},
            "event_streams": {"caves": {"max_len": 5000, "max_in_flight": 32, "backoff_multiplier": 2.0, "max_backoff_ms": 8000}},
            "event_timers": {"world_boss_interval": 3600, "weather_cycle": 900, "maintenance_window": "04:00 UTC"},
            "safety_bounds": {"max_spawn_rate_multiplier": 2.5, "min_cooldown_override": 5000, "duplicate_event_window_ms": 3000},
        })
    }

    fn text() -> String {
        module(&Compiled::new(ruleset())).unwrap_or_default()
    }

    #[test]
    fn a_module_verifies_against_itself() {
        let (compiled, problems) = check(&text(), "ruleset-v1.0.0.rs");
        assert_eq!(problems, []);
        assert_eq!(compiled, Some(Compiled::new(ruleset())));
    }

    #[test]
    fn an_edited_comment_above_the_digest_is_not_a_digest_mismatch() {
        let edited = text().replacen("/// `sha256:` and the hex", "/// sha256 and the hex", 1);
        let (_, problems) = check(&edited, "ruleset-v1.0.0.rs");
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].kind, Kind::Module);
        assert!(problems[0].message.starts_with("`DIGEST` does not match"), "{}", problems[0].message);
    }

    #[test]
    fn a_line_added_inside_an_item_is_named() {
        let original = text();
        let edited = original.replace(
            "pub const VERSION: &str = \"v1.0.0\";\n",
            "pub const VERSION: &str = \"v1.0.0\";\npub const X: u8 = 1;\n",
        );
        let (_, problems) = check(&edited, "ruleset-v1.0.0.rs");
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(
            problems[0].message,
            "`VERSION` does not match `CANONICAL`: `pub const X: u8 = 1;` should not be there"
        );
        assert_eq!(&edited[problems[0].span.clone()], "pub const X: u8 = 1;");
    }

    #[test]
    fn a_non_canonical_canonical_is_pointed_at_where_it_departs() {
        let edited = text().replace("{\"event_streams\":{", "{\"event_streams\": {");
        let (compiled, problems) = check(&edited, "ruleset-v1.0.0.rs");
        assert_eq!((compiled, problems.len()), (None, 1), "{problems:?}");
        let at = problems[0].span.clone();
        assert_eq!((at.len(), &edited[at.start..at.start + 2]), (0, " {"));
    }

    #[test]
    fn rulesets_that_do_not_fit_the_types_are_refused() {
        let pointer = |edit: fn(&mut Value)| {
            let mut value = ruleset();
            edit(&mut value);
            module(&Compiled::new(value)).map(|_| ()).map_err(|e| e.pointer)
        };
        assert_eq!(pointer(|_| {}), Ok(()));
        assert_eq!(
            pointer(|r| r["spawn_configs"]["caves"]["base_rate"] = json!(12.0)),
            Err("/spawn_configs/caves/base_rate".into())
        );
        assert_eq!(
            pointer(|r| r["spawn_configs"]["caves"]["base_rate"] = json!(-1)),
            Err("/spawn_configs/caves/base_rate".into())
        );
        assert_eq!(
            pointer(|r| r["spawn_configs"]["caves"]["base_rate"] = json!(1u64 << 32)),
            Err("/spawn_configs/caves/base_rate".into())
        );
        assert_eq!(pointer(|r| r["spawn_configs"]["caves"]["extra"] = json!(1)), Err("/spawn_configs/caves".into()));
        assert_eq!(
            pointer(|r| r["event_streams"]["caves"]["backoff_multiplier"] = json!(2)),
            Err("/event_streams/caves/backoff_multiplier".into())
        );
        assert_eq!(pointer(|r| r["ruleset_version"] = json!("1.0\n// injected")), Err("/ruleset_version".into()));
        assert_eq!(
            pointer(|r| r["event_timers"]["maintenance_window"] = json!("25:00 UTC")),
            Err("/event_timers/maintenance_window".into())
        );
        assert_eq!(
            pointer(|r| r["loot_tables"]["t"]["items"]["Gold"] = json!({"weight": 1})),
            Err("/loot_tables/t/items".into())
        );
    }
}
