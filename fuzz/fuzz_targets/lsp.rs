//! `lsp`: a language-server session, in process, through the same reader and message loop as
//! `rulesctl lsp` (`rulesctl::lsp::serve_bytes`), over a small repository on disk (the base and
//! helm fixtures, written once per process).
//!
//! The input is a script of steps split at 0xFF; a step's first byte says what it is and the
//! rest is its payload. A document byte picks one of [`DOCS`]; a position is two bytes (line,
//! character). Unknown steps are skipped.
//!
//! | byte | step | payload |
//! | --- | --- | --- |
//! | `o` | didOpen | document, text |
//! | `c` | didChange, whole text | document, text |
//! | `r` | didChange, a range | document, start, end, text |
//! | `s` / `x` / `w` | didSave / didClose / didChangeWatchedFiles | document |
//! | `h` / `k` / `d` / `f` | hover / completion / definition / references | document, position |
//! | `F` | formatting | document |
//! | `a` | codeAction | document, start, end |
//! | `j` | any message: the payload is the frame's body | bytes |
//! | `b` | bytes written as they are, unframed | bytes |
//! | `S` | shutdown | |
//!
//! The session starts with `initialize` (snippets and watcher registration on) and
//! `initialized`, and ends with `shutdown` and `exit`. Unless the script wrote its own frames
//! (`j`, `b`), every request must be answered.

#![no_main]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use rulesctl_fuzz::{BASE_RULES, HELM_CHART, HELM_PROD, HELM_PROJECT, HELM_SCHEMA, HELM_VALUES, SEPARATOR};
use serde_json::{json, Value};

/// The documents a step can name, relative to the repository: its files, and two that are not
/// on disk.
const DOCS: &[&str] = &[
    "rules/caves.hcl",
    "rules/loot.hcl",
    "rules/ruleset.hcl",
    "rulesctl.hcl",
    "values.yaml",
    "environments/prod.yaml",
    "chart/values.schema.json",
    "rules/new.hcl",
];

/// The repository, written once per process under the temporary folder.
fn repository() -> &'static Path {
    static ROOT: OnceLock<PathBuf> = OnceLock::new();
    ROOT.get_or_init(|| {
        let root = std::env::temp_dir().join(format!("rulesctl-fuzz-lsp-{}", std::process::id()));
        let files = BASE_RULES.iter().copied().chain([
            ("rulesctl.hcl", HELM_PROJECT),
            ("values.yaml", HELM_VALUES),
            ("environments/prod.yaml", HELM_PROD),
            ("chart/Chart.yaml", HELM_CHART),
            ("chart/values.schema.json", HELM_SCHEMA),
        ]);
        for (rel, text) in files {
            let path = root.join(rel);
            std::fs::create_dir_all(path.parent().expect("a parent")).expect("create the repository");
            std::fs::write(path, text).expect("write the repository");
        }
        root
    })
}

/// Writes the session as a client would.
struct Session {
    out: Vec<u8>,
    next_id: u64,
    requests: BTreeSet<String>,
    version: i32,
    raw: bool,
}

impl Session {
    fn frame(&mut self, body: &[u8]) {
        self.out.extend_from_slice(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes());
        self.out.extend_from_slice(body);
    }

    fn notify(&mut self, method: &str, params: Value) {
        let body = json!({ "jsonrpc": "2.0", "method": method, "params": params }).to_string();
        self.frame(body.as_bytes());
    }

    fn request(&mut self, method: &str, params: Value) {
        self.next_id += 1;
        let id = format!("fuzz-{}", self.next_id);
        let body = json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }).to_string();
        self.requests.insert(id);
        self.frame(body.as_bytes());
    }
}

fn uri(doc: u8) -> String {
    let rel = DOCS[usize::from(doc) % DOCS.len()];
    format!("file://{}/{rel}", repository().display())
}

