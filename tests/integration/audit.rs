//! The code audit of issue 16 (part 5): each test is hostile input that once reached a panic,
//! a stack overflow or a wrong position, run through the real binary. See docs/src/engineering/audit.md.

use serde_json::Value;

use crate::support::{Repo, Run};

/// Runs `check --format json`, asserting it neither panicked nor crashed.
fn check_json(repo: &Repo) -> (Run, Value) {
    let run = repo.run(&["check", "--format", "json"]);
    assert!(!run.stderr.contains("panicked") && !run.stderr.contains("overflow"), "{}", run.stderr);
    assert!(run.code == 0 || run.code == 1, "exit {}: {}", run.code, run.stderr);
    let report = run.json();
    (run, report)
}

/// Every diagnostic of `code` as (file, line, column, message).
fn all(report: &Value, code: &str) -> Vec<(String, u64, u64, String)> {
    report["diagnostics"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|d| d["code"] == code)
        .map(|d| {
            let text = |key: &str| d[key].as_str().unwrap_or_default().to_string();
            (text("file"), d["line"].as_u64().unwrap_or(0), d["column"].as_u64().unwrap_or(0), text("message"))
        })
        .collect()
}

/// Aliases of aliases once built a values tree far deeper than `max_depth` from a few lines of
/// text (each anchor holding the previous one 60 levels down): deep enough, at the default
/// node limit, to overflow the stack of the walks over the values. An alias now counts the
/// levels it copies.
#[test]
fn aliases_cannot_nest_deeper_than_max_depth() {
    let repo = Repo::base();
    let nest = |inner: &str| format!("{}{inner}{}", "[".repeat(40), "]".repeat(40));
    // 1 (top) + 1 (`deep`) + 40 = 42 levels: fine. Its alias under another 40 lists: 82.
    let values = format!("deep:\n  a: &a {}\n  b: {}\n", nest("1"), nest("*a"));
    repo.write("values.yaml", &values);
    let (run, report) = check_json(&repo);
    assert_eq!(run.code, 1, "{}", run.stdout);
    let found = all(&report, "Y004");
    assert_eq!(found.len(), 1, "{report}");
    let (file, line, column, message) = &found[0];
    assert_eq!((file.as_str(), *line, *column), ("values.yaml", 3, 6 + 40));
    assert_eq!(message, "this alias nests the document more than 64 levels deep");
    // The same alias where it fits is fine.
    repo.write("values.yaml", format!("deep:\n  a: &a {}\n  b: [*a]\n", nest("1")));
    let (run, report) = check_json(&repo);
    assert_eq!((run.code, all(&report, "Y004").len()), (0, 0), "{report}");
}

/// The chain that overflowed the stack: 56 anchors, each the previous one 60 levels down.
#[test]
fn a_chain_of_aliases_ends_in_a_diagnostic_not_a_stack_overflow() {
    let repo = Repo::base();
    let mut values = String::from("deep:\n");
    for k in 0..56 {
        let inner = if k == 0 { "1".to_string() } else { format!("*a{}", k - 1) };
        values.push_str(&format!("  k{k}: &a{k} {}{inner}{}\n", "[".repeat(60), "]".repeat(60)));
    }
    repo.write("values.yaml", &values);
    let (run, report) = check_json(&repo);
    assert_eq!(run.code, 1);
    assert_eq!(all(&report, "Y004").len(), 1, "{report}");
}

/// Replaces `safety_bounds.max_spawn_rate_multiplier` in the base fixture.
fn multiplier(repo: &Repo, written: &str) {
    let text = repo.read("rules/ruleset.hcl");
    repo.write(
        "rules/ruleset.hcl",
        text.replace("max_spawn_rate_multiplier = 2.5", &format!("max_spawn_rate_multiplier = {written}")),
    );
}

