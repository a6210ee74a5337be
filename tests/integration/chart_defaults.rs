//! A chart's defaults, as Helm merges them: the chart's values.yaml (and each vendored
//! dependency's, under its name or alias), then the team's values.yaml, then an environment's
//! overrides. Checks see that merge; the rendered file stays thin.

use crate::support::Repo;

/// A values-only project over a vendored chart with a schema that requires `image.repository`
/// and `resources`, a `db` dependency (alias of `mariadb`) vendored unpacked under `charts/`, and
/// a thin values file.
fn repo() -> Repo {
    let repo = Repo::empty();
    repo.write("rulesctl.hcl", "paths {\n  chart = \"chart\"\n}\n\nrender {\n  allow_overrides = [\"replicas\", \"db.enabled\", \"resources\"]\n}\n");
    repo.write(
        "chart/Chart.yaml",
        "apiVersion: v2\nname: shop\nversion: 1.0.0\ndependencies:\n  - name: mariadb\n    alias: db\n    version: 11.0.0\n    condition: db.enabled\n",
    );
    repo.write(
        "chart/values.schema.json",
        r#"{"type": "object", "required": ["image", "resources", "replicas"],
  "properties": {
    "replicas": {"type": "integer"},
    "debug": {"type": "boolean"},
    "image": {"type": "object", "required": ["repository"], "properties": {"repository": {"type": "string"}, "tag": {"type": "string"}}},
    "resources": {"type": "object"},
    "db": {"type": "object"}
  }}"#,
    );
    repo.write(
        "chart/values.yaml",
        "# The chart's defaults.\nreplicas: 1\ndebug: no\nimage:\n  repository: registry.example/shop\n  tag: \"1.0\"\nresources:\n  requests: {cpu: \"100m\", memory: \"128Mi\"}\n  limits: {cpu: \"500m\", memory: \"256Mi\"}\ndb:\n  enabled: true\n",
    );
    repo.write(
        "chart/charts/mariadb/values.yaml",
        "auth:\n  existingSecret: db-auth\nprimary:\n  resources:\n    limits: {memory: \"1Gi\"}\n",
    );
    repo.write("chart/charts/mariadb/Chart.yaml", "apiVersion: v2\nname: mariadb\nversion: 11.0.0\n");
    repo.write("values.yaml", "# Only what differs from the chart's defaults.\nreplicas: 2\n");
    repo.write(
        "environments/dev.yaml",
        "cluster:\n  allocatable: {cpu: \"4\", memory: \"8Gi\"}\n  secrets: [db-auth]\noverrides: {}\n",
    );
    repo
}

fn check(repo: &Repo) -> (i32, Vec<String>, serde_json::Value) {
    let run = repo.run(&["check", "--format", "json"]);
    let report = run.json();
    (run.code, run.codes(), report)
}

fn edit(repo: &Repo, rel: &str, from: &str, to: &str) {
    let text = repo.read(rel);
    assert!(text.contains(from), "{rel} has no `{from}`");
    repo.write(rel, text.replacen(from, to, 1));
}

#[test]
fn a_thin_values_file_leaves_required_keys_to_the_chart() {
    let repo = repo();
    let (code, codes, report) = check(&repo);
    assert_eq!((code, codes), (0, Vec::<String>::new()), "{report}");
    // A key missing from all three is still an error, placed in the team's values.yaml.
    edit(&repo, "chart/values.yaml", "image:\n  repository: registry.example/shop\n", "image:\n");
    let (code, codes, report) = check(&repo);
    assert_eq!((code, codes), (1, vec!["H001".to_string()]), "{report}");
    let d = &report["diagnostics"][0];
    assert!(
        d["message"].as_str().unwrap_or_default().contains("`image` is missing the required key `repository`"),
        "{d}"
    );
    // The team supplies it: valid again.
    repo.write("values.yaml", "replicas: 2\nimage:\n  repository: registry.example/mine\n");
    assert_eq!(check(&repo).1, Vec::<String>::new());
}

