//! Errors belong to the environment they live in; declared values, injection and the one-edit
//! version bump, on the `helm` fixture (dev and prod over a chart with a schema).

use crate::support::{run_env, Repo};

/// The codes and environments of every diagnostic of `check --format json`.
fn findings(repo: &Repo) -> Vec<(String, Vec<String>)> {
    let report = repo.run(&["check", "--format", "json"]).json();
    report["diagnostics"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|d| {
            let envs = d["environments"].as_array().into_iter().flatten();
            (
                d["code"].as_str().unwrap_or_default().to_string(),
                envs.map(|e| e.as_str().unwrap_or_default().to_string()).collect(),
            )
        })
        .collect()
}

#[test]
fn a_prod_only_missing_secret_blocks_only_prod() {
    let repo = Repo::helm();
    repo.write("environments/prod.yaml", repo.read("environments/prod.yaml").replace("[redis-auth]", "[]"));
    assert_eq!(findings(&repo), [("H003".to_string(), vec!["prod".to_string()])], "reported once, naming prod");
    let check = repo.run(&["check"]);
    assert_eq!(check.code, 1, "check still fails: a filter on environments never turns red into green");
    // Shown in prod's own file (its secrets list lacks the name), values.yaml's reference beside it.
    assert!(check.stdout.contains("secret `redis-auth` does not exist\n"), "{}", check.stdout);
    assert!(check.stdout.contains("╭─[environments/prod.yaml:3:"), "{}", check.stdout);
    let only_prod = repo.run(&["check", "environments/prod.yaml"]);
    assert!(only_prod.stdout.contains("1 error"), "check FILE shows it: {}", only_prod.stdout);
    let dev = repo.run(&["render", "--env", "dev"]);
    assert_eq!(dev.code, 0, "{}", dev.stderr);
    assert!(dev.stdout.contains("replicaCount: 1"));
    let prod = repo.run(&["render", "--env", "prod"]);
    assert_eq!((prod.code, prod.stdout.as_str()), (1, ""));
    assert!(prod.stderr.contains("H003"), "{}", prod.stderr);
    let diff = repo.run(&["diff", "--env", "dev", "--env", "prod"]);
    assert_eq!(diff.code, 1, "prod cannot be rendered, so neither can the diff");
    let argo = crate::support::run_env(repo.path(), &["argocd", "generate"], &[("ARGOCD_ENV_RULESCTL_ENV", "dev")]);
    assert_eq!(argo.code, 0, "{}", argo.stderr);
    let argo = crate::support::run_env(repo.path(), &["argocd", "generate"], &[("ARGOCD_ENV_RULESCTL_ENV", "prod")]);
    assert_eq!((argo.code, argo.stdout.as_str()), (1, ""));
}

#[test]
fn a_broken_environment_file_is_that_environments_error() {
    let repo = Repo::helm();
    repo.write("environments/staging.yaml", "cluster:\n  allocatable: {cpu: \"4\"\n");
    let found = findings(&repo);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0], ("Y001".to_string(), vec!["staging".to_string()]));
    assert_eq!(repo.run(&["render", "--env", "dev"]).code, 0);
    let staging = repo.run(&["render", "--env", "staging"]);
    assert_eq!(staging.code, 1, "an existing but broken environment is invalid input, not a usage error");
    assert!(!staging.stderr.contains("unknown environment"), "{}", staging.stderr);
    assert!(staging.stderr.contains("Y001"), "{}", staging.stderr);
    assert!(!staging.stderr.contains("H0"), "only what concerns staging is reported: {}", staging.stderr);
    let unknown = repo.run(&["render", "--env", "qa"]);
    assert_eq!(unknown.code, 2);
    assert!(unknown.stderr.contains("unknown environment `qa` (known: dev, prod, staging)"), "{}", unknown.stderr);
}

