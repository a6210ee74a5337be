//! One file per subcommand: orchestration only. They return data; `lib.rs` prints it.

pub mod argocd;
pub mod build;
pub mod build_rust;
pub mod check;
pub mod diff;
pub mod explain;
pub mod fmt;
pub mod hooks;
pub mod render;
pub mod schema;
pub mod verify;
pub mod verify_rust;
