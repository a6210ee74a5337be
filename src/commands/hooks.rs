//! `rulesctl hooks install | uninstall | status`: the git pre-commit hook.

use std::path::{Path, PathBuf};

use crate::cli::{Globals, HooksAction};
use crate::commands::Outcome;
use crate::error::Error;
use crate::io::{create_dir_all, exists, read_text, remove_file, rename, write_atomic_mode};
use crate::source::git::{hooks_dir, HooksDir};
use crate::source::root;

/// The hook script; `@INSTALLED_AT@` and `@ROOT_ARG@` are filled in at install time.
const TEMPLATE: &str = include_str!("../../hooks/pre-commit");
/// How rulesctl recognises a hook it wrote.
const MARKER: &str = "# rulesctl-hook: v1";
/// Where a foreign hook is kept when installing with `--chain`.
const CHAINED: &str = "pre-commit.rulesctl-chained";
/// Hooks are small scripts; a larger file is not one rulesctl wrote.
const MAX_HOOK_BYTES: u64 = 1024 * 1024;

/// Runs a hooks action from the repository root (or, outside one, the working directory).
///
/// # Errors
///
/// Not in a git repository; the file system refused.
pub fn run(args: HooksAction, globals: &Globals) -> Result<Outcome, Error> {
    let root = match root::find(globals.root.as_deref()) {
        Ok(root) => root,
        Err(_) => root::working_dir()?,
    };
    let (message, code) = match args {
        HooksAction::Install { chain } => install(&root, chain)?,
        HooksAction::Uninstall => uninstall(&root)?,
        HooksAction::Status => status(&root)?,
    };
    Ok(Outcome::text(format!("{message}\n"), code))
}

/// A message and exit status: 0 done (or nothing to do); 1 refused, to protect a hook rulesctl
/// did not write.
type Done = (String, u8);

fn done(message: String) -> Result<Done, Error> {
    Ok((message, 0))
}

fn refused(message: String) -> Result<Done, Error> {
    Ok((message, 1))
}

/// The script for this installation. It names no project: git runs a pre-commit hook at the top
/// of the working tree, where rulesctl finds the project there or every project below, and
/// checks each whose files are staged. So one hook covers the whole repository, wherever it was
/// installed from, and installing again from another project's folder never narrows it.
fn script() -> String {
    let exe =
        std::env::current_exe().ok().and_then(|p| p.canonicalize().ok()).unwrap_or_else(|| PathBuf::from("rulesctl"));
    TEMPLATE.replace("@INSTALLED_AT@", &quote(&exe.to_string_lossy())).replace("@ROOT_ARG@", "")
}

/// The projects a hook running at the top of the working tree checks: the project there, else
/// every project below it (see `source::root`), as paths from the top.
fn covered(hooks: &HooksDir) -> Vec<String> {
    let Some(top) = hooks.workdir.as_deref() else { return Vec::new() };
    if root::discover(top).is_some_and(|found| found == top || top.starts_with(&found)) {
        return vec![".".to_string()];
    }
    root::projects_below(top).into_iter().map(|m| m.shown).collect()
}

/// What the hook covers, in words.
fn coverage(hooks: &HooksDir) -> String {
    match covered(hooks).as_slice() {
        [] => "no rulesctl project (rulesctl.hcl) in this repository yet: the hook lets every commit through, and checks a project from the moment one is added".to_string(),
        [top] if top == "." => "the project at the top of the repository".to_string(),
        projects => format!(
            "every project in the repository whose files are staged ({}: {})",
            projects.len(),
            projects.join(", ")
        ),
    }
}

/// Single-quotes a word for sh.
fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

/// Installs the hook; `chain` keeps a foreign hook and runs it first.
fn install(root: &Path, chain: bool) -> Result<Done, Error> {
    let hooks = hooks_dir(root)?;
    let dir = &hooks.dir;
    let hook = dir.join("pre-commit");
    let wanted = script();
    let shown = hook.display();
    let covers = coverage(&hooks);
    create_dir_all(dir).map_err(|e| Error::io("create", dir, e))?;
    let mut updated = false;
    match read_text(&hook, MAX_HOOK_BYTES) {
        Some(current) if current == wanted => {
            return done(format!(
                "the rulesctl hook is already installed at {shown}; nothing changed. It covers {covers}"
            ))
        }
        Some(current) if current.contains(MARKER) => updated = true,
        _ if !exists(&hook) => {}
        _ if !chain => {
            return refused(format!(
                "{shown} is a pre-commit hook rulesctl did not write; it was left alone. Run `rulesctl hooks install --chain` to keep it and run it before rulesctl's check"
            ))
        }
        _ => {
            let chained = dir.join(CHAINED);
            if exists(&chained) {
                return refused(format!("{} already exists; remove it or run `rulesctl hooks uninstall` first", chained.display()));
            }
            rename(&hook, &chained).map_err(|e| Error::io("move aside", &hook, e))?;
        }
    }
    let chained = exists(&dir.join(CHAINED));
    write_atomic_mode(&hook, wanted.as_bytes(), 0o755).map_err(|e| Error::io("write", &hook, e))?;
    let note = if chained { " (the previous hook runs first)" } else { "" };
    let verb = if updated { "updated" } else { "installed" };
    done(format!("{verb} the rulesctl pre-commit hook at {shown}{note}. It covers {covers}"))
}

