//! `rulesctl build`: check, then write the immutable artifact, its checksum, its provenance
//! statement and every environment's rendered values under `dist/`.

use std::path::Path;

use serde_json::{json, Value};

use crate::artifact::compiled::file_name;
use crate::artifact::provenance::{self, Facts};
use crate::cli::{BuildArgs, Globals};
use crate::codegen::target::Target;
use crate::codegen::wasm;
use crate::commands::Outcome;
use crate::error::Error;
use crate::pipeline::{analyze, Analysis, BaseTree};
use crate::publish;
use crate::report::Extra;
use crate::source::{git, root, WorkTree};

/// # Errors
///
/// No repository; with `--base`, no git repository or an unknown revision.
pub fn run(args: BuildArgs, globals: &Globals) -> Result<Outcome, Error> {
    let root = root::find(globals.root.as_deref())?;
    let base = args.base.as_deref().map(|rev| BaseTree::open(&root, rev)).transpose()?;
    // The version-bump errors (G001, G002) are errors like any other: nothing is written.
    let mut analysis = analyze(&WorkTree::new(root.clone()), base.as_ref().map(BaseTree::revision));
    let outputs = if analysis.errors() == 0 { write(&root, &args.targets(), &mut analysis) } else { Vec::new() };
    let lines = outputs
        .iter()
        .map(|o| format!("{} {}", if o.written { "wrote" } else { "unchanged" }, o.path))
        .chain(outputs.first().map(|o| format!("digest {}", o.digest)))
        .collect();
    let json_outputs = outputs.iter().map(|o| json!({ "path": o.path, "written": o.written })).collect();
    let digest = outputs.first().map(|o| o.digest.clone());
    let extra = Extra { lines, json: vec![("outputs", Value::Array(json_outputs)), ("digest", json!(digest))] };
    let code = analysis.exit_code(args.deny_warnings);
    Ok(Outcome::report(
        globals.view().limited(&analysis.project.limits),
        &analysis.diagnostics,
        &analysis.sources,
        analysis.files,
        &extra,
        code,
    ))
}

/// Writes the artifact and its provenance, then every environment that renders; a write failure
/// becomes a diagnostic in the analysis and stops what follows it.
fn write(root: &Path, emit: &[Target], analysis: &mut Analysis) -> Vec<publish::Output> {
    let Some(compiled) = analysis.compiled().cloned() else { return Vec::new() };
    let text = compiled.artifact_text();
    let dist = analysis.project.dist.value.trim_end_matches('/').to_string();
    // The module is made (and validated) first: it is a subject of the provenance statement.
    let wasm = if emit.contains(&Target::Wasm) {
        match publish::wasm_bytes(&dist, &compiled, &mut analysis.sources) {
            Ok(bytes) => Some(bytes),
            Err(diagnostic) => {
                analysis.push(*diagnostic);
                return Vec::new();
            }
        }
    } else {
        None
    };
    let modules: Vec<(String, &[u8])> =
        wasm.iter().map(|bytes| (wasm::file_name(compiled.version()), bytes.as_slice())).collect();
    let statement = provenance::text(&provenance::statement(
        &file_name(compiled.version()),
        text.as_bytes(),
        &modules,
        &facts(root, analysis),
    ));
    let version = analysis.ruleset.versions.first().map(|v| v.span);
    let sources = &mut analysis.sources;
    let written = publish::refuse_module_if_different(root, &dist, &compiled, version, sources)
        .and_then(|()| publish::artifact(root, &dist, &text, &compiled, version, sources))
        .and_then(|mut outputs| {
            outputs.push(publish::provenance(root, &dist, &statement, &compiled, sources)?);
            if emit.contains(&Target::Rust) {
                outputs.push(publish::rust_module(root, &dist, &compiled, sources)?);
            }
            if let Some(module) = &wasm {
                outputs.extend(publish::wasm_module(root, &dist, module, &compiled, sources)?);
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
        match publish::file(root, &dist, &rel, &text, &compiled.digest, &mut analysis.sources) {
            Ok(output) => rendered.push(output),
            Err(diagnostic) => {
                // The artifact stands; the environments are listed only when all were written.
                analysis.push(*diagnostic);
                return outputs;
            }
        }
    }
    outputs.extend(rendered);
    outputs
}

/// Where the artifact came from: the project file and the rule files (values and environments
/// are not part of the ruleset), and their git state. Never part of the artifact.
fn facts(root: &Path, analysis: &Analysis) -> Facts {
    let inputs = analysis.project.file.iter().chain(&analysis.ruleset.files);
    let sources: Vec<(String, String)> =
        inputs.map(|id| analysis.sources.get(*id)).filter_map(|f| Some((f.path.clone(), f.sha256.clone()?))).collect();
    let paths: Vec<&str> = sources.iter().map(|(p, _)| p.as_str()).collect();
    let git = git::state(root, &paths);
    Facts { sources, git }
}
