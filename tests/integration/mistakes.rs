//! A corpus of single mistakes: each case seeds one mistake into a clean repository (rules,
//! project file, values, environment files, HCL and YAML syntax) and must get exactly one
//! diagnostic, in the file and on the line of the mistake. The whole table is one snapshot, so
//! a change that adds a cascade (a second diagnostic for one mistake) or moves one to another
//! file fails here and shows which case.

use crate::support::Repo;

/// What a case does to a clean repository.
enum Step {
    /// Replace the first `from` in the file with `to`.
    Edit(&'static str, &'static str, &'static str),
    /// Write the file (creating it).
    Write(&'static str, &'static str),
    /// Delete the file.
    Remove(&'static str),
}
use Step::{Edit, Remove, Write};

/// Which clean repository a case starts from: the rules alone, or rules with values, a chart
/// schema and two environments (`dev`, `prod`).
#[derive(Clone, Copy)]
enum Base {
    Rules,
    Helm,
}

const CASES: &[(&str, Base, &[Step])] = &[
    // The rules dialect.
    ("misspelt block", Base::Rules, &[Edit("rules/caves.hcl", "spawn_config {", "spawn_confg {")]),
    ("misspelt attribute", Base::Rules, &[Edit("rules/caves.hcl", "cooldown_ms    = 8000", "cooldwn_ms     = 8000")]),
    ("number written as a string", Base::Rules, &[Edit("rules/caves.hcl", "base_rate      = 12", "base_rate      = \"12\"")]),
    ("fraction where an integer goes", Base::Rules, &[Edit("rules/caves.hcl", "base_rate      = 12", "base_rate      = 12.5")]),
    ("missing attribute", Base::Rules, &[Edit("rules/caves.hcl", "  max_concurrent = 45\n", "")]),
    ("rate out of range", Base::Rules, &[Edit("rules/caves.hcl", "base_rate      = 12", "base_rate      = 5000")]),
    ("negative cooldown", Base::Rules, &[Edit("rules/caves.hcl", "cooldown_ms    = 8000", "cooldown_ms    = -1")]),
    ("multiplier out of range", Base::Rules, &[Edit("rules/ruleset.hcl", "= 2.5", "= 12.0")]),
    ("invalid region name", Base::Rules, &[Edit("rules/caves.hcl", "\"crystal_caves\"", "\"Crystal-Caves\"")]),
    ("version without v", Base::Rules, &[Edit("rules/ruleset.hcl", "\"v1.0.0\"", "\"1.0.0\"")]),
    ("malformed maintenance window", Base::Rules, &[Edit("rules/ruleset.hcl", "\"04:00 UTC\"", "\"4pm\"")]),
    ("misspelt loot table reference", Base::Rules, &[Edit("rules/caves.hcl", "\"tier_3_drops\"", "\"tier_3_drop\"")]),
    ("misspelt stream region", Base::Rules, &[Edit("rules/caves.hcl", "region             = \"crystal_caves\"", "region             = \"crystal_cave\"")]),
    ("stream deleted", Base::Rules, &[Edit("rules/caves.hcl", "event_stream {", "# event_stream {"), Edit("rules/caves.hcl", "  region             = \"crystal_caves\"\n  max_len            = 5000\n  max_in_flight      = 32\n  backoff_multiplier = 2.0\n  max_backoff_ms     = 8000\n}", "")]),
    ("region defined twice", Base::Rules, &[Write("rules/again.hcl", "spawn_config {\n  region         = \"crystal_caves\"\n  base_rate      = 1\n  max_concurrent = 45\n  cooldown_ms    = 8000\n  loot_table     = \"tier_3_drops\"\n}\n")]),
    ("loot table defined twice", Base::Rules, &[Write("rules/again.hcl", "loot_table \"tier_3_drops\" {\n  item \"rock\" { weight = 1 }\n}\n")]),
    ("item listed twice", Base::Rules, &[Edit("rules/loot.hcl", "item \"gold_coin\"    { weight = 95 }", "item \"gold_coin\"    { weight = 95 }\n  item \"gold_coin\"    { weight = 1 }")]),
    ("loot table emptied", Base::Rules, &[Edit("rules/loot.hcl", "  item \"dragon_scale\" { weight = 5 }\n  item \"gold_coin\"    { weight = 95 }\n", "")]),
    ("unused loot table", Base::Rules, &[Write("rules/spare.hcl", "loot_table \"spare\" {\n  item \"rock\" { weight = 1 }\n}\n")]),
    ("stream defined twice", Base::Rules, &[Write("rules/again.hcl", "event_stream {\n  region             = \"crystal_caves\"\n  max_len            = 5000\n  max_in_flight      = 32\n  backoff_multiplier = 2.0\n  max_backoff_ms     = 8000\n}\n")]),
    ("cooldown below the minimum", Base::Rules, &[Edit("rules/caves.hcl", "cooldown_ms    = 8000", "cooldown_ms    = 1000")]),
    ("capacity below the peak rate", Base::Rules, &[Edit("rules/caves.hcl", "max_concurrent = 45", "max_concurrent = 20")]),
    ("window not below the cooldown", Base::Rules, &[Edit("rules/ruleset.hcl", "duplicate_event_window_ms = 3000", "duplicate_event_window_ms = 6000")]),
    ("second ruleset_version", Base::Rules, &[Edit("rules/loot.hcl", "loot_table", "ruleset_version = \"v1.0.1\"\n\nloot_table")]),
    ("event_timers deleted", Base::Rules, &[Edit("rules/ruleset.hcl", "event_timers {\n  world_boss_interval = 3600\n  weather_cycle       = 900\n  maintenance_window  = \"04:00 UTC\"\n}\n", "")]),
    ("misspelt item attribute", Base::Rules, &[Edit("rules/loot.hcl", "{ weight = 5 }", "{ wieght = 5 }")]),
    ("loot table without its label", Base::Rules, &[Write("rules/spare.hcl", "loot_table {\n  item \"rock\" { weight = 1 }\n}\n")]),
    ("arithmetic in a value", Base::Rules, &[Edit("rules/caves.hcl", "base_rate      = 12", "base_rate      = 6 * 2")]),
    ("variable reference", Base::Rules, &[Edit("rules/caves.hcl", "\"tier_3_drops\"", "var.table")]),
    ("template interpolation", Base::Rules, &[Edit("rules/caves.hcl", "\"tier_3_drops\"", "\"${var.table}\"")]),
    ("null value", Base::Rules, &[Edit("rules/caves.hcl", "max_concurrent = 45", "max_concurrent = null")]),
    ("heredoc value", Base::Rules, &[Edit("rules/ruleset.hcl", "\"04:00 UTC\"", "<<EOT\n04:00 UTC\nEOT")]),
    // HCL syntax.
    ("unclosed block", Base::Rules, &[Edit("rules/loot.hcl", "95 }\n}", "95 }\n")]),
    ("attribute without =", Base::Rules, &[Edit("rules/caves.hcl", "base_rate      = 12", "base_rate      12")]),
    ("unterminated string", Base::Rules, &[Edit("rules/caves.hcl", "\"tier_3_drops\"", "\"tier_3_drops")]),
    ("stray character", Base::Rules, &[Edit("rules/caves.hcl", "max_concurrent = 45", "max_concurrent = 45 @")]),
    ("NUL byte in a rule file", Base::Rules, &[Edit("rules/loot.hcl", "gold_coin", "gold\0coin")]),
    ("empty rule file", Base::Rules, &[Write("rules/empty.hcl", "")]),
    // The project file.
    ("misspelt allow_overrides", Base::Helm, &[Edit("rulesctl.hcl", "allow_overrides", "allow_overides")]),
    ("policy that widens a range", Base::Rules, &[Write("rulesctl.hcl", "policy \"spawn_config.base_rate\" {\n  max = 5000\n}\n")]),
    ("policy on a misspelt attribute", Base::Rules, &[Write("rulesctl.hcl", "policy \"spawn_config.bse_rate\" {\n  max = 10\n}\n")]),
    ("rule outside a policy", Base::Rules, &[Write("rulesctl.hcl", "policy \"spawn_config.base_rate\" {\n  max = 10\n}\n")]),
    ("limit out of its range", Base::Rules, &[Write("rulesctl.hcl", "limits {\n  max_file_bytes = -1\n}\n")]),
    ("injection from a misspelt field", Base::Helm, &[Edit("rulesctl.hcl", "= \"ruleset_version\"\n    \"config.rulesetDigest\"", "= \"ruleset_versoin\"\n    \"config.rulesetDigest\"")]),
    // values.yaml.
    ("misspelt values key", Base::Helm, &[Edit("values.yaml", "replicaCount: 3", "replicaCont: 3")]),
    ("wrong type in values", Base::Helm, &[Edit("values.yaml", "replicaCount: 3", "replicaCount: three")]),
    ("invalid quantity", Base::Helm, &[Edit("values.yaml", "cpu: \"250m\"", "cpu: \"250mm\"")]),
    ("request above its limit", Base::Helm, &[Edit("values.yaml", "requests: {cpu: \"250m\"", "requests: {cpu: \"750m\"")]),
    ("literal password", Base::Helm, &[Edit("values.yaml", "  url: \"redis://", "  password: \"hunter2\"\n  url: \"redis://")]),
    ("secret no environment has", Base::Helm, &[Edit("values.yaml", "name: redis-auth", "name: redis-cache")]),
    ("duration over its bound", Base::Helm, &[Edit("values.yaml", "rollbackTimeout: \"30s\"", "rollbackTimeout: \"10m\"")]),
    ("value that must equal a rule", Base::Helm, &[Edit("values.yaml", "vectorClockWindow: \"3000ms\"", "vectorClockWindow: \"2000ms\"")]),
    ("injected value written by hand", Base::Helm, &[Edit("values.yaml", "config:\n", "config:\n  rulesetVersion: \"v0.0.1\"\n")]),
    ("duplicate key", Base::Helm, &[Edit("values.yaml", "deployment:\n", "deployment:\n  strategy: \"Canary\"\n")]),
    ("unclosed flow mapping", Base::Helm, &[Edit("values.yaml", "limits: {cpu: \"500m\", memory: \"256Mi\"}", "limits: {cpu: \"500m\", memory: \"256Mi\"")]),
    ("values file that is a list", Base::Helm, &[Write("values.yaml", "- replicaCount: 3\n")]),
    // Environment files.
    ("misspelt override key", Base::Helm, &[Edit("environments/prod.yaml", "replicaCount: 12", "replicaCont: 12")]),
    ("override that is not allowed", Base::Helm, &[Edit("environments/prod.yaml", "overrides:\n", "overrides:\n  deployment: {strategy: \"Canary\"}\n")]),
    ("override that lowers a limit", Base::Helm, &[Edit("environments/prod.yaml", "limits: {cpu: \"1\"", "limits: {cpu: \"100m\"")]),
    ("misspelt secret in one environment", Base::Helm, &[Edit("environments/prod.yaml", "secrets: [redis-auth]", "secrets: [redis-auht]")]),
    ("plain Helm overlay", Base::Helm, &[Edit("environments/prod.yaml", "overrides:\n  gameServer:", "gameServer:")]),
    ("invalid environment name", Base::Helm, &[Write("environments/Prod_EU.yaml", "cluster:\n  allocatable: {cpu: \"4\", memory: \"8Gi\"}\n  secrets: [redis-auth]\n")]),
    ("allocatable left out", Base::Helm, &[Edit("environments/dev.yaml", "  allocatable: {cpu: \"2\", memory: \"4Gi\"}\n", "")]),
    ("allocatable in the wrong unit", Base::Helm, &[Edit("environments/dev.yaml", "memory: \"4Gi\"", "memory: \"4GB\"")]),
    ("environment file that is not YAML", Base::Helm, &[Edit("environments/dev.yaml", "cluster:\n", "cluster:\n\t")]),
    ("values file deleted", Base::Helm, &[Remove("values.yaml")]),
    // Files and values that Helm reads otherwise, or rulesctl would not read at all.
    ("YAML 1.1 octal in an override", Base::Helm, &[Edit("environments/prod.yaml", "replicaCount: 12", "replicaCount: 012")]),
    ("environment file ending in .yml", Base::Helm, &[Write("environments/qa.yml", "cluster:\n  allocatable: {cpu: \"2\", memory: \"4Gi\"}\n  secrets: [redis-auth]\n")]),
    ("backup file among environments", Base::Helm, &[Write("environments/prod.yaml.bak", "cluster: {}\n")]),
    ("rules in a near-miss folder", Base::Rules, &[Write("rule/spare.hcl", "loot_table \"spare\" {\n  item \"rock\" { weight = 1 }\n}\n")]),
];

fn repo(base: Base) -> Repo {
    match base {
        Base::Rules => Repo::base(),
        Base::Helm => Repo::helm(),
    }
}

fn apply(repo: &Repo, name: &str, steps: &[Step]) {
    for step in steps {
        match step {
            Edit(rel, from, to) => {
                let text = repo.read(rel);
                assert!(text.contains(from), "{name}: {rel} has no `{from}`");
                repo.write(rel, text.replacen(from, to, 1));
            }
            Write(rel, text) => {
                repo.write(rel, text);
            }
            Remove(rel) => std::fs::remove_file(repo.path().join(rel)).expect("remove"),
        }
    }
}

#[test]
fn every_single_mistake_gets_exactly_one_diagnostic_where_it_was_made() {
    assert!(CASES.len() >= 60, "the corpus holds {} cases", CASES.len());
    let mut table = String::new();
    let mut wrong = Vec::new();
    for (name, base, steps) in CASES {
        let repo = repo(*base);
        apply(&repo, name, steps);
        let report = repo.run(&["check", "--format", "json"]).json();
        let all = report["diagnostics"].as_array().cloned().unwrap_or_default();
        let lines: Vec<String> = all
            .iter()
            .map(|d| {
                format!(
                    "{} {} {}:{}:{} {}",
                    d["severity"].as_str().unwrap_or_default(),
                    d["code"].as_str().unwrap_or_default(),
                    d["file"].as_str().unwrap_or_default(),
                    d["line"],
                    d["column"],
                    d["message"].as_str().unwrap_or_default()
                )
            })
            .collect();
        if lines.len() != 1 {
            wrong.push(format!("{name}: {} diagnostics\n  {}", lines.len(), lines.join("\n  ")));
        }
        table.push_str(&format!("{name}\n  {}\n", lines.join("\n  ")));
    }
    assert!(wrong.is_empty(), "{} of {} cases are not one diagnostic:\n{}", wrong.len(), CASES.len(), wrong.join("\n"));
    crate::snapshot!("mistakes-corpus", table);
}
