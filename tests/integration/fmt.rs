//! `rulesctl fmt`: canonical layout, comments kept, meaning unchanged, atomic rewrites.

use std::path::Path;

use crate::support::Repo;

const MESSY: &str = "# Crystal caves.\n\n\n   spawn_config   {\n region = \"crystal_caves\"   # the cave\n      base_rate=12\n  max_concurrent     = 45\n\n  cooldown_ms = 8000\n  loot_table = \"tier_3_drops\"   \n}\nevent_stream {\n  region = \"crystal_caves\"\n  max_len = 5000\n  max_in_flight = 32\n  backoff_multiplier = 2.0\n  max_backoff_ms = 8000\n}\n// the end";
const TIDY: &str = "# Crystal caves.\n\nspawn_config {\n  region         = \"crystal_caves\" # the cave\n  base_rate      = 12\n  max_concurrent = 45\n\n  cooldown_ms = 8000\n  loot_table  = \"tier_3_drops\"\n}\n\nevent_stream {\n  region             = \"crystal_caves\"\n  max_len            = 5000\n  max_in_flight      = 32\n  backoff_multiplier = 2.0\n  max_backoff_ms     = 8000\n}\n// the end\n";

fn digest(repo: &Repo) -> String {
    let _ = std::fs::remove_dir_all(repo.path().join("dist"));
    let run = repo.run(&["build", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    run.json()["digest"].as_str().unwrap_or_default().to_string()
}

#[test]
fn check_lists_files_and_fmt_rewrites_them() {
    let repo = Repo::base();
    repo.write("rules/caves.hcl", MESSY);
    let check = repo.run(&["fmt", "--check"]);
    assert_eq!(check.code, 1);
    assert!(check.stdout.contains("would reformat rules/caves.hcl\n"), "{}", check.stdout);
    assert!(!check.stdout.contains("ruleset.hcl"), "tidy files are not listed");
    assert_eq!(repo.read("rules/caves.hcl"), MESSY, "--check writes nothing");
    let fmt = repo.run(&["fmt"]);
    assert_eq!(fmt.code, 0, "{}", fmt.stdout);
    assert_eq!(repo.read("rules/caves.hcl"), TIDY);
    assert_eq!(repo.run(&["fmt", "--check"]).code, 0, "idempotent");
    let temps: Vec<_> = std::fs::read_dir(repo.path().join("rules"))
        .expect("dir")
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".rulesctl-tmp"))
        .collect();
    assert!(temps.is_empty());
}

#[test]
fn formatting_never_changes_the_digest() {
    let repo = Repo::base();
    repo.write("rules/caves.hcl", MESSY);
    let before = digest(&repo);
    assert_eq!(repo.run(&["fmt"]).code, 0);
    assert_eq!(digest(&repo), before);
}

#[test]
fn every_comment_is_kept() {
    let repo = Repo::base();
    repo.write("rules/caves.hcl", MESSY);
    assert_eq!(repo.run(&["fmt"]).code, 0);
    let out = repo.read("rules/caves.hcl");
    for comment in ["# Crystal caves.", "# the cave", "// the end"] {
        assert!(out.contains(comment), "{comment} lost:\n{out}");
    }
}

#[test]
fn fmt_is_idempotent_on_every_fixture_and_example() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    collect(&root.join("tests/fixtures"), &mut files);
    // The conformance corpus has its own, batched test (conformance.rs).
    files.retain(|f| !f.starts_with(root.join("tests/fixtures/conformance")));
    collect(&root.join("examples/rules"), &mut files);
    assert!(files.len() > 20);
    for file in files {
        let Ok(text) = std::fs::read_to_string(&file) else { continue };
        let repo = Repo::empty();
        repo.write("rules/x.hcl", &text);
        let first = repo.run(&["fmt"]);
        if first.code != 0 {
            // Unreadable or invalid HCL (the fixtures for L002, L003, S001): reported, untouched.
            assert!(first.stdout.contains("error["), "{}: {}", file.display(), first.stdout);
            assert_eq!(
                std::fs::read(repo.path().join("rules/x.hcl")).ok(),
                std::fs::read(&file).ok(),
                "{}",
                file.display()
            );
            continue;
        }
        let once = repo.read("rules/x.hcl");
        assert_eq!(repo.run(&["fmt", "--check"]).code, 0, "{} is not stable:\n{once}", file.display());
    }
}

fn collect(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, out);
        } else if path.extension().is_some_and(|e| e == "hcl") {
            out.push(path);
        }
    }
}