#[test]
fn a_problem_in_values_yaml_is_reported_once_for_every_environment() {
    // A secret missing from both environments: found through each, reported once naming both.
    let repo = Repo::helm();
    for env in ["dev", "prod"] {
        let file = format!("environments/{env}.yaml");
        repo.write(&file, repo.read(&file).replace("[redis-auth]", "[]"));
    }
    assert_eq!(findings(&repo), [("H003".to_string(), vec!["dev".to_string(), "prod".to_string()])]);
    let check = repo.run(&["check"]);
    assert!(check.stdout.contains("(in environments `dev`, `prod`)"), "{}", check.stdout);
    // A request above its limit is wrong in values.yaml itself: everyone's, naming nobody.
    let repo = Repo::helm();
    repo.write("values.yaml", repo.read("values.yaml").replace("cpu: \"250m\"", "cpu: \"750m\""));
    let found = findings(&repo);
    assert_eq!(found, [("H005".to_string(), Vec::<String>::new())], "once, though dev sees it too");
    assert_eq!(repo.run(&["render", "--env", "dev"]).code, 1, "a values.yaml error blocks every environment");
}

/// The same limit measured against different nodes says different things, so each environment
/// gets its own diagnostic.
#[test]
fn a_limit_is_judged_against_each_environments_nodes() {
    let repo = Repo::helm();
    repo.write("values.yaml", repo.read("values.yaml").replace("memory: \"256Mi\"}", "memory: \"6Gi\"}"));
    assert_eq!(findings(&repo), [("H006".to_string(), vec!["dev".to_string()])], "6Gi fits prod's 8Gi nodes");
    assert_eq!(repo.run(&["render", "--env", "prod"]).code, 0);
}

#[test]
fn a_version_bump_is_one_edit() {
    let repo = Repo::helm();
    let before = repo.run(&["render", "--env", "prod"]);
    assert!(before.stdout.contains("rulesetVersion: \"v1.0.0\"") && before.stdout.contains("tag: \"v1.0.0\""));
    repo.write("rules/ruleset.hcl", repo.read("rules/ruleset.hcl").replace("\"v1.0.0\"", "\"v1.1.0\""));
    assert_eq!(repo.run(&["check", "--deny-warnings"]).code, 0, "nothing else needs editing");
    let after = repo.run(&["render", "--env", "prod"]);
    assert!(after.stdout.contains("  rulesetVersion: \"v1.1.0\"\n"), "{}", after.stdout);
    assert!(after.stdout.contains("      tag: \"v1.1.0\"\n"), "{}", after.stdout);
    let digest = after.stdout.lines().find(|l| l.starts_with("# ruleset: ")).and_then(|l| l.split(' ').nth(3));
    let digest = digest.expect("the header names the digest");
    assert!(after.stdout.contains(&format!("  rulesetDigest: \"{digest}\"\n")), "{}", after.stdout);
    assert_ne!(before.stdout, after.stdout);
}

#[test]
fn an_injected_value_written_by_hand_is_refused_where_it_is_written() {
    let repo = Repo::helm();
    let env = repo.read("environments/prod.yaml");
    repo.write("environments/prod.yaml", format!("{env}  config:\n    rulesetDigest: \"sha256:00\"\n"));
    repo.write(
        "rulesctl.hcl",
        repo.read("rulesctl.hcl")
            .replace("\"gameServer.sidecar.resources\"]", "\"gameServer.sidecar.resources\", \"config\"]"),
    );
    let report = repo.run(&["check", "--format", "json"]).json();
    let d = &report["diagnostics"][0];
    assert_eq!(report["diagnostics"].as_array().map(Vec::len), Some(1), "{report}");
    assert_eq!(
        (d["code"].as_str(), d["file"].as_str(), d["line"].as_u64()),
        (Some("H014"), Some("environments/prod.yaml"), Some(11))
    );
}

