//! File events for `check --watch` and the language server: a [`Watcher`] on what an analysis
//! reads, and `check --watch`'s loop, which analyses the repository, then again after every
//! quiet batch of changes to those files, until Ctrl-C. Re-checks go through one
//! [`Workspace`], so only the rule files that changed are parsed again.
//!
//! What is watched follows the project file: the root itself (for `rulesctl.hcl` and folders
//! that appear), each rule path, the environments folder, the chart, and the folders of the
//! values and schema files. What changes under `dist/`, in hidden files and folders, and in
//! editor temporary files (`*~`, `*.swp`, `4913`, `*.tmp`, `#autosave#`) is ignored.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError, Sender};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use notify_debouncer_full::notify::{EventKind, RecommendedWatcher, RecursiveMode};
use notify_debouncer_full::{new_debouncer, DebounceEventResult, Debouncer, RecommendedCache};

use crate::error::Error;
use crate::pipeline::{Analysis, Workspace};

/// How long one path's events are gathered before they are handed on: an editor's save is
/// several events (a temporary file, a rename, a metadata change).
const SETTLE: Duration = Duration::from_millis(50);

/// How long the file system must be quiet before `check --watch` re-checks a batch of changes.
/// The debouncer alone does not give this: it hands on each event a fixed time after it
/// happened, so saves 50 ms apart came out as one batch each.
const QUIET: Duration = Duration::from_millis(200);

/// The longest a batch may keep growing while saves go on: a report at least this often.
const LONGEST: Duration = Duration::from_secs(2);

enum Event {
    Files(Vec<PathBuf>),
    Stop,
}

/// Where Ctrl-C is delivered: the one handler a process may install forwards to the watch that
/// is running, so `run` can be called again in the same process.
static INTERRUPT: OnceLock<Mutex<Option<Sender<Event>>>> = OnceLock::new();

/// A watch on the files an analysis of one repository reads. Each settled group of changes
/// is handed to the callback as absolute paths; [`changes`] says which matter.
pub struct Watcher {
    debouncer: Debouncer<RecommendedWatcher, RecommendedCache>,
    root: PathBuf,
    watched: Vec<(PathBuf, RecursiveMode)>,
}

impl Watcher {
    /// A watcher for the repository at `root` (absolute); it watches nothing until
    /// [`Watcher::follow`]. Errors from the file system are printed to stderr.
    ///
    /// # Errors
    ///
    /// When the file system cannot be watched at all.
    pub fn new(root: &Path, on_change: impl Fn(Vec<PathBuf>) + Send + 'static) -> Result<Self, Error> {
        let debouncer = new_debouncer(SETTLE, None, move |result: DebounceEventResult| match result {
            Ok(batch) => {
                // Opening and reading a file is an event too (an analysis reads them all).
                let paths: Vec<PathBuf> = batch
                    .iter()
                    .filter(|e| !matches!(e.kind, EventKind::Access(_)))
                    .flat_map(|e| e.paths.iter().cloned())
                    .collect();
                if !paths.is_empty() {
                    on_change(paths);
                }
            }
            Err(errors) => {
                for err in errors {
                    eprintln!("rulesctl: watching: {err}");
                }
            }
        })
        .map_err(|e| Error::io("watch", root, std::io::Error::other(e)))?;
        Ok(Watcher { debouncer, root: root.to_path_buf(), watched: Vec::new() })
    }

    /// Watches what `analysis` reads, replacing the previous watches: folders that appeared
    /// are picked up, and a renamed folder is watched under its new name.
    pub fn follow(&mut self, analysis: &Analysis) {
        let root = &self.root;
        let mut wanted = vec![(root.clone(), RecursiveMode::NonRecursive)];
        for input in analysis.project.inputs() {
            let path = root.join(&input);
            if path.is_dir() {
                wanted.push((path, RecursiveMode::Recursive));
            } else if let Some(parent) = path.parent().filter(|p| p.is_dir() && p != root) {
                wanted.push((parent.to_path_buf(), RecursiveMode::NonRecursive));
            }
        }
        wanted.sort_by(|a, b| a.0.cmp(&b.0));
        wanted.dedup_by(|a, b| a.0 == b.0);
        if wanted == self.watched {
            return;
        }
        for (path, _) in self.watched.drain(..) {
            let _ = self.debouncer.unwatch(&path);
        }
        for (path, mode) in wanted {
            if self.debouncer.watch(&path, mode).is_ok() {
                self.watched.push((path, mode));
            }
        }
    }
}

/// Watches the repository at `root`. `report` is called with the first analysis (and no
/// changed paths), then after each quiet batch of relevant changes with the root-relative
/// paths that changed; it returns `false` to stop (its output went away). Returns on Ctrl-C.
///
/// # Errors
///
/// When the file system cannot be watched at all.
pub fn run(root: &Path, mut report: impl FnMut(&Analysis, &[String]) -> bool) -> Result<(), Error> {
    // Events name absolute paths; a relative `--root` is made absolute to match them.
    let root = &std::path::absolute(root).unwrap_or_else(|_| root.to_path_buf());
    let (to, events) = channel();
    install_interrupt(root, to.clone())?;
    let mut watcher = Watcher::new(root, move |paths| {
        let _ = to.send(Event::Files(paths));
    })?;
    let mut workspace = Workspace::new(root.to_path_buf());
    let analysis = workspace.analyze();
    watcher.follow(analysis);
    if !report(analysis, &[]) {
        stop_forwarding();
        return Ok(());
    }
    while let Some(paths) = next_batch(&events) {
        let Some(analysis) = workspace.analysis() else { break };
        let changed = changes(root, &paths, analysis);
        if changed.is_empty() {
            continue;
        }
        let mut inside = Vec::new();
        for rel in &changed {
            let under = format!("{rel}/");
            inside.extend(
                analysis.sources.iter().filter(|(_, f)| f.path.starts_with(&under)).map(|(_, f)| f.path.clone()),
            );
        }
        for rel in changed.iter().chain(&inside) {
            workspace.file_changed(rel);
        }
        let analysis = workspace.analyze();
        watcher.follow(analysis);
        if !report(analysis, &changed) {
            break;
        }
    }
    stop_forwarding();
    Ok(())
}

