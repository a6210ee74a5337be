//! The serve mode under swaps: a reader asks continuously while the module is replaced 100
//! times (good and bad mixed), by rename and by the ConfigMap symlink swap. Every answer must
//! come whole from a good ruleset (its value the one its version holds), no lookup may fail,
//! every swap is logged on one line, and a bad module never answers.
//!
//! By default the modules are the hand-written ones of `support`; rulesctl's integration test
//! sets `SIDECAR_SWAP_MODULES` (lines of `VERSION VALUE PATH`, modules `rulesctl build --emit
//! wasm` wrote) and `SIDECAR_SWAP_QUERY` (the request whose answer is VALUE) to run the same test
//! on real modules.

mod support;

use std::cmp::Ordering;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize};
use std::sync::mpsc::{channel, Receiver};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ruleset_sidecar::module::{engine, Limits, Ruleset};
use ruleset_sidecar::version;
use support::{fake, Fake};

const SWAPS: usize = 100;
const WAIT: Duration = Duration::from_secs(30);

/// A module that must be swapped in, and the answer it gives.
#[derive(Clone)]
struct Good {
    version: String,
    value: String,
    digest: String,
    wasm: Vec<u8>,
}

/// A module that must be refused, and what it is.
struct Bad {
    what: String,
    wasm: Vec<u8>,
}

fn good(version: &str, value: &str, wasm: Vec<u8>) -> Good {
    let engine = engine().unwrap_or_else(|e| panic!("{e}"));
    let ruleset = Ruleset::load(&engine, &wasm, Limits::default(), None)
        .unwrap_or_else(|e| panic!("the good module {version} does not load: {e}"));
    assert_eq!(ruleset.version(), version);
    Good { version: version.into(), value: value.into(), digest: ruleset.digest().into(), wasm }
}

/// The good modules and the request they answer, from the environment or hand-written.
fn goods() -> (Vec<Good>, String) {
    match std::env::var("SIDECAR_SWAP_MODULES") {
        Ok(lines) => {
            let goods = lines
                .lines()
                .filter(|l| !l.trim().is_empty())
                .map(|line| {
                    let mut parts = line.splitn(3, ' ');
                    let (Some(version), Some(value), Some(path)) = (parts.next(), parts.next(), parts.next()) else {
                        panic!("SIDECAR_SWAP_MODULES: {line:?} is not `VERSION VALUE PATH`")
                    };
                    let wasm = std::fs::read(path).unwrap_or_else(|e| panic!("{path}: {e}"));
                    good(version, value, wasm)
                })
                .collect();
            let query = std::env::var("SIDECAR_SWAP_QUERY").unwrap_or_else(|_| panic!("SIDECAR_SWAP_QUERY unset"));
            (goods, query)
        }
        Err(_) => (
            vec![good("v2.4.0", "12", fake("v2.4.0", 12).wasm()), good("v2.4.1", "20", fake("v2.4.1", 20).wasm())],
            "get /spawn_configs/frost_peaks/base_rate".into(),
        ),
    }
}

/// Truncated, corrupt, lying about its digest (hand-written, and each good module patched),
/// another ABI, an import, too much memory.
fn bads(goods: &[Good]) -> Vec<Bad> {
    let mut bads = vec![
        Bad { what: "ABI 2".into(), wasm: Fake { abi: 2, ..fake("v9.9.9", 999) }.wasm() },
        Bad { what: "digest() lies".into(), wasm: Fake { lies: true, ..fake("v9.9.8", 999) }.wasm() },
        Bad { what: "an import".into(), wasm: Fake { imports: true, ..fake("v9.9.7", 999) }.wasm() },
        Bad { what: "128 MiB of memory".into(), wasm: Fake { pages: 2048, ..fake("v9.9.6", 999) }.wasm() },
        Bad { what: "empty".into(), wasm: Vec::new() },
    ];
    for good in goods {
        let half = good.wasm[..good.wasm.len() / 2].to_vec();
        bads.push(Bad { what: format!("{} truncated", good.version), wasm: half });
        let mut corrupt = good.wasm.clone();
        let middle = corrupt.len() / 2;
        corrupt[8..middle].iter_mut().for_each(|b| *b = b.wrapping_mul(31).wrapping_add(7));
        bads.push(Bad { what: format!("{} corrupt", good.version), wasm: corrupt });
        let mut forged = good.digest.clone();
        let last = forged.len() - 1;
        forged.replace_range(last.., if forged.ends_with('0') { "1" } else { "0" });
        let patched = replace_all(&good.wasm, good.digest.as_bytes(), forged.as_bytes());
        assert_ne!(patched, good.wasm, "{}'s digest is not in its bytes", good.version);
        bads.push(Bad { what: format!("{} with a forged digest", good.version), wasm: patched });
    }
    bads
}

