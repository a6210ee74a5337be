//! A few derived facts kept under git's own folder (`<git common dir>/rulesctl/<kind>/`), each
//! keyed by what it was derived from, so a later run can skip the work. Never an input and never
//! an output: a missing, unreadable or foreign entry is a miss, and a failed write is ignored.
//!
//! Why git's folder: it exists exactly where the facts are worth keeping (a repository whose
//! revisions are compared), git never tracks it, every linked worktree shares it, and a fresh
//! clone (CI) starts empty.

use std::path::{Path, PathBuf};

use crate::io;

/// How many entries a kind keeps; older ones are removed on each write. The hook needs the
/// entry of the commit before; a few more cover switching branches back and forth.
const KEEP: usize = 8;

/// No entry is read past this size; a real one is a few hundred bytes per section.
const MAX_ENTRY: u64 = 64 << 20;

pub struct Store {
    dir: PathBuf,
}

impl Store {
    /// The store of `kind` in the repository whose git common folder is `common`.
    pub fn new(common: &Path, kind: &str) -> Self {
        Store { dir: common.join("rulesctl").join(kind) }
    }

    /// The entry named `key` (a hex digest of what it was derived from), when there is one.
    pub fn get(&self, key: &str) -> Option<Vec<u8>> {
        io::read_limited(&self.dir.join(key), MAX_ENTRY).ok()
    }

    /// Whether there is an entry `key` (readable or not).
    pub fn has(&self, key: &str) -> bool {
        io::exists(&self.dir.join(key))
    }

    /// Writes the entry `key` atomically, over one that could not be read, then keeps the
    /// newest [`KEEP`]. Failures are ignored: the store only saves time.
    pub fn replace(&self, key: &str, bytes: &[u8]) {
        let path = self.dir.join(key);
        if io::create_dir_all(&self.dir).is_err() || io::write_atomic(&path, bytes).is_err() {
            return;
        }
        io::clean_stale_temps(&self.dir);
        let mut entries = io::files_by_age(&self.dir);
        while entries.len() > KEEP {
            let oldest = entries.remove(0);
            let _ = io::remove_file(&self.dir.join(oldest));
        }
    }
}
