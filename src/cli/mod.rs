//! The command line: clap types, converted to domain types here and nowhere else.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{CommandFactory, Parser, Subcommand, ValueEnum};

use crate::commands::build::Target;
use crate::commands::{self, diff::Args as DiffArgs, hooks::Args as HooksAction, Globals};
use crate::error::Error;
use crate::report::Format;

/// Validate, compile and render live-game rules before they ship.
#[derive(Debug, Parser)]
#[command(name = "rulesctl", version, about, long_about = None)]
struct Cli {
    /// The repository root (default: walk up to the first folder holding rulesctl.hcl or rules/)
    #[arg(long, global = true, value_name = "DIR")]
    root: Option<PathBuf>,

    /// Output format for diagnostics
    #[arg(long, global = true, value_enum, default_value_t = FormatArg::Human)]
    format: FormatArg,

    #[command(subcommand)]
    command: CommandArg,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum FormatArg {
    Human,
    Json,
    /// SARIF 2.1.0, for code scanning
    Sarif,
    /// GitHub Actions workflow annotations
    Github,
}

#[derive(Debug, Subcommand)]
enum CommandArg {
    /// Validate the rules and the project file; writes nothing
    Check {
        /// Fail (exit 1) on warnings too
        #[arg(long)]
        deny_warnings: bool,
        /// Check what is staged in the git index instead of the working tree
        #[arg(long)]
        staged: bool,
        /// Also fail when the ruleset changed since REV without a higher ruleset_version
        #[arg(long, value_name = "REV")]
        base: Option<String>,
        /// Report only diagnostics in these files or folders (the whole repository is always checked)
        paths: Vec<PathBuf>,
    },
    /// Check, then write the artifact, its checksum and its provenance under dist/
    Build {
        /// Fail (exit 1) on warnings too
        #[arg(long)]
        deny_warnings: bool,
        /// Refuse, as check --base does, a ruleset changed since REV without a higher ruleset_version
        #[arg(long, value_name = "REV")]
        base: Option<String>,
        /// Also write this format (repeat or comma-separate; the JSON artifact is always written)
        #[arg(long, value_enum, value_name = "FORMAT", value_delimiter = ',')]
        emit: Vec<EmitArg>,
    },
    /// Recompute an artifact's digest, Merkle tree and .sha256 file, or a Rust module's digest and data
    Verify {
        /// The artifact (dist/ruleset-<version>.json) or Rust module (dist/ruleset-<version>.rs)
        artifact: PathBuf,
    },
    /// Print one environment's rendered Helm values to stdout
    Render {
        /// The environment (the name of a file in environments/)
        #[arg(long, value_name = "ENV")]
        env: String,
    },
    /// Show how two artifacts, git revisions (OLD NEW) or environments (--env A --env B) differ
    Diff {
        /// The old side: an artifact file or a git revision
        old: Option<String>,
        /// The new side: an artifact file or a git revision
        new: Option<String>,
        /// Compare two environments' rendered values instead (give it twice)
        #[arg(long, value_name = "ENV", conflicts_with_all = ["old", "new"])]
        env: Vec<String>,
        /// Exit 1 when the two differ, like `git diff --exit-code`
        #[arg(long)]
        exit_code: bool,
    },
    /// Lay out HCL files canonically (comments kept); --check lists the files that differ
    Fmt {
        /// List the files that differ and exit 1, without writing
        #[arg(long)]
        check: bool,
        /// Files or folders (default: rulesctl.hcl and every rule file)
        paths: Vec<PathBuf>,
    },
    /// Write the JSON Schemas of the rules, values and environment files
    Schema {
        /// Where to write them (default: schema/ in the repository root)
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
    /// Argo CD config-management plugin commands
    Argocd {
        #[command(subcommand)]
        action: ArgocdArg,
    },
    /// Print shell completions for SHELL to stdout
    Completions {
        /// bash, zsh, fish, elvish or powershell
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff) to stdout
    Man,
    /// Manage the git pre-commit hook that runs `rulesctl check --staged --base HEAD`
    Hooks {
        #[command(subcommand)]
        action: HooksArg,
    },
    /// Explain a diagnostic code, or list them all
    Explain {
        /// A code (X001) or its name (cooldown-below-minimum)
        code: Option<String>,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum EmitArg {
    /// dist/ruleset-<version>.json and .sha256 (always written)
    Json,
    /// dist/ruleset-<version>.rs, a self-contained Rust module
    Rust,
}

#[derive(Debug, Subcommand)]
enum ArgocdArg {
    /// Print the manifests for the application in the working directory (env from ARGOCD_ENV_RULESCTL_ENV)
    Generate,
}

#[derive(Debug, Subcommand)]
enum HooksArg {
    /// Install the hook where git looks for it (core.hooksPath, worktrees)
    Install {
        /// Keep an existing hook that rulesctl did not write, and run it first
        #[arg(long)]
        chain: bool,
    },
    /// Remove the hook, restoring a chained one
    Uninstall,
    /// Say what is installed where
    Status,
}

/// What the user asked for, in domain terms.
#[derive(Debug)]
pub struct Invocation {
    pub globals: Globals,
    pub command: Command,
}

/// One variant per command, each carrying that command's own arguments.
#[derive(Debug)]
pub enum Command {
    Check(commands::check::Args),
    Build(commands::build::Args),
    Verify(commands::verify::Args),
    Render(commands::render::Args),
    Schema(commands::schema::Args),
    Fmt(commands::fmt::Args),
    ArgocdGenerate,
    Completions(clap_complete::Shell),
    Man,
    Hooks(commands::hooks::Args),
    Diff(commands::diff::Args),
    Explain(commands::explain::Args),
}

/// Parses the arguments. `color` says whether human output may use colour.
///
/// # Errors
///
/// clap's error, which also carries `--help` and `--version`.
pub fn parse<I, T>(args: I, color: bool) -> Result<Invocation, clap::Error>
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = Cli::try_parse_from(args)?;
    let format = match cli.format {
        FormatArg::Human => Format::Human { color },
        FormatArg::Json => Format::Json,
        FormatArg::Sarif => Format::Sarif,
        FormatArg::Github => Format::Github,
    };
    let command = match cli.command {
        CommandArg::Check { deny_warnings, staged, base, paths } => {
            Command::Check(commands::check::Args { deny_warnings, staged, base, paths })
        }
        CommandArg::Build { deny_warnings, base, emit } => {
            let emit = emit
                .into_iter()
                .map(|e| match e {
                    EmitArg::Json => Target::Json,
                    EmitArg::Rust => Target::Rust,
                })
                .collect();
            Command::Build(commands::build::Args { deny_warnings, emit, base })
        }
        CommandArg::Verify { artifact } => Command::Verify(commands::verify::Args { artifact }),
        CommandArg::Render { env } => Command::Render(commands::render::Args { env }),
        CommandArg::Schema { out } => Command::Schema(commands::schema::Args { out }),
        CommandArg::Fmt { check, paths } => Command::Fmt(commands::fmt::Args { check, paths }),
        CommandArg::Argocd { action: ArgocdArg::Generate } => Command::ArgocdGenerate,
        CommandArg::Completions { shell } => Command::Completions(shell),
        CommandArg::Man => Command::Man,
        CommandArg::Hooks { action: HooksArg::Install { chain } } => Command::Hooks(HooksAction::Install { chain }),
        CommandArg::Hooks { action: HooksArg::Uninstall } => Command::Hooks(HooksAction::Uninstall),
        CommandArg::Hooks { action: HooksArg::Status } => Command::Hooks(HooksAction::Status),
        CommandArg::Diff { old, new, env, exit_code } => match (old, new, env.as_slice()) {
            (None, None, [a, b]) => Command::Diff(DiffArgs::Environments { a: a.clone(), b: b.clone(), exit_code }),
            (Some(old), Some(new), []) => Command::Diff(DiffArgs::Rulesets { old, new, exit_code }),
            _ => {
                return Err(Cli::command().error(
                    clap::error::ErrorKind::ArgumentConflict,
                    "diff takes OLD NEW (artifacts or git revisions), or --env A --env B",
                ))
            }
        },
        CommandArg::Explain { code } => Command::Explain(commands::explain::Args { code }),
    };
    Ok(Invocation { globals: Globals { root: cli.root, format }, command })
}

/// Shell completions for `shell`.
pub fn completions(shell: clap_complete::Shell) -> String {
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "rulesctl", &mut out);
    String::from_utf8_lossy(&out).into_owned()
}

/// The man page, as roff.
///
/// # Errors
///
/// When the page cannot be rendered.
pub fn man() -> Result<String, Error> {
    let mut out = Vec::new();
    clap_mangen::Man::new(Cli::command())
        .render(&mut out)
        .map_err(|e| Error::Usage(format!("cannot render the man page: {e}")))?;
    Ok(String::from_utf8_lossy(&out).into_owned())
}