fn replace_all(haystack: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let mut out = haystack.to_vec();
    let mut i = 0;
    while i + from.len() <= out.len() {
        if &out[i..i + from.len()] == from {
            out[i..i + from.len()].copy_from_slice(to);
            i += from.len();
        } else {
            i += 1;
        }
    }
    out
}

/// How a new module reaches the path the sidecar watches.
#[derive(Clone, Copy, Debug)]
enum How {
    /// Written beside it and renamed over it.
    Rename,
    /// A Kubernetes ConfigMap volume: `ruleset.wasm -> ..data/ruleset.wasm`, `..data ->
    /// ..<timestamp>`; a new timestamped folder, a `..data_tmp` link to it renamed over `..data`,
    /// the old folder removed.
    ConfigMap,
}

struct Volume {
    root: PathBuf,
    how: How,
    swaps: usize,
}

impl Volume {
    fn new(how: How, first: &[u8]) -> Volume {
        static VOLUMES: AtomicUsize = AtomicUsize::new(0);
        let n = VOLUMES.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("hotswap-{how:?}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(&root).unwrap_or_else(|e| panic!("{}: {e}", root.display()));
        let mut volume = Volume { root, how, swaps: 0 };
        volume.install(first);
        if let How::ConfigMap = how {
            symlink("..data/ruleset.wasm", &volume.path());
        }
        volume
    }

    fn path(&self) -> PathBuf {
        self.root.join("ruleset.wasm")
    }

    fn install(&mut self, wasm: &[u8]) {
        self.swaps += 1;
        match self.how {
            How::Rename => {
                let tmp = self.root.join(".ruleset.wasm.tmp");
                std::fs::write(&tmp, wasm).unwrap_or_else(|e| panic!("{e}"));
                std::fs::rename(&tmp, self.path()).unwrap_or_else(|e| panic!("{e}"));
            }
            How::ConfigMap => {
                let stamp = format!("..2026_12_02_22_15_{:02}.{}", self.swaps % 60, self.swaps);
                let folder = self.root.join(&stamp);
                std::fs::create_dir(&folder).unwrap_or_else(|e| panic!("{e}"));
                std::fs::write(folder.join("ruleset.wasm"), wasm).unwrap_or_else(|e| panic!("{e}"));
                let old = std::fs::read_link(self.root.join("..data")).ok();
                symlink(&stamp, &self.root.join("..data_tmp"));
                std::fs::rename(self.root.join("..data_tmp"), self.root.join("..data"))
                    .unwrap_or_else(|e| panic!("{e}"));
                if let Some(old) = old {
                    std::fs::remove_dir_all(self.root.join(old)).unwrap_or_else(|e| panic!("{e}"));
                }
            }
        }
    }
}

fn symlink(target: impl AsRef<Path>, link: &Path) {
    std::os::unix::fs::symlink(target, link).unwrap_or_else(|e| panic!("{}: {e}", link.display()));
}

/// What the reader saw.
#[derive(Default)]
struct Seen {
    answers: AtomicUsize,
    last: Mutex<String>,
    failures: Mutex<Vec<String>>,
}

fn spawn(path: &Path) -> (Child, Receiver<String>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ruleset-sidecar"))
        .arg("serve")
        .arg(path)
        .env_remove("RULESET_DIGEST")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("the sidecar: {e}"));
    let (tx, rx) = channel();
    let stderr = child.stderr.take().unwrap_or_else(|| panic!("stderr"));
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    (child, rx)
}

