//! Watches the module's path and offers each new content to [`swap::offer`]: a file replaced by
//! rename, or the symlink swap a Kubernetes ConfigMap volume does (`ruleset.wasm ->
//! ..data/ruleset.wasm`, `..data` renamed to a new `..<timestamp>` folder).
//!
//! notify (inotify) wakes the loop at once; a poll every second backs it up, for the file
//! systems and containers where events do not arrive. Each wake-up compares the file's identity
//! (device, inode, size, times, through the symlinks), then its bytes, so one change is
//! dealt with, and logged, once.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{channel, RecvTimeoutError};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use notify::{RecursiveMode, Watcher as _};
use wasmi::Engine;

use crate::module::Limits;
use crate::sha256;
use crate::swap::{self, Current};

const POLL: Duration = Duration::from_secs(1);

/// Everything a watch needs, and what it saw last.
pub struct Watch {
    pub path: PathBuf,
    pub engine: Engine,
    pub limits: Limits,
    pub expected: Option<String>,
    pub current: Arc<Current>,
    seen: Option<Identity>,
    seen_bytes: [u8; 32],
}

/// What tells one file from another without reading it.
#[derive(Clone, Debug, PartialEq)]
struct Identity {
    len: u64,
    modified: Option<SystemTime>,
    #[cfg(unix)]
    inode: (u64, u64, i64, i64),
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
        let seen = identity(&path).ok();
        Watch { path, engine, limits, expected, current, seen, seen_bytes: sha256::digest(wasm) }
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
    pub fn check(&mut self) -> Option<String> {
        let before = identity(&self.path);
        let before = match before {
            Ok(id) if Some(&id) == self.seen.as_ref() => return None,
            Ok(id) => id,
            Err(err) => {
                // Logged once, until the file is back.
                let was = self.seen.take();
                return was.map(|_| {
                    format!(
                        "cannot read {}: {err}; still serving {}",
                        self.path.display(),
                        self.current.get().version()
                    )
                });
            }
        };
        self.seen = Some(before);
        let wasm = match std::fs::read(&self.path) {
            Ok(wasm) => wasm,
            Err(err) => {
                self.seen = None;
                return Some(format!(
                    "cannot read {}: {err}; still serving {}",
                    self.path.display(),
                    self.current.get().version()
                ));
            }
        };
        let hash = sha256::digest(&wasm);
        if hash == self.seen_bytes {
            return None;
        }
        self.seen_bytes = hash;
        let line = swap::offer(&self.current, &self.engine, &wasm, self.limits, self.expected.as_deref());
        Some(format!("{}: {line}", self.path.display()))
    }
}

fn identity(path: &Path) -> std::io::Result<Identity> {
    let meta = std::fs::metadata(path)?;
    #[cfg(unix)]
    let inode = {
        use std::os::unix::fs::MetadataExt;
        (meta.dev(), meta.ino(), meta.ctime(), meta.ctime_nsec())
    };
    Ok(Identity {
        len: meta.len(),
        modified: meta.modified().ok(),
        #[cfg(unix)]
        inode,
    })
}
