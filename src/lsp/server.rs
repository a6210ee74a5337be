//! The message loop: lifecycle (initialize, shutdown, exit), dispatch, and the guard that keeps
//! one bad message or one internal error from stopping the server.

use std::collections::HashSet;
use std::io::Write;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::mpsc::{Receiver, Sender};

use lsp_server::{ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::{
    DidChangeTextDocumentParams, DidChangeWatchedFilesParams, DidCloseTextDocumentParams, DidOpenTextDocumentParams,
    DidSaveTextDocumentParams, InitializeParams, ServerInfo,
};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::lsp::convert::path_of;
use crate::lsp::state::State;
use crate::lsp::transport::{self, Incoming};
use crate::lsp::{folding, formatting, inlay, rename, requests, semantic, symbols};

mod asks;
mod capabilities;
use crate::watch::Watcher;

/// Where the server is in the protocol's lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Uninitialized,
    Running,
    ShutDown,
}

/// The id of the request that asks for the `rulesctl` settings; the answer is recognised by it.
const CONFIGURATION: &str = "rulesctl-configuration";

pub struct Server<W: Write> {
    out: W,
    state: State,
    phase: Phase,
    /// The client takes completion snippets.
    snippets: bool,
    /// The client lets the server register file watchers.
    dynamic_watchers: bool,
    /// The client shows server-initiated progress (`window/workDoneProgress/create`).
    progress: bool,
    /// The client answers `workspace/configuration`.
    configuration: bool,
    /// The workspace folders (or root) the client opened with.
    folders: Vec<PathBuf>,
    /// Where the server's own file watcher sends what it sees; `None` runs without one.
    disk: Option<Sender<Incoming>>,
    /// Requests the server sent, for unique ids.
    asked: u64,
    /// Log every message and analysis time to stderr (`RULESCTL_LSP_LOG=1`).
    verbose: bool,
    /// The client stopped reading what the server writes.
    gone: bool,
}

impl<W: Write> Server<W> {
    /// A server writing to `out`. `disk`, when given, is the sender of the message channel,
    /// for the server's own file watcher (used when the client watches no files).
    pub fn new(out: W, forced_root: Option<PathBuf>, verbose: bool, disk: Option<Sender<Incoming>>) -> Self {
        let state = State::new(forced_root);
        Server {
            out,
            state,
            phase: Phase::Uninitialized,
            snippets: false,
            dynamic_watchers: false,
            progress: false,
            configuration: false,
            folders: Vec::new(),
            disk,
            asked: 0,
            verbose,
            gone: false,
        }
    }

