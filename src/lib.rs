//! rulesctl proves live-game rules valid and within safety bounds before they are committed.
//!
//! The modules follow the pipeline: [`source`] loads files, [`parse`] turns HCL into spanned
//! literal trees, [`model`] types them, [`check`] runs one small rule per diagnostic code,
//! [`report`] renders the one [`diagnostic::Diagnostic`] list in every output format, and
//! [`emit`] writes what a valid ruleset compiles to.

pub mod check;
pub mod cli;
pub mod commands;
pub mod diagnostic;
pub mod emit;
pub mod io;
pub mod model;
pub mod parse;
pub mod report;
pub mod source;

use std::ffi::OsString;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use cli::{Command, Invocation};
use report::{Extra, Format, Summary};
use serde_json::json;

/// Runs rulesctl with `args` (program name first) and returns the exit status: 0 success,
/// 1 invalid input, 2 usage error, unreadable input or internal failure.
pub fn run<I, T>(args: I) -> u8
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let invocation = match cli::parse(args, color) {
        Ok(invocation) => invocation,
        Err(err) => {
            let _ = err.print();
            return if err.use_stderr() { 2 } else { 0 };
        }
    };
    match dispatch(invocation) {
        Ok((text, code)) => out(&text, code),
        Err(message) => {
            let _ = writeln!(std::io::stderr().lock(), "error: {message}");
            2
        }
    }
}

