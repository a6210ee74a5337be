//! A workspace of projects (issue 24): one repository holding several `rulesctl.hcl` folders,
//! checked, built and formatted from above them, guarded by one pre-commit hook; and a
//! values-only project among them.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::{copy_tree, git, run_at, run_env, Repo, Run, FIXTURES};

/// A git repository, committed, holding three projects: `services/mysql` (rules, values, a
/// chart and two environments), `services/nginx` (rules only) and `tools/web` (values-only: a
/// project file and values, no rules).
fn workspace() -> Repo {
    let repo = Repo::empty();
    let mysql = repo.path().join("services/mysql");
    let nginx = repo.path().join("services/nginx");
    for dir in [&mysql, &nginx] {
        std::fs::create_dir_all(dir).expect("mkdir");
        copy_tree(&Path::new(FIXTURES).join("base"), dir);
    }
    copy_tree(&Path::new(FIXTURES).join("helm"), &mysql);
    repo.write("services/nginx/rulesctl.hcl", "paths {\n  dist = \"dist\"\n}\n");
    repo.write("tools/web/rulesctl.hcl", "render {\n  allow_overrides = [\"replicas\"]\n}\n");
    repo.write("tools/web/values.yaml", "replicas: 1\nimage: \"nginx\"\n");
    repo.write(
        "tools/web/environments/dev.yaml",
        "cluster:\n  allocatable: {cpu: \"2\", memory: \"4Gi\"}\n  secrets: []\noverrides:\n  replicas: 2\n",
    );
    repo.write("README.md", "three projects\n");
    git(repo.path(), &["init", "-q"]);
    git(repo.path(), &["add", "."]);
    git(repo.path(), &["commit", "-qm", "three projects"]);
    repo
}

fn edit(repo: &Repo, rel: &str, from: &str, to: &str) {
    let text = repo.read(rel);
    assert!(text.contains(from), "{rel} lacks {from:?}");
    repo.write(rel, text.replace(from, to));
}

/// A literal password in mysql's values, a cooldown below the minimum in nginx's rules.
fn two_mistakes(repo: &Repo) {
    edit(
        repo,
        "services/mysql/values.yaml",
        "  rollbackTimeout: \"30s\"\n",
        "  rollbackTimeout: \"30s\"\n  password: \"hunter2\"\n",
    );
    edit(repo, "services/nginx/rules/caves.hcl", "cooldown_ms    = 8000", "cooldown_ms    = 3000");
}

fn files(run: &Run) -> Vec<String> {
    run.json()["diagnostics"]
        .as_array()
        .map(|d| d.iter().map(|d| format!("{}:{}", d["file"].as_str().unwrap_or_default(), d["code"])).collect())
        .unwrap_or_default()
}