/// The exact product in X002 read the multiplier's exponent as written and subtracted it
/// unchecked: `1e-2147483648` overflowed (a panic in a debug build, a wrapped number in a
/// release build). And a product too large for a float printed as `inf`.
#[test]
fn extreme_multipliers_are_out_of_range_not_a_crash() {
    let repo = Repo::base();
    for written in ["1e-2147483648", "1.5e-2147483648", "-9223372036854775808", "99999999999999999999"] {
        multiplier(&repo, written);
        let (run, report) = check_json(&repo);
        assert_eq!(run.code, 1, "{written}: {report}");
        let range = all(&report, "B001");
        assert_eq!(range.len(), 1, "{written}: {report}");
        assert!(range[0].3.contains(written), "{written}: {}", range[0].3);
        let text = repo.read("rules/ruleset.hcl").replace(&format!("= {written}"), "= 2.5");
        repo.write("rules/ruleset.hcl", text);
    }
    // 12 × 1e308 is no float; the peak check is a consequence of the out-of-range multiplier,
    // so it is folded into B001 (one mistake, one diagnostic) and never prints `inf`.
    multiplier(&repo, "1e308");
    let (_, report) = check_json(&repo);
    assert_eq!(all(&report, "B001").len(), 1, "{report}");
    assert!(all(&report, "X002").is_empty(), "{report}");
    assert!(!report.to_string().contains("inf"), "{report}");
    let human = repo.run(&["check"]);
    assert!(!human.stdout.contains("inf") && !human.stderr.contains("inf"), "{}{}", human.stdout, human.stderr);
}

/// The (line, column) of the only diagnostic of `code`.
fn place(report: &Value, code: &str) -> (u64, u64) {
    let found = all(report, code);
    assert_eq!(found.len(), 1, "one {code} expected: {report}");
    (found[0].1, found[0].2)
}