    /// Serves until `exit` (or the end of the input): the exit status is 0 when `shutdown`
    /// came first, 1 otherwise, as the protocol asks.
    ///
    /// Messages are taken in batches: the first that comes, and every one already read behind
    /// it. Changes in a batch only mark their repository; it is analysed once, before the
    /// batch's first request and at its end, so 20 queued edits cost one analysis, not 20, and
    /// a request cancelled later in its batch is not worked on.
    pub fn run(&mut self, incoming: &Receiver<Incoming>) -> u8 {
        'serve: while let Ok(first) = incoming.recv() {
            let mut batch = vec![first];
            batch.extend(incoming.try_iter());
            let cancelled = cancelled(&batch);
            for message in batch {
                match message {
                    Incoming::Message(Message::Notification(n)) if n.method == "exit" => break 'serve,
                    Incoming::End => break 'serve,
                    Incoming::Message(Message::Request(r)) if cancelled.contains(&r.id) => {
                        let text = format!("{} was cancelled", r.method);
                        self.respond(Response::new_err(r.id, ErrorCode::RequestCanceled as i32, text));
                    }
                    Incoming::Message(message) => self.guarded(message),
                    Incoming::Disk(paths) => self.state.disk_changed(&paths),
                    Incoming::Malformed { error, id } => {
                        log(&format!("ignored a malformed message: {error}"));
                        if let Some(id) = id {
                            self.respond(Response::new_err(id, ErrorCode::InvalidRequest as i32, error));
                        }
                    }
                }
                if self.gone {
                    break 'serve;
                }
            }
            self.flush();
            if self.gone {
                break;
            }
        }
        if self.gone {
            log("the client stopped reading; exiting");
        }
        u8::from(self.phase != Phase::ShutDown)
    }

    /// Handles one message; a panic is logged (the panic hook prints it to stderr), the request
    /// answered with an internal error, the caches dropped, and the server goes on.
    fn guarded(&mut self, message: Message) {
        let id = match &message {
            Message::Request(r) => Some((r.id.clone(), r.method.clone())),
            _ => None,
        };
        if catch_unwind(AssertUnwindSafe(|| self.handle(message))).is_err() {
            log("internal error while handling a message; the server goes on");
            self.state.invalidate();
            if let Some((id, method)) = id {
                let text = format!("internal error in rulesctl while answering {method}; see the server's log");
                self.respond(Response::new_err(id, ErrorCode::InternalError as i32, text));
            }
        }
    }

    fn handle(&mut self, message: Message) {
        match message {
            Message::Request(request) => {
                if self.verbose {
                    log(&format!("request {} {}", request.id, request.method));
                }
                // A request is answered from the latest text: analyse what the batch changed.
                if self.phase == Phase::Running {
                    self.flush();
                }
                let response = self.request(request);
                self.respond(response);
            }
            Message::Notification(notification) => {
                if self.verbose {
                    log(&format!("notification {}", notification.method));
                }
                self.notification(notification);
            }
            Message::Response(response) => self.answered(response),
        }
    }

    /// Analyses what changed since the latest analysis (once, however many changes came) and
    /// publishes the diagnostics that differ; the first analysis of a repository reports
    /// progress when the client shows it.
    fn flush(&mut self) {
        if self.phase != Phase::Running {
            return;
        }
        if let Some(to) = self.disk.clone().filter(|_| !self.dynamic_watchers) {
            self.state.watch_with(&|root| {
                let to = to.clone();
                Watcher::new(root, move |paths| {
                    let _ = to.send(Incoming::Disk(paths));
                })
                .map_err(|err| log(&format!("cannot watch {}: {err}", root.display())))
                .ok()
            });
        }
        let token = (self.progress && self.state.first_analysis_due()).then(|| self.begin_progress());
        let published = match catch_unwind(AssertUnwindSafe(|| self.state.flush())) {
            Ok(published) => published,
            Err(_) => {
                log("internal error while analysing; the caches are dropped and the server goes on");
                self.state.invalidate();
                Vec::new()
            }
        };
        if let Some(token) = token {
            self.end_progress(token);
        }
        if let Some(took) = self.state.last_analysis.take().filter(|_| self.verbose) {
            log(&format!("analysed in {:.1} ms", took.as_secs_f64() * 1000.0));
        }
        for notification in published {
            self.send(&Message::Notification(notification));
        }
    }

    fn request(&mut self, request: Request) -> Response {
        let id = request.id.clone();
        let state = &self.state;
        match (self.phase, request.method.as_str()) {
            (Phase::Uninitialized, "initialize") => self.initialize(request),
            (Phase::Uninitialized, _) => {
                Response::new_err(id, ErrorCode::ServerNotInitialized as i32, "the server is not initialized".into())
            }
            (Phase::ShutDown, _) => {
                Response::new_err(id, ErrorCode::InvalidRequest as i32, "the server is shutting down".into())
            }
            (_, "initialize") => {
                Response::new_err(id, ErrorCode::InvalidRequest as i32, "the server is already initialized".into())
            }
            (_, "shutdown") => {
                self.phase = Phase::ShutDown;
                Response::new_ok(id, serde_json::Value::Null)
            }
            (_, "textDocument/hover") => answer(request, |p| requests::hover(state, &p)),
            (_, "textDocument/completion") => answer(request, |p| requests::completion(state, &p, self.snippets)),
            (_, "textDocument/definition") => answer(request, |p| requests::definition(state, &p)),
            (_, "textDocument/references") => answer(request, |p| requests::references(state, &p)),
            (_, "textDocument/formatting") => answer(request, |p| formatting::document(state, &p)),
            (_, "textDocument/rangeFormatting") => answer(request, |p| formatting::range(state, &p)),
            (_, "textDocument/codeAction") => answer(request, |p| requests::code_actions(state, &p)),
            (_, "textDocument/semanticTokens/full") => answer(request, |p| semantic::tokens(state, &p)),
            (_, "textDocument/documentSymbol") => answer(request, |p| symbols::document(state, &p)),
            (_, "workspace/symbol") => answer(request, |p| symbols::workspace(state, &p)),
            (_, "textDocument/foldingRange") => answer(request, |p| folding::ranges(state, &p)),
            (_, "textDocument/prepareRename") => answer_or_refuse(request, |p| rename::prepare(state, &p)),
            (_, "textDocument/rename") => answer_or_refuse(request, |p| rename::rename(state, &p)),
            (_, "textDocument/inlayHint") => answer(request, |p| inlay::hints(state, &p)),
            #[cfg(test)]
            (_, "rulesctl/panic") => panic!("a bug, on purpose"),
            (_, method) => Response::new_err(id, ErrorCode::MethodNotFound as i32, format!("unknown method {method}")),
        }
    }

    fn initialize(&mut self, request: Request) -> Response {
        // Parameters that do not read are no reason to refuse: serve with no optional feature.
        let params: InitializeParams = serde_json::from_value(request.params).unwrap_or_else(|err| {
            log(&format!("unreadable initialize parameters ({err}); assuming a minimal client"));
            InitializeParams::default()
        });
        let caps = &params.capabilities;
        let completion = caps.text_document.as_ref().and_then(|t| t.completion.as_ref());
        self.snippets =
            completion.and_then(|c| c.completion_item.as_ref()).and_then(|i| i.snippet_support) == Some(true);
        let workspace = caps.workspace.as_ref();
        let watched = workspace.and_then(|w| w.did_change_watched_files.as_ref());
        self.dynamic_watchers = watched.and_then(|w| w.dynamic_registration) == Some(true);
        self.configuration = workspace.and_then(|w| w.configuration) == Some(true);
        self.progress = caps.window.as_ref().and_then(|w| w.work_done_progress) == Some(true);
        if let Some(options) = &params.initialization_options {
            self.state.settings = self.state.settings.read(options);
        }
        #[allow(deprecated)]
        let root_uri = params.root_uri.clone();
        let folders = params.workspace_folders.iter().flatten().map(|f| f.uri.clone()).chain(root_uri);
        self.folders = folders.filter_map(|uri| path_of(&uri)).collect();
        self.folders.dedup();
        self.phase = Phase::Running;
        let result = serde_json::json!({
            "capabilities": capabilities::capabilities(),
            "serverInfo": ServerInfo { name: "rulesctl".into(), version: Some(env!("CARGO_PKG_VERSION").into()) },
        });
        Response::new_ok(request.id, result)
    }

    fn notification(&mut self, n: Notification) {
        if self.phase != Phase::Running {
            return;
        }
        match n.method.as_str() {
            "initialized" => {
                self.register_watchers();
                self.ask_configuration();
                // Every folder's repository is analysed at the end of this batch, so the whole
                // workspace's diagnostics are published before any file is opened.
                for folder in &self.folders {
                    self.state.add_folder(folder);
                }
            }
            "textDocument/didOpen" => {
                if let Some(p) = params::<DidOpenTextDocumentParams>(n) {
                    self.state.open(p.text_document.uri, p.text_document.text, p.text_document.version);
                }
            }
            "textDocument/didChange" => {
                if let Some(p) = params::<DidChangeTextDocumentParams>(n) {
                    self.state.change(&p.text_document.uri, p.content_changes, p.text_document.version);
                }
            }
            "textDocument/didSave" => {
                if let Some(p) = params::<DidSaveTextDocumentParams>(n) {
                    self.state.save(&p.text_document.uri);
                }
            }
            "textDocument/didClose" => {
                if let Some(p) = params::<DidCloseTextDocumentParams>(n) {
                    self.state.close(&p.text_document.uri);
                }
            }
            "workspace/didChangeWatchedFiles" => {
                if let Some(p) = params::<DidChangeWatchedFilesParams>(n) {
                    self.state.files_changed(&p.changes.into_iter().map(|c| c.uri).collect::<Vec<_>>());
                }
            }
            "workspace/didChangeConfiguration" => {
                if self.configuration {
                    self.ask_configuration();
                } else if let Some(settings) = n.params.get("settings") {
                    self.settings_changed(&settings.clone());
                }
            }
            // Each file finds its own repository: workspace folders change nothing.
            "workspace/didChangeWorkspaceFolders" => {}
            method if method.starts_with("$/") => {}
            method => log(&format!("ignored the notification {method}")),
        }
    }

    fn respond(&mut self, response: Response) {
        self.send(&Message::Response(response));
    }

    fn send(&mut self, message: &Message) {
        if transport::write(&mut self.out, message).is_err() {
            self.gone = true;
        }
    }
}

