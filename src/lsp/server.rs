//! The message loop: lifecycle (initialize, shutdown, exit), dispatch, and the guard that keeps
//! one bad message or one internal error from stopping the server.

use std::io::Write;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::mpsc::Receiver;

use lsp_server::{ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::{
    CodeActionKind, CodeActionOptions, CodeActionProviderCapability, CompletionOptions, DidChangeTextDocumentParams,
    DidChangeWatchedFilesParams, DidChangeWatchedFilesRegistrationOptions, DidCloseTextDocumentParams,
    DidOpenTextDocumentParams, DidSaveTextDocumentParams, FileSystemWatcher, GlobPattern, HoverProviderCapability,
    InitializeParams, OneOf, PositionEncodingKind, Registration, RegistrationParams, SaveOptions, ServerCapabilities,
    ServerInfo, TextDocumentSyncCapability, TextDocumentSyncKind, TextDocumentSyncOptions, TextDocumentSyncSaveOptions,
};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::lsp::requests;
use crate::lsp::state::State;
use crate::lsp::transport::{self, Incoming};

/// Where the server is in the protocol's lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Uninitialized,
    Running,
    ShutDown,
}

pub struct Server<W: Write> {
    out: W,
    state: State,
    phase: Phase,
    /// The client takes completion snippets.
    snippets: bool,
    /// The client lets the server register file watchers.
    dynamic_watchers: bool,
    /// Log every message and analysis time to stderr (`RULESCTL_LSP_LOG=1`).
    verbose: bool,
    /// The client stopped reading what the server writes.
    gone: bool,
}

impl<W: Write> Server<W> {
    pub fn new(out: W, forced_root: Option<PathBuf>, verbose: bool) -> Self {
        let state = State { forced_root, ..State::default() };
        Server {
            out,
            state,
            phase: Phase::Uninitialized,
            snippets: false,
            dynamic_watchers: false,
            verbose,
            gone: false,
        }
    }