/// `git commit` with no rulesctl on PATH, so the hook runs the binary it was installed with.
fn commit(repo: &Repo, message: &str) -> (bool, String) {
    let out = Command::new("git")
        .args(["-c", "user.name=Test", "-c", "user.email=test@example.com", "commit", "-qm", message])
        .current_dir(repo.path())
        .env("PATH", "/usr/bin:/bin")
        .env("NO_COLOR", "1")
        .env_remove("GIT_INDEX_FILE")
        .output()
        .expect("git commit");
    (out.status.success(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

#[test]
fn workspace_check_at_the_top_covers_every_project_with_paths_from_there() {
    let repo = workspace();
    let clean = repo.run(&["check"]);
    assert_eq!(clean.code, 0, "{}{}", clean.stdout, clean.stderr);
    assert!(clean.stdout.contains("projects: services/mysql, services/nginx, tools/web\n"), "{}", clean.stdout);

    two_mistakes(&repo);
    let (human, json) = crate::support::pin("workspace-check", &repo, &["check"]);
    assert_eq!(human.code, 1);
    assert!(human.stdout.contains("╭─[services/mysql/values.yaml:20:13]"), "{}", human.stdout);
    assert!(human.stdout.contains("╭─[services/nginx/rules/caves.hcl:5:20]"), "{}", human.stdout);
    assert!(
        human.stdout.ends_with("checked 15 files: 2 errors, 0 warnings\n"),
        "one summary counts all: {}",
        human.stdout
    );
    assert_eq!(files(&json), ["services/mysql/values.yaml:\"H004\"", "services/nginx/rules/caves.hcl:\"X001\""]);
    assert_eq!(json.json()["summary"]["files"], 15);
    assert_eq!(json.json()["projects"], serde_json::json!(["services/mysql", "services/nginx", "tools/web"]));

    let sarif = repo.run(&["check", "--format", "sarif"]).json();
    let uris: Vec<&str> = sarif["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .filter_map(|r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].as_str())
        .collect();
    assert_eq!(uris, ["services/mysql/values.yaml", "services/nginx/rules/caves.hcl"]);

    let github = repo.run(&["check", "--format", "github"]);
    assert!(github.stdout.contains("::error file=services/mysql/values.yaml,line=20,col=13,"), "{}", github.stdout);
    assert!(github.stdout.contains("::error file=services/nginx/rules/caves.hcl,line=5,col=20,"), "{}", github.stdout);

    // From `services/`, still above every project: paths start there.
    let below = repo.run_in(&repo.path().join("services"), &["check", "--format", "json"]);
    assert_eq!(files(&below), ["mysql/values.yaml:\"H004\"", "nginx/rules/caves.hcl:\"X001\""]);
    // Inside a project: that project alone, paths from its folder, exactly as before.
    let inside = repo.run_in(&repo.path().join("services/nginx/rules"), &["check", "--format", "json"]);
    assert_eq!(files(&inside), ["rules/caves.hcl:\"X001\""]);
    assert!(inside.json().get("projects").is_none(), "one project's report is unchanged");
}

#[test]
fn workspace_project_narrows_and_repeats() {
    let repo = workspace();
    two_mistakes(&repo);
    let one = repo.run(&["check", "--project", "services/nginx", "--format", "json"]);
    assert_eq!((one.code, files(&one)), (1, vec!["services/nginx/rules/caves.hcl:\"X001\"".to_string()]));
    let two = repo.run(&["check", "--project", "tools/web", "--project", "services/mysql/", "--format", "json"]);
    assert_eq!((two.code, files(&two)), (1, vec!["services/mysql/values.yaml:\"H004\"".to_string()]));
    assert_eq!(two.json()["projects"], serde_json::json!(["services/mysql", "tools/web"]));
    let clean = repo.run(&["check", "--project", "tools/web"]);
    assert_eq!(clean.code, 0, "{}", clean.stdout);
    let not = repo.run(&["check", "--project", "services"]);
    assert_eq!(not.code, 2);
    assert!(not.stderr.contains("--project services: not a project"), "{}", not.stderr);
    let both = repo.run(&["check", "--project", "tools/web", "--root", "tools/web"]);
    assert_eq!(both.code, 2, "{}", both.stderr);
}

#[test]
fn workspace_hook_is_one_for_the_repository_wherever_it_is_installed() {
    let repo = workspace();
    let first = repo.run_in(&repo.path().join("services/mysql"), &["hooks", "install"]);
    assert_eq!(first.code, 0, "{}{}", first.stdout, first.stderr);
    assert!(first.stdout.contains("(3: services/mysql, services/nginx, tools/web)"), "{}", first.stdout);
    let hook = repo.read(".git/hooks/pre-commit");
    assert!(!hook.contains("--root"), "the hook names no project: {hook}");
    let second = repo.run_in(&repo.path().join("services/nginx/rules"), &["hooks", "install"]);
    assert_eq!(second.code, 0);
    assert!(
        second.stdout.contains("already installed")
            && second.stdout.contains("nothing changed")
            && second.stdout.contains("covers every project in the repository"),
        "{}",
        second.stdout
    );
    assert_eq!(repo.read(".git/hooks/pre-commit"), hook, "a second install never narrows or replaces it");
    let status = repo.run_in(&repo.path().join("tools"), &["hooks", "status"]);
    assert!(
        status.stdout.contains(
            "covers: every project in the repository whose files are staged (3: services/mysql, services/nginx, tools/web)"
        ),
        "{}",
        status.stdout
    );

    // A hook an older rulesctl narrowed to one project says so, and install widens it.
    std::fs::write(
        repo.path().join(".git/hooks/pre-commit"),
        hook.replace("--base HEAD\n", "--base HEAD --root 'services/mysql'\n"),
    )
    .expect("write");
    let narrowed = repo.run(&["hooks", "status"]);
    assert!(narrowed.stdout.contains("covers: only the project services/mysql"), "{}", narrowed.stdout);
    let widened = repo.run(&["hooks", "install"]);
    assert!(widened.stdout.starts_with("updated the rulesctl pre-commit hook"), "{}", widened.stdout);
    assert_eq!(repo.read(".git/hooks/pre-commit"), hook);
}

#[test]
fn workspace_commit_is_blocked_by_a_staged_mistake_in_one_project() {
    let repo = workspace();
    assert_eq!(repo.run_in(&repo.path().join("services/nginx"), &["hooks", "install"]).code, 0);

    // A mistake left in the working tree does not count; a clean staged change commits.
    edit(&repo, "tools/web/values.yaml", "replicas: 1\n", "replicas: 1\ndb:\n  password: \"s3cret\"\n");
    repo.write("services/nginx/rules/note.hcl", "# tuned on Tuesday\n");
    git(repo.path(), &["add", "services/nginx"]);
    let (ok, text) = commit(&repo, "a comment");
    assert!(ok, "only what is staged is checked: {text}");

    // Staged, the mistake stops the commit; the projects with nothing staged are not read.
    git(repo.path(), &["add", "tools/web"]);
    let (ok, text) = commit(&repo, "a password");
    assert!(!ok, "the staged password stops the commit: {text}");
    assert!(text.contains("error[H004]") && text.contains("tools/web/values.yaml:3:13"), "{text}");
    assert!(text.contains("nothing staged, not checked: services/mysql, services/nginx"), "{text}");

    // Fixed in the working tree only: still blocked, the index is what is committed.
    edit(&repo, "tools/web/values.yaml", "  password: \"s3cret\"\n", "  host: \"mysql\"\n");
    let (ok, _) = commit(&repo, "still staged");
    assert!(!ok);
    git(repo.path(), &["add", "tools/web"]);
    let (ok, text) = commit(&repo, "fixed");
    assert!(ok, "{text}");
}

#[test]
fn workspace_base_is_judged_per_project() {
    let repo = workspace();
    edit(&repo, "services/nginx/rules/caves.hcl", "cooldown_ms    = 8000", "cooldown_ms    = 9000");
    git(repo.path(), &["add", "."]);
    let run = repo.run(&["check", "--staged", "--base", "HEAD"]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(run.stdout.contains("error[G001]"), "{}", run.stdout);
    assert!(run.stdout.contains("HEAD:services/nginx/rules/ruleset.hcl:1:19"), "the base's file: {}", run.stdout);
    assert!(run.stdout.contains("projects: services/nginx\n"), "{}", run.stdout);
    // mysql's ruleset (the same version, unchanged) is compared with mysql's own HEAD, not nginx's.
    edit(&repo, "services/nginx/rules/ruleset.hcl", "v1.0.0", "v1.0.1");
    git(repo.path(), &["add", "."]);
    let bumped = repo.run(&["check", "--staged", "--base", "HEAD", "--format", "json"]);
    assert_eq!((bumped.code, bumped.codes()), (0, Vec::<String>::new()), "{}", bumped.stdout);
    // The working tree, against HEAD: every project, each with its own base.
    let all = repo.run(&["check", "--base", "HEAD", "--format", "json"]);
    assert_eq!(all.code, 0, "{}", all.stdout);
    assert_eq!(all.json()["projects"], serde_json::json!(["services/mysql", "services/nginx", "tools/web"]));
}

#[test]
fn workspace_fmt_check_covers_every_project() {
    let repo = workspace();
    let fmt = repo.run(&["fmt"]);
    assert_eq!(fmt.code, 0, "{}{}", fmt.stdout, fmt.stderr);
    assert!(fmt.stdout.contains("reformatted services/nginx/rules/loot.hcl"), "{}", fmt.stdout);
    assert_eq!(repo.run(&["fmt", "--check"]).code, 0);
    repo.write("services/nginx/rules/extra.hcl", "# x\n");
    repo.write("tools/web/rulesctl.hcl", "render {\nallow_overrides = [\"replicas\"]\n}\n");
    let check = repo.run(&["fmt", "--check", "--format", "json"]);
    assert_eq!(check.code, 1, "{}", check.stdout);
    assert_eq!(check.json()["changed"], serde_json::json!(["tools/web/rulesctl.hcl"]));
    let diff = repo.run(&["fmt", "--diff"]);
    assert!(diff.stdout.starts_with("--- a/tools/web/rulesctl.hcl\n+++ b/tools/web/rulesctl.hcl\n"), "{}", diff.stdout);
    let narrowed = repo.run(&["fmt", "--check", "--project", "services/nginx"]);
    assert_eq!(narrowed.code, 0, "{}", narrowed.stdout);
}

#[test]
fn workspace_build_at_the_top_builds_each_project() {
    let repo = workspace();
    let build = repo.run(&["build"]);
    assert_eq!(build.code, 0, "{}{}", build.stdout, build.stderr);
    for line in [
        "wrote services/mysql/dist/ruleset-v1.0.0.json\n",
        "wrote services/mysql/dist/dev/values.yaml\n",
        "wrote services/nginx/dist/ruleset-v1.0.0.json\n",
        "wrote tools/web/dist/dev/values.yaml\n",
    ] {
        assert!(build.stdout.contains(line), "{line}: {}", build.stdout);
    }
    assert!(repo.path().join("services/nginx/dist/ruleset-v1.0.0.json.sha256").is_file());
    let web: Vec<PathBuf> = std::fs::read_dir(repo.path().join("tools/web/dist"))
        .expect("tools/web/dist")
        .map(|e| e.expect("entry").path())
        .collect();
    assert_eq!(web, [repo.path().join("tools/web/dist/dev")], "a values-only project writes no artifact");
    let rendered = repo.read("tools/web/dist/dev/values.yaml");
    assert!(!rendered.contains("# ruleset:") && rendered.contains("replicas: 2\n"), "{rendered}");
    // A project with an error writes nothing; the others still build, and the exit is the worst.
    edit(&repo, "services/nginx/rules/caves.hcl", "cooldown_ms    = 8000", "cooldown_ms    = 3000");
    std::fs::remove_dir_all(repo.path().join("services/nginx/dist")).expect("rm");
    let failed = repo.run(&["build", "--format", "json"]);
    assert_eq!(failed.code, 1);
    assert!(!repo.path().join("services/nginx/dist").exists());
    assert_eq!(files(&failed), ["services/nginx/rules/caves.hcl:\"X001\""]);
}

#[test]
fn workspace_render_and_argocd_need_one_project() {
    let repo = workspace();
    let render = repo.run(&["render", "--env", "dev"]);
    assert_eq!(render.code, 2);
    assert!(
        render.stderr.contains("3 are here (services/mysql, services/nginx, tools/web): choose one with --project DIR"),
        "{}",
        render.stderr
    );
    let web = repo.run(&["render", "--env", "dev", "--project", "tools/web"]);
    assert_eq!(web.code, 0, "{}", web.stderr);
    assert!(
        web.stdout.ends_with("image: \"nginx\"\nreplicas: 2\n") && !web.stdout.contains("# ruleset:"),
        "{}",
        web.stdout
    );

    let env = [("ARGOCD_ENV_RULESCTL_ENV", "dev"), ("ARGOCD_APP_NAME", "game")];
    let top = run_env(repo.path(), &["argocd", "generate"], &env);
    assert_eq!((top.code, top.stdout.as_str()), (2, ""), "{}", top.stderr);
    let mysql = run_env(&repo.path().join("services/mysql"), &["argocd", "generate"], &env);
    assert_eq!(mysql.code, 0, "{}", mysql.stderr);
    assert!(
        mysql.stdout.contains("kind: \"ConfigMap\"") && mysql.stdout.contains("ruleset-v1.0.0.json"),
        "{}",
        mysql.stdout
    );
    let values_only = run_env(&repo.path().join("tools/web"), &["argocd", "generate"], &env);
    assert_eq!(
        (values_only.code, values_only.stdout.as_str()),
        (0, ""),
        "no ruleset ConfigMap: {}",
        values_only.stderr
    );
    assert!(values_only.stderr.contains("no ruleset ConfigMap"), "{}", values_only.stderr);
    let broken = {
        edit(&repo, "tools/web/environments/dev.yaml", "replicas: 2", "replicas: [");
        run_env(&repo.path().join("tools/web"), &["argocd", "generate"], &env)
    };
    assert_eq!((broken.code, broken.stdout.as_str()), (1, ""), "{}", broken.stderr);
}

#[test]
fn values_only_project_needs_no_ruleset() {
    let repo = workspace();
    let web = repo.path().join("tools/web");
    let check = run_at(&web, &["check", "--format", "json"]);
    assert_eq!((check.code, check.codes()), (0, Vec::<String>::new()), "no L007: {}", check.stdout);
    // Its values are still checked.
    edit(&repo, "tools/web/values.yaml", "replicas: 1\n", "replicas: 1\ntoken: \"abc123\"\n");
    let literal = run_at(&web, &["check", "--format", "json"]);
    assert_eq!((literal.code, literal.codes()), (1, vec!["H004".to_string()]), "{}", literal.stdout);
    edit(&repo, "tools/web/values.yaml", "token: \"abc123\"\n", "");
    // Injecting a ruleset value needs a ruleset.
    repo.write(
        "tools/web/rulesctl.hcl",
        "render {\n  allow_overrides = [\"replicas\"]\n  inject = { \"tag\" = \"ruleset_version\" }\n}\n",
    );
    let inject = run_at(&web, &["check", "--format", "json"]);
    assert_eq!(inject.codes(), ["L007"], "{}", inject.stdout);
    // A rules path that is written and missing stays an error.
    repo.write(
        "tools/web/rulesctl.hcl",
        "paths {\n  rules = \"rules\"\n}\n\nrender {\n  allow_overrides = [\"replicas\"]\n}\n",
    );
    assert_eq!(run_at(&web, &["check", "--format", "json"]).codes(), ["L007"]);
}

#[test]
fn workspace_walk_skips_hidden_vendored_and_nested_projects() {
    let repo = workspace();
    repo.write("services/mysql/nested/rulesctl.hcl", "paths {\n  rules = \"gone\"\n}\n");
    repo.write(".cache/x/rulesctl.hcl", "broken {\n");
    repo.write("node_modules/y/rulesctl.hcl", "broken {\n");
    repo.write("charts/z/rulesctl.hcl", "broken {\n");
    let run = repo.run(&["check", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_eq!(run.json()["projects"], serde_json::json!(["services/mysql", "services/nginx", "tools/web"]));
    // The nested project is its own: checked from its folder.
    assert_eq!(run_at(&repo.path().join("services/mysql/nested"), &["check", "--format", "json"]).codes(), ["L007"]);
}

#[test]
fn workspace_hook_in_a_repository_without_projects_lets_commits_through() {
    let repo = Repo::empty();
    git(repo.path(), &["init", "-q"]);
    let install = repo.run(&["hooks", "install"]);
    assert_eq!(install.code, 0, "{}", install.stderr);
    assert!(install.stdout.contains("no rulesctl project (rulesctl.hcl) in this repository yet"), "{}", install.stdout);
    repo.write("README.md", "soon\n");
    git(repo.path(), &["add", "."]);
    let (ok, text) = commit(&repo, "first");
    assert!(ok, "{text}");
    assert!(text.contains("nothing staged to check"), "{text}");
    // Outside the hook, a check with no project is still an error.
    assert_eq!(repo.run(&["check"]).code, 2);
}