#[test]
fn declarations_in_rulesctl_hcl_are_checked_themselves() {
    let repo = Repo::helm();
    let project = repo.read("rulesctl.hcl");
    repo.write(
        "rulesctl.hcl",
        project
            .replace("max  = \"5m\"", "max  = \"five minutes\"")
            .replace("= \"digest\"", "= \"digets\"")
            .replace("type = \"endpoint\"", "type = \"endpoint\"\n  min  = \"a:1\""),
    );
    let report = repo.run(&["check", "--format", "json"]).json();
    let got: Vec<(String, String)> = report["diagnostics"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|d| {
            (d["code"].as_str().unwrap_or_default().to_string(), d["help"].as_str().unwrap_or_default().to_string())
        })
        .collect();
    assert_eq!(got.len(), 3, "{report}");
    assert!(got.iter().all(|(code, _)| code == "D008"), "{got:?}");
    assert!(got.iter().any(|(_, help)| help == "did you mean `digest`?"), "{got:?}");
    assert!(got.iter().any(|(_, help)| help.contains("an endpoint has no order")), "{got:?}");
}

#[test]
fn a_values_schema_named_directly_wins_over_the_charts() {
    let repo = Repo::helm();
    repo.write("schemas/values.json", repo.read("chart/values.schema.json"));
    std::fs::remove_file(repo.path().join("chart/values.schema.json")).expect("rm");
    repo.write(
        "rulesctl.hcl",
        repo.read("rulesctl.hcl").replace("chart = \"chart\"", "values_schema = \"schemas/values.json\""),
    );
    assert_eq!(repo.run(&["check"]).code, 0, "{}", repo.run(&["check"]).stdout);
    repo.write(
        "values.yaml",
        repo.read("values.yaml").replace("  replicaCount: 3\n", "  replicaCount: 3\n  replicas: 3\n"),
    );
    let report = repo.run(&["check", "--format", "json"]).json();
    let d = &report["diagnostics"][0];
    assert_eq!((d["code"].as_str(), d["line"].as_u64()), (Some("H001"), Some(3)), "{report}");
    assert_eq!(d["help"], "did you mean `replicaCount`?");
    assert!(d["message"].as_str().is_some_and(|m| m.contains("unknown key `replicas`")), "{d}");
}

#[test]
fn an_unusable_values_schema_is_reported_and_never_fetched() {
    for (schema, expected) in [
        ("{\"$ref\": \"https://schemas.invalid/values.json\"}", "refers to `https://schemas.invalid/values.json`"),
        ("{\"$ref\": \"other.json#/defs\"}", "refers to `other.json#/defs`, another document"),
        ("{\"type\": \"object\", \"required\": 3}", "cannot be used"),
        ("{\"type\": \"object\",\n \"properties\": {]}\n", "not valid JSON"),
    ] {
        let repo = Repo::helm();
        repo.write("chart/values.schema.json", schema);
        // Never fetched: hostile_schema.rs proves it with a listener that sees no connection.
        let report = repo.run(&["check", "--format", "json"]).json();
        let d = &report["diagnostics"][0];
        assert_eq!(d["code"], "H016", "{schema}: {report}");
        assert_eq!(d["file"], "chart/values.schema.json");
        assert!(d["message"].as_str().is_some_and(|m| m.contains(expected)), "{schema}: {d}");
    }
    let repo = Repo::helm();
    repo.write("rulesctl.hcl", repo.read("rulesctl.hcl").replace("chart = \"chart\"", "chart = \"charts/missing\""));
    let report = repo.run(&["check", "--format", "json"]).json();
    assert_eq!(report["diagnostics"][0]["code"], "H016");
    assert_eq!(report["diagnostics"][0]["file"], "rulesctl.hcl", "a missing chart is reported at its setting");
}

