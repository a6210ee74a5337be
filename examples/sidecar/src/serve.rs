//! The serve mode: load and prove the module, watch its file, answer requests until stdin ends.

use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use ruleset_sidecar::module::{Engine, Limits, Ruleset, Runtime};
use ruleset_sidecar::protocol;
use ruleset_sidecar::swap::Current;
use ruleset_sidecar::watch::Watch;

pub fn main(args: Vec<String>) -> ExitCode {
    let [path] = args.as_slice() else {
        eprintln!("usage: ruleset-sidecar serve PATH (a module `rulesctl build --emit wasm` wrote)");
        return ExitCode::from(2);
    };
    let path = PathBuf::from(path);
    let expected = match std::env::var("RULESET_DIGEST") {
        Ok(digest) => Some(digest),
        Err(std::env::VarError::NotPresent) => None,
        Err(std::env::VarError::NotUnicode(_)) => {
            eprintln!("refusing to start: RULESET_DIGEST is not UTF-8");
            return ExitCode::FAILURE;
        }
    };
    let wasm = match std::fs::read(&path) {
        Ok(wasm) => wasm,
        Err(err) => {
            eprintln!("refusing to start: cannot read {}: {err}", path.display());
            return ExitCode::FAILURE;
        }
    };
    let runtime = match std::env::var("RULESET_RUNTIME") {
        Ok(name) => Runtime::named(&name),
        Err(std::env::VarError::NotPresent) => Ok(Runtime::DEFAULT),
        Err(std::env::VarError::NotUnicode(_)) => Err("RULESET_RUNTIME is not UTF-8".to_string()),
    };
    let engine = match runtime.and_then(Engine::new) {
        Ok(engine) => engine,
        Err(reason) => {
            eprintln!("refusing to start: {reason}");
            return ExitCode::FAILURE;
        }
    };
    let limits = Limits::default();
    let ruleset = match Ruleset::load(&engine, &wasm, limits, expected.as_deref()) {
        Ok(ruleset) => ruleset,
        Err(reason) => {
            eprintln!("refusing to start: {}: {reason}", path.display());
            return ExitCode::FAILURE;
        }
    };
    eprintln!("{}: loaded {} {}", path.display(), ruleset.version(), ruleset.digest());
    let current = Arc::new(Current::new(ruleset));
    let watch = Watch::new(path, &wasm, engine, limits, expected, Arc::clone(&current));
    std::thread::spawn(move || watch.run());

    let stdin = std::io::stdin().lock();
    let mut stdout = std::io::stdout().lock();
    for line in stdin.split(b'\n') {
        let Ok(line) = line else { break };
        let answer = protocol::answer(&current.get(), &String::from_utf8_lossy(&line));
        if writeln!(stdout, "{answer}").and_then(|()| stdout.flush()).is_err() {
            break;
        }
    }
    ExitCode::SUCCESS
}
