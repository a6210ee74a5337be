//! `rulesctl schema [--out DIR]`: write the JSON Schemas, atomically and canonically.

use std::path::Path;

use crate::emit::{canonical, schema};
use crate::io::write_atomic;

/// Writes every schema into `dir`, naming each as `shown/<file>`; returns the files and whether
/// each was written (unchanged ones are not touched).
///
/// # Errors
///
/// A message naming the file that could not be written.
pub fn write(dir: &Path, shown: &str) -> Result<Vec<(String, bool)>, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let mut out = Vec::new();
    for (name, value) in schema::all() {
        let (text, _) = canonical::pretty(&value);
        let path = dir.join(name);
        let changed = std::fs::read(&path).ok().as_deref() != Some(text.as_bytes());
        if changed {
            write_atomic(&path, text.as_bytes()).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        }
        out.push((format!("{}/{name}", shown.trim_end_matches('/')), changed));
    }
    Ok(out)
}
