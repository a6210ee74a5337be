//! One mistake, one diagnostic, at its cause: each case seeds one mistake and asserts exactly
//! one diagnostic, with actionable help and no far-fetched suggestion.

use crate::support::Repo;

/// The one diagnostic of `check --format json`, failing when there are more or none.
fn only(repo: &Repo) -> serde_json::Value {
    let report = repo.run(&["check", "--format", "json"]).json();
    let all = report["diagnostics"].as_array().cloned().unwrap_or_default();
    assert_eq!(all.len(), 1, "exactly one diagnostic expected: {report:#}");
    all[0].clone()
}

fn edit(repo: &Repo, rel: &str, from: &str, to: &str) {
    let text = repo.read(rel);
    assert!(text.contains(from), "{rel} has no `{from}`");
    repo.write(rel, text.replacen(from, to, 1));
}

#[test]
fn a_misspelt_block_is_one_unknown_block_with_the_right_suggestion() {
    let repo = Repo::base();
    edit(&repo, "rules/caves.hcl", "spawn_config {", "spawn_confg {");
    let d = only(&repo);
    assert_eq!((d["code"].as_str(), d["line"].as_u64()), (Some("D002"), Some(1)), "{d}");
    assert_eq!(d["help"], "did you mean `spawn_config`?");
}

#[test]
fn a_misspelt_attribute_is_not_also_a_missing_one() {
    let repo = Repo::base();
    edit(&repo, "rules/caves.hcl", "cooldown_ms    = 8000", "cooldwn_ms     = 8000");
    let d = only(&repo);
    assert_eq!(d["code"], "D003", "{d}");
    assert_eq!(d["help"], "did you mean `cooldown_ms`?");
}

#[test]
fn an_invalid_name_is_never_suggested_nor_cross_referenced() {
    let repo = Repo::base();
    edit(&repo, "rules/caves.hcl", "region         = \"crystal_caves\"", "region         = \"Crystal-Caves\"");
    let d = only(&repo);
    assert_eq!(d["code"], "D008", "{d}");
    assert!(d["help"].as_str().is_some_and(|h| h.contains("crystal_caves")), "the fix is the valid spelling: {d}");
    let repo = Repo::base();
    edit(&repo, "rules/loot.hcl", "loot_table \"tier_3_drops\"", "loot_table \"Tier-3\"");
    let d = only(&repo);
    assert_eq!(d["code"], "D008", "no unresolved reference and no unused table follow: {d}");
}

#[test]
fn nothing_is_suggested_when_nothing_is_close() {
    let repo = Repo::base();
    repo.write("rules/extra.hcl", "terraform {\n  required_version = \"1.5\"\n}\n");
    let d = only(&repo);
    assert_eq!(d["code"], "D002");
    let help = d["help"].as_str().unwrap_or_default();
    assert!(!help.contains("did you mean") && !help.contains("closest"), "{help}");
    assert!(help.contains("spawn_config"), "the known blocks are listed instead: {help}");

    for (key, near) in [("redis", "cache"), ("image", "cache")] {
        let repo = Repo::helm();
        repo.write("values.yaml", format!("{}{key}: {{}}\n", repo.read("values.yaml")));
        let d = only(&repo);
        assert_eq!(d["code"], "H001");
        let help = d["help"].as_str().unwrap_or_default();
        assert!(!help.contains(&format!("`{near}`?")) && !help.contains("did you mean"), "{key}: {help}");
    }
}

#[test]
fn a_yaml_1_1_boolean_the_schema_rejects_is_one_coherent_diagnostic() {
    let repo = Repo::helm();
    // The schema says `enabled` is a boolean: `no` is read as Helm reads it, and rendered so.
    edit(&repo, "values.yaml", "enabled: true", "enabled: no");
    let report = repo.run(&["check", "--format", "json"]).json();
    assert_eq!(report["diagnostics"], serde_json::json!([]), "{report:#}");
    let rendered = repo.run(&["render", "--env", "dev"]);
    assert!(rendered.stdout.contains("enabled: false"), "{}", rendered.stdout);
    // No reading of `0755` is a boolean: one diagnostic, with both fixes in one help.
    edit(&repo, "values.yaml", "enabled: no", "enabled: 0755");
    let d = only(&repo);
    assert_eq!(d["code"], "H001", "{d}");
    let help = d["help"].as_str().unwrap_or_default();
    assert!(help.contains("YAML 1.1") && help.contains("`true`/`false`"), "{help}");
    assert!(!help.contains("quote it"), "no contradicting advice: {help}");
}

#[test]
fn syntax_errors_point_at_what_was_left_open() {
    let cases: [(&str, &str, &str, u64, u64); 5] = [
        ("rules/caves.hcl", "loot_table     = \"tier_3_drops\"\n}", "loot_table     = \"tier_3_drops\"\n", 1, 14),
        ("rules/caves.hcl", "\"tier_3_drops\"", "\"tier_3_drops", 6, 20),
        ("rules/loot.hcl", "{ weight = 5 }", "{ weight = [5 }", 2, 34),
        (
            "values.yaml",
            "requests: {cpu: \"250m\", memory: \"128Mi\"}",
            "requests: {cpu: \"250m\", memory: \"128Mi\"",
            8,
            17,
        ),
        (
            "values.yaml",
            "url: \"redis://dragonfly.default.svc:6379\"",
            "url: \"redis://dragonfly.default.svc:6379",
            15,
            8,
        ),
    ];
    for (rel, from, to, line, column) in cases {
        let repo = Repo::helm();
        edit(&repo, rel, from, to);
        let report = repo.run(&["check", "--format", "json"]).json();
        let d = &report["diagnostics"][0];
        assert!(matches!(d["code"].as_str(), Some("S001" | "Y001")), "{rel}: {report:#}");
        assert_eq!(
            (d["file"].as_str(), d["line"].as_u64(), d["column"].as_u64()),
            (Some(rel), Some(line), Some(column)),
            "{rel}: {d:#}"
        );
        let help = d["help"].as_str().unwrap_or_default();
        assert!(!help.contains("fix the") && (help.contains("add") || help.contains("close")), "{rel}: {help}");
    }
}

#[test]
fn an_error_at_the_end_of_a_file_points_at_its_last_character() {
    let repo = Repo::base();
    repo.write("rules/extra.hcl", "x = \n\n");
    let d = only(&repo);
    assert_eq!((d["code"].as_str(), d["line"].as_u64(), d["column"].as_u64()), (Some("S001"), Some(1), Some(3)), "{d}");
    let repo = Repo::helm();
    repo.write("environments/dev.yaml", "cluster:\n  allocatable:\n    - [cpu\n");
    let report = repo.run(&["check", "--format", "json"]).json();
    let d = &report["diagnostics"][0];
    assert_eq!(d["file"], "environments/dev.yaml");
    assert!(d["line"].as_u64() <= Some(3), "inside the file: {d}");
}
