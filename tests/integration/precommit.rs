//! The pre-commit framework uses this repository's `.pre-commit-hooks.yaml` by reference.

use std::path::Path;
use std::process::{Command, Output};

use crate::support::{git, Repo};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// `pre-commit try-repo <this repository> HOOK ARGS` in `repo`, as a user would run it. The
/// framework builds rulesctl with `cargo install`; its target folder and release profile are
/// pointed at a cache under target/ so that costs one debug-speed build per machine.
fn try_repo(repo: &Repo, hook: &str, args: &[&str]) -> Output {
    let setup = Command::new("bash").arg(Path::new(ROOT).join("tests/python-env.sh")).output().expect("bash");
    assert!(setup.status.success(), "{}", String::from_utf8_lossy(&setup.stderr));
    let python = String::from_utf8_lossy(&setup.stdout).trim().to_string();
    let pre_commit = Path::new(&python).with_file_name("pre-commit");
    let target = Path::new(ROOT).join("target");
    Command::new(pre_commit)
        .args(["try-repo", ROOT, hook])
        .args(args)
        .current_dir(repo.path())
        .env("PRE_COMMIT_HOME", target.join("pre-commit-home"))
        .env("CARGO_TARGET_DIR", target.join("pre-commit-build"))
        .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "0")
        .env("CARGO_PROFILE_RELEASE_DEBUG", "false")
        .env("CARGO_PROFILE_RELEASE_LTO", "false")
        .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "256")
        .env("NO_COLOR", "1")
        .output()
        .expect("pre-commit")
}

fn text(out: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

#[test]
fn the_framework_runs_rulesctl_check_and_fmt_by_reference() {
    let repo = Repo::committed();

    repo.write(
        "rules/caves.hcl",
        repo.read("rules/caves.hcl").replace("cooldown_ms    = 8000", "cooldown_ms    = 3000"),
    );
    git(repo.path(), &["add", "."]);
    let bad = try_repo(&repo, "rulesctl-check", &[]);
    assert!(!bad.status.success(), "a bad staged rule fails the hook:\n{}", text(&bad));
    assert!(text(&bad).contains("error[X001]") && text(&bad).contains("rules/caves.hcl:5:20"), "{}", text(&bad));

    repo.write(
        "rules/caves.hcl",
        repo.read("rules/caves.hcl").replace("cooldown_ms    = 3000", "cooldown_ms    = 9000"),
    );
    git(repo.path(), &["add", "."]);
    let good = try_repo(&repo, "rulesctl-check", &[]);
    assert!(good.status.success(), "a good one passes:\n{}", text(&good));

    let messy = repo
        .read("rules/loot.hcl")
        .replace("item \"gold_coin\"    {", "item \"gold_coin\"{")
        .replace("  item", "      item");
    repo.write("rules/loot.hcl", &messy);
    git(repo.path(), &["add", "."]);
    let fmt = try_repo(&repo, "rulesctl-fmt", &["--files", "rules/loot.hcl"]);
    assert!(!fmt.status.success(), "the framework fails a hook that rewrote files:\n{}", text(&fmt));
    assert_ne!(repo.read("rules/loot.hcl"), messy, "rulesctl fmt rewrote the file");
    git(repo.path(), &["add", "."]);
    let again = try_repo(&repo, "rulesctl-fmt", &["--files", "rules/loot.hcl"]);
    assert!(again.status.success(), "formatted files pass:\n{}", text(&again));
}
