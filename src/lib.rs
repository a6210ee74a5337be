//! rulesctl proves live-game rules valid and within safety bounds before they are committed.
//!
//! The modules follow the pipeline (see ARCHITECTURE.md): [`source`] loads files, [`parse`]
//! turns HCL and YAML into spanned trees, [`model`] types them, [`check`] runs one small rule
//! per diagnostic code, and [`pipeline`] strings those together into the one [`pipeline::Analysis`]
//! every command reads. [`report`] renders the one [`diagnostic::Diagnostic`] list in every
//! output format, and [`emit`] writes what a valid ruleset compiles to. [`lsp`] (the language
//! server) and [`watch`] (`check --watch`) analyse again after each change, incrementally.
//! [`commands`] holds one file per subcommand; this file only parses arguments, runs one, and
//! prints its outcome.

pub mod artifact;
pub mod check;
pub mod cli;
pub mod codegen;
pub mod codes;
pub mod commands;
pub mod diagnostic;
pub mod emit;
pub mod error;
pub mod format;
pub mod hash;
pub mod io;
pub mod lsp;
pub mod model;
pub mod parse;
pub mod pipeline;
pub mod publish;
pub mod report;
pub mod scaffold;
pub mod source;
pub mod threads;
pub mod verify;
pub mod watch;

use std::ffi::OsString;
use std::io::{IsTerminal, Write};

use cli::Command;
use commands::Outcome;

/// Runs rulesctl with `args` (program name first) and returns the exit status: 0 success,
/// 1 invalid input, 2 usage error, unreadable input or internal failure.
pub fn run<I, T>(args: I) -> u8
where
    I: IntoIterator<Item = T>,
    T: Into<OsString>,
{
    commands::completions::complete_if_asked();
    let args: Vec<OsString> = args.into_iter().map(Into::into).collect();
    let invocation = match cli::parse(args.clone(), std::io::stdout().is_terminal()) {
        Ok(invocation) => invocation,
        Err(err) if err.use_stderr() && cli::wants_json(&args) => {
            return print(&Outcome::failure_as_json("usage", &err.render().to_string()));
        }
        Err(err) => {
            let _ = err.print();
            return if err.use_stderr() { 2 } else { 0 };
        }
    };
    let globals = &invocation.globals;
    let outcome = match invocation.command {
        Command::Check(args) => commands::check::run(args, globals),
        Command::Build(args) => commands::build::run(args, globals),
        Command::Verify(args) => commands::verify::run(args, globals),
        Command::Render(args) => commands::render::run(args, globals),
        Command::Diff(args) => commands::diff::run(args, globals),
        Command::Fmt(args) => commands::fmt::run(args, globals),
        Command::Schema(args) => commands::schema::run(args, globals),
        Command::Hooks(args) => commands::hooks::run(args, globals),
        Command::ArgocdGenerate => commands::argocd::run(globals),
        Command::ArgocdChart(args) => commands::argocd::chart(&args, globals),
        Command::Explain(args) => commands::explain::run(args),
        Command::Init(args) => commands::init::run(args, globals),
        Command::Lsp => commands::lsp::run(globals),
        Command::Completions(shell) => commands::completions::run(shell),
        Command::Man(args) => commands::man::run(args),
    };
    match outcome {
        Ok(outcome) => print(&outcome),
        Err(err) => print(&Outcome::failure(globals, &err)),
    }
}

/// Prints an outcome; a closed stdout (a pipe to `head`) is exit 2, not a panic.
fn print(outcome: &Outcome) -> u8 {
    if !outcome.stderr.is_empty() {
        let _ = std::io::stderr().lock().write_all(outcome.stderr.as_bytes());
    }
    let mut stdout = std::io::stdout().lock();
    if stdout.write_all(outcome.stdout.as_bytes()).and_then(|()| stdout.flush()).is_err() {
        return 2;
    }
    outcome.code
}
