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
    assert_eq!(first.errors(), 0, "{}", report(&first));
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
        assert_eq!(report(&incremental), report(&full), "step {step}: {rel}");
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
    assert_eq!(report(&incremental), report(&full));
    assert_eq!(full.errors(), 2, "{}", report(&full));
}