/// Stops forwarding Ctrl-C to this watch, which has ended.
fn stop_forwarding() {
    if let Some(mut slot) = INTERRUPT.get().and_then(|slot| slot.lock().ok()) {
        *slot = None;
    }
}

fn install_interrupt(root: &Path, to: Sender<Event>) -> Result<(), Error> {
    let mut first = false;
    let slot = INTERRUPT.get_or_init(|| {
        first = true;
        Mutex::new(None)
    });
    if let Ok(mut slot) = slot.lock() {
        *slot = Some(to);
    }
    if first {
        ctrlc::set_handler(|| {
            let sent = INTERRUPT
                .get()
                .and_then(|slot| slot.lock().ok())
                .and_then(|slot| slot.as_ref().map(|to| to.send(Event::Stop).is_ok()));
            if sent != Some(true) {
                // No watch is listening: behave as if there were no handler.
                std::process::exit(130);
            }
        })
        .map_err(|e| Error::io("watch", root, std::io::Error::other(format!("cannot handle Ctrl-C: {e}"))))?;
    }
    Ok(())
}

/// The paths changed in the next quiet batch: events until none came for [`QUIET`] (or for
/// [`LONGEST`] in all); `None` on Ctrl-C.
fn next_batch(events: &Receiver<Event>) -> Option<Vec<PathBuf>> {
    let mut paths = match events.recv().ok()? {
        Event::Stop => return None,
        Event::Files(paths) => paths,
    };
    let started = Instant::now();
    while started.elapsed() < LONGEST {
        match events.recv_timeout(QUIET) {
            Ok(Event::Files(more)) => paths.extend(more),
            Ok(Event::Stop) | Err(RecvTimeoutError::Disconnected) => return None,
            Err(RecvTimeoutError::Timeout) => break,
        }
    }
    Some(paths)
}

/// Of the absolute `paths` that changed, those that can change an analysis of `root` like
/// `analysis`, root-relative and sorted; a folder only when nothing below it is named.
pub fn changes(root: &Path, paths: &[PathBuf], analysis: &Analysis) -> Vec<String> {
    let mut changed: Vec<String> =
        paths.iter().filter_map(|path| relative(root, path)).filter(|rel| relevant(root, rel, analysis)).collect();
    changed.sort();
    changed.dedup();
    let named = changed.clone();
    changed.retain(|c| !named.iter().any(|n| n.starts_with(&format!("{c}/"))));
    changed
}

fn relative(root: &Path, path: &Path) -> Option<String> {
    let rel = path.strip_prefix(root).ok()?;
    let parts: Vec<String> = rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
    (!parts.is_empty()).then(|| parts.join("/"))
}

/// Whether a change to `rel` can change the analysis: a file it read (or a folder above one),
/// a configured path itself, or an input-like file or a folder below a configured folder.
fn relevant(root: &Path, rel: &str, analysis: &Analysis) -> bool {
    let below =
        |path: &str, folder: &str| folder.is_empty() || path == folder || path.starts_with(&format!("{folder}/"));
    if ignored(rel) || below(rel, analysis.project.dist.value.trim_end_matches('/')) {
        return false;
    }
    if analysis.sources.iter().any(|(_, f)| below(&f.path, rel)) {
        return true;
    }
    let input_like = [".hcl", ".yaml", ".yml", ".json"].iter().any(|s| rel.ends_with(s)) || root.join(rel).is_dir();
    analysis.project.inputs().iter().any(|input| rel == input || below(input, rel) || (below(rel, input) && input_like))
}

/// Hidden files and folders, and the temporary files editors write while saving.
pub fn ignored(rel: &str) -> bool {
    rel.split('/').any(|part| part.starts_with('.'))
        || rel.rsplit('/').next().is_some_and(|name| {
            name.ends_with('~')
                || name.ends_with(".swp")
                || name.ends_with(".swx")
                || name.ends_with(".tmp")
                || name == "4913"
                || (name.starts_with('#') && name.ends_with('#'))
        })
}

#[cfg(test)]
mod tests {
    use super::ignored;

    #[test]
    fn editor_temporary_files_are_ignored() {
        for rel in
            ["rules/.caves.hcl.swp", "rules/caves.hcl~", "rules/4913", "rules/x.tmp", "rules/#caves.hcl#", ".git/index"]
        {
            assert!(ignored(rel), "{rel}");
        }
        for rel in ["rules/caves.hcl", "values.yaml", "environments/prod.yaml"] {
            assert!(!ignored(rel), "{rel}");
        }
    }
}
