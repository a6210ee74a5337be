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

/// A public chart adopted as it is: its values.yaml becomes the source, its schema validates,
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
        assert!(!repo.path().join("values.yaml").exists(), "{chart}: the chart's values are the source");
        assert!(repo.read("rulesctl.hcl").contains("chart        = \"charts/app\""), "{chart}");
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
    std::fs::create_dir_all(repo.path().join("empty-chart")).expect("mkdir");
    let run = repo.run(&["init", "--chart", "empty-chart"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("has no readable values.yaml"), "{}", run.stderr);
    assert!(!repo.path().join("rulesctl.hcl").exists(), "nothing is written when the chart is refused");
}
