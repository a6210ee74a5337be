//! YAML 1.1 as Helm reads it: a differential test against real Helm (helm-python-sdk,
//! `tests/helm_values.py`). For the bundled example, four public charts with tricky overrides,
//! and a corpus of scalars YAML 1.1 and 1.2 read differently (as values in values.yaml, as
//! overrides in an environment, and as keys), what Helm reads from the merged sources must be
//! what Helm reads from `rulesctl render`'s output, for every environment, unless rulesctl
//! refused to render it with an error.

use std::path::{Path, PathBuf};

use crate::support::{python, run_at, Repo, FIXTURES};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// Plain scalars YAML 1.1 (Helm's go-yaml v2, or the YAML 1.1 type repository) and YAML 1.2 read
/// differently: rulesctl must refuse each one where no schema says what it is.
const AMBIGUOUS: &[&str] = &[
    "y",
    "Y",
    "yes",
    "Yes",
    "YES",
    "n",
    "N",
    "no",
    "No",
    "NO",
    "on",
    "On",
    "ON",
    "off",
    "Off",
    "OFF",
    "0755",
    "-0755",
    "+0755",
    "0644",
    "08",
    "0999",
    "0o17",
    "0O17",
    "0X1F",
    "-0x1F",
    "+0x1F",
    "0b1010",
    "-0b1010",
    "0B11",
    "1_000",
    "1__0",
    "0_1",
    "0x_1F",
    "685_230.15",
    "685.230_15e+03",
    "1:30",
    "-1:30",
    "190:20:30",
    "1:30.5",
    "12:59:59",
    ".inf",
    "-.inf",
    "+.inf",
    ".Inf",
    "-.INF",
    ".nan",
    ".NaN",
    ".NAN",
    "1e3",
    "1E3",
    "1e+3",
    "-1e3",
    "1.5e3",
    "1e-7",
    "2001-12-14",
    "2001-12-14t21:59:43.10-05:00",
    "2001-12-14 21:59:43.10 -5",
    "2002-12-14T00:00:00Z",
    "=",
    "<<",
];

/// Plain scalars every reader agrees on: they must render, and mean the same.
const AGREED: &[&str] = &[
    "true",
    "True",
    "TRUE",
    "false",
    "False",
    "FALSE",
    "null",
    "Null",
    "NULL",
    "~",
    "0",
    "00",
    "-0",
    "+1",
    "42",
    "0x1F",
    "0xFFFFFFFFFFFFFFFF",
    "1.0",
    "0.1",
    "1.",
    ".5",
    "+.5",
    "-2.5",
    "1.0e+3",
    "6.8523015e+5",
    "9223372036854775807",
    "12345678901234567890",
    "1.2.3",
    "v1.2.3",
    "yEs",
    "nO",
    "onn",
    "abc",
    "hello world",
    "a:b",
    "2001-12",
    "1-2",
    "0x",
    "0b",
    "0o",
    "sha256:abc",
    "http://x:80/",
    "1e",
    "1.5.e3",
    "._",
    "TRUEish",
];

