//! One fixture per diagnostic code: the code fires, and its human and JSON output are pinned.

use std::collections::BTreeSet;
use std::path::Path;

use crate::support::{Repo, Run, FIXTURES};

/// Codes pinned by other tests: inputs that cannot live in git portably (links, FIFOs), built in
/// `bad_input`; the codes of `build` and `verify`, pinned in `artifact` and `emit_rust`; the version-bump codes,
/// which need git history, pinned in `git`; F001 (fmt refusing a change beyond whitespace), which
/// no valid input reaches any more: its safety net is pinned by the unit tests of `format`.
const BUILT_IN_TESTS: &[&str] =
    &["L001", "L005", "A001", "A002", "V001", "V002", "V003", "V004", "V005", "V006", "F001", "G001", "G002", "G003"];

fn fixture_dirs() -> Vec<(String, std::path::PathBuf)> {
    let mut dirs: Vec<_> = std::fs::read_dir(Path::new(FIXTURES).join("codes"))
        .expect("fixtures/codes")
        .map(|e| e.expect("entry"))
        .map(|e| (e.file_name().to_string_lossy().into_owned(), e.path()))
        .collect();
    dirs.sort();
    dirs
}

/// Snapshots the human and JSON reports of `rulesctl check` in `repo` under `name`.
pub fn pin(name: &str, repo: &Repo) -> (Run, Run) {
    crate::support::pin(name, repo, &["check"])
}

#[test]
fn every_code_fires_on_its_fixture() {
    for (name, dir) in fixture_dirs() {
        let code = name.split('-').next().expect("code prefix");
        let repo = if code.starts_with(['H', 'Y']) { Repo::helm() } else { Repo::base() };
        repo.overlay(&dir);
        let (human, json) = pin(&name, &repo);
        assert!(json.codes().iter().any(|c| c == code), "{name}: expected {code}, got {:?}", json.codes());
        let severity = rulesctl::codes::find(code).expect("known code").severity;
        let expected_exit = if severity == rulesctl::diagnostic::Severity::Warning { 0 } else { 1 };
        assert_eq!(human.code, expected_exit, "{name}: exit code\n{}", human.stdout);
        assert!(human.stdout.contains(&format!("[{code}]")), "{name}: human output lacks {code}");
        assert!(!human.stdout.contains("hunter2") && !json.stdout.contains("hunter2"), "{name}: a secret was printed");
        // Every format puts the same primary place first.
        let first = &json.json()["diagnostics"][0];
        let place = format!("{}:{}:{}", first["file"].as_str().unwrap_or_default(), first["line"], first["column"]);
        let header = human.stdout.split("╭─[").nth(1).and_then(|h| h.split(']').next()).unwrap_or_default();
        assert_eq!(header, place, "{name}: the human report's first place is not the primary one:\n{}", human.stdout);
        let github = repo.run(&["check", "--format", "github"]).stdout;
        let expected = format!(
            "file={},line={},col={}",
            first["file"].as_str().unwrap_or_default(),
            first["line"],
            first["column"]
        );
        assert!(github.lines().next().is_some_and(|l| l.contains(&expected)), "{name}: github: {github}");
        let sarif = repo.run(&["check", "--format", "sarif"]).json();
        let region = &sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"];
        assert_eq!(
            (
                region["artifactLocation"]["uri"].as_str(),
                &region["region"]["startLine"],
                &region["region"]["startColumn"]
            ),
            (first["file"].as_str(), &first["line"], &first["column"]),
            "{name}: sarif"
        );
        for d in json.json()["diagnostics"].as_array().into_iter().flatten() {
            assert!(d["help"].as_str().is_some_and(|h| !h.is_empty()), "{name}: a diagnostic without help: {d}");
            assert!(d["file"].as_str().is_some_and(|f| !f.is_empty()), "{name}: a diagnostic without a file: {d}");
            assert!(d["line"].as_u64() >= Some(1) && d["column"].as_u64() >= Some(1), "{name}: {d}");
        }
    }
}

#[test]
fn every_code_has_a_fixture() {
    let covered: BTreeSet<String> = fixture_dirs()
        .into_iter()
        .map(|(name, _)| name.split('-').next().unwrap_or_default().to_string())
        .chain(BUILT_IN_TESTS.iter().map(|s| (*s).to_string()))
        .collect();
    for code in rulesctl::codes::all() {
        assert!(covered.contains(code.id), "{} ({}) has no fixture under tests/fixtures/codes", code.id, code.name);
    }
}

#[test]
fn fixture_names_match_code_names() {
    for (name, _) in fixture_dirs() {
        let (id, rest) = name.split_once('-').expect("ID-name");
        let code = rulesctl::codes::find(id).unwrap_or_else(|| panic!("{name}: unknown code"));
        assert_eq!(rest, code.name, "fixture {name} should be named {id}-{}", code.name);
    }
}

#[test]
fn helm_fixture_is_clean() {
    let run = Repo::helm().run(&["check", "--deny-warnings"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    // rulesctl.hcl, three rule files, the chart's schema, values.yaml and two environments.
    assert_eq!(run.stdout.trim(), "checked 8 files: 0 errors, 0 warnings");
}

#[test]
fn base_fixture_is_clean() {
    let run = Repo::base().run(&["check", "--deny-warnings"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_eq!(run.stdout.trim(), "checked 3 files: 0 errors, 0 warnings");
}
