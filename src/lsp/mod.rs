//! The language server (`rulesctl lsp`): `rulesctl check`'s diagnostics for the whole workspace
//! while typing, and hover, completion, navigation, formatting, quick fixes, semantic tokens,
//! symbols, folding, rename and inlay hints from the dialect table, the tokenizer and the latest
//! analysis. Synchronous, over stdio: one reader thread, one loop that takes the messages in
//! batches (changes coalesced, one analysis a batch) on an incremental
//! [`crate::pipeline::Workspace`] per repository.

mod actions;
mod completion;
mod context;
mod convert;
mod diagnostics;
mod folding;
mod formatting;
mod hover;
mod inlay;
mod navigate;
mod rename;
mod requests;
mod semantic;
mod server;
mod settings;
mod state;
mod symbols;
mod transport;
mod values_help;

use std::path::PathBuf;

/// Serves the protocol on stdin and stdout until the client says `exit` or closes stdin;
/// returns the exit status (0 after a `shutdown` request, else 1). `root`, when given, is the
/// repository of every file under it.
pub fn serve(root: Option<PathBuf>) -> u8 {
    let (to, incoming) = std::sync::mpsc::channel();
    let to_server = to.clone();
    // The reader is left running when the loop ends: it may be blocked on stdin.
    let _reader = std::thread::Builder::new()
        .name("lsp-reader".into())
        .spawn(move || transport::read_all(std::io::stdin().lock(), &to));
    let verbose = std::env::var_os("RULESCTL_LSP_LOG").is_some_and(|v| !v.is_empty());
    let mut server = server::Server::new(std::io::stdout().lock(), root, verbose, Some(to_server));
    server.run(&incoming)
}

/// Serves `input`, the bytes a client would write to stdin (`Content-Length` framed messages,
/// malformed ones included), through the same reader and message loop as [`serve`], in this
/// thread; returns the exit status and every byte the server wrote. For the fuzz target
/// (`fuzz/fuzz_targets/lsp.rs`) and in-process tests: no stdio, no threads.
pub fn serve_bytes(input: &[u8], root: Option<PathBuf>) -> (u8, Vec<u8>) {
    let (to, incoming) = std::sync::mpsc::channel();
    transport::read_all(input, &to);
    drop(to);
    let mut out = Vec::new();
    let code = server::Server::new(&mut out, root, false, None).run(&incoming);
    (code, out)
}
