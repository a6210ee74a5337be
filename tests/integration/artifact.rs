//! `build`, `verify` and `diff`: canonical, immutable, atomically written artifacts.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::snapshot;
use crate::support::{git, run_env, Repo, Run};

const ARTIFACT: &str = "dist/ruleset-v1.0.0.json";
const PROVENANCE: &str = "dist/ruleset-v1.0.0.provenance.json";

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

/// Changing any byte of the artifact fails verification, with or without the .sha256 file: the
/// artifact holds nothing but its ruleset and what is computed from it.
#[test]
fn verify_catches_a_one_byte_change() {
    let repo = Repo::base();
    assert_eq!(build(&repo).code, 0);
    let original = bytes(&repo, ARTIFACT);
    for with_checksum in [true, false] {
        if !with_checksum {
            std::fs::remove_file(repo.path().join("dist/ruleset-v1.0.0.json.sha256")).expect("rm");
        }
        for at in (0..original.len()).step_by(23) {
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
    std::fs::remove_file(repo.path().join(PROVENANCE)).expect("rm");

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
        crate::support::kill_at_random(&repo, &["build"], &mut seed);
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
        run.stdout.contains(
            "+ loot_table/spare\n    items.rock.weight: 1\n~ spawn_config/crystal_caves\n    cooldown_ms: 8000 → 9000\n"
        ),
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

/// Two artifacts that differ only in their version say so (their digests differ, every section
/// is the same), and `--exit-code` counts that as a difference.
#[test]
fn diff_of_a_version_bump_alone_says_so() {
    let repo = Repo::base();
    assert_eq!(build(&repo).code, 0);
    repo.write("rules/ruleset.hcl", repo.read("rules/ruleset.hcl").replace("v1.0.0", "v1.0.1"));
    assert_eq!(build(&repo).code, 0);
    let run = repo.run(&["diff", ARTIFACT, "dist/ruleset-v1.0.1.json", "--exit-code"]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(run.stdout.ends_with("no section differs: only the version changed (v1.0.0 → v1.0.1)\n"), "{}", run.stdout);
    let same = repo.run(&["diff", ARTIFACT, ARTIFACT]);
    assert!(same.stdout.ends_with("\nno section differs\n"), "{}", same.stdout);
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

fn statement(repo: &Repo) -> serde_json::Value {
    serde_json::from_slice(&bytes(repo, PROVENANCE)).expect("statement JSON")
}

/// The statement is an in-toto Statement v1 with an SLSA provenance v1 predicate whose one
/// subject is the artifact file, by name and by the sha256 its `.sha256` file records.
fn assert_statement_describes_the_artifact(repo: &Repo, statement: &serde_json::Value) {
    assert_eq!(statement["_type"], "https://in-toto.io/Statement/v1");
    assert_eq!(statement["predicateType"], "https://slsa.dev/provenance/v1");
    let sums = repo.read("dist/ruleset-v1.0.0.json.sha256");
    let hex = sums.split_whitespace().next().unwrap_or_default();
    assert_eq!(
        statement["subject"],
        serde_json::json!([{"name": "ruleset-v1.0.0.json", "digest": {"sha256": hex}}]),
        "the subject is the artifact, by the sha256 sha256sum checks"
    );
    let predicate = &statement["predicate"];
    assert_eq!(predicate["buildDefinition"]["buildType"], "https://rulesctl.dev/build/v1");
    assert_eq!(predicate["runDetails"]["builder"]["id"], "https://rulesctl.dev/rulesctl");
    assert_eq!(predicate["runDetails"]["builder"]["version"]["rulesctl"], env!("CARGO_PKG_VERSION"));
    let dependencies = predicate["buildDefinition"]["resolvedDependencies"].as_array().expect("dependencies");
    let names: Vec<&str> = dependencies.iter().filter_map(|d| d["name"].as_str()).collect();
    assert_eq!(names, ["rules/caves.hcl", "rules/loot.hcl", "rules/ruleset.hcl"]);
    for dependency in dependencies {
        let name = dependency["name"].as_str().unwrap_or_default();
        let sha = Command::new("sha256sum").arg(name).current_dir(repo.path()).output().expect("sha256sum");
        let sha = String::from_utf8_lossy(&sha.stdout).split_whitespace().next().unwrap_or_default().to_string();
        assert_eq!(dependency["digest"], serde_json::json!({"sha256": sha}), "{name}");
    }
}

/// One ruleset, one artifact: outside git, in a clean commit and with uncommitted changes, the
/// artifact and its .sha256 are the same bytes; only the provenance statement beside them tells
/// the builds apart (commit, dirty flag).
#[test]
fn provenance_is_a_statement_beside_an_artifact_that_never_changes() {
    let repo = Repo::base();
    assert_eq!(build(&repo).code, 0);
    let (artifact, sums) = (bytes(&repo, ARTIFACT), bytes(&repo, "dist/ruleset-v1.0.0.json.sha256"));
    assert!(!String::from_utf8_lossy(&artifact).contains("provenance"), "no provenance in the artifact");
    assert!(!String::from_utf8_lossy(&artifact).contains(env!("CARGO_PKG_VERSION")), "no rulesctl version either");
    let outside = statement(&repo);
    assert_statement_describes_the_artifact(&repo, &outside);
    assert_eq!(outside["predicate"]["buildDefinition"]["externalParameters"], serde_json::json!({}), "no git");
    let verified = repo.run(&["verify", ARTIFACT]);
    assert_eq!(verified.code, 0, "{}", verified.stdout);
    assert!(
        verified.stdout.contains("provenance dist/ruleset-v1.0.0.provenance.json matches: 3 source files, outside git"),
        "{}",
        verified.stdout
    );

    std::fs::remove_dir_all(repo.path().join("dist")).expect("rm");
    git(repo.path(), &["init", "-q"]);
    git(repo.path(), &["add", "."]);
    git(repo.path(), &["commit", "-qm", "base"]);
    let head = git(repo.path(), &["rev-parse", "HEAD"]).trim().to_string();
    assert_eq!(build(&repo).code, 0);
    assert_eq!(
        (bytes(&repo, ARTIFACT), bytes(&repo, "dist/ruleset-v1.0.0.json.sha256")),
        (artifact.clone(), sums.clone())
    );
    let clean = statement(&repo);
    assert_statement_describes_the_artifact(&repo, &clean);
    assert_eq!(
        clean["predicate"]["buildDefinition"]["externalParameters"],
        serde_json::json!({"source": {"commit": head, "dirty": false}})
    );
    let run = build(&repo);
    assert!(run.stdout.contains("unchanged dist/ruleset-v1.0.0.provenance.json"), "{}", run.stdout);

    repo.write("rules/caves.hcl", format!("# uncommitted comment\n{}", repo.read("rules/caves.hcl")));
    let run = build(&repo);
    assert!(
        run.stdout.contains("unchanged dist/ruleset-v1.0.0.json\nunchanged dist/ruleset-v1.0.0.json.sha256\nwrote dist/ruleset-v1.0.0.provenance.json"),
        "the statement describes the latest build; the artifact does not move:\n{}",
        run.stdout
    );
    assert_eq!((bytes(&repo, ARTIFACT), bytes(&repo, "dist/ruleset-v1.0.0.json.sha256")), (artifact, sums));
    let dirty = statement(&repo);
    assert_statement_describes_the_artifact(&repo, &dirty);
    assert_eq!(dirty["predicate"]["buildDefinition"]["externalParameters"]["source"]["dirty"], true);
    assert_eq!(repo.run(&["verify", ARTIFACT]).code, 0);
    let json = repo.run(&["verify", ARTIFACT, "--format", "json"]).json();
    assert_eq!(json["files"][0]["provenance"]["commit"], head);
    assert_eq!(json["files"][0]["provenance"]["dirty"], true);
}

/// The statement has the shape the in-toto Statement v1 and SLSA provenance v1 specifications
/// define (`tests/slsa-provenance-v1.schema.json`, written from them: no field out of place),
/// outside git, in a clean commit and in a dirty tree.
#[test]
fn the_statement_has_the_shape_in_toto_and_slsa_define() {
    let schema_text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/slsa-provenance-v1.schema.json"))
            .expect("schema");
    let schema: serde_json::Value = serde_json::from_str(&schema_text).expect("schema JSON");
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    let valid = |statement: &serde_json::Value| {
        let errors: Vec<String> =
            validator.iter_errors(statement).map(|e| format!("{e} at {}", e.instance_path())).collect();
        assert!(errors.is_empty(), "{errors:#?}\n{statement:#}");
    };
    let repo = Repo::base();
    assert_eq!(build(&repo).code, 0);
    valid(&statement(&repo));
    git(repo.path(), &["init", "-q"]);
    git(repo.path(), &["add", "rules"]);
    git(repo.path(), &["commit", "-qm", "rules"]);
    assert_eq!(build(&repo).code, 0);
    valid(&statement(&repo));
    repo.write("rules/new.hcl", "# untracked\n");
    assert_eq!(build(&repo).code, 0);
    valid(&statement(&repo));
    // The schema is strict enough to fail: a field out of place, a digest that is not hex.
    let mut misplaced = statement(&repo);
    misplaced["predicate"]["runDetails"]["builder"]["rulesctl"] = serde_json::json!("0.1.0");
    assert!(!validator.is_valid(&misplaced));
    let mut not_hex = statement(&repo);
    not_hex["subject"][0]["digest"]["sha256"] = serde_json::json!("sha256:00");
    assert!(!validator.is_valid(&not_hex));
}

#[test]
fn verify_checks_the_statement_against_its_artifact() {
    let repo = Repo::base();
    assert_eq!(build(&repo).code, 0);
    let original = repo.read(PROVENANCE);
    let hex = repo.read("dist/ruleset-v1.0.0.json.sha256").split_whitespace().next().unwrap_or_default().to_string();
    repo.write(PROVENANCE, original.replace(&hex, &"0".repeat(64)));
    let run = pin("V006-provenance-mismatch", &repo, &["verify", ARTIFACT]);
    assert_eq!(run.code, 1);
    assert!(run.stdout.contains("dist/ruleset-v1.0.0.provenance.json:"), "points into the statement: {}", run.stdout);

    repo.write(PROVENANCE, original.replace("\"ruleset-v1.0.0.json\"", "\"ruleset-v9.9.9.json\""));
    let run = repo.run(&["verify", ARTIFACT, "--format", "json"]);
    assert_eq!(run.codes(), ["V006"], "a statement about another artifact");
    repo.write(PROVENANCE, original.replace("https://in-toto.io/Statement/v1", "https://in-toto.io/Statement/v0.1"));
    assert_eq!(repo.run(&["verify", ARTIFACT, "--format", "json"]).codes(), ["V006"], "not a Statement v1");
    repo.write(PROVENANCE, "{ not json");
    assert_eq!(repo.run(&["verify", ARTIFACT, "--format", "json"]).codes(), ["V006"]);

    // A statement that matches, beside an artifact that was changed after the build: the
    // artifact's own checks and the statement both say so.
    repo.write(PROVENANCE, &original);
    std::fs::remove_file(repo.path().join("dist/ruleset-v1.0.0.json.sha256")).expect("rm");
    repo.write(ARTIFACT, repo.read(ARTIFACT).replace("\"weight\": 95", "\"weight\": 96"));
    let codes = repo.run(&["verify", ARTIFACT, "--format", "json"]).codes();
    assert!(codes.contains(&"V001".to_string()) && codes.contains(&"V006".to_string()), "{codes:?}");

    std::fs::remove_dir_all(repo.path().join("dist")).expect("rm");
    assert_eq!(build(&repo).code, 0);
    std::fs::remove_file(repo.path().join(PROVENANCE)).expect("rm");
    let run = repo.run(&["verify", ARTIFACT]);
    assert_eq!(run.code, 0, "the statement is optional (a ConfigMap has none): {}", run.stdout);
    assert!(!run.stdout.contains("provenance"), "{}", run.stdout);
}

/// An artifact written by an earlier rulesctl embeds a `provenance` key: `verify` says it is not
/// what its ruleset compiles to, and `build` rewrites it, digest unchanged.
#[test]
fn an_artifact_with_embedded_provenance_is_rewritten_with_the_same_digest() {
    let repo = Repo::base();
    assert_eq!(build(&repo).code, 0);
    let fresh = bytes(&repo, ARTIFACT);
    let mut old: serde_json::Value = serde_json::from_slice(&fresh).expect("json");
    old["provenance"] = serde_json::json!({"rulesctl": "0.0.9", "sources": []});
    let old = serde_json::to_string_pretty(&old).expect("json") + "\n";
    repo.write(ARTIFACT, &old);
    // What an earlier rulesctl left in dist/: no statement, and a .sha256 of its own bytes.
    std::fs::remove_file(repo.path().join(PROVENANCE)).expect("rm");
    std::fs::remove_file(repo.path().join("dist/ruleset-v1.0.0.json.sha256")).expect("rm");
    let run = repo.run(&["verify", ARTIFACT, "--format", "json"]);
    assert_eq!(run.codes(), ["V004"], "{}", run.stdout);
    assert!(run.stdout.contains("holds `provenance`"), "{}", run.stdout);
    let run = build(&repo);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(run.stdout.contains("wrote dist/ruleset-v1.0.0.json\n"), "{}", run.stdout);
    assert_eq!(bytes(&repo, ARTIFACT), fresh);
    assert_eq!(repo.run(&["verify", ARTIFACT]).code, 0);
}

/// `build --base REV` judges the version bump exactly as `check --base` does, so a fresh clone
/// (no dist/ to remember what was published) refuses to build a changed ruleset under the same
/// version, and writes nothing.
#[test]
fn build_base_refuses_an_unbumped_change_in_a_fresh_clone() {
    let origin = Repo::committed();
    let edit = |from: &str, to: &str| {
        let text = origin.read("rules/caves.hcl");
        assert!(text.contains(from));
        origin.write("rules/caves.hcl", text.replace(from, to));
    };
    edit("cooldown_ms    = 8000", "cooldown_ms    = 9000");
    git(origin.path(), &["commit", "-qam", "retune without a bump"]);
    let clones = tempfile::tempdir().expect("tempdir");
    let clone = clones.path().join("clone");
    git(clones.path(), &["clone", "-q", &origin.path().to_string_lossy(), "clone"]);
    assert!(!clone.join("dist").exists());

    let refused = crate::support::run_at(&clone, &["build", "--base", "HEAD~1"]);
    assert_eq!(refused.code, 1, "{}{}", refused.stdout, refused.stderr);
    assert!(
        refused.stdout.contains("error[G001]") && refused.stdout.contains("HEAD~1:rules/ruleset.hcl:1:19"),
        "{}",
        refused.stdout
    );
    assert!(!clone.join("dist").exists(), "nothing is written");
    let json = crate::support::run_at(&clone, &["build", "--base", "HEAD~1", "--format", "json"]);
    assert_eq!(json.codes(), ["G001"]);
    assert_eq!(json.json()["outputs"], serde_json::json!([]));
    let plain = crate::support::run_at(&clone, &["build"]);
    assert_eq!(plain.code, 0, "without --base, an empty dist/ remembers nothing: {}", plain.stdout);
    std::fs::remove_dir_all(clone.join("dist")).expect("rm");

    let unchanged = crate::support::run_at(&clone, &["build", "--base", "HEAD"]);
    assert_eq!(unchanged.code, 0, "an unchanged ruleset needs no bump: {}", unchanged.stdout);
    std::fs::remove_dir_all(clone.join("dist")).expect("rm");
    let unknown = crate::support::run_at(&clone, &["build", "--base", "no-such-tag"]);
    assert_eq!(unknown.code, 2);
    assert!(unknown.stderr.contains("unknown revision `no-such-tag`"), "{}", unknown.stderr);
    assert!(!clone.join("dist").exists());

    origin.write("rules/ruleset.hcl", origin.read("rules/ruleset.hcl").replace("v1.0.0", "v0.9.0"));
    git(origin.path(), &["commit", "-qam", "lower"]);
    git(&clone, &["pull", "-q", "--ff-only"]);
    let json = crate::support::run_at(&clone, &["build", "--base", "HEAD~2", "--format", "json"]);
    assert_eq!(json.codes(), ["G002"], "a lowered version is refused too");
    assert!(!clone.join("dist").exists());

    origin.write("rules/ruleset.hcl", origin.read("rules/ruleset.hcl").replace("v0.9.0", "v1.1.0"));
    git(origin.path(), &["commit", "-qam", "bump"]);
    git(&clone, &["pull", "-q", "--ff-only"]);
    let built = crate::support::run_at(&clone, &["build", "--base", "HEAD~3"]);
    assert_eq!(built.code, 0, "{}", built.stdout);
    assert!(clone.join("dist/ruleset-v1.1.0.json").exists());
}

/// The artifact of the bundled example, pinned byte for byte, and its provenance statement (built
/// outside git, so it records no commit).
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
    snapshot!("golden-example-artifact", repo.read("dist/ruleset-v2.4.1.json"));
    let statement = repo.read("dist/ruleset-v2.4.1.provenance.json").replace(env!("CARGO_PKG_VERSION"), "[version]");
    snapshot!("golden-example-provenance", statement);
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
    // Files that are empty, not UTF-8 or not HCL, among the others: each outcome joins in order.
    repo.write("rules/gen/part_020.hcl", "");
    std::fs::write(repo.path().join("rules/gen/part_060.hcl"), b"spawn_config {\n  region = \"\xff\"\n}\n")
        .expect("write");
    repo.write("rules/gen/part_100.hcl", "spawn_config {\n  region = \"r100\"\n");
    let one = check("1");
    for code in ["L002", "L008", "S001"] {
        assert!(one.codes().iter().any(|c| c == code), "{code}: {}", one.stdout);
    }
    for threads in ["2", "4", "7"] {
        assert_eq!(check(threads).stdout, one.stdout, "{threads} threads");
    }
    repo.write("rules/gen/part_020.hcl", repo.read("rules/gen/part_021.hcl").replace("r21", "r20"));
    repo.write("rules/gen/part_060.hcl", repo.read("rules/gen/part_061.hcl").replace("r61", "r60"));
    repo.write("rules/gen/part_100.hcl", repo.read("rules/gen/part_101.hcl").replace("r101", "r100"));
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

/// From 1,000 rule files the checks split over two threads too: the report is the same on one
/// thread and on many (nothing lost or doubled on the second thread; the report's sort fixes the
/// order), with findings from many checks on both halves of the registry.
#[test]
fn checks_on_two_threads_report_as_on_one() {
    let repo = Repo::base();
    for i in 0..1000 {
        // Every so often: a duplicate region, a stream for no region, a region without a stream,
        // an unknown loot table, a table nobody uses, a duplicate item, a rate over capacity.
        let region = if i % 97 == 5 { format!("r{}", i - 1) } else { format!("r{i}") };
        let stream = match i % 89 {
            3 => format!("ghost{i}"),
            4 => String::new(),
            _ => format!("r{i}"),
        };
        let table = if i % 83 == 7 { "tier_3_drop".to_string() } else { "tier_3_drops".to_string() };
        let max_concurrent = if i % 79 == 11 { 1 } else { 45 };
        let mut text = format!(
            "spawn_config {{\n  region         = \"{region}\"\n  base_rate      = 5\n  max_concurrent = {max_concurrent}\n  cooldown_ms    = 8000\n  loot_table     = \"{table}\"\n}}\n"
        );
        if !stream.is_empty() {
            text.push_str(&format!(
                "\nevent_stream {{\n  region             = \"{stream}\"\n  max_len            = 5000\n  max_in_flight      = 32\n  backoff_multiplier = 2.0\n  max_backoff_ms     = 8000\n}}\n"
            ));
        }
        if i % 71 == 13 {
            text.push_str(&format!("\nloot_table \"spare_{i}\" {{\n  item \"gold\" {{ weight = 1 }}\n  item \"gold\" {{ weight = 2 }}\n}}\n"));
        }
        repo.write(&format!("rules/gen/part_{i:04}.hcl"), text);
    }
    let check = |threads: &str| {
        crate::support::run_env(repo.path(), &["check", "--format", "json", "--all"], &[("RULESCTL_THREADS", threads)])
    };
    let one = check("1");
    assert_eq!(one.code, 1);
    let codes: std::collections::BTreeSet<String> = one.codes().into_iter().collect();
    for code in ["X002", "X004", "X005", "X006", "X008", "X010", "X011"] {
        assert!(codes.contains(code), "{code} missing: {codes:?}");
    }
    for threads in ["2", "3"] {
        assert!(check(threads).stdout == one.stdout, "{threads} threads report differently");
    }
}

/// The build compiles the typed ruleset straight to canonical text; that must be byte for byte
/// what compiling its JSON value gives, for every fixture and for odd but valid rulesets
/// (duplicates, floats written every way, many regions).
#[test]
fn the_streaming_compiler_matches_the_json_value_compiler() {
    use rulesctl::artifact::compiled::{ruleset_value, Compiled};
    let same = |repo: &std::path::Path, what: &str| {
        let analysis = rulesctl::pipeline::analyze(&rulesctl::source::WorkTree::new(repo.to_path_buf()), None);
        let streamed = Compiled::of_ruleset(&analysis.ruleset);
        let valued = ruleset_value(&analysis.ruleset).map(Compiled::new);
        assert_eq!(streamed.is_some(), valued.is_some(), "{what}");
        if let (Some(a), Some(b)) = (streamed, valued) {
            assert_eq!(a.canonical(), b.canonical(), "{what}");
            assert_eq!(
                (&a.digest, &a.leaves, a.root(), a.version()),
                (&b.digest, &b.leaves, b.root(), b.version()),
                "{what}"
            );
            assert_eq!(a.artifact_text(), crate_pretty(&b.artifact()), "{what}: the artifact file");
        }
    };
    same(std::path::Path::new(env!("CARGO_MANIFEST_DIR")), "the bundled example");
    same(Repo::base().path(), "the base fixture");
    let repo = Repo::base();
    for (i, multiplier) in ["1.5", "2", "2.50", "1e0", "3.25"].iter().enumerate() {
        repo.write(
            &format!("rules/z{i}.hcl"),
            format!(
                "spawn_config {{\n  region = \"zone_{}\"\n  base_rate = {i}\n  max_concurrent = 45\n  cooldown_ms = 8000\n  loot_table = \"tier_3_drops\"\n}}\n\nevent_stream {{\n  region = \"zone_{}\"\n  max_len = 1\n  max_in_flight = 1\n  backoff_multiplier = {multiplier}\n  max_backoff_ms = 1\n}}\n\nloot_table \"t{i}\" {{\n  item \"b\" {{ weight = 2 }}\n  item \"a\" {{ weight = 1 }}\n  item \"b\" {{ weight = 3 }}\n}}\n",
                i % 3,
                i % 3
            ),
        );
    }
    same(repo.path(), "duplicates and floats");
    // Enough sections that the ruleset is written on two threads, in halves joined in order,
    // with names in another order than the file's and names that need escapes.
    let mut many = String::new();
    for i in (0..1500).rev() {
        many.push_str(&format!(
            "spawn_config {{\n  region = \"r{i:05}\"\n  base_rate = {}\n  max_concurrent = 45\n  cooldown_ms = 8000\n  loot_table = \"tier_3_drops\"\n}}\n\nloot_table \"t{i}\\\"q\" {{\n  item \"a\" {{ weight = {} }}\n}}\n\n",
            i % 7,
            i + 1
        ));
    }
    repo.write("rules/many.hcl", many);
    same(repo.path(), "many regions");
}

fn crate_pretty(value: &serde_json::Value) -> String {
    rulesctl::artifact::canonical::pretty(value).0
}

/// The statement's `dirty` flag, judged on the build's inputs in one git status walk: a file that
/// is no input never makes it dirty; an input modified, untracked, or inside a folder git ignores
/// or does not track as a whole always does.
#[test]
fn dirty_means_an_input_differs_from_the_commit() {
    let dirty = |repo: &Repo| {
        std::fs::remove_dir_all(repo.path().join("dist")).ok();
        assert_eq!(build(repo).code, 0);
        statement(repo)["predicate"]["buildDefinition"]["externalParameters"]["source"]["dirty"].clone()
    };
    let repo = Repo::committed();
    assert_eq!(dirty(&repo), false, "a fresh commit");
    repo.write("notes.md", "not an input\n");
    repo.write("scratch/more.txt", "nor this\n");
    assert_eq!(dirty(&repo), false, "untracked files that are no input");
    let rules = Repo::committed();
    rules.write("rules/extra/more.hcl", "loot_table \"spare\" {\n  item \"rock\" { weight = 1 }\n}\n");
    assert_eq!(dirty(&rules), true, "an input in an untracked folder");
    let ignored = Repo::committed();
    ignored.write(".gitignore", "rules/local/\n");
    git(ignored.path(), &["add", ".gitignore"]);
    git(ignored.path(), &["commit", "-qm", "ignore"]);
    assert_eq!(dirty(&ignored), false);
    ignored.write("rules/local/more.hcl", "loot_table \"spare\" {\n  item \"rock\" { weight = 1 }\n}\n");
    assert_eq!(dirty(&ignored), true, "an input in an ignored folder");
}