    /// Serves until `exit` (or the end of the input): the exit status is 0 when `shutdown`
    /// came first, 1 otherwise, as the protocol asks.
    pub fn run(&mut self, incoming: &Receiver<Incoming>) -> u8 {
        for message in incoming {
            match message {
                Incoming::Message(Message::Notification(n)) if n.method == "exit" => break,
                Incoming::Message(message) => self.guarded(message),
                Incoming::Malformed { error, id } => {
                    log(&format!("ignored a malformed message: {error}"));
                    if let Some(id) = id {
                        self.respond(Response::new_err(id, ErrorCode::InvalidRequest as i32, error));
                    }
                }
            }
            if self.gone {
                log("the client stopped reading; exiting");
                break;
            }
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
                let response = self.request(request);
                self.respond(response);
            }
            Message::Notification(notification) => {
                if self.verbose {
                    log(&format!("notification {}", notification.method));
                }
                self.notification(notification);
            }
            // Answers to what the server asked (registering watchers): nothing to do.
            Message::Response(_) => {}
        }
    }

    fn request(&mut self, request: Request) -> Response {
        let id = request.id.clone();
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
            (_, "textDocument/hover") => answer(request, |p| requests::hover(&self.state, &p)),
            (_, "textDocument/completion") => answer(request, |p| requests::completion(&self.state, &p, self.snippets)),
            (_, "textDocument/definition") => answer(request, |p| requests::definition(&self.state, &p)),
            (_, "textDocument/references") => answer(request, |p| requests::references(&self.state, &p)),
            (_, "textDocument/formatting") => answer(request, |p| requests::formatting(&self.state, &p)),
            (_, "textDocument/codeAction") => answer(request, |p| requests::code_actions(&self.state, &p)),
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
        let watched = caps.workspace.as_ref().and_then(|w| w.did_change_watched_files.as_ref());
        self.dynamic_watchers = watched.and_then(|w| w.dynamic_registration) == Some(true);
        self.phase = Phase::Running;
        let result = serde_json::json!({
            "capabilities": capabilities(),
            "serverInfo": ServerInfo { name: "rulesctl".into(), version: Some(env!("CARGO_PKG_VERSION").into()) },
        });
        Response::new_ok(request.id, result)
    }

    fn notification(&mut self, n: Notification) {
        if self.phase != Phase::Running {
            return;
        }
        let published = match n.method.as_str() {
            "initialized" => {
                self.register_watchers();
                Vec::new()
            }
            "textDocument/didOpen" => match params::<DidOpenTextDocumentParams>(n) {
                Some(p) => self.state.open(p.text_document.uri, p.text_document.text, p.text_document.version),
                None => Vec::new(),
            },
            "textDocument/didChange" => match params::<DidChangeTextDocumentParams>(n) {
                Some(p) => self.state.change(&p.text_document.uri, p.content_changes, p.text_document.version),
                None => Vec::new(),
            },
            "textDocument/didSave" => match params::<DidSaveTextDocumentParams>(n) {
                Some(p) => self.state.save(&p.text_document.uri),
                None => Vec::new(),
            },
            "textDocument/didClose" => match params::<DidCloseTextDocumentParams>(n) {
                Some(p) => self.state.close(&p.text_document.uri),
                None => Vec::new(),
            },
            "workspace/didChangeWatchedFiles" => match params::<DidChangeWatchedFilesParams>(n) {
                Some(p) => self.state.files_changed(&p.changes.into_iter().map(|c| c.uri).collect::<Vec<_>>()),
                None => Vec::new(),
            },
            // Each file finds its own repository: workspace folders change nothing.
            "workspace/didChangeWorkspaceFolders" => Vec::new(),
            method if method.starts_with("$/") => Vec::new(),
            method => {
                log(&format!("ignored the notification {method}"));
                Vec::new()
            }
        };
        if let Some(took) = self.state.last_analysis.take().filter(|_| self.verbose) {
            log(&format!("analysed in {:.1} ms", took.as_secs_f64() * 1000.0));
        }
        for notification in published {
            self.send(&Message::Notification(notification));
        }
    }

    /// Asks the client to report changes to the files an analysis reads, when it can.
    fn register_watchers(&mut self) {
        if !self.dynamic_watchers {
            return;
        }
        let watchers = ["**/*.hcl", "**/*.yaml", "**/*.yml", "**/*.json"]
            .into_iter()
            .map(|glob| FileSystemWatcher { glob_pattern: GlobPattern::String(glob.into()), kind: None })
            .collect();
        let options = DidChangeWatchedFilesRegistrationOptions { watchers };
        let params = RegistrationParams {
            registrations: vec![Registration {
                id: "rulesctl-watched-files".into(),
                method: "workspace/didChangeWatchedFiles".into(),
                register_options: serde_json::to_value(options).ok(),
            }],
        };
        let request =
            Request::new(RequestId::from("rulesctl-register".to_string()), "client/registerCapability".into(), params);
        self.send(&Message::Request(request));
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

fn capabilities() -> ServerCapabilities {
    ServerCapabilities {
        position_encoding: Some(PositionEncodingKind::UTF16),
        text_document_sync: Some(TextDocumentSyncCapability::Options(TextDocumentSyncOptions {
            open_close: Some(true),
            change: Some(TextDocumentSyncKind::FULL),
            save: Some(TextDocumentSyncSaveOptions::SaveOptions(SaveOptions { include_text: Some(false) })),
            ..TextDocumentSyncOptions::default()
        })),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(vec!["\"".into(), ".".into()]),
            ..CompletionOptions::default()
        }),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        document_formatting_provider: Some(OneOf::Left(true)),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![CodeActionKind::QUICKFIX]),
            ..CodeActionOptions::default()
        })),
        ..ServerCapabilities::default()
    }
}