/// The ids of the requests a `$/cancelRequest` in `batch` names.
fn cancelled(batch: &[Incoming]) -> HashSet<RequestId> {
    batch
        .iter()
        .filter_map(|m| match m {
            Incoming::Message(Message::Notification(n)) if n.method == "$/cancelRequest" => {
                serde_json::from_value::<RequestId>(n.params.get("id")?.clone()).ok()
            }
            _ => None,
        })
        .collect()
}

/// Answers a request whose parameters are `P`: invalid parameters are an error response,
/// never a panic.
fn answer<P: DeserializeOwned, R: Serialize>(request: Request, f: impl FnOnce(P) -> R) -> Response {
    match serde_json::from_value::<P>(request.params) {
        Ok(params) => Response::new_ok(request.id, f(params)),
        Err(err) => Response::new_err(
            request.id,
            ErrorCode::InvalidParams as i32,
            format!("invalid parameters for {}: {err}", request.method),
        ),
    }
}

/// Answers a request that may be refused (a rename to a name the dialect does not accept): the
/// refusal is an error response whose message the editor shows.
fn answer_or_refuse<P: DeserializeOwned, R: Serialize>(
    request: Request,
    f: impl FnOnce(P) -> Result<R, String>,
) -> Response {
    let id = request.id.clone();
    let mut refused = None;
    let response = answer(request, |p| match f(p) {
        Ok(result) => serde_json::to_value(result).unwrap_or_default(),
        Err(message) => {
            refused = Some(message);
            serde_json::Value::Null
        }
    });
    match refused {
        Some(message) => Response::new_err(id, ErrorCode::RequestFailed as i32, message),
        None => response,
    }
}

/// A notification's parameters; invalid ones are logged and the notification dropped.
fn params<P: DeserializeOwned>(n: Notification) -> Option<P> {
    match serde_json::from_value::<P>(n.params) {
        Ok(params) => Some(params),
        Err(err) => {
            log(&format!("ignored {} with invalid parameters: {err}", n.method));
            None
        }
    }
}

/// The server's log: stderr, which editors show as the server's output.
pub fn log(line: &str) {
    let _ = writeln!(std::io::stderr().lock(), "rulesctl lsp: {line}");
}

#[cfg(test)]
mod tests;