#[test]
fn values_override_defaults_and_overrides_override_values() {
    let repo = repo();
    // The chart's default limit fits dev's nodes; one in values.yaml that does not is an error
    // in values.yaml, and an environment's override that brings it back fixes that environment.
    repo.write("values.yaml", "replicas: 2\nresources:\n  limits: {memory: \"16Gi\"}\n");
    let (code, codes, report) = check(&repo);
    assert_eq!((code, codes.clone()), (1, vec!["H006".to_string()]), "{report}");
    assert_eq!(report["diagnostics"][0]["file"], "values.yaml", "{report}");
    edit(&repo, "environments/dev.yaml", "overrides: {}", "overrides:\n  resources:\n    limits: {memory: \"1Gi\"}");
    let (code, codes, report) = check(&repo);
    assert_eq!((code, codes), (0, Vec::<String>::new()), "{report}");
    // A default that is too big is found in the chart, where it is written.
    repo.write("values.yaml", "replicas: 2\n");
    repo.write(
        "environments/dev.yaml",
        "cluster:\n  allocatable: {cpu: \"4\", memory: \"8Gi\"}\n  secrets: [db-auth]\noverrides: {}\n",
    );
    edit(&repo, "chart/values.yaml", "memory: \"256Mi\"}", "memory: \"32Gi\"}");
    let (_, codes, report) = check(&repo);
    assert_eq!(codes, ["H006"], "{report}");
    assert_eq!(report["diagnostics"][0]["file"], "chart/values.yaml", "{report}");
    // `null` in values.yaml unsets a default, as Helm does.
    repo.write("values.yaml", "replicas: 2\nresources:\n  limits: {memory: null}\n");
    assert_eq!(check(&repo).1, Vec::<String>::new());
}

