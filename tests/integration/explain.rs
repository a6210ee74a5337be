//! `rulesctl explain` covers every code (the book's code page is pinned in docs.rs).

use std::path::Path;

use crate::support::run_at;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

#[test]
fn explain_every_code() {
    for code in rulesctl::codes::all() {
        let run = run_at(Path::new(ROOT), &["explain", code.id]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert!(run.stdout.starts_with(&format!("{} {} (", code.id, code.name)), "{}", run.stdout);
        assert!(run.stdout.contains(code.summary()), "{}", run.stdout);
        assert!(run.stdout.lines().count() > 4, "{} needs more than a summary:\n{}", code.id, run.stdout);
        let by_name = run_at(Path::new(ROOT), &["explain", code.name]);
        assert_eq!(by_name.stdout, run.stdout);
    }
}

#[test]
fn explain_unknown_code_is_a_usage_error() {
    let run = run_at(Path::new(ROOT), &["explain", "cooldown-below-minimun"]);
    assert_eq!(run.code, 2);
    assert!(run.stdout.is_empty());
    assert!(run.stderr.contains("did you mean `cooldown-below-minimum`?"), "{}", run.stderr);
}

#[test]
fn codes_are_unique() {
    let codes = rulesctl::codes::all();
    let mut ids: Vec<_> = codes.iter().map(|c| c.id).collect();
    let mut names: Vec<_> = codes.iter().map(|c| c.name).collect();
    ids.dedup();
    names.sort_unstable();
    names.dedup();
    assert_eq!(ids.len(), codes.len(), "duplicate code ids");
    assert_eq!(names.len(), codes.len(), "duplicate code names");
}

/// A near miss of a code's id or name is answered with the code meant; a far one with no guess.
#[test]
fn explain_suggests_the_code_meant() {
    for (query, meant) in [("X0001", "X001"), ("V0005", "V005"), ("cooldown-below-minimun", "cooldown-below-minimum")] {
        let run = run_at(Path::new(ROOT), &["explain", query]);
        assert_eq!(run.code, 2, "{query}");
        assert!(run.stderr.contains(&format!("did you mean `{meant}`?")), "{query}: {}", run.stderr);
    }
    let far = run_at(Path::new(ROOT), &["explain", "zzzz-nothing"]);
    assert!(!far.stderr.contains("did you mean"), "{}", far.stderr);
    assert!(far.stderr.contains("run `rulesctl explain` to list every code"), "{}", far.stderr);
}
