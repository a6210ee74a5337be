//! The embed mode: the ruleset module `rulesctl build --emit rust` wrote, compiled in.

use std::process::ExitCode;

use ruleset_sidecar::sha256;

/// The generated module, copied into `OUT_DIR` by `build.rs`. A binary uses only part of its
/// API, so unused items are allowed here rather than warned about.
#[allow(dead_code)]
mod ruleset {
    include!(concat!(env!("OUT_DIR"), "/ruleset.rs"));
}

/// Proves the compiled-in ruleset and describes one region (`crystal_caves` by default).
pub fn main(region: Option<String>) -> ExitCode {
    if let Err(message) = prove() {
        eprintln!("refusing to start: {message}");
        return ExitCode::FAILURE;
    }
    println!("ruleset {} proven: {}", ruleset::VERSION, ruleset::DIGEST);
    let region = region.unwrap_or_else(|| "crystal_caves".to_string());
    match describe(&region) {
        Some(lines) => {
            println!("{lines}");
            ExitCode::SUCCESS
        }
        None => {
            eprintln!("no spawn region named {region:?}");
            ExitCode::from(2)
        }
    }
}

/// The bytes the module's data was compiled from hash to its `DIGEST`, and that digest is the
/// one the deployment expects (when it says).
fn prove() -> Result<(), String> {
    let hex = sha256::hex(&sha256::digest(ruleset::CANONICAL.as_bytes()));
    let actual = format!("sha256:{}", String::from_utf8_lossy(&hex));
    if actual != ruleset::DIGEST {
        return Err(format!("CANONICAL hashes to {actual}, but the module says {}", ruleset::DIGEST));
    }
    match std::env::var("RULESET_DIGEST") {
        Ok(expected) if expected != actual => {
            Err(format!("this binary carries {actual}, but RULESET_DIGEST expects {expected}"))
        }
        _ => Ok(()),
    }
}

/// What the ruleset says about one region: spawning, loot, stream, and its Merkle leaf.
fn describe(region: &str) -> Option<String> {
    let spawn = ruleset::spawn_config(region)?;
    let peak = f64::from(spawn.base_rate) * ruleset::SAFETY_BOUNDS.max_spawn_rate_multiplier;
    let mut out = format!(
        "{region}: base_rate {}/min (peak {peak}), max_concurrent {}, cooldown {} ms",
        spawn.base_rate, spawn.max_concurrent, spawn.cooldown_ms
    );
    if let Some(table) = ruleset::loot_table(spawn.loot_table) {
        let items: Vec<String> = table.items.iter().map(|i| format!("{} {}", i.name, i.weight)).collect();
        out.push_str(&format!("\n  loot {}: {}", table.name, items.join(", ")));
    }
    if let Some(stream) = ruleset::event_stream(region) {
        out.push_str(&format!(
            "\n  stream: max_len {}, max_in_flight {}, backoff x{} up to {} ms",
            stream.max_len, stream.max_in_flight, stream.backoff_multiplier, stream.max_backoff_ms
        ));
    }
    let section = format!("spawn_config/{region}");
    if let Some(hash) = ruleset::section_hash(&section) {
        out.push_str(&format!("\n  leaf {section}: {hash}"));
    }
    Some(out)
}