#[test]
fn the_rendered_file_stays_thin() {
    let repo = repo();
    let run = repo.run(&["render", "--env", "dev"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("replicas: 2"), "{}", run.stdout);
    for default in ["registry.example/shop", "existingSecret", "128Mi"] {
        assert!(!run.stdout.contains(default), "the chart's default {default} was rendered:\n{}", run.stdout);
    }
}

#[test]
fn a_vendored_dependency_is_read_under_its_alias_and_skipped_when_off() {
    let repo = repo();
    // The dependency's default names a secret: dev must have it.
    repo.write(
        "environments/dev.yaml",
        "cluster:\n  allocatable: {cpu: \"4\", memory: \"8Gi\"}\n  secrets: []\noverrides: {}\n",
    );
    let (_, codes, report) = check(&repo);
    assert_eq!(codes, ["H003"], "{report}");
    assert_eq!(report["diagnostics"][0]["file"], "chart/charts/mariadb/values.yaml", "{report}");
    assert!(report["diagnostics"][0]["message"].as_str().unwrap_or_default().contains("db-auth"), "{report}");
    // Switched off in values.yaml: its secrets are not needed.
    repo.write("values.yaml", "replicas: 2\ndb:\n  enabled: false\n  auth: {existingSecret: db-other}\n");
    let (code, codes, report) = check(&repo);
    assert_eq!((code, codes), (0, Vec::<String>::new()), "{report}");
    // Switched back on in one environment: there they are checked again.
    edit(&repo, "environments/dev.yaml", "overrides: {}", "overrides:\n  db: {enabled: true}");
    let (_, codes, report) = check(&repo);
    assert_eq!(codes, ["H003"], "{report}");
    assert!(report["diagnostics"][0]["message"].as_str().unwrap_or_default().contains("db-other"), "{report}");
    // A literal credential the team writes stays an error even under a switched-off dependency:
    // it is in git already, and rendering would print it.
    repo.write("values.yaml", "replicas: 2\ndb:\n  enabled: false\n  auth: {password: \"hunter2-hunter2\"}\n");
    edit(&repo, "environments/dev.yaml", "overrides:\n  db: {enabled: true}", "overrides: {}");
    let (_, codes, report) = check(&repo);
    assert_eq!(codes, ["H004"], "{report}");
    assert_eq!(repo.run(&["render", "--env", "dev"]).code, 1, "never rendered with the value masked");
}

#[test]
fn a_chart_default_is_read_as_helm_reads_it() {
    let repo = repo();
    // `debug: no` in the vendored chart is YAML 1.1's false for Helm: no Y005 (nobody here edits
    // that file), and the schema's boolean is met. In the team's file it is an error.
    let (code, codes, report) = check(&repo);
    assert_eq!((code, codes), (0, Vec::<String>::new()), "{report}");
    edit(&repo, "chart/values.yaml", "db:\n  enabled: true", "db:\n  enabled: off");
    repo.write(
        "environments/dev.yaml",
        "cluster:\n  allocatable: {cpu: \"4\", memory: \"8Gi\"}\n  secrets: []\noverrides: {}\n",
    );
    // `off` switches the dependency off, so its secret is not needed.
    assert_eq!(check(&repo).1, Vec::<String>::new());
    repo.write("values.yaml", "replicas: 2\nextra: no\n");
    assert_eq!(check(&repo).1, ["Y005"]);
}

#[test]
fn values_naming_the_charts_own_file_reads_it_once() {
    let repo = repo();
    repo.write("rulesctl.hcl", "paths {\n  chart  = \"chart\"\n  values = \"chart/values.yaml\"\n}\n\nrender {\n  allow_overrides = [\"replicas\"]\n}\n");
    let run = repo.run(&["check"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    // rulesctl.hcl, the schema, the chart's values.yaml (once), the dependency's, dev.yaml.
    assert!(run.stdout.contains("checked 5 files"), "{}", run.stdout);
}

/// Bitnami's wordpress as `helm dependency build` leaves it (mariadb, memcached and common
/// unpacked under `charts/`), adopted with `init --chart`: green as it ships; a secret named for
/// mariadb is needed only while mariadb is on.
#[test]
fn a_public_chart_with_vendored_dependencies() {
    use crate::support::{copy_tree, FIXTURES};
    use std::path::Path;
    let repo = Repo::empty();
    let chart = repo.path().join("chart");
    std::fs::create_dir_all(chart.join("charts/mariadb")).expect("mkdir");
    copy_tree(&Path::new(FIXTURES).join("charts/bitnami-wordpress"), &chart);
    copy_tree(&Path::new(FIXTURES).join("charts/bitnami-mariadb"), &chart.join("charts/mariadb"));
    assert_eq!(repo.run(&["init", "--chart", "chart"]).code, 0);
    let run = repo.run(&["check", "--format", "json"]);
    assert_eq!((run.code, run.codes()), (0, Vec::<String>::new()), "{}", run.stdout);
    // wordpress, mariadb, memcached and common values, the schema, values.yaml, dev, rulesctl.hcl.
    assert_eq!(run.json()["summary"]["files"], 8, "{}", run.stdout);

    repo.write("values.yaml", "mariadb:\n  auth:\n    existingSecret: wp-db\n");
    let (_, codes, report) = check(&repo);
    assert_eq!(codes, ["H003"], "{report}");
    repo.write(
        "values.yaml",
        "mariadb:\n  enabled: false\n  auth:\n    existingSecret: wp-db\nexternalDatabase:\n  host: db.example\n",
    );
    let (code, codes, report) = check(&repo);
    assert_eq!((code, codes), (0, Vec::<String>::new()), "{report}");
    // The chart's schema still holds over its defaults and the thin file.
    repo.write("values.yaml", "persistence:\n  size: 10\n");
    let (_, codes, report) = check(&repo);
    assert_eq!(codes, ["H001"], "{report}");
    assert_eq!(report["diagnostics"][0]["file"], "values.yaml", "{report}");
}

/// A dependency as `helm dependency build` vendors it, `charts/<name>-<version>.tgz`, is read
/// from the archive under its alias: its default secret is needed, and not once it is off.
#[test]
fn a_dependency_archive_is_read() {
    let repo = repo();
    let unpacked = repo.path().join("chart/charts/mariadb");
    let status = std::process::Command::new("tar")
        .args(["-czf", "mariadb-11.0.0.tgz", "mariadb"])
        .current_dir(repo.path().join("chart/charts"))
        .status()
        .expect("tar");
    assert!(status.success());
    std::fs::remove_dir_all(&unpacked).expect("remove the unpacked copy");
    repo.write(
        "environments/dev.yaml",
        "cluster:\n  allocatable: {cpu: \"4\", memory: \"8Gi\"}\n  secrets: []\noverrides: {}\n",
    );
    let (_, codes, report) = check(&repo);
    assert_eq!(codes, ["H003"], "{report}");
    assert_eq!(report["diagnostics"][0]["file"], "chart/charts/mariadb-11.0.0.tgz/mariadb/values.yaml", "{report}");
    repo.write("values.yaml", "replicas: 2\ndb:\n  enabled: false\n");
    assert_eq!(check(&repo).1, Vec::<String>::new());
    // Not an archive at all: named, never ignored in silence, and no crash.
    repo.write("chart/charts/mariadb-11.0.0.tgz", "not gzip");
    repo.write("values.yaml", "replicas: 2\n");
    let (code, codes, report) = check(&repo);
    assert_eq!((code, codes), (0, vec!["H018".to_string()]), "{report}");
    assert_eq!(report["diagnostics"][0]["file"], "chart/charts/mariadb-11.0.0.tgz", "{report}");
}