#[test]
fn the_bundled_example_is_formatted() {
    let run = crate::support::run_at(Path::new(env!("CARGO_MANIFEST_DIR")), &["fmt", "--check"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
}

#[test]
fn a_file_that_does_not_parse_is_left_alone() {
    let repo = Repo::base();
    repo.write("rules/broken.hcl", "spawn_config {\n  region = \n");
    let run = repo.run(&["fmt", "--format", "json"]);
    assert_eq!(run.code, 1);
    assert_eq!(run.codes(), ["S001"]);
    assert_eq!(repo.read("rules/broken.hcl"), "spawn_config {\n  region = \n");
}

#[test]
fn paths_limit_what_is_formatted_and_crlf_is_normalised() {
    let repo = Repo::base();
    repo.write("rules/caves.hcl", MESSY);
    repo.write("rules/loot.hcl", repo.read("rules/loot.hcl").replace('\n', "\r\n"));
    let run = repo.run(&["fmt", "rules/loot.hcl"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(run.stdout.contains("reformatted rules/loot.hcl") && !run.stdout.contains("caves"), "{}", run.stdout);
    assert!(!repo.read("rules/loot.hcl").contains('\r'));
    assert_eq!(repo.read("rules/caves.hcl"), MESSY);
}

/// A `\u` escape in a string or a label, and comments between a block's type, its labels and
/// `{`, are kept as written; fmt used to refuse such files (F001) although `check` accepts them.
/// The refusal itself (F001) is pinned by the unit tests of `format`: no valid input
/// reaches it any more.
#[test]
fn escapes_and_comments_in_block_headers_are_kept() {
    let repo = Repo::base();
    let escaped = "ruleset_version = \"v1.0\\u002e0\"\n";
    repo.write("rules/ruleset.hcl", repo.read("rules/ruleset.hcl").replace("ruleset_version = \"v1.0.0\"\n", escaped));
    let loot = "loot_table /* the table */ \"tier\\u005f3_drops\" /* opens */ {\n  item \"dragon\\u005fscale\" { weight = 5 }\n  item \"gold_coin\" { weight = 95 }\n}\n";
    repo.write("rules/loot.hcl", loot);
    assert_eq!(repo.run(&["check"]).code, 0, "the escaped names are valid rules");
    let before = digest(&repo);
    let check = repo.run(&["fmt", "--check", "--format", "json"]);
    assert_eq!(check.code, 0, "{}", check.stdout);
    assert_eq!(check.codes(), Vec::<String>::new());
    repo.write("rules/loot.hcl", loot.replace(" {\n", "{\n").replace("  item", "item"));
    let fmt = repo.run(&["fmt"]);
    assert_eq!(fmt.code, 0, "{}", fmt.stdout);
    assert_eq!(repo.read("rules/loot.hcl"), loot);
    assert_eq!(digest(&repo), before);
}

#[test]
fn fmt_dash_formats_standard_input_to_standard_output_anywhere() {
    let outside = tempfile::tempdir().expect("temporary folder");
    let run = crate::support::run_stdin(outside.path(), &["fmt", "-"], MESSY.as_bytes());
    assert_eq!((run.code, run.stdout.as_str(), run.stderr.as_str()), (0, TIDY, ""), "no repository needed");
    let crlf = format!("\u{feff}{}", TIDY.replace('\n', "\r\n"));
    let run = crate::support::run_stdin(outside.path(), &["fmt", "-"], crlf.as_bytes());
    assert_eq!((run.code, run.stdout.as_str()), (0, TIDY), "byte-order mark and CRLF dropped");
}

#[test]
fn fmt_check_dash_says_by_its_exit_status_whether_stdin_is_formatted() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let messy = crate::support::run_stdin(dir.path(), &["fmt", "--check", "-"], MESSY.as_bytes());
    assert_eq!((messy.code, messy.stdout.as_str(), messy.stderr.as_str()), (1, "", ""));
    let tidy = crate::support::run_stdin(dir.path(), &["fmt", "--check", "-"], TIDY.as_bytes());
    assert_eq!((tidy.code, tidy.stdout.as_str(), tidy.stderr.as_str()), (0, "", ""));
}

#[test]
fn fmt_dash_reports_what_it_cannot_format_on_stderr() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let broken =
        crate::support::run_stdin(dir.path(), &["fmt", "-", "--format", "json"], b"spawn_config {\n  region = \n");
    assert_eq!((broken.code, broken.stdout.as_str()), (1, ""), "{}", broken.stderr);
    let report: serde_json::Value = serde_json::from_str(&broken.stderr).expect("JSON report on stderr");
    assert_eq!(report["diagnostics"][0]["code"], "S001");
    assert_eq!(report["diagnostics"][0]["file"], "<stdin>");
    let big = vec![b'#'; 8 * 1024 * 1024 + 1];
    let large = crate::support::run_stdin(dir.path(), &["fmt", "-"], &big);
    assert_eq!((large.code, large.stdout.as_str()), (1, ""));
    assert!(large.stderr.contains("L004") && large.stderr.contains("over the limit"), "{}", large.stderr);
    let binary = crate::support::run_stdin(dir.path(), &["fmt", "-"], b"a = 1\n\xff\n");
    assert_eq!((binary.code, binary.stdout.as_str()), (1, ""));
    assert!(binary.stderr.contains("L002"), "{}", binary.stderr);
    let mixed = crate::support::run_stdin(dir.path(), &["fmt", "-", "rules"], b"a = 1\n");
    assert_eq!(mixed.code, 2, "{}", mixed.stderr);
}

#[test]
fn fmt_diff_prints_a_patch_that_applies_and_writes_nothing() {
    let repo = Repo::base();
    assert_eq!(repo.run(&["fmt"]).code, 0);
    repo.write("rules/caves.hcl", MESSY);
    let run = repo.run(&["fmt", "--diff"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stdout.starts_with("--- a/rules/caves.hcl\n+++ b/rules/caves.hcl\n@@ -1,"), "{}", run.stdout);
    assert!(run.stdout.contains("\n-      base_rate=12\n") && run.stdout.contains("\n+  base_rate      = 12\n"));
    assert!(!run.stdout.contains("loot.hcl"), "a formatted file is not listed");
    assert_eq!(run.stderr, "", "no report when everything could be formatted");
    assert_eq!(repo.read("rules/caves.hcl"), MESSY, "--diff writes nothing");
    repo.write("fmt.patch", &run.stdout);
    crate::support::git(repo.path(), &["apply", "fmt.patch"]);
    assert_eq!(repo.read("rules/caves.hcl"), TIDY, "the diff is the change fmt makes");
    repo.write("rules/loot.hcl", repo.read("rules/loot.hcl").replace('{', "{ "));
    let fmt = repo.run(&["fmt"]);
    assert_eq!(fmt.code, 0);
    let clean = repo.run(&["fmt", "--diff"]);
    assert_eq!((clean.code, clean.stdout.as_str(), clean.stderr.as_str()), (0, "", ""));
}

#[test]
fn fmt_diff_keeps_the_report_off_stdout() {
    let repo = Repo::base();
    repo.write("rules/caves.hcl", MESSY);
    repo.write("rules/broken.hcl", "spawn_config {\n");
    repo.write("rules/loot.hcl", repo.read("rules/loot.hcl").replace('\n', "\r\n"));
    let run = repo.run(&["fmt", "--diff", "--format", "json"]);
    assert_eq!(run.code, 1);
    let report: serde_json::Value = serde_json::from_str(&run.stderr).expect("JSON report on stderr");
    assert_eq!(report["diagnostics"][0]["code"], "S001");
    assert!(run.stdout.starts_with("--- a/rules/caves.hcl\n"), "{}", run.stdout);
    assert!(run.stdout.contains("--- a/rules/loot.hcl\n"), "CRLF line ends are a change: {}", run.stdout);
    assert!(!run.stdout.contains("broken"), "{}", run.stdout);
}

/// The cases of the issue, through the binary: each input comes out as written.
#[test]
fn fmt_keeps_star_lines_empty_braces_heredocs_and_header_comments() {
    let dir = tempfile::tempdir().expect("temporary folder");
    for kept in [
        "spawn_config {\n  /*\n     * the stars stay\n   *   where they were\n   */\n  region = \"a\"\n}\n",
        "loot_table \"t\" {\n  item \"a\" {}\n}\n",
        "a = <<EOT\n  as written   \n\nEOT\n",
        "item /* type */ \"x\" /* label */ { weight = 1 }\n",
        "region = \"caves\\u005f1\\U0001F600\\t\"\n",
    ] {
        let run = crate::support::run_stdin(dir.path(), &["fmt", "-"], kept.as_bytes());
        assert_eq!((run.code, run.stdout.as_str(), run.stderr.as_str()), (0, kept, ""), "{kept}");
    }
    let run = crate::support::run_stdin(dir.path(), &["fmt", "-"], b"item \"a\" { }\n");
    assert_eq!(run.stdout, "item \"a\" {}\n");
}
