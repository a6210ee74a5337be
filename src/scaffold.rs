//! What `rulesctl init` writes: a small repository that passes `rulesctl check` as it is, with
//! comments that point at what to change next.

/// The starter rule file: one spawn region with its loot table and event stream, and the
/// ruleset-wide blocks every ruleset needs.
pub const RULES: &str = r#"# Your ruleset. `rulesctl check` validates it; `rulesctl build` compiles it into dist/.
# Raise ruleset_version whenever anything below changes: an artifact's version names one
# ruleset forever.

ruleset_version = "v0.1.0"

spawn_config {
  region         = "starter_zone"
  base_rate      = 10   # spawns per minute
  max_concurrent = 30   # at least base_rate × max_spawn_rate_multiplier
  cooldown_ms    = 6000 # at least safety_bounds.min_cooldown_override
  loot_table     = "starter_drops"
}

loot_table "starter_drops" {
  item "copper_coin" { weight = 90 }
  item "rare_gem" { weight = 10 }
}

event_stream {
  region             = "starter_zone"
  max_len            = 5000
  max_in_flight      = 32
  backoff_multiplier = 2.0
  max_backoff_ms     = 8000
}

event_timers {
  world_boss_interval = 3600 # seconds
  weather_cycle       = 900  # seconds
  maintenance_window  = "04:00 UTC"
}

safety_bounds {
  max_spawn_rate_multiplier = 2.0
  min_cooldown_override     = 5000 # ms
  duplicate_event_window_ms = 3000 # ms, below min_cooldown_override
}
"#;

/// The starter values.yaml, for a repository without a chart yet.
pub const VALUES: &str = r#"# The one source of Helm values for every environment. With `paths { chart = "..." }` in
# rulesctl.hcl, the chart's values.schema.json validates this file and every environment.
replicaCount: 1
resources:
  requests: {cpu: "100m", memory: "128Mi"}
  limits: {cpu: "500m", memory: "256Mi"}
"#;

/// `.gitignore`: `dist/` is built, never committed.
pub const GITIGNORE: &str = "# Built by `rulesctl build`.\n/dist/\n";

/// The starter values.yaml over an adopted chart: empty, since the chart's own values.yaml
/// holds the defaults (checked as Helm merges them) and the team writes only what differs.
pub fn thin_values(chart: &str) -> String {
    format!(
        "# Your values, over the chart's defaults in {chart}/values.yaml (leave that file as vendored).\n# Write only what differs here; an environment's `overrides:` go over this file.\n{{}}\n"
    )
}

/// `rulesctl.hcl`. `chart` is the chart folder when adopting one (`init --chart PATH`);
/// `rules` whether the project has a game ruleset (always without a chart).
pub fn project(chart: Option<&str>, rules: bool) -> String {
    let rules_line = if rules { "  rules        = \"rules\"\n" } else { "" };
    let paths = match chart {
        Some(chart) => format!(
            "paths {{\n{rules_line}  chart        = \"{chart}\" # its defaults and values.schema.json\n  values       = \"values.yaml\"\n  environments = \"environments\"\n  dist         = \"dist\"\n}}\n"
        ),
        None => format!("paths {{\n{rules_line}  values       = \"values.yaml\"\n  environments = \"environments\"\n  dist         = \"dist\"\n  # chart = \"chart\" # a Helm chart folder: its defaults and values.schema.json\n}}\n"),
    };
    let allowed = if chart.is_some() { "" } else { "\"replicaCount\"" };
    format!(
        "# rulesctl's project file. Every block is optional; see the README for what each does.\n\n{paths}\nrender {{\n  # The values paths an environment may override; everything else is the same everywhere.\n  allow_overrides = [{allowed}]\n\n  # Values rulesctl writes into every rendered environment, so a version bump is one edit:\n  # inject = {{ \"image.tag\" = \"ruleset_version\" }}\n}}\n"
    )
}

/// `environments/dev.yaml`. `secrets` are the secrets the values reference, which this
/// environment is assumed to have (the comment says to make sure).
pub fn environment(secrets: &[String]) -> String {
    let list = secrets.iter().map(|s| format!("\"{s}\"")).collect::<Vec<_>>().join(", ");
    let note = if secrets.is_empty() {
        "  # The Kubernetes Secrets that exist in this environment.\n".to_string()
    } else {
        "  # The Kubernetes Secrets that exist in this environment. These are the ones the values\n  # reference: make sure each exists in dev before deploying.\n".to_string()
    };
    format!(
        "# The dev environment: what its nodes can give a pod, which secrets exist in it, and the few\n# overrides it may make (see `render {{ allow_overrides }}` in rulesctl.hcl).\ncluster:\n  allocatable: {{cpu: \"4\", memory: \"8Gi\"}}\n{note}  secrets: [{list}]\noverrides: {{}}\n"
    )
}
