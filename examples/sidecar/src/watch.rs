//! Watches the module's path and offers each new content to [`swap::offer`]: a file replaced by
//! rename, or the symlink swap a Kubernetes ConfigMap volume does (`ruleset.wasm ->
//! ..data/ruleset.wasm`, `..data` renamed to a new `..<timestamp>` folder).
//!
//! notify (inotify) wakes the loop at once; a poll every second backs it up, for the file
//! systems and containers where events do not arrive. Each wake-up reads the file (through the
//! symlinks) and compares its bytes with the last content dealt with, so one change is dealt
//! with, and logged, once.

use std::path::PathBuf;
use std::sync::mpsc::{channel, RecvTimeoutError};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::module::{Engine, Limits};
use crate::swap::{self, Current};
use notify::{RecursiveMode, Watcher as _};

const POLL: Duration = Duration::from_secs(1);

/// Whether the path could not be read, since when, and whether that was logged.
#[derive(Clone, Copy)]
enum Unreadable {
    No,
    Since(Instant),
    Logged,
}

/// Everything a watch needs, and what it saw last.
pub struct Watch {
    pub path: PathBuf,
    pub engine: Engine,
    pub limits: Limits,
    pub expected: Option<String>,
    pub current: Arc<Current>,
    unreadable: Unreadable,
    /// The last content dealt with, compared whole (a memcmp is cheaper than any hash).
    seen_bytes: Vec<u8>,
}

impl Watch {
    /// A watch of `path`, whose current content `wasm` is already active in `current`.
    pub fn new(
        path: PathBuf,
        wasm: &[u8],
        engine: Engine,
        limits: Limits,
        expected: Option<String>,
        current: Arc<Current>,
    ) -> Watch {
        Watch { path, engine, limits, expected, current, unreadable: Unreadable::No, seen_bytes: wasm.to_vec() }
    }

    /// Runs forever: on each event or poll, deals with a new content once.
    pub fn run(mut self) {
        let (tx, rx) = channel();
        let folder = match self.path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let watcher = notify::recommended_watcher(move |_| {
            let _ = tx.send(());
        })
        .and_then(|mut watcher| watcher.watch(&folder, RecursiveMode::NonRecursive).map(|()| watcher));
        let _watcher = match watcher {
            Ok(watcher) => Some(watcher),
            Err(err) => {
                eprintln!("cannot watch {} ({err}); polling every {} s", folder.display(), POLL.as_secs());
                None
            }
        };
        loop {
            match rx.recv_timeout(POLL) {
                Ok(()) => while rx.try_recv().is_ok() {},
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => std::thread::sleep(POLL),
            }
            if let Some(line) = self.check() {
                eprintln!("{line}");
            }
        }
    }

    /// The line to log when the file holds something new, `None` when it does not.
    ///
    /// The bytes are read and compared on every wake-up: a file's identity (inode, size, times)
    /// is not enough, since a rename can free an inode that the next file reuses, with the same
    /// size, within one tick of the file-system clock. A module is at most a few MiB; a read
    /// from the page cache and a memcmp per event or second cost nothing next to that bug.
    pub fn check(&mut self) -> Option<String> {
        match std::fs::read(&self.path) {
            Ok(wasm) => {
                self.unreadable = Unreadable::No;
                if wasm == self.seen_bytes {
                    return None;
                }
                let line = swap::offer(&self.current, &self.engine, &wasm, self.limits, self.expected.as_deref());
                self.seen_bytes = wasm;
                Some(format!("{}: {line}", self.path.display()))
            }
            Err(err) => match self.unreadable {
                // A path through symlinks can fail for a moment during a ConfigMap swap (the
                // kubelet removes the old folder right after renaming `..data`): only an error
                // that lasts a poll is logged, and once.
                Unreadable::No => {
                    self.unreadable = Unreadable::Since(Instant::now());
                    None
                }
                Unreadable::Since(since) if since.elapsed() >= POLL => {
                    self.unreadable = Unreadable::Logged;
                    Some(format!(
                        "cannot read {}: {err}; still serving {}",
                        self.path.display(),
                        self.current.get().version()
                    ))
                }
                Unreadable::Since(_) | Unreadable::Logged => None,
            },
        }
    }
}
