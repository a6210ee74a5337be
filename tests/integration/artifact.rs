//! `build`, `verify` and `diff`: canonical, immutable, atomically written artifacts.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::snapshot;
use crate::support::{git, run_env, Repo, Run};

const ARTIFACT: &str = "dist/ruleset-v1.0.0.json";

fn build(repo: &Repo) -> Run {
    let run = repo.run(&["build"]);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    run
}

fn bytes(repo: &Repo, rel: &str) -> Vec<u8> {
    std::fs::read(repo.path().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn digest(repo: &Repo) -> String {
    let run = repo.run(&["build", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    run.json()["digest"].as_str().unwrap_or_default().to_string()
}

/// Pins the human and JSON output of `rulesctl ARGS` under `name`; returns the human run.
fn pin(name: &str, repo: &Repo, args: &[&str]) -> Run {
    crate::support::pin(name, repo, args).0
}

fn temp_files(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.ends_with(".rulesctl-tmp"))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn build_writes_an_artifact_that_sha256sum_accepts() {
    let repo = Repo::base();
    let run = build(&repo);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(
        run.stdout.contains("wrote dist/ruleset-v1.0.0.json\nwrote dist/ruleset-v1.0.0.json.sha256\n"),
        "{}",
        run.stdout
    );
    let status = Command::new("sha256sum")
        .args(["-c", "ruleset-v1.0.0.json.sha256"])
        .current_dir(repo.path().join("dist"))
        .output()
        .expect("sha256sum");
    assert!(status.status.success(), "{}", String::from_utf8_lossy(&status.stdout));
    let verified = repo.run(&["verify", ARTIFACT]);
    assert_eq!(verified.code, 0, "{}", verified.stdout);
    assert!(verified.stdout.contains("verified dist/ruleset-v1.0.0.json: 5 sections"), "{}", verified.stdout);
}

#[test]
fn nothing_is_written_when_the_check_fails() {
    let repo = Repo::base();
    repo.write(
        "rules/caves.hcl",
        repo.read("rules/caves.hcl").replace("cooldown_ms    = 8000", "cooldown_ms    = 3000"),
    );
    let run = build(&repo);
    assert_eq!(run.code, 1);
    assert!(!repo.path().join("dist").exists(), "dist/ must not be created");
}

#[test]
fn same_bytes_whatever_the_time_zone_locale_directory_or_file_order() {
    let order = ["rules/loot.hcl", "rules/caves.hcl", "rules/ruleset.hcl"];
    let forward = Repo::base();
    let backward = Repo::empty();
    for rel in order.iter().rev() {
        backward.write(rel, forward.read(rel));
    }
    let a = run_env(forward.path(), &["build"], &[("TZ", "UTC"), ("LANG", "C"), ("LC_ALL", "C")]);
    let b = run_env(
        &backward.path().join("rules"),
        &["build"],
        &[("TZ", "Asia/Kolkata"), ("LANG", "de_DE.UTF-8"), ("LC_ALL", "tr_TR.UTF-8")],
    );
    assert_eq!((a.code, b.code), (0, 0), "{}{}", a.stdout, b.stdout);
    assert_eq!(bytes(&forward, ARTIFACT), bytes(&backward, ARTIFACT));
    assert_eq!(bytes(&forward, "dist/ruleset-v1.0.0.json.sha256"), bytes(&backward, "dist/ruleset-v1.0.0.json.sha256"));
}

#[test]
fn comments_and_layout_never_change_the_digest() {
    let repo = Repo::base();
    let before = digest(&repo);
    let caves = repo.read("rules/caves.hcl");
    let reformatted = format!(
        "# a comment\n\n{}\n// another\n",
        caves.replace("base_rate      = 12", "base_rate = 12 # inline").replace("  ", "      ").replace('\n', "\n\n")
    );
    repo.write("rules/caves.hcl", reformatted);
    std::fs::remove_dir_all(repo.path().join("dist")).expect("clean dist");
    assert_eq!(digest(&repo), before);
}

#[test]
fn a_changed_ruleset_needs_a_new_version() {
    let repo = Repo::base();
    assert_eq!(build(&repo).code, 0);
    let original = bytes(&repo, ARTIFACT);
    repo.write(
        "rules/caves.hcl",
        repo.read("rules/caves.hcl").replace("cooldown_ms    = 8000", "cooldown_ms    = 9000"),
    );
    let refused = pin("A001-artifact-version-exists", &repo, &["build"]);
    assert_eq!(refused.code, 1);
    assert!(
        refused.stdout.contains("error[A001]") && refused.stdout.contains("rules/ruleset.hcl:1:19"),
        "{}",
        refused.stdout
    );
    assert_eq!(bytes(&repo, ARTIFACT), original, "the existing artifact is untouched");
    repo.write("rules/ruleset.hcl", repo.read("rules/ruleset.hcl").replace("v1.0.0", "v1.0.1"));
    assert_eq!(build(&repo).code, 0);
    assert_eq!(bytes(&repo, ARTIFACT), original, "the old version stays as it was");
    assert_eq!(repo.run(&["verify", "dist/ruleset-v1.0.1.json"]).code, 0);
}

#[test]
fn an_unchanged_rebuild_touches_nothing() {
    let repo = Repo::base();
    assert_eq!(build(&repo).code, 0);
    let mtime = |rel: &str| std::fs::metadata(repo.path().join(rel)).and_then(|m| m.modified()).expect("mtime");
    let (a, s) = (mtime(ARTIFACT), mtime("dist/ruleset-v1.0.0.json.sha256"));
    std::thread::sleep(Duration::from_millis(20));
    let run = build(&repo);
    assert_eq!(run.code, 0);
    assert!(
        run.stdout.contains("unchanged dist/ruleset-v1.0.0.json\nunchanged dist/ruleset-v1.0.0.json.sha256"),
        "{}",
        run.stdout
    );
    assert_eq!((mtime(ARTIFACT), mtime("dist/ruleset-v1.0.0.json.sha256")), (a, s));
}

#[test]
fn a_missing_checksum_file_is_restored_without_touching_the_artifact() {
    let repo = Repo::base();
    assert_eq!(build(&repo).code, 0);
    let sums = bytes(&repo, "dist/ruleset-v1.0.0.json.sha256");
    std::fs::remove_file(repo.path().join("dist/ruleset-v1.0.0.json.sha256")).expect("rm");
    let run = build(&repo);
    assert!(
        run.stdout.contains("unchanged dist/ruleset-v1.0.0.json\nwrote dist/ruleset-v1.0.0.json.sha256"),
        "{}",
        run.stdout
    );
    assert_eq!(bytes(&repo, "dist/ruleset-v1.0.0.json.sha256"), sums);
}

/// Changing any byte of the artifact fails verification: everywhere when the .sha256 file is
/// there, and everywhere outside provenance (which the digest deliberately leaves out) without it.
#[test]
fn verify_catches_a_one_byte_change() {
    let repo = Repo::base();
    assert_eq!(build(&repo).code, 0);
    let original = bytes(&repo, ARTIFACT);
    let text = String::from_utf8(original.clone()).expect("utf8");
    let provenance = text.find("\"provenance\"").expect("provenance")..text.find("\"ruleset\"").expect("ruleset");
    for with_checksum in [true, false] {
        if !with_checksum {
            std::fs::remove_file(repo.path().join("dist/ruleset-v1.0.0.json.sha256")).expect("rm");
        }
        for at in (0..original.len()).step_by(23) {
            if !with_checksum && provenance.contains(&at) {
                continue;
            }
            let mut changed = original.clone();
            changed[at] = if changed[at] == b'1' { b'2' } else { b'1' };
            std::fs::write(repo.path().join(ARTIFACT), &changed).expect("write");
            let run = repo.run(&["verify", ARTIFACT]);
            assert_eq!(
                run.code, 1,
                "byte {at} ({:?}) changed, checksum file: {with_checksum}\n{}",
                original[at] as char, run.stdout
            );
        }
    }
}

#[test]
fn verify_names_what_does_not_match() {
    let repo = Repo::base();
    assert_eq!(build(&repo).code, 0);
    let original = repo.read(ARTIFACT);
    std::fs::remove_file(repo.path().join("dist/ruleset-v1.0.0.json.sha256")).expect("rm");

    repo.write(ARTIFACT, original.replace("\"base_rate\": 12", "\"base_rate\": 13"));
    let run = pin("V001-digest-mismatch", &repo, &["verify", ARTIFACT]);
    assert!(
        run.stdout.contains("error[V001]") && run.stdout.contains("section `spawn_config/crystal_caves` hashes to"),
        "{}",
        run.stdout
    );

    let leaf = original.find("\"hash\": \"sha256:").expect("leaf") + 17;
    let mut tampered = original.clone();
    tampered.replace_range(leaf..leaf + 1, if &original[leaf..=leaf] == "0" { "1" } else { "0" });
    repo.write(ARTIFACT, &tampered);
    let run = pin("V002-merkle-mismatch", &repo, &["verify", ARTIFACT]);
    assert!(run.stdout.contains("error[V002]") && !run.stdout.contains("V001"), "{}", run.stdout);

    repo.write(ARTIFACT, &original);
    repo.write("dist/ruleset-v1.0.0.json.sha256", format!("{}  ruleset-v1.0.0.json\n", "0".repeat(64)));
    let run = pin("V003-checksum-mismatch", &repo, &["verify", ARTIFACT]);
    assert_eq!(run.code, 1);
    assert!(run.stdout.contains("error[V003]"), "{}", run.stdout);

    repo.write("not-json.json", "{\"apiVersion\": \"rulesctl.dev/v1\",\n  oops\n}\n");
    let run = pin("V004-not-an-artifact", &repo, &["verify", "not-json.json"]);
    assert!(run.stdout.contains("not-json.json:2:3"), "{}", run.stdout);
    let reformatted =
        serde_json::to_string(&serde_json::from_str::<serde_json::Value>(&original).expect("json")).expect("json");
    repo.write(ARTIFACT, reformatted);
    let run = repo.run(&["verify", ARTIFACT]);
    assert!(run.stdout.contains("not in the canonical form"), "{}", run.stdout);

    let missing = repo.run(&["verify", "dist/nope.json"]);
    assert_eq!(missing.code, 2);
    assert!(missing.stderr.contains("dist/nope.json` does not exist"), "{}", missing.stderr);
}

#[test]
fn an_unwritable_dist_is_exit_2() {
    let repo = Repo::base();
    repo.write("dist", "a file where the dist folder goes");
    let run = pin("A002-write-failed", &repo, &["build"]);
    assert_eq!(run.code, 2, "{}", run.stdout);
}

/// Checks that an interrupted build left only whole files behind.
fn assert_not_torn(repo: &Repo, round: usize) {
    let artifact = repo.path().join(ARTIFACT);
    if artifact.exists() {
        let run = repo.run(&["verify", ARTIFACT]);
        assert_eq!(run.code, 0, "round {round}: torn or unverifiable artifact\n{}", run.stdout);
    }
}

#[cfg(unix)]
#[test]
fn killing_build_at_any_moment_never_leaves_a_torn_artifact() {
    let repo = Repo::base();
    let mut seed = 0x2545_f491_4f6c_dd1d_u64;
    for round in 0..60 {
        let _ = std::fs::remove_dir_all(repo.path().join("dist"));
        let mut child = Command::new(env!("CARGO_BIN_EXE_rulesctl"))
            .arg("build")
            .current_dir(repo.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn");
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        std::thread::sleep(Duration::from_micros(seed % 6000));
        let _ = child.kill();
        let _ = child.wait();
        assert_not_torn(&repo, round);
    }
    assert_eq!(build(&repo).code, 0);
    assert_not_torn(&repo, 60);
    assert!(
        temp_files(&repo.path().join("dist")).is_empty(),
        "the next build cleans up: {:?}",
        temp_files(&repo.path().join("dist"))
    );
}

#[test]
fn temp_files_of_killed_runs_are_cleaned_up() {
    let repo = Repo::base();
    repo.write("dist/.ruleset-v1.0.0.json.4194303.7.rulesctl-tmp", "{\"half\": ");
    assert_eq!(build(&repo).code, 0);
    assert!(temp_files(&repo.path().join("dist")).is_empty());
}

#[test]
fn eight_concurrent_builds_all_succeed() {
    let repo = Repo::base();
    let children: Vec<_> = (0..8)
        .map(|_| {
            Command::new(env!("CARGO_BIN_EXE_rulesctl"))
                .arg("build")
                .current_dir(repo.path())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawn")
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().expect("wait");
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert_eq!(repo.run(&["verify", ARTIFACT]).code, 0);
    assert!(temp_files(&repo.path().join("dist")).is_empty());
}

#[test]
fn diff_lists_changed_sections_and_fields() {
    let repo = Repo::base();
    assert_eq!(build(&repo).code, 0);
    repo.write("rules/ruleset.hcl", repo.read("rules/ruleset.hcl").replace("v1.0.0", "v1.1.0"));
    repo.write(
        "rules/caves.hcl",
        repo.read("rules/caves.hcl").replace("cooldown_ms    = 8000", "cooldown_ms    = 9000"),
    );
    repo.write(
        "rules/loot.hcl",
        repo.read("rules/loot.hcl") + "\nloot_table \"spare\" {\n  item \"rock\" { weight = 1 }\n}\n",
    );
    assert_eq!(build(&repo).code, 0);
    let run = repo.run(&["diff", ARTIFACT, "dist/ruleset-v1.1.0.json"]);
    assert_eq!(run.code, 0);
    snapshot!("diff-artifacts.human", run.stdout.clone());
    assert!(
        run.stdout.contains("+ loot_table/spare\n~ spawn_config/crystal_caves\n    cooldown_ms: 8000 → 9000\n"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("event_timers"), "unchanged sections are not listed");
    let json = repo.run(&["diff", ARTIFACT, "dist/ruleset-v1.1.0.json", "--format", "json"]).json();
    assert_eq!(
        json["sections"][0],
        serde_json::json!({"section": "loot_table/spare", "change": "added", "fields": [{"field": "items.rock.weight", "old": null, "new": 1}]})
    );
    assert_eq!(repo.run(&["diff", ARTIFACT, ARTIFACT, "--exit-code"]).code, 0);
    assert_eq!(repo.run(&["diff", ARTIFACT, "dist/ruleset-v1.1.0.json", "--exit-code"]).code, 1);
}

#[test]
fn diff_compiles_git_revisions() {
    let repo = Repo::committed();
    repo.write(
        "rules/caves.hcl",
        repo.read("rules/caves.hcl").replace("max_in_flight      = 32", "max_in_flight      = 64"),
    );
    git(repo.path(), &["commit", "-qam", "more in flight"]);
    let run = repo.run(&["diff", "HEAD~1", "HEAD"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("~ event_stream/crystal_caves\n    max_in_flight: 32 → 64\n1 changed, 0 added, 0 removed"),
        "{}",
        run.stdout
    );
    let unknown = repo.run(&["diff", "HEAD~5", "HEAD"]);
    assert_eq!(unknown.code, 2);
    assert!(unknown.stderr.contains("unknown revision `HEAD~5`"), "{}", unknown.stderr);
    repo.write(
        "rules/caves.hcl",
        repo.read("rules/caves.hcl").replace("max_in_flight      = 64", "max_in_flight      = 0"),
    );
    git(repo.path(), &["commit", "-qam", "broken"]);
    let broken = repo.run(&["diff", "HEAD~1", "HEAD", "--format", "json"]);
    assert_eq!(broken.code, 1);
    assert_eq!(broken.json()["diagnostics"][0]["file"], "HEAD:rules/caves.hcl");
}

#[test]
fn provenance_records_git_commit_and_dirtiness_without_touching_the_digest() {
    let repo = Repo::base();
    let outside = digest(&repo);
    let artifact: serde_json::Value = serde_json::from_slice(&bytes(&repo, ARTIFACT)).expect("json");
    assert!(artifact["provenance"].get("git").is_none(), "no git outside a repository");
    assert_eq!(artifact["provenance"]["sources"][0]["path"], "rules/caves.hcl");

    std::fs::remove_dir_all(repo.path().join("dist")).expect("rm");
    git(repo.path(), &["init", "-q"]);
    git(repo.path(), &["add", "."]);
    git(repo.path(), &["commit", "-qm", "base"]);
    let head = git(repo.path(), &["rev-parse", "HEAD"]).trim().to_string();
    assert_eq!(digest(&repo), outside);
    let artifact: serde_json::Value = serde_json::from_slice(&bytes(&repo, ARTIFACT)).expect("json");
    assert_eq!(artifact["provenance"]["git"], serde_json::json!({"commit": head, "dirty": false}));

    std::fs::remove_dir_all(repo.path().join("dist")).expect("rm");
    repo.write("rules/caves.hcl", format!("# uncommitted comment\n{}", repo.read("rules/caves.hcl")));
    assert_eq!(digest(&repo), outside);
    let artifact: serde_json::Value = serde_json::from_slice(&bytes(&repo, ARTIFACT)).expect("json");
    assert_eq!(artifact["provenance"]["git"]["dirty"], true);
}

/// The artifact of the bundled example, pinned byte for byte (built outside git, so provenance
/// holds no commit).
#[test]
fn golden_artifact_of_the_bundled_example() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let repo = Repo::empty();
    std::fs::copy(root.join("rulesctl.hcl"), repo.path().join("rulesctl.hcl")).expect("copy");
    std::fs::create_dir_all(repo.path().join("examples/rules")).expect("mkdir");
    crate::support::copy_tree(&root.join("examples/rules"), &repo.path().join("examples/rules"));
    std::fs::create_dir_all(repo.path().join("examples/chart")).expect("mkdir");
    crate::support::copy_tree(&root.join("examples/chart"), &repo.path().join("examples/chart"));
    let run = build(&repo);
    assert_eq!(run.code, 0, "{}", run.stdout);
    let artifact = repo.read("dist/ruleset-v2.4.1.json").replace(env!("CARGO_PKG_VERSION"), "[version]");
    snapshot!("golden-example-artifact", artifact);
    let sums = repo.read("dist/ruleset-v2.4.1.json.sha256");
    let (hex, name) = sums.trim_end().split_once("  ").expect("`<hex>  <name>` as sha256sum writes it");
    assert!(hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()), "{sums}");
    assert_eq!((name, sums.ends_with('\n')), ("ruleset-v2.4.1.json", true));
}

/// A second implementation, in Python and written from the README alone, agrees with rulesctl's
/// digest, every leaf and the root: the documented construction is enough for a sidecar.
#[test]
fn the_readme_construction_recomputes_the_artifact() {
    let repo = Repo::base();
    repo.write("rules/more.hcl", "loot_table \"spare\" {\n  item \"gold\" { weight = 1 }\n}\n");
    assert_eq!(build(&repo).code, 0);
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/recompute_artifact.py");
    let out = Command::new("python3").arg(script).arg(repo.path().join(ARTIFACT)).output().expect("python3");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "ok\n", "{}", String::from_utf8_lossy(&out.stderr));
    std::fs::write(repo.path().join(ARTIFACT), repo.read(ARTIFACT).replace("\"weight\": 95", "\"weight\": 96"))
        .expect("tamper");
    let out = Command::new("python3").arg(script).arg(repo.path().join(ARTIFACT)).output().expect("python3");
    assert_eq!(out.status.code(), Some(1), "the script must notice tampering too");
}

/// Parsing runs on several threads from 64 files on: diagnostics and artifact bytes are the same
/// on one thread and on many, whatever the scheduling.
#[test]
fn one_thread_and_many_give_the_same_bytes() {
    let repo = Repo::base();
    for i in 0..150 {
        let cooldown = if i % 37 == 0 { 10 } else { 8000 };
        repo.write(
            &format!("rules/gen/part_{i:03}.hcl"),
            format!(
                "spawn_config {{\n  region         = \"r{i}\"\n  base_rate      = 1\n  max_concurrent = 45\n  cooldown_ms    = {cooldown}\n  loot_table     = \"tier_3_drops\"\n}}\n\nevent_stream {{\n  region             = \"r{i}\"\n  max_len            = 5000\n  max_in_flight      = 32\n  backoff_multiplier = 2.0\n  max_backoff_ms     = 8000\n}}\n"
            ),
        );
    }
    let check = |threads: &str| {
        crate::support::run_env(repo.path(), &["check", "--format", "json"], &[("RULESCTL_THREADS", threads)])
    };
    let one = check("1");
    assert_eq!(one.code, 1);
    assert_eq!(one.codes().iter().filter(|c| *c == "X001").count(), 5, "{}", one.stdout);
    for threads in ["2", "4", "7"] {
        assert_eq!(check(threads).stdout, one.stdout, "{threads} threads");
    }
    for i in (0..150).step_by(37) {
        let rel = format!("rules/gen/part_{i:03}.hcl");
        repo.write(&rel, repo.read(&rel).replace("= 10\n", "= 8000\n"));
    }
    let build = |threads: &str| {
        let _ = std::fs::remove_dir_all(repo.path().join("dist"));
        let run = crate::support::run_env(repo.path(), &["build"], &[("RULESCTL_THREADS", threads)]);
        assert_eq!(run.code, 0, "{}", run.stdout);
        std::fs::read(repo.path().join("dist/ruleset-v1.0.0.json")).expect("artifact")
    };
    let one = build("1");
    assert_eq!(build("4"), one);
}
