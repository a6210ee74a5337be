//! The bundled example repository passes, from the root and from any folder below it.

use std::path::Path;

use crate::support::run_at;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

#[test]
fn bundled_example_passes_with_no_arguments() {
    let run = run_at(Path::new(ROOT), &["check", "--deny-warnings"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.ends_with("0 errors, 0 warnings\n"), "{}", run.stdout);
    let json = run_at(Path::new(ROOT), &["check", "--format", "json"]).json();
    assert_eq!(json["summary"]["errors"], 0);
    assert!(json["summary"]["files"].as_u64().unwrap_or(0) >= 5, "several rule files and rulesctl.hcl");
}

#[test]
fn bundled_example_is_found_from_a_subfolder() {
    let run = run_at(&Path::new(ROOT).join("examples/rules/regions"), &["check"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
}
