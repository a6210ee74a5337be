//! The module compiled with rustc and clippy in a temporary folder, alone and in a program that
//! prints every value, which must be the JSON artifact's.

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::Value;

use super::{artifact, assert_success, build_rust, bytes, example, output, MODULE, ROOT};
use crate::support::Repo;

/// The sidecar example's own SHA-256, which the test program uses too.
const SHA256_RS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/sidecar/src/sha256.rs");

/// A program that includes the module and prints every value in a line format, checks every
/// lookup (hits by pointer, misses), and hashes `CANONICAL` with the sidecar's SHA-256. It uses
/// every item of the module, so `-D warnings` also proves the module has no dead items.
const PROGRAM: &str = r#"#![forbid(unsafe_code)]

#[path = SHA256_RS]
mod sha256;

mod ruleset {
    include!(MODULE_RS);
}

use ruleset::*;

fn main() {
    println!("version {VERSION}");
    println!("digest {DIGEST}");
    println!("root {MERKLE_ROOT}");
    println!("canonical {CANONICAL}");
    let hex = sha256::hex(&sha256::digest(CANONICAL.as_bytes()));
    println!("canonical_sha256 sha256:{}", core::str::from_utf8(&hex).unwrap());
    for s in SPAWN_CONFIGS {
        println!("spawn {} {} {} {} {}", s.region, s.base_rate, s.max_concurrent, s.cooldown_ms, s.loot_table);
        assert!(core::ptr::eq(spawn_config(s.region).unwrap(), s), "spawn_config({})", s.region);
    }
    for t in LOOT_TABLES {
        for i in t.items {
            println!("loot {} {} {}", t.name, i.name, i.weight);
        }
        let total: u64 = t.items.iter().map(|i| u64::from(i.weight)).sum();
        for roll in [0, total - 1, total, u64::MAX] {
            println!("pick {} {roll} {}", t.name, t.pick(roll).unwrap().name);
        }
        assert!(core::ptr::eq(loot_table(t.name).unwrap(), t), "loot_table({})", t.name);
    }
    for s in EVENT_STREAMS {
        let line = (s.region, s.max_len, s.max_in_flight, s.backoff_multiplier, s.max_backoff_ms);
        println!("stream {} {} {} {:?} {}", line.0, line.1, line.2, line.3, line.4);
        assert!(core::ptr::eq(event_stream(s.region).unwrap(), s), "event_stream({})", s.region);
    }
    const T: EventTimers = EVENT_TIMERS;
    println!(
        "timers {} {} {} {}",
        T.world_boss_interval, T.weather_cycle, T.maintenance_window, T.maintenance_window_minute
    );
    const B: SafetyBounds = SAFETY_BOUNDS;
    println!("bounds {:?} {} {}", B.max_spawn_rate_multiplier, B.min_cooldown_override, B.duplicate_event_window_ms);
    for s in SECTIONS {
        println!("section {} {}", s.id, s.hash);
        assert_eq!(section_hash(s.id), Some(s.hash));
    }
    for miss in ["", "A", "zzz_no_such_name_", "spawn_config/"] {
        assert!(spawn_config(miss).is_none() && loot_table(miss).is_none(), "{miss:?}");
        assert!(event_stream(miss).is_none() && section_hash(miss).is_none(), "{miss:?}");
    }
    println!("lookups ok");
}
"#;

/// A `no_std` library that only declares the module, under the strictest attributes a consumer
/// might set.
const LIBRARY: &str = r#"//! The module in a `no_std` crate.
#![no_std]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

/// The ruleset.
#[path = MODULE_RS]
pub mod ruleset;
"#;

