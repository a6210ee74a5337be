//! `rulesctl hooks install | uninstall | status`: the git pre-commit hook.

use std::path::{Path, PathBuf};

use git2::Repository;

use crate::io::write_atomic_mode;

/// The hook script; `@INSTALLED_AT@` and `@ROOT_ARG@` are filled in at install time.
const TEMPLATE: &str = include_str!("../../hooks/pre-commit");
/// How rulesctl recognises a hook it wrote.
const MARKER: &str = "# rulesctl-hook: v1";
/// Where a foreign hook is kept when installing with `--chain`.
const CHAINED: &str = "pre-commit.rulesctl-chained";

/// What an action did or found, for the user.
pub struct Outcome {
    pub message: String,
    /// 0 done (or nothing to do); 1 refused, to protect a hook rulesctl did not write.
    pub code: u8,
}

fn done(message: String) -> Result<Outcome, String> {
    Ok(Outcome { message, code: 0 })
}

fn refused(message: String) -> Result<Outcome, String> {
    Ok(Outcome { message, code: 1 })
}

/// The hooks folder git itself would use for the repository holding `root`: `core.hooksPath`
/// (absolute, or relative to the top of the working tree), else `hooks/` in the common git
/// folder, which linked worktrees share.
///
/// # Errors
///
/// When `root` is not in a git repository.
pub fn hooks_dir(root: &Path) -> Result<(PathBuf, Repository), String> {
    let repo = Repository::discover(root).map_err(|_| format!("{} is not inside a git repository", root.display()))?;
    let configured = repo.config().ok().and_then(|c| c.get_path("core.hooksPath").ok());
    let dir = match configured {
        Some(path) if path.is_absolute() => path,
        Some(path) => repo.workdir().unwrap_or_else(|| repo.path()).join(path),
        None => repo.commondir().join("hooks"),
    };
    Ok((dir, repo))
}

/// The script for this installation.
fn script(root: &Path, repo: &Repository) -> String {
    let exe =
        std::env::current_exe().ok().and_then(|p| p.canonicalize().ok()).unwrap_or_else(|| PathBuf::from("rulesctl"));
    let root_rel = match (repo.workdir().and_then(|w| w.canonicalize().ok()), root.canonicalize().ok()) {
        (Some(top), Some(root)) => root.strip_prefix(&top).map(Path::to_path_buf).unwrap_or_default(),
        _ => PathBuf::new(),
    };
    let root_arg = if root_rel.as_os_str().is_empty() {
        String::new()
    } else {
        format!(" --root {}", quote(&root_rel.to_string_lossy()))
    };
    TEMPLATE.replace("@INSTALLED_AT@", &quote(&exe.to_string_lossy())).replace("@ROOT_ARG@", &root_arg)
}

/// Single-quotes a word for sh.
fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

/// Installs the hook; `chain` keeps a foreign hook and runs it first.
///
/// # Errors
///
/// I/O failures and repositories that cannot be found.
pub fn install(root: &Path, chain: bool) -> Result<Outcome, String> {
    let (dir, repo) = hooks_dir(root)?;
    let hook = dir.join("pre-commit");
    let wanted = script(root, &repo);
    let shown = hook.display();
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    match std::fs::read_to_string(&hook) {
        Ok(current) if current == wanted => return done(format!("the rulesctl hook is already installed at {shown}; nothing changed")),
        Ok(current) if current.contains(MARKER) => {}
        Ok(_) | Err(_) if !hook.exists() && !hook.is_symlink() => {}
        _ if !chain => {
            return refused(format!(
                "{shown} is a pre-commit hook rulesctl did not write; it was left alone. Run `rulesctl hooks install --chain` to keep it and run it before rulesctl's check"
            ))
        }
        _ => {
            let chained = dir.join(CHAINED);
            if chained.exists() || chained.is_symlink() {
                return refused(format!("{} already exists; remove it or run `rulesctl hooks uninstall` first", chained.display()));
            }
            std::fs::rename(&hook, &chained).map_err(|e| format!("cannot move {shown} aside: {e}"))?;
        }
    }
    let chained = dir.join(CHAINED).exists();
    write_atomic_mode(&hook, wanted.as_bytes(), 0o755).map_err(|e| format!("cannot write {shown}: {e}"))?;
    let note = if chained { " (the previous hook runs first)" } else { "" };
    done(format!("installed the rulesctl pre-commit hook at {shown}{note}"))
}

/// Removes the hook and restores a chained one.
///
/// # Errors
///
/// I/O failures and repositories that cannot be found.
pub fn uninstall(root: &Path) -> Result<Outcome, String> {
    let (dir, _) = hooks_dir(root)?;
    let hook = dir.join("pre-commit");
    let chained = dir.join(CHAINED);
    match std::fs::read_to_string(&hook) {
        Err(_) if !hook.exists() => {
            done(format!("no pre-commit hook is installed at {}; nothing changed", hook.display()))
        }
        Ok(current) if current.contains(MARKER) => {
            if chained.exists() {
                std::fs::rename(&chained, &hook).map_err(|e| format!("cannot restore {}: {e}", chained.display()))?;
                done(format!("removed the rulesctl hook and restored the previous hook at {}", hook.display()))
            } else {
                std::fs::remove_file(&hook).map_err(|e| format!("cannot remove {}: {e}", hook.display()))?;
                done(format!("removed the rulesctl hook from {}", hook.display()))
            }
        }
        _ => refused(format!("{} was not written by rulesctl; it was left alone", hook.display())),
    }
}

/// Says what is installed where.
///
/// # Errors
///
/// When the repository cannot be found.
pub fn status(root: &Path) -> Result<Outcome, String> {
    let (dir, repo) = hooks_dir(root)?;
    let source = if repo.config().ok().and_then(|c| c.get_path("core.hooksPath").ok()).is_some() {
        "core.hooksPath"
    } else {
        "git's default"
    };
    let hook = dir.join("pre-commit");
    let state = match std::fs::read_to_string(&hook) {
        Ok(current) if current == script(root, &repo) => "the rulesctl hook is installed and current",
        Ok(current) if current.contains(MARKER) => "the rulesctl hook is installed, from another rulesctl version or path (run `rulesctl hooks install` to update it)",
        Ok(_) => "a pre-commit hook rulesctl did not write is installed",
        Err(_) if hook.exists() => "a pre-commit hook is there but cannot be read",
        Err(_) => "no pre-commit hook is installed",
    };
    let chained = if dir.join(CHAINED).exists() {
        format!("\nchained: {} runs first", dir.join(CHAINED).display())
    } else {
        String::new()
    };
    done(format!("hooks folder: {} ({source})\npre-commit: {state}{chained}", dir.display()))
}
