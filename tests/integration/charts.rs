//! Real public Helm charts, vendored with their licences under tests/fixtures/charts: each chart's
//! own values check clean, and a mistake seeded into them is reported exactly once, with its code,
//! at its line of `chart/values.yaml`. Every line used here is listed in
//! tests/fixtures/charts/FACTS.md, and every edit checks the line it replaces, so a changed
//! fixture fails loudly instead of testing something else.

use std::path::Path;

use crate::support::{copy_tree, Repo, Run, FIXTURES};

/// Where the chart's values live in the test repository.
const VALUES: &str = "chart/values.yaml";

const PROJECT: &str = "paths {\n  chart  = \"chart\"\n  values = \"chart/values.yaml\"\n}\n";

/// Line `at` (1-based, as in FACTS.md) of a chart's values.yaml reads `old` and becomes `new`.
struct Edit {
    at: usize,
    old: &'static str,
    new: &'static str,
}

/// A vendored chart and what its own values need to check clean.
struct Chart {
    /// The folder under tests/fixtures/charts.
    dir: &'static str,
    /// The secrets its own values reference, listed in the environment's `cluster.secrets`.
    secrets: &'static [&'static str],
    /// Edits without which its own values are not clean: a literal default credential.
    clean_up: &'static [Edit],
    /// The lines that read `resources: {}`.
    resources: &'static [usize],
}

const MARIADB: Chart =
    Chart { dir: "bitnami-mariadb", secrets: &[], clean_up: &[], resources: &[532, 967, 1307, 1380, 1517] };

const CERT_MANAGER: Chart =
    Chart { dir: "jetstack-cert-manager", secrets: &[], clean_up: &[], resources: &[419, 945, 1358, 1616] };

/// `hub.apimanagement.admission.secretName: "hub-agent-cert"` (line 1318) is a reference.
const TRAEFIK: Chart =
    Chart { dir: "traefik-traefik", secrets: &["hub-agent-cert"], clean_up: &[], resources: &[1221] };

const GRAFANA: Chart = Chart {
    dir: "grafana-community-grafana",
    secrets: &[],
    clean_up: &[],
    resources: &[140, 218, 427, 550, 1048, 1669],
};

