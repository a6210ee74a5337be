//! Incremental analysis (`pipeline::Workspace`) gives exactly the diagnostics of a full run,
//! over a long sequence of random edits: on disk and in unsaved buffers, files changed, broken,
//! created and deleted.

use std::collections::BTreeMap;

use rulesctl::pipeline::{analyze, Analysis, Workspace};
use rulesctl::report::{render, Extra, OutputFormat, Summary, View};
use rulesctl::source::{Overlay, WorkTree};

use crate::support::Repo;

/// The whole JSON report of an analysis, and its file count.
fn report(a: &Analysis) -> String {
    let summary = Summary::of(&a.diagnostics, a.files);
    render(View::of(OutputFormat::Json), &a.diagnostics, &a.sources, summary, &Extra::default())
}

/// A small deterministic generator (xorshift), so a failing sequence can be replayed.
struct Rng(u64);

impl Rng {
    fn next(&mut self, below: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % below as u64) as usize
    }
}

fn region(i: usize, cooldown: usize, table: &str) -> String {
    format!(
        "spawn_config {{\n  region         = \"r{i}\"\n  base_rate      = 10\n  max_concurrent = 45\n  cooldown_ms    = {cooldown}\n  loot_table     = \"{table}\"\n}}\n\nevent_stream {{\n  region             = \"r{i}\"\n  max_len            = 5000\n  max_in_flight      = 32\n  backoff_multiplier = 2.0\n  max_backoff_ms     = 8000\n}}\n"
    )
}

#[test]
fn incremental_and_full_runs_agree_over_random_edits() {
    let repo = Repo::helm();
    for i in 0..40 {
        repo.write(&format!("rules/gen/r{i:02}.hcl"), region(i, 8000, "tier_3_drops"));
    }
    let mut workspace = Workspace::new(repo.path().to_path_buf());
    let mut buffers: BTreeMap<String, String> = BTreeMap::new();
    let mut rng = Rng(0x5eed_1234_abcd_0001);
    let first = workspace.analyze();
    assert_eq!(first.errors(), 0, "{}", report(first));
    let mut errors_seen = 0;
    for step in 0..120 {
        let i = rng.next(45);
        let rel = format!("rules/gen/r{i:02}.hcl");
        let text = match rng.next(6) {
            0 => region(i, 8000, "tier_3_drops"),
            1 => region(i, [10, 5000, 90_000_000][rng.next(3)], "tier_3_drops"),
            2 => region(i, 8000, ["no_such_table", "tier_3_drops"][rng.next(2)]),
            3 => "spawn_config {\n  region = \"broken\"\n".to_string(),
            4 => String::new(),
            _ => region(i % 3, 8000, "tier_3_drops"),
        };
        match rng.next(4) {
            // An unsaved buffer, or back to the disk.
            0 => {
                buffers.insert(rel.clone(), text.clone());
                workspace.set_buffer(&rel, Some(text));
            }
            1 if buffers.contains_key(&rel) => {
                buffers.remove(&rel);
                workspace.set_buffer(&rel, None);
            }
            // Deleted on disk.
            2 => {
                let _ = std::fs::remove_file(repo.path().join(&rel));
                workspace.file_changed(&rel);
            }
            _ => {
                repo.write(&rel, text);
                workspace.file_changed(&rel);
            }
        }
        let incremental = workspace.analyze();
        let disk = WorkTree::new(repo.path().to_path_buf());
        let full = analyze(&Overlay { base: &disk, files: &buffers }, None);
        assert_eq!(report(incremental), report(&full), "step {step}: {rel}");
        assert_eq!(incremental.files, full.files, "step {step}");
        errors_seen += usize::from(full.errors() > 0);
    }
    assert!(errors_seen > 20, "the edits must break things often enough to compare diagnostics: {errors_seen}");
}

/// A rule file's parse depends on the limits (string length, depth): when `rulesctl.hcl` changes
/// them, the files cached under the old ones are parsed again.
#[test]
fn changed_limits_parse_the_cached_files_again() {
    let repo = Repo::base();
    let mut workspace = Workspace::new(repo.path().to_path_buf());
    assert_eq!(workspace.analyze().errors(), 0);
    repo.write("rulesctl.hcl", "limits {\n  max_string_bytes = 12\n}\n");
    workspace.file_changed("rulesctl.hcl");
    let incremental = workspace.analyze();
    let full = analyze(&WorkTree::new(repo.path().to_path_buf()), None);
    assert_eq!(report(incremental), report(&full));
    assert_eq!(full.errors(), 2, "{}", report(&full));
}

