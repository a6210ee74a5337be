//! Finding the rules repository root.

use std::path::{Path, PathBuf};

pub const PROJECT_FILE: &str = "rulesctl.hcl";

/// Walks up from `start` to the first folder holding `rulesctl.hcl` or, failing that at the same
/// level, a `rules/` folder; the nearest folder wins, as `cargo` does with `Cargo.toml`.
pub fn discover(start: &Path) -> Option<PathBuf> {
    start.ancestors().find(|dir| dir.join(PROJECT_FILE).is_file() || dir.join("rules").is_dir()).map(Path::to_path_buf)
}
