//! What the fuzz targets (`fuzz/`, docs/src/engineering/fuzzing.md) found, kept as regression tests: each input under
//! `tests/fixtures/fuzz/<target>/` goes through the real binary, which must answer with a
//! diagnostic that names a file, line and column, never a panic.

use std::path::Path;

use crate::support::{Repo, Run, FIXTURES};

/// A finding's input, as the fuzzer wrote it (minimized).
fn finding(target: &str, name: &str) -> Vec<u8> {
    let path = Path::new(FIXTURES).join("fuzz").join(target).join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The run ended as rulesctl promises to end: a documented exit status, no panic.
fn no_panic(run: &Run) {
    assert!(matches!(run.code, 0..=2), "exit {}: {}", run.code, run.stderr);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
}

/// The diagnostics of a JSON report with `code`, as (file, line, column, has help).
fn places(run: &Run, code: &str) -> Vec<(String, u64, u64, bool)> {
    let report = run.json();
    let all = report["diagnostics"].as_array().cloned().unwrap_or_default();
    all.iter()
        .filter(|d| d["code"] == code)
        .map(|d| {
            let help = d["help"].as_str().is_some_and(|h| !h.is_empty());
            let file = d["file"].as_str().unwrap_or_default().to_string();
            (file, d["line"].as_u64().unwrap_or(0), d["column"].as_u64().unwrap_or(0), help)
        })
        .collect()
}

/// `rules`: a repository whose only rule file is empty passed `check` and `build` exited 0
/// without writing an artifact. It is missing what must appear once: D007, at the file.
#[test]
fn rules_only_empty_rule_files_are_missing_the_ruleset() {
    let repo = Repo::empty();
    repo.write("rules/input.hcl", finding("rules", "empty-rule-file.hcl"));
    let run = repo.run(&["check", "--format", "json"]);
    no_panic(&run);
    assert_eq!(run.code, 1, "{}", run.stdout);
    let at = ("rules/input.hcl".to_string(), 1, 1, true);
    assert_eq!(places(&run, "D007"), vec![at.clone(), at.clone(), at.clone()], "{}", run.stdout);
    assert_eq!(places(&run, "L008"), vec![at]);
    let build = repo.run(&["build"]);
    no_panic(&build);
    assert_eq!(build.code, 1, "{}", build.stdout);
    assert!(!repo.path().join("dist").exists(), "nothing is written");
}

/// Runs `rulesctl ARGS` in `repo`: it ends as promised. No clock: without the bound these inputs
/// take the parser minutes to hours, so the test would never end, and the syntax error at the
/// fifth opener (asserted below) comes only from the scan before the parser.
fn timed(repo: &Repo, args: &[&str]) -> Run {
    let run = repo.run(args);
    no_panic(&run);
    run
}

/// `fmt` (two timeouts): broken files with parentheses, objects and templates nested deep (in
/// an unclosed heredoc; in an object's keys) took hcl-edit's parser seconds to minutes (its
/// work doubles with each level). Nesting them more than 4 deep is a syntax error at the
/// opener, found before parsing, by `check` and `fmt` alike.
#[test]
fn fmt_deeply_nested_expressions_are_a_syntax_error_not_a_hang() {
    let repo = Repo::base();
    for (name, line, column) in [("nested-expressions-timeout.hcl", 4, 1085), ("nested-objects-timeout.hcl", 1, 23)] {
        repo.write("rules/deep.hcl", finding("fmt", name));
        let check = timed(&repo, &["check", "--format", "json"]);
        assert_eq!(check.code, 1, "{name}: {}", check.stdout);
        let at = ("rules/deep.hcl".to_string(), line, column, true);
        assert_eq!(places(&check, "S001"), vec![at.clone()], "{name}: {}", check.stdout);
        let fmt = timed(&repo, &["fmt", "--check", "--format", "json", "rules/deep.hcl"]);
        assert_eq!(fmt.code, 1, "{name}: {}", fmt.stdout);
        assert_eq!(places(&fmt, "S001"), vec![at], "{name}");
    }
    // The smallest shapes: each level doubles the parser's work on a broken file.
    let levels = 28;
    // The fifth opener is one level too many.
    for (unit, column) in [("(1 + 1 + ", 41), ("{a + b + ", 41), ("a[a + b + ", 46)] {
        repo.write("rules/deep.hcl", format!("x = {}<\n", unit.repeat(levels)));
        let check = timed(&repo, &["check", "--format", "json"]);
        let at = ("rules/deep.hcl".to_string(), 1, column, true);
        assert_eq!(places(&check, "S001"), vec![at], "{unit}: {}", check.stdout);
    }
}
