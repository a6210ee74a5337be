//! One file per subcommand: orchestration only. They return data; `lib.rs` prints it.

pub mod argocd;
pub mod build;
pub mod check;
pub mod diff;
pub mod explain;
pub mod fmt;
pub mod hooks;
pub mod render;
pub mod schema;
pub mod verify;
