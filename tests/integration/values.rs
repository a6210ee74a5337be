//! values.yaml and environments: render, build outputs, env diff, YAML 1.1 safety, hostile YAML.

use std::path::Path;

use crate::snapshot;
use crate::support::{run_at, Repo};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn first(repo: &Repo, code: &str) -> serde_json::Value {
    let report = repo.run(&["check", "--format", "json"]).json();
    report["diagnostics"]
        .as_array()
        .and_then(|ds| ds.iter().find(|d| d["code"] == code))
        .cloned()
        .unwrap_or_else(|| panic!("no {code} in {report}"))
}

fn place(d: &serde_json::Value) -> (String, u64, u64) {
    (
        d["file"].as_str().unwrap_or_default().to_string(),
        d["line"].as_u64().unwrap_or(0),
        d["column"].as_u64().unwrap_or(0),
    )
}

#[test]
fn render_prints_only_values_with_the_digest_and_sources() {
    let run = run_at(Path::new(ROOT), &["render", "--env", "prod"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let digest = run_at(Path::new(ROOT), &["build", "--format", "json", "--root", ROOT]);
    let digest = digest.json()["digest"].as_str().unwrap_or_default().to_string();
    assert!(run.stdout.contains(&format!("  rulesetDigest: \"{digest}\"\n")), "{}", run.stdout);
    assert!(
        run.stdout.contains("# source: examples/chart/values.yaml sha256:")
            && run.stdout.contains("# source: environments/prod.yaml sha256:")
    );
    assert!(run.stdout.contains("  replicaCount: 12\n"), "prod's override is merged");
    snapshot!("render-prod", run.stdout.replace(env!("CARGO_PKG_VERSION"), "[version]"));
}

#[test]
fn render_failure_prints_nothing_on_stdout() {
    let repo = Repo::helm();
    repo.write(
        "environments/prod.yaml",
        repo.read("environments/prod.yaml").replace("memory: \"512Mi\"", "memory: \"9Gi\""),
    );
    let run = repo.run(&["render", "--env", "prod"]);
    assert_eq!(run.code, 1);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    assert!(run.stderr.contains("error[H006]"), "{}", run.stderr);
    let dev = repo.run(&["render", "--env", "dev"]);
    assert_eq!(dev.code, 0, "an error only in prod's file does not block dev: {}", dev.stderr);
    let unknown = repo.run(&["render", "--env", "qa"]);
    assert_eq!(unknown.code, 2);
    assert!(unknown.stderr.contains("unknown environment `qa` (known: dev, prod)"), "{}", unknown.stderr);
}

#[test]
fn build_writes_every_environment_deterministically() {
    let repo = Repo::helm();
    let run = repo.run(&["build"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(run.stdout.contains("wrote dist/dev/values.yaml\nwrote dist/prod/values.yaml\n"), "{}", run.stdout);
    let prod = repo.read("dist/prod/values.yaml");
    assert_eq!(prod, repo.run(&["render", "--env", "prod"]).stdout);
    let again = repo.run(&["build"]);
    assert!(again.stdout.contains("unchanged dist/prod/values.yaml"), "{}", again.stdout);
    let elsewhere = Repo::helm();
    let tz =
        crate::support::run_env(elsewhere.path(), &["build"], &[("TZ", "Pacific/Chatham"), ("LC_ALL", "fr_FR.UTF-8")]);
    assert_eq!(tz.code, 0);
    assert_eq!(elsewhere.read("dist/prod/values.yaml"), prod);
}

#[test]
fn diff_between_environments() {
    let run = Repo::helm().run(&["diff", "--env", "dev", "--env", "prod"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains("~ gameServer\n    replicaCount: 1 → 12\n    sidecar.resources.limits.cpu: \"500m\" → \"1\"\n"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("config"), "unchanged keys are not listed");
    let usage = Repo::helm().run(&["diff", "--env", "dev"]);
    assert_eq!(usage.code, 2);
}

/// Every rendered file reads back under YAML 1.1 (PyYAML, as Helm's parser does) as exactly
/// what was meant, including strings that YAML 1.1 would otherwise take for other types.
#[test]
fn rendered_values_mean_the_same_under_yaml_1_1() {
    let repo = Repo::helm();
    let tricky = [
        "yes", "no", "on", "off", "y", "n", "0755", "1:30", "1e3", "~", "null", "true", "012", "0x1F", ".inf", "-",
        "a: b", "#x",
    ];
    let mut values = repo.read("values.yaml");
    values.push_str("global:\n");
    for (i, s) in tricky.iter().enumerate() {
        values.push_str(&format!("  s{i}: {}\n", serde_json::Value::String((*s).to_string())));
    }
    values.push_str(
        "  number: 2.5\n  tiny: 1.0e-7\n  list: [\"on\", 3, false]\n  \"on\": \"key that YAML 1.1 reads as true\"\n",
    );
    repo.write("values.yaml", values);
    assert_eq!(repo.run(&["build"]).code, 0);
    for env in ["dev", "prod"] {
        let script =
            "import json,sys,yaml\ndata=yaml.safe_load(open(sys.argv[1]))\nprint(json.dumps(data, sort_keys=True))";
        let out = crate::support::python(&[
            "-c",
            script,
            &repo.path().join(format!("dist/{env}/values.yaml")).to_string_lossy(),
        ]);
        let read: serde_json::Value = serde_json::from_str(&out).expect("python printed JSON");
        for (i, s) in tricky.iter().enumerate() {
            assert_eq!(
                read["global"][format!("s{i}")],
                serde_json::json!(s),
                "{env}: {s:?} changed meaning under YAML 1.1"
            );
        }
        assert_eq!(read["global"]["number"], serde_json::json!(2.5));
        assert_eq!(read["global"]["tiny"], serde_json::json!(1.0e-7));
        assert_eq!(read["global"]["list"], serde_json::json!(["on", 3, false]));
        assert_eq!(read["global"]["on"], serde_json::json!("key that YAML 1.1 reads as true"));
        assert_eq!(read["gameServer"]["replicaCount"], if env == "dev" { 1 } else { 12 });
        assert_eq!(read["config"]["rulesetVersion"], "v1.0.0");
    }
}

/// The checked-in schemas are what `rulesctl schema` writes now.
#[test]
fn checked_in_schemas_are_current() {
    let out = tempfile::tempdir().expect("tempdir");
    let dir = out.path().to_string_lossy().into_owned();
    let run = run_at(Path::new(ROOT), &["schema", "--out", &dir]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for name in ["rules.schema.json", "environment.schema.json"] {
        let fresh = std::fs::read_to_string(out.path().join(name)).expect("generated");
        let checked_in = std::fs::read_to_string(Path::new(ROOT).join("schema").join(name)).unwrap_or_default();
        assert!(fresh == checked_in, "schema/{name} is stale: run `cargo run -- schema`");
    }
}

#[test]
fn rules_schema_accepts_the_artifacts_ruleset() {
    let repo = Repo::helm();
    assert_eq!(repo.run(&["build"]).code, 0);
    let artifact: serde_json::Value = serde_json::from_str(&repo.read("dist/ruleset-v1.0.0.json")).expect("json");
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(Path::new(ROOT).join("schema/rules.schema.json")).expect("schema"),
    )
    .expect("json");
    let validator = jsonschema::validator_for(&schema).expect("valid schema");
    assert!(validator.is_valid(&artifact["ruleset"]));
    let mut broken = artifact["ruleset"].clone();
    broken["spawn_configs"]["crystal_caves"]["base_rate"] = serde_json::json!(5000);
    assert!(!validator.is_valid(&broken));
}

#[test]
fn yaml_errors_point_into_the_yaml() {
    let repo = Repo::helm();
    repo.write(
        "environments/prod.yaml",
        repo.read("environments/prod.yaml").replace("replicaCount: 12", "replicaCount: \"twelve\""),
    );
    let d = first(&repo, "H001");
    assert_eq!(place(&d), ("environments/prod.yaml".into(), 6, 19));
    assert!(!d["message"].as_str().unwrap_or_default().contains("twelve"), "values are never echoed: {d}");
}

#[test]
fn duplicate_keys_show_both() {
    let repo = Repo::helm();
    repo.write("environments/dev.yaml", repo.read("environments/dev.yaml") + "cluster:\n  secrets: []\n");
    let d = first(&repo, "Y002");
    assert_eq!(place(&d), ("environments/dev.yaml".into(), 7, 1));
    assert_eq!(d["related"][0]["line"], 1);
}

#[test]
fn hostile_yaml_is_a_diagnostic() {
    let deep = "a: ".to_string() + &"[".repeat(100_000) + &"]".repeat(100_000) + "\n";
    let deep_maps = (0..200).map(|i| format!("{}k:\n", " ".repeat(i))).collect::<String>();
    let cases: [(&str, String, &str); 6] = [
        ("values.yaml", deep, "Y004"),
        ("values.yaml", deep_maps, "Y004"),
        ("values.yaml", String::new(), "Y006"),
        ("values.yaml", "# only a comment\n".into(), "Y006"),
        ("environments/dev.yaml", "just a string\n".into(), "Y006"),
        ("environments/dev.yaml", "a: 1\n---\nb: 2\n".into(), "Y001"),
    ];
    for (file, text, code) in cases {
        let repo = Repo::helm();
        repo.write(file, &text);
        let run = repo.run(&["check", "--format", "json"]);
        assert_eq!(run.code, 1, "{code}: {}", &run.stderr);
        assert!(run.codes().contains(&code.to_string()), "{code}: {:?}", run.codes());
    }
}

#[test]
fn a_directory_where_values_yaml_should_be() {
    let repo = Repo::helm();
    std::fs::remove_file(repo.path().join("values.yaml")).expect("rm");
    std::fs::create_dir(repo.path().join("values.yaml")).expect("mkdir");
    let run = repo.run(&["check", "--format", "json"]);
    assert_eq!(run.codes(), ["L006"]);
}

/// A "billion laughs" alias bomb is refused quickly, without the memory it asks for.
#[test]
fn alias_bomb_ends_in_bounded_time() {
    let repo = Repo::helm();
    let mut bomb = String::from(
        "cluster:\n  allocatable: {cpu: \"2\", memory: \"4Gi\"}\nl0: &l0 [x, x, x, x, x, x, x, x, x, x]\n",
    );
    for i in 1..30 {
        bomb.push_str(&format!("l{i}: &l{i} [{}]\n", vec![format!("*l{}", i - 1); 10].join(", ")));
    }
    repo.write("environments/dev.yaml", bomb);
    // No clock: expanded, the bomb is 10^30 nodes, which no test run would outlast; Y003 comes
    // only from the count that stops it.
    let run = repo.run(&["check", "--format", "json"]);
    assert!(run.codes().iter().any(|c| c == "Y003"), "{}", run.stdout);
}

#[test]
fn environment_names_are_checked() {
    let repo = Repo::helm();
    repo.write("environments/eu/prod.yaml", repo.read("environments/prod.yaml"));
    let d = first(&repo, "H013");
    assert_eq!(d["file"], "environments/eu/prod.yaml");
}

#[test]
fn overrides_allowed_by_the_project_file() {
    let repo = Repo::helm();
    repo.write(
        "environments/prod.yaml",
        repo.read("environments/prod.yaml") + "  deployment:\n    strategy: \"Canary\"\n",
    );
    assert_eq!(first(&repo, "H002")["line"], 11);
    repo.write("rulesctl.hcl", "render {\n  allow_overrides = [\"gameServer\", \"deployment.strategy\"]\n}\n");
    let run = repo.run(&["check"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
}

/// `diff --env` output a reviewer can read: a top-level scalar on one line, a map that appears
/// with its keys, and a key holding dots quoted so the path reads back.
#[test]
fn diff_of_environments_shows_scalars_new_maps_and_dotted_keys() {
    let repo = Repo::base();
    repo.write("rulesctl.hcl", "render {\n  allow_overrides = [\"replicas\", \"podAnnotations\", \"redis\"]\n}\n");
    repo.write("values.yaml", "replicas: 1\npodAnnotations: {}\n");
    repo.write("environments/dev.yaml", "cluster:\n  allocatable: {cpu: \"4\", memory: \"8Gi\"}\n  secrets: []\n");
    repo.write(
        "environments/prod.yaml",
        concat!(
            "cluster:\n  allocatable: {cpu: \"4\", memory: \"8Gi\"}\n  secrets: []\n",
            "overrides:\n  replicas: 3\n",
            "  podAnnotations: {\"prometheus.io/scrape\": \"true\"}\n",
            "  redis: {enabled: true, port: 6379}\n",
        ),
    );
    let run = repo.run(&["diff", "--env", "dev", "--env", "prod"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let body: Vec<&str> = run.stdout.lines().skip(1).collect();
    assert_eq!(
        body,
        [
            "~ podAnnotations",
            "    \"prometheus.io/scrape\": (none) → \"true\"",
            "+ redis",
            "    enabled: true",
            "    port: 6379",
            "~ replicas: 1 → 3",
            "2 changed, 1 added, 0 removed",
        ],
        "{}",
        run.stdout
    );
}