/// Runs one command: the text for stdout and the exit status, or a usage-level error (exit 2).
fn dispatch(invocation: Invocation) -> Result<(String, u8), String> {
    let format = invocation.format;
    match invocation.command {
        Command::Explain { code } => commands::explain::explain(code.as_deref()).map(|text| (text, 0)),
        Command::Check { deny_warnings, staged, base, paths } => {
            let root = find_root(invocation.root.as_deref())?;
            let filters = relative_filters(&root, &paths)?;
            let tree: Box<dyn source::Tree> = if staged {
                Box::new(source::git::Snapshot::index(&root)?)
            } else {
                Box::new(source::WorkTree { root: root.clone() })
            };
            let mut analysis = match base {
                Some(rev) => {
                    let base_tree = source::git::Snapshot::revision(&root, &rev)?;
                    commands::check::analyze_against(tree.as_ref(), &base_tree, &rev)
                }
                None => commands::check::analyze(tree.as_ref()),
            };
            if !filters.is_empty() {
                analysis.diagnostics.retain(|d| {
                    let path = &analysis.sources.get(d.primary.span.file).path;
                    filters.iter().any(|f| f.is_empty() || path == f || path.starts_with(&format!("{f}/")))
                });
            }
            let summary = Summary::of(&analysis.diagnostics, analysis.files);
            let text = report::render(format, &analysis.diagnostics, &analysis.sources, summary, &Extra::default());
            Ok((text, analysis.exit_code(deny_warnings)))
        }
        Command::Build { deny_warnings, emit } => {
            let root = find_root(invocation.root.as_deref())?;
            let (analysis, outputs) = commands::build::build(&root, &emit);
            let lines = outputs
                .iter()
                .map(|o| format!("{} {}", if o.written { "wrote" } else { "unchanged" }, o.path))
                .chain(outputs.first().map(|o| format!("digest {}", o.digest)))
                .collect();
            let json_outputs = outputs.iter().map(|o| json!({ "path": o.path, "written": o.written })).collect();
            let digest = outputs.first().map(|o| o.digest.clone());
            let extra = Extra {
                lines,
                json: vec![("outputs", serde_json::Value::Array(json_outputs)), ("digest", json!(digest))],
            };
            let summary = Summary::of(&analysis.diagnostics, analysis.files);
            let text = report::render(format, &analysis.diagnostics, &analysis.sources, summary, &extra);
            Ok((text, analysis.exit_code(deny_warnings)))
        }
        Command::Verify { artifact } => {
            let verified = commands::verify::verify(&artifact, &artifact.to_string_lossy());
            if let Some(message) = verified.unreadable {
                return Err(message);
            }
            let mut extra = Extra::default();
            if let Some((digest, root, sections)) = &verified.ok {
                extra.lines.push(format!(
                    "verified {}: {sections} sections, digest {digest}, root {root}",
                    artifact.display()
                ));
                extra.json.push(("verified", json!({ "digest": digest, "root": root, "sections": sections })));
            }
            let summary = Summary::of(&verified.diagnostics, 1);
            let text = report::render(format, &verified.diagnostics, &verified.sources, summary, &extra);
            Ok((text, u8::from(verified.ok.is_none())))
        }
        Command::Completions(shell) => Ok((cli::completions(shell), 0)),
        Command::Man => cli::man().map(|page| (page, 0)),
        Command::ArgocdGenerate => {
            let root = find_root(invocation.root.as_deref())?;
            let env = std::env::var(commands::argocd::ENV_VAR).ok();
            let app = std::env::var("ARGOCD_APP_NAME").ok().filter(|a| !a.is_empty());
            match commands::argocd::generate(&root, env.as_deref(), app.as_deref()) {
                Ok(manifests) => Ok((manifests, 0)),
                Err(commands::argocd::Failure::Usage(message)) => Err(message),
                Err(commands::argocd::Failure::Invalid(analysis)) => {
                    // Nothing on stdout: Argo CD must keep the last good state.
                    let human = Format::Human { color: false };
                    let summary = Summary::of(&analysis.diagnostics, analysis.files);
                    let report =
                        report::render(human, &analysis.diagnostics, &analysis.sources, summary, &Extra::default());
                    let _ = std::io::stderr().lock().write_all(report.as_bytes());
                    Ok((String::new(), 1))
                }
            }
        }
        Command::HooksInstall { chain } => {
            hooks(invocation.root.as_deref(), |root| commands::hooks::install(root, chain))
        }
        Command::HooksUninstall => hooks(invocation.root.as_deref(), commands::hooks::uninstall),
        Command::HooksStatus => hooks(invocation.root.as_deref(), commands::hooks::status),
        Command::Fmt { check, paths } => {
            let root = find_root(invocation.root.as_deref())?;
            let targets = relative_filters(&root, &paths)?;
            let done = commands::fmt::fmt(&root, &targets, check);
            let verb = if check { "would reformat" } else { "reformatted" };
            let lines = done.changed.iter().map(|p| format!("{verb} {p}")).collect();
            let extra = Extra { lines, json: vec![("changed", json!(done.changed))] };
            let summary = Summary::of(&done.diagnostics, done.files);
            let text = report::render(format, &done.diagnostics, &done.sources, summary, &extra);
            let failed = !done.diagnostics.is_empty() || (check && !done.changed.is_empty());
            Ok((text, u8::from(failed)))
        }
        Command::Schema { out } => {
            let (dir, shown) = match out {
                Some(dir) => (dir.clone(), dir.display().to_string()),
                None => (find_root(invocation.root.as_deref())?.join("schema"), "schema".to_string()),
            };
            let written = commands::schema::write(&dir, &shown)?;
            let lines: String =
                written.iter().map(|(p, w)| format!("{} {p}\n", if *w { "wrote" } else { "unchanged" })).collect();
            Ok((lines, 0))
        }
        Command::Render { env } => {
            let root = find_root(invocation.root.as_deref())?;
            match commands::render::render(&root, &env) {
                Ok(text) => Ok((text, 0)),
                Err(commands::render::Failure::Usage(message)) => Err(message),
                Err(commands::render::Failure::Invalid(analysis)) => {
                    // stdout carries only values; the report goes to stderr.
                    let summary = Summary::of(&analysis.diagnostics, analysis.files);
                    let report =
                        report::render(format, &analysis.diagnostics, &analysis.sources, summary, &Extra::default());
                    let _ = std::io::stderr().lock().write_all(report.as_bytes());
                    Ok((String::new(), 1))
                }
            }
        }
        Command::DiffEnv { a, b, exit_code } => {
            let root = find_root(invocation.root.as_deref())?;
            let analysis = commands::check::analyze(&source::WorkTree { root });
            let side = |name: &str| commands::diff::environment(&analysis, name);
            let (old, new) = match (side(&a), side(&b)) {
                (Ok(old), Ok(new)) => (old, new),
                (Err(commands::diff::Failure::Blocked), _) | (_, Err(commands::diff::Failure::Blocked)) => {
                    let summary = Summary::of(&analysis.diagnostics, analysis.files);
                    let text =
                        report::render(format, &analysis.diagnostics, &analysis.sources, summary, &Extra::default());
                    return Ok((text, 1));
                }
                (Err(failure), _) | (_, Err(failure)) => return diff_failure(failure, format),
            };
            Ok(diff_output(format, &old, &new, exit_code))
        }
        Command::Diff { old, new, exit_code } => {
            let root = find_root(invocation.root.as_deref()).ok();
            let load = |arg: &str| commands::diff::load(arg, root.as_deref());
            let (old, new) = match (load(&old), load(&new)) {
                (Ok(old), Ok(new)) => (old, new),
                (Err(failure), _) | (_, Err(failure)) => return diff_failure(failure, format),
            };
            Ok(diff_output(format, &old, &new, exit_code))
        }
    }
}

