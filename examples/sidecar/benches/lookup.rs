//! Part 6 of issue 25, the runtime side, side by side in one run: a typed lookup through each
//! Wasm runtime of the build (wasmi; wasmtime too with `--features wasmtime`), through the
//! compiled-in Rust module (`--emit rust`), and by parsing the JSON artifact with serde_json; the
//! host's own share of a lookup; and the swap (read, validate, compile, prove, switch) per runtime
//! for the example and a large module, stage by stage.
//!
//! `bash examples/sidecar/bench.sh` builds the inputs with rulesctl and runs this; by hand:
//! `RULESET_WASM=… RULESET_JSON=… [RULESET_WASM_BIG=… RULESET_JSON_BIG=…] RULESET_RS=… cargo
//! bench --manifest-path examples/sidecar/Cargo.toml --features wasmtime`. An input that is not
//! given is measured on a hand-written module instead (the ABI's host overhead only, no pointer
//! walk), and says so. Numbers, not assertions: a benchmark is never a timed test.

#[path = "../tests/support/mod.rs"]
mod support;

#[cfg(embedded)]
#[allow(dead_code)]
mod ruleset {
    include!(concat!(env!("OUT_DIR"), "/ruleset.rs"));
}

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use ruleset_sidecar::module::{Engine, Limits, Ruleset, Runtime, Scalar, Stages};
use ruleset_sidecar::swap::Current;

const POINTER: &str = "/spawn_configs/frost_peaks/base_rate";

/// The median of `runs` timings of `iterations` calls, per call (wall time).
fn time(runs: usize, iterations: u32, f: impl FnMut()) -> Duration {
    time_cpu(runs, iterations, f).0
}

/// [`time`], and the CPU time this thread spent per call over all runs (when Linux tells it):
/// on a shared machine the wall time grows with the load, the CPU time much less.
fn time_cpu(runs: usize, iterations: u32, mut f: impl FnMut()) -> (Duration, Option<Duration>) {
    let cpu_start = thread_cpu();
    let mut samples: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..iterations {
                f();
            }
            start.elapsed() / iterations
        })
        .collect();
    let calls = u32::try_from(runs).unwrap_or(u32::MAX).saturating_mul(iterations).max(1);
    // Under 0.2 s in all, 10 ms ticks say nothing.
    let total = thread_cpu().zip(cpu_start).map(|(end, start)| end.saturating_sub(start));
    let cpu = total.filter(|total| *total >= Duration::from_millis(200)).map(|total| total / calls);
    (median(&mut samples), cpu)
}

/// User + system CPU time of this thread so far, from `/proc/thread-self/stat` (in clock ticks,
/// 10 ms each: only sums over many calls mean anything).
fn thread_cpu() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
    // The fields after the command name (which may hold spaces) in parentheses; utime and
    // stime are the 14th and 15th fields of the line.
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10))
}

fn cpu_note(cpu: Option<Duration>) -> String {
    cpu.map(|cpu| format!(" [CPU {cpu:?}]")).unwrap_or_default()
}

fn median(samples: &mut [Duration]) -> Duration {
    samples.sort();
    samples.get(samples.len() / 2).copied().unwrap_or_default()
}

fn input(variable: &str) -> Option<(String, Vec<u8>)> {
    let path = std::env::var(variable).ok()?;
    match std::fs::read(&path) {
        Ok(bytes) => Some((path, bytes)),
        Err(err) => {
            eprintln!("{variable}={path}: {err}");
            None
        }
    }
}

