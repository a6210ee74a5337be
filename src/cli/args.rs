//! Each command's arguments, typed once: clap reads them from the command line, and the command
//! takes them as they are. The doc comments are the `--help` texts.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use crate::codegen::target::Target;

/// `rulesctl check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Fail (exit 1) on warnings too
    #[arg(long)]
    pub deny_warnings: bool,
    /// Check what is staged in the git index instead of the working tree
    #[arg(long)]
    pub staged: bool,
    /// Also fail when the ruleset changed since REV without a higher ruleset_version
    #[arg(long, value_name = "REV")]
    pub base: Option<String>,
    /// Report only diagnostics in these files or folders (the whole repository is always checked)
    pub paths: Vec<PathBuf>,
    /// Check again after every change to the files it reads, printing a fresh report each time; Ctrl-C stops
    #[arg(long, conflicts_with_all = ["staged", "base"])]
    pub watch: bool,
}

/// `rulesctl build`.
#[derive(Debug, Args)]
pub struct BuildArgs {
    /// Fail (exit 1) on warnings too
    #[arg(long)]
    pub deny_warnings: bool,
    /// Refuse, as check --base does, a ruleset changed since REV without a higher ruleset_version
    #[arg(long, value_name = "REV")]
    pub base: Option<String>,
    /// Also write this format (repeat or comma-separate; the JSON artifact is always written)
    #[arg(long, value_enum, value_name = "FORMAT", value_delimiter = ',')]
    pub emit: Vec<EmitArg>,
}

impl BuildArgs {
    /// What to write besides the JSON artifact, which is always written.
    pub fn targets(&self) -> Vec<Target> {
        self.emit.iter().map(|&e| Target::from(e)).collect()
    }
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum EmitArg {
    /// dist/ruleset-<version>.json and .sha256 (always written)
    Json,
    /// dist/ruleset-<version>.rs, a self-contained Rust module
    Rust,
    /// dist/ruleset-<version>.wasm, a sandboxed WebAssembly module (ABI 1)
    Wasm,
}

impl From<EmitArg> for Target {
    fn from(arg: EmitArg) -> Self {
        match arg {
            EmitArg::Json => Target::Json,
            EmitArg::Rust => Target::Rust,
            EmitArg::Wasm => Target::Wasm,
        }
    }
}

/// `rulesctl argocd chart`.
#[derive(Debug, Args)]
pub struct ArgocdChartArgs {
    /// Print, one a line, the local (file://) dependencies `helm dependency build
    /// --skip-refresh` must package first, instead of the chart folder; nothing when every
    /// dependency is vendored in the chart's charts/
    #[arg(long)]
    pub to_build: bool,
}

/// `rulesctl verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// Files `build` wrote: the artifact (dist/ruleset-<version>.json), its .sha256, its
    /// .provenance.json, a Rust (.rs) or WebAssembly (.wasm) module; several at once, as a glob
    /// like dist/ruleset-* gives them; a folder (dist) stands for every ruleset-* file in it
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
}

/// `rulesctl render`.
#[derive(Debug, Args)]
pub struct RenderArgs {
    /// The environment (the name of a file in environments/)
    #[arg(long, value_name = "ENV")]
    pub env: String,
}

/// `rulesctl fmt`.
#[derive(Debug, Args)]
pub struct FmtArgs {
    /// List the files that differ and exit 1, without writing
    #[arg(long)]
    pub check: bool,
    /// Print a unified diff of what would change and exit 1 if anything would, without writing
    #[arg(long)]
    pub diff: bool,
    /// Files or folders (default: rulesctl.hcl and every rule file); `-` alone reads standard
    /// input and writes the result to standard output
    pub paths: Vec<PathBuf>,
}

/// `rulesctl schema`.
#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// Where to write them (default: schema/ in the repository root)
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

/// `rulesctl init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Adopt a Helm chart folder vendored in the repository: values.yaml starts thin, over the chart's defaults
    #[arg(long, value_name = "PATH")]
    pub chart: Option<PathBuf>,
    /// With --chart, also start a game ruleset (rules/); without --chart there always is one
    #[arg(long, requires = "chart")]
    pub with_rules: bool,
}

/// `rulesctl explain`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// A code (X001) or its name (cooldown-below-minimum)
    pub code: Option<String>,
}

/// `rulesctl diff`: clap reads OLD NEW or `--env A --env B`; `cli::parse` turns them into one
/// of these or a usage error.
#[derive(Debug)]
pub enum DiffArgs {
    /// Two artifact files or git revisions.
    Rulesets { old: String, new: String, exit_code: bool },
    /// Two environments of the repository.
    Environments { a: String, b: String, exit_code: bool },
}

/// `rulesctl hooks install|uninstall|status`.
#[derive(Debug)]
pub enum HooksAction {
    /// Install; `chain` keeps a foreign hook and runs it first.
    Install { chain: bool },
    /// Remove, restoring a chained hook.
    Uninstall,
    /// Say what is installed where.
    Status,
}

/// `rulesctl completions SHELL`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ShellArg {
    Bash,
    Zsh,
    Fish,
    Elvish,
    Powershell,
    Nushell,
}

/// `rulesctl man`.
#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write rulesctl.1 and one page per subcommand (rulesctl-check.1, ...) into DIR
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}
