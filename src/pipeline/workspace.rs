//! Incremental analysis: the base of `check --watch` and the language server. A [`Workspace`]
//! keeps each rule file's parse (its part of the ruleset and its own diagnostics) keyed by path,
//! and is told which files changed; an analysis reparses only those and reruns the checks over
//! the whole ruleset, so it gives exactly the diagnostics of a full run.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;

use crate::diagnostic::Sink;
use crate::model::ruleset::Ruleset;
use crate::pipeline::Analysis;
use crate::source::{Limits, Overlay, WorkTree};

/// A repository on disk, with editor buffers over it and a cache of parsed rule files.
pub struct Workspace {
    root: PathBuf,
    buffers: BTreeMap<String, String>,
    cache: RuleCache,
}

impl Workspace {
    /// A workspace over the repository at `root`; the first analysis reads and parses everything.
    pub fn new(root: PathBuf) -> Self {
        Workspace { root, buffers: BTreeMap::new(), cache: RuleCache::default() }
    }

    pub fn root(&self) -> &std::path::Path {
        &self.root
    }

    /// An editor buffer for root-relative `rel` (unsaved text counts), or `None` to go back to
    /// the file on disk.
    pub fn set_buffer(&mut self, rel: &str, text: Option<String>) {
        match text {
            Some(text) => self.buffers.insert(rel.to_string(), text),
            None => self.buffers.remove(rel),
        };
        self.cache.dirty.insert(rel.to_string());
    }

    /// An editor buffer for root-relative `rel` that holds what the last analysis read there
    /// (the editor opened a file as it is on disk): kept for the next analyses, with no parse
    /// again, so opening many files costs no analysis each.
    pub fn adopt_buffer(&mut self, rel: &str, text: String) {
        self.buffers.insert(rel.to_string(), text);
    }

    /// A file changed on disk (saved, created, deleted or renamed): it is read again.
    pub fn file_changed(&mut self, rel: &str) {
        self.cache.dirty.insert(rel.to_string());
    }

    /// Forgets every cached parse, as after a change nobody described.
    pub fn invalidate(&mut self) {
        self.cache.files.clear();
    }

    /// Analyses the repository as it is now: buffers over the files on disk.
    pub fn analyze(&mut self) -> Analysis {
        let disk = WorkTree::new(self.root.clone());
        let tree = Overlay { base: &disk, files: &self.buffers };
        let analysis = super::analyze_cached(&tree, &mut self.cache);
        let seen: HashSet<&str> =
            analysis.ruleset.files.iter().map(|id| analysis.sources.get(*id).path.as_str()).collect();
        self.cache.files.retain(|path, _| seen.contains(path.as_str()));
        self.cache.dirty.clear();
        analysis
    }
}

/// Parsed rule files by root-relative path, and the paths changed since they were parsed.
#[derive(Default)]
pub struct RuleCache {
    files: HashMap<String, Cached>,
    dirty: HashSet<String>,
    /// The limits the cached files were parsed under: a parse depends on them.
    limits: Option<Limits>,
}

/// One rule file as read and parsed in an earlier run.
#[derive(Clone)]
pub struct Cached {
    /// The id the file had in that run: its part and diagnostics point there.
    pub id: crate::diagnostic::FileId,
    /// The file as read (text, hash, line index), shared into the next run's sources.
    pub file: std::sync::Arc<crate::source::SourceFile>,
    /// Its part of the ruleset; `None` when it was not valid HCL.
    pub part: Option<Ruleset>,
    /// Its own diagnostics (syntax, decoding).
    pub found: Sink,
}

impl RuleCache {
    /// The cached parse of `rel`, unless it changed since.
    pub fn fresh(&self, rel: &str) -> Option<&Cached> {
        if self.dirty.contains(rel) {
            return None;
        }
        self.files.get(rel)
    }

    /// Forgets every cached parse unless it was made under `limits` (`rulesctl.hcl` changed
    /// its `limits { }`).
    pub fn keep_if_under(&mut self, limits: Limits) {
        if self.limits != Some(limits) {
            self.files.clear();
            self.limits = Some(limits);
        }
    }

    pub fn store(&mut self, rel: String, cached: Cached) {
        self.files.insert(rel, cached);
    }
}