#[test]
fn ephemeral_storage_is_judged_when_the_nodes_declare_it() {
    let repo = Repo::helm();
    let dev = repo.read("environments/dev.yaml");
    repo.write(
        "environments/dev.yaml",
        dev.replace("memory: \"4Gi\"}", "memory: \"4Gi\", ephemeral-storage: \"10Gi\"}"),
    );
    repo.write(
        "values.yaml",
        repo.read("values.yaml").replace(
            "limits: {cpu: \"500m\", memory: \"256Mi\"}",
            "limits: {cpu: \"500m\", memory: \"256Mi\", ephemeral-storage: \"20Gi\"}",
        ),
    );
    let report = repo.run(&["check", "--format", "json"]).json();
    let found: Vec<_> = report["diagnostics"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|d| (d["code"].clone(), d["environments"].clone()))
        .collect();
    assert_eq!(
        found,
        [(serde_json::json!("H006"), serde_json::json!(["dev"]))],
        "prod lists no ephemeral-storage: {report}"
    );
}

/// `--env prdo` names the environment meant, in render, diff and the Argo CD entry point alike.
#[test]
fn a_misspelt_environment_gets_a_did_you_mean() {
    let repo = Repo::helm();
    let render = repo.run(&["render", "--env", "prdo"]);
    assert_eq!(render.code, 2);
    assert!(
        render.stderr.contains("unknown environment `prdo`: did you mean `prod`? (known: dev, prod)"),
        "{}",
        render.stderr
    );
    let diff = repo.run(&["diff", "--env", "dev", "--env", "pord"]);
    assert!(diff.stderr.contains("did you mean `prod`?"), "{}", diff.stderr);
    let argocd = run_env(repo.path(), &["argocd", "generate"], &[("ARGOCD_ENV_RULESCTL_ENV", "prdo")]);
    assert_eq!(argocd.code, 2);
    assert!(argocd.stdout.is_empty());
    assert!(
        argocd.stderr.contains("ARGOCD_ENV_RULESCTL_ENV: unknown environment `prdo`: did you mean `prod`?"),
        "{}",
        argocd.stderr
    );
}

/// A help line never names a file the user's repository does not hold: the environment schema
/// is named by the command that writes it, not as `schema/environment.schema.json`.
#[test]
fn help_names_no_file_the_repository_lacks() {
    let repo = Repo::helm();
    assert!(!repo.path().join("schema").exists());
    for (text, expect) in [
        ("cluster:\n  secrets: []\noverrides: {}\n", "add `allocatable:`"),
        ("cluster:\n  allocatable: {cpu: 4, memory: \"8Gi\"}\n  secrets: []\noverrides: {}\n", "for what"),
    ] {
        repo.write("environments/qa.yaml", text);
        let run = repo.run(&["check", "--format", "json"]);
        let report: serde_json::Value = serde_json::from_str(&run.stdout).expect("json");
        let helps: Vec<&str> =
            report["diagnostics"].as_array().into_iter().flatten().filter_map(|d| d["help"].as_str()).collect();
        assert!(helps.iter().any(|h| h.contains(expect)), "{helps:?}");
        assert!(helps.iter().all(|h| !h.contains("schema/")), "{helps:?}");
        assert!(helps.iter().any(|h| h.contains("`rulesctl schema`")), "{helps:?}");
    }
}