/// The server's log: stderr, which editors show as the server's output.
pub fn log(line: &str) {
    let _ = writeln!(std::io::stderr().lock(), "rulesctl lsp: {line}");
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc::channel;

    use super::*;

    /// Runs a server over `messages`; returns its exit status and every message it wrote.
    fn serve(messages: Vec<Incoming>) -> (u8, Vec<serde_json::Value>) {
        let (to, from) = channel();
        for message in messages {
            to.send(message).expect("send");
        }
        drop(to);
        let mut out = Vec::new();
        let code = Server::new(&mut out, None, false).run(&from);
        let text = String::from_utf8(out).expect("utf-8");
        let bodies = text.split("Content-Length: ").skip(1).map(|frame| {
            let (_, body) = frame.split_once("\r\n\r\n").expect("a framed message");
            serde_json::from_str(body).expect("JSON")
        });
        (code, bodies.collect())
    }

    fn request(id: i32, method: &str, params: serde_json::Value) -> Incoming {
        Incoming::Message(Message::Request(Request::new(id.into(), method.into(), params)))
    }

    fn notification(method: &str) -> Incoming {
        Incoming::Message(Message::Notification(Notification::new(method.into(), serde_json::Value::Null)))
    }

    fn error_code(response: &serde_json::Value) -> i64 {
        response["error"]["code"].as_i64().unwrap_or(0)
    }

    #[test]
    fn lifecycle_errors_and_a_panic_never_stop_the_server() {
        let hover = serde_json::json!({
            "textDocument": { "uri": "file:///nowhere/x.hcl" },
            "position": { "line": 0, "character": 0 },
        });
        let (code, out) = serve(vec![
            request(1, "textDocument/hover", hover.clone()),
            request(2, "initialize", serde_json::json!({ "capabilities": {} })),
            notification("initialized"),
            request(3, "initialize", serde_json::json!({ "capabilities": {} })),
            request(4, "rulesctl/panic", serde_json::Value::Null),
            request(5, "textDocument/hover", hover.clone()),
            request(6, "textDocument/hover", serde_json::json!({ "textDocument": 1 })),
            request(7, "workspace/noSuchThing", serde_json::Value::Null),
            Incoming::Malformed { error: "not JSON".into(), id: Some(8.into()) },
            request(9, "shutdown", serde_json::Value::Null),
            request(10, "textDocument/hover", hover),
            notification("exit"),
        ]);
        assert_eq!(code, 0, "shutdown came before exit");
        let by_id =
            |id: i64| out.iter().find(|m| m["id"] == id).unwrap_or_else(|| panic!("no answer to {id}: {out:?}"));
        assert_eq!(error_code(by_id(1)), ErrorCode::ServerNotInitialized as i64);
        assert_eq!(by_id(2)["result"]["serverInfo"]["name"], "rulesctl");
        assert_eq!(error_code(by_id(3)), ErrorCode::InvalidRequest as i64);
        assert_eq!(error_code(by_id(4)), ErrorCode::InternalError as i64);
        assert!(by_id(5)["result"].is_null() && by_id(5).get("error").is_none(), "answered after the panic");
        assert_eq!(error_code(by_id(6)), ErrorCode::InvalidParams as i64);
        assert_eq!(error_code(by_id(7)), ErrorCode::MethodNotFound as i64);
        assert_eq!(error_code(by_id(8)), ErrorCode::InvalidRequest as i64);
        assert!(by_id(9)["result"].is_null());
        assert_eq!(error_code(by_id(10)), ErrorCode::InvalidRequest as i64);
    }

    #[test]
    fn exit_without_shutdown_is_status_1() {
        let (code, _) =
            serve(vec![request(1, "initialize", serde_json::json!({ "capabilities": {} })), notification("exit")]);
        assert_eq!(code, 1);
        let (code, _) = serve(Vec::new());
        assert_eq!(code, 1, "the input ended without shutdown");
    }
}
