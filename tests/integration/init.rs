//! `rulesctl init [--chart PATH]`: a scaffold that passes `check`, never overwriting a file.

use std::path::Path;

use crate::support::{copy_tree, Repo, FIXTURES};

#[test]
fn init_scaffolds_a_repository_that_passes_check() {
    let repo = Repo::empty();
    let run = repo.run(&["init"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for rel in ["rulesctl.hcl", "rules/ruleset.hcl", "values.yaml", "environments/dev.yaml", ".gitignore"] {
        assert!(run.stdout.contains(&format!("created {rel}\n")), "{rel}: {}", run.stdout);
        assert!(repo.path().join(rel).is_file(), "{rel}");
    }
    assert!(repo.read(".gitignore").contains("/dist/"));
    let check = repo.run(&["check", "--deny-warnings"]);
    assert_eq!((check.code, check.stdout.as_str()), (0, "checked 4 files: 0 errors, 0 warnings\n"));
    assert_eq!(repo.run(&["build"]).code, 0, "the scaffold builds too");
    assert_eq!(repo.run(&["fmt", "--check"]).code, 0, "and is already formatted");
}

#[test]
fn init_never_overwrites_a_file() {
    let repo = Repo::empty();
    repo.write("values.yaml", "mine: true\n");
    repo.write(".gitignore", "target/\n");
    let run = repo.run(&["init"]);
    assert_eq!(run.code, 0);
    assert!(
        run.stdout.contains("kept values.yaml (it exists)\n") && run.stdout.contains("kept .gitignore"),
        "{}",
        run.stdout
    );
    assert_eq!(repo.read("values.yaml"), "mine: true\n");
    assert_eq!(repo.read(".gitignore"), "target/\n");
    let again = repo.run(&["init"]);
    assert_eq!(again.code, 0);
    assert!(!again.stdout.contains("created"), "a second init creates nothing: {}", again.stdout);
}

/// A public chart adopted as it is: values.yaml starts thin over the chart's defaults (the
/// vendored files stay untouched), no game ruleset is started, the chart's schema validates,
/// and the secrets its values reference are listed for dev, so `check` passes unchanged.
#[test]
fn init_adopts_public_charts_and_check_passes_on_them() {
    for chart in ["bitnami-mariadb", "jetstack-cert-manager", "traefik-traefik", "grafana-community-grafana"] {
        let repo = Repo::empty();
        std::fs::create_dir_all(repo.path().join("charts/app")).expect("mkdir");
        copy_tree(&Path::new(FIXTURES).join("charts").join(chart), &repo.path().join("charts/app"));
        let values = repo.read("charts/app/values.yaml");
        let run = repo.run(&["init", "--chart", "charts/app"]);
        assert_eq!(run.code, 0, "{chart}: {}", run.stderr);
        assert_eq!(
            repo.read("values.yaml").lines().filter(|l| !l.starts_with('#')).collect::<Vec<_>>(),
            ["{}"],
            "{chart}: values.yaml starts thin"
        );
        let project = repo.read("rulesctl.hcl");
        assert!(project.contains("chart        = \"charts/app\""), "{chart}: {project}");
        assert!(project.contains("values       = \"values.yaml\""), "{chart}: {project}");
        assert!(!project.contains("rules ") && !repo.path().join("rules").exists(), "{chart}: no ruleset: {project}");
        let check = repo.run(&["check", "--format", "json"]);
        let report = check.json();
        assert_eq!(check.code, 0, "{chart}: {report}");
        assert_eq!(report["summary"]["warnings"], 0, "{chart}: {report}");
        assert_eq!(repo.read("charts/app/values.yaml"), values, "{chart}: the chart is not touched");
    }
    // traefik's values name one secret: init lists it for dev, with a note to make sure.
    let repo = Repo::empty();
    std::fs::create_dir_all(repo.path().join("chart")).expect("mkdir");
    copy_tree(&Path::new(FIXTURES).join("charts/traefik-traefik"), &repo.path().join("chart"));
    assert_eq!(repo.run(&["init", "--chart", "chart"]).code, 0);
    assert!(
        repo.read("environments/dev.yaml").contains("secrets: [\"hub-agent-cert\"]"),
        "{}",
        repo.read("environments/dev.yaml")
    );
}

#[test]
fn init_refuses_a_chart_it_cannot_adopt() {
    let repo = Repo::empty();
    let outside = tempfile::tempdir().expect("tempdir");
    let run = repo.run(&["init", "--chart", &outside.path().to_string_lossy()]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("not a folder inside"), "{}", run.stderr);
    assert!(run.stderr.contains("vendor the chart into it first"), "{}", run.stderr);
    std::fs::create_dir_all(repo.path().join("empty-chart")).expect("mkdir");
    let run = repo.run(&["init", "--chart", "empty-chart"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("has no readable values.yaml"), "{}", run.stderr);
    assert!(!repo.path().join("rulesctl.hcl").exists(), "nothing is written when the chart is refused");
}

/// `--with-rules` starts a game ruleset beside an adopted chart; it means nothing alone.
#[test]
fn init_with_rules_adds_a_ruleset_to_an_adopted_chart() {
    let repo = Repo::empty();
    std::fs::create_dir_all(repo.path().join("chart")).expect("mkdir");
    copy_tree(&Path::new(FIXTURES).join("charts/bitnami-mariadb"), &repo.path().join("chart"));
    let run = repo.run(&["init", "--chart", "chart", "--with-rules"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("created rules/ruleset.hcl"), "{}", run.stdout);
    assert!(repo.read("rulesctl.hcl").contains("rules        = \"rules\""), "{}", repo.read("rulesctl.hcl"));
    let check = repo.run(&["check", "--format", "json"]);
    assert_eq!(check.code, 0, "{}", check.stdout);
    assert_eq!(repo.run(&["build"]).code, 0, "the ruleset builds");
    let alone = Repo::empty().run(&["init", "--with-rules"]);
    assert_eq!(alone.code, 2, "{}", alone.stderr);
    assert!(alone.stderr.contains("--chart"), "{}", alone.stderr);
}

/// `paths.chart` outside the repository: the error says to vendor the chart, and how.
#[test]
fn a_chart_outside_the_repository_is_to_be_vendored() {
    let repo = Repo::empty();
    repo.write("rulesctl.hcl", "paths {\n  chart = \"../charts/mysql\"\n}\n");
    repo.write("values.yaml", "a: 1\n");
    let run = repo.run(&["check", "--format", "json"]);
    let report = run.json();
    assert_eq!(run.code, 1, "{report}");
    let d = &report["diagnostics"][0];
    assert_eq!((d["file"].as_str(), d["line"].as_u64()), (Some("rulesctl.hcl"), Some(2)), "{report}");
    assert!(d["help"].as_str().unwrap_or_default().contains("helm pull"), "{report}");
}
