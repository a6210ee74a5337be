//! `build --emit rust`: the module compiles on its own under `-D warnings` (and clippy, and
//! `no_std`), is rustfmt-clean, holds every value of the JSON artifact, proves its digest from
//! its own bytes, is immutable and deterministic like the artifact, and `verify` rejects any edit.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::support::{run_env, Repo, Run};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
/// The sidecar example's own SHA-256, which the test program uses too.
const SHA256_RS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/sidecar/src/sha256.rs");
const MODULE: &str = "dist/ruleset-v1.0.0.rs";

/// The bundled example (rules and project file), outside git.
fn example() -> Repo {
    let root = Path::new(ROOT);
    let repo = Repo::empty();
    std::fs::copy(root.join("rulesctl.hcl"), repo.path().join("rulesctl.hcl")).expect("copy");
    std::fs::create_dir_all(repo.path().join("examples/rules")).expect("mkdir");
    crate::support::copy_tree(&root.join("examples/rules"), &repo.path().join("examples/rules"));
    std::fs::copy(root.join("examples/values.yaml"), repo.path().join("examples/values.yaml")).expect("copy");
    repo
}

fn build_rust(repo: &Repo) -> Run {
    let run = repo.run(&["build", "--emit", "rust"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    run
}

fn artifact(repo: &Repo, version: &str) -> Value {
    serde_json::from_str(&repo.read(&format!("dist/ruleset-{version}.json"))).expect("artifact JSON")
}

fn bytes(repo: &Repo, rel: &str) -> Vec<u8> {
    std::fs::read(repo.path().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn output(command: &mut Command) -> Output {
    command.stdin(Stdio::null()).output().unwrap_or_else(|e| panic!("{command:?}: {e}"))
}

fn assert_success(what: &str, out: &Output) {
    assert!(
        out.status.success(),
        "{what} failed ({}):\n{}{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

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
    let _ = writeln!(out, "canonical {}", rulesctl::emit::canonical::compact(r));
    let _ = writeln!(out, "canonical_sha256 {}", text(&artifact["digest"]));
    for (region, s) in sorted(&r["spawn_configs"]) {
        let (b, m, c) = (&s["base_rate"], &s["max_concurrent"], &s["cooldown_ms"]);
        let _ = writeln!(out, "spawn {region} {b} {m} {c} {}", text(&s["loot_table"]));
    }
    for (table, t) in sorted(&r["loot_tables"]) {
        for (item, i) in sorted(&t["items"]) {
            let _ = writeln!(out, "loot {table} {item} {}", i["weight"]);
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
    let fmt = output(
        Command::new("rustfmt").args(["--check", "--edition", "2021", "--config-path"]).arg(dir.path()).arg(&module),
    );
    assert_success("rustfmt --check on the module", &fmt);

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
        rulesctl::emit::hash::prefixed(rulesctl::emit::canonical::compact(&artifact["ruleset"]).as_bytes()),
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

#[test]
fn emit_is_opt_in_and_takes_a_list() {
    let repo = Repo::base();
    let run = repo.run(&["build", "--emit", "json"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(!repo.path().join(MODULE).exists(), "json alone writes no module");
    let run = repo.run(&["build", "--emit", "json,rust", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    let outputs = run.json()["outputs"].clone();
    assert!(
        outputs.as_array().expect("outputs").contains(&serde_json::json!({"path": MODULE, "written": true})),
        "{outputs}"
    );
    let bad = repo.run(&["build", "--emit", "cobol"]);
    assert_eq!(bad.code, 2, "{}", bad.stderr);
    assert!(bad.stderr.contains("[possible values: json, rust]"), "{}", bad.stderr);
}

#[test]
fn same_bytes_whatever_the_time_zone_locale_directory_or_file_order() {
    let forward = Repo::base();
    let backward = Repo::empty();
    for rel in ["rules/ruleset.hcl", "rules/loot.hcl", "rules/caves.hcl"] {
        backward.write(rel, forward.read(rel));
    }
    let a = run_env(forward.path(), &["build", "--emit", "rust"], &[("TZ", "UTC"), ("LANG", "C"), ("LC_ALL", "C")]);
    let b = run_env(
        &backward.path().join("rules"),
        &["build", "--emit", "rust"],
        &[("TZ", "Asia/Kolkata"), ("LANG", "de_DE.UTF-8"), ("LC_ALL", "tr_TR.UTF-8")],
    );
    assert_eq!((a.code, b.code), (0, 0), "{}{}", a.stdout, b.stdout);
    assert_eq!(bytes(&forward, MODULE), bytes(&backward, MODULE));
    let text = forward.read(MODULE);
    assert!(!text.contains(&*forward.path().to_string_lossy()), "no path in the module");
}

#[test]
fn a_changed_ruleset_needs_a_new_version() {
    let repo = Repo::base();
    build_rust(&repo);
    let (module, json) = (bytes(&repo, MODULE), bytes(&repo, "dist/ruleset-v1.0.0.json"));
    let mtime = || std::fs::metadata(repo.path().join(MODULE)).and_then(|m| m.modified()).expect("mtime");
    let before = mtime();
    std::thread::sleep(Duration::from_millis(20));
    let again = build_rust(&repo);
    assert!(again.stdout.contains("unchanged dist/ruleset-v1.0.0.rs\n"), "{}", again.stdout);
    assert_eq!(mtime(), before, "an identical rebuild does not touch the module");

    repo.write(
        "rules/caves.hcl",
        repo.read("rules/caves.hcl").replace("cooldown_ms    = 8000", "cooldown_ms    = 9000"),
    );
    let refused = repo.run(&["build", "--emit", "rust"]);
    assert_eq!(refused.code, 1, "{}", refused.stdout);
    assert!(
        refused.stdout.contains("error[A001]") && refused.stdout.contains("dist/ruleset-v1.0.0.rs already exists"),
        "{}",
        refused.stdout
    );
    assert_eq!((bytes(&repo, MODULE), bytes(&repo, "dist/ruleset-v1.0.0.json")), (module.clone(), json));

    // The module guards its version even when this build would not write it, and even when the
    // JSON artifact is gone: nothing is written.
    std::fs::remove_file(repo.path().join("dist/ruleset-v1.0.0.json")).expect("rm");
    let plain = repo.run(&["build", "--format", "json"]);
    assert_eq!((plain.code, plain.codes()), (1, vec!["A001".to_string()]), "{}", plain.stdout);
    assert!(!repo.path().join("dist/ruleset-v1.0.0.json").exists(), "no JSON artifact for the other ruleset");
    assert_eq!(bytes(&repo, MODULE), module);

    repo.write("rules/ruleset.hcl", repo.read("rules/ruleset.hcl").replace("v1.0.0", "v1.0.1"));
    build_rust(&repo);
    assert_eq!(bytes(&repo, MODULE), module, "the old version stays as it was");
    assert_eq!(repo.run(&["verify", "dist/ruleset-v1.0.1.rs"]).code, 0);
}

/// Verifies `text` written as `MODULE` in `repo`; returns the run and its codes.
fn verify_text(repo: &Repo, text: &str) -> (Run, Vec<String>) {
    repo.write(MODULE, text);
    let run = repo.run(&["verify", MODULE, "--format", "json"]);
    let codes = run.codes();
    (run, codes)
}

fn codes(list: &[&str]) -> Vec<String> {
    list.iter().map(|c| (*c).to_string()).collect()
}

#[test]
fn verify_names_what_was_changed() {
    let repo = Repo::base();
    build_rust(&repo);
    let original = repo.read(MODULE);
    let after = |needle: &str| original.find(needle).map(|at| at + needle.len()).expect(needle);
    let digest_at = after("pub const DIGEST: &str = \"sha256:");
    let flip = |text: &str, at: usize| {
        let mut bytes = text.as_bytes().to_vec();
        bytes[at] = if bytes[at] == b'0' { b'1' } else { b'0' };
        String::from_utf8(bytes).expect("ASCII")
    };

    let (run, found) = verify_text(&repo, &flip(&original, digest_at));
    assert_eq!((run.code, found), (1, codes(&["V001"])), "a changed DIGEST\n{}", run.stdout);

    let (run, found) = verify_text(&repo, &original.replace("base_rate: 12,", "base_rate: 13,"));
    assert_eq!((run.code, found), (1, codes(&["V005"])), "a changed value\n{}", run.stdout);
    let human = crate::support::pin("V005-module-mismatch", &repo, &["verify", MODULE]).0;
    assert!(human.stdout.contains("`base_rate: 13,` should be `base_rate: 12,`"), "{}", human.stdout);

    let (run, mut found) = verify_text(&repo, &original.replace("\"base_rate\":12", "\"base_rate\":13"));
    found.sort();
    assert_eq!((run.code, found), (1, codes(&["V001", "V002", "V002", "V005"])), "a changed CANONICAL\n{}", run.stdout);

    let root_at = after("pub const MERKLE_ROOT: &str =\n    \"sha256:");
    let (run, found) = verify_text(&repo, &flip(&original, root_at));
    assert_eq!((run.code, found), (1, codes(&["V002"])), "a changed MERKLE_ROOT\n{}", run.stdout);

    let leaf_at = after("        hash: \"sha256:");
    let (run, found) = verify_text(&repo, &flip(&original, leaf_at));
    assert_eq!((run.code, found), (1, codes(&["V002"])), "a changed leaf\n{}", run.stdout);

    let lookup = "found.ok().and_then(|i| SPAWN_CONFIGS.get(i))";
    let (run, found) = verify_text(&repo, &original.replace(lookup, "SPAWN_CONFIGS.first()"));
    assert_eq!((run.code, found), (1, codes(&["V005"])), "a changed lookup\n{}", run.stdout);

    let (run, found) = verify_text(&repo, &format!("{original}\npub fn extra() {{}}\n"));
    assert_eq!((run.code, found), (1, codes(&["V005"])), "added code\n{}", run.stdout);

    let canonical_at = original.find("pub const CANONICAL").expect("CANONICAL");
    let (run, found) = verify_text(&repo, &original[..canonical_at]);
    assert_eq!((run.code, found), (1, codes(&["V005"])), "no CANONICAL\n{}", run.stdout);
    assert!(run.stdout.contains("not a module"), "{}", run.stdout);

    let (run, found) = verify_text(&repo, &original.replace("{\"event_streams\":", "{ \"event_streams\":"));
    assert_eq!((run.code, found), (1, codes(&["V005"])), "non-canonical CANONICAL\n{}", run.stdout);

    repo.write("dist/ruleset-v9.9.9.rs", &original);
    let renamed = repo.run(&["verify", "dist/ruleset-v9.9.9.rs"]);
    assert!(renamed.code == 1 && renamed.stdout.contains("holds version v1.0.0"), "{}", renamed.stdout);

    let (run, found) = verify_text(&repo, &original);
    assert_eq!((run.code, found), (0, Vec::<String>::new()), "the original again\n{}", run.stdout);
}

/// Changing any byte of the module, comments and layout included, fails verification.
#[test]
fn verify_catches_a_one_byte_change_anywhere() {
    let repo = Repo::base();
    build_rust(&repo);
    let original = bytes(&repo, MODULE);
    assert!(original.is_ascii(), "the module is ASCII for a ruleset of ASCII names");
    for at in (0..original.len()).step_by(29) {
        let mut changed = original.clone();
        changed[at] = if changed[at] == b'1' { b'2' } else { b'1' };
        std::fs::write(repo.path().join(MODULE), &changed).expect("write");
        let run = repo.run(&["verify", MODULE]);
        assert_eq!(run.code, 1, "byte {at} ({:?}) changed\n{}", original[at] as char, run.stdout);
    }
}

#[cfg(unix)]
#[test]
fn killing_build_at_any_moment_never_leaves_a_torn_module() {
    let repo = Repo::base();
    let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
    for round in 0..30 {
        let _ = std::fs::remove_dir_all(repo.path().join("dist"));
        let mut child = Command::new(env!("CARGO_BIN_EXE_rulesctl"))
            .args(["build", "--emit", "rust"])
            .current_dir(repo.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn");
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        std::thread::sleep(Duration::from_micros(seed % 6000));
        let _ = child.kill();
        let _ = child.wait();
        if repo.path().join(MODULE).exists() {
            let run = repo.run(&["verify", MODULE]);
            assert_eq!(run.code, 0, "round {round}: torn module\n{}", run.stdout);
        }
    }
}

/// `examples/sidecar` (its own Cargo project, no dependencies) builds against a module that
/// `build --emit rust` wrote, proves the digest at start-up, looks a region up, and refuses to
/// start with a tampered module or an unexpected digest.
#[test]
fn the_sidecar_example_embeds_proves_and_looks_up() {
    let repo = example();
    build_rust(&repo);
    let artifact = artifact(&repo, "v2.4.1");
    let digest = artifact["digest"].as_str().expect("digest").to_string();
    let module = repo.path().join("dist/ruleset-v2.4.1.rs");
    let manifest = Path::new(ROOT).join("examples/sidecar/Cargo.toml");
    let target: PathBuf = Path::new(env!("CARGO_TARGET_TMPDIR")).join("sidecar");
    let cargo = |command: &str, args: &[&str], module: &Path, env: &[(&str, &str)]| {
        output(
            Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string()))
                .args([command, "--locked", "--offline", "--quiet", "--manifest-path"])
                .arg(&manifest)
                .args(args)
                .env("CARGO_TARGET_DIR", &target)
                .env("RULESET_RS", module)
                .env_remove("RULESET_DIGEST")
                .envs(env.iter().copied()),
        )
    };

    let tests = cargo("test", &[], &module, &[]);
    assert_success("the sidecar's own tests (SHA-256 known answers)", &tests);

    let run = cargo("run", &["--", "ember_wastes"], &module, &[]);
    assert_success("the sidecar", &run);
    let stdout = String::from_utf8_lossy(&run.stdout);
    let spawn = &artifact["ruleset"]["spawn_configs"]["ember_wastes"];
    assert!(stdout.starts_with(&format!("ruleset v2.4.1 proven: {digest}\n")), "{stdout}");
    let line = format!(
        "ember_wastes: base_rate {}/min (peak 50), max_concurrent {}, cooldown {} ms\n",
        spawn["base_rate"], spawn["max_concurrent"], spawn["cooldown_ms"]
    );
    assert!(stdout.contains(&line), "{stdout}");
    let leaf = artifact["merkle"]["leaves"]
        .as_array()
        .and_then(|l| l.iter().find(|l| l["section"] == "spawn_config/ember_wastes"))
        .and_then(|l| l["hash"].as_str())
        .expect("leaf");
    assert!(stdout.contains(&format!("leaf spawn_config/ember_wastes: {leaf}")), "{stdout}");

    let readme = std::fs::read_to_string(Path::new(ROOT).join("README.md")).expect("README.md");
    assert!(
        readme.contains(&format!("```\n{stdout}```\n")),
        "README.md's sidecar output is stale; it is now:\n{stdout}"
    );

    let unknown = cargo("run", &["--", "atlantis"], &module, &[]);
    assert_eq!(unknown.status.code(), Some(2), "{}", String::from_utf8_lossy(&unknown.stderr));

    let expected = cargo("run", &[], &module, &[("RULESET_DIGEST", &digest)]);
    assert_success("the sidecar with the expected digest", &expected);
    let wrong = cargo("run", &[], &module, &[("RULESET_DIGEST", "sha256:0000")]);
    assert_eq!(wrong.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&wrong.stderr).contains("refusing to start"));

    // CANONICAL edited (the data left alone): the module still compiles, but cannot prove itself.
    let tampered = repo.path().join("dist/tampered.rs");
    let text = repo.read("dist/ruleset-v2.4.1.rs").replace("\"base_rate\":20", "\"base_rate\":21");
    std::fs::write(&tampered, text).expect("write");
    let refused = cargo("run", &[], &tampered, &[]);
    assert_eq!(refused.status.code(), Some(1), "{}", String::from_utf8_lossy(&refused.stdout));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("refusing to start: CANONICAL hashes to sha256:"), "{stderr}");
}
