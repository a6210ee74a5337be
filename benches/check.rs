//! `cargo bench --bench check`: how long `rulesctl check` takes as a ruleset grows.
//!
//! Prints a Markdown table for BENCHMARKS.md: the in-process pipeline (load → parse → model →
//! check) on generated repositories, then the real binary end to end on the bundled example,
//! which is what a pre-commit hook feels. Medians of repeated runs; no timing is asserted.

use std::fmt::Write as _;
use std::path::Path;
use std::time::{Duration, Instant};

fn region(i: usize) -> String {
    format!(
        "spawn_config {{\n  region         = \"region_{i}\"\n  base_rate      = 12\n  max_concurrent = 45\n  cooldown_ms    = 8000\n  loot_table     = \"table_{i}\"\n}}\n\n\
         event_stream {{\n  region             = \"region_{i}\"\n  max_len            = 5000\n  max_in_flight      = 32\n  backoff_multiplier = 2.0\n  max_backoff_ms     = 8000\n}}\n\n\
         loot_table \"table_{i}\" {{\n  item \"gold_coin\" {{ weight = 95 }}\n  item \"dragon_scale\" {{ weight = 5 }}\n}}\n\n"
    )
}

const HEADER: &str = "ruleset_version = \"v1.0.0\"\n\nevent_timers {\n  world_boss_interval = 3600\n  weather_cycle = 900\n  maintenance_window = \"04:00 UTC\"\n}\n\nsafety_bounds {\n  max_spawn_rate_multiplier = 2.5\n  min_cooldown_override = 5000\n  duplicate_event_window_ms = 3000\n}\n";

/// A repository with `regions` regions spread over `files` files.
fn generate(dir: &Path, regions: usize, files: usize) -> u64 {
    let rules = dir.join("rules");
    std::fs::create_dir_all(&rules).expect("mkdir");
    std::fs::write(rules.join("header.hcl"), HEADER).expect("write");
    let mut bytes = HEADER.len() as u64;
    let per_file = regions.div_ceil(files);
    for f in 0..files {
        let mut text = String::new();
        for i in f * per_file..((f + 1) * per_file).min(regions) {
            text.push_str(&region(i));
        }
        bytes += text.len() as u64;
        std::fs::write(rules.join(format!("part_{f:04}.hcl")), text).expect("write");
    }
    bytes
}

fn median(mut runs: Vec<Duration>) -> Duration {
    runs.sort();
    runs[runs.len() / 2]
}

fn time(runs: usize, mut f: impl FnMut()) -> Duration {
    f();
    median(
        (0..runs)
            .map(|_| {
                let start = Instant::now();
                f();
                start.elapsed()
            })
            .collect(),
    )
}

fn main() {
    let mut out = String::from("| ruleset | files | bytes | median |\n| --- | --- | --- | --- |\n");
    for (regions, files) in [(10, 1), (100, 10), (1_000, 1), (1_000, 100), (4_000, 1), (10_000, 100)] {
        let dir = tempfile::tempdir().expect("tempdir");
        let bytes = generate(dir.path(), regions, files);
        let runs = if regions >= 4_000 { 5 } else { 15 };
        let took = time(runs, || {
            let analysis =
                rulesctl::pipeline::analyze(&rulesctl::source::WorkTree::new(dir.path().to_path_buf()), None);
            assert_eq!(analysis.errors(), 0, "generated ruleset must be valid");
        });
        let _ = writeln!(
            out,
            "| {regions} regions | {} | {} KiB | {:.1} ms |",
            files + 1,
            bytes / 1024,
            took.as_secs_f64() * 1e3
        );
    }
    let example = Path::new(env!("CARGO_MANIFEST_DIR"));
    let took = time(20, || {
        let status = std::process::Command::new(env!("CARGO_BIN_EXE_rulesctl"))
            .arg("check")
            .current_dir(example)
            .stdout(std::process::Stdio::null())
            .status()
            .expect("run rulesctl");
        assert!(status.success());
    });
    let _ = writeln!(
        out,
        "| bundled example (rules, values, 3 environments), `rulesctl check` as a process | 10 | – | {:.1} ms |",
        took.as_secs_f64() * 1e3
    );
    print!("{out}");
}
