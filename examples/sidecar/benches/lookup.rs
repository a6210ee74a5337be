//! Part 6 of issue 25, the runtime side: a typed lookup through the Wasm runtime, through the
//! compiled-in Rust module (`--emit rust`), and by parsing the JSON artifact with serde_json;
//! and the swap (read, validate, compile, prove, switch) for a small and a large module.
//!
//! `bash examples/sidecar/bench.sh` builds the inputs with rulesctl and runs this; by hand:
//! `RULESET_WASM=… RULESET_JSON=… [RULESET_WASM_BIG=… RULESET_JSON_BIG=…] RULESET_RS=… cargo
//! bench --manifest-path examples/sidecar/Cargo.toml`. An input that is not given is measured
//! on a hand-written module instead (the ABI's host overhead only, no pointer walk), and says so.
//! Numbers, not assertions: a benchmark is never a timed test.

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

use ruleset_sidecar::module::{engine, Limits, Ruleset, Scalar};
use ruleset_sidecar::swap::Current;

const POINTER: &str = "/spawn_configs/frost_peaks/base_rate";

/// The median of `runs` timings of `iterations` calls, per call.
fn time(runs: usize, iterations: u32, mut f: impl FnMut()) -> Duration {
    let mut samples: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..iterations {
                f();
            }
            start.elapsed() / iterations
        })
        .collect();
    samples.sort();
    samples[samples.len() / 2]
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
    let engine = engine();
    let limits = Limits::default();
    let (what, wasm) = input("RULESET_WASM")
        .unwrap_or_else(|| ("hand-written module (host overhead only)".into(), support::fake("v2.4.1", 8).wasm()));
    let Ok(module) = Ruleset::load(&engine, &wasm, limits, None) else {
        eprintln!("{what} does not load");
        return;
    };
    println!("wasm module: {what} ({} bytes, {})", wasm.len(), module.version());

    let wasm_lookup = time(11, 20_000, || {
        black_box(module.get(black_box(POINTER)).ok());
    });
    println!("lookup {POINTER}, wasm (wasmi): {wasm_lookup:?}");
    if let Ok(Scalar::Integer(value)) = module.get(POINTER) {
        println!("  = {value}");
    }

    #[cfg(embedded)]
    {
        let native = time(11, 1_000_000, || {
            black_box(ruleset::spawn_config(black_box("frost_peaks")).map(|s| s.base_rate));
        });
        println!(
            "lookup frost_peaks.base_rate, compiled-in Rust: {native:?} (wasm is {:.0}x)",
            ratio(wasm_lookup, native)
        );
    }
    #[cfg(not(embedded))]
    println!("lookup, compiled-in Rust: skipped (set RULESET_RS to a --emit rust module)");

    for (json, big) in [("RULESET_JSON", false), ("RULESET_JSON_BIG", true)] {
        let Some((path, text)) = input(json) else {
            println!("parse, serde_json: skipped (set {json})");
            continue;
        };
        let parse = time(5, if big { 3 } else { 200 }, || {
            let value: Option<serde_json::Value> = serde_json::from_slice(black_box(&text)).ok();
            black_box(value.as_ref().and_then(|v| v.pointer(&format!("/ruleset{POINTER}"))).cloned());
        });
        println!(
            "parse {path} ({} bytes) and read the value, serde_json: {parse:?} ({:.0}x the wasm lookup)",
            text.len(),
            ratio(parse, wasm_lookup)
        );
    }

    let current = Current::new(module);
    for (variable, json) in [("RULESET_WASM", None), ("RULESET_WASM_BIG", Some("RULESET_JSON_BIG"))] {
        let (what, path) = match (std::env::var(variable), json.and_then(input)) {
            (Ok(path), _) => (path.clone(), Some(path)),
            (Err(_), Some((json, text))) => {
                // No real module that large yet: the same bytes as canonical data, without the
                // node tables a real module adds.
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
        let mut size = 0;
        let swap = time(9, 3, || {
            let bytes = match &path {
                Some(path) => std::fs::read(path).unwrap_or_default(),
                None => wasm.clone(),
            };
            size = bytes.len();
            if let Ok(next) = Ruleset::load(&engine, &bytes, limits, None) {
                black_box(current.set(Arc::new(next)));
            }
        });
        println!("swap (read, validate, compile, prove, switch) {what} ({size} bytes): {swap:?}");
    }

    // Where a large swap's time goes: the proof hashes the canonical bytes with the sidecar's own
    // SHA-256 (about half the module's size).
    if let Some((_, text)) = input("RULESET_JSON_BIG") {
        let bytes = &text[..text.len() / 3];
        let hash = time(5, 3, || {
            black_box(ruleset_sidecar::sha256::digest(black_box(bytes)));
        });
        let rate = bytes.len() as f64 / hash.as_secs_f64() / 1e6;
        println!("  of which SHA-256 runs at {rate:.0} MB/s ({} bytes in {hash:?})", bytes.len());
    }
}

fn ratio(a: Duration, b: Duration) -> f64 {
    a.as_secs_f64() / b.as_secs_f64().max(1e-12)
}
