//! Hostile and broken input: always a diagnostic naming the file, never a panic, hang or abort.

use crate::codes::pin;
use crate::support::Repo;

/// The first diagnostic with `code`, as (file, line, column).
fn at(repo: &Repo, code: &str) -> (String, u64, u64) {
    let run = repo.run(&["check", "--format", "json"]);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    let report = run.json();
    let d = report["diagnostics"]
        .as_array()
        .and_then(|ds| ds.iter().find(|d| d["code"] == code))
        .unwrap_or_else(|| panic!("no {code} in {}", run.stdout))
        .clone();
    (
        d["file"].as_str().unwrap_or_default().to_string(),
        d["line"].as_u64().unwrap_or(0),
        d["column"].as_u64().unwrap_or(0),
    )
}

#[test]
fn non_utf8_points_at_the_first_bad_byte() {
    let repo = Repo::base();
    repo.write("rules/loot.hcl", b"loot_table \"tier_3_drops\" {\n  item \"caf\xe9\" { weight = 5 }\n}\n");
    assert_eq!(at(&repo, "L002"), ("rules/loot.hcl".into(), 2, 12));
}

#[test]
fn nul_byte_points_at_the_byte() {
    let repo = Repo::base();
    repo.write("rules/loot.hcl", b"loot_table \"tier_3_drops\" {\n  item \"gold\0\" { weight = 5 }\n}\n");
    assert_eq!(at(&repo, "L003"), ("rules/loot.hcl".into(), 2, 13));
}

