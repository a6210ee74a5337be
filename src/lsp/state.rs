//! What the server knows: the open documents, and one incremental [`Workspace`] per repository
//! root with its latest analysis and the diagnostics last published from it.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::{Duration, Instant};

use lsp_server::Notification;
use lsp_types::{PublishDiagnosticsParams, TextDocumentContentChangeEvent, Uri};

use crate::diagnostic::FileId;
use crate::lsp::convert::{normalize, path_of, uri_of, LineIndex};
use crate::lsp::diagnostics;
use crate::lsp::settings::Settings;
use crate::pipeline::{self, Analysis, Workspace};
use crate::source::root::{discover, PROJECT_FILE};
use crate::source::WorkTree;
use crate::watch::{self, Watcher};

/// One document the editor has open.
pub struct Document {
    /// The editor's name for it.
    pub uri: Uri,
    pub path: PathBuf,
    /// The repository it belongs to, and its path there (`/`-separated).
    pub root: Option<(PathBuf, String)>,
    /// The text as the editor has it (line ends and all).
    pub text: String,
    pub version: i32,
}

/// One repository: its workspace (which holds the latest analysis), and what was last
/// published for it.
pub struct Root {
    workspace: Workspace,
    /// By URI (as text: `Uri` is no map key, its parsed form caches lazily).
    published: HashMap<String, Vec<lsp_types::Diagnostic>>,
    /// Something changed since the latest analysis: the next flush analyses again.
    dirty: bool,
    /// The server's own watch on the files it reads, when the client watches none.
    watcher: Option<Watcher>,
    /// A watcher was asked for (once: one that could not start is not retried).
    watch_tried: bool,
}

impl Root {
    fn new(root: PathBuf) -> Self {
        Root {
            workspace: Workspace::new(root),
            published: HashMap::new(),
            dirty: true,
            watcher: None,
            watch_tried: false,
        }
    }
}

#[derive(Default)]
pub struct State {
    /// `--root DIR`: files under it belong to it, whatever discovery would say.
    pub forced_root: Option<PathBuf>,
    pub roots: BTreeMap<PathBuf, Root>,
    /// By URI, as text.
    pub docs: HashMap<String, Document>,
    /// The URI (as text) of each open document, by repository and root-relative path.
    by_rel: HashMap<(PathBuf, String), String>,
    /// Documents whose diagnostics the next flush publishes even when unchanged (opened or
    /// edited: the editor wants them for its version).
    touched: BTreeSet<String>,
    pub settings: Settings,
    /// How long the analyses of the latest flush took, for the log; taken when logged.
    pub last_analysis: Option<Duration>,
}

/// A document as the features read it.
pub struct View<'a> {
    pub uri: &'a Uri,
    pub doc: &'a Document,
    /// The text as rulesctl reads it (no BOM, LF line ends): offsets into it are span offsets.
    pub text: Cow<'a, str>,
    pub root: Option<&'a Path>,
    pub rel: Option<&'a str>,
    pub analysis: Option<&'a Analysis>,
    /// The document's id in `analysis`, when the analysis read it.
    pub file: Option<FileId>,
}

impl View<'_> {
    pub fn offset(&self, position: lsp_types::Position) -> usize {
        LineIndex::new(&self.text).offset(position)
    }
}

impl State {
    /// No repository and no document yet; `forced_root` is `--root DIR`.
    pub fn new(forced_root: Option<PathBuf>) -> Self {
        State { forced_root, ..State::default() }
    }

    /// The repository a file belongs to, and its path there.
    fn root_of(&self, path: &Path) -> Option<(PathBuf, String)> {
        let root = match &self.forced_root {
            Some(root) if path.starts_with(root) => root.clone(),
            _ => repository_of(path)?,
        };
        Some((root.clone(), relative(&root, path)?))
    }

