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
use crate::diagnostic::exit_status;
use crate::error::Error;
use crate::pipeline::several::Joined;
use crate::pipeline::{analyze_for_build, Analysis, BaseTree};
use crate::publish;
use crate::report::Extra;
use crate::source::root::{Member, Scope};
use crate::source::{git, root, WorkTree};

/// # Errors
///
/// No repository; with `--base`, no git repository or an unknown revision.
pub fn run(args: BuildArgs, globals: &Globals) -> Result<Outcome, Error> {
    let root = match root::scope(globals.root.as_deref(), &globals.projects)? {
        Scope::One(root) => root,
        Scope::Many(members) => return several(&members, &args, globals),
    };
    let (analysis, outputs) = build(&root, &args)?;
    let lines = outputs
        .iter()
        .map(|o| format!("{} {}", if o.written { "wrote" } else { "unchanged" }, o.path))
        .chain(outputs.first().filter(|o| !o.digest.is_empty()).map(|o| format!("digest {}", o.digest)))
        .collect();
    let json_outputs = outputs.iter().map(|o| json!({ "path": o.path, "written": o.written })).collect();
    let digest = outputs.first().map(|o| o.digest.clone()).filter(|d| !d.is_empty());
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

/// One project: analysed, then written when it has no errors.
fn build(root: &Path, args: &BuildArgs) -> Result<(Analysis, Vec<publish::Output>), Error> {
    let base = args.base.as_deref().map(|rev| BaseTree::open(root, rev)).transpose()?;
    // The version-bump errors (G001, G002) are errors like any other: nothing is written.
    let mut analysis = analyze_for_build(&WorkTree::new(root.to_path_buf()), base.as_ref().map(BaseTree::revision));
    let outputs = if analysis.errors() == 0 { write(root, &args.targets(), &mut analysis) } else { Vec::new() };
    Ok((analysis, outputs))
}

/// Every project of a workspace: each built on its own (a project with errors writes nothing,
/// the others still do), one combined report with paths from the working folder.
fn several(members: &[Member], args: &BuildArgs, globals: &Globals) -> Result<Outcome, Error> {
    let mut joined = Joined::default();
    let mut lines = Vec::new();
    let mut json_outputs = Vec::new();
    let mut digests = serde_json::Map::new();
    for member in members {
        let (analysis, outputs) = build(&member.dir, args)?;
        let prefix = member.prefix();
        joined.add_analysis(&prefix, args.base.as_deref(), &analysis);
        for o in &outputs {
            lines.push(format!("{} {prefix}{}", if o.written { "wrote" } else { "unchanged" }, o.path));
            json_outputs.push(json!({ "path": format!("{prefix}{}", o.path), "written": o.written }));
        }
        if let Some(digest) = outputs.first().map(|o| o.digest.clone()).filter(|d| !d.is_empty()) {
            lines.push(format!("digest {digest} ({})", member.shown));
            digests.insert(member.shown.clone(), json!(digest));
        }
    }
    let joined = joined.finish();
    let projects: Vec<&str> = members.iter().map(|m| m.shown.as_str()).collect();
    lines.push(format!("projects: {}", projects.join(", ")));
    let extra = Extra {
        lines,
        json: vec![
            ("outputs", Value::Array(json_outputs)),
            ("digests", Value::Object(digests)),
            ("projects", json!(projects)),
        ],
    };
    let code = exit_status(&joined.diagnostics, args.deny_warnings);
    Ok(Outcome::report(
        globals.view().limited(&joined.limits()),
        &joined.diagnostics,
        &joined.sources,
        joined.files,
        &extra,
        code,
    ))
}

/// Writes the artifact and its provenance, then every environment that renders; a write failure
/// becomes a diagnostic in the analysis and stops what follows it.
fn write(root: &Path, emit: &[Target], analysis: &mut Analysis) -> Vec<publish::Output> {
    if analysis.values_only {
        // No ruleset: no artifact, no provenance, no module; only the rendered values.
        let dist = analysis.project.dist.value.trim_end_matches('/').to_string();
        return render_all(root, &dist, "", analysis).unwrap_or_default();
    }
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
    // Hashed once: the provenance statement's subject and the `.sha256` file say the same.
    let sha256 = crate::hash::hex(text.as_bytes());
    let statement = provenance::text(&provenance::statement(
        &file_name(compiled.version()),
        &sha256,
        &modules,
        &facts(root, analysis),
    ));
    let version = analysis.ruleset.versions.first().map(|v| v.span);
    let sources = &mut analysis.sources;
    let written = publish::refuse_module_if_different(root, &dist, &compiled, version, sources)
        .and_then(|()| publish::artifact(root, &dist, &text, &sha256, &compiled, version, sources))
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
    if let Some(rendered) = render_all(root, &dist, &compiled.digest, analysis) {
        outputs.extend(rendered);
    }
    outputs
}

/// Writes every environment that renders to `dist/<env>/values.yaml`; `None` when a write
/// failed (its diagnostic is in the analysis): the environments are listed only when all were
/// written.
fn render_all(root: &Path, dist: &str, digest: &str, analysis: &mut Analysis) -> Option<Vec<publish::Output>> {
    let names: Vec<String> = analysis.deploy.environments.iter().map(|e| e.name.clone()).collect();
    let mut rendered = Vec::new();
    for name in names {
        let Ok(text) = analysis.render(&name) else { continue };
        let rel = format!("{dist}/{name}/values.yaml");
        match publish::file(root, dist, &rel, &text, digest, &mut analysis.sources) {
            Ok(output) => rendered.push(output),
            Err(diagnostic) => {
                analysis.push(*diagnostic);
                return None;
            }
        }
    }
    Some(rendered)
}

/// Where the artifact came from: the project file and the rule files (values and environments
/// are not part of the ruleset), and their git state. Never part of the artifact.
fn facts(root: &Path, analysis: &Analysis) -> Facts {
    let inputs = analysis.project.file.iter().chain(&analysis.ruleset.files);
    let sources: Vec<(String, String)> = inputs
        .map(|id| analysis.sources.get(*id))
        .filter_map(|f| Some((f.path.clone(), f.sha256()?.to_string())))
        .collect();
    let paths: Vec<&str> = sources.iter().map(|(p, _)| p.as_str()).collect();
    let git = git::state(root, &paths);
    Facts { sources, git }
}