/// What `PROGRAM` must print, written from the JSON artifact alone.
fn expected_lines(artifact: &Value) -> String {
    let text = |v: &Value| v.as_str().expect("a string").to_string();
    let sorted = |v: &Value| {
        let mut entries: Vec<(String, Value)> =
            v.as_object().expect("an object").iter().map(|(k, v)| (k.clone(), v.clone())).collect();
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        entries
    };
    let r = &artifact["ruleset"];
    let mut out = String::new();
    let _ = writeln!(out, "version {}", text(&artifact["version"]));
    let _ = writeln!(out, "digest {}", text(&artifact["digest"]));
    let _ = writeln!(out, "root {}", text(&artifact["merkle"]["root"]));
    let _ = writeln!(out, "canonical {}", rulesctl::artifact::canonical::compact(r));
    let _ = writeln!(out, "canonical_sha256 {}", text(&artifact["digest"]));
    for (region, s) in sorted(&r["spawn_configs"]) {
        let (b, m, c) = (&s["base_rate"], &s["max_concurrent"], &s["cooldown_ms"]);
        let _ = writeln!(out, "spawn {region} {b} {m} {c} {}", text(&s["loot_table"]));
    }
    for (table, t) in sorted(&r["loot_tables"]) {
        for (item, i) in sorted(&t["items"]) {
            let _ = writeln!(out, "loot {table} {item} {}", i["weight"]);
        }
        let weights: Vec<(String, u64)> =
            sorted(&t["items"]).into_iter().map(|(item, i)| (item, i["weight"].as_u64().expect("weight"))).collect();
        let total: u64 = weights.iter().map(|(_, w)| w).sum();
        for roll in [0, total - 1, total, u64::MAX] {
            let mut cumulative = 0;
            let picked = weights.iter().find(|(_, w)| {
                cumulative += w;
                cumulative > roll % total
            });
            let _ = writeln!(out, "pick {table} {roll} {}", picked.expect("an item").0);
        }
    }
    for (region, s) in sorted(&r["event_streams"]) {
        let backoff = s["backoff_multiplier"].as_f64().expect("a float");
        let (len, flight, max) = (&s["max_len"], &s["max_in_flight"], &s["max_backoff_ms"]);
        let _ = writeln!(out, "stream {region} {len} {flight} {backoff:?} {max}");
    }
    let t = &r["event_timers"];
    let window = text(&t["maintenance_window"]);
    let minute = window[..2].parse::<u32>().expect("hours") * 60 + window[3..5].parse::<u32>().expect("minutes");
    let _ = writeln!(out, "timers {} {} {window} {minute}", t["world_boss_interval"], t["weather_cycle"]);
    let b = &r["safety_bounds"];
    let multiplier = b["max_spawn_rate_multiplier"].as_f64().expect("a float");
    let _ = writeln!(out, "bounds {multiplier:?} {} {}", b["min_cooldown_override"], b["duplicate_event_window_ms"]);
    for leaf in artifact["merkle"]["leaves"].as_array().expect("leaves") {
        let _ = writeln!(out, "section {} {}", text(&leaf["section"]), text(&leaf["hash"]));
    }
    out.push_str("lookups ok\n");
    out
}