    /// A workspace folder the client opened: its repository (when it is in one, or `--root`
    /// names one) is analysed at the next flush, so every file's diagnostics are published
    /// before any is opened.
    pub fn add_folder(&mut self, folder: &Path) {
        let root = match &self.forced_root {
            Some(root) => Some(root.clone()),
            None if folder.join(PROJECT_FILE).is_file() || folder.join("rules").is_dir() => Some(folder.to_path_buf()),
            None => discover(folder),
        };
        if let Some(root) = root {
            self.roots.entry(root.clone()).or_insert_with(|| Root::new(root));
        }
    }

    /// `textDocument/didOpen`. A file opened as the latest analysis read it changes nothing:
    /// no analysis, its diagnostics published again for the editor.
    pub fn open(&mut self, uri: Uri, text: String, version: i32) {
        let Some(path) = path_of(&uri) else {
            self.docs.insert(uri.to_string(), Document { uri, path: PathBuf::new(), root: None, text, version });
            return;
        };
        let root = self.root_of(&path);
        if let Some((root, rel)) = &root {
            let entry = self.roots.entry(root.clone()).or_insert_with(|| Root::new(root.clone()));
            let as_read = entry
                .workspace
                .analysis()
                .filter(|_| !entry.dirty)
                .is_some_and(|a| a.sources.iter().any(|(_, f)| f.path == *rel && f.text == normalize(&text)));
            if as_read {
                entry.workspace.adopt_buffer(rel, text.clone());
            } else {
                entry.workspace.set_buffer(rel, Some(text.clone()));
                entry.dirty = true;
            }
            self.by_rel.insert((root.clone(), rel.clone()), uri.to_string());
        }
        self.touched.insert(uri.to_string());
        self.docs.insert(uri.to_string(), Document { uri, path, root, text, version });
    }

    /// `textDocument/didChange`: whole-text changes, or ranges (should a client send them).
    pub fn change(&mut self, uri: &Uri, changes: Vec<TextDocumentContentChangeEvent>, version: i32) {
        let Some(doc) = self.docs.get_mut(uri.as_str()) else { return };
        for change in changes {
            match change.range {
                None => doc.text = change.text,
                Some(range) => {
                    let index = LineIndex::new(&doc.text);
                    let (start, end) = (index.offset(range.start), index.offset(range.end));
                    doc.text.replace_range(start..end.max(start), &change.text);
                }
            }
        }
        doc.version = version;
        self.touched.insert(uri.to_string());
        let Some((root, rel)) = doc.root.clone() else { return };
        if let Some(r) = self.roots.get_mut(&root) {
            r.workspace.set_buffer(&rel, Some(doc.text.clone()));
            r.dirty = true;
        }
    }

    /// `textDocument/didSave`: the file on disk changed too.
    pub fn save(&mut self, uri: &Uri) {
        let Some((root, rel)) = self.docs.get(uri.as_str()).and_then(|d| d.root.clone()) else { return };
        if let Some(r) = self.roots.get_mut(&root) {
            r.workspace.file_changed(&rel);
            r.dirty = true;
        }
        self.touched.insert(uri.to_string());
    }

    /// `textDocument/didClose`: back to the file on disk, which may hold something else than
    /// the buffer did (an edit closed unsaved), so it is analysed again.
    pub fn close(&mut self, uri: &Uri) {
        let Some(doc) = self.docs.remove(uri.as_str()) else { return };
        self.touched.remove(uri.as_str());
        let Some((root, rel)) = doc.root else { return };
        self.by_rel.remove(&(root.clone(), rel.clone()));
        if let Some(r) = self.roots.get_mut(&root) {
            r.workspace.set_buffer(&rel, None);
            r.dirty = true;
        }
    }

    /// `workspace/didChangeWatchedFiles`: files (or folders) created, changed or deleted.
    pub fn files_changed(&mut self, uris: &[Uri]) {
        let paths: Vec<PathBuf> = uris.iter().filter_map(path_of).collect();
        for (root, r) in &mut self.roots {
            let changed: Vec<String> = paths.iter().filter_map(|p| relative(root, p)).collect();
            r.changed(&changed);
        }
    }

    /// The server's own watcher saw `paths` change (absolute): those an analysis reads are
    /// read again.
    pub fn disk_changed(&mut self, paths: &[PathBuf]) {
        for (root, r) in &mut self.roots {
            let Some(analysis) = r.analysis() else { continue };
            let changed = watch::changes(root, paths, analysis);
            r.changed(&changed);
        }
    }

