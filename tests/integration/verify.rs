//! `rulesctl verify FILE...`: every file `build` writes, several at once, each recognised by what
//! it is; a glob over an intact `dist/` passes, and each kind of tampering fails with a diagnostic
//! at the place that no longer matches.

use std::process::Command;

use crate::support::{Repo, Run};

const JSON: &str = "dist/ruleset-v1.0.0.json";
const SUMS: &str = "dist/ruleset-v1.0.0.json.sha256";
const STATEMENT: &str = "dist/ruleset-v1.0.0.provenance.json";
const RUST: &str = "dist/ruleset-v1.0.0.rs";
const WASM: &str = "dist/ruleset-v1.0.0.wasm";
const WASM_SUMS: &str = "dist/ruleset-v1.0.0.wasm.sha256";
const EVERY: [&str; 6] = [JSON, SUMS, STATEMENT, RUST, WASM, WASM_SUMS];

/// The base fixture built with every module.
fn built() -> Repo {
    let repo = Repo::base();
    let run = repo.run(&["build", "--emit", "rust,wasm"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    repo
}

/// `rulesctl verify PATTERN` through bash, so the shell expands the glob as CI's would.
fn glob(repo: &Repo, pattern: &str, format: &str) -> Run {
    let out = Command::new("bash")
        .args(["-c", &format!("exec \"$RULESCTL\" verify {pattern} --format {format}")])
        .current_dir(repo.path())
        .env("RULESCTL", env!("CARGO_BIN_EXE_rulesctl"))
        .env("NO_COLOR", "1")
        .output()
        .expect("bash");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn hex_of(repo: &Repo, rel: &str) -> String {
    repo.read(&format!("{rel}.sha256")).split_whitespace().next().unwrap_or_default().to_string()
}

/// Each file's `(path, status)` in a JSON report.
fn statuses(run: &Run) -> Vec<(String, String)> {
    let json = run.json();
    let files = json["files"].as_array().unwrap_or_else(|| panic!("no files: {}", run.stdout));
    files.iter().map(|f| (f["path"].as_str().unwrap_or("").into(), f["status"].as_str().unwrap_or("").into())).collect()
}

fn status_of(run: &Run, path: &str) -> String {
    statuses(run)
        .into_iter()
        .find(|(p, _)| p == path)
        .map(|(_, s)| s)
        .unwrap_or_else(|| panic!("{path}: {}", run.stdout))
}

#[test]
fn verify_takes_several_files_at_once_one_line_each() {
    let repo = built();
    let mut args = vec!["verify"];
    args.extend(EVERY);
    let run = repo.run(&args);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let lines: Vec<&str> = run.stdout.lines().collect();
    let expected_starts = [
        "verified dist/ruleset-v1.0.0.json: 5 sections, digest sha256:",
        "provenance dist/ruleset-v1.0.0.provenance.json matches: 3 source files, outside git, rulesctl ",
        "verified dist/ruleset-v1.0.0.json.sha256: 1 file matches (ruleset-v1.0.0.json)",
        "verified dist/ruleset-v1.0.0.provenance.json: 2 subjects match (ruleset-v1.0.0.json, ruleset-v1.0.0.wasm); 3 source files, outside git, rulesctl ",
        "verified dist/ruleset-v1.0.0.rs: 5 sections, digest sha256:",
        "verified dist/ruleset-v1.0.0.wasm: 5 sections, digest sha256:",
        "verified dist/ruleset-v1.0.0.wasm.sha256: 1 file matches (ruleset-v1.0.0.wasm)",
    ];
    assert_eq!(lines.len(), expected_starts.len() + 1, "{}", run.stdout);
    for (line, start) in lines.iter().zip(expected_starts) {
        assert!(line.starts_with(start), "`{line}` should start with `{start}`");
    }
    assert_eq!(lines.last(), Some(&"checked 6 files: 0 errors, 0 warnings"), "{}", run.stdout);

    let mut json_args = args.clone();
    json_args.extend(["--format", "json"]);
    let json = repo.run(&json_args);
    assert_eq!(json.code, 0);
    let report = json.json();
    let kinds: Vec<&str> =
        report["files"].as_array().expect("files").iter().filter_map(|f| f["kind"].as_str()).collect();
    assert_eq!(kinds, ["artifact", "sha256", "provenance", "rust", "wasm", "sha256"]);
    assert!(statuses(&json).iter().all(|(_, s)| s == "verified"), "{}", json.stdout);
    assert_eq!(report["files"][2]["subjects"], serde_json::json!(["ruleset-v1.0.0.json", "ruleset-v1.0.0.wasm"]));
    assert_eq!(report["files"][1]["names"], serde_json::json!(["ruleset-v1.0.0.json"]));
}

/// The CI example's globs: `dist/ruleset-*.json` also matches the provenance statement, and
/// `dist/ruleset-*` every file; both pass on an intact dist/, with or without modules.
#[test]
fn a_glob_over_an_intact_dist_passes() {
    let repo = Repo::base();
    assert_eq!(repo.run(&["build"]).code, 0);
    for pattern in ["dist/ruleset-*.json", "dist/ruleset-*"] {
        let run = glob(&repo, pattern, "human");
        assert_eq!(run.code, 0, "{pattern}: {}{}", run.stdout, run.stderr);
    }
    let json = glob(&repo, "dist/ruleset-*.json", "json");
    assert_eq!(statuses(&json).len(), 2, "the artifact and its statement: {}", json.stdout);

    let repo = built();
    let run = glob(&repo, "dist/ruleset-*", "json");
    assert_eq!(run.code, 0, "{}", run.stdout);
    let mut paths: Vec<String> = statuses(&run).into_iter().map(|(p, _)| p).collect();
    paths.sort();
    let mut every: Vec<String> = EVERY.iter().map(|p| p.to_string()).collect();
    every.sort();
    assert_eq!(paths, every);
}

/// A tampered artifact fails itself, its `.sha256` and its statement; the modules still pass. The
/// fact the artifact and its `.sha256` file share is reported once.
#[test]
fn a_tampered_artifact_fails_every_file_that_vouches_for_it() {
    let repo = built();
    repo.write(JSON, repo.read(JSON).replace("\"weight\": 95", "\"weight\": 96"));
    let run = glob(&repo, "dist/ruleset-*", "json");
    assert_eq!(run.code, 1, "{}", run.stdout);
    for (path, status) in
        [(JSON, "failed"), (SUMS, "failed"), (STATEMENT, "failed"), (RUST, "verified"), (WASM, "verified")]
    {
        assert_eq!(status_of(&run, path), status, "{path}");
    }
    let codes = run.codes();
    assert_eq!(codes.iter().filter(|c| *c == "V003").count(), 1, "{codes:?}");
    assert_eq!(codes.iter().filter(|c| *c == "V006").count(), 1, "{codes:?}");
    assert!(codes.contains(&"V001".to_string()), "{codes:?}");
    crate::support::pin("verify-several-tampered", &repo, &["verify", JSON, SUMS, STATEMENT, RUST]);
    let human = glob(&repo, "dist/ruleset-*", "human");
    assert!(human.stdout.contains("FAILED dist/ruleset-v1.0.0.json: "), "{}", human.stdout);
    assert!(human.stdout.contains("verified dist/ruleset-v1.0.0.rs: "), "{}", human.stdout);
}

/// A `.sha256` file is checked against the file it names, at its line.
#[test]
fn a_tampered_checksum_file_is_named_at_its_line() {
    let repo = built();
    let (run, _) = crate::support::pin("verify-several-checksum", &repo, &["verify", SUMS, WASM_SUMS]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    repo.write(WASM_SUMS, format!("{}  ruleset-v1.0.0.wasm\n", "0".repeat(64)));
    let run = repo.run(&["verify", SUMS, WASM_SUMS, "--format", "json"]);
    assert_eq!((run.code, run.codes()), (1, vec!["V003".to_string()]), "{}", run.stdout);
    let diagnostic = &run.json()["diagnostics"][0];
    assert_eq!(
        (diagnostic["file"].as_str(), diagnostic["line"].as_u64(), diagnostic["column"].as_u64()),
        (Some(WASM_SUMS), Some(1), Some(1))
    );
    let message = diagnostic["message"].as_str().unwrap_or_default();
    assert!(message.contains("ruleset-v1.0.0.wasm") && message.contains(&"0".repeat(64)), "{message}");
    assert_eq!(status_of(&run, SUMS), "verified");

    // A line that is not a checksum line, a name that is not beside it, a file that is missing.
    repo.write(
        WASM_SUMS,
        format!("not a line\n{}  ../elsewhere.wasm\n{}  gone.wasm\n", "0".repeat(64), "0".repeat(64)),
    );
    let run = repo.run(&["verify", WASM_SUMS, "--format", "json"]);
    assert_eq!(run.codes(), ["V003", "V003", "V003"], "{}", run.stdout);
    let lines: Vec<u64> =
        run.json()["diagnostics"].as_array().expect("d").iter().filter_map(|d| d["line"].as_u64()).collect();
    assert_eq!(lines, [1, 2, 3]);
    assert!(run.stdout.contains("dist/gone.wasm` does not exist"), "{}", run.stdout);
    // The artifact itself names its `.sha256` line too.
    repo.write(SUMS, format!("{}  ruleset-v1.0.0.json\n", "f".repeat(64)));
    let run = repo.run(&["verify", JSON, "--format", "json"]);
    assert_eq!(run.codes(), ["V003"]);
    assert_eq!(run.json()["diagnostics"][0]["file"], SUMS);
}

/// A statement's subject whose file changed: named with both digests, at the subject's digest.
#[test]
fn a_tampered_provenance_subject_is_named_with_both_digests() {
    let repo = built();
    let wasm_hex = hex_of(&repo, WASM);
    repo.write(STATEMENT, repo.read(STATEMENT).replace(&wasm_hex, &"a".repeat(64)));
    let run = repo.run(&["verify", STATEMENT, "--format", "json"]);
    assert_eq!((run.code, run.codes()), (1, vec!["V006".to_string()]), "{}", run.stdout);
    let message = run.json()["diagnostics"][0]["message"].as_str().unwrap_or_default().to_string();
    assert!(
        message.contains("ruleset-v1.0.0.wasm") && message.contains(&"a".repeat(64)) && message.contains(&wasm_hex),
        "{message}"
    );
    let line = run.json()["diagnostics"][0]["line"].as_u64().unwrap_or(0);
    let statement = repo.read(STATEMENT);
    assert!(statement.lines().nth(line as usize - 1).is_some_and(|l| l.contains("\"sha256\"")), "line {line}");
    // The module itself is still the one its `.sha256` vouches for; its subject is not.
    let run = repo.run(&["verify", WASM, "--format", "json"]);
    assert_eq!(run.codes(), ["V006"], "{}", run.stdout);
    // The artifact's subject is intact, so the artifact alone passes.
    assert_eq!(repo.run(&["verify", JSON]).code, 0);
}

/// A `.wasm` edited in place fails as a module (V005); its `.sha256` file and its statement
/// subject fail too when they are verified.
#[test]
fn a_tampered_wasm_fails_itself_its_checksum_and_its_subject() {
    let repo = built();
    let mut module = std::fs::read(repo.path().join(WASM)).expect("wasm");
    let at = module.len() - 10;
    module[at] ^= 1;
    repo.write(WASM, &module);
    let run = glob(&repo, "dist/ruleset-*", "json");
    assert_eq!(run.code, 1, "{}", run.stdout);
    for (path, status) in
        [(WASM, "failed"), (WASM_SUMS, "failed"), (STATEMENT, "failed"), (JSON, "verified"), (SUMS, "verified")]
    {
        assert_eq!(status_of(&run, path), status, "{path}");
    }
    let mut codes = run.codes();
    codes.sort();
    codes.dedup();
    assert_eq!(codes, ["V003", "V005", "V006"], "{}", run.stdout);
}

/// A statement naming a file that is not beside it says which.
#[test]
fn provenance_with_a_missing_subject_file_names_it() {
    let repo = built();
    std::fs::remove_file(repo.path().join(WASM)).expect("rm");
    let run = repo.run(&["verify", STATEMENT]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(run.stdout.contains("FAILED dist/ruleset-v1.0.0.provenance.json: 1 error\n"), "{}", run.stdout);
    let json = repo.run(&["verify", STATEMENT, "--format", "json"]).json();
    let diagnostic = &json["diagnostics"][0];
    assert_eq!(
        diagnostic["message"],
        "the statement's subject `ruleset-v1.0.0.wasm` is not beside it: `dist/ruleset-v1.0.0.wasm` does not exist"
    );
    assert_eq!((diagnostic["file"].as_str(), diagnostic["code"].as_str()), (Some(STATEMENT), Some("V006")));
}

/// A statement on its own: recognised by its name or by its content, checked against the files it
/// names, and what it says of the build printed.
#[test]
fn provenance_alone_is_verified() {
    let repo = Repo::base();
    assert_eq!(repo.run(&["build"]).code, 0);
    let run = repo.run(&["verify", STATEMENT]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(
        run.stdout.starts_with("verified dist/ruleset-v1.0.0.provenance.json: 1 subject matches (ruleset-v1.0.0.json); 3 source files, outside git, rulesctl "),
        "{}",
        run.stdout
    );
    let json = repo.run(&["verify", STATEMENT, "--format", "json"]).json();
    assert_eq!(json["files"][0]["kind"], "provenance");
    assert_eq!(json["files"][0]["sources"], 3);

    // Renamed, it is still a statement (by its `_type`); about the artifact its first subject names.
    std::fs::copy(repo.path().join(STATEMENT), repo.path().join("dist/statement.json")).expect("copy");
    let run = repo.run(&["verify", "dist/statement.json", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_eq!(run.json()["files"][0]["kind"], "provenance");

    // Not a statement rulesctl writes: V006 at the field.
    repo.write(
        STATEMENT,
        repo.read(STATEMENT).replace("https://slsa.dev/provenance/v1", "https://slsa.dev/provenance/v0.2"),
    );
    let run = repo.run(&["verify", STATEMENT, "--format", "json"]);
    assert_eq!(run.codes(), ["V006"], "{}", run.stdout);
    // A subject that is not a plain file name is never read.
    repo.write(
        STATEMENT,
        repo.read(STATEMENT)
            .replace("https://slsa.dev/provenance/v0.2", "https://slsa.dev/provenance/v1")
            .replace("\"name\": \"ruleset-v1.0.0.json\"", "\"name\": \"../ruleset-v1.0.0.json\""),
    );
    let run = repo.run(&["verify", STATEMENT, "--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(run.stdout.contains("is not a file name beside it"), "{}", run.stdout);
}

/// A file that cannot be read stops the run (exit 2), whatever else was named.
#[test]
fn an_unreadable_file_among_several_is_exit_2() {
    let repo = built();
    let run = repo.run(&["verify", JSON, "dist/nope.json"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("dist/nope.json` does not exist"), "{}", run.stderr);
    let run = repo.run(&["verify"]);
    assert_eq!(run.code, 2, "at least one file: {}", run.stderr);
}
