//! `rulesctl completions SHELL`: scripts that complete flags and also the values only a
//! repository knows (`render --env <TAB>` lists its environments, `explain <TAB>` every code).
//!
//! For bash, zsh, fish, elvish and powershell the script is clap's dynamic registration: at each
//! <TAB> the shell runs `RULESCTL_COMPLETE=<shell> rulesctl -- <words>`, which
//! [`complete_if_asked`] answers. The variable is rulesctl's own, so a `COMPLETE` set for some
//! other tool never turns a run of rulesctl into a completion request. Nushell gets clap's
//! static script (flags and subcommands).

use clap_complete::engine::{ArgValueCandidates, CompletionCandidate};
use clap_complete::env::{CompleteEnv, Shells};

use crate::cli::{self, ShellArg};
use crate::commands::Outcome;
use crate::error::Error;
use crate::source::{root, Tree, WorkTree};

/// The variable the registration scripts set when they ask for candidates.
const VAR: &str = "RULESCTL_COMPLETE";

/// The command line with its value completers attached.
pub fn command() -> clap::Command {
    let environments = || ArgValueCandidates::new(environments);
    let projects = |c: clap::Command| c.mut_arg("projects", |a| a.add(ArgValueCandidates::new(projects)));
    cli::command()
        .mut_subcommand("render", |c| projects(c.mut_arg("env", |a| a.add(environments()))))
        .mut_subcommand("diff", |c| c.mut_arg("env", |a| a.add(environments())))
        .mut_subcommand("explain", |c| c.mut_arg("code", |a| a.add(ArgValueCandidates::new(codes))))
        .mut_subcommand("check", projects)
        .mut_subcommand("build", projects)
        .mut_subcommand("fmt", projects)
        .mut_subcommand("argocd", |c| c.mut_subcommand("generate", projects).mut_subcommand("chart", projects))
}

/// Answers a completion request and exits, when the shell sent one; otherwise returns at once.
pub fn complete_if_asked() {
    CompleteEnv::with_factory(command).var(VAR).complete();
}

/// The script for `shell`.
///
/// # Errors
///
/// None in practice: a script that cannot be written to memory.
pub fn run(shell: ShellArg) -> Result<Outcome, Error> {
    let mut out = Vec::new();
    let name = match shell {
        ShellArg::Nushell => {
            clap_complete::generate(clap_complete_nushell::Nushell, &mut command(), "rulesctl", &mut out);
            return Ok(Outcome::text(String::from_utf8_lossy(&out).into_owned(), 0));
        }
        ShellArg::Bash => "bash",
        ShellArg::Zsh => "zsh",
        ShellArg::Fish => "fish",
        ShellArg::Elvish => "elvish",
        ShellArg::Powershell => "powershell",
    };
    let shells = Shells::builtins();
    let shell = shells.completer(name).ok_or_else(|| Error::Usage(format!("no completions for {name}")))?;
    shell
        .write_registration(VAR, "rulesctl", "rulesctl", "rulesctl", &mut out)
        .map_err(|e| Error::Usage(format!("cannot write the {name} completions: {e}")))?;
    Ok(Outcome::text(String::from_utf8_lossy(&out).into_owned(), 0))
}

/// The environments of the repository the shell is in, by file name; none outside one.
fn environments() -> Vec<CompletionCandidate> {
    let Ok(root) = root::find(None) else { return Vec::new() };
    let tree = WorkTree::new(root);
    let project = crate::pipeline::project(&tree);
    let files = tree.list_files(std::slice::from_ref(&project.environments.value), ".yaml").unwrap_or_default();
    files
        .iter()
        .filter_map(|rel| rel.rsplit('/').next()?.strip_suffix(".yaml"))
        .map(|name| CompletionCandidate::new(name.to_string()))
        .collect()
}

/// The project folders below the shell's folder (`--project <TAB>`), as `--project` takes them.
fn projects() -> Vec<CompletionCandidate> {
    let Ok(here) = std::env::current_dir() else { return Vec::new() };
    root::projects_below(&here).into_iter().map(|m| CompletionCandidate::new(m.shown)).collect()
}

/// Every diagnostic code, with its summary as the help a shell shows beside it.
fn codes() -> Vec<CompletionCandidate> {
    crate::codes::all().into_iter().map(|c| CompletionCandidate::new(c.id).help(Some(c.summary().into()))).collect()
}
