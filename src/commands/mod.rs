//! One file per subcommand: orchestration only. They return data; `lib.rs` prints it.

pub mod check;
pub mod explain;