/// Removes the hook and restores a chained one.
fn uninstall(root: &Path) -> Result<Done, Error> {
    let dir = hooks_dir(root)?.dir;
    let hook = dir.join("pre-commit");
    let chained = dir.join(CHAINED);
    match read_text(&hook, MAX_HOOK_BYTES) {
        None if !hook.exists() => {
            done(format!("no pre-commit hook is installed at {}; nothing changed", hook.display()))
        }
        Some(current) if current.contains(MARKER) => {
            if chained.exists() {
                rename(&chained, &hook).map_err(|e| Error::io("restore", &chained, e))?;
                done(format!("removed the rulesctl hook and restored the previous hook at {}", hook.display()))
            } else {
                remove_file(&hook).map_err(|e| Error::io("remove", &hook, e))?;
                done(format!("removed the rulesctl hook from {}", hook.display()))
            }
        }
        _ => refused(format!("{} was not written by rulesctl; it was left alone", hook.display())),
    }
}

/// Says what is installed where.
fn status(root: &Path) -> Result<Done, Error> {
    let hooks = hooks_dir(root)?;
    let dir = &hooks.dir;
    let source = if hooks.configured { "core.hooksPath" } else { "git's default" };
    let hook = dir.join("pre-commit");
    let state = match read_text(&hook, MAX_HOOK_BYTES) {
        Some(current) if current == script() => "the rulesctl hook is installed and current",
        Some(current) if current.contains(MARKER) => "the rulesctl hook is installed, from another rulesctl version or path (run `rulesctl hooks install` to update it)",
        Some(_) => "a pre-commit hook rulesctl did not write is installed",
        None if hook.exists() => "a pre-commit hook is there but cannot be read",
        None => "no pre-commit hook is installed",
    };
    let checks = read_text(&hook, MAX_HOOK_BYTES)
        .filter(|current| current.contains(MARKER))
        .map(|current| format!("\nchecks: {}\ncovers: {}", checks(&current), covers(&current, &hooks)))
        .unwrap_or_default();
    let chained = if dir.join(CHAINED).exists() {
        format!("\nchained: {} runs first", dir.join(CHAINED).display())
    } else {
        String::new()
    };
    done(format!("hooks folder: {} ({source})\npre-commit: {state}{checks}{chained}", dir.display()))
}

/// Which projects an installed rulesctl hook checks: one named with `--root` (an older
/// rulesctl's install from a project folder), else every project, listed.
fn covers(script: &str, hooks: &HooksDir) -> String {
    let command = script.lines().find_map(|line| line.strip_prefix("exec \"$rulesctl\" ")).unwrap_or_default();
    match command.split_once(" --root ") {
        Some((_, root)) => format!(
            "only the project {}: the hook was installed by an older rulesctl (run `rulesctl hooks install` to cover every project)",
            root.trim().trim_matches('\'')
        ),
        None => coverage(hooks),
    }
}

/// What an installed rulesctl hook runs, in words, read from the script itself (an older
/// rulesctl's hook may check less).
fn checks(script: &str) -> String {
    let Some(command) = script.lines().find_map(|line| line.strip_prefix("exec \"$rulesctl\" ")) else {
        return "unknown: the hook runs no rulesctl command (run `rulesctl hooks install` to rewrite it)".to_string();
    };
    let shown = format!("`rulesctl {command}`");
    if command.contains("--base HEAD") {
        format!(
            "{shown}: the staged rules, values and environments, and that a staged change to the ruleset has a higher ruleset_version than HEAD's (G001, G002); on the first commit there is no earlier version (G003, a warning)"
        )
    } else {
        format!(
            "{shown}: the staged files only; a changed ruleset without a version bump is not stopped (run `rulesctl hooks install` to update the hook)"
        )
    }
}