#[test]
fn an_environment_overriding_a_deep_key_leaves_the_others_inheriting_it_on_any_thread_count() {
    // Six environments, so they are merged and checked on several threads: `a` lowers one limit
    // three levels down (its request is then above it), `d` has small nodes (values.yaml's limit
    // is then above them), the others inherit values.yaml whole. Each finding is its own
    // environment's, every render keeps the keys it did not override, and none of it depends on
    // how many threads did the work.
    let repo = Repo::helm();
    let dev = repo.read("environments/dev.yaml");
    std::fs::remove_file(repo.path().join("environments/prod.yaml")).expect("remove prod");
    for env in ["a", "b", "c", "d", "e", "f"] {
        repo.write(&format!("environments/{env}.yaml"), &dev);
    }
    std::fs::remove_file(repo.path().join("environments/dev.yaml")).expect("remove dev");
    repo.write(
        "environments/a.yaml",
        format!("{dev}    sidecar:\n      resources:\n        limits: {{cpu: \"100m\"}}\n"),
    );
    repo.write("environments/d.yaml", dev.replace("cpu: \"2\"", "cpu: \"0.2\""));
    let expected = [("H005".to_string(), vec!["a".to_string()]), ("H006".to_string(), vec!["d".to_string()])];
    assert_eq!(findings(&repo), expected);
    let reports: Vec<String> = ["1", "2", "3", "8"]
        .iter()
        .map(|threads| run_env(repo.path(), &["check", "--format", "json"], &[("RULESCTL_THREADS", threads)]).stdout)
        .collect();
    assert!(reports.iter().all(|r| r == &reports[0]), "the report depends on the thread count");
    let resources = |env: &str| {
        let render = run_env(repo.path(), &["render", "--env", env], &[("RULESCTL_THREADS", "2")]);
        assert_eq!(render.code, 0, "{env}: {}", render.stderr);
        let from = render.stdout.find("    resources:\n").expect("a resources mapping");
        render.stdout[from..].lines().take(7).collect::<Vec<_>>().join("\n")
    };
    let inherited = "    resources:\n      limits:\n        cpu: \"500m\"\n        memory: \"256Mi\"\n      requests:\n        cpu: \"250m\"\n        memory: \"128Mi\"";
    for env in ["b", "c", "e", "f"] {
        assert_eq!(resources(env), inherited, "{env} inherits values.yaml's resources");
    }
    // `a` and `d` do not render (their errors block them); with `a`'s limit raised above its
    // request, it renders its override beside the memory limit it inherits, and the others
    // still inherit.
    repo.write(
        "environments/a.yaml",
        format!("{dev}    sidecar:\n      resources:\n        limits: {{cpu: \"300m\"}}\n"),
    );
    assert_eq!(resources("a"), inherited.replace("500m", "300m"));
    assert_eq!(resources("b"), inherited);
}

/// The JSON and the human report of an analysis (the human one shows every related label, in
/// order).
fn reports(a: &rulesctl::pipeline::Analysis) -> String {
    use rulesctl::report::{render, Extra, OutputFormat, Summary, View};
    [OutputFormat::Json, OutputFormat::Human { color: false }]
        .into_iter()
        .map(|format| {
            let summary = Summary::of(&a.diagnostics, a.files);
            render(View::of(format), &a.diagnostics, &a.sources, summary, &Extra::default())
        })
        .collect()
}

