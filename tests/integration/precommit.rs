//! The pre-commit framework uses this repository's `.pre-commit-hooks.yaml` by reference, and
//! real `git commit`s go through it: the first commit, a bad rule, a change without a version
//! bump, a bumped one, and `rulesctl-fmt` rewriting a messy file.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::support::{git, Repo};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// What `cargo install` needs to build rulesctl, and the hooks file: the copy the framework
/// clones. The working tree's versions, so the test covers uncommitted changes too.
const SHADOWED: &[&str] = &[".pre-commit-hooks.yaml", "Cargo.toml", "Cargo.lock", "benches", "hooks", "src"];

/// The framework's cache and cargo's target folder, under target/ so later runs reuse them.
fn target() -> PathBuf {
    Path::new(ROOT).join("target")
}

/// The pre-commit framework from the test Python environment.
fn pre_commit() -> PathBuf {
    let setup = Command::new("bash").arg(Path::new(ROOT).join("tests/python-env.sh")).output().expect("bash");
    assert!(setup.status.success(), "{}", String::from_utf8_lossy(&setup.stderr));
    Path::new(String::from_utf8_lossy(&setup.stdout).trim()).with_file_name("pre-commit")
}

/// A committed copy of this repository (what a user's `repo:` points at), at a fixed path with a
/// commit whose id depends only on the files, so the framework builds rulesctl once per change.
fn shadow() -> (PathBuf, String) {
    let dir = target().join("pre-commit-shadow");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("mkdir");
    for rel in SHADOWED {
        let from = Path::new(ROOT).join(rel);
        if from.is_dir() {
            std::fs::create_dir_all(dir.join(rel)).expect("mkdir");
            crate::support::copy_tree(&from, &dir.join(rel));
        } else {
            std::fs::copy(&from, dir.join(rel)).expect("copy");
        }
    }
    git(&dir, &["init", "-q"]);
    git(&dir, &["add", "."]);
    let commit = Command::new("git")
        .args(["-c", "user.name=rulesctl", "-c", "user.email=rulesctl@example.com", "-c", "commit.gpgsign=false"])
        .args(["commit", "-qm", "shadow"])
        .current_dir(&dir)
        .env("GIT_AUTHOR_DATE", "2000-01-01T00:00:00Z")
        .env("GIT_COMMITTER_DATE", "2000-01-01T00:00:00Z")
        .output()
        .expect("git commit");
    assert!(commit.status.success(), "{}", String::from_utf8_lossy(&commit.stderr));
    let rev = git(&dir, &["rev-parse", "HEAD"]).trim().to_string();
    (dir, rev)
}

/// Runs `program ARGS` in `repo` with the framework's cache and a quick release profile for the
/// `cargo install` it runs.
fn run(repo: &Repo, program: &Path, args: &[&str]) -> Output {
    Command::new(program)
        .args(args)
        .current_dir(repo.path())
        .env("PRE_COMMIT_HOME", target().join("pre-commit-home"))
        .env("CARGO_TARGET_DIR", target().join("pre-commit-build"))
        .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "0")
        .env("CARGO_PROFILE_RELEASE_DEBUG", "false")
        .env("CARGO_PROFILE_RELEASE_LTO", "false")
        .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "256")
        .env("NO_COLOR", "1")
        .env_remove("GIT_DIR")
        .env_remove("GIT_INDEX_FILE")
        .output()
        .expect("run")
}

/// A real `git commit` of everything in the working tree, through the installed framework hook.
fn commit(repo: &Repo, message: &str) -> Output {
    git(repo.path(), &["add", "-A"]);
    let args = ["-c", "user.name=Test", "-c", "user.email=test@example.com", "-c", "commit.gpgsign=false"];
    run(repo, Path::new("git"), &[&args[..], &["commit", "-qm", message]].concat())
}

fn text(out: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

fn commits(repo: &Repo) -> usize {
    let out = Command::new("git").args(["rev-list", "--count", "HEAD"]).current_dir(repo.path()).output().expect("git");
    String::from_utf8_lossy(&out.stdout).trim().parse().unwrap_or(0)
}

fn edit(repo: &Repo, rel: &str, from: &str, to: &str) {
    let text = repo.read(rel);
    assert!(text.contains(from), "{rel} lacks {from:?}");
    repo.write(rel, text.replace(from, to));
}

#[test]
fn commits_go_through_rulesctl_check_and_fmt_by_reference() {
    let (shadow, rev) = shadow();
    let repo = Repo::base();
    git(repo.path(), &["init", "-q"]);
    repo.write(
        ".pre-commit-config.yaml",
        format!(
            "repos:\n  - repo: {}\n    rev: {rev}\n    hooks:\n      - id: rulesctl-check\n      - id: rulesctl-fmt\n",
            shadow.display()
        ),
    );
    let install = run(&repo, &pre_commit(), &["install", "--install-hooks"]);
    assert!(install.status.success(), "{}", text(&install));

    // The first commit: HEAD has no commit yet, so there is no version to compare with.
    edit(&repo, "rules/caves.hcl", "cooldown_ms    = 8000", "cooldown_ms    = 3000");
    let bad = commit(&repo, "first, bad");
    assert!(!bad.status.success(), "a bad rule stops the first commit:\n{}", text(&bad));
    assert!(text(&bad).contains("error[X001]") && text(&bad).contains("rules/caves.hcl:5:20"), "{}", text(&bad));
    assert!(text(&bad).contains("warning[G003]") && text(&bad).contains("`HEAD` has no commit yet"), "{}", text(&bad));
    assert_eq!(commits(&repo), 0);
    edit(&repo, "rules/caves.hcl", "cooldown_ms    = 3000", "cooldown_ms    = 8000");
    let first = commit(&repo, "first");
    assert!(first.status.success(), "the first commit is checked without a base:\n{}", text(&first));
    assert_eq!(commits(&repo), 1);

    // A changed weight without a higher ruleset_version never commits.
    edit(&repo, "rules/loot.hcl", "weight = 5 ", "weight = 6 ");
    let unbumped = commit(&repo, "retune");
    assert!(!unbumped.status.success(), "a change without a bump is stopped:\n{}", text(&unbumped));
    assert!(
        text(&unbumped).contains("error[G001]") && text(&unbumped).contains("(loot_table/tier_3_drops)"),
        "{}",
        text(&unbumped)
    );
    assert_eq!(commits(&repo), 1);
    edit(&repo, "rules/ruleset.hcl", "v1.0.0", "v1.0.1");
    let bumped = commit(&repo, "retune, bumped");
    assert!(bumped.status.success(), "{}", text(&bumped));
    assert_eq!(commits(&repo), 2);

    // rulesctl-fmt rewrites a messy rule file; the framework fails the commit that changed it,
    // and the formatted file commits.
    let messy = format!("# tidied by rulesctl fmt\n{}", repo.read("rules/loot.hcl"))
        .replace("item \"gold_coin\"    {", "item \"gold_coin\"{")
        .replace("  item", "      item");
    repo.write("rules/loot.hcl", &messy);
    let reformatted = commit(&repo, "messy");
    assert!(!reformatted.status.success(), "the framework fails a hook that rewrote files:\n{}", text(&reformatted));
    assert_ne!(repo.read("rules/loot.hcl"), messy, "rulesctl fmt rewrote the file");
    let formatted = commit(&repo, "formatted");
    assert!(formatted.status.success(), "formatted files pass:\n{}", text(&formatted));
    assert_eq!(commits(&repo), 3);
}
