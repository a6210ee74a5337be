//! The command line: clap types, converted to domain types here and nowhere else. Each
//! command's arguments are typed once, in `args.rs`, and handed to the command as they are; this
//! layer imports no command.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};

mod args;

pub use args::{
    ArgocdChartArgs, BuildArgs, CheckArgs, DiffArgs, EmitArg, ExplainArgs, FmtArgs, HooksAction, InitArgs, ManArgs,
    RenderArgs, SchemaArgs, ShellArg, VerifyArgs,
};

use crate::report::{OutputFormat, View};

/// Validate, compile and render live-game rules before they ship.
#[derive(Debug, Parser)]
#[command(name = "rulesctl", version, about, long_about = None, after_help = EXAMPLES)]
struct Cli {
    #[command(subcommand)]
    command: CommandArg,
}

const EXAMPLES: &str = "Examples:
  rulesctl init                      scaffold a rules repository here
  rulesctl check                     validate the repository you are in
  rulesctl build                     check, then write dist/
  rulesctl render --env prod         one environment's Helm values
  rulesctl explain X001              what a diagnostic code means";

/// `--root`, for the commands that work on a repository.
#[derive(Debug, Args)]
struct RootArg {
    /// The repository root (default: walk up to the first folder holding rulesctl.hcl or rules/)
    #[arg(long, value_name = "DIR")]
    root: Option<PathBuf>,
}

/// `--project`, for the commands that can work on several projects at once.
#[derive(Debug, Args, Default)]
struct ProjectArg {
    /// Only this project folder (repeatable); run above several projects, every one below is covered
    #[arg(long = "project", value_name = "DIR")]
    projects: Vec<PathBuf>,
}

