//! `rulesctl build`: check, then write the immutable artifact, its checksum and every
//! environment's rendered values under `dist/`.

use std::path::Path;

use serde_json::{json, Value};

use crate::commands::{Globals, Outcome};
use crate::emit::publish;
pub use crate::emit::target::Target;
use crate::error::Error;
use crate::pipeline::{analyze, Analysis};
use crate::report::Extra;
use crate::source::{git, root, WorkTree};

#[derive(Debug)]
pub struct Args {
    /// Warnings fail too.
    pub deny_warnings: bool,
    /// What to write besides the JSON artifact, which is always written.
    pub emit: Vec<Target>,
}

/// # Errors
///
/// No repository.
pub fn run(args: Args, globals: &Globals) -> Result<Outcome, Error> {
    let root = root::find(globals.root.as_deref())?;
    let mut analysis = analyze(&WorkTree { root: root.clone() }, None);
    let outputs = if analysis.errors() == 0 { write(&root, &args.emit, &mut analysis) } else { Vec::new() };
    let lines = outputs
        .iter()
        .map(|o| format!("{} {}", if o.written { "wrote" } else { "unchanged" }, o.path))
        .chain(outputs.first().map(|o| format!("digest {}", o.digest)))
        .collect();
    let json_outputs = outputs.iter().map(|o| json!({ "path": o.path, "written": o.written })).collect();
    let digest = outputs.first().map(|o| o.digest.clone());
    let extra = Extra { lines, json: vec![("outputs", Value::Array(json_outputs)), ("digest", json!(digest))] };
    let code = analysis.exit_code(args.deny_warnings);
    Ok(Outcome::report(globals.view(), &analysis.diagnostics, &analysis.sources, analysis.files, &extra, code))
}

/// Writes the artifact, then every environment that renders; a write failure becomes a
/// diagnostic in the analysis and stops what follows it.
fn write(root: &Path, emit: &[Target], analysis: &mut Analysis) -> Vec<publish::Output> {
    let Some(compiled) = analysis.compiled().cloned() else { return Vec::new() };
    let text = compiled.artifact_text(&provenance(root, analysis));
    let dist = analysis.project.dist.value.trim_end_matches('/').to_string();
    let version = analysis.ruleset.versions.first().map(|v| v.span);
    let sources = &mut analysis.sources;
    let written = publish::refuse_module_if_different(root, &dist, &compiled, version, sources)
        .and_then(|()| publish::artifact(root, &dist, &text, &compiled, version, sources))
        .and_then(|mut outputs| {
            if emit.contains(&Target::Rust) {
                outputs.push(publish::rust_module(root, &dist, &compiled, sources)?);
            }
            Ok(outputs)
        });
    let mut outputs = match written {
        Ok(outputs) => outputs,
        Err(diagnostic) => {
            analysis.push(*diagnostic);
            return Vec::new();
        }
    };
    let names: Vec<String> = analysis.deploy.environments.iter().map(|e| e.name.clone()).collect();
    let mut rendered = Vec::new();
    for name in names {
        let Ok(text) = analysis.render(&name) else { continue };
        let rel = format!("{dist}/{name}/values.yaml");
        match publish::file(root, &rel, &text, &compiled.digest, &mut analysis.sources) {
            Ok(output) => rendered.push(output),
            Err(diagnostic) => {
                // The artifact stands; the environments are listed only when all were written.
                analysis.diagnostics.push(*diagnostic);
                return outputs;
            }
        }
    }
    outputs.extend(rendered);
    outputs
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