/// A rule file of the names replay: which regions, streams, loot tables and references it
/// holds. `r`/`t` are region and table numbers; an `x` after one misspells it.
fn names_file(rng: &mut Rng, i: usize, others: usize) -> String {
    let j = rng.next(others);
    let spawn = |region: &str, table: &str, cooldown: usize| {
        format!("spawn_config {{\n  region         = \"{region}\"\n  base_rate      = 10\n  max_concurrent = 45\n  cooldown_ms    = {cooldown}\n  loot_table     = \"{table}\"\n}}\n\n")
    };
    let stream = |region: &str| {
        format!("event_stream {{\n  region             = \"{region}\"\n  max_len            = 5000\n  max_in_flight      = 32\n  backoff_multiplier = 2.0\n  max_backoff_ms     = 8000\n}}\n\n")
    };
    let table = |name: &str, items: &[&str]| {
        let items: String = items.iter().map(|item| format!("  item \"{item}\" {{ weight = 5 }}\n")).collect();
        format!("loot_table \"{name}\" {{\n{items}}}\n\n")
    };
    let (ri, ti, rj, tj) = (format!("r{i}"), format!("t{i}"), format!("r{j}"), format!("t{j}"));
    match rng.next(16) {
        // Whole: its own region, stream and table.
        0 | 1 => spawn(&ri, &ti, 8000) + &stream(&ri) + &table(&ti, &["gold", "iron"]),
        // A reference across files: its table is another file's (its own is gone, maybe unused).
        2 => spawn(&ri, &tj, 8000) + &stream(&ri),
        // A second spawn_config and stream for another file's region, and its own table.
        3 => spawn(&rj, &ti, 8000) + &stream(&rj) + &table(&ti, &["gold"]),
        // A misspelt reference (unresolved, with a suggestion; the table it meant is unused).
        4 => spawn(&ri, &format!("{tj}x"), 8000) + &stream(&ri) + &table(&ti, &["gold"]),
        // A stream for no region (or a misspelt one), and an unused table.
        5 => stream(&format!("{ri}x")) + &table(&ti, &["gold"]),
        // Another file's table declared again.
        6 => spawn(&ri, &ti, 8000) + &stream(&ri) + &table(&tj, &["gold"]) + &table(&ti, &["gold"]),
        // A cooldown under the minimum, and an item twice in one table.
        7 => spawn(&ri, &ti, 10) + &stream(&ri) + &table(&ti, &["gold", "gold"]),
        // A spawn_config without a region: which regions exist is unknown.
        8 => "spawn_config {\n  base_rate = 10\n}\n".to_string() + &table(&ti, &["gold"]),
        // Not valid HCL: the ruleset is partial.
        9 => "spawn_config {\n  region = \"broken\"\n".to_string(),
        10 => String::new(),
        11..=13 => spawn(&ri, &ti, 8000) + &stream(&ri) + &table(&ti, &["gold"]),
        // An empty table, and a region of its own with no stream.
        _ => spawn(&ri, &ti, 8000) + &table(&ti, &[]),
    }
}