/// How a command that reports diagnostics prints them.
#[derive(Debug, Args)]
struct ReportArgs {
    /// Output format for diagnostics
    #[arg(long, value_enum, default_value_t = FormatArg::Human)]
    format: FormatArg,
    /// Colour in human output: auto uses it on a terminal unless NO_COLOR is set
    #[arg(long, value_enum, default_value_t = ColorArg::Auto, value_name = "WHEN")]
    color: ColorArg,
    /// Print only the diagnostics: no summary line, no list of written files
    #[arg(long, short)]
    quiet: bool,
    /// Show every diagnostic: many alike in one file are otherwise grouped after the first few,
    /// and only the first `limits { max_diagnostics }` (1000) are printed
    #[arg(long)]
    all: bool,
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

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ColorArg {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
enum CommandArg {
    /// Validate the rules, values and every environment; writes nothing
    #[command(after_help = "Examples:
  rulesctl check                          the whole repository
  rulesctl check rules/caves.hcl          everything; report only that file
  rulesctl check --staged --base HEAD     what is staged; the version bump too
  rulesctl check --format sarif > out.sarif
  rulesctl check --watch                  again after every save, until Ctrl-C")]
    Check {
        #[command(flatten)]
        args: CheckArgs,
        #[command(flatten)]
        root: RootArg,
        #[command(flatten)]
        project: ProjectArg,
        #[command(flatten)]
        report: ReportArgs,
    },
    /// Check, then write the artifact, its checksum and its provenance under dist/
    #[command(after_help = "Examples:
  rulesctl build                  the artifact, .sha256, provenance, values
  rulesctl build --base HEAD~1    refuse a change since HEAD~1 without a bump
  rulesctl build --emit rust      also dist/ruleset-<version>.rs, a Rust module
  rulesctl build --emit wasm      also dist/ruleset-<version>.wasm, a module")]
    Build {
        #[command(flatten)]
        args: BuildArgs,
        #[command(flatten)]
        root: RootArg,
        #[command(flatten)]
        project: ProjectArg,
        #[command(flatten)]
        report: ReportArgs,
    },
    /// Verify what build wrote: artifacts, .sha256 files, provenance, Rust and Wasm modules
    #[command(after_help = "Examples:
  rulesctl verify dist/ruleset-v2.4.1.json
  rulesctl verify dist/ruleset-v2.4.1.wasm
  rulesctl verify dist/ruleset-*              every file of every build")]
    Verify {
        #[command(flatten)]
        args: VerifyArgs,
        #[command(flatten)]
        report: ReportArgs,
    },
    /// Print one environment's rendered Helm values to stdout
    #[command(after_help = "Examples:
  rulesctl render --env prod > prod-values.yaml
  rulesctl render --env dev | helm template game ./chart -f -")]
    Render {
        #[command(flatten)]
        args: RenderArgs,
        #[command(flatten)]
        root: RootArg,
        #[command(flatten)]
        project: ProjectArg,
        #[command(flatten)]
        report: ReportArgs,
    },
    /// Show how two artifacts, git revisions (OLD NEW) or environments (--env A --env B) differ
    #[command(after_help = "Examples:
  rulesctl diff HEAD~1 HEAD                  sections changed between revisions
  rulesctl diff old.json new.json            between two artifacts
  rulesctl diff --env dev --env prod         between two rendered environments")]
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
        #[command(flatten)]
        root: RootArg,
        #[command(flatten)]
        project: ProjectArg,
        #[command(flatten)]
        report: ReportArgs,
    },
    /// Lay out HCL files canonically (comments kept); --check lists the files that differ
    #[command(after_help = "Examples:
  rulesctl fmt                    rulesctl.hcl and every rule file, in place
  rulesctl fmt --check            list the files that differ; exit 1 if any")]
    Fmt {
        #[command(flatten)]
        args: FmtArgs,
        #[command(flatten)]
        root: RootArg,
        #[command(flatten)]
        project: ProjectArg,
        #[command(flatten)]
        report: ReportArgs,
    },
    /// Write the JSON Schemas of the rules and environment files
    #[command(after_help = "Examples:
  rulesctl schema                 into schema/ of the repository
  rulesctl schema --out /tmp/s")]
    Schema {
        #[command(flatten)]
        args: SchemaArgs,
        #[command(flatten)]
        root: RootArg,
    },
    /// Argo CD config-management plugin commands
    Argocd {
        #[command(subcommand)]
        action: ArgocdArg,
    },
    /// Print shell completions for SHELL to stdout (they complete environments and codes too)
    #[command(after_help = "Examples:
  rulesctl completions zsh > ~/.zfunc/_rulesctl
  rulesctl completions bash > /etc/bash_completion.d/rulesctl
  rulesctl completions nushell | save -f ~/.config/nushell/rulesctl.nu")]
    Completions {
        /// bash, zsh, fish, elvish, powershell or nushell
        shell: ShellArg,
    },
    /// Print the man page (roff) to stdout, or write one page per subcommand with --out
    #[command(after_help = "Examples:
  rulesctl man | man -l -
  rulesctl man --out /usr/local/share/man/man1")]
    Man {
        #[command(flatten)]
        args: ManArgs,
    },
    /// Manage the git pre-commit hook that runs `rulesctl check --staged --base HEAD`
    Hooks {
        #[command(subcommand)]
        action: HooksArg,
    },
    /// Scaffold a rules repository here that passes `rulesctl check` (never overwrites a file)
    #[command(after_help = "Examples:
  rulesctl init                   a passing repository in this folder
  rulesctl init --chart charts/game   adopt an existing chart")]
    Init {
        #[command(flatten)]
        args: InitArgs,
        #[command(flatten)]
        root: RootArg,
    },
    /// Run the language server on stdin and stdout, for editors
    #[command(after_help = "Examples:
  rulesctl lsp                    started by an editor (README: Editors)")]
    Lsp {
        /// Accepted for editors that pass it; stdio is the only transport
        #[arg(long, hide = true)]
        stdio: bool,
        #[command(flatten)]
        root: RootArg,
    },
    /// Explain a diagnostic code, or list them all
    #[command(after_help = "Examples:
  rulesctl explain                      every code, one line each
  rulesctl explain X001                 one code in full
  rulesctl explain cooldown-below-minimum")]
    Explain {
        #[command(flatten)]
        args: ExplainArgs,
    },
}

#[derive(Debug, Subcommand)]
enum ArgocdArg {
    /// Print the manifests for the application in the working directory (env from ARGOCD_ENV_RULESCTL_ENV)
    #[command(after_help = "Examples:
  ARGOCD_ENV_RULESCTL_ENV=prod rulesctl argocd generate")]
    Generate {
        #[command(flatten)]
        root: RootArg,
        #[command(flatten)]
        project: ProjectArg,
    },
    /// Print the chart folder for the plugin's `helm template`: ARGOCD_ENV_RULESCTL_CHART, else
    /// the one rulesctl.hcl names (paths.chart); exit 2 naming a dependency that is not vendored
    #[command(after_help = "Examples:
  helm template game \"$(rulesctl argocd chart)\" --values values.yaml
  rulesctl argocd chart --to-build   local dependencies to package first")]
    Chart {
        #[command(flatten)]
        args: ArgocdChartArgs,
        #[command(flatten)]
        root: RootArg,
        #[command(flatten)]
        project: ProjectArg,
    },
}

#[derive(Debug, Subcommand)]
enum HooksArg {
    /// Install the hook where git looks for it (core.hooksPath, worktrees)
    #[command(after_help = "Examples:
  rulesctl hooks install            never replaces a hook it did not write
  rulesctl hooks install --chain    keeps that hook and runs it first")]
    Install {
        /// Keep an existing hook that rulesctl did not write, and run it first
        #[arg(long)]
        chain: bool,
        #[command(flatten)]
        root: RootArg,
    },
    /// Remove the hook, restoring a chained one
    Uninstall {
        #[command(flatten)]
        root: RootArg,
    },
    /// Say what is installed where
    Status {
        #[command(flatten)]
        root: RootArg,
    },
}

/// The options every command takes.
#[derive(Debug, Clone)]
pub struct Globals {
    /// `--root DIR`, else discovered.
    pub root: Option<PathBuf>,
    /// `--project DIR`, repeated: the projects of a workspace to cover (all when empty).
    pub projects: Vec<PathBuf>,
    pub format: OutputFormat,
    /// `--quiet`: only the diagnostics, no summary and no extra lines.
    pub quiet: bool,
    /// `--all`: every diagnostic, none grouped.
    pub all: bool,
}

impl Globals {
    /// How this invocation prints reports.
    pub fn view(&self) -> View {
        View { format: self.format, quiet: self.quiet, all: self.all, ..View::of(self.format) }
    }
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
    Check(CheckArgs),
    Build(BuildArgs),
    Verify(VerifyArgs),
    Render(RenderArgs),
    Schema(SchemaArgs),
    Fmt(FmtArgs),
    ArgocdGenerate,
    ArgocdChart(ArgocdChartArgs),
    Completions(ShellArg),
    Man(ManArgs),
    Hooks(HooksAction),
    Diff(DiffArgs),
    Explain(ExplainArgs),
    Init(InitArgs),
    Lsp,
}

/// Parses the arguments. `terminal` says whether stdout is a terminal (for `--color auto`).
///
/// # Errors
///
/// clap's error, which also carries `--help` and `--version`.
pub fn parse<I, T>(args: I, terminal: bool) -> Result<Invocation, clap::Error>
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = Cli::try_parse_from(args)?;
    let no_root = RootArg { root: None };
    let mut projects = ProjectArg::default();
    let (command, root, report) = match cli.command {
        CommandArg::Check { args, root, project, report } => {
            projects = project;
            (Command::Check(args), root, Some(report))
        }
        CommandArg::Build { args, root, project, report } => {
            projects = project;
            (Command::Build(args), root, Some(report))
        }
        CommandArg::Verify { args, report } => (Command::Verify(args), no_root, Some(report)),
        CommandArg::Render { args, root, project, report } => {
            projects = project;
            (Command::Render(args), root, Some(report))
        }
        CommandArg::Schema { args, root } => (Command::Schema(args), root, None),
        CommandArg::Fmt { args, root, project, report } => {
            projects = project;
            (Command::Fmt(args), root, Some(report))
        }
        CommandArg::Argocd { action: ArgocdArg::Generate { root, project } } => {
            projects = project;
            (Command::ArgocdGenerate, root, None)
        }
        CommandArg::Argocd { action: ArgocdArg::Chart { args, root, project } } => {
            projects = project;
            (Command::ArgocdChart(args), root, None)
        }
        CommandArg::Completions { shell } => (Command::Completions(shell), no_root, None),
        CommandArg::Man { args } => (Command::Man(args), no_root, None),
        CommandArg::Hooks { action: HooksArg::Install { chain, root } } => {
            (Command::Hooks(HooksAction::Install { chain }), root, None)
        }
        CommandArg::Hooks { action: HooksArg::Uninstall { root } } => {
            (Command::Hooks(HooksAction::Uninstall), root, None)
        }
        CommandArg::Hooks { action: HooksArg::Status { root } } => (Command::Hooks(HooksAction::Status), root, None),
        CommandArg::Diff { old, new, env, exit_code, root, project, report } => {
            projects = project;
            let args = match (old, new, env.as_slice()) {
                (None, None, [a, b]) => DiffArgs::Environments { a: a.clone(), b: b.clone(), exit_code },
                (Some(old), Some(new), []) => DiffArgs::Rulesets { old, new, exit_code },
                _ => {
                    return Err(Cli::command().error(
                        clap::error::ErrorKind::ArgumentConflict,
                        "diff takes OLD NEW (artifacts or git revisions), or --env A --env B",
                    ))
                }
            };
            (Command::Diff(args), root, Some(report))
        }
        CommandArg::Explain { args } => (Command::Explain(args), no_root, None),
        CommandArg::Init { args, root } => (Command::Init(args), root, None),
        CommandArg::Lsp { stdio: _, root } => (Command::Lsp, root, None),
    };
    let color_auto = terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let globals = match report {
        Some(r) => {
            let color = match r.color {
                ColorArg::Auto => color_auto,
                ColorArg::Always => true,
                ColorArg::Never => false,
            };
            let format = match r.format {
                FormatArg::Human => OutputFormat::Human { color },
                FormatArg::Json => OutputFormat::Json,
                FormatArg::Sarif => OutputFormat::Sarif,
                FormatArg::Github => OutputFormat::Github,
            };
            Globals { root: root.root, projects: projects.projects, format, quiet: r.quiet, all: r.all }
        }
        None => Globals {
            root: root.root,
            projects: projects.projects,
            format: OutputFormat::Human { color: color_auto },
            quiet: false,
            all: false,
        },
    };
    Ok(Invocation { globals, command })
}

/// Whether the raw arguments ask for JSON output, for reporting an argument error as JSON when
/// the arguments could not be parsed at all.
pub fn wants_json<T: AsRef<std::ffi::OsStr>>(args: &[T]) -> bool {
    args.windows(2).any(|w| w[0].as_ref() == "--format" && w[1].as_ref() == "json")
        || args.iter().any(|a| a.as_ref() == "--format=json")
}

/// The whole command line as clap sees it: what completions and man pages are made from.
pub fn command() -> clap::Command {
    Cli::command()
}
