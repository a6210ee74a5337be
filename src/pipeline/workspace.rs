//! Incremental analysis: the base of `check --watch` and the language server. A [`Workspace`]
//! keeps its latest analysis and is told which files changed. An edit of rule files that were
//! read before (an editor's keystroke, a save) updates that analysis in place (see
//! [`super::kept`]); anything else (a file created or deleted, the project file, values or
//! environments) runs the analysis again, reusing the parse of every rule file that did not
//! change. Either way it gives exactly the diagnostics of a full run.

use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;

use crate::pipeline::kept::Kept;
use crate::pipeline::load::Reuse;
use crate::pipeline::Analysis;
use crate::source::{Overlay, WorkTree};

/// A repository on disk, with editor buffers over it and its latest analysis.
pub struct Workspace {
    root: PathBuf,
    buffers: BTreeMap<String, String>,
    /// Root-relative paths changed since the latest analysis.
    dirty: HashSet<String>,
    latest: Option<Latest>,
}

/// The latest analysis, and what was kept to update it (`None` when its rule files were not
/// read: there were too many, or none).
struct Latest {
    analysis: Analysis,
    kept: Option<Kept>,
}

impl Workspace {
    /// A workspace over the repository at `root`; the first analysis reads and parses everything.
    pub fn new(root: PathBuf) -> Self {
        Workspace { root, buffers: BTreeMap::new(), dirty: HashSet::new(), latest: None }
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
        self.dirty.insert(rel.to_string());
    }

    /// An editor buffer for root-relative `rel` that holds what the last analysis read there
    /// (the editor opened a file as it is on disk): kept for the next analyses, with no parse
    /// again, so opening many files costs no analysis each.
    pub fn adopt_buffer(&mut self, rel: &str, text: String) {
        self.buffers.insert(rel.to_string(), text);
    }

    /// A file changed on disk (saved, created, deleted or renamed): it is read again.
    pub fn file_changed(&mut self, rel: &str) {
        self.dirty.insert(rel.to_string());
    }

    /// Forgets the latest analysis, as after a change nobody described: the next one reads
    /// and parses everything.
    pub fn invalidate(&mut self) {
        self.latest = None;
    }

    /// The latest analysis, if there was one.
    pub fn analysis(&self) -> Option<&Analysis> {
        self.latest.as_ref().map(|l| &l.analysis)
    }

    /// Analyses the repository as it is now: buffers over the files on disk. With nothing
    /// changed since the latest analysis, that one is returned as it is.
    pub fn analyze(&mut self) -> &Analysis {
        let disk = WorkTree::new(self.root.clone());
        let tree = Overlay { base: &disk, files: &self.buffers };
        let mut dirty: Vec<String> = self.dirty.iter().cloned().collect();
        dirty.sort_unstable();
        let mut previous = self.latest.take();
        let updated = match &mut previous {
            Some(_) if dirty.is_empty() => true,
            Some(Latest { analysis, kept: Some(kept) }) => kept.update(analysis, &tree, &dirty),
            _ => false,
        };
        let latest = match previous {
            Some(latest) if updated => latest,
            previous => {
                let reuse = Reuse {
                    previous: previous.as_ref().and_then(|l| Some((&l.analysis, l.kept.as_ref()?))),
                    dirty: &self.dirty,
                };
                let (analysis, kept) = super::run(&tree, None, Some(reuse), super::Keep::Values);
                Latest { analysis, kept }
            }
        };
        self.dirty.clear();
        &self.latest.insert(latest).analysis
    }
}
