//! Git-native: staged checks, the version-bump guard, and the pre-commit hook in real repositories.

use std::path::Path;
use std::process::Command;

use crate::support::{git, Repo, Run};

fn edit(repo: &Repo, rel: &str, from: &str, to: &str) {
    let text = repo.read(rel);
    assert!(text.contains(from), "{rel} lacks {from:?}");
    repo.write(rel, text.replace(from, to));
}

/// Pins the human and JSON output of `rulesctl ARGS` under `name`; returns the human run.
fn pin(name: &str, repo: &Repo, args: &[&str]) -> Run {
    crate::support::pin(name, repo, args).0
}

/// `git commit` with a PATH that has no rulesctl on it, so the hook uses its installed path.
fn commit(repo: &Repo, message: &str) -> std::process::Output {
    Command::new("git")
        .args(["-c", "user.name=Test", "-c", "user.email=test@example.com", "commit", "-qm", message])
        .current_dir(repo.path())
        .env("PATH", "/usr/bin:/bin")
        .env("NO_COLOR", "1")
        .output()
        .expect("git commit")
}

#[test]
fn staged_content_is_checked_not_the_working_tree() {
    let repo = Repo::committed();
    edit(&repo, "rules/caves.hcl", "cooldown_ms    = 8000", "cooldown_ms    = 3000");
    assert_eq!(repo.run(&["check", "--staged"]).code, 0, "nothing bad is staged yet");
    assert_eq!(repo.run(&["check"]).code, 1);
    git(repo.path(), &["add", "rules/caves.hcl"]);
    edit(&repo, "rules/caves.hcl", "cooldown_ms    = 3000", "cooldown_ms    = 8000");
    let staged = repo.run(&["check", "--staged", "--format", "json"]);
    assert_eq!(staged.code, 1, "the bad version is staged");
    assert_eq!(staged.codes(), ["X001"]);
    assert_eq!(staged.json()["diagnostics"][0]["file"], "rules/caves.hcl");
    assert_eq!(repo.run(&["check"]).code, 0, "the working tree is fine");
}

#[test]
fn staged_covers_the_project_file_and_new_files() {
    let repo = Repo::committed();
    repo.write("rulesctl.hcl", "policy \"spawn_config.base_rate\" {\n  max = 10\n}\n");
    repo.write("rules/extra.hcl", "spawn_confg {}\n");
    assert_eq!(repo.run(&["check", "--staged"]).code, 0, "untracked files are not staged");
    git(repo.path(), &["add", "."]);
    let codes = repo.run(&["check", "--staged", "--format", "json"]).codes();
    assert_eq!(codes, ["B002", "D002"]);
    // The misspelt block leaves the ruleset partial (cross-file checks stay quiet), so unstage it.
    git(repo.path(), &["rm", "-q", "--cached", "rules/loot.hcl", "rules/extra.hcl"]);
    let codes = repo.run(&["check", "--staged", "--format", "json"]).codes();
    assert!(codes.contains(&"X004".to_string()), "a file removed from the index is gone: {codes:?}");
}

#[test]
fn unmerged_index_entries_are_a_clear_error() {
    let repo = Repo::committed();
    git(repo.path(), &["checkout", "-qb", "other"]);
    edit(&repo, "rules/caves.hcl", "cooldown_ms    = 8000", "cooldown_ms    = 9000");
    git(repo.path(), &["commit", "-qam", "other"]);
    git(repo.path(), &["checkout", "-q", "-"]);
    edit(&repo, "rules/caves.hcl", "cooldown_ms    = 8000", "cooldown_ms    = 7000");
    git(repo.path(), &["commit", "-qam", "main"]);
    let merge =
        Command::new("git").args(["merge", "-q", "other"]).current_dir(repo.path()).output().expect("git merge");
    assert!(!merge.status.success(), "the merge conflicts");
    let run = repo.run(&["check", "--staged"]);
    assert_eq!(run.code, 2);
    assert!(run.stdout.is_empty());
    assert!(run.stderr.contains("unmerged entries (rules/caves.hcl)"), "{}", run.stderr);
}