fn main() {
    let limits = Limits::default();
    let engines: Vec<Engine> = Runtime::ALL
        .iter()
        .filter_map(|runtime| Engine::new(*runtime).map_err(|e| eprintln!("{}: {e}", runtime.name())).ok())
        .collect();
    let (what, wasm) = input("RULESET_WASM")
        .unwrap_or_else(|| ("hand-written module (host overhead only)".into(), support::fake("v2.4.1", 8).wasm()));
    let runtimes: Vec<&str> = engines.iter().map(|e| e.runtime().name()).collect();
    println!("wasm module: {what} ({} bytes); runtimes: {}", wasm.len(), runtimes.join(", "));

    // Lookups, side by side.
    #[cfg(embedded)]
    let native = {
        let (native, cpu) = time_cpu(11, 5_000_000, || {
            black_box(ruleset::spawn_config(black_box("frost_peaks")).map(|s| s.base_rate));
        });
        println!("lookup frost_peaks.base_rate, compiled-in Rust: {native:?}{}", cpu_note(cpu));
        Some(native)
    };
    #[cfg(not(embedded))]
    let native: Option<Duration> = {
        println!("lookup, compiled-in Rust: skipped (set RULESET_RS to a --emit rust module)");
        None
    };
    let fake = support::fake("v2.4.1", 8).wasm();
    let mut lookups = Vec::new();
    let mut reads: Vec<(&str, Duration)> = Vec::new();
    for engine in &engines {
        let name = engine.runtime().name();
        let Ok(module) = Ruleset::load(engine, &wasm, limits, None) else {
            eprintln!("{what} does not load in {name}");
            continue;
        };
        let (lookup, cpu) = time_cpu(11, if name == "wasmi" { 50_000 } else { 200_000 }, || {
            black_box(module.get(black_box(POINTER)).ok());
        });
        let value = match module.get(POINTER) {
            Ok(Scalar::Integer(value)) => value.to_string(),
            other => format!("{other:?}"),
        };
        let versus = native.map(|n| format!(", {:.1}x native", ratio(lookup, n))).unwrap_or_default();
        println!("lookup {POINTER}, {name}: {lookup:?}{} (= {value}{versus})", cpu_note(cpu));
        // A separate measure, not the pointer lookup: the pointer resolved once per module
        // (`Ruleset::prepare`, as a host that keeps the handle until the next swap would), then
        // one `as_*` call per read.
        if let Ok(prepared) = module.prepare(POINTER) {
            let (read, cpu) = time_cpu(11, 1_000_000, || {
                black_box(module.read(black_box(&prepared)).ok());
            });
            let versus = native.map(|n| format!(", {:.1}x native", ratio(read, n))).unwrap_or_default();
            println!(
                "  prepared read (handle resolved once per module, 1 call), {name}: {read:?}{}{versus}",
                cpu_note(cpu)
            );
            reads.push((name, read));
        }
        // The host's share: the same request on a module whose `lookup` returns at once (write
        // the query once, then three calls: lookup, kind, as_i64, each with its fuel refill).
        if let Ok(host) = Ruleset::load(engine, &fake, limits, None) {
            let (overhead, cpu) = time_cpu(11, 500_000, || {
                black_box(host.get(black_box(POINTER)).ok());
            });
            println!(
                "  of which host overhead ({name}: query written once, 3 calls, 3 fuel refills): {overhead:?}{}",
                cpu_note(cpu)
            );
        }
        lookups.push((name, lookup, module));
    }

    for (json, big) in [("RULESET_JSON", false), ("RULESET_JSON_BIG", true)] {
        let Some((path, text)) = input(json) else {
            println!("parse, serde_json: skipped (set {json})");
            continue;
        };
        let parse = time(5, if big { 3 } else { 200 }, || {
            let value: Option<serde_json::Value> = serde_json::from_slice(black_box(&text)).ok();
            black_box(value.as_ref().and_then(|v| v.pointer(&format!("/ruleset{POINTER}"))).cloned());
        });
        let versus: Vec<String> = lookups
            .iter()
            .map(|(name, lookup, _)| format!("{:.0}x {name} lookup", ratio(parse, *lookup)))
            .chain(reads.iter().map(|(name, read)| format!("{:.0}x {name} prepared read", ratio(parse, *read))))
            .collect();
        println!(
            "parse {path} ({} bytes) and read the value, serde_json: {parse:?} ({})",
            text.len(),
            versus.join(", ")
        );
    }

    // Swaps, per runtime and stage.
    let Some((_, _, first)) = lookups.pop() else { return };
    let current = Current::new(first);
    for (variable, json) in [("RULESET_WASM", None), ("RULESET_WASM_BIG", Some("RULESET_JSON_BIG"))] {
        let (what, path) = match (std::env::var(variable), json.and_then(input)) {
            (Ok(path), _) => (path.clone(), Some(path)),
            (Err(_), Some((json, text))) => {
                // No real module that large: the same bytes as canonical data, without the node
                // tables a real module adds.
                let parsed: Option<serde_json::Value> = serde_json::from_slice(&text).ok();
                let Some(blob) = parsed.and_then(|v| serde_json::to_string(&v["ruleset"]).ok()) else { continue };
                let fake = support::Fake { blob: Some(blob), ..support::fake("v9.0.0", 1) };
                let file = std::env::temp_dir().join(format!("sidecar-bench-{}.wasm", std::process::id()));
                if std::fs::write(&file, fake.wasm()).is_err() {
                    continue;
                }
                (
                    format!("hand-written module carrying {json}'s ruleset as its canonical data"),
                    Some(file.display().to_string()),
                )
            }
            (Err(_), None) if json.is_none() => (what.clone(), None),
            _ => continue,
        };
        for engine in &engines {
            let name = engine.runtime().name();
            let mut size = 0;
            let mut stages: Vec<(Duration, Stages, Duration)> = Vec::new();
            let (swap, cpu) = time_cpu(9, 3, || {
                let start = Instant::now();
                let bytes = match &path {
                    Some(path) => std::fs::read(path).unwrap_or_default(),
                    None => wasm.clone(),
                };
                let read = start.elapsed();
                size = bytes.len();
                if let Ok((next, staged)) = Ruleset::load_staged(engine, &bytes, limits, None) {
                    let switch = Instant::now();
                    black_box(current.set(Arc::new(next)));
                    stages.push((read, staged, switch.elapsed()));
                }
            });
            let stage = |f: fn(&(Duration, Stages, Duration)) -> Duration| {
                let mut samples: Vec<Duration> = stages.iter().map(f).collect();
                median(&mut samples)
            };
            println!("swap, {name}, {what} ({size} bytes): {swap:?}{}", cpu_note(cpu));
            println!(
                "  medians: read {:?}, compile {:?}, instantiate {:?}, SHA-256 {:?}, rest of the proof {:?}, switch {:?}",
                stage(|s| s.0),
                stage(|s| s.1.compile),
                stage(|s| s.1.instantiate),
                stage(|s| s.1.hash),
                stage(|s| s.1.rest),
                stage(|s| s.2),
            );
        }
    }
}

fn ratio(a: Duration, b: Duration) -> f64 {
    a.as_secs_f64() / b.as_secs_f64().max(1e-12)
}