/// Over random edits that move names between files, every analysis of the workspace equals a
/// full run: references added and removed across files, duplicates appearing and
/// disappearing, misspelt names with suggestions, files created and deleted, the ruleset
/// turning partial and back, and the safety bounds (which every block's checks read) edited.
#[test]
fn incremental_and_full_runs_agree_as_names_move_between_files() {
    let repo = Repo::base();
    const FILES: usize = 30;
    let mut rng = Rng(0x0dd_ba11_cafe_f00d);
    for i in 0..24 {
        let text = names_file(&mut Rng(0x1234 + i as u64), i, FILES);
        repo.write(&format!("rules/gen/f{i:02}.hcl"), text);
    }
    let header = std::fs::read_to_string(repo.path().join("rules/ruleset.hcl")).expect("fixture");
    let mut workspace = Workspace::new(repo.path().to_path_buf());
    let mut buffers: BTreeMap<String, String> = BTreeMap::new();
    workspace.analyze();
    let mut codes = std::collections::BTreeSet::new();
    // A file that makes the ruleset partial silences the name checks: it is mended soon.
    let unknown = |text: &str| text.contains("\"broken\"") || text.starts_with("spawn_config {\n  base_rate");
    for step in 0..300 {
        let effective =
            |rel: &str| buffers.get(rel).cloned().or_else(|| std::fs::read_to_string(repo.path().join(rel)).ok());
        let mending: Vec<usize> =
            (0..FILES).filter(|i| effective(&format!("rules/gen/f{i:02}.hcl")).is_some_and(|t| unknown(&t))).collect();
        let mend = !mending.is_empty() && rng.next(3) != 0;
        // The header's safety bounds, which every block's checks read, change one edit in eight.
        let i = if mend {
            mending[rng.next(mending.len())]
        } else if rng.next(8) == 0 {
            FILES
        } else {
            rng.next(FILES)
        };
        let (rel, text) = if i == FILES {
            let min = ["5000", "5000", "10", "9000"][rng.next(4)];
            (
                "rules/ruleset.hcl".to_string(),
                header.replace("min_cooldown_override     = 5000", &format!("min_cooldown_override     = {min}")),
            )
        } else if mend {
            let rel = format!("rules/gen/f{i:02}.hcl");
            let text = names_file(&mut Rng(0x1234 + i as u64), i, FILES);
            (rel, if unknown(&text) { String::new() } else { text })
        } else {
            (format!("rules/gen/f{i:02}.hcl"), names_file(&mut rng, i, FILES))
        };
        // Most edits are an editor's keystrokes: buffers of files that exist.
        let op = match rng.next(10) {
            _ if mend && buffers.contains_key(&rel) => 0,
            _ if mend => 9,
            op => op,
        };
        match op {
            0..=5 => {
                buffers.insert(rel.clone(), text.clone());
                workspace.set_buffer(&rel, Some(text));
            }
            6 if buffers.contains_key(&rel) => {
                buffers.remove(&rel);
                workspace.set_buffer(&rel, None);
            }
            7 => {
                let _ = std::fs::remove_file(repo.path().join(&rel));
                workspace.file_changed(&rel);
            }
            _ => {
                repo.write(&rel, text);
                workspace.file_changed(&rel);
            }
        }
        let incremental = workspace.analyze();
        let disk = WorkTree::new(repo.path().to_path_buf());
        let full = analyze(&Overlay { base: &disk, files: &buffers }, None);
        assert_eq!(report(incremental), report(&full), "step {step}: {rel}");
        assert_eq!(incremental.files, full.files, "step {step}");
        codes.extend(full.diagnostics.iter().map(|d| d.code.id));
    }
    for code in ["X001", "X003", "X004", "X005", "X006", "X007", "X008", "X009", "X010", "X011", "X012"] {
        assert!(codes.contains(code), "the edits must reach {code}: {codes:?}");
    }
}

/// An edit of a buffer is read alone: the listing of the rule files is kept until a file is
/// reported created or deleted, so a file that appeared unreported is not seen yet (at 10,000
/// files, listing them again cost a third of a keystroke), and is once reported.
#[test]
fn a_buffer_edit_keeps_the_listing_until_a_change_on_disk_is_reported() {
    let repo = Repo::base();
    let mut workspace = Workspace::new(repo.path().to_path_buf());
    assert_eq!(workspace.analyze().diagnostics.len(), 0);
    repo.write("rules/late.hcl", "loot_table \"late\" {\n  item \"gold\" { weight = 1 }\n}\n");
    let caves = std::fs::read_to_string(repo.path().join("rules/caves.hcl")).expect("fixture");
    workspace.set_buffer("rules/caves.hcl", Some(caves.replace("cooldown_ms    = 8000", "cooldown_ms    = 10")));
    let edited = workspace.analyze();
    let codes: Vec<&str> = edited.diagnostics.iter().map(|d| d.code.id).collect();
    assert_eq!(codes, ["X001"], "{}", report(edited));
    assert!(edited.sources.iter().all(|(_, f)| f.path != "rules/late.hcl"));
    workspace.file_changed("rules/late.hcl");
    let reported = workspace.analyze();
    let mut codes: Vec<&str> = reported.diagnostics.iter().map(|d| d.code.id).collect();
    codes.sort_unstable();
    assert_eq!(codes, ["X001", "X005"], "{}", report(reported));
}