/// serde_json's error column counts bytes; `verify` read it as characters, so an error after
/// `日本語` was placed past the end of the line and fell back to its start.
#[test]
fn verify_places_a_json_error_after_wide_characters() {
    let repo = Repo::empty();
    repo.write("ruleset-v1.json", "{\"a\": \"日本語日本語\", x}\n");
    let run = repo.run(&["verify", "ruleset-v1.json", "--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(place(&run.json(), "V004"), (1, 17), "at the `x`");
    // An artifact that stops inside a string ending in a wide character: on its last character.
    repo.write("ruleset-v1.json", "{\n  \"a\": \"日本語");
    let run = repo.run(&["verify", "ruleset-v1.json", "--format", "json"]);
    assert_eq!(place(&run.json(), "V004"), (2, 11));
}

/// The same for the values schema, which also clamped the offset to the last byte: inside the
/// last character when the file ends in a wide one, where the column fell back to a byte count.
#[test]
fn a_values_schema_json_error_is_placed_by_characters() {
    let repo = Repo::base();
    repo.write("rulesctl.hcl", "paths {\n  values_schema = \"s.json\"\n}\n");
    repo.write("values.yaml", "a: 1\n");
    repo.write("s.json", "{\"description\": \"日本語日本語\", x}\n");
    let (_, report) = check_json(&repo);
    assert_eq!(place(&report, "H016"), (1, 27), "at the `x`");
    repo.write("s.json", "{\"description\": \"日本語日本語");
    let (_, report) = check_json(&repo);
    assert_eq!(place(&report, "H016"), (1, 23), "on the last character");
    let run = repo.run(&["check", "--format", "sarif"]);
    assert!(run.stdout.contains("\"startColumn\": 23"), "{}", run.stdout);
}

/// `RULESCTL_THREADS` is read from the environment: `usize::MAX` overflowed the chunk size
/// (`threads * 16`, a panic in a debug build) and then asked for as many threads, whose first
/// refused spawn panicked. It is capped, and a refused spawn leaves the work to the main thread.
#[test]
fn a_huge_thread_count_is_capped() {
    let repo = Repo::base();
    for i in 0..80 {
        repo.write(
            &format!("rules/gen/t{i:02}.hcl"),
            format!("loot_table \"t{i}\" {{\n  item \"x\" {{ weight = 1 }}\n}}\n"),
        );
    }
    let one = crate::support::run_env(repo.path(), &["check", "--format", "json"], &[("RULESCTL_THREADS", "1")]);
    assert_eq!(one.code, 0, "{}", one.stdout);
    for threads in ["18446744073709551615", "1000000"] {
        let run =
            crate::support::run_env(repo.path(), &["check", "--format", "json"], &[("RULESCTL_THREADS", threads)]);
        assert!(!run.stderr.contains("panicked"), "{threads}: {}", run.stderr);
        assert_eq!((run.code, &run.stdout), (0, &one.stdout), "{threads}");
    }
}

/// `check --base` suggests the next version; it added one to the patch unchecked, so a patch
/// of `u64::MAX` (which semver accepts) panicked in a debug build.
#[test]
fn the_suggested_version_bump_never_overflows() {
    let repo = Repo::committed();
    let max = "18446744073709551615";
    let rules = repo.read("rules/ruleset.hcl").replace("v1.0.0", &format!("v1.0.{max}"));
    repo.write("rules/ruleset.hcl", rules);
    crate::support::git(repo.path(), &["commit", "-qam", "a huge patch"]);
    let caves = repo.read("rules/caves.hcl").replace("cooldown_ms    = 8000", "cooldown_ms    = 9000");
    repo.write("rules/caves.hcl", caves);
    let run = repo.run(&["check", "--base", "HEAD", "--format", "json"]);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    assert_eq!(run.codes(), ["G001"], "{}", run.stdout);
    let help = run.json()["diagnostics"][0]["help"].as_str().unwrap_or_default().to_string();
    assert_eq!(help, "raise `ruleset_version`, for example to \"v1.1.0\"");
}

/// A lone `\r` is a character, not a line end, to HCL and to every format's positions; miette
/// started a new snippet line at it, so the human header said 2:1 where JSON said 1:2, and the
/// raw `\r` (or an escape sequence) reached the terminal.
#[test]
fn a_lone_carriage_return_is_placed_alike_in_every_format() {
    let repo = Repo::base();
    repo.write("rules/odd.hcl", "\rbogus = 1 # \u{1b}[2J\n");
    let (_, report) = check_json(&repo);
    assert_eq!(place(&report, "D003"), (1, 2));
    let human = repo.run(&["check"]);
    assert!(human.stdout.contains("[rules/odd.hcl:1:2]"), "{}", human.stdout);
    assert!(human.stdout.contains(" 1 │ ?bogus = 1 # ?[2J\n"), "{}", human.stdout);
    assert!(!human.stdout.contains(['\r', '\u{1b}']), "{:?}", human.stdout);
    let github = repo.run(&["check", "--format", "github"]);
    assert!(github.stdout.contains("file=rules/odd.hcl,line=1,col=2,"), "{}", github.stdout);
}

/// Masking a literal credential rewrites the file's text, but the YAML parser's warnings were
/// kept with spans into the text before: a Y005 after a long password pointed past the end of
/// the file (the human report said `OutOfBounds`). And a Y005 about the credential itself
/// quoted it (`password: 0123456789` "reads as an octal number"): a secret printed.
#[test]
fn yaml_warnings_survive_masking_in_place_and_never_quote_a_credential() {
    let repo = Repo::base();
    let values = "db:\n  password: \"averyveryverylongpassword\"\n  pin_password: 0123456789\nflags:\n  enabled: on\n";
    repo.write("values.yaml", values);
    let (_, report) = check_json(&repo);
    assert_eq!(all(&report, "H004").len(), 2, "{report}");
    let ambiguous = all(&report, "Y005");
    assert_eq!(ambiguous.len(), 1, "only the flag: {report}");
    assert_eq!((ambiguous[0].1, ambiguous[0].2), (5, 12));
    for format in ["human", "json", "sarif", "github"] {
        let run = repo.run(&["check", "--format", format]);
        for secret in ["averyveryverylongpassword", "0123456789"] {
            assert!(!run.stdout.contains(secret), "{format} prints {secret}: {}", run.stdout);
        }
        assert!(!run.stdout.contains("OutOfBounds"), "{}", run.stdout);
    }
    // The same in an environment file.
    repo.write("values.yaml", "db:\n  host: x\nflags:\n  enabled: true\n");
    repo.write(
        "environments/dev.yaml",
        "cluster:\n  allocatable: {cpu: \"4\", memory: \"8Gi\"}\noverrides:\n  db:\n    password: averyveryverylongpassword\n    token: 0755\n  flags:\n    enabled: off\n",
    );
    let (_, report) = check_json(&repo);
    let ambiguous = all(&report, "Y005");
    assert_eq!(ambiguous.len(), 1, "only the flag: {report}");
    assert_eq!((ambiguous[0].0.as_str(), ambiguous[0].1, ambiguous[0].2), ("environments/dev.yaml", 8, 14));
    assert!(!report.to_string().contains("0755"), "{report}");
}

/// Rendered values are written as YAML that YAML 1.1 reads alike; NEL, LS and PS are line
/// breaks to YAML 1.1 readers (Helm's go-yaml, PyYAML), so a raw one inside a quoted value was
/// folded into a space when Helm read it back. They are written as escapes.
#[test]
fn rendered_values_keep_unicode_line_separators() {
    let repo = Repo::helm();
    let mut values = repo.read("values.yaml");
    values.push_str("global:\n  nel: \"a\\u0085b\"\n  ls: \"a\\u2028b\"\n  ps: \"a\\u2029b\"\n  \"k\\u0085ey\": 1\n");
    repo.write("values.yaml", values);
    let run = repo.run(&["build"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    let rendered = repo.read("dist/dev/values.yaml");
    assert!(!rendered.contains(['\u{85}', '\u{2028}', '\u{2029}']), "{rendered}");
    let script = "import json,sys,yaml\nprint(json.dumps(yaml.safe_load(open(sys.argv[1]))['global'], sort_keys=True))";
    let out = crate::support::python(&["-c", script, &repo.path().join("dist/dev/values.yaml").to_string_lossy()]);
    let read: Value = serde_json::from_str(&out).unwrap_or_default();
    assert_eq!(
        read,
        serde_json::json!({"nel": "a\u{85}b", "ls": "a\u{2028}b", "ps": "a\u{2029}b", "k\u{85}ey": 1}),
        "YAML 1.1 reads what was meant"
    );
}

/// A credential under a duplicated key: the first value left the document (a later key wins),
/// so it was never masked, and the Y002 snippet printed it. And when masking fell back to
/// starring in place (duplicates, block scalars), the stars told the secret's length and, over
/// a block scalar's line breaks, joined the lines after it, moving every later position.
#[test]
fn credentials_are_masked_everywhere_and_keep_later_lines_in_place() {
    let repo = Repo::base();
    let cases = [
        ("db:\n  password: zq7Xsecret1\n  password: zq7Xsecret2\nflags:\n  enabled: on\n", 5),
        ("db:\n  password: zq7Xsecret1\ndb:\n  host: x\nflags:\n  enabled: on\n", 6),
        ("db:\n  password: |\n    zq7Xsecret1\n    zq7Xsecret2\nflags:\n  enabled: on\n", 6),
        ("db:\n  password: \"zq7Xsecret1\n    zq7Xsecret2\"\nflags:\n  enabled: on\n", 5),
    ];
    for (values, line) in cases {
        repo.write("values.yaml", values);
        let (_, report) = check_json(&repo);
        assert_eq!(place(&report, "Y005"), (line, 12), "{values}: {report}");
        for format in ["human", "json", "sarif", "github"] {
            let run = repo.run(&["check", "--format", format]);
            assert!(!run.stdout.contains("zq7X"), "{values}: {}", run.stdout);
            assert!(!run.stdout.contains(&"*".repeat(11)), "the length shows: {}", run.stdout);
        }
    }
}