/// Rewrites every rule file with `transform`: the repository must still pass, and a later
/// diagnostic must land where it would without the transformation.
fn accepted_as_if_absent(transform: impl Fn(&str) -> String) {
    let repo = Repo::base();
    for file in ["rules/ruleset.hcl", "rules/caves.hcl", "rules/loot.hcl"] {
        let text = transform(&repo.read(file));
        repo.write(file, text);
    }
    let run = repo.run(&["check", "--deny-warnings"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    let caves = repo.read("rules/caves.hcl").replace("cooldown_ms    = 8000", "cooldown_ms    = 3000");
    repo.write("rules/caves.hcl", caves);
    assert_eq!(at(&repo, "X001"), ("rules/caves.hcl".into(), 5, 20));
}

#[test]
fn byte_order_mark_is_accepted_as_if_absent() {
    accepted_as_if_absent(|text| format!("\u{feff}{text}"));
}

#[test]
fn crlf_line_ends_are_accepted_as_if_absent() {
    accepted_as_if_absent(|text| text.replace('\n', "\r\n"));
}

#[test]
fn hundred_thousand_deep_nesting_is_a_diagnostic_not_a_crash() {
    let depth = 100_000;
    // Brackets are counted before parsing (S002, at the 65th); objects, parentheses and
    // templates before that, at the 5th (S001); what nests without brackets is left to the
    // parser's own guards (S001).
    let cases = [
        (format!("x = {}{}\n", "[".repeat(depth), "]".repeat(depth)), "S002", 69),
        (format!("a {}x = {}1\n", "{\n".repeat(32), "[".repeat(depth)), "S002", 37),
        (format!("x = {}1{}\n", "{a = ".repeat(depth), "}".repeat(depth)), "S001", 25),
        (format!("{}{}", "a {\n".repeat(depth), "}\n".repeat(depth)), "S002", 3),
        (format!("x = {}1\n", "(".repeat(depth)), "S001", 9),
        (format!("x = \"{}\"\n", "${\"".repeat(depth)), "S001", 18),
        (format!("x = {}true\n", "!".repeat(depth)), "S001", 0),
        (format!("x = 1{}\n", " + 1".repeat(depth)), "S001", 0),
    ];
    for (text, code, column) in cases {
        let repo = Repo::base();
        repo.write("rules/deep.hcl", &text);
        let run = repo.run(&["check", "--format", "json"]);
        assert_eq!(run.code, 1, "{}{}", &run.stdout[..run.stdout.len().min(400)], run.stderr);
        let (file, _, col) = at(&repo, code);
        assert_eq!(file, "rules/deep.hcl");
        if column > 0 {
            assert_eq!(col, column, "{}", &text[..40]);
        }
    }
}

#[test]
fn file_over_the_default_limit_is_not_read() {
    let repo = Repo::base();
    let line = "# padding padding padding padding padding padding padding padding\n";
    let big = line.repeat(8 * 1024 * 1024 / line.len() + 1);
    repo.write("rules/big.hcl", big);
    assert_eq!(at(&repo, "L004"), ("rules/big.hcl".into(), 1, 1));
}

#[test]
fn file_at_the_configured_limit_is_read() {
    let repo = Repo::base();
    let size = std::fs::metadata(repo.path().join("rules/caves.hcl")).expect("size").len();
    repo.write("rulesctl.hcl", format!("limits {{\n  max_file_bytes = {size}\n}}\n"));
    repo.write("rules/ruleset.hcl", repo.read("rules/ruleset.hcl").lines().take(1).collect::<String>() + "\n");
    repo.write("rules/timers.hcl", "event_timers {\n  world_boss_interval = 3600\n  weather_cycle = 900\n  maintenance_window = \"04:00 UTC\"\n}\n");
    repo.write("rules/bounds.hcl", "safety_bounds {\n  max_spawn_rate_multiplier = 2.5\n  min_cooldown_override = 5000\n  duplicate_event_window_ms = 3000\n}\n");
    let run = repo.run(&["check"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    repo.write("rulesctl.hcl", format!("limits {{\n  max_file_bytes = {}\n}}\n", size - 1));
    assert_eq!(at(&repo, "L004").0, "rules/caves.hcl");
}

#[test]
fn whitespace_only_file_is_an_empty_file_warning() {
    let repo = Repo::base();
    repo.write("rules/blank.hcl", "\n\n   \n");
    assert_eq!(at(&repo, "L008"), ("rules/blank.hcl".into(), 1, 1));
    assert_eq!(repo.run(&["check"]).code, 0);
    assert_eq!(repo.run(&["check", "--deny-warnings"]).code, 1);
}

#[cfg(unix)]
#[test]
fn symlink_outside_the_root_is_refused() {
    let outside = tempfile::tempdir().expect("tempdir");
    std::fs::write(outside.path().join("secret.hcl"), "ruleset_version = \"v9.9.9\"\n").expect("write");
    let repo = Repo::base();
    std::os::unix::fs::symlink(outside.path().join("secret.hcl"), repo.path().join("rules/linked.hcl"))
        .expect("symlink");
    pin("L005-symlink-outside-root", &repo);
    assert_eq!(at(&repo, "L005"), ("rules/linked.hcl".into(), 1, 1));
    let run = repo.run(&["check", "--format", "json"]);
    assert!(!run.stdout.contains("v9.9.9"), "the target must not be read");
}

#[cfg(unix)]
#[test]
fn symlinked_folder_outside_the_root_is_refused() {
    let outside = tempfile::tempdir().expect("tempdir");
    std::fs::write(outside.path().join("more.hcl"), "# nothing\n").expect("write");
    let repo = Repo::base();
    std::os::unix::fs::symlink(outside.path(), repo.path().join("rules/vendored")).expect("symlink");
    // Refused as a whole: the folder it leads to is never even listed.
    assert_eq!(at(&repo, "L005"), ("rules/vendored".into(), 1, 1));
    let run = repo.run(&["check", "--format", "json"]);
    assert!(!run.stdout.contains("more.hcl"), "{}", run.stdout);
}

#[cfg(unix)]
#[test]
fn symlink_inside_the_root_is_followed() {
    let repo = Repo::base();
    std::fs::create_dir_all(repo.path().join("shared")).expect("mkdir");
    std::fs::rename(repo.path().join("rules/loot.hcl"), repo.path().join("shared/loot.hcl")).expect("move");
    std::os::unix::fs::symlink("../shared/loot.hcl", repo.path().join("rules/loot.hcl")).expect("symlink");
    let run = repo.run(&["check", "--deny-warnings"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
}

#[cfg(unix)]
#[test]
fn symlink_loop_does_not_hang() {
    let repo = Repo::base();
    std::os::unix::fs::symlink(".", repo.path().join("rules/loop")).expect("symlink");
    let run = repo.run(&["check", "--deny-warnings"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(run.stdout.contains("checked 3 files"), "{}", run.stdout);
}

#[cfg(unix)]
#[test]
fn dangling_symlink_is_unreadable_input() {
    let repo = Repo::base();
    std::os::unix::fs::symlink("nowhere.hcl", repo.path().join("rules/dangling.hcl")).expect("symlink");
    let (human, _) = pin("L001-unreadable-file", &repo);
    assert_eq!(human.code, 2, "unreadable input exits 2");
    assert_eq!(at(&repo, "L001"), ("rules/dangling.hcl".into(), 1, 1));
}

#[cfg(unix)]
#[test]
fn fifo_named_like_a_rule_file_is_not_opened() {
    let repo = Repo::base();
    let status = std::process::Command::new("mkfifo").arg(repo.path().join("rules/pipe.hcl")).status().expect("mkfifo");
    assert!(status.success());
    assert_eq!(at(&repo, "L006"), ("rules/pipe.hcl".into(), 1, 1));
}

#[test]
fn empty_rules_folder_has_no_rule_files() {
    let repo = Repo::empty();
    std::fs::create_dir(repo.path().join("rules")).expect("mkdir");
    let run = repo.run(&["check", "--format", "json"]);
    assert_eq!(run.code, 1);
    assert_eq!(run.codes(), ["L007"]);
    assert_eq!(at(&repo, "L007"), ("rules".into(), 1, 1));
}

#[test]
fn missing_rules_folder_points_at_the_setting() {
    let repo = Repo::empty();
    repo.write("rulesctl.hcl", "paths {\n  rules = \"gone\"\n}\n");
    assert_eq!(at(&repo, "L007"), ("rulesctl.hcl".into(), 2, 11));
}

#[test]
fn paths_may_not_leave_the_repository() {
    let repo = Repo::base();
    repo.write("rulesctl.hcl", "paths {\n  rules = \"../elsewhere\"\n}\n");
    assert_eq!(at(&repo, "D008"), ("rulesctl.hcl".into(), 2, 11));
}

#[test]
fn broken_project_file_is_reported_and_rules_still_checked() {
    let repo = Repo::base();
    repo.write("rulesctl.hcl", "paths {\n");
    repo.write(
        "rules/caves.hcl",
        repo.read("rules/caves.hcl").replace("cooldown_ms    = 8000", "cooldown_ms    = 3000"),
    );
    let codes = repo.run(&["check", "--format", "json"]).codes();
    assert_eq!(codes, ["X001", "S001"]);
}

/// A tiny deterministic generator, so the mutation test needs no extra crate.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % n as u64).unwrap_or(0)
    }
}

/// Random byte-level damage to valid rule files never makes rulesctl panic or exit oddly.
#[test]
fn mutated_rule_files_never_crash() {
    let base = Repo::base();
    let originals: Vec<Vec<u8>> =
        ["rules/caves.hcl", "rules/ruleset.hcl"].iter().map(|f| base.read(f).into_bytes()).collect();
    let alphabet = b"{}[]()\"$%=#*/\\\n\r\t .,:?!-<>0123456789aeznull\xff\x00\xc3";
    let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
    let repo = Repo::base();
    for round in 0..150 {
        let which = rng.below(originals.len());
        let mut bytes = originals[which].clone();
        for _ in 0..=rng.below(6) {
            let at = rng.below(bytes.len() + 1);
            match rng.below(3) {
                0 => bytes.insert(at, alphabet[rng.below(alphabet.len())]),
                1 if at < bytes.len() => {
                    bytes.remove(at);
                }
                _ => bytes.truncate(at.max(1)),
            }
        }
        repo.write(["rules/caves.hcl", "rules/ruleset.hcl"][which], &bytes);
        let run = repo.run(&["check", "--format", "json"]);
        assert!(
            matches!(run.code, 0 | 1),
            "round {round}: exit {} for {:?}\n{}",
            run.code,
            String::from_utf8_lossy(&bytes),
            run.stderr
        );
        assert!(!run.stderr.contains("panicked"), "round {round}: {}", run.stderr);
        let report = run.json();
        for d in report["diagnostics"].as_array().into_iter().flatten() {
            assert!(d["line"].as_u64().unwrap_or(0) >= 1 && d["column"].as_u64().unwrap_or(0) >= 1, "{d}");
        }
        repo.write(["rules/caves.hcl", "rules/ruleset.hcl"][which], &originals[which]);
    }
}
