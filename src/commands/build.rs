//! `rulesctl build`: check, then write the immutable artifact and its checksum, atomically.

use std::path::Path;

use serde_json::{json, Value};

use crate::commands::check::{analyze, Analysis};
use crate::declare_code;
use crate::diagnostic::{Diagnostic, Sink};
use crate::emit::artifact::{file_name, ruleset_value, Compiled, MAX_ARTIFACT_BYTES};
use crate::emit::locate::Located;
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

/// Checks the repository at `root` and, when it is valid, writes the artifact.
pub fn build(root: &Path) -> (Analysis, Vec<Output>) {
    let mut analysis = analyze(&WorkTree { root: root.to_path_buf() });
    if analysis.errors() > 0 {
        return (analysis, Vec::new());
    }
    let Some(ruleset) = ruleset_value(&analysis.ruleset) else {
        return (analysis, Vec::new());
    };
    let compiled = Compiled::new(ruleset);
    let (text, _) = canonical::pretty(&compiled.artifact(provenance(root, &analysis)));
    let dist_rel = analysis.project.dist.value.trim_end_matches('/').to_string();
    let name = file_name(compiled.version());
    let rel = format!("{dist_rel}/{name}");
    let mut sink = Sink::new();
    let outputs = write_artifact(root, &dist_rel, &rel, &name, &text, &compiled, &mut analysis, &mut sink);
    analysis.diagnostics.extend(sink);
    crate::report::sort(&mut analysis.diagnostics, &analysis.sources);
    (analysis, outputs)
}

#[allow(clippy::too_many_arguments)]
fn write_artifact(
    root: &Path,
    dist_rel: &str,
    rel: &str,
    name: &str,
    text: &str,
    compiled: &Compiled,
    analysis: &mut Analysis,
    sink: &mut Sink,
) -> Vec<Output> {
    let dist = root.join(dist_rel);
    if let Err(err) = std::fs::create_dir_all(&dist) {
        sink.push(write_failed(analysis, dist_rel, &err));
        return Vec::new();
    }
    clean_stale_temps(&dist);
    let path = root.join(rel);
    let checksum_rel = format!("{rel}.sha256");
    let existing = read_limited(&path, MAX_ARTIFACT_BYTES).ok().and_then(|bytes| String::from_utf8(bytes).ok());
    let artifact_text = match existing {
        Some(old) => {
            let located = Located::parse(&old).ok();
            let old_digest = located.as_ref().and_then(|l| l.str("/digest")).map(str::to_string);
            if old_digest.as_deref() != Some(compiled.digest.as_str()) {
                let id = analysis.sources.add(rel.to_string(), old.clone());
                let span = located.as_ref().map_or(0..0, |l| l.span("/digest"));
                let version = analysis.ruleset.versions.first().map_or(Span::file(id), |v| v.span);
                sink.push(
                    Diagnostic::new(
                        &VERSION_EXISTS,
                        version,
                        format!(
                            "{rel} already exists with a different ruleset: it has {}, these rules are {}",
                            old_digest.as_deref().unwrap_or("no valid digest"),
                            compiled.digest
                        ),
                    )
                    .label("bump this version")
                    .related(Span::new(id, span), "the existing artifact's digest")
                    .help("artifacts are immutable: raise `ruleset_version`, then build again"),
                );
                return Vec::new();
            }
            old
        }
        None => {
            if let Err(err) = write_atomic(&path, text.as_bytes()) {
                sink.push(write_failed(analysis, rel, &err));
                return Vec::new();
            }
            return finish(root, rel, &checksum_rel, name, text, compiled, true, analysis, sink);
        }
    };
    finish(root, rel, &checksum_rel, name, &artifact_text, compiled, false, analysis, sink)
}

/// Writes the `.sha256` file when it is missing or does not match the artifact on disk.
#[allow(clippy::too_many_arguments)]
fn finish(
    root: &Path,
    rel: &str,
    checksum_rel: &str,
    name: &str,
    artifact_text: &str,
    compiled: &Compiled,
    written: bool,
    analysis: &mut Analysis,
    sink: &mut Sink,
) -> Vec<Output> {
    let checksum = format!("{}  {name}\n", hash::hex(artifact_text.as_bytes()));
    let checksum_path = root.join(checksum_rel);
    let current = std::fs::read(&checksum_path).ok();
    let checksum_written = current.as_deref() != Some(checksum.as_bytes());
    if checksum_written {
        if let Err(err) = write_atomic(&checksum_path, checksum.as_bytes()) {
            sink.push(write_failed(analysis, checksum_rel, &err));
        }
    }
    vec![
        Output { path: rel.to_string(), written, digest: compiled.digest.clone() },
        Output { path: checksum_rel.to_string(), written: checksum_written, digest: compiled.digest.clone() },
    ]
}

fn write_failed(analysis: &mut Analysis, rel: &str, err: &std::io::Error) -> Diagnostic {
    let id = analysis.sources.add(rel.to_string(), String::new());
    Diagnostic::new(&WRITE_FAILED, Span::file(id), format!("cannot write `{rel}`: {err}"))
        .help("make the output folder writable, or set `paths { dist = ... }` in rulesctl.hcl")
}

/// Where the artifact came from. Never part of the digest.
fn provenance(root: &Path, analysis: &Analysis) -> Value {
    let mut sources: Vec<(&str, &str)> =
        analysis.sources.iter().filter_map(|(_, f)| Some((f.path.as_str(), f.sha256.as_deref()?))).collect();
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