    /// Gives every repository without one a watcher from `make` (the server's own, for a client
    /// that watches no files).
    pub fn watch_with(&mut self, make: &dyn Fn(&Path) -> Option<Watcher>) {
        for (root, r) in self.roots.iter_mut().filter(|(_, r)| !r.watch_tried) {
            r.watch_tried = true;
            r.watcher = make(root);
            if let (Some(watcher), Some(analysis)) = (&mut r.watcher, r.workspace.analysis()) {
                watcher.follow(analysis);
            }
        }
    }

    /// Whether a flush analyses a repository for the first time.
    pub fn first_analysis_due(&self) -> bool {
        self.roots.values().any(|r| r.dirty && r.analysis().is_none())
    }

    /// Analyses every repository that changed since its latest analysis, once however many
    /// changes came, and returns what to publish.
    pub fn flush(&mut self) -> Vec<Notification> {
        let start = Instant::now();
        let dirty: Vec<PathBuf> = self.roots.iter().filter(|(_, r)| r.dirty).map(|(p, _)| p.clone()).collect();
        for root in &dirty {
            if let Some(r) = self.roots.get_mut(root) {
                let analysis = r.workspace.analyze();
                if let Some(watcher) = &mut r.watcher {
                    watcher.follow(analysis);
                }
                r.dirty = false;
            }
        }
        if !dirty.is_empty() {
            self.last_analysis = Some(start.elapsed());
        }
        let touched = std::mem::take(&mut self.touched);
        let roots: Vec<PathBuf> = self.roots.keys().cloned().collect();
        let mut out = Vec::new();
        for root in roots {
            let mine: Vec<&str> = touched
                .iter()
                .filter(|u| self.docs.get(u.as_str()).and_then(|d| d.root.as_ref()).is_some_and(|(r, _)| *r == root))
                .map(String::as_str)
                .collect();
            if dirty.contains(&root) || !mine.is_empty() {
                out.extend(self.publish(&root, &mine));
            }
        }
        out
    }

    /// Publishes every repository's diagnostics again where they differ (the settings changed).
    pub fn republish(&mut self) -> Vec<Notification> {
        let roots: Vec<PathBuf> = self.roots.keys().cloned().collect();
        roots.iter().flat_map(|root| self.publish(root, &[])).collect()
    }

    /// Publishes what changed in `root`'s latest analysis: every file whose diagnostics differ
    /// from the last ones published (an empty list clears a file), and always `touched`.
    fn publish(&mut self, root: &Path, touched: &[&str]) -> Vec<Notification> {
        let cap = self.settings.max_diagnostics;
        let Some(r) = self.roots.get_mut(root) else { return Vec::new() };
        let Some(analysis) = r.workspace.analysis() else { return Vec::new() };
        let (docs, by_rel) = (&self.docs, &self.by_rel);
        let uri = |rel: &str| uri_for(docs, by_rel, root, rel);
        let mut now: HashMap<String, Vec<lsp_types::Diagnostic>> = HashMap::new();
        for (rel, list) in diagnostics::by_file(&analysis.diagnostics, &analysis.sources, &uri, cap) {
            if let Some(uri) = uri(&rel) {
                now.entry(uri.to_string()).or_default().extend(list);
            }
        }
        let publish = |uri: &str, diagnostics: Vec<lsp_types::Diagnostic>| {
            let version = docs.get(uri).map(|d| d.version);
            let uri = Uri::from_str(uri).ok()?;
            Some(Notification::new(
                "textDocument/publishDiagnostics".to_string(),
                PublishDiagnosticsParams { uri, diagnostics, version },
            ))
        };
        let mut cleared: Vec<&str> = r.published.keys().map(String::as_str).filter(|u| !now.contains_key(*u)).collect();
        cleared.extend(touched.iter().copied().filter(|t| !now.contains_key(*t) && !r.published.contains_key(*t)));
        cleared.sort_unstable();
        cleared.dedup();
        let mut out: Vec<Notification> = cleared.into_iter().filter_map(|u| publish(u, Vec::new())).collect();
        let mut changed: Vec<(&String, &Vec<lsp_types::Diagnostic>)> = now
            .iter()
            .filter(|(u, list)| touched.contains(&u.as_str()) || r.published.get(*u) != Some(*list))
            .collect();
        changed.sort_by(|a, b| a.0.cmp(b.0));
        out.extend(changed.into_iter().filter_map(|(u, list)| publish(u, list.clone())));
        r.published = now;
        out
    }

