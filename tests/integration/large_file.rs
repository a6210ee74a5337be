//! A rule file larger than one parse piece (64 KiB) is parsed and decoded a piece at a time
//! (`parse::hcl_fold`), so its whole syntax tree is never in memory (issue 28 part 2). What it
//! reports must be what it reported parsed whole: the same findings at the same places, and
//! for a broken file the parser's own error, even when the break is only visible across pieces.

use serde_json::Value;

use crate::support::Repo;

/// `n` spawn regions, each with its stream and its loot table (about 650 bytes each), laid out
/// as `rulesctl fmt` lays them out.
fn regions(n: usize) -> String {
    (0..n)
        .map(|i| {
            format!(
                "# Region {i}.\nspawn_config {{\n  region         = \"big_{i}\"\n  base_rate      = 6\n  max_concurrent = 30\n  \
                 cooldown_ms    = 6000\n  loot_table     = \"big_{i}_drops\"\n}}\n\nevent_stream {{\n  region             = \
                 \"big_{i}\"\n  max_len            = 5000\n  max_in_flight      = 32\n  backoff_multiplier = 2.0\n  \
                 max_backoff_ms     = 8000\n}}\n\nloot_table \"big_{i}_drops\" {{\n  item \"gold_coin\" {{ weight = 70 }}\n  \
                 item \"iron_ore\" {{ weight = 30 }}\n}}\n"
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The base fixture with `rules/big.hcl` holding `text`, which must be over 64 KiB.
fn repo_with(text: &str) -> Repo {
    assert!(text.len() > 3 * 64 * 1024, "big.hcl must span several pieces: {} bytes", text.len());
    let repo = Repo::base();
    repo.write("rules/big.hcl", text);
    repo
}

/// Every diagnostic as (code, file, line, column, message).
fn findings(repo: &Repo) -> Vec<(String, String, u64, u64, String)> {
    let run = repo.run(&["check", "--format", "json"]);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    let report: Value = run.json();
    let text = |d: &Value, key: &str| d[key].as_str().unwrap_or_default().to_string();
    report["diagnostics"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|d| {
            (
                text(d, "code"),
                text(d, "file"),
                d["line"].as_u64().unwrap_or(0),
                d["column"].as_u64().unwrap_or(0),
                text(d, "message"),
            )
        })
        .collect()
}

/// The 1-based line and column of the first `needle` after line `after` of `text`.
fn position(text: &str, needle: &str, after: usize) -> (u64, u64) {
    let (line, col) = text
        .lines()
        .enumerate()
        .skip(after)
        .find_map(|(i, l)| l.find(needle).map(|c| (i, c)))
        .unwrap_or_else(|| panic!("`{needle}` not found"));
    ((line + 1) as u64, (col + 1) as u64)
}

#[test]
fn a_large_valid_file_passes_check_build_and_fmt() {
    let repo = repo_with(&regions(600));
    let run = repo.run(&["check", "--deny-warnings"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    let run = repo.run(&["fmt", "--check", "rules/big.hcl"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let run = repo.run(&["build", "--quiet"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
}

/// Findings in the last pieces of the file point where they did when the file was parsed
/// whole: a non-literal value, an unknown attribute and a misspelt one (whose missing twin is
/// not reported), an out-of-range weight.
#[test]
fn findings_deep_in_a_large_file_point_at_their_places() {
    let text = regions(600)
        .replacen("base_rate      = 6\n", "base_rate      = 6\n  colour         = \"red\"\n", 1)
        .replace("\"big_550\"\n  base_rate      = 6", "\"big_550\"\n  base_rate      = 6 * 2")
        .replace(
            "\"big_590\"\n  max_len            = 5000\n  max_in_flight      = 32",
            "\"big_590\"\n  max_len            = 5000\n  max_in_fligth      = 32",
        )
        .replace(
            "big_599_drops\" {\n  item \"gold_coin\" { weight = 70 }",
            "big_599_drops\" {\n  item \"gold_coin\" { weight = 0 }",
        );
    let repo = repo_with(&text);
    let file = "rules/big.hcl".to_string();
    let colour = position(&text, "colour", 0);
    let op = position(&text, "6 * 2", 0);
    let misspelt = position(&text, "max_in_fligth", 0);
    let weight = position(&text, "weight = 0", 0);
    let found: Vec<(String, String, u64, u64)> =
        findings(&repo).into_iter().map(|(code, f, line, col, _)| (code, f, line, col)).collect();
    let mut expected = vec![
        ("D003".to_string(), file.clone(), colour.0, colour.1),
        ("D001".to_string(), file.clone(), op.0, op.1),
        ("D003".to_string(), file.clone(), misspelt.0, misspelt.1),
        ("B001".to_string(), file, weight.0, weight.1 + "weight = ".len() as u64),
    ];
    expected.sort_by_key(|e| e.2);
    let codes: Vec<&str> = found.iter().map(|f| f.0.as_str()).collect();
    assert!(found.iter().all(|f| f.1 == "rules/big.hcl"), "{found:?}");
    for e in &expected {
        assert!(found.contains(e), "{e:?} expected in {found:?}");
    }
    assert!(!codes.contains(&"D006"), "a misspelt attribute is not also missing: {found:?}");
    assert!(op.0 > 500 * 20 && misspelt.0 > op.0, "the findings sit in the last pieces");
}

/// A top-level attribute assigned in the first piece and again in the last is the parser's
/// "redefined attribute", as it is in one body; each piece alone is valid HCL.
#[test]
fn a_top_level_attribute_repeated_across_pieces_is_a_syntax_error() {
    let text = format!("tuning = 1\n\n{}\ntuning = 2\n", regions(600));
    let repo = repo_with(&text);
    let second = position(&text, "tuning = 2", 1);
    let found = findings(&repo);
    assert_eq!(found.len(), 1, "{found:?}");
    let (code, file, line, column, message) = &found[0];
    assert_eq!((code.as_str(), file.as_str(), *line, *column), ("S001", "rules/big.hcl", second.0, second.1));
    assert!(message.contains("redefined attribute"), "{message}");
}

/// A block left open in the last piece: the error is the whole file's, at the opener.
#[test]
fn a_block_left_open_late_in_a_large_file_is_reported_at_its_opener() {
    let text = format!("{}\nspawn_config {{\n  region = \"late\"\n", regions(600));
    let repo = repo_with(&text);
    let opener = position(&text, "spawn_config {", text.lines().count() - 3);
    let found = findings(&repo);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(
        (found[0].0.as_str(), found[0].2, found[0].3),
        ("S001", opener.0, opener.1 + "spawn_config ".len() as u64)
    );
}
