//! `build --emit rust`: the module compiles on its own under `-D warnings` (and clippy, and
//! `no_std`), is rustfmt-clean, holds every value of the JSON artifact, proves its digest from
//! its own bytes, is immutable and deterministic like the artifact, and `verify` rejects any edit.

mod compile;
mod sidecar;

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use serde_json::Value;

use crate::support::{run_env, Repo, Run};

pub const ROOT: &str = env!("CARGO_MANIFEST_DIR");
pub const MODULE: &str = "dist/ruleset-v1.0.0.rs";

/// The bundled example (rules and project file), outside git.
pub fn example() -> Repo {
    let root = Path::new(ROOT);
    let repo = Repo::empty();
    std::fs::copy(root.join("rulesctl.hcl"), repo.path().join("rulesctl.hcl")).expect("copy");
    std::fs::create_dir_all(repo.path().join("examples/rules")).expect("mkdir");
    crate::support::copy_tree(&root.join("examples/rules"), &repo.path().join("examples/rules"));
    std::fs::create_dir_all(repo.path().join("examples/chart")).expect("mkdir");
    crate::support::copy_tree(&root.join("examples/chart"), &repo.path().join("examples/chart"));
    repo
}

pub fn build_rust(repo: &Repo) -> Run {
    let run = repo.run(&["build", "--emit", "rust"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    run
}

pub fn artifact(repo: &Repo, version: &str) -> Value {
    serde_json::from_str(&repo.read(&format!("dist/ruleset-{version}.json"))).expect("artifact JSON")
}

pub fn bytes(repo: &Repo, rel: &str) -> Vec<u8> {
    std::fs::read(repo.path().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

pub fn output(command: &mut Command) -> Output {
    command.stdin(Stdio::null()).output().unwrap_or_else(|e| panic!("{command:?}: {e}"))
}

pub fn assert_success(what: &str, out: &Output) {
    assert!(
        out.status.success(),
        "{what} failed ({}):\n{}{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn emit_is_opt_in_and_takes_a_list() {
    let repo = Repo::base();
    let run = repo.run(&["build", "--emit", "json"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(!repo.path().join(MODULE).exists(), "json alone writes no module");
    let run = repo.run(&["build", "--emit", "json,rust", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    let outputs = run.json()["outputs"].clone();
    assert!(
        outputs.as_array().expect("outputs").contains(&serde_json::json!({"path": MODULE, "written": true})),
        "{outputs}"
    );
    let bad = repo.run(&["build", "--emit", "cobol"]);
    assert_eq!(bad.code, 2, "{}", bad.stderr);
    assert!(bad.stderr.contains("[possible values: json, rust, wasm]"), "{}", bad.stderr);
}

#[test]
fn same_bytes_whatever_the_time_zone_locale_directory_or_file_order() {
    let forward = Repo::base();
    let backward = Repo::empty();
    for rel in ["rules/ruleset.hcl", "rules/loot.hcl", "rules/caves.hcl"] {
        backward.write(rel, forward.read(rel));
    }
    let a = run_env(forward.path(), &["build", "--emit", "rust"], &[("TZ", "UTC"), ("LANG", "C"), ("LC_ALL", "C")]);
    let b = run_env(
        &backward.path().join("rules"),
        &["build", "--emit", "rust"],
        &[("TZ", "Asia/Kolkata"), ("LANG", "de_DE.UTF-8"), ("LC_ALL", "tr_TR.UTF-8")],
    );
    assert_eq!((a.code, b.code), (0, 0), "{}{}", a.stdout, b.stdout);
    assert_eq!(bytes(&forward, MODULE), bytes(&backward, MODULE));
    let text = forward.read(MODULE);
    assert!(!text.contains(&*forward.path().to_string_lossy()), "no path in the module");
}

#[test]
fn a_changed_ruleset_needs_a_new_version() {
    let repo = Repo::base();
    build_rust(&repo);
    let (module, json) = (bytes(&repo, MODULE), bytes(&repo, "dist/ruleset-v1.0.0.json"));
    let mtime = || std::fs::metadata(repo.path().join(MODULE)).and_then(|m| m.modified()).expect("mtime");
    let before = mtime();
    std::thread::sleep(Duration::from_millis(20));
    let again = build_rust(&repo);
    assert!(again.stdout.contains("unchanged dist/ruleset-v1.0.0.rs\n"), "{}", again.stdout);
    assert_eq!(mtime(), before, "an identical rebuild does not touch the module");

    repo.write(
        "rules/caves.hcl",
        repo.read("rules/caves.hcl").replace("cooldown_ms    = 8000", "cooldown_ms    = 9000"),
    );
    let refused = repo.run(&["build", "--emit", "rust"]);
    assert_eq!(refused.code, 1, "{}", refused.stdout);
    assert!(
        refused.stdout.contains("error[A001]") && refused.stdout.contains("dist/ruleset-v1.0.0.rs already exists"),
        "{}",
        refused.stdout
    );
    assert_eq!((bytes(&repo, MODULE), bytes(&repo, "dist/ruleset-v1.0.0.json")), (module.clone(), json));

    // The module guards its version even when this build would not write it, and even when the
    // JSON artifact is gone: nothing is written.
    std::fs::remove_file(repo.path().join("dist/ruleset-v1.0.0.json")).expect("rm");
    let plain = repo.run(&["build", "--format", "json"]);
    assert_eq!((plain.code, plain.codes()), (1, vec!["A001".to_string()]), "{}", plain.stdout);
    assert!(!repo.path().join("dist/ruleset-v1.0.0.json").exists(), "no JSON artifact for the other ruleset");
    assert_eq!(bytes(&repo, MODULE), module);

    repo.write("rules/ruleset.hcl", repo.read("rules/ruleset.hcl").replace("v1.0.0", "v1.0.1"));
    build_rust(&repo);
    assert_eq!(bytes(&repo, MODULE), module, "the old version stays as it was");
    assert_eq!(repo.run(&["verify", "dist/ruleset-v1.0.1.rs"]).code, 0);
}

/// Verifies `text` written as `MODULE` in `repo`; returns the run and its codes.
fn verify_text(repo: &Repo, text: &str) -> (Run, Vec<String>) {
    repo.write(MODULE, text);
    let run = repo.run(&["verify", MODULE, "--format", "json"]);
    let codes = run.codes();
    (run, codes)
}

fn codes(list: &[&str]) -> Vec<String> {
    list.iter().map(|c| (*c).to_string()).collect()
}

#[test]
fn verify_names_what_was_changed() {
    let repo = Repo::base();
    build_rust(&repo);
    let original = repo.read(MODULE);
    let after = |needle: &str| original.find(needle).map(|at| at + needle.len()).expect(needle);
    let digest_at = after("pub const DIGEST: &str = \"sha256:");
    let flip = |text: &str, at: usize| {
        let mut bytes = text.as_bytes().to_vec();
        bytes[at] = if bytes[at] == b'0' { b'1' } else { b'0' };
        String::from_utf8(bytes).expect("ASCII")
    };

    let (run, found) = verify_text(&repo, &flip(&original, digest_at));
    assert_eq!((run.code, found), (1, codes(&["V001"])), "a changed DIGEST\n{}", run.stdout);

    let (run, found) = verify_text(&repo, &original.replace("base_rate: 12,", "base_rate: 13,"));
    assert_eq!((run.code, found), (1, codes(&["V005"])), "a changed value\n{}", run.stdout);
    let human = crate::support::pin("V005-module-mismatch", &repo, &["verify", MODULE]).0;
    assert!(human.stdout.contains("`base_rate: 13,` should be `base_rate: 12,`"), "{}", human.stdout);

    let (run, mut found) = verify_text(&repo, &original.replace("\"base_rate\":12", "\"base_rate\":13"));
    found.sort();
    assert_eq!((run.code, found), (1, codes(&["V001", "V002", "V002", "V005"])), "a changed CANONICAL\n{}", run.stdout);

    let root_at = after("pub const MERKLE_ROOT: &str =\n    \"sha256:");
    let (run, found) = verify_text(&repo, &flip(&original, root_at));
    assert_eq!((run.code, found), (1, codes(&["V002"])), "a changed MERKLE_ROOT\n{}", run.stdout);

    let leaf_at = after("        hash: \"sha256:");
    let (run, found) = verify_text(&repo, &flip(&original, leaf_at));
    assert_eq!((run.code, found), (1, codes(&["V002"])), "a changed leaf\n{}", run.stdout);

    let lookup = "found.ok().and_then(|i| SPAWN_CONFIGS.get(i))";
    let (run, found) = verify_text(&repo, &original.replace(lookup, "SPAWN_CONFIGS.first()"));
    assert_eq!((run.code, found), (1, codes(&["V005"])), "a changed lookup\n{}", run.stdout);

    let (run, found) = verify_text(&repo, &format!("{original}\npub fn extra() {{}}\n"));
    assert_eq!((run.code, found), (1, codes(&["V005"])), "added code\n{}", run.stdout);

    let canonical_at = original.find("pub const CANONICAL").expect("CANONICAL");
    let (run, found) = verify_text(&repo, &original[..canonical_at]);
    assert_eq!((run.code, found), (1, codes(&["V005"])), "no CANONICAL\n{}", run.stdout);
    assert!(run.stdout.contains("not a module"), "{}", run.stdout);

    let (run, found) = verify_text(&repo, &original.replace("{\"event_streams\":", "{ \"event_streams\":"));
    assert_eq!((run.code, found), (1, codes(&["V005"])), "non-canonical CANONICAL\n{}", run.stdout);

    repo.write("dist/ruleset-v9.9.9.rs", &original);
    let renamed = repo.run(&["verify", "dist/ruleset-v9.9.9.rs"]);
    assert!(renamed.code == 1 && renamed.stdout.contains("holds version v1.0.0"), "{}", renamed.stdout);

    let (run, found) = verify_text(&repo, &original);
    assert_eq!((run.code, found), (0, Vec::<String>::new()), "the original again\n{}", run.stdout);
}

/// Changing any byte of the module, comments and layout included, fails verification.
#[test]
fn verify_catches_a_one_byte_change_anywhere() {
    let repo = Repo::base();
    build_rust(&repo);
    let original = bytes(&repo, MODULE);
    assert!(original.is_ascii(), "the module is ASCII for a ruleset of ASCII names");
    for at in (0..original.len()).step_by(29) {
        let mut changed = original.clone();
        changed[at] = if changed[at] == b'1' { b'2' } else { b'1' };
        std::fs::write(repo.path().join(MODULE), &changed).expect("write");
        let run = repo.run(&["verify", MODULE]);
        assert_eq!(run.code, 1, "byte {at} ({:?}) changed\n{}", original[at] as char, run.stdout);
    }
}

#[cfg(unix)]
#[test]
fn killing_build_at_any_moment_never_leaves_a_torn_module() {
    let repo = Repo::base();
    let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
    for round in 0..30 {
        crate::support::kill_at_random(&repo, &["build", "--emit", "rust"], &mut seed);
        if repo.path().join(MODULE).exists() {
            let run = repo.run(&["verify", MODULE]);
            assert_eq!(run.code, 0, "round {round}: torn module\n{}", run.stdout);
        }
    }
}