#[test]
fn a_changed_ruleset_needs_a_higher_version() {
    let repo = Repo::committed();
    edit(&repo, "rules/caves.hcl", "cooldown_ms    = 8000", "cooldown_ms    = 9000");
    let run = pin("G001-version-not-bumped", &repo, &["check", "--base", "HEAD"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stdout.contains("(spawn_config/crystal_caves)") && run.stdout.contains("HEAD:rules/ruleset.hcl:1:19"),
        "{}",
        run.stdout
    );
    edit(&repo, "rules/ruleset.hcl", "v1.0.0", "v1.0.1");
    assert_eq!(repo.run(&["check", "--base", "HEAD"]).code, 0, "bumped");
    edit(&repo, "rules/ruleset.hcl", "v1.0.1", "v1.0.0-rc.1");
    let run = repo.run(&["check", "--base", "HEAD", "--format", "json"]);
    assert_eq!(run.codes(), ["G002"], "a pre-release of the same version is lower");
}

#[test]
fn a_lowered_version_is_refused_even_without_changes() {
    let repo = Repo::committed();
    edit(&repo, "rules/ruleset.hcl", "v1.0.0", "v0.9.9");
    let run = pin("G002-version-lowered", &repo, &["check", "--base", "HEAD"]);
    assert_eq!(run.code, 1);
}

#[test]
fn comments_and_layout_are_not_changes() {
    let repo = Repo::committed();
    repo.write(
        "rules/caves.hcl",
        format!("# retuned later\n\n{}", repo.read("rules/caves.hcl").replace("base_rate      = 12", "base_rate = 12")),
    );
    assert_eq!(repo.run(&["check", "--base", "HEAD"]).code, 0);
}

#[test]
fn base_combines_with_staged_and_unknown_revisions_exit_2() {
    let repo = Repo::committed();
    edit(&repo, "rules/caves.hcl", "cooldown_ms    = 8000", "cooldown_ms    = 9000");
    assert_eq!(repo.run(&["check", "--staged", "--base", "HEAD"]).code, 0, "the change is not staged");
    git(repo.path(), &["add", "."]);
    assert_eq!(repo.run(&["check", "--staged", "--base", "HEAD", "--format", "json"]).codes(), ["G001"]);
    let unknown = repo.run(&["check", "--base", "no-such-branch"]);
    assert_eq!(unknown.code, 2);
    assert!(unknown.stderr.contains("unknown revision `no-such-branch`"), "{}", unknown.stderr);
}

#[test]
fn a_base_without_valid_rules_is_a_warning() {
    let repo = Repo::base();
    git(repo.path(), &["init", "-q"]);
    repo.write("README.md", "rules come next\n");
    git(repo.path(), &["add", "README.md"]);
    git(repo.path(), &["commit", "-qm", "first"]);
    let run = pin("G003-base-not-comparable", &repo, &["check", "--base", "HEAD"]);
    assert_eq!(run.code, 0);
}

fn hook_text(dir: &Path) -> String {
    std::fs::read_to_string(dir.join("pre-commit")).unwrap_or_default()
}

#[test]
fn installed_hook_stops_a_bad_commit_and_lets_a_good_one_through() {
    let repo = Repo::committed();
    let install = repo.run(&["hooks", "install"]);
    assert_eq!(install.code, 0, "{}{}", install.stdout, install.stderr);
    let hooks = repo.path().join(".git/hooks");
    let first = hook_text(&hooks);
    assert!(first.contains("rulesctl-hook"));
    let again = repo.run(&["hooks", "install"]);
    assert!(again.stdout.contains("nothing changed"));
    assert_eq!(hook_text(&hooks), first, "installing twice changes nothing");

    edit(&repo, "rules/caves.hcl", "cooldown_ms    = 8000", "cooldown_ms    = 3000");
    git(repo.path(), &["add", "."]);
    let bad = commit(&repo, "bad");
    assert!(!bad.status.success(), "the hook stops the commit");
    // git passes a hook's output on through its own stderr.
    let output = format!("{}{}", String::from_utf8_lossy(&bad.stdout), String::from_utf8_lossy(&bad.stderr));
    assert!(output.contains("error[X001]") && output.contains("rules/caves.hcl:5:20"), "{output}");
    edit(&repo, "rules/caves.hcl", "cooldown_ms    = 3000", "cooldown_ms    = 9000");
    edit(&repo, "rules/ruleset.hcl", "v1.0.0", "v1.0.1");
    git(repo.path(), &["add", "."]);
    let good = commit(&repo, "good");
    assert!(good.status.success(), "{}", String::from_utf8_lossy(&good.stderr));
}

fn output(out: &std::process::Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

fn head(repo: &Repo) -> String {
    git(repo.path(), &["rev-parse", "HEAD"]).trim().to_string()
}

#[test]
fn the_hook_stops_a_rule_change_without_a_version_bump() {
    let repo = Repo::committed();
    assert_eq!(repo.run(&["hooks", "install"]).code, 0);
    let before = head(&repo);

    edit(&repo, "rules/loot.hcl", "weight = 5 ", "weight = 6 ");
    git(repo.path(), &["add", "."]);
    let unbumped = commit(&repo, "retune");
    assert!(!unbumped.status.success(), "a changed weight without a bump never commits");
    let text = output(&unbumped);
    assert!(text.contains("error[G001]") && text.contains("(loot_table/tier_3_drops)"), "{text}");
    assert!(text.contains("HEAD:rules/ruleset.hcl:1:19"), "the base's version is shown: {text}");
    assert_eq!(head(&repo), before, "nothing was committed");

    // Only what is staged counts: a bump left in the working tree does not help.
    edit(&repo, "rules/ruleset.hcl", "v1.0.0", "v1.0.1");
    assert!(!commit(&repo, "bump not staged").status.success());
    git(repo.path(), &["add", "."]);
    let bumped = commit(&repo, "retune, bumped");
    assert!(bumped.status.success(), "{}", output(&bumped));
    assert_ne!(head(&repo), before);

    // A comment is not a change to the ruleset: no bump needed.
    repo.write("rules/loot.hcl", format!("# tuned on Tuesday\n{}", repo.read("rules/loot.hcl")));
    git(repo.path(), &["add", "."]);
    let comment = commit(&repo, "comment");
    assert!(comment.status.success(), "{}", output(&comment));
}

#[test]
fn the_first_commit_is_checked_without_a_base() {
    let repo = Repo::base();
    git(repo.path(), &["init", "-q"]);
    let install = repo.run(&["hooks", "install"]);
    assert_eq!(install.code, 0, "installing before the first commit works: {}{}", install.stdout, install.stderr);

    edit(&repo, "rules/caves.hcl", "cooldown_ms    = 8000", "cooldown_ms    = 3000");
    git(repo.path(), &["add", "."]);
    let bad = commit(&repo, "first, bad");
    assert!(!bad.status.success(), "the rest is still checked on the first commit");
    assert!(output(&bad).contains("error[X001]"), "{}", output(&bad));

    edit(&repo, "rules/caves.hcl", "cooldown_ms    = 3000", "cooldown_ms    = 8000");
    git(repo.path(), &["add", "."]);
    let first = commit(&repo, "first");
    assert!(first.status.success(), "{}", output(&first));
    let text = output(&first);
    assert!(
        text.contains("warning[G003]") && text.contains("`HEAD` has no commit yet (this is the first commit)"),
        "the first commit says why the bump is not judged: {text}"
    );

    // From the second commit on, HEAD is a real base.
    edit(&repo, "rules/caves.hcl", "cooldown_ms    = 8000", "cooldown_ms    = 9000");
    git(repo.path(), &["add", "."]);
    let second = commit(&repo, "second");
    assert!(!second.status.success() && output(&second).contains("error[G001]"), "{}", output(&second));
}

#[test]
fn base_head_is_skipped_only_before_the_first_commit() {
    let repo = Repo::base();
    git(repo.path(), &["init", "-q"]);
    git(repo.path(), &["add", "."]);
    let unborn = repo.run(&["check", "--staged", "--base", "HEAD", "--format", "json"]);
    assert_eq!((unborn.code, unborn.codes()), (0, vec!["G003".to_string()]), "{}", unborn.stdout);
    let other = repo.run(&["check", "--staged", "--base", "main"]);
    assert_eq!(other.code, 2, "only HEAD is let through unborn; any other name must exist");
    assert!(other.stderr.contains("unknown revision `main`"), "{}", other.stderr);
    git(repo.path(), &["commit", "-qm", "first"]);
    let born = repo.run(&["check", "--staged", "--base", "HEAD", "--format", "json"]);
    assert_eq!((born.code, born.codes()), (0, Vec::<String>::new()), "a real HEAD is compared: {}", born.stdout);

    // An orphan branch starts a new history: nothing to compare with there either.
    git(repo.path(), &["checkout", "-q", "--orphan", "fresh"]);
    let orphan = repo.run(&["check", "--staged", "--base", "HEAD", "--format", "json"]);
    assert_eq!(orphan.codes(), ["G003"], "{}", orphan.stdout);
}

#[test]
fn hooks_status_says_what_the_hook_checks() {
    let repo = Repo::committed();
    assert!(!repo.run(&["hooks", "status"]).stdout.contains("checks:"), "nothing installed, nothing checked");
    assert_eq!(repo.run(&["hooks", "install"]).code, 0);
    let status = repo.run(&["hooks", "status"]);
    assert!(
        status.stdout.contains("checks: `rulesctl check --staged --base HEAD`: the staged rules, values and environments, and that a staged change to the ruleset has a higher ruleset_version than HEAD's"),
        "{}",
        status.stdout
    );
    // A hook written by an earlier rulesctl checked only the staged files.
    let hook = repo.path().join(".git/hooks/pre-commit");
    let old = hook_text(&repo.path().join(".git/hooks")).replace(" --base HEAD", "");
    std::fs::write(&hook, old).expect("write");
    let status = repo.run(&["hooks", "status"]);
    assert!(status.stdout.contains("from another rulesctl version or path"), "{}", status.stdout);
    assert!(
        status.stdout.contains("checks: `rulesctl check --staged`: the staged files only; a changed ruleset without a version bump is not stopped"),
        "{}",
        status.stdout
    );
    assert_eq!(repo.run(&["hooks", "install"]).code, 0, "install updates it");
    assert!(repo.run(&["hooks", "status"]).stdout.contains("--base HEAD"));
}

#[test]
fn hooks_path_relative_and_absolute_is_honoured() {
    let repo = Repo::committed();
    git(repo.path(), &["config", "core.hooksPath", ".githooks"]);
    assert_eq!(repo.run(&["hooks", "install"]).code, 0);
    assert!(hook_text(&repo.path().join(".githooks")).contains("rulesctl-hook"));
    assert!(!repo.path().join(".git/hooks/pre-commit").exists());
    assert!(repo.run(&["hooks", "status"]).stdout.contains("(core.hooksPath)"));

    let elsewhere = tempfile::tempdir().expect("tempdir");
    git(repo.path(), &["config", "core.hooksPath", &elsewhere.path().to_string_lossy()]);
    assert_eq!(repo.run(&["hooks", "install"]).code, 0);
    assert!(hook_text(elsewhere.path()).contains("rulesctl-hook"));
    edit(&repo, "rules/caves.hcl", "cooldown_ms    = 8000", "cooldown_ms    = 3000");
    git(repo.path(), &["add", "."]);
    assert!(!commit(&repo, "bad").status.success(), "git runs the hook from core.hooksPath");
}

#[test]
fn linked_worktrees_share_the_common_hooks_folder() {
    let repo = Repo::committed();
    let tree = tempfile::tempdir().expect("tempdir");
    let linked = tree.path().join("linked");
    git(repo.path(), &["worktree", "add", "-q", &linked.to_string_lossy()]);
    let run = crate::support::run_at(&linked, &["hooks", "install"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(hook_text(&repo.path().join(".git/hooks")).contains("rulesctl-hook"), "installed in the common folder");
    std::fs::write(
        linked.join("rules/caves.hcl"),
        repo.read("rules/caves.hcl").replace("cooldown_ms    = 8000", "cooldown_ms    = 3000"),
    )
    .expect("write");
    git(&linked, &["add", "."]);
    let out = Command::new("git")
        .args(["-c", "user.name=T", "-c", "user.email=t@e", "commit", "-qm", "bad"])
        .current_dir(&linked)
        .env("PATH", "/usr/bin:/bin")
        .output()
        .expect("git");
    assert!(!out.status.success(), "the hook runs for the linked worktree too");
}

#[test]
fn a_foreign_hook_is_never_destroyed() {
    let repo = Repo::committed();
    let hooks = repo.path().join(".git/hooks");
    let foreign = "#!/bin/sh\necho foreign hook ran\nexit 0\n";
    std::fs::write(hooks.join("pre-commit"), foreign).expect("write");
    set_executable(&hooks.join("pre-commit"));
    let refused = repo.run(&["hooks", "install"]);
    assert_eq!(refused.code, 1);
    assert!(refused.stdout.contains("--chain"), "{}", refused.stdout);
    assert_eq!(hook_text(&hooks), foreign);
    assert_eq!(repo.run(&["hooks", "uninstall"]).code, 1, "uninstall leaves a foreign hook alone");
    assert_eq!(hook_text(&hooks), foreign);

    assert_eq!(repo.run(&["hooks", "install", "--chain"]).code, 0);
    assert!(repo.run(&["hooks", "status"]).stdout.contains("runs first"));
    repo.write("rules/note.hcl", "# a comment\n");
    git(repo.path(), &["add", "."]);
    let ok = commit(&repo, "ok");
    assert!(ok.status.success());
    let output = format!("{}{}", String::from_utf8_lossy(&ok.stdout), String::from_utf8_lossy(&ok.stderr));
    assert!(output.contains("foreign hook ran"), "the chained hook ran first: {output}");

    std::fs::write(hooks.join("pre-commit.rulesctl-chained"), "#!/bin/sh\necho foreign says no >&2\nexit 3\n")
        .expect("write");
    repo.write("rules/note.hcl", "# another comment\n");
    git(repo.path(), &["add", "."]);
    let stopped = commit(&repo, "stopped");
    assert!(!stopped.status.success(), "a failing chained hook stops the commit");
    assert!(String::from_utf8_lossy(&stopped.stderr).contains("foreign says no"));

    assert_eq!(repo.run(&["hooks", "uninstall"]).code, 0);
    assert!(hook_text(&hooks).contains("foreign says no"), "uninstall restores the chained hook");
    assert!(!hooks.join("pre-commit.rulesctl-chained").exists());
}

#[cfg(unix)]
fn set_executable(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
}

#[cfg(unix)]
#[test]
fn a_missing_rulesctl_fails_the_commit_clearly() {
    let repo = Repo::committed();
    let bin = tempfile::tempdir().expect("tempdir");
    let copy = bin.path().join("rulesctl");
    std::fs::copy(env!("CARGO_BIN_EXE_rulesctl"), &copy).expect("copy binary");
    // A binary written a moment ago can still be open for writing in a process another test
    // forked meanwhile (ETXTBSY); running it again shortly after is the usual cure.
    let out = (0..50)
        .find_map(|_| match Command::new(&copy).args(["hooks", "install"]).current_dir(repo.path()).output() {
            Err(e) if e.raw_os_error() == Some(26) => {
                std::thread::sleep(std::time::Duration::from_millis(100));
                None
            }
            other => Some(other.expect("install")),
        })
        .expect("the copied binary became runnable");
    assert!(out.status.success());
    drop(bin);
    repo.write("rules/note.hcl", "# a comment\n");
    git(repo.path(), &["add", "."]);
    let failed = commit(&repo, "no rulesctl");
    assert!(!failed.status.success());
    assert!(
        String::from_utf8_lossy(&failed.stderr).contains("rulesctl is not on PATH"),
        "{}",
        String::from_utf8_lossy(&failed.stderr)
    );
}

#[test]
fn hooks_outside_a_git_repository_is_exit_2() {
    let run = Repo::base().run(&["hooks", "install"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("not inside a git repository"), "{}", run.stderr);
}

/// `--base` skips the base when git's blob ids say the rule files and the project file are the
/// same; every way they can differ must still be seen: modified, untracked or ignored in the
/// working tree, staged, a project file that moves the rules, and a base whose rules differ
/// only where the current tree has none.
#[test]
fn a_changed_rule_file_is_seen_however_it_differs_from_the_base() {
    let bump = |repo: &Repo| repo.run(&["check", "--base", "HEAD", "--format", "json"]).codes();
    let staged = |repo: &Repo| repo.run(&["check", "--staged", "--base", "HEAD", "--format", "json"]).codes();
    let change = ("cooldown_ms    = 8000", "cooldown_ms    = 9000");

    let repo = Repo::committed();
    assert_eq!((bump(&repo), staged(&repo)), (vec![], vec![]), "unchanged");
    // Only an unrelated file changes: still no bump needed, working tree or index.
    repo.write("notes.md", "hello\n");
    git(repo.path(), &["add", "notes.md"]);
    assert_eq!((bump(&repo), staged(&repo)), (vec![], vec![]));
    // Modified in the working tree only.
    edit(&repo, "rules/caves.hcl", change.0, change.1);
    assert_eq!((bump(&repo), staged(&repo)), (vec!["G001".to_string()], vec![]), "modified");
    // Staged.
    git(repo.path(), &["add", "rules/caves.hcl"]);
    assert_eq!((bump(&repo), staged(&repo)), (vec!["G001".to_string()], vec!["G001".to_string()]), "staged");

    // A new rule file, untracked.
    let repo = Repo::committed();
    repo.write("rules/more.hcl", "loot_table \"spare\" {\n  item \"rock\" { weight = 1 }\n}\n");
    assert!(bump(&repo).contains(&"G001".to_string()), "untracked: {:?}", bump(&repo));
    // The same file, ignored by git but read by rulesctl.
    repo.write(".gitignore", "rules/more.hcl\n");
    assert!(bump(&repo).contains(&"G001".to_string()), "ignored: {:?}", bump(&repo));

    // The project file points the rules elsewhere: a different ruleset.
    let repo = Repo::committed();
    std::fs::create_dir_all(repo.path().join("other")).expect("mkdir");
    for file in ["ruleset.hcl", "caves.hcl", "loot.hcl"] {
        repo.write(&format!("other/{file}"), repo.read(&format!("rules/{file}")));
    }
    edit(&repo, "other/caves.hcl", change.0, change.1);
    repo.write("rulesctl.hcl", "paths {\n  rules = \"other\"\n}\n");
    assert_eq!(bump(&repo), ["G001"]);
}

/// The files of `.git/rulesctl/base/`, the summaries `--base` keeps (see `pipeline::base`).
fn kept(repo: &Repo) -> Vec<std::path::PathBuf> {
    let dir = repo.path().join(".git/rulesctl/base");
    let mut files: Vec<_> =
        std::fs::read_dir(&dir).map(|d| d.flatten().map(|e| e.path()).collect()).unwrap_or_default();
    files.sort();
    files
}

/// The hook keeps what the next commit's `--base HEAD` needs of this one (version, digest,
/// section leaves) under git's folder, and a later run reads it instead of compiling the base.
/// The output is the same with the summary, without it, or with a corrupt one; a summary that
/// says something else is believed, which is how this test sees that it is read at all.
#[test]
fn the_base_is_read_from_the_summary_the_previous_hook_kept() {
    let repo = Repo::committed();
    let hook = |repo: &Repo| repo.run(&["check", "--staged", "--base", "HEAD", "--format", "json"]);
    let human = |repo: &Repo| repo.run(&["check", "--staged", "--base", "HEAD"]);
    assert_eq!(hook(&repo).code, 0);
    let kept_then = kept(&repo);
    assert_eq!(kept_then.len(), 1, "the clean index's summary is kept: {kept_then:?}");

    edit(&repo, "rules/caves.hcl", "cooldown_ms    = 8000", "cooldown_ms    = 9000");
    git(repo.path(), &["add", "rules/caves.hcl"]);
    let (json, text) = (hook(&repo), human(&repo));
    assert_eq!(json.codes(), ["G001"]);
    // The one section that changed, found from the kept leaves.
    assert!(json.stdout.contains("changed since `HEAD` (spawn_config/crystal_caves) but"), "{}", json.stdout);
    assert!(text.stdout.contains("HEAD:rules/ruleset.hcl"), "{}", text.stdout);
    assert_eq!(kept(&repo), kept_then, "a run with an error keeps nothing of its own");

    // Without the summary the base is compiled (and its summary kept): the same findings.
    std::fs::remove_dir_all(repo.path().join(".git/rulesctl")).expect("remove the store");
    assert_eq!((hook(&repo).stdout, human(&repo).stdout), (json.stdout.clone(), text.stdout.clone()));
    assert_eq!(kept(&repo), kept_then, "the same key for the same rules");

    // A corrupt summary is a miss, never an error, and is replaced by a good one: cut anywhere,
    // in its head or in its leaves.
    let good = std::fs::read(&kept_then[0]).expect("read");
    for cut in [20, good.len() / 2, good.len() - 1] {
        std::fs::write(&kept_then[0], &good[..cut]).expect("corrupt");
        assert_eq!((hook(&repo).stdout, human(&repo).stdout), (json.stdout.clone(), text.stdout.clone()));
        assert_eq!(std::fs::read(&kept_then[0]).expect("read"), good, "cut at {cut}: not replaced");
    }
    // Its format line, its head as a line of JSON, then the leaves.
    let (format, rest) = good.split_at(good.iter().position(|b| *b == b'\n').expect("a format line") + 1);
    assert_eq!(format, b"rulesctl-base/2\n");
    let (head, leaves) = rest.split_at(rest.iter().position(|b| *b == b'\n').expect("a head line") + 1);
    let mut summary: serde_json::Value = serde_json::from_slice(head).expect("the head is JSON");
    assert_eq!(summary["version"], "v1.0.0");

    // A summary that claims an older version at the base is believed: it is what was read.
    summary["version"] = serde_json::json!("v0.9.0");
    let edited = [format, summary.to_string().as_bytes(), b"\n", leaves].concat();
    std::fs::write(&kept_then[0], edited).expect("write");
    assert_eq!(hook(&repo).codes(), Vec::<String>::new(), "the kept summary was not read");

    // Once the commit is made with a higher version, its own summary is kept for the next one.
    std::fs::remove_dir_all(repo.path().join(".git/rulesctl")).expect("remove the store");
    edit(&repo, "rules/ruleset.hcl", "\"v1.0.0\"", "\"v1.1.0\"");
    git(repo.path(), &["add", "rules/ruleset.hcl"]);
    assert_eq!(hook(&repo).code, 0);
    assert_eq!(kept(&repo).len(), 2, "the base's and the index's summaries");
}

/// The sizes of the blobs a staged run read: `.git/rulesctl/sizes/blobs`, as (blob id, size)
/// from its format (`source::sizes`).
fn sizes_kept(repo: &Repo) -> std::collections::BTreeMap<String, u64> {
    let bytes = std::fs::read(repo.path().join(".git/rulesctl/sizes/blobs")).unwrap_or_default();
    let mut rest = bytes.strip_prefix(b"rulesctl-sizes/1\n".as_slice()).unwrap_or_default();
    let mut sizes = std::collections::BTreeMap::new();
    while let Some((&len, after)) = rest.split_first() {
        let (id, after) = after.split_at(usize::from(len));
        let (size, after) = after.split_at(8);
        let hex: String = id.iter().map(|b| format!("{b:02x}")).collect();
        sizes.insert(hex, u64::from_le_bytes(size.try_into().expect("eight bytes")));
        rest = after;
    }
    sizes
}

fn set_size_kept(repo: &Repo, blob: &str, size: u64) {
    let path = repo.path().join(".git/rulesctl/sizes/blobs");
    let mut bytes = std::fs::read(&path).expect("the sizes are kept");
    let id: Vec<u8> =
        (0..blob.len()).step_by(2).map(|i| u8::from_str_radix(&blob[i..i + 2], 16).expect("hex")).collect();
    let at = bytes.windows(id.len()).position(|w| w == id.as_slice()).expect("the blob is kept") + id.len();
    bytes[at..at + 8].copy_from_slice(&size.to_le_bytes());
    std::fs::write(&path, bytes).expect("write");
}

/// A staged run keeps the size git's object header gave for every blob it read, and the next
/// run takes the size from there instead of asking git (for a packed blob, libgit2 walks the
/// whole delta chain to answer). What was read still decides: a kept size can only refuse.
#[test]
fn a_staged_run_keeps_blob_sizes_and_the_next_one_uses_them() {
    let repo = Repo::committed();
    let staged = |repo: &Repo| repo.run(&["check", "--staged", "--format", "json"]);
    assert_eq!(staged(&repo).code, 0);
    let blob = |rel: &str| crate::support::git(repo.path(), &["rev-parse", &format!(":{rel}")]).trim().to_string();
    let caves = blob("rules/caves.hcl");
    let kept = sizes_kept(&repo);
    assert_eq!(kept.get(&caves), Some(&(repo.read("rules/caves.hcl").len() as u64)), "{kept:?}");
    assert!(kept.contains_key(&blob("rules/ruleset.hcl")), "{kept:?}");

    // A few new blobs are asked of git without writing the sizes again; many are kept.
    edit(&repo, "rules/caves.hcl", "cooldown_ms    = 8000", "cooldown_ms    = 9000");
    git(repo.path(), &["add", "rules/caves.hcl"]);
    assert_eq!(staged(&repo).code, 0);
    assert_eq!(sizes_kept(&repo), kept, "one new blob rewrote the sizes");
    for i in 0..64 {
        repo.write(&format!("rules/extra_{i}.hcl"), format!("# {i}\n"));
    }
    git(repo.path(), &["add", "rules"]);
    assert_eq!(staged(&repo).code, 0);
    let (before, kept) = (caves, sizes_kept(&repo));
    let caves = blob("rules/caves.hcl");
    for id in [&blob("rules/extra_7.hcl"), &caves, &before] {
        assert!(kept.contains_key(id), "{id} is not kept: {kept:?}");
    }

    // A kept size over the limit is believed: git was not asked.
    set_size_kept(&repo, &caves, 64 << 20);
    let run = staged(&repo);
    assert_eq!(run.codes(), ["L004"], "the kept size was not used: {}", run.stdout);
    assert!(run.stdout.contains("67108864 bytes"), "{}", run.stdout);

    // A kept size under the limit is not: the blob as read is over it.
    repo.write("rulesctl.hcl", "limits {\n  max_file_bytes = 100\n}\n");
    crate::support::git(repo.path(), &["add", "rulesctl.hcl"]);
    set_size_kept(&repo, &caves, 10);
    let run = staged(&repo);
    assert!(run.codes().contains(&"L004".to_string()), "{}", run.stdout);
    assert!(run.stdout.contains(&format!("is {} bytes", repo.read("rules/caves.hcl").len())), "{}", run.stdout);
}

/// A rule file that is a symbolic link has the link's target as its blob in git, not the
/// content a read finds: two trees with the same links may hold different rules, so `--base`
/// compares them by content (and keeps no summary under a link's identity).
#[cfg(unix)]
#[test]
fn a_linked_rule_file_is_compared_by_what_it_points_to() {
    let repo = Repo::committed();
    std::fs::create_dir_all(repo.path().join("shared")).expect("mkdir");
    std::fs::rename(repo.path().join("rules/caves.hcl"), repo.path().join("shared/caves.hcl")).expect("move");
    std::os::unix::fs::symlink("../shared/caves.hcl", repo.path().join("rules/caves.hcl")).expect("link");
    git(repo.path(), &["add", "-A"]);
    git(repo.path(), &["commit", "-qm", "link"]);
    assert_eq!(repo.run(&["check", "--staged", "--base", "HEAD", "--format", "json"]).codes(), Vec::<String>::new());

    edit(&repo, "shared/caves.hcl", "cooldown_ms    = 8000", "cooldown_ms    = 9000");
    git(repo.path(), &["add", "shared/caves.hcl"]);
    assert_eq!(repo.run(&["check", "--staged", "--base", "HEAD", "--format", "json"]).codes(), ["G001"], "staged");
    assert_eq!(repo.run(&["check", "--base", "HEAD", "--format", "json"]).codes(), ["G001"], "working tree");
}
