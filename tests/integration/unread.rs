//! Nothing ignored in silence: files that look meant for rulesctl but are not read are named,
//! each at its file (`H017` for `environments/*.yml`, `H018` for other unread files, `H019` for
//! near-miss folders).

use crate::support::Repo;

/// (code, file, line, column, severity) of every diagnostic.
fn found(repo: &Repo) -> Vec<(String, String, u64, u64, String)> {
    let report = repo.run(&["check", "--format", "json"]).json();
    report["diagnostics"]
        .as_array()
        .map(|all| {
            all.iter()
                .map(|d| {
                    let s = |k: &str| d[k].as_str().unwrap_or_default().to_string();
                    (
                        s("code"),
                        s("file"),
                        d["line"].as_u64().unwrap_or(0),
                        d["column"].as_u64().unwrap_or(0),
                        s("severity"),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

const ENV: &str = "cluster:\n  allocatable: {cpu: \"4\", memory: \"8Gi\"}\n  secrets: [redis-auth]\noverrides: {}\n";

#[test]
fn a_yml_environment_is_an_error_and_render_says_why() {
    let repo = Repo::helm();
    repo.write("environments/qa.yml", ENV);
    let all = found(&repo);
    assert!(all.contains(&("H017".into(), "environments/qa.yml".into(), 1, 1, "error".into())), "{all:?}");
    let check = repo.run(&["check"]);
    assert_eq!(check.code, 1);
    assert!(check.stdout.contains("rename it to `environments/qa.yaml`"), "{}", check.stdout);
    let render = repo.run(&["render", "--env", "qa"]);
    assert_ne!(render.code, 0);
    assert!(render.stdout.is_empty());
    assert!(
        render.stderr.contains("`environments/qa.yml` is not read") && render.stderr.contains("environments/qa.yaml"),
        "{}",
        render.stderr
    );
    // The other environments still render: the problem is qa's.
    assert_eq!(repo.run(&["render", "--env", "dev"]).code, 0);
    // Next to a qa.yaml, the help says to merge.
    repo.write("environments/qa.yaml", ENV);
    let check = repo.run(&["check"]);
    assert!(check.stdout.contains("`environments/qa.yaml` exists too"), "{}", check.stdout);
}

#[test]
fn other_unread_files_and_near_miss_folders_are_warnings() {
    let repo = Repo::helm();
    repo.write("environments/README.md", "# notes\n");
    repo.write("environments/extra.hcl", "x = 1\n");
    repo.write("old.hcl", "x = 1\n");
    repo.write("environment/qa.yaml", ENV);
    repo.write("rule/more.hcl", "x = 1\n");
    // A Python virtualenv called env/ holds no environment files: left alone.
    repo.write("env/bin/activate", "# venv\n");
    let all = found(&repo);
    let warning = |code: &str, file: &str| (code.to_string(), file.to_string(), 1, 1, "warning".to_string());
    for expected in [
        warning("H018", "environments/README.md"),
        warning("H018", "environments/extra.hcl"),
        warning("H018", "old.hcl"),
        warning("H019", "environment"),
        warning("H019", "rule"),
    ] {
        assert!(all.contains(&expected), "{expected:?} not in {all:?}");
    }
    assert!(!all.iter().any(|d| d.1 == "env"), "{all:?}");
    assert_eq!(repo.run(&["check"]).code, 0, "warnings only");
    assert_eq!(repo.run(&["check", "--deny-warnings"]).code, 1);
}
