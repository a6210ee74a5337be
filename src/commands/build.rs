//! `rulesctl build`: check, then write the immutable artifact and its checksum, atomically.

use std::path::Path;

use serde_json::{json, Value};

use crate::commands::check::{analyze, Analysis};
use crate::declare_code;
use crate::diagnostic::Diagnostic;
use crate::emit::artifact::{file_name, ruleset_value, Compiled, MAX_ARTIFACT_BYTES};
use crate::emit::locate::Located;
use crate::emit::target::Target;
use crate::emit::{canonical, hash};
use crate::io::{clean_stale_temps, read_limited, write_atomic};
use crate::source::{git, Span, WorkTree};

declare_code! {
    /// An artifact of this version already exists with a different ruleset.
    ///
    /// Artifacts are immutable: once `ruleset-v2.4.1.json` is built, v2.4.1 means exactly that
    /// ruleset everywhere it was deployed. Changing the rules without changing the version would
    /// give two different rulesets one name. Rebuilding an unchanged ruleset is a no-op.
    ///
    /// Fix: raise `ruleset_version` (for example v2.4.1 → v2.4.2), then build again.
    pub static VERSION_EXISTS = ("A001", "artifact-version-exists", Error);
}

declare_code! {
    /// An output file could not be written.
    ///
    /// The operating system refused to create the output folder or write a file in it (a
    /// read-only file system, permissions, a full disk). Nothing was replaced: every file is
    /// written to a temporary file first and renamed into place only when complete.
    ///
    /// Fix: make the `dist` folder writable, or point `paths { dist = ... }` elsewhere.
    pub static WRITE_FAILED = ("A002", "write-failed", Error, Unreadable);
}

/// What happened to one output file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Output {
    pub path: String,
    pub written: bool,
    pub digest: String,
}

/// Checks the repository at `root` and, when it is valid, writes the artifact (and the Rust
/// module when `emit` asks for it).
pub fn build(root: &Path, emit: &[Target]) -> (Analysis, Vec<Output>) {
    let mut analysis = analyze(&WorkTree { root: root.to_path_buf() });
    if analysis.errors() > 0 {
        return (analysis, Vec::new());
    }
    let Some(ruleset) = ruleset_value(&analysis.ruleset) else {
        return (analysis, Vec::new());
    };
    let compiled = Compiled::new(ruleset);
    let (text, _) = canonical::pretty(&compiled.artifact(provenance(root, &analysis)));
    let dist = analysis.project.dist.value.trim_end_matches('/').to_string();
    let module = emit.contains(&Target::Rust);
    let written = crate::commands::build_rust::refuse_if_different(root, &dist, &compiled, &mut analysis)
        .and_then(|()| write(root, &dist, &text, &compiled, &mut analysis))
        .and_then(|mut outputs| {
            if module {
                outputs.push(crate::commands::build_rust::write(root, &dist, &compiled, &mut analysis)?);
            }
            Ok(outputs)
        });
    match written {
        Ok(mut outputs) => match write_environments(root, &dist, &compiled, &mut analysis) {
            Ok(more) => {
                outputs.extend(more);
                (analysis, outputs)
            }
            Err(diagnostic) => {
                analysis.diagnostics.push(*diagnostic);
                (analysis, outputs)
            }
        },
        Err(diagnostic) => {
            analysis.diagnostics.push(*diagnostic);
            crate::report::sort(&mut analysis.diagnostics, &analysis.sources);
            (analysis, Vec::new())
        }
    }
}

/// Writes the artifact unless one of the same version exists (identical: left untouched;
/// different: refused), then makes sure the `.sha256` file matches what is on disk.
fn write(
    root: &Path,
    dist: &str,
    text: &str,
    compiled: &Compiled,
    analysis: &mut Analysis,
) -> Result<Vec<Output>, Box<Diagnostic>> {
    let dir = root.join(dist);
    std::fs::create_dir_all(&dir).map_err(|e| write_failed(analysis, dist, &e))?;
    clean_stale_temps(&dir);
    let name = file_name(compiled.version());
    let rel = format!("{dist}/{name}");
    let existing = read_limited(&dir.join(&name), MAX_ARTIFACT_BYTES).ok().and_then(|b| String::from_utf8(b).ok());
    let (on_disk, written) = match existing {
        Some(old) => {
            refuse_if_different(&rel, old.clone(), compiled, analysis)?;
            (old, false)
        }
        None => {
            write_atomic(&dir.join(&name), text.as_bytes()).map_err(|e| write_failed(analysis, &rel, &e))?;
            (text.to_string(), true)
        }
    };
    let checksum = format!("{}  {name}\n", hash::hex(on_disk.as_bytes()));
    let sums = dir.join(format!("{name}.sha256"));
    let sums_written = std::fs::read(&sums).ok().as_deref() != Some(checksum.as_bytes());
    if sums_written {
        write_atomic(&sums, checksum.as_bytes()).map_err(|e| write_failed(analysis, &format!("{rel}.sha256"), &e))?;
    }
    let digest = compiled.digest.clone();
    Ok(vec![
        Output { path: rel.clone(), written, digest: digest.clone() },
        Output { path: format!("{rel}.sha256"), written: sums_written, digest },
    ])
}