struct Case {
    id: String,
    repo: PathBuf,
    env: String,
    sources: Vec<(PathBuf, Option<&'static str>)>,
    injected: Vec<&'static str>,
}

/// What one differential run measured.
#[derive(Default, Debug)]
struct Tally {
    equal: usize,
    refused: Vec<String>,
    differ: Vec<String>,
}

/// Renders every case, asks Helm what the sources and the rendered file mean, and sorts them
/// into equal, refused (rulesctl reported an error) and differ (a bug).
fn differential(cases: &[Case]) -> Tally {
    let scratch = tempfile::tempdir().expect("tempdir");
    let mut tally = Tally::default();
    let mut batch = Vec::new();
    for (i, case) in cases.iter().enumerate() {
        let rendered = run_at(&case.repo, &["render", "--env", &case.env]);
        if rendered.code != 0 {
            assert_eq!(rendered.code, 1, "{}: {}", case.id, rendered.stderr);
            assert!(rendered.stderr.contains("error["), "{}: refused without an error: {}", case.id, rendered.stderr);
            tally.refused.push(case.id.clone());
            continue;
        }
        let file = scratch.path().join(format!("{i}.yaml"));
        std::fs::write(&file, &rendered.stdout).expect("write rendered");
        let sources: Vec<serde_json::Value> =
            case.sources.iter().map(|(p, key)| serde_json::json!([p.to_string_lossy(), key])).collect();
        batch.push(serde_json::json!({"id": case.id, "sources": sources, "rendered": file.to_string_lossy(), "injected": case.injected}));
    }
    let job = scratch.path().join("cases.json");
    std::fs::write(&job, serde_json::to_string(&batch).expect("json")).expect("write cases");
    let out = python(&[&format!("{ROOT}/tests/helm_values.py"), &job.to_string_lossy()]);
    let results: Vec<serde_json::Value> = serde_json::from_str(&out).expect("oracle output");
    assert_eq!(results.len(), batch.len());
    for r in results {
        let id = r["id"].as_str().unwrap_or_default().to_string();
        if r["equal"] == true {
            tally.equal += 1;
        } else {
            tally
                .differ
                .push(format!("{id}: sources mean {} to Helm, the rendered file {}", r["sources"], r["rendered"]));
        }
    }
    tally
}

/// A repository of the base rules, `values`, and `envs` as (name, overrides YAML).
fn repo(values: &str, envs: &[(&str, &str)], allow: &str, secrets: &str) -> Repo {
    let repo = Repo::base();
    repo.write("rulesctl.hcl", format!("render {{\n  allow_overrides = [{allow}]\n}}\n"));
    repo.write("values.yaml", values);
    for (name, overrides) in envs {
        repo.write(
            &format!("environments/{name}.yaml"),
            format!("cluster:\n  allocatable: {{cpu: \"64\", memory: \"256Gi\"}}\n  secrets: [{secrets}]\noverrides:\n{overrides}"),
        );
    }
    repo
}

fn env_case(id: String, repo: &Repo, env: &str) -> Case {
    Case {
        id,
        repo: repo.path().to_path_buf(),
        env: env.to_string(),
        sources: vec![
            (repo.path().join("values.yaml"), None),
            (repo.path().join(format!("environments/{env}.yaml")), Some("overrides")),
        ],
        injected: Vec::new(),
    }
}

#[test]
fn the_bundled_example_means_the_same_to_helm_after_rendering() {
    let root = Path::new(ROOT);
    let envs = ["dev", "staging", "prod"];
    let cases: Vec<Case> = envs
        .iter()
        .map(|env| Case {
            id: format!("example/{env}"),
            repo: root.to_path_buf(),
            env: env.to_string(),
            sources: vec![
                (root.join("examples/chart/values.yaml"), None),
                (root.join(format!("environments/{env}.yaml")), Some("overrides")),
            ],
            injected: vec!["config.rulesetVersion", "config.rulesetDigest", "gameServer.sidecar.image.tag"],
        })
        .collect();
    let tally = differential(&cases);
    assert_eq!((tally.equal, &tally.refused, &tally.differ), (3, &Vec::new(), &Vec::new()), "{tally:?}");
}

/// Overrides that are tricky but say what they mean, and one that does not (`enabled: no`).
const TRICKY: &str = "  tricky:\n    enabled: false\n    mode: \"0755\"\n    flag: \"on\"\n    answer: \"no\"\n    ratio: 1.0e+3\n    port: 8080\n    nothing: null\n    empty: {}\n    list: [\"yes\", 1, 2.5, ~]\n    \"on\": \"off\"\n    text: \"line\\u2028break\"\n";

#[test]
fn public_charts_mean_the_same_to_helm_after_rendering() {
    let charts = [
        ("grafana-community-grafana", ""),
        ("bitnami-mariadb", ""),
        ("traefik-traefik", "hub-agent-cert"),
        ("jetstack-cert-manager", ""),
    ];
    let mut cases = Vec::new();
    let mut repos = Vec::new();
    for (chart, secrets) in charts {
        let values = std::fs::read_to_string(Path::new(FIXTURES).join("charts").join(chart).join("values.yaml"))
            .expect("chart values");
        let envs = [
            ("dev", "  {}\n".to_string()),
            ("prod", TRICKY.to_string()),
            ("broken", "  redis: {enabled: no}\n".into()),
        ];
        let env_refs: Vec<(&str, &str)> = envs.iter().map(|(n, o)| (*n, o.as_str())).collect();
        let repo = repo(&values, &env_refs, "\"tricky\", \"redis\"", secrets);
        for (env, _) in &envs {
            cases.push(env_case(format!("{chart}/{env}"), &repo, env));
        }
        repos.push(repo);
    }
    let tally = differential(&cases);
    assert!(tally.differ.is_empty(), "{:#?}", tally.differ);
    let broken: Vec<String> = charts.iter().map(|(c, _)| format!("{c}/broken")).collect();
    assert_eq!(tally.refused, broken, "only `enabled: no` is refused");
    assert_eq!(tally.equal, 8);
}

#[test]
fn ambiguous_scalars_are_refused_or_mean_the_same_to_helm() {
    let mut cases = Vec::new();
    let mut repos = Vec::new();
    for (n, scalar) in AMBIGUOUS.iter().chain(AGREED).enumerate() {
        // As a value of values.yaml, as an environment's override, and as a key.
        let as_value = repo(&format!("k: {scalar}\nlist: [{scalar}]\n"), &[("prod", "  {}\n")], "\"k\"", "");
        let as_override = repo("k: base\n", &[("prod", &format!("  k: {scalar}\n"))], "\"k\"", "");
        let as_key = repo(&format!("m:\n  {scalar}: 1\n"), &[("prod", "  {}\n")], "\"m\"", "");
        for (what, r) in [("value", &as_value), ("override", &as_override), ("key", &as_key)] {
            cases.push(env_case(format!("{n}|{scalar}|{what}"), r, "prod"));
        }
        repos.extend([as_value, as_override, as_key]);
    }
    let tally = differential(&cases);
    assert!(tally.differ.is_empty(), "{:#?}", tally.differ);
    for scalar in AMBIGUOUS {
        for what in ["value", "override"] {
            assert!(
                tally.refused.iter().any(|id| id.split('|').skip(1).eq([*scalar, what])),
                "`{scalar}` as a {what} must be refused: {:?}",
                tally.refused
            );
        }
    }
    let refused_agreed: Vec<&String> = tally
        .refused
        .iter()
        .filter(|id| AGREED.iter().any(|s| ["value", "override"].iter().any(|w| id.split('|').skip(1).eq([*s, *w]))))
        .collect();
    assert!(refused_agreed.is_empty(), "scalars every reader agrees on must render: {refused_agreed:?}");
    eprintln!(
        "differential: {} scalars x 3 places = {} cases; {} equal, {} refused",
        AMBIGUOUS.len() + AGREED.len(),
        cases.len(),
        tally.equal,
        tally.refused.len()
    );
}

/// Where the chart's schema gives a value one type that only one reading has, the value is
/// read as that type and rendered so every reader agrees; where both readings fit (`0755` for an
/// integer), it stays an error. In values.yaml and in an environment's overrides alike.
#[test]
fn a_schema_type_settles_an_ambiguous_value() {
    let repo = Repo::base();
    repo.write("rulesctl.hcl", "paths {\n  chart = \"chart\"\n}\nrender {\n  allow_overrides = [\"flags\"]\n}\n");
    repo.write(
        "chart/values.schema.json",
        r#"{"type": "object", "properties": {"flags": {"type": "object", "properties": {
            "enabled": {"type": "boolean"}, "mode": {"type": "string"}, "port": {"type": "integer"},
            "cache": {"type": "boolean"}}}}}"#,
    );
    repo.write("values.yaml", "flags:\n  enabled: no\n  mode: on\n  port: 0755\n  cache: off\n");
    repo.write(
        "environments/prod.yaml",
        "cluster:\n  allocatable: {cpu: \"4\", memory: \"8Gi\"}\n  secrets: []\noverrides:\n  flags:\n    cache: Yes\n",
    );
    let report = repo.run(&["check", "--format", "json"]).json();
    let codes: Vec<(String, u64)> = report["diagnostics"]
        .as_array()
        .map(|d| {
            d.iter()
                .map(|d| (d["code"].as_str().unwrap_or_default().to_string(), d["line"].as_u64().unwrap_or(0)))
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(codes, [("Y005".to_string(), 4)], "only `port: 0755` stays ambiguous: {report:#}");
    repo.write("values.yaml", "flags:\n  enabled: no\n  mode: on\n  port: 493\n  cache: off\n");
    let rendered = repo.run(&["render", "--env", "prod"]);
    assert_eq!(rendered.code, 0, "{}", rendered.stderr);
    for line in ["  cache: true\n", "  enabled: false\n", "  mode: \"on\"\n", "  port: 493\n"] {
        assert!(rendered.stdout.contains(line), "{line:?} in {}", rendered.stdout);
    }
}
