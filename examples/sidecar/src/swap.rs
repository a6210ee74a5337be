//! The active ruleset and how it changes: a new module is loaded and proven first, and only then
//! swapped in, so a lookup already running finishes on the module it started with.

use std::cmp::Ordering;
use std::sync::{Arc, PoisonError, RwLock};

use crate::module::{Engine, Limits, Ruleset};
use crate::version;

/// The module answering lookups now. A reader takes an `Arc` of it and lets go of the lock at
/// once; a swap replaces the `Arc`, and the old module lives until its last reader is done.
pub struct Current {
    slot: RwLock<Arc<Ruleset>>,
}

impl Current {
    pub fn new(ruleset: Ruleset) -> Current {
        Current { slot: RwLock::new(Arc::new(ruleset)) }
    }

    /// The module to answer one request with.
    pub fn get(&self) -> Arc<Ruleset> {
        Arc::clone(&self.slot.read().unwrap_or_else(PoisonError::into_inner))
    }

    /// Puts `next` in place and returns the module it replaces.
    pub fn set(&self, next: Arc<Ruleset>) -> Arc<Ruleset> {
        std::mem::replace(&mut *self.slot.write().unwrap_or_else(PoisonError::into_inner), next)
    }
}

/// How a module that was offered to replace the active one was dealt with: the one line to log.
pub fn offer(current: &Current, engine: &Engine, wasm: &[u8], limits: Limits, expected: Option<&str>) -> String {
    let active = current.get();
    let next = match Ruleset::load(engine, wasm, limits, expected) {
        Ok(next) => next,
        Err(reason) => return format!("refused: {reason}; still serving {}", active.version()),
    };
    let (from, to) = (active.version(), next.version());
    let note = match version::compare(to, from) {
        Ordering::Less => " (rollback)",
        Ordering::Equal if next.digest() == active.digest() => " (same ruleset)",
        Ordering::Equal => {
            return format!(
            "refused: it holds {to} {}, but {from} is {} (a version names one ruleset: bump it); still serving {from}",
            next.digest(),
            active.digest()
        )
        }
        Ordering::Greater => "",
    };
    let line = format!("swapped {from} -> {to}{note}: {}", next.digest());
    current.set(Arc::new(next));
    line
}