/// `check` checks each environment as soon as its values are merged and drops them
/// (`analyze_for_report`); `build` also renders each one's file then (`analyze_for_build`);
/// `render`, `diff` and the language server keep every environment's values until the end
/// (`analyze`). All three report exactly the same, diagnostic for diagnostic and label for
/// label, and render the same files, on every fixture of a values code: with the fixture's two
/// environments, and with four more (merged on two threads).
#[test]
fn checking_each_environment_as_it_is_merged_reports_what_checking_them_all_at_the_end_does() {
    use rulesctl::pipeline::{analyze, analyze_for_build, analyze_for_report};
    use rulesctl::source::WorkTree;
    let codes = std::path::Path::new(crate::support::FIXTURES).join("codes");
    let mut fixtures: Vec<_> = std::fs::read_dir(&codes).expect("fixtures/codes").flatten().map(|e| e.path()).collect();
    fixtures.sort();
    let (mut compared, mut found_early, mut rendered) = (0, 0, 0);
    for fixture in
        fixtures.iter().filter(|f| f.file_name().is_some_and(|n| n.to_string_lossy().starts_with(['H', 'Y'])))
    {
        for more in [0, 4] {
            let repo = Repo::helm();
            repo.overlay(fixture);
            for i in 0..more {
                let from = if i % 2 == 0 { "dev" } else { "prod" };
                if let Ok(text) = std::fs::read(repo.path().join(format!("environments/{from}.yaml"))) {
                    repo.write(&format!("environments/qa-{i}.yaml"), text);
                }
            }
            let tree = WorkTree::new(repo.path().to_path_buf());
            let kept = analyze(&tree, None);
            let reported = analyze_for_report(&tree, None);
            let built = analyze_for_build(&tree, None);
            let name = format!("{} with {more} more environments", fixture.display());
            assert_eq!(reports(&reported), reports(&kept), "{name}");
            assert_eq!(reports(&built), reports(&kept), "{name}, for build");
            for dropped in [&reported, &built] {
                assert!(
                    dropped.deploy.environments.iter().all(|e| e.merged.is_none() && e.effective.is_none()),
                    "{name}: an environment's values were kept"
                );
            }
            for env in &kept.deploy.environments {
                let file = kept.render(&env.name).ok();
                assert_eq!(built.render(&env.name).ok(), file, "{name}: {}", env.name);
                assert!(reported.render(&env.name).is_err(), "{name}: check keeps nothing to render");
                rendered += usize::from(file.is_some());
            }
            if kept.deploy.environments.iter().any(|e| e.merged.is_some()) {
                compared += 1;
            }
            found_early +=
                reported.deploy.environments.iter().flat_map(|e| &e.checked).filter(|(_, f)| !f.is_empty()).count();
        }
    }
    assert!(compared >= 30, "only {compared} fixtures had environments to compare");
    assert!(found_early >= 10, "only {found_early} findings were made as environments merged");
    assert!(rendered >= 20, "only {rendered} environments rendered");
}

/// The same on the public charts (`tests/fixtures/charts`, as `charts.rs` sets them up: the base
/// rules and the chart under `chart/`) with six environments, each with secrets of its own and
/// then also with an override: the three analyses report and render alike on values nobody
/// here wrote, over their chart's defaults and schema.
#[test]
fn checking_each_environment_as_it_is_merged_agrees_on_public_charts() {
    use rulesctl::pipeline::{analyze, analyze_for_build, analyze_for_report};
    use rulesctl::source::WorkTree;
    let charts = std::path::Path::new(crate::support::FIXTURES).join("charts");
    let mut dirs: Vec<_> = std::fs::read_dir(&charts)
        .expect("fixtures/charts")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    let mut rendered = 0;
    for dir in &dirs {
        for overrides in ["", "overrides:\n  replicaCount: 2\n"] {
            let repo = Repo::base();
            std::fs::create_dir_all(repo.path().join("chart")).expect("create chart/");
            crate::support::copy_tree(dir, &repo.path().join("chart"));
            repo.write("rulesctl.hcl", "paths {\n  chart  = \"chart\"\n  values = \"chart/values.yaml\"\n}\n");
            for env in ["dev", "qa", "stage", "prod", "eu", "us"] {
                let cluster =
                    format!("cluster:\n  allocatable: {{cpu: \"4\", memory: \"8Gi\"}}\n  secrets: [\"s-{env}\"]\n");
                repo.write(&format!("environments/{env}.yaml"), cluster + overrides);
            }
            let tree = WorkTree::new(repo.path().to_path_buf());
            let kept = analyze(&tree, None);
            let name = format!("{} {}", dir.display(), if overrides.is_empty() { "as is" } else { "with an override" });
            assert_eq!(reports(&analyze_for_report(&tree, None)), reports(&kept), "{name}");
            let built = analyze_for_build(&tree, None);
            assert_eq!(reports(&built), reports(&kept), "{name}, for build");
            for env in &kept.deploy.environments {
                let file = kept.render(&env.name).ok();
                assert_eq!(built.render(&env.name).ok(), file, "{name}: {}", env.name);
                rendered += usize::from(file.is_some());
            }
        }
    }
    assert!(dirs.len() >= 6, "{} charts", dirs.len());
    assert!(rendered >= 24, "only {rendered} environments of the charts rendered");
}
