//! What the server knows: the open documents, and one incremental [`Workspace`] per repository
//! root with its latest analysis and the diagnostics last published from it.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::{Duration, Instant};

use lsp_server::Notification;
use lsp_types::{PublishDiagnosticsParams, TextDocumentContentChangeEvent, Uri};

use crate::diagnostic::FileId;
use crate::lsp::convert::{normalize, path_of, uri_of, LineIndex};
use crate::lsp::diagnostics;
use crate::pipeline::{self, Analysis, Workspace};
use crate::source::root::{discover, PROJECT_FILE};
use crate::source::WorkTree;

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

/// One repository: its workspace, latest analysis, and what was last published for it.
pub struct Root {
    workspace: Workspace,
    pub analysis: Option<Analysis>,
    /// By URI (as text: `Uri` is no map key, its parsed form caches lazily).
    published: HashMap<String, Vec<lsp_types::Diagnostic>>,
}

#[derive(Default)]
pub struct State {
    /// `--root DIR`: files under it belong to it, whatever discovery would say.
    pub forced_root: Option<PathBuf>,
    pub roots: BTreeMap<PathBuf, Root>,
    /// By URI, as text.
    pub docs: HashMap<String, Document>,
    /// How long the analysis after the latest notification took, for the log; taken when logged.
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
    /// The repository a file belongs to, and its path there.
    fn root_of(&self, path: &Path) -> Option<(PathBuf, String)> {
        let root = match &self.forced_root {
            Some(root) if path.starts_with(root) => root.clone(),
            _ => repository_of(path)?,
        };
        Some((root.clone(), relative(&root, path)?))
    }

    /// `textDocument/didOpen`.
    pub fn open(&mut self, uri: Uri, text: String, version: i32) -> Vec<Notification> {
        let Some(path) = path_of(&uri) else {
            self.docs.insert(uri.to_string(), Document { uri, path: PathBuf::new(), root: None, text, version });
            return Vec::new();
        };
        let root = self.root_of(&path);
        if let Some((root, rel)) = &root {
            let entry = self.roots.entry(root.clone()).or_insert_with(|| Root {
                workspace: Workspace::new(root.clone()),
                analysis: None,
                published: HashMap::new(),
            });
            entry.workspace.set_buffer(rel, Some(text.clone()));
        }
        self.docs.insert(uri.to_string(), Document { uri: uri.clone(), path, root: root.clone(), text, version });
        match root {
            Some((root, _)) => self.refresh(&root, Some(&uri)),
            None => Vec::new(),
        }
    }

    /// `textDocument/didChange`: whole-text changes, or ranges (should a client send them).
    pub fn change(
        &mut self,
        uri: &Uri,
        changes: Vec<TextDocumentContentChangeEvent>,
        version: i32,
    ) -> Vec<Notification> {
        let Some(doc) = self.docs.get_mut(uri.as_str()) else { return Vec::new() };
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
        let Some((root, rel)) = doc.root.clone() else { return Vec::new() };
        if let Some(r) = self.roots.get_mut(&root) {
            r.workspace.set_buffer(&rel, Some(doc.text.clone()));
        }
        self.refresh(&root, Some(uri))
    }

    /// `textDocument/didSave`: the file on disk changed too.
    pub fn save(&mut self, uri: &Uri) -> Vec<Notification> {
        let Some((root, rel)) = self.docs.get(uri.as_str()).and_then(|d| d.root.clone()) else { return Vec::new() };
        if let Some(r) = self.roots.get_mut(&root) {
            r.workspace.file_changed(&rel);
        }
        self.refresh(&root, Some(uri))
    }

    /// `textDocument/didClose`: back to the file on disk.
    pub fn close(&mut self, uri: &Uri) -> Vec<Notification> {
        let Some(doc) = self.docs.remove(uri.as_str()) else { return Vec::new() };
        let Some((root, rel)) = doc.root else { return Vec::new() };
        if let Some(r) = self.roots.get_mut(&root) {
            r.workspace.set_buffer(&rel, None);
        }
        self.refresh(&root, None)
    }

