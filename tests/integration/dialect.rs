//! The dialect: every non-literal construct is rejected at its exact span; literals pass.

use crate::support::Repo;

/// Replaces the base fixture's `base_rate` value (line 3, column 20) and returns the JSON report.
fn with_base_rate(value: &str) -> serde_json::Value {
    let repo = Repo::base();
    repo.write(
        "rules/caves.hcl",
        repo.read("rules/caves.hcl").replace("base_rate      = 12", &format!("base_rate      = {value}")),
    );
    let run = repo.run(&["check", "--format", "json"]);
    assert_eq!(run.code, 1, "{value}: {}", run.stdout);
    run.json()
}

#[test]
fn every_non_literal_is_rejected_at_its_span() {
    let cases = [
        ("max(1, 2)", "a call to `max`", 20),
        ("twelve", "the variable `twelve`", 20),
        ("var.rate", "a reference", 20),
        ("regions[*].rate", "a splat expression", 20),
        ("regions.*.rate", "a splat expression", 20),
        ("6 * 2", "the operator `*`", 20),
        ("-twelve", "the operator `-`", 20),
        ("!true", "the operator `!`", 20),
        ("(12)", "a parenthesised expression", 20),
        ("true ? 12 : 6", "a conditional", 20),
        ("[for r in rates : r]", "a `for` expression", 20),
        ("\"${rate}\"", "template interpolation `${...}`", 21),
        ("\"1${rate}\"", "template interpolation `${...}`", 22),
        ("\"%{ if true }12%{ endif }\"", "a template directive `%{...}`", 21),
        ("<<EOT\n12\nEOT", "a heredoc", 20),
        ("null", "`null`", 20),
    ];
    for (value, what, column) in cases {
        let report = with_base_rate(value);
        let d = &report["diagnostics"][0];
        assert_eq!(d["code"], "D001", "{value}: {d}");
        assert_eq!(
            (d["file"].as_str(), d["line"].as_u64(), d["column"].as_u64()),
            (Some("rules/caves.hcl"), Some(3), Some(column)),
            "{value}"
        );
        assert!(d["message"].as_str().unwrap_or_default().starts_with(what), "{value}: {}", d["message"]);
        assert!(d["help"].as_str().is_some_and(|h| !h.is_empty()), "{value}: no help");
        assert_eq!(
            report["diagnostics"].as_array().map(Vec::len),
            Some(1),
            "{value}: one diagnostic, no cascade: {report}"
        );
    }
}

#[test]
fn non_literal_inside_a_list_points_at_the_element() {
    let repo = Repo::base();
    repo.write("rulesctl.hcl", "render {\n  allow_overrides = [\"gameServer.replicaCount\", lower(\"X\")]\n}\n");
    let run = repo.run(&["check", "--format", "json"]);
    let d = &run.json()["diagnostics"][0];
    assert_eq!((d["code"].as_str(), d["line"].as_u64(), d["column"].as_u64()), (Some("D001"), Some(2), Some(49)));
}

#[test]
fn escaped_interpolation_is_a_literal() {
    let repo = Repo::base();
    repo.write("rulesctl.hcl", "render {\n  allow_overrides = [\"$${not.a.template}\"]\n}\n");
    assert_eq!(repo.run(&["check"]).code, 0);
}

#[test]
fn negative_number_is_a_literal_checked_against_its_range() {
    let report = with_base_rate("-5");
    let d = &report["diagnostics"][0];
    assert_eq!(d["code"], "B001");
    assert!(d["message"].as_str().unwrap_or_default().contains("is -5, outside its range 0..=1000"), "{d}");
}

#[test]
fn integers_are_written_as_whole_numbers() {
    for (value, help) in [
        ("12.0", "`base_rate = 12`"),
        ("1.2e1", "`base_rate = 12`"),
        ("12.5", "such as"),
        ("\"12\"", "remove the quotes"),
    ] {
        let report = with_base_rate(value);
        let d = &report["diagnostics"][0];
        assert_eq!(d["code"], "D005", "{value}");
        assert!(d["help"].as_str().unwrap_or_default().contains(help), "{value}: {}", d["help"]);
    }
}

#[test]
fn numbers_accept_integers_and_fractions() {
    let repo = Repo::base();
    repo.write(
        "rules/ruleset.hcl",
        repo.read("rules/ruleset.hcl").replace("max_spawn_rate_multiplier = 2.5", "max_spawn_rate_multiplier = 3"),
    );
    assert_eq!(repo.run(&["check"]).code, 0);
}

#[test]
fn ruleset_version_must_appear_exactly_once() {
    let repo = Repo::base();
    repo.write("rules/ruleset.hcl", repo.read("rules/ruleset.hcl").replace("ruleset_version = \"v1.0.0\"", ""));
    let run = repo.run(&["check", "--format", "json"]);
    assert_eq!(run.codes(), ["D007"]);
    assert!(run.stdout.contains("`ruleset_version` is missing"), "{}", run.stdout);

    let repo = Repo::base();
    repo.write("rules/zz.hcl", "ruleset_version = \"v1.0.1\"\n");
    let report = repo.run(&["check", "--format", "json"]).json();
    let d = &report["diagnostics"][0];
    assert_eq!((d["code"].as_str(), d["file"].as_str()), (Some("D007"), Some("rules/zz.hcl")));
    assert_eq!(d["related"][0]["file"], "rules/ruleset.hcl");
}

