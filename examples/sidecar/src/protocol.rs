//! The line protocol: one request per line on stdin, one answer per line on stdout, and every
//! answer names the version of the ruleset that gave it.
//!
//! ```text
//! get /spawn_configs/frost_peaks/base_rate   ok v2.4.1 12
//! pick tier_3_drops 12345                    ok v2.4.1 gold_coin
//! section spawn_config/frost_peaks           ok v2.4.1 sha256:…
//! version                                    ok v2.4.1 sha256:… (the digest)
//! get /nowhere                               err v2.4.1 no value at /nowhere
//! ```

use crate::module::Ruleset;

/// The one answer line (without its newline) to one request line, from `ruleset`.
pub fn answer(ruleset: &Ruleset, line: &str) -> String {
    let version = ruleset.version();
    match respond(ruleset, line.trim_end_matches('\r')) {
        Ok(value) => format!("ok {version} {value}"),
        Err(reason) => format!("err {version} {reason}"),
    }
}

fn respond(ruleset: &Ruleset, line: &str) -> Result<String, String> {
    let (command, rest) = line.split_once(' ').unwrap_or((line, ""));
    match command {
        "get" if !rest.is_empty() => ruleset.get(rest).map(|value| value.to_string()),
        "pick" => {
            let (table, roll) = rest.split_once(' ').ok_or("usage: pick TABLE ROLL")?;
            let roll: u64 = roll.parse().map_err(|_| format!("the roll {roll:?} is not a number from 0 to 2^64-1"))?;
            ruleset.pick(table, roll)
        }
        "section" if !rest.is_empty() => ruleset.section_hash(rest),
        "version" if rest.is_empty() => Ok(ruleset.digest().to_string()),
        "get" | "section" | "version" => Err(format!("usage: {}", usage(command))),
        _ => Err(format!("unknown request {command:?}; one of: get POINTER, pick TABLE ROLL, section ID, version")),
    }
}

fn usage(command: &str) -> &'static str {
    match command {
        "get" => "get POINTER",
        "section" => "section ID",
        _ => "version",
    }
}