/// Compiles the module of `version` in `repo` on its own and with `PROGRAM`, in a temporary
/// folder; checks rustfmt, `no_std` under clippy, and every printed value against the JSON
/// artifact. Returns how long rustc took to compile the program.
fn prove(repo: &Repo, version: &str) -> Duration {
    let module = repo.path().join(format!("dist/ruleset-{version}.rs"));
    let artifact = artifact(repo, version);
    let dir = tempfile::tempdir().expect("temporary folder");
    let quoted = |p: &Path| format!("{:?}", p.to_str().expect("UTF-8 path"));

    // rustfmt's defaults, whatever configuration lies above the temporary folder.
    std::fs::write(dir.path().join("rustfmt.toml"), "").expect("write rustfmt.toml");
    for edition in ["2021", "2024"] {
        let fmt = output(
            Command::new("rustfmt")
                .args(["--check", "--edition", edition, "--config-path"])
                .arg(dir.path())
                .arg(&module),
        );
        assert_success(&format!("rustfmt --check --edition {edition} on the module"), &fmt);
    }

    let lib = dir.path().join("lib.rs");
    std::fs::write(&lib, LIBRARY.replace("MODULE_RS", &quoted(&module))).expect("write lib.rs");
    let clippy = output(
        Command::new("clippy-driver")
            .args(["--edition", "2021", "-D", "warnings", "--crate-type", "rlib", "--crate-name", "ruleset_lib"])
            .arg("--out-dir")
            .arg(dir.path())
            .arg(&lib),
    );
    assert_success("clippy-driver on a no_std library holding the module", &clippy);
    for edition in ["2015", "2018", "2024"] {
        let rustc = output(
            Command::new("rustc")
                .args(["--edition", edition, "-D", "warnings", "--crate-type", "rlib", "--crate-name", "ruleset_lib"])
                .arg("--out-dir")
                .arg(dir.path())
                .arg(&lib),
        );
        assert_success(&format!("rustc --edition {edition} on the no_std library"), &rustc);
    }

    let main = dir.path().join("main.rs");
    let program = PROGRAM.replace("SHA256_RS", &quoted(Path::new(SHA256_RS))).replace("MODULE_RS", &quoted(&module));
    std::fs::write(&main, program).expect("write main.rs");
    let binary = dir.path().join("program");
    let start = Instant::now();
    let rustc = output(
        Command::new("rustc")
            .args(["--edition", "2021", "-D", "warnings", "-C", "debuginfo=0", "--crate-name", "program", "-o"])
            .arg(&binary)
            .arg(&main),
    );
    let took = start.elapsed();
    assert_success("rustc -D warnings on a program using the module", &rustc);
    let run = output(&mut Command::new(&binary));
    assert_success("the program", &run);
    let printed = String::from_utf8(run.stdout).expect("UTF-8 output");
    let expected = expected_lines(&artifact);
    if printed != expected {
        let first = printed.lines().zip(expected.lines()).find(|(a, b)| a != b);
        panic!("the module's values differ from the artifact's; first difference (got, expected): {first:?}");
    }
    assert_eq!(
        rulesctl::hash::prefixed(rulesctl::artifact::canonical::compact(&artifact["ruleset"]).as_bytes()),
        artifact["digest"].as_str().expect("digest"),
        "sha2 agrees with the digest the program proved"
    );
    took
}

#[test]
fn the_bundled_example_compiles_alone_and_holds_the_artifact() {
    let repo = example();
    let run = build_rust(&repo);
    assert!(run.stdout.contains("wrote dist/ruleset-v2.4.1.rs\n"), "{}", run.stdout);
    prove(&repo, "v2.4.1");
    let verified = repo.run(&["verify", "dist/ruleset-v2.4.1.rs"]);
    assert_eq!(verified.code, 0, "{}", verified.stdout);
    let digest = artifact(&repo, "v2.4.1")["digest"].as_str().expect("digest").to_string();
    assert!(
        verified.stdout.contains(&format!("verified dist/ruleset-v2.4.1.rs: 11 sections, digest {digest}")),
        "{}",
        verified.stdout
    );
}

/// `region_0000` … `region_0999`, each with its stream and its own loot table, over ten files.
fn thousand_regions() -> Repo {
    let repo = Repo::empty();
    repo.write(
        "rules/ruleset.hcl",
        "ruleset_version = \"v1.0.0\"\n\nevent_timers {\n  world_boss_interval = 3600\n  weather_cycle = 900\n  \
         maintenance_window = \"23:59 UTC\"\n}\n\nsafety_bounds {\n  max_spawn_rate_multiplier = 2.5\n  \
         min_cooldown_override = 5000\n  duplicate_event_window_ms = 3000\n}\n",
    );
    for file in 0..10 {
        let mut text = String::new();
        for i in file * 100..(file + 1) * 100 {
            let base = i % 400 + 1;
            let _ = write!(
                text,
                "spawn_config {{\n  region = \"region_{i:04}\"\n  base_rate = {base}\n  max_concurrent = {}\n  \
                 cooldown_ms = {}\n  loot_table = \"table_{i:04}\"\n}}\n\n\
                 event_stream {{\n  region = \"region_{i:04}\"\n  max_len = {}\n  max_in_flight = {}\n  \
                 backoff_multiplier = {}\n  max_backoff_ms = {}\n}}\n\n\
                 loot_table \"table_{i:04}\" {{\n  item \"gold_coin\" {{ weight = {} }}\n  \
                 item \"dragon_scale\" {{ weight = {} }}\n}}\n\n",
                base * 3,
                5000 + i,
                1000 + i,
                i % 1024 + 1,
                1.0 + (i % 90) as f64 / 10.0,
                10_000 + i,
                i % 97 + 1,
                i % 13 + 1,
            );
        }
        repo.write(&format!("rules/part_{file}.hcl"), text);
    }
    repo
}