    /// The document at `uri`, with its repository's latest analysis.
    pub fn view<'a>(&'a self, uri: &Uri) -> Option<View<'a>> {
        let doc = self.docs.get(uri.as_str())?;
        let (root, rel) = match &doc.root {
            Some((root, rel)) => (Some(root.as_path()), Some(rel.as_str())),
            None => (None, None),
        };
        let analysis = root.and_then(|r| self.roots.get(r)).and_then(Root::analysis);
        let file =
            analysis.zip(rel).and_then(|(a, rel)| a.sources.iter().find(|(_, f)| f.path == rel).map(|(id, _)| id));
        Some(View { uri: &doc.uri, doc, text: normalize(&doc.text), root, rel, analysis, file })
    }

    /// The URI to name `rel` in `root` by (see [`uri_for`]).
    pub fn uri_for(&self, root: &Path, rel: &str) -> Option<Uri> {
        uri_for(&self.docs, &self.by_rel, root, rel)
    }

    /// Forgets every cached parse, after an internal error left the caches in doubt.
    pub fn invalidate(&mut self) {
        for r in self.roots.values_mut() {
            r.workspace.invalidate();
            r.dirty = true;
        }
    }
}

impl Root {
    /// The latest analysis, if there was one.
    pub fn analysis(&self) -> Option<&Analysis> {
        self.workspace.analysis()
    }

    /// Root-relative paths changed on disk (a folder: every file read from under it).
    fn changed(&mut self, changed: &[String]) {
        for rel in changed {
            let under = format!("{rel}/");
            let inside: Vec<String> = self
                .workspace
                .analysis()
                .map(|a| {
                    a.sources.iter().filter(|(_, f)| f.path.starts_with(&under)).map(|(_, f)| f.path.clone()).collect()
                })
                .unwrap_or_default();
            self.workspace.file_changed(rel);
            for path in inside {
                self.workspace.file_changed(&path);
            }
            self.dirty = true;
        }
    }
}

/// The repository an edited file belongs to: the nearest folder above it holding a
/// `rulesctl.hcl` whose configured paths take the file in (its `paths { rules = ... }` may name a
/// folder anywhere below it); else the root `rulesctl check` would discover from the file's
/// folder.
fn repository_of(path: &Path) -> Option<PathBuf> {
    let dir = path.parent()?;
    let configured = dir.ancestors().filter(|d| d.join(PROJECT_FILE).is_file()).find(|candidate| {
        let Some(rel) = relative(candidate, path) else { return false };
        let project = pipeline::project(&WorkTree::new(candidate.to_path_buf()));
        project.inputs().iter().any(|input| rel == *input || rel.starts_with(&format!("{input}/")))
    });
    configured.map(Path::to_path_buf).or_else(|| discover(dir))
}

/// `path` relative to `root`, `/`-separated.
fn relative(root: &Path, path: &Path) -> Option<String> {
    let rel = path.strip_prefix(root).ok()?;
    let parts: Vec<String> = rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
    Some(parts.join("/"))
}

/// The URI of root-relative `rel`: the editor's own spelling when the file is open, else one
/// made from the path.
fn uri_for(
    docs: &HashMap<String, Document>,
    by_rel: &HashMap<(PathBuf, String), String>,
    root: &Path,
    rel: &str,
) -> Option<Uri> {
    match by_rel.get(&(root.to_path_buf(), rel.to_string())).and_then(|u| docs.get(u)) {
        Some(doc) => Some(doc.uri.clone()),
        None => uri_of(&root.join(rel)),
    }
}
