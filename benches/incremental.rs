//! `cargo bench --bench incremental`: how long re-analysis takes after one file changes, in a
//! repository of 10,000 rule files (bench/gen.py's shape), through `pipeline::Workspace`: the
//! path `check --watch` and the language server take. Prints medians; asserts no time.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use rulesctl::pipeline::{analyze, Workspace};
use rulesctl::source::WorkTree;

/// The allocator of the `rulesctl` binary (src/main.rs), which the language server and
/// `check --watch` run in.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn median(mut runs: Vec<Duration>) -> Duration {
    runs.sort();
    runs[runs.len() / 2]
}

fn main() {
    let files: usize = std::env::var("FILES").ok().and_then(|v| v.parse().ok()).unwrap_or(10_000);
    let dir = tempfile::tempdir().expect("tempdir");
    let gen = Path::new(env!("CARGO_MANIFEST_DIR")).join("bench/gen.py");
    let status = Command::new("python3").arg(gen).arg(dir.path()).arg(files.to_string()).status().expect("python3");
    assert!(status.success(), "bench/gen.py failed");
    let root = dir.path().to_path_buf();

    let start = Instant::now();
    let full = analyze(&WorkTree::new(root.clone()), None);
    let full_time = start.elapsed();
    assert_eq!(full.errors(), 0);

    let mut workspace = Workspace::new(root.clone());
    let start = Instant::now();
    let _ = workspace.analyze();
    let first = start.elapsed();

    let rel = "rules/part_00042.hcl";
    let original = std::fs::read_to_string(root.join(rel)).expect("read");
    let mut buffers = BTreeMap::new();
    let mut runs = Vec::new();
    for i in 0..21 {
        // Alternate a valid edit and a broken one, as typing does.
        let text = if i % 2 == 0 {
            original.replace("max_len            = 5000", "max_len            = 5001")
        } else {
            original.replace('}', "")
        };
        buffers.insert(rel.to_string(), text.clone());
        workspace.set_buffer(rel, Some(text));
        let start = Instant::now();
        let analysis = workspace.analyze();
        runs.push(start.elapsed());
        assert_eq!(analysis.errors() > 0, i % 2 == 1);
    }
    println!(
        "| files | full `analyze` | first `Workspace::analyze` | re-analysis after one buffer edit (median of 21) |"
    );
    println!("| --- | --- | --- | --- |");
    println!(
        "| {files} | {:.1} ms | {:.1} ms | {:.1} ms |",
        full_time.as_secs_f64() * 1000.0,
        first.as_secs_f64() * 1000.0,
        median(runs).as_secs_f64() * 1000.0
    );
}
