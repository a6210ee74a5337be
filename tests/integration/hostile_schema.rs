//! A chart's `values.schema.json` is input too (issue 16, part 2): a hostile one ends quickly
//! in a diagnostic and never reaches the network. Big inputs are generated here, never
//! committed.

use std::io::Read;
use std::net::TcpListener;

use serde_json::{json, Value};

use crate::support::{Repo, Run};

/// The helm fixture with `schema` as the chart's values schema.
fn with_schema(schema: &str) -> Repo {
    let repo = Repo::helm();
    repo.write("chart/values.schema.json", schema);
    repo
}

/// Runs `check --format json`, asserting it ends without a panic. No clock: what these schemas
/// would cause unguarded (a loop, catastrophic backtracking, a fetch) never ends in test time,
/// and each test asserts the diagnostic that only the guard gives.
fn check_hostile(repo: &Repo) -> (Run, Value) {
    let run = repo.run(&["check", "--format", "json"]);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    let report = run.json();
    (run, report)
}

/// The diagnostics of a JSON report as (code, file, line, column, message).
fn found(report: &Value) -> Vec<(String, String, u64, u64, String)> {
    report["diagnostics"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|d| {
            (
                d["code"].as_str().unwrap_or_default().to_string(),
                d["file"].as_str().unwrap_or_default().to_string(),
                d["line"].as_u64().unwrap_or(0),
                d["column"].as_u64().unwrap_or(0),
                d["message"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

/// The bundled fixture's schema with `edit` applied.
fn fixture_schema(edit: impl FnOnce(&mut Value)) -> String {
    let repo = Repo::helm();
    let mut schema: Value = serde_json::from_str(&repo.read("chart/values.schema.json")).expect("fixture schema");
    edit(&mut schema);
    serde_json::to_string_pretty(&schema).expect("schema text")
}

#[test]
fn a_ref_that_loops_without_looking_inside_the_value_is_refused() {
    let cases = [
        // The whole schema is a reference to itself.
        ("{\n  \"$ref\": \"#\"\n}\n", 2, 11),
        // Two definitions that refer to each other, one through allOf.
        (
            "{\n  \"$ref\": \"#/$defs/a\",\n  \"$defs\": {\n    \"a\": {\"$ref\": \"#/$defs/b\"},\n    \"b\": {\"allOf\": [{\"$ref\": \"#/$defs/a\"}]}\n  }\n}\n",
            4,
            19,
        ),
    ];
    for (schema, line, column) in cases {
        let (run, report) = check_hostile(&with_schema(schema));
        assert_eq!(run.code, 1, "{}", run.stdout);
        let (code, file, l, c, message) = found(&report).into_iter().next().expect("a diagnostic");
        assert_eq!((code.as_str(), file.as_str(), l, c), ("H016", "chart/values.schema.json", line, column));
        assert!(message.contains("loops without looking inside the value"), "{message}");
    }
}

/// Self-referencing and mutually recursive definitions that step into the value are fine, and
/// validating values nested as deep as YAML allows ends quickly, with the findings at the
/// innermost value.
#[test]
fn recursive_definitions_are_validated_against_deep_values() {
    let schema = json!({
        "type": "object",
        "properties": {
            "tree": {"$ref": "#/$defs/node"},
            "ping": {"$ref": "#/$defs/ping"},
        },
        "$defs": {
            "node": {
                "type": "object",
                "properties": {"leaf": {"type": "integer"}},
                "additionalProperties": {"$ref": "#/$defs/node"},
            },
            "ping": {"type": "object", "properties": {"pong": {"$ref": "#/$defs/pong"}}, "additionalProperties": false},
            "pong": {"type": "object", "properties": {"ping": {"$ref": "#/$defs/ping"}}, "additionalProperties": false},
        },
        "additionalProperties": true,
    });
    let repo = with_schema(&schema.to_string());
    // 62 levels under `tree` and under `ping` (64 with the top level and the last mapping).
    let depth = 62;
    let mut values = repo.read("values.yaml");
    values.push_str(&format!("tree: {}{{leaf: \"deep\"}}{}\n", "{a: ".repeat(depth), "}".repeat(depth)));
    let chain: String = (0..depth).map(|i| if i % 2 == 0 { "{pong: " } else { "{ping: " }).collect();
    values.push_str(&format!("ping: {chain}{{bad: 1}}{}\n", "}".repeat(depth)));
    repo.write("values.yaml", values);
    let (run, report) = check_hostile(&repo);
    assert_eq!(run.code, 1, "{}", run.stdout);
    let messages: Vec<String> = found(&report)
        .into_iter()
        .filter(|(_, file, _, _, _)| file == "values.yaml")
        .map(|(code, _, _, _, message)| format!("{code} {message}"))
        .collect();
    assert!(messages.iter().any(|m| m.starts_with("H001") && m.contains("leaf")), "{messages:?}");
    assert!(messages.iter().any(|m| m.starts_with("H001") && m.contains("unknown key `bad`")), "{messages:?}");
}

/// A reference to another document, by http, https, file or a relative name, or a meta-schema
/// that is not a draft's: H016 at that reference, and no connection is ever made (a listener on
/// this machine stands in for the network and must see nobody).
#[test]
fn a_remote_reference_is_refused_and_never_fetched() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("listen");
    listener.set_nonblocking(true).expect("nonblocking");
    let port = listener.local_addr().expect("address").port();
    let local = format!("http://127.0.0.1:{port}/values.json");
    let cases = [
        ("$ref", local.clone()),
        ("$ref", format!("https://127.0.0.1:{port}/values.json")),
        ("$ref", "file:///etc/passwd".to_string()),
        ("$ref", "other.json#/$defs/x".to_string()),
        ("$schema", format!("http://127.0.0.1:{port}/meta.json")),
    ];
    for (keyword, target) in cases {
        let schema = fixture_schema(|s| {
            let cache = &mut s["$defs"]["Cache"];
            match keyword {
                "$ref" => cache["properties"]["url"] = json!({"$ref": target}),
                _ => s["$schema"] = json!(target),
            }
        });
        let (run, report) = check_hostile(&with_schema(&schema));
        assert_eq!(run.code, 1, "{}", run.stdout);
        let (code, file, line, column, message) = found(&report).into_iter().next().expect("a diagnostic");
        assert_eq!((code.as_str(), file.as_str()), ("H016", "chart/values.schema.json"), "{target}");
        assert!(message.contains(&format!("refers to `{target}`")), "{target}: {message}");
        let written = schema.lines().nth(usize::try_from(line).unwrap_or(1) - 1).unwrap_or_default();
        assert!(written.contains(&target), "{target}: line {line}:{column} is {written:?}");
        assert!(schema.lines().count() > 1 && line > 1, "{target}: the place of the reference, not the top");
    }
    // An $id that makes a relative reference remote is refused the same way.
    let schema = "{\n  \"$id\": \"http://127.0.0.1:1/root.json\",\n  \"$ref\": \"values.json\"\n}\n";
    let (_, report) = check_hostile(&with_schema(schema));
    assert_eq!(found(&report).first().map(|d| (d.0.clone(), d.2)), Some(("H016".to_string(), 3)));
    let mut probe = [0u8; 1];
    match listener.accept() {
        Ok((mut stream, _)) => {
            let _ = stream.read(&mut probe);
            panic!("rulesctl connected to the network");
        }
        Err(err) => assert_eq!(err.kind(), std::io::ErrorKind::WouldBlock, "{err}"),
    }
}

/// A million-value `enum` (about 7 MB, under the default size limit) is compiled and checked
/// quickly, and the message does not list the values.
#[test]
fn a_huge_enum_stays_fast() {
    let repo = Repo::helm();
    let mut schema: Value = serde_json::from_str(&repo.read("chart/values.schema.json")).expect("fixture schema");
    let values: Vec<Value> = (0..1_000_000).map(|n| json!(n)).collect();
    schema["$defs"]["Cache"]["properties"]["url"] = json!({ "enum": values });
    let schema = schema.to_string();
    assert!(schema.len() > 1_000_000 * 6, "{} bytes", schema.len());
    let (run, report) = check_hostile(&with_schema(&schema));
    assert_eq!(run.code, 1, "{}", run.stdout);
    let (code, file, line, _, message) = found(&report).into_iter().next().expect("a diagnostic");
    assert_eq!((code.as_str(), file.as_str(), line), ("H001", "values.yaml", 15));
    assert!(message.len() < 200, "{message}");
}

/// jsonschema 0.60 (without default features) matches `pattern` with fancy-regex: a pattern
/// without backreferences or lookaround goes to the `regex` crate, which runs in linear time;
/// one with them backtracks, up to a limit. Either way a catastrophic pattern against a long
/// `aaaa…!` ends quickly: the first as a plain mismatch, the second, when the limit is hit, as
/// H016 at the value with the pattern as the related place.
#[test]
fn a_pathological_pattern_ends_quickly_and_a_backtracking_limit_is_a_diagnostic() {
    let long = format!("{}!", "a".repeat(100_000));
    for (pattern, code) in [("^(a+)+$", "H001"), ("^(a|aa)+$", "H001"), ("^(a|a)*\\1x", "H016")] {
        let schema = fixture_schema(|s| s["$defs"]["Cache"]["properties"]["url"]["pattern"] = json!(pattern));
        let repo = with_schema(&schema);
        let values = repo.read("values.yaml").replace("\"redis://dragonfly.default.svc:6379\"", &format!("\"{long}\""));
        repo.write("values.yaml", values);
        let (run, report) = check_hostile(&repo);
        assert_eq!(run.code, 1, "{}", run.stdout);
        let first = &report["diagnostics"][0];
        assert_eq!((first["code"].as_str(), first["file"].as_str()), (Some(code), Some("values.yaml")), "{pattern}");
        assert_eq!((first["line"].as_u64(), first["column"].as_u64()), (Some(15), Some(8)), "{pattern}");
        assert!(!run.stdout.contains("aaaaaaaaaa"), "{pattern}: the value was echoed");
        if code == "H016" {
            let related = &first["related"][0];
            assert_eq!(related["file"], "chart/values.schema.json", "{first}");
            let line = usize::try_from(related["line"].as_u64().unwrap_or(0)).unwrap_or(0);
            assert!(schema.lines().nth(line.saturating_sub(1)).is_some_and(|l| l.contains("\"pattern\"")), "{first}");
            assert!(first["help"].as_str().is_some_and(|h| h.contains("backreferences")), "{first}");
        }
    }
}

/// A 50 MB schema is over the default size limit: L004 at the schema, without reading it. Raised
/// to 64 MiB in rulesctl.hcl, the same schema is read and used.
#[test]
fn a_fifty_megabyte_schema_is_over_the_limit_until_the_limit_is_raised() {
    let padding = " ".repeat(50 * 1000 * 1000);
    let schema = fixture_schema(|_| {}).replacen('{', &format!("{{{padding}"), 1);
    let repo = with_schema(&schema);
    let (run, report) = check_hostile(&repo);
    assert_eq!(run.code, 1, "{}", run.stdout);
    let (code, file, line, column, message) = found(&report).into_iter().next().expect("a diagnostic");
    assert_eq!((code.as_str(), file.as_str(), line, column), ("L004", "chart/values.schema.json", 1, 1));
    assert!(message.contains(&format!("{} bytes, over the limit of 8388608 bytes", schema.len())), "{message}");
    let help = report["diagnostics"][0]["help"].as_str().unwrap_or_default().to_string();
    assert!(help.contains("raise `limits { max_file_bytes = ... }`"), "{help}");
    repo.write(
        "rulesctl.hcl",
        format!("limits {{\n  max_file_bytes = {}\n}}\n\n{}", 64 << 20, repo.read("rulesctl.hcl")),
    );
    let (run, _) = check_hostile(&repo);
    assert_eq!(run.code, 0, "{}", run.stdout);
    // The schema is really used: a value it forbids is found.
    repo.write("values.yaml", repo.read("values.yaml").replace("replicaCount: 3", "replicaCount: \"three\""));
    let (run, report) = check_hostile(&repo);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert_eq!(found(&report).first().map(|d| d.0.clone()).as_deref(), Some("H001"));
}

/// The line and column of the `n`th `{` or `[` of `text` (which holds no brackets in strings).
fn nth_bracket(text: &str, n: usize) -> (u64, u64) {
    let offset = text.match_indices(['{', '[']).nth(n - 1).map_or(0, |(i, _)| i);
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
    (line as u64, column as u64)
}

/// A schema nested deeper than `max_depth` is refused at the bracket that went too deep, before
/// it is parsed; one exactly at the limit is used.
#[test]
fn a_deeply_nested_schema_is_refused_at_its_bracket() {
    // `{}` is one level, `items` adds one, `properties` and its key add two.
    let nested = |depth: usize| {
        let (pairs, items) = ((depth - 1) / 2, (depth - 1) % 2);
        let mut schema = "{}".to_string();
        for _ in 0..pairs {
            schema = format!("{{\"properties\": {{\"a\":\n{schema}}}}}");
        }
        for _ in 0..items {
            schema = format!("{{\"items\": {schema}}}");
        }
        schema
    };
    let at_limit = nested(64);
    assert_eq!(at_limit.matches('{').count(), 64);
    let (run, _) = check_hostile(&with_schema(&at_limit));
    assert_eq!(run.code, 0, "{}", run.stdout);
    for schema in [nested(65), format!("{{\"allOf\":\n{}", "[".repeat(100_000))] {
        let (run, report) = check_hostile(&with_schema(&schema));
        assert_eq!(run.code, 1, "{}", &run.stdout[..run.stdout.len().min(500)]);
        let (code, file, line, column, message) = found(&report).into_iter().next().expect("a diagnostic");
        assert_eq!((code.as_str(), file.as_str()), ("H016", "chart/values.schema.json"));
        assert_eq!((line, column), nth_bracket(&schema, 65), "the 65th bracket");
        assert_eq!(message, "the values schema nests more than 64 levels deep");
    }
}