fn swap_under_load(how: How) {
    let (goods, query) = goods();
    assert!(goods.len() >= 2, "two good modules at least");
    let bads = bads(&goods);
    let first = goods.last().unwrap_or_else(|| panic!("no module"));
    let mut volume = Volume::new(how, &first.wasm);
    let (mut child, logs) = spawn(&volume.path());
    let loaded = logs.recv_timeout(WAIT).unwrap_or_else(|e| panic!("no start-up line: {e}"));
    assert!(loaded.ends_with(&format!(": loaded {} {}", first.version, first.digest)), "{loaded}");

    let stdin = child.stdin.take().unwrap_or_else(|| panic!("stdin"));
    let stdout = child.stdout.take().unwrap_or_else(|| panic!("stdout"));
    let seen = Arc::new(Seen::default());
    let stop = Arc::new(AtomicBool::new(false));
    let reader = {
        let (seen, stop, query) = (Arc::clone(&seen), Arc::clone(&stop), query.clone());
        let expected: Vec<(String, String)> = goods.iter().map(|g| (g.version.clone(), g.value.clone())).collect();
        std::thread::spawn(move || read_continuously(stdin, stdout, &query, &expected, &seen, &stop))
    };

    let started = Instant::now();
    let mut active = first.clone();
    let (mut next_good, mut next_bad, mut refused) = (0, 0, 0);
    for swap in 0..SWAPS {
        if swap % 3 == 2 {
            let bad = &bads[next_bad % bads.len()];
            next_bad += 1;
            volume.install(&bad.wasm);
            let line =
                logs.recv_timeout(WAIT).unwrap_or_else(|e| panic!("swap {swap} ({}): no log line: {e}", bad.what));
            assert!(
                line.contains(": refused: ") && line.ends_with(&format!("; still serving {}", active.version)),
                "swap {swap}: {} was not refused: {line}",
                bad.what
            );
            refused += 1;
        } else {
            let good = goods[next_good % goods.len()].clone();
            next_good += 1;
            volume.install(&good.wasm);
            let line =
                logs.recv_timeout(WAIT).unwrap_or_else(|e| panic!("swap {swap} ({}): no log line: {e}", good.version));
            let note = match version::compare(&good.version, &active.version) {
                Ordering::Less => " (rollback)",
                _ => "",
            };
            let expected = format!(": swapped {} -> {}{note}: {}", active.version, good.version, good.digest);
            assert!(line.ends_with(&expected), "swap {swap}: expected {expected:?}, logged {line:?}");
            active = good;
            // The swap is done when it is logged: the next answer comes from the new module.
            let deadline = Instant::now() + WAIT;
            while *seen.last.lock().unwrap_or_else(|e| e.into_inner()) != active.version {
                assert!(Instant::now() < deadline, "swap {swap}: {} never answered", active.version);
                std::thread::sleep(Duration::from_millis(1));
            }
        }
    }
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    let _ = reader.join();
    let _ = child.wait();
    // Nothing else was logged: one line per swap.
    let extra: Vec<String> = logs.try_iter().collect();
    assert!(extra.is_empty(), "unexpected log lines: {extra:?}");
    let failures = seen.failures.lock().unwrap_or_else(|e| e.into_inner());
    let answers = seen.answers.load(std::sync::atomic::Ordering::SeqCst);
    assert!(
        failures.is_empty(),
        "{} of {answers} answers were wrong, first: {:?}",
        failures.len(),
        &failures[..failures.len().min(5)]
    );
    assert!(answers >= SWAPS, "only {answers} answers");
    assert_eq!(refused, SWAPS / 3);
    eprintln!("{how:?}: {SWAPS} swaps ({refused} refused), {answers} answers, all whole, in {:?}", started.elapsed());
    let _ = std::fs::remove_dir_all(&volume.root);
}

/// Asks `query` again and again; each answer must be `ok VERSION VALUE` of a good module.
fn read_continuously(
    mut stdin: std::process::ChildStdin,
    stdout: std::process::ChildStdout,
    query: &str,
    expected: &[(String, String)],
    seen: &Seen,
    stop: &AtomicBool,
) {
    let mut answers = BufReader::new(stdout).lines();
    while !stop.load(std::sync::atomic::Ordering::SeqCst) {
        if writeln!(stdin, "{query}").is_err() {
            seen.failures.lock().unwrap_or_else(|e| e.into_inner()).push("the sidecar closed its stdin".into());
            return;
        }
        let Some(Ok(answer)) = answers.next() else {
            seen.failures.lock().unwrap_or_else(|e| e.into_inner()).push("the sidecar closed its stdout".into());
            return;
        };
        let mut parts = answer.splitn(3, ' ');
        let whole = match (parts.next(), parts.next(), parts.next()) {
            (Some("ok"), Some(version), Some(value)) => {
                *seen.last.lock().unwrap_or_else(|e| e.into_inner()) = version.to_string();
                expected.iter().any(|(v, x)| v == version && x == value)
            }
            _ => false,
        };
        if !whole {
            seen.failures.lock().unwrap_or_else(|e| e.into_inner()).push(answer);
        }
        seen.answers.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }
}

#[test]
fn swapped_by_rename_100_times_under_load() {
    swap_under_load(How::Rename);
}

#[test]
fn swapped_by_configmap_symlinks_100_times_under_load() {
    swap_under_load(How::ConfigMap);
}

#[test]
fn refuses_to_start_on_a_bad_module_and_names_the_reason() {
    let volume = Volume::new(How::Rename, &Fake { abi: 2, ..fake("v2.4.1", 12) }.wasm());
    let out = Command::new(env!("CARGO_BIN_EXE_ruleset-sidecar"))
        .arg("serve")
        .arg(volume.path())
        .env_remove("RULESET_DIGEST")
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.ends_with(": it speaks ABI 2; this sidecar speaks ABI 1\n"), "{stderr}");
    assert!(stderr.starts_with("refusing to start: "), "{stderr}");
    let _ = std::fs::remove_dir_all(&volume.root);
}
