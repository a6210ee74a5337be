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

/// The cascades, each now one diagnostic at its cause.
#[test]
fn a_misspelt_allow_overrides_is_one_unknown_attribute_not_every_override_refused() {
    let repo = Repo::helm();
    edit(&repo, "rulesctl.hcl", "allow_overrides", "allow_overides");
    let d = only(&repo);
    assert_eq!((d["code"].as_str(), d["file"].as_str()), (Some("D003"), Some("rulesctl.hcl")), "{d}");
    assert_eq!(d["help"], "did you mean `allow_overrides`?");
}

#[test]
fn a_misspelt_override_key_is_one_unknown_key_and_never_advice_to_allow_it() {
    let repo = Repo::helm();
    edit(&repo, "environments/prod.yaml", "replicaCount: 12", "replicaCont: 12");
    let d = only(&repo);
    assert_eq!((d["code"].as_str(), d["file"].as_str()), (Some("H001"), Some("environments/prod.yaml")), "{d}");
    assert_eq!(d["help"], "did you mean `replicaCount`?");
}

#[test]
fn an_out_of_range_rate_is_not_also_a_capacity_error() {
    let repo = Repo::base();
    edit(&repo, "rules/caves.hcl", "base_rate      = 12", "base_rate      = 5000");
    let d = only(&repo);
    assert_eq!(d["code"], "B001", "{d}");
}

#[test]
fn an_injected_value_written_by_hand_is_not_also_an_override_refused() {
    let repo = Repo::helm();
    let prod = repo.read("environments/prod.yaml");
    repo.write(
        "environments/prod.yaml",
        prod.replace("    sidecar:\n", "    sidecar:\n      image: {tag: \"v9.9.9\"}\n"),
    );
    let found: Vec<String> = repo.run(&["check", "--format", "json"]).json()["diagnostics"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|d| format!("{} {}:{}", d["code"].as_str().unwrap_or_default(), d["file"], d["line"]))
        .collect();
    assert_eq!(found, ["H014 \"environments/prod.yaml\":8"], "{found:?}");
}

/// A capacity help line never suggests a `max_concurrent` above what a policy allows: it names
/// the `base_rate` the capacity carries instead.
#[test]
fn the_capacity_help_suggests_only_values_the_rules_accept() {
    let repo = Repo::base();
    repo.write("rulesctl.hcl", "policy \"spawn_config.max_concurrent\" {\n  max = 28\n}\n");
    let caves = repo.read("rules/caves.hcl");
    let at = caves.find("max_concurrent = ").expect("max_concurrent");
    let end = at + caves[at..].find('\n').expect("line end");
    repo.write("rules/caves.hcl", format!("{}max_concurrent = 25{}", &caves[..at], &caves[end..]));
    let d = only(&repo);
    assert_eq!(d["code"], "X002", "{d}");
    let help = d["help"].as_str().unwrap_or_default();
    assert!(help.starts_with("lower `base_rate` to at most 10"), "{help}");
    assert!(!help.contains("raise `max_concurrent`"), "{help}");
}

/// A problem an override causes is shown in the environment's file, the base value beside it, so
/// `check environments/dev.yaml` shows it (it once printed `0 errors` and exited 1).
#[test]
fn a_problem_an_override_causes_is_in_the_environment_file() {
    let repo = Repo::helm();
    edit(&repo, "environments/prod.yaml", "limits: {cpu: \"1\"", "limits: {cpu: \"100m\"");
    let d = only(&repo);
    assert_eq!((d["code"].as_str(), d["file"].as_str()), (Some("H005"), Some("environments/prod.yaml")), "{d}");
    assert_eq!(d["related"][0]["file"], "values.yaml", "the base request beside it: {d}");
    let file = repo.run(&["check", "environments/prod.yaml"]);
    assert_eq!(file.code, 1);
    assert!(file.stdout.contains("error[H005]") && file.stdout.contains("1 error"), "{}", file.stdout);
}

/// A secret listed one slip away from the referenced name gets a did-you-mean, in the file of
/// the environment that lacks it.
#[test]
fn a_misspelt_secret_name_gets_a_did_you_mean() {
    let repo = Repo::helm();
    edit(&repo, "environments/prod.yaml", "secrets: [redis-auth]", "secrets: [redis-auht]");
    let d = only(&repo);
    assert_eq!((d["code"].as_str(), d["file"].as_str()), (Some("H003"), Some("environments/prod.yaml")), "{d}");
    let help = d["help"].as_str().unwrap_or_default();
    assert!(help.contains("lists `redis-auht`: did you mean `redis-auth`?"), "{help}");
}

/// An environment file written as a plain Helm overlay says where its values belong.
#[test]
fn a_plain_helm_overlay_is_told_to_move_under_overrides() {
    let repo = Repo::helm();
    edit(&repo, "environments/prod.yaml", "overrides:\n  gameServer:", "gameServer:");
    let d = only(&repo);
    assert_eq!(
        (d["code"].as_str(), d["file"].as_str(), d["line"].as_u64()),
        (Some("H001"), Some("environments/prod.yaml"), Some(4)),
        "{d}"
    );
    assert_eq!(d["message"], "`gameServer` is a values key, not an environment setting");
    assert!(d["help"].as_str().is_some_and(|h| h.contains("under an `overrides:` key")), "{d}");
}

/// The cooldown help never asks for a `cooldown_ms` a policy forbids.
#[test]
fn the_cooldown_help_respects_a_policy_on_cooldowns() {
    let repo = Repo::base();
    repo.write("rulesctl.hcl", "policy \"spawn_config.cooldown_ms\" {\n  max = 4000\n}\n");
    edit(&repo, "rules/caves.hcl", "cooldown_ms    = 8000", "cooldown_ms    = 3000");
    let d = only(&repo);
    assert_eq!(d["code"], "X001", "{d}");
    assert_eq!(
        d["help"],
        "lower `safety_bounds.min_cooldown_override` to at most 4000: a policy caps `cooldown_ms` there"
    );
}
