//! Finding the rules repository root.

use std::path::{Path, PathBuf};

use crate::error::Error;

pub const PROJECT_FILE: &str = "rulesctl.hcl";

/// Walks up from `start` to the first folder holding `rulesctl.hcl` or, failing that at the same
/// level, a `rules/` folder; the nearest folder wins, as `cargo` does with `Cargo.toml`.
pub fn discover(start: &Path) -> Option<PathBuf> {
    start.ancestors().find(|dir| dir.join(PROJECT_FILE).is_file() || dir.join("rules").is_dir()).map(Path::to_path_buf)
}

/// The repository root: `given` (`--root`), else discovered from the working directory.
///
/// # Errors
///
/// [`Error::Repository`] when `given` is not a folder or no repository encloses the working
/// directory.
pub fn find(given: Option<&Path>) -> Result<PathBuf, Error> {
    if let Some(dir) = given {
        let what = "pass the repository's folder, the one holding rulesctl.hcl or rules/";
        return match dir.metadata() {
            Ok(meta) if meta.is_dir() => Ok(dir.to_path_buf()),
            Ok(_) => Err(Error::Repository(format!(
                "--root {}: this is a file, not a folder; {what}{}",
                dir.display(),
                dir.parent()
                    .filter(|p| !p.as_os_str().is_empty())
                    .map(|p| format!(" (perhaps --root {})", p.display()))
                    .unwrap_or_default()
            ))),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                Err(Error::Repository(format!("--root {}: no such folder; {what}", dir.display())))
            }
            Err(err) => Err(Error::Repository(format!("--root {}: cannot be read ({err}); {what}", dir.display()))),
        };
    }
    let cwd = working_dir()?;
    discover(&cwd).ok_or_else(|| {
        Error::Repository(format!(
            "no rules repository found: neither {} nor any parent folder holds rulesctl.hcl or rules/; run rulesctl inside a rules repository or pass --root DIR",
            cwd.display()
        ))
    })
}

/// The process's working directory.
///
/// # Errors
///
/// When the operating system cannot say (the folder was removed).
pub fn working_dir() -> Result<PathBuf, Error> {
    std::env::current_dir().map_err(|e| Error::Repository(format!("cannot read the working directory: {e}")))
}

/// Turns PATH arguments into root-relative `/` paths, each naming a file or folder inside `root`.
///
/// # Errors
///
/// A path that does not exist or lies outside the repository.
pub fn relative_paths(root: &Path, paths: &[PathBuf]) -> Result<Vec<String>, Error> {
    let root = std::fs::canonicalize(root).map_err(|e| Error::Repository(format!("{}: {e}", root.display())))?;
    paths
        .iter()
        .map(|p| {
            let abs = std::fs::canonicalize(p).map_err(|e| Error::Repository(format!("{}: {e}", p.display())))?;
            let rel = abs.strip_prefix(&root).map_err(|_| {
                Error::Repository(format!("{} is outside the repository {}", p.display(), root.display()))
            })?;
            Ok(rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/"))
        })
        .collect()
}

/// Whether a root-relative `path` lies in one of `filters` (each a file or folder prefix, as
/// [`relative_paths`] gives them; an empty filter is the whole repository).
pub fn matches(filters: &[String], path: &str) -> bool {
    filters.iter().any(|f| f.is_empty() || path == f || path.starts_with(&format!("{f}/")))
}

/// The name of the folder `root` resolves to, for naming things after the repository.
pub fn folder_name(root: &Path) -> Option<String> {
    root.canonicalize().ok()?.file_name().map(|n| n.to_string_lossy().into_owned())
}