#[test]
fn versions_are_v_plus_semver() {
    for (good, version) in
        [(true, "v2.4.1"), (true, "v1.0.0-rc.1+build.5"), (false, "2.4.1"), (false, "v2.4"), (false, "V2.4.1")]
    {
        let repo = Repo::base();
        repo.write("rules/ruleset.hcl", repo.read("rules/ruleset.hcl").replace("v1.0.0", version));
        let codes = repo.run(&["check", "--format", "json"]).codes();
        assert_eq!(codes.is_empty(), good, "{version}: {codes:?}");
    }
}

#[test]
fn maintenance_window_is_hh_mm_utc() {
    for (good, window) in [
        (true, "00:00 UTC"),
        (true, "23:59 UTC"),
        (false, "24:00 UTC"),
        (false, "12:60 UTC"),
        (false, "04:00"),
        (false, "4:00 UTC"),
        (false, "04:00 utc"),
    ] {
        let repo = Repo::base();
        repo.write("rules/ruleset.hcl", repo.read("rules/ruleset.hcl").replace("04:00 UTC", window));
        let codes = repo.run(&["check", "--format", "json"]).codes();
        assert_eq!(codes.is_empty(), good, "{window}: {codes:?}");
    }
}

#[test]
fn boundaries_of_ranges_are_inclusive() {
    for (value, ok) in [("0", true), ("1000", true), ("1001", false)] {
        let repo = Repo::base();
        let caves = repo.read("rules/caves.hcl").replace("base_rate      = 12", &format!("base_rate      = {value}"));
        repo.write("rules/caves.hcl", caves.replace("max_concurrent = 45", "max_concurrent = 10000"));
        let codes = repo.run(&["check", "--format", "json"]).codes();
        assert_eq!(codes.is_empty(), ok, "{value}: {codes:?}");
    }
}

#[test]
fn unknown_keys_name_the_closest_known_key() {
    let repo = Repo::base();
    repo.write("rules/caves.hcl", repo.read("rules/caves.hcl").replace("max_backoff_ms", "max_backof_ms"));
    let report = repo.run(&["check", "--format", "json"]).json();
    let d = report["diagnostics"]
        .as_array()
        .and_then(|ds| ds.iter().find(|d| d["code"] == "D003"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(d["help"], "did you mean `max_backoff_ms`?");
    let far = Repo::base();
    far.write("rules/x.hcl", "zzz = 1\n");
    let report = far.run(&["check", "--format", "json"]).json();
    let help = report["diagnostics"][0]["help"].as_str().unwrap_or_default().to_string();
    assert!(!help.contains("did you mean"), "nothing is close to `zzz`, so nothing is suggested: {help}");
    assert!(help.contains("spawn_config") && help.contains("ruleset_version"), "the known keys are listed: {help}");
}

#[test]
fn wrong_label_counts() {
    let repo = Repo::base();
    repo.write("rules/loot.hcl", "loot_table {\n  item \"a\" \"b\" { weight = 1 }\n}\n");
    let run = repo.run(&["check", "--format", "json"]);
    let codes = run.codes();
    assert!(codes.iter().filter(|c| *c == "D004").count() == 2, "{codes:?}");
    assert!(run.stdout.contains("`loot_table` needs one label, its table name"), "{}", run.stdout);
    assert!(run.stdout.contains("`item` takes one label, its item name, not 2"), "{}", run.stdout);
}

fn policy(text: &str) -> (i32, Vec<String>, String) {
    let repo = Repo::base();
    repo.write("rulesctl.hcl", text);
    let run = repo.run(&["check", "--format", "json"]);
    (run.code, run.codes(), run.stdout)
}

#[test]
fn policies_narrow_and_never_widen() {
    let (code, codes, _) = policy("policy \"spawn_config.base_rate\" {\n  min = 10\n  max = 12\n}\n");
    assert_eq!((code, codes.len()), (0, 0), "a narrowing that the rules satisfy passes");
    let (_, codes, out) = policy("policy \"spawn_config.base_rate\" {\n  min = 13\n}\n");
    assert_eq!(codes, ["B002"], "{out}");
    for (text, message) in [
        (
            "policy \"spawn_config.base_rate\" {\n  min = -1\n}\n",
            "widens `spawn_config.base_rate` beyond its built-in range 0..=1000",
        ),
        (
            "policy \"safety_bounds.max_spawn_rate_multiplier\" {\n  max = 10.5\n}\n",
            "beyond its built-in range 1.0..=10.0",
        ),
        ("policy \"spawn_config.base_rate\" {\n  min = 20\n  max = 10\n}\n", "`min` is greater than its `max`"),
        ("policy \"spawn_config.base_rate\" {\n}\n", "sets neither `min` nor `max`"),
        ("policy \"spawn_config.base_rate\" {\n  max = 10.5\n}\n", "its policy bounds are integers"),
        ("policy \"spawn_config.region\" {\n  max = 1\n}\n", "is not a numeric attribute"),
        (
            "policy \"spawn_config.base_rate\" {\n  max = 20\n}\npolicy \"spawn_config.base_rate\" {\n  max = 30\n}\n",
            "a second policy",
        ),
    ] {
        let (code, codes, out) = policy(text);
        assert_eq!((code, codes), (1, vec!["P001".to_string()]), "{text}: {out}");
        assert!(out.contains(message), "{text}: {out}");
    }
    let (_, codes, out) = policy("policy \"loot_table.item.wieght\" {\n  max = 10\n}\n");
    assert_eq!(codes, ["P002"]);
    assert!(out.contains("did you mean `loot_table.item.weight`?"), "{out}");
}

#[test]
fn policy_on_nested_attribute_applies() {
    let (_, codes, _) = policy("policy \"loot_table.item.weight\" {\n  max = 50\n}\n");
    assert_eq!(codes, ["B002"], "gold_coin has weight 95");
}