fn position(bytes: &[u8]) -> Value {
    json!({ "line": bytes.first().copied().unwrap_or(0), "character": bytes.get(1).copied().unwrap_or(0) })
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The bodies of the frames the server wrote.
fn frames(mut out: &[u8]) -> Vec<&[u8]> {
    let mut bodies = Vec::new();
    while !out.is_empty() {
        let end = out.windows(4).position(|w| w == b"\r\n\r\n").expect("a header ends with a blank line");
        let header = std::str::from_utf8(&out[..end]).expect("a UTF-8 header");
        let length: usize = header
            .strip_prefix("Content-Length: ")
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("not a Content-Length header: {header:?}"));
        let body = out.get(end + 4..end + 4 + length).expect("a whole body");
        bodies.push(body);
        out = &out[end + 4 + length..];
    }
    bodies
}

fuzz_target!(|data: &[u8]| {
    let mut s = Session { out: Vec::new(), next_id: 0, requests: BTreeSet::new(), version: 0, raw: false };
    let capabilities = json!({
        "textDocument": { "completion": { "completionItem": { "snippetSupport": true } } },
        "workspace": { "didChangeWatchedFiles": { "dynamicRegistration": true } },
    });
    s.request("initialize", json!({ "capabilities": capabilities }));
    s.notify("initialized", json!({}));
    for step in data.split(|b| *b == SEPARATOR) {
        let [op, rest @ ..] = step else { continue };
        let (doc, payload) = match rest {
            [doc, payload @ ..] => (*doc, payload),
            [] => (0, rest),
        };
        let document = json!({ "uri": uri(doc) });
        s.version += 1;
        let versioned = json!({ "uri": uri(doc), "version": s.version });
        let at = |bytes: &[u8], from: usize| position(bytes.get(from..).unwrap_or_default());
        let range = |bytes: &[u8]| json!({ "start": at(bytes, 0), "end": at(bytes, 2) });
        match op {
            b'o' => s.notify(
                "textDocument/didOpen",
                json!({ "textDocument": { "uri": uri(doc), "languageId": "hcl", "version": s.version, "text": text(payload) } }),
            ),
            b'c' => s.notify(
                "textDocument/didChange",
                json!({ "textDocument": versioned, "contentChanges": [{ "text": text(payload) }] }),
            ),
            b'r' => s.notify(
                "textDocument/didChange",
                json!({
                    "textDocument": versioned,
                    "contentChanges": [{ "range": range(payload), "text": text(payload.get(4..).unwrap_or_default()) }],
                }),
            ),
            b's' => s.notify("textDocument/didSave", json!({ "textDocument": document })),
            b'x' => s.notify("textDocument/didClose", json!({ "textDocument": document })),
            b'w' => s.notify("workspace/didChangeWatchedFiles", json!({ "changes": [{ "uri": uri(doc), "type": 2 }] })),
            b'h' | b'k' | b'd' | b'f' => {
                let method = match op {
                    b'h' => "textDocument/hover",
                    b'k' => "textDocument/completion",
                    b'd' => "textDocument/definition",
                    _ => "textDocument/references",
                };
                let params = json!({
                    "textDocument": document,
                    "position": at(payload, 0),
                    "context": { "includeDeclaration": true },
                });
                s.request(method, params);
            }
            b'F' => s.request(
                "textDocument/formatting",
                json!({ "textDocument": document, "options": { "tabSize": 2, "insertSpaces": true } }),
            ),
            b'a' => s.request(
                "textDocument/codeAction",
                json!({ "textDocument": document, "range": range(payload), "context": { "diagnostics": [] } }),
            ),
            b'j' => {
                s.raw = true;
                s.frame(rest);
            }
            b'b' => {
                s.raw = true;
                s.out.extend_from_slice(rest);
            }
            b'S' => s.request("shutdown", Value::Null),
            _ => {}
        }
    }
    s.request("shutdown", Value::Null);
    s.notify("exit", Value::Null);
    let (_, written) = rulesctl::lsp::serve_bytes(&s.out, None);
    let mut answered = BTreeSet::new();
    for body in frames(&written) {
        let message: Value = serde_json::from_slice(body).expect("the server writes JSON");
        if let (Some(id), true) = (message["id"].as_str(), message.get("method").is_none()) {
            answered.insert(id.to_string());
        }
    }
    if !s.raw {
        let missing: Vec<&String> = s.requests.difference(&answered).collect();
        assert!(missing.is_empty(), "requests left unanswered: {missing:?}");
    }
});