#[test]
fn a_thousand_regions_compile_and_hold_the_artifact() {
    let repo = thousand_regions();
    build_rust(&repo);
    let took = prove(&repo, "v1.0.0");
    let size = bytes(&repo, MODULE).len();
    eprintln!("1,000 regions: module {size} bytes, rustc (debug) {:.2} s", took.as_secs_f64());
    assert_eq!(artifact(&repo, "v1.0.0")["merkle"]["leaves"].as_array().map(Vec::len), Some(3002));
    assert_eq!(repo.run(&["verify", MODULE]).code, 0);
}

/// Names that are Rust keywords (strict, reserved, and the four that cannot be raw identifiers)
/// are only ever data: the module compiles, looks them up, and is rustfmt-clean. A float that
/// looks like π does not trip clippy. A table of one item and a ruleset of one region exercise
/// rustfmt's one-element layout.
#[test]
fn keyword_names_compile_and_look_up() {
    let repo = Repo::empty();
    repo.write(
        "rules/ruleset.hcl",
        "ruleset_version = \"v1.0.0\"\n\nevent_timers {\n  world_boss_interval = 60\n  weather_cycle = 86400\n  \
         maintenance_window = \"00:00 UTC\"\n}\n\nsafety_bounds {\n  max_spawn_rate_multiplier = 3.14159\n  \
         min_cooldown_override = 5000\n  duplicate_event_window_ms = 3000\n}\n",
    );
    let mut rules = String::new();
    for region in ["type", "self", "super", "crate", "fn", "match", "async", "gen", "r", "abstract"] {
        let _ = write!(
            rules,
            "spawn_config {{\n  region = \"{region}\"\n  base_rate = 10\n  max_concurrent = 40\n  cooldown_ms = 5000\n  \
             loot_table = \"fn\"\n}}\n\nevent_stream {{\n  region = \"{region}\"\n  max_len = 1\n  max_in_flight = 1\n  \
             backoff_multiplier = 1\n  max_backoff_ms = 1\n}}\n\n"
        );
    }
    rules.push_str("loot_table \"fn\" {\n  item \"self\" { weight = 1 }\n}\n\nloot_table \"impl\" {\n  item \"crate\" { weight = 10000 }\n  item \"super\" { weight = 1 }\n}\n");
    repo.write("rules/keywords.hcl", rules);
    let run = repo.run(&["build", "--emit", "rust"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    prove(&repo, "v1.0.0");
    let module = repo.read(MODULE);
    assert!(module.contains("region: \"type\",") && module.contains("region: \"self\","), "names are string data");
    assert!(!module.contains("r#type") && !module.contains(" type:"), "no name becomes an identifier");
}

/// One region, one table, one stream: rustfmt's one-element layout at the top level.
#[test]
fn a_single_region_compiles_and_holds_the_artifact() {
    let repo = Repo::base();
    build_rust(&repo);
    assert!(repo.read(MODULE).contains("pub static SPAWN_CONFIGS: &[SpawnConfig] = &[SpawnConfig {\n"));
    prove(&repo, "v1.0.0");
}

#[test]
fn a_ruleset_without_regions_gives_empty_slices() {
    let repo = Repo::empty();
    repo.write(
        "rules/ruleset.hcl",
        std::fs::read_to_string(Path::new(ROOT).join("tests/fixtures/base/rules/ruleset.hcl")).expect("read"),
    );
    build_rust(&repo);
    assert!(repo.read(MODULE).contains("pub static SPAWN_CONFIGS: &[SpawnConfig] = &[];\n"));
    prove(&repo, "v1.0.0");
}
