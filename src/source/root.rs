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

/// Folders the walk for projects never enters: output, dependencies and vendored charts, besides
/// every hidden folder (`.git`, `.cache`).
const NOT_WALKED: &[&str] = &["dist", "node_modules", "target", "charts", "vendor"];
/// How deep the walk for projects goes below the working folder.
const MAX_PROJECT_DEPTH: usize = 16;

/// One project of a workspace: its folder, and how it is named in reports (its path from where
/// rulesctl runs, `/`-separated, as `services/mysql`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub dir: PathBuf,
    pub shown: String,
}

impl Member {
    /// What every path of this project is printed under: `services/mysql/`.
    pub fn prefix(&self) -> String {
        if self.shown.is_empty() || self.shown == "." {
            String::new()
        } else {
            format!("{}/", self.shown)
        }
    }
}

/// What a command works on: one project (found at or above the working folder, or `--root`),
/// or several (every project below the working folder, or the `--project` folders).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    One(PathBuf),
    Many(Vec<Member>),
}

impl Scope {
    /// The one project, or a usage error naming the candidates, for commands that work on
    /// exactly one (`render`, `diff --env`, `argocd generate`).
    ///
    /// # Errors
    ///
    /// [`Error::Usage`] when there are several.
    pub fn one(self, command: &str) -> Result<PathBuf, Error> {
        match self {
            Scope::One(root) => Ok(root),
            Scope::Many(mut members) if members.len() == 1 => Ok(members.remove(0).dir),
            Scope::Many(members) => {
                let names: Vec<&str> = members.iter().map(|m| m.shown.as_str()).collect();
                Err(Error::Usage(format!(
                    "`{command}` works on one project and {} are here ({}): choose one with --project DIR, or run it in the project's folder",
                    names.len(),
                    names.join(", ")
                )))
            }
        }
    }
}

/// What a command works on: `--root`, else the `--project` folders, else the project at or
/// above the working folder, else every project below it.
///
/// # Errors
///
/// A `--root` or `--project` that is not a project folder; no project at, above or below the
/// working folder.
pub fn scope(given: Option<&Path>, projects: &[PathBuf]) -> Result<Scope, Error> {
    if given.is_some() && !projects.is_empty() {
        return Err(Error::Usage(
            "--root names one project and --project narrows a workspace: give one or the other".to_string(),
        ));
    }
    if given.is_some() {
        return find(given).map(Scope::One);
    }
    if !projects.is_empty() {
        let mut members = projects.iter().map(|p| member(p)).collect::<Result<Vec<_>, _>>()?;
        members.sort_by(|a, b| a.shown.cmp(&b.shown));
        members.dedup_by(|a, b| a.shown == b.shown);
        return Ok(Scope::Many(members));
    }
    let cwd = working_dir()?;
    if let Some(root) = discover(&cwd) {
        return Ok(Scope::One(root));
    }
    let below = projects_below(&cwd);
    if below.is_empty() {
        return Err(Error::Repository(format!(
            "no rules repository found: neither {} nor any parent folder holds rulesctl.hcl or rules/, and no folder below holds rulesctl.hcl; run rulesctl inside a rules repository or pass --root DIR",
            cwd.display()
        )));
    }
    Ok(Scope::Many(below))
}

/// Whether no project is at, above or below the working folder.
///
/// # Errors
///
/// The working folder cannot be read.
pub fn no_project_here() -> Result<bool, Error> {
    let cwd = working_dir()?;
    Ok(discover(&cwd).is_none() && projects_below(&cwd).is_empty())
}

/// One `--project DIR`: a folder holding `rulesctl.hcl` or `rules/`.
fn member(dir: &Path) -> Result<Member, Error> {
    let shown = slash_path(dir);
    if !dir.is_dir() {
        return Err(Error::Repository(format!("--project {shown}: no such folder")));
    }
    if !dir.join(PROJECT_FILE).is_file() && !dir.join("rules").is_dir() {
        return Err(Error::Repository(format!(
            "--project {shown}: not a project (the folder holds neither {PROJECT_FILE} nor rules/)"
        )));
    }
    let shown = if shown.is_empty() { ".".to_string() } else { shown };
    Ok(Member { dir: dir.to_path_buf(), shown })
}

/// A path as typed, `/`-separated, without `./` and a trailing `/`.
fn slash_path(path: &Path) -> String {
    path.components()
        .filter(|c| !matches!(c, std::path::Component::CurDir))
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// Every project below `start` (a folder holding `rulesctl.hcl`), sorted by path. The walk skips
/// hidden folders and [`NOT_WALKED`], never follows a symbolic link, and does not enter a
/// project: a project inside another is that project's business (run rulesctl in its folder).
pub fn projects_below(start: &Path) -> Vec<Member> {
    let mut found = Vec::new();
    walk_projects(start, "", 0, &mut found);
    found.sort_by(|a, b| Path::new(&a.shown).cmp(Path::new(&b.shown)));
    found
}

fn walk_projects(dir: &Path, rel: &str, depth: usize, found: &mut Vec<Member>) {
    if depth > MAX_PROJECT_DEPTH {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') || NOT_WALKED.contains(&name.as_str()) {
            continue;
        }
        // `file_type` does not follow links: a linked folder is never entered.
        if !entry.file_type().is_ok_and(|t| t.is_dir()) {
            continue;
        }
        let path = entry.path();
        let child = if rel.is_empty() { name } else { format!("{rel}/{name}") };
        if path.join(PROJECT_FILE).is_file() {
            found.push(Member { dir: path, shown: child });
        } else {
            walk_projects(&path, &child, depth + 1, found);
        }
    }
}