/// Ships `rabbitmq.password: guest` (line 41): its own values are exactly one H004 until blanked.
const RABBITMQ: Chart = Chart {
    dir: "prometheus-community-prometheus-rabbitmq-exporter",
    secrets: &[],
    clean_up: &[Edit { at: 41, old: "  password: guest", new: r#"  password: """# }],
    resources: &[17],
};

/// A mistake seeded into a chart's values and the one diagnostic it must produce.
struct Mistake {
    what: &'static str,
    edit: Edit,
    code: &'static str,
    /// For H003: the secret that, once in `cluster.secrets`, makes the values clean again.
    secret: Option<&'static str>,
    /// For H004: the literal, which no output may print.
    literal: Option<&'static str>,
}

/// `code` at the edited line.
fn mistake(what: &'static str, at: usize, old: &'static str, new: &'static str, code: &'static str) -> Mistake {
    Mistake { what, edit: Edit { at, old, new }, code, secret: None, literal: None }
}

/// H003 at the edited line, and nothing once `secret` is listed in `cluster.secrets`.
fn unknown_secret(
    what: &'static str,
    at: usize,
    old: &'static str,
    new: &'static str,
    secret: &'static str,
) -> Mistake {
    Mistake { secret: Some(secret), ..mistake(what, at, old, new, "H003") }
}

/// H004 at the edited line, and `literal` in no output.
fn literal_credential(
    what: &'static str,
    at: usize,
    old: &'static str,
    new: &'static str,
    literal: &'static str,
) -> Mistake {
    Mistake { literal: Some(literal), ..mistake(what, at, old, new, "H004") }
}

/// Repository with `Repo::base()`'s rules, the chart under `chart/`, and one environment, `dev`,
/// that has `secrets`.
fn repo(chart: &Chart, secrets: &[&str]) -> Repo {
    let repo = Repo::base();
    let dir = repo.path().join("chart");
    std::fs::create_dir_all(&dir).expect("create chart/");
    copy_tree(&Path::new(FIXTURES).join("charts").join(chart.dir), &dir);
    repo.write("rulesctl.hcl", PROJECT);
    let secrets: Vec<String> = secrets.iter().map(|s| format!("\"{s}\"")).collect();
    repo.write(
        "environments/dev.yaml",
        format!("cluster:\n  allocatable: {{cpu: \"4\", memory: \"8Gi\"}}\n  secrets: [{}]\n", secrets.join(", ")),
    );
    repo
}

/// `repo` with the chart's clean-up edits applied.
fn prepared(chart: &Chart, secrets: &[&str]) -> Repo {
    let repo = repo(chart, secrets);
    let mut text = repo.read(VALUES);
    for edit in chart.clean_up {
        text = edited(&text, edit, chart.dir);
    }
    repo.write(VALUES, text);
    repo
}

/// `text` with `edit` applied.
fn edited(text: &str, edit: &Edit, what: &str) -> String {
    replace_line(text, edit.at, edit.old, edit.new, what)
}

/// `text` with line `at` (1-based) replaced by `new`; panics, naming `what`, when the line does
/// not read `old`.
fn replace_line(text: &str, at: usize, old: &str, new: &str, what: &str) -> String {
    let mut lines: Vec<&str> = text.split('\n').collect();
    assert_eq!(
        lines.get(at - 1).copied(),
        Some(old),
        "{what}: line {at} of the fixture changed; update FACTS.md and tests/integration/charts.rs"
    );
    lines[at - 1] = new;
    lines.join("\n")
}

/// The leading whitespace of line `at` (1-based) of `text`.
fn indent_at(text: &str, at: usize) -> String {
    let line = text.split('\n').nth(at - 1).unwrap_or_default();
    line[..line.len() - line.trim_start().len()].to_string()
}

/// The 1-based number of the one line of `text` that reads exactly `line`.
fn line_of(text: &str, line: &str) -> u64 {
    let found: Vec<usize> = text.split('\n').enumerate().filter(|(_, l)| *l == line).map(|(i, _)| i + 1).collect();
    assert_eq!(found.len(), 1, "`{line}` must be on exactly one line, found on {found:?}");
    found[0] as u64
}

fn check(repo: &Repo) -> Run {
    repo.run(&["check", "--format", "json"])
}

/// `(code, file, line)` of every diagnostic in a JSON report.
fn findings(run: &Run) -> Vec<(String, String, u64)> {
    run.json()["diagnostics"]
        .as_array()
        .map(|ds| {
            ds.iter()
                .map(|d| {
                    (
                        d["code"].as_str().unwrap_or_default().to_string(),
                        d["file"].as_str().unwrap_or_default().to_string(),
                        d["line"].as_u64().unwrap_or(0),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The one finding a seeded mistake must produce.
fn only(code: &str, line: u64) -> Vec<(String, String, u64)> {
    vec![(code.to_string(), VALUES.to_string(), line)]
}

/// No diagnostic at all, exit 0, and the summary counts the values and the environment among the
/// files read, so a checker that skipped the chart would not pass.
fn assert_clean(repo: &Repo, what: &str) {
    let run = check(repo);
    let found = findings(&run);
    assert!(found.is_empty(), "{what}: {found:?}\n{}", run.stdout);
    assert_eq!(run.code, 0, "{what}: {}{}", run.stdout, run.stderr);
    let report = run.json();
    assert_eq!(report["summary"]["errors"], 0, "{what}: {report}");
    assert_eq!(report["summary"]["warnings"], 0, "{what}: {report}");
    let rule_files = std::fs::read_dir(repo.path().join("rules"))
        .expect("read rules/")
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "hcl"))
        .count() as u64;
    // rulesctl.hcl, the rule files, chart/values.yaml and environments/dev.yaml.
    let read = report["summary"]["files"].as_u64().unwrap_or(0);
    assert!(read >= rule_files + 3, "{what}: only {read} files read, so the chart's values were not: {report}");
}

/// Seeds each mistake alone into a fresh copy of the chart; each must be reported exactly once,
/// as its code, at the seeded line. Collects every failure before failing.
fn assert_each_reported_once(chart: &Chart, mistakes: &[Mistake]) {
    let mut failures = Vec::new();
    for m in mistakes {
        let what = format!("{} ({})", chart.dir, m.what);
        let repo = prepared(chart, chart.secrets);
        let text = edited(&repo.read(VALUES), &m.edit, &what);
        let line = line_of(&text, m.edit.new);
        repo.write(VALUES, &text);
        let run = check(&repo);
        let (want, got) = (only(m.code, line), findings(&run));
        if got != want || run.code != 1 {
            failures.push(format!("{what}: want {want:?} and exit 1, got {got:?} and exit {}", run.code));
        }
        if let Some(literal) = m.literal {
            let human = repo.run(&["check"]);
            if [&run.stdout, &run.stderr, &human.stdout, &human.stderr].iter().any(|out| out.contains(literal)) {
                failures.push(format!("{what}: the literal credential is printed"));
            }
        }
        if let Some(secret) = m.secret {
            let listed: Vec<&str> = chart.secrets.iter().copied().chain([secret]).collect();
            let repo = prepared(chart, &listed);
            repo.write(VALUES, &text);
            let run = check(&repo);
            let found = findings(&run);
            if !found.is_empty() || run.code != 0 {
                failures.push(format!("{what}: with `{secret}` listed, got {found:?} and exit {}", run.code));
            }
        }
    }
    assert!(failures.is_empty(), "{} of {} seeded mistakes:\n{}", failures.len(), mistakes.len(), failures.join("\n"));
}

#[test]
fn bitnami_mariadb_values_check_clean() {
    assert_clean(&prepared(&MARIADB, MARIADB.secrets), MARIADB.dir);
}

#[test]
fn cert_manager_values_check_clean() {
    assert_clean(&prepared(&CERT_MANAGER, CERT_MANAGER.secrets), CERT_MANAGER.dir);
}

#[test]
fn traefik_values_check_clean() {
    assert_clean(&prepared(&TRAEFIK, TRAEFIK.secrets), TRAEFIK.dir);
}

#[test]
fn grafana_values_check_clean() {
    assert_clean(&prepared(&GRAFANA, GRAFANA.secrets), GRAFANA.dir);
}

/// Clean once its default password is blanked; see the next test for the default itself.
#[test]
fn rabbitmq_exporter_values_check_clean_without_the_default_password() {
    assert_clean(&prepared(&RABBITMQ, RABBITMQ.secrets), RABBITMQ.dir);
}

/// The chart ships a literal default password: that is its one finding, and it is not printed.
#[test]
fn rabbitmq_exporters_default_password_is_its_one_finding() {
    let repo = repo(&RABBITMQ, RABBITMQ.secrets);
    let line = line_of(&repo.read(VALUES), "  password: guest");
    let run = check(&repo);
    assert_eq!(findings(&run), only("H004", line), "{}", run.stdout);
    assert_eq!(run.code, 1);
    assert!(!run.stdout.contains("guest") && !run.stderr.contains("guest"), "{}{}", run.stdout, run.stderr);
}

/// Traefik's default `secretName` is a secret reference like any other: without it in
/// `cluster.secrets`, it is the one finding.
#[test]
fn traefiks_default_webhook_secret_must_exist() {
    let repo = repo(&TRAEFIK, &[]);
    let line = line_of(&repo.read(VALUES), r#"      secretName: "hub-agent-cert""#);
    let run = check(&repo);
    assert_eq!(findings(&run), only("H003", line), "{}", run.stdout);
    assert_eq!(run.code, 1);
}

#[test]
fn bitnami_mariadb_seeded_mistakes_are_reported_once_at_their_line() {
    assert_each_reported_once(
        &MARIADB,
        &[
            // The schema types `secondary.replicaCount` as a number.
            mistake("a wrong type", 755, "  replicaCount: 1", r#"  replicaCount: "two""#, "H001"),
            unknown_secret(
                "an unknown existingSecret",
                151,
                r#"  existingSecret: """#,
                r#"  existingSecret: "mariadb-credentials""#,
                "mariadb-credentials",
            ),
            literal_credential(
                "a literal root password",
                129,
                r#"  rootPassword: """#,
                r#"  rootPassword: "Sup3r-s3cret-root""#,
                "Sup3r-s3cret-root",
            ),
            mistake(
                "a limit above allocatable in primary.resources",
                532,
                "  resources: {}",
                r#"  resources: {limits: {memory: "64Gi"}}"#,
                "H006",
            ),
            mistake(
                "a limit above allocatable in a sidecar",
                670,
                "  sidecars: []",
                r#"  sidecars: [{name: backup, image: busybox, resources: {limits: {cpu: "8"}}}]"#,
                "H006",
            ),
            mistake(
                "a request above its limit in metrics.resources",
                1517,
                "  resources: {}",
                r#"  resources: {requests: {memory: "1Gi"}, limits: {memory: "512Mi"}}"#,
                "H005",
            ),
        ],
    );
}

#[test]
fn cert_manager_seeded_mistakes_are_reported_once_at_their_line() {
    assert_each_reported_once(
        &CERT_MANAGER,
        &[
            // The schema closes the top level and `webhook.serviceAccount`.
            mistake("an unknown top-level key", 129, "replicaCount: 1", "replicas: 1", "H001"),
            mistake(
                "an unknown key in webhook.serviceAccount",
                1086,
                "    automountServiceAccountToken: true",
                "    automountServiceAcountToken: true",
                "H001",
            ),
            unknown_secret(
                "an unknown image pull secret",
                13,
                "  imagePullSecrets: []",
                "  imagePullSecrets: [{name: regcred}]",
                "regcred",
            ),
            mistake(
                "a limit above allocatable in webhook.resources",
                945,
                "  resources: {}",
                r#"  resources: {limits: {memory: "64Gi"}}"#,
                "H006",
            ),
            mistake(
                "a limit above allocatable in an extra container",
                402,
                "extraContainers: []",
                r#"extraContainers: [{name: helper, image: busybox, resources: {limits: {memory: "64Gi"}}}]"#,
                "H006",
            ),
            mistake(
                "a request above its limit in cainjector.resources",
                1358,
                "  resources: {}",
                r#"  resources: {requests: {cpu: "2"}, limits: {cpu: "1"}}"#,
                "H005",
            ),
        ],
    );
}

#[test]
fn traefik_seeded_mistakes_are_reported_once_at_their_line() {
    assert_each_reported_once(
        &TRAEFIK,
        &[
            // The schema closes the top level and `providers.kubernetesCRD`.
            mistake("an unknown top-level key", 1196, "hostNetwork: false", "hostNetwrok: false", "H001"),
            mistake("an unknown key in providers.kubernetesCRD", 312, "    enabled: true", "    enable: true", "H001"),
            mistake(
                "a value below the schema's minimum",
                28,
                "  replicas: 1  # @schema type:[integer, null];minimum:0",
                "  replicas: -1",
                "H001",
            ),
            unknown_secret(
                "an unknown envFrom secretRef",
                915,
                "envFrom: []",
                "envFrom: [{secretRef: {name: traefik-env}}]",
                "traefik-env",
            ),
            // Not `hub.token`: despite its name, it names a Secret (FACTS.md).
            literal_credential(
                "a literal Redis password",
                1571,
                r#"    password: """#,
                r#"    password: "r3dis-hub-pass""#,
                "r3dis-hub-pass",
            ),
            mistake(
                "a limit above allocatable in resources",
                1221,
                "resources: {}",
                r#"resources: {limits: {cpu: "16"}}"#,
                "H006",
            ),
            mistake(
                "a limit above allocatable in an additional container",
                62,
                "  additionalContainers: []",
                r#"  additionalContainers: [{name: shipper, image: busybox, resources: {limits: {memory: "64Gi"}}}]"#,
                "H006",
            ),
        ],
    );
}

#[test]
fn grafana_seeded_mistakes_are_reported_once_at_their_line() {
    assert_each_reported_once(
        &GRAFANA,
        &[
            unknown_secret(
                "an unknown admin.existingSecret",
                577,
                r#"  existingSecret: """#,
                r#"  existingSecret: "grafana-admin""#,
                "grafana-admin",
            ),
            // The chart's own commented-out example, uncommented.
            literal_credential(
                "the documented admin password",
                572,
                "# adminPassword: strongpassword",
                "adminPassword: strongpassword",
                "strongpassword",
            ),
            literal_credential(
                "a literal image renderer token",
                1555,
                r#"  token: """#,
                r#"  token: "r3nderer-t0ken""#,
                "r3nderer-t0ken",
            ),
            mistake(
                "a limit above allocatable in sidecar.resources",
                1048,
                "  resources: {}",
                r#"  resources: {limits: {memory: "64Gi"}}"#,
                "H006",
            ),
            mistake(
                "a limit above allocatable in an init container",
                458,
                "extraInitContainers: []",
                r#"extraInitContainers: [{name: plugins, image: busybox, resources: {limits: {cpu: "8"}}}]"#,
                "H006",
            ),
            mistake(
                "a request above its limit in imageRenderer.resources",
                1669,
                "  resources: {}",
                r#"  resources: {requests: {memory: "2Gi"}, limits: {memory: "1Gi"}}"#,
                "H005",
            ),
        ],
    );
}

#[test]
fn rabbitmq_exporter_seeded_mistakes_are_reported_once_at_their_line() {
    assert_each_reported_once(
        &RABBITMQ,
        &[
            unknown_secret(
                "an unknown secretKeyRef in env",
                76,
                "env: []",
                "env: [{name: RABBIT_PASSWORD, valueFrom: {secretKeyRef: {name: rabbitmq-auth, key: password}}}]",
                "rabbitmq-auth",
            ),
            mistake(
                "a limit above allocatable in resources",
                17,
                "resources: {}",
                r#"resources: {limits: {memory: "64Gi"}}"#,
                "H006",
            ),
        ],
    );
}

/// mariadb's schema closes no object and grafana has none: an unknown key there is no error,
/// while a real mistake beside it still is the one finding.
#[test]
fn unknown_keys_pass_where_no_schema_forbids_them() {
    let cases = [
        (
            &MARIADB,
            Edit { at: 154, old: "  forcePassword: false", new: "  forcePasword: false" },
            Edit { at: 755, old: "  replicaCount: 1", new: r#"  replicaCount: "two""# },
            "H001",
        ),
        (
            &GRAFANA,
            Edit { at: 571, old: "adminUser: admin", new: "adminUsr: admin" },
            Edit { at: 572, old: "# adminPassword: strongpassword", new: "adminPassword: strongpassword" },
            "H004",
        ),
    ];
    for (chart, unknown, real, code) in cases {
        let repo = prepared(chart, chart.secrets);
        let text = edited(&repo.read(VALUES), &unknown, chart.dir);
        repo.write(VALUES, &text);
        assert_clean(&repo, &format!("{}: unknown key only", chart.dir));
        let text = edited(&text, &real, chart.dir);
        repo.write(VALUES, &text);
        let run = check(&repo);
        assert_eq!(findings(&run), only(code, line_of(&text, real.new)), "{}: {}", chart.dir, run.stdout);
        assert_eq!(run.code, 1);
    }
}

/// Every `resources: {}` of every chart filled with valid requests and limits (some exactly at
/// `cluster.allocatable`, written differently) is clean; then one limit 1Mi above it is the one
/// finding.
#[test]
fn valid_resources_everywhere_pass_and_one_over_is_found() {
    const VALID: [&str; 6] = [
        r#"{requests: {cpu: "100m", memory: "128Mi"}, limits: {cpu: "500m", memory: "512Mi"}}"#,
        r#"{requests: {cpu: "0.25", memory: "64M"}, limits: {cpu: "1", memory: "1Gi"}}"#,
        r#"{limits: {cpu: "4000m", memory: "8192Mi"}}"#,
        r#"{requests: {cpu: "2", memory: "128974848"}, limits: {cpu: "4", memory: "129e6"}}"#,
        r#"{requests: {cpu: "250m"}}"#,
        r#"{requests: {memory: "8Gi"}, limits: {memory: "8Gi"}}"#,
    ];
    for chart in [&MARIADB, &CERT_MANAGER, &TRAEFIK, &GRAFANA, &RABBITMQ] {
        let repo = prepared(chart, chart.secrets);
        let mut text = repo.read(VALUES);
        for (i, &at) in chart.resources.iter().enumerate() {
            let indent = indent_at(&text, at);
            let new = format!("{indent}resources: {}", VALID[i % VALID.len()]);
            text = replace_line(&text, at, &format!("{indent}resources: {{}}"), &new, chart.dir);
        }
        repo.write(VALUES, &text);
        assert_clean(&repo, &format!("{}: valid resources", chart.dir));
        let at = chart.resources[0];
        let indent = indent_at(&text, at);
        let over = format!(r#"{indent}resources: {{limits: {{memory: "8193Mi"}}}}"#);
        let text = replace_line(&text, at, &format!("{indent}resources: {}", VALID[0]), &over, chart.dir);
        repo.write(VALUES, &text);
        let run = check(&repo);
        assert_eq!(findings(&run), only("H006", line_of(&text, &over)), "{}: {}", chart.dir, run.stdout);
        assert_eq!(run.code, 1);
    }
}