/// Runs a hooks action from the repository root (or, outside one, the working directory).
fn hooks(
    root: Option<&Path>,
    action: impl Fn(&Path) -> Result<commands::hooks::Outcome, String>,
) -> Result<(String, u8), String> {
    let root = match find_root(root) {
        Ok(root) => root,
        Err(_) => std::env::current_dir().map_err(|e| format!("cannot read the working directory: {e}"))?,
    };
    let outcome = action(&root)?;
    Ok((format!("{}\n", outcome.message), outcome.code))
}

/// The diff of two sides in `format`; exit 1 for a difference only with `--exit-code`.
fn diff_output(
    format: Format,
    old: &commands::diff::Side,
    new: &commands::diff::Side,
    exit_code: bool,
) -> (String, u8) {
    let changes = commands::diff::compare(old, new);
    let text = match format {
        Format::Json => report::changes::json(old, new, &changes),
        _ => report::changes::human(old, new, &changes),
    };
    (text, u8::from(exit_code && !changes.is_empty()))
}

fn diff_failure(failure: commands::diff::Failure, format: Format) -> Result<(String, u8), String> {
    match failure {
        commands::diff::Failure::Unusable(message) => Err(message),
        commands::diff::Failure::Blocked => Err("the inputs have errors; run `rulesctl check`".into()),
        commands::diff::Failure::Invalid(analysis) => {
            let summary = Summary::of(&analysis.diagnostics, analysis.files);
            Ok((report::render(format, &analysis.diagnostics, &analysis.sources, summary, &Extra::default()), 1))
        }
    }
}

fn out(text: &str, code: u8) -> u8 {
    let mut stdout = std::io::stdout().lock();
    if stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush()).is_err() {
        return 2;
    }
    code
}

/// The repository root: `--root`, else discovered from the working directory.
fn find_root(given: Option<&Path>) -> Result<PathBuf, String> {
    if let Some(dir) = given {
        return if dir.is_dir() {
            Ok(dir.to_path_buf())
        } else {
            Err(format!("--root {}: not a directory", dir.display()))
        };
    }
    let cwd = std::env::current_dir().map_err(|e| format!("cannot read the working directory: {e}"))?;
    source::root::discover(&cwd).ok_or_else(|| {
        format!(
            "no rules repository found: neither {} nor any parent folder holds rulesctl.hcl or rules/; run rulesctl inside a rules repository or pass --root DIR",
            cwd.display()
        )
    })
}

/// Turns PATH arguments into root-relative prefixes.
fn relative_filters(root: &Path, paths: &[PathBuf]) -> Result<Vec<String>, String> {
    let root = std::fs::canonicalize(root).map_err(|e| format!("{}: {e}", root.display()))?;
    paths
        .iter()
        .map(|p| {
            let abs = std::fs::canonicalize(p).map_err(|e| format!("{}: {e}", p.display()))?;
            let rel = abs
                .strip_prefix(&root)
                .map_err(|_| format!("{} is outside the repository {}", p.display(), root.display()))?;
            Ok(rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/"))
        })
        .collect()
}
