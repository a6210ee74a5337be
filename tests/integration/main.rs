//! The one integration target: every test runs the real `rulesctl` binary on real files.

mod architecture;
mod argocd;
mod artifact;
mod bad_input;
mod cascades;
mod charts;
mod cli;
mod codes;
mod dialect;
mod emit_rust;
mod environments;
mod example;
mod explain;
mod fmt;
mod git;
mod helm;
mod incremental;
mod init;
mod lsp;
mod outputs;
mod precommit;
mod support;
mod values;
mod watch;