/// Writes `dist/<env>/values.yaml` for every environment; an unchanged file is left alone.
fn write_environments(
    root: &Path,
    dist: &str,
    compiled: &Compiled,
    analysis: &mut Analysis,
) -> Result<Vec<Output>, Box<Diagnostic>> {
    let mut outputs = Vec::new();
    let names: Vec<String> = analysis.deploy.environments.iter().map(|e| e.name.clone()).collect();
    for name in names {
        let Ok(text) = crate::commands::render::rendered(analysis, &name) else { continue };
        let rel = format!("{dist}/{name}/values.yaml");
        let path = root.join(&rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| write_failed(analysis, &rel, &e))?;
        }
        let written = std::fs::read(&path).ok().as_deref() != Some(text.as_bytes());
        if written {
            write_atomic(&path, text.as_bytes()).map_err(|e| write_failed(analysis, &rel, &e))?;
        }
        outputs.push(Output { path: rel, written, digest: compiled.digest.clone() });
    }
    Ok(outputs)
}

/// The A001 refusal when the artifact on disk holds another ruleset under this version.
fn refuse_if_different(
    rel: &str,
    old: String,
    compiled: &Compiled,
    analysis: &mut Analysis,
) -> Result<(), Box<Diagnostic>> {
    let located = Located::parse(&old).ok();
    let old_digest = located.as_ref().and_then(|l| l.str("/digest")).map(str::to_string);
    if old_digest.as_deref() == Some(compiled.digest.as_str()) {
        return Ok(());
    }
    let span = located.as_ref().map_or(0..0, |l| l.span("/digest"));
    let id = analysis.sources.add(rel.to_string(), old);
    let version = analysis.ruleset.versions.first().map_or(Span::file(id), |v| v.span);
    let message = format!(
        "{rel} already exists with a different ruleset: it has {}, these rules are {}",
        old_digest.as_deref().unwrap_or("no valid digest"),
        compiled.digest
    );
    Err(Box::new(
        Diagnostic::new(&VERSION_EXISTS, version, message)
            .label("bump this version")
            .related(Span::new(id, span), "the existing artifact's digest")
            .help("artifacts are immutable: raise `ruleset_version`, then build again"),
    ))
}

pub(crate) fn write_failed(analysis: &mut Analysis, rel: &str, err: &std::io::Error) -> Box<Diagnostic> {
    let id = analysis.sources.add(rel.to_string(), String::new());
    Box::new(
        Diagnostic::new(&WRITE_FAILED, Span::file(id), format!("cannot write `{rel}`: {err}"))
            .help("make the output folder writable, or set `paths { dist = ... }` in rulesctl.hcl"),
    )
}

/// Where the artifact came from: the project file and the rule files (values and environments
/// are not part of the ruleset). Never part of the digest.
fn provenance(root: &Path, analysis: &Analysis) -> Value {
    let inputs: Vec<_> = analysis.project.file.iter().chain(&analysis.ruleset.files).copied().collect();
    let mut sources: Vec<(&str, &str)> = inputs
        .iter()
        .map(|id| analysis.sources.get(*id))
        .filter_map(|f| Some((f.path.as_str(), f.sha256.as_deref()?)))
        .collect();
    sources.sort_unstable();
    let paths: Vec<&str> = sources.iter().map(|(p, _)| *p).collect();
    let mut provenance = json!({
        "sources": sources.iter().map(|(path, sha)| json!({ "path": path, "sha256": sha })).collect::<Vec<_>>(),
        "rulesctl": env!("CARGO_PKG_VERSION"),
    });
    if let Some(state) = git::state(root, &paths) {
        provenance["git"] = json!({ "commit": state.commit, "dirty": state.dirty });
    }
    provenance
}