    /// `workspace/didChangeWatchedFiles`: files (or folders) created, changed or deleted.
    pub fn files_changed(&mut self, uris: &[Uri]) -> Vec<Notification> {
        let mut touched = Vec::new();
        for path in uris.iter().filter_map(path_of) {
            for (root, r) in &mut self.roots {
                let Some(rel) = relative(root, &path) else { continue };
                r.workspace.file_changed(&rel);
                // A folder: every file read from under it.
                if let Some(analysis) = &r.analysis {
                    let under = format!("{rel}/");
                    for (_, file) in analysis.sources.iter().filter(|(_, f)| f.path.starts_with(&under)) {
                        r.workspace.file_changed(&file.path);
                    }
                }
                if !touched.contains(root) {
                    touched.push(root.clone());
                }
            }
        }
        touched.iter().flat_map(|root| self.refresh(root, None)).collect()
    }

    /// Analyses `root` again and publishes what changed: every file whose diagnostics differ
    /// from the last ones published (an empty list clears a file), and always `touched`.
    fn refresh(&mut self, root: &Path, touched: Option<&Uri>) -> Vec<Notification> {
        let Some(r) = self.roots.get_mut(root) else { return Vec::new() };
        let start = Instant::now();
        let analysis = r.workspace.analyze();
        let docs = &self.docs;
        let uri = |rel: &str| uri_for(docs, root, rel);
        let mut now: HashMap<String, Vec<lsp_types::Diagnostic>> = HashMap::new();
        for (rel, list) in diagnostics::by_file(&analysis.diagnostics, &analysis.sources, &uri) {
            if let Some(uri) = uri(&rel) {
                now.entry(uri.to_string()).or_default().extend(list);
            }
        }
        let touched = touched.map(|u| u.as_str());
        let publish = |uri: &str, diagnostics: Vec<lsp_types::Diagnostic>| {
            let version = docs.get(uri).map(|d| d.version);
            let uri = Uri::from_str(uri).ok()?;
            Some(Notification::new(
                "textDocument/publishDiagnostics".to_string(),
                PublishDiagnosticsParams { uri, diagnostics, version },
            ))
        };
        let mut cleared: Vec<&str> = r.published.keys().map(String::as_str).filter(|u| !now.contains_key(*u)).collect();
        if let Some(touched) = touched.filter(|t| !now.contains_key(*t) && !r.published.contains_key(*t)) {
            cleared.push(touched);
        }
        cleared.sort_unstable();
        let mut out: Vec<Notification> = cleared.into_iter().filter_map(|u| publish(u, Vec::new())).collect();
        let mut changed: Vec<(&String, &Vec<lsp_types::Diagnostic>)> =
            now.iter().filter(|(u, list)| Some(u.as_str()) == touched || r.published.get(*u) != Some(*list)).collect();
        changed.sort_by(|a, b| a.0.cmp(b.0));
        out.extend(changed.into_iter().filter_map(|(u, list)| publish(u, list.clone())));
        r.published = now;
        r.analysis = Some(analysis);
        self.last_analysis = Some(start.elapsed());
        out
    }

    /// The document at `uri`, with its repository's latest analysis.
    pub fn view<'a>(&'a self, uri: &Uri) -> Option<View<'a>> {
        let doc = self.docs.get(uri.as_str())?;
        let (root, rel) = match &doc.root {
            Some((root, rel)) => (Some(root.as_path()), Some(rel.as_str())),
            None => (None, None),
        };
        let analysis = root.and_then(|r| self.roots.get(r)).and_then(|r| r.analysis.as_ref());
        let file =
            analysis.zip(rel).and_then(|(a, rel)| a.sources.iter().find(|(_, f)| f.path == rel).map(|(id, _)| id));
        Some(View { uri: &doc.uri, doc, text: normalize(&doc.text), root, rel, analysis, file })
    }

    /// The URI to name `rel` in `root` by (see [`uri_for`]).
    pub fn uri_for(&self, root: &Path, rel: &str) -> Option<Uri> {
        uri_for(&self.docs, root, rel)
    }

    /// Forgets every cached parse, after an internal error left the caches in doubt.
    pub fn invalidate(&mut self) {
        for r in self.roots.values_mut() {
            r.workspace.invalidate();
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
fn uri_for(docs: &HashMap<String, Document>, root: &Path, rel: &str) -> Option<Uri> {
    let open = docs.values().find(|d| d.root.as_ref().is_some_and(|(r, p)| r == root && p == rel));
    match open {
        Some(doc) => Some(doc.uri.clone()),
        None => uri_of(&root.join(rel)),
    }
}
