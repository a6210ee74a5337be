//! Where an artifact came from, kept out of the artifact: an in-toto Statement v1 whose subject is
//! the artifact file and whose predicate is SLSA provenance v1 (source commit, dirty flag, every
//! source file with its sha256, the rulesctl version). `build` writes it beside the artifact as
//! `ruleset-<version>.provenance.json`; `verify` checks it against the artifact.

use serde_json::{json, Value};

use crate::artifact::canonical;
use crate::hash;
use crate::source::git::GitState;

pub const STATEMENT_TYPE: &str = "https://in-toto.io/Statement/v1";
pub const PREDICATE_TYPE: &str = "https://slsa.dev/provenance/v1";
/// What a `rulesctl build` is: the artifact is a function of the resolved dependencies alone.
pub const BUILD_TYPE: &str = "https://rulesctl.dev/build/v1";
pub const BUILDER_ID: &str = "https://rulesctl.dev/rulesctl";

/// What a build knows about its inputs.
#[derive(Debug, Clone)]
pub struct Facts {
    /// Each input (the project file, every rule file) as root-relative path and sha256 hex.
    pub sources: Vec<(String, String)>,
    /// The git state of those inputs; `None` outside a git repository.
    pub git: Option<GitState>,
}

/// The statement for the artifact file `artifact_name` whose bytes hash to `artifact_sha256`
/// (hex; hashed once by the caller, which writes the same digest into the `.sha256` file), and
/// for `modules` written beside it (the WebAssembly module: file name and bytes), subjects after
/// the artifact: deterministic apart from the facts it records (no time stamps), with sources
/// sorted by path.
pub fn statement(artifact_name: &str, artifact_sha256: &str, modules: &[(String, &[u8])], facts: &Facts) -> Value {
    let mut sources = facts.sources.clone();
    sources.sort();
    sources.dedup();
    let dependencies: Vec<Value> =
        sources.iter().map(|(path, sha)| json!({ "name": path, "digest": { "sha256": sha } })).collect();
    let mut external = json!({});
    if let Some(git) = &facts.git {
        let mut source = json!({ "dirty": git.dirty });
        if let Some(commit) = &git.commit {
            source["commit"] = json!(commit);
        }
        external["source"] = source;
    }
    json!({
        "_type": STATEMENT_TYPE,
        "subject": std::iter::once((artifact_name, artifact_sha256.to_string()))
            .chain(modules.iter().map(|(name, bytes)| (name.as_str(), hash::hex(bytes))))
            .map(|(name, sha256)| json!({ "name": name, "digest": { "sha256": sha256 } }))
            .collect::<Vec<Value>>(),
        "predicateType": PREDICATE_TYPE,
        "predicate": {
            "buildDefinition": {
                "buildType": BUILD_TYPE,
                "externalParameters": external,
                "resolvedDependencies": dependencies,
            },
            "runDetails": {
                "builder": { "id": BUILDER_ID, "version": { "rulesctl": env!("CARGO_PKG_VERSION") } },
                "metadata": {},
            },
        },
    })
}

/// The statement file's bytes: the pretty canonical form, like the artifact's.
pub fn text(statement: &Value) -> String {
    canonical::pretty(statement).0
}

/// The statement file that belongs beside an artifact file called `artifact_name`
/// (`ruleset-v2.4.1.json` → `ruleset-v2.4.1.provenance.json`).
pub fn beside(artifact_name: &str) -> String {
    format!("{}.provenance.json", artifact_name.strip_suffix(".json").unwrap_or(artifact_name))
}

/// One way a statement fails to describe its artifact: the JSON pointer it concerns and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub pointer: String,
    pub message: String,
}

/// What a statement that matches its artifact says about the build.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub commit: Option<String>,
    pub dirty: Option<bool>,
    pub rulesctl: Option<String>,
    pub sources: usize,
}

/// One subject of a statement: a file beside it, by name and sha256 (hex).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject {
    /// The JSON pointer of the subject (`/subject/1`).
    pub pointer: String,
    pub name: String,
    pub sha256: String,
}

/// The problems with a statement's type fields: it must be an in-toto Statement v1 with SLSA
/// provenance v1 of the `rulesctl.dev` build type.
pub fn type_problems(statement: &Value) -> Vec<Problem> {
    let mut problems = Vec::new();
    let str_at = |pointer: &str| statement.pointer(pointer).and_then(Value::as_str);
    for (pointer, field, wanted) in [
        ("/_type", "_type", STATEMENT_TYPE),
        ("/predicateType", "predicateType", PREDICATE_TYPE),
        ("/predicate/buildDefinition/buildType", "buildType", BUILD_TYPE),
    ] {
        if str_at(pointer) != Some(wanted) {
            problems.push(Problem { pointer: pointer.into(), message: format!("`{field}` is not {wanted}") });
        }
    }
    problems
}

/// The module file names a statement may list after the artifact `artifact_name`: the
/// WebAssembly module the same build wrote.
fn module_names(artifact_name: &str) -> String {
    format!("{}.wasm", artifact_name.strip_suffix(".json").unwrap_or(artifact_name))
}

/// The subjects of a statement written beside the artifact `artifact_name`: the artifact first,
/// then only the modules built with it, each with a name and a sha256.
///
/// # Errors
///
/// The problem with the subject list when it is not of that shape.
pub fn subjects(statement: &Value, artifact_name: &str) -> Result<Vec<Subject>, Problem> {
    let module = module_names(artifact_name);
    let shape = || {
        Problem {
        pointer: "/subject".into(),
        message: format!(
            "the statement's subjects must be the artifact ({artifact_name}), then only the modules built with it ({module})"
        ),
    }
    };
    let list = statement.get("subject").and_then(Value::as_array).ok_or_else(shape)?;
    let [first, others @ ..] = list.as_slice() else { return Err(shape()) };
    if others.len() > 1 || !others.iter().all(|o| o.get("name").and_then(Value::as_str) == Some(module.as_str())) {
        return Err(shape());
    }
    let mut subjects = Vec::new();
    for (i, subject) in std::iter::once(first).chain(others).enumerate() {
        let name = subject.get("name").and_then(Value::as_str).unwrap_or_default();
        let sha256 = subject.pointer("/digest/sha256").and_then(Value::as_str).unwrap_or_default();
        subjects.push(Subject { pointer: format!("/subject/{i}"), name: name.to_string(), sha256: sha256.to_string() });
    }
    Ok(subjects)
}

/// What is wrong when the subject `name` records `recorded` but the file hashes to `actual`.
pub fn subject_mismatch(name: &str, recorded: &str, actual: &str) -> String {
    format!("the statement's subject `{name}` has sha256 {recorded}, but the file hashes to {actual}")
}

/// What a statement says about the build.
pub fn summary(statement: &Value) -> Summary {
    let source = statement.pointer("/predicate/buildDefinition/externalParameters/source");
    Summary {
        commit: source.and_then(|s| s.get("commit")).and_then(Value::as_str).map(str::to_string),
        dirty: source.and_then(|s| s.get("dirty")).and_then(Value::as_bool),
        rulesctl: statement
            .pointer("/predicate/runDetails/builder/version/rulesctl")
            .and_then(Value::as_str)
            .map(str::to_string),
        sources: statement
            .pointer("/predicate/buildDefinition/resolvedDependencies")
            .and_then(Value::as_array)
            .map_or(0, Vec::len),
    }
}

/// Checks that `statement` is an in-toto Statement v1 with SLSA provenance v1 whose first subject
/// is the artifact file `artifact_name` with sha256 `artifact_sha256` (hex), followed only by the
/// modules built with it.
///
/// # Errors
///
/// Every problem found, each naming the JSON pointer it concerns.
pub fn check(statement: &Value, artifact_name: &str, artifact_sha256: &str) -> Result<Summary, Vec<Problem>> {
    let mut problems = type_problems(statement);
    match subjects(statement, artifact_name) {
        Ok(subjects) => {
            let artifact = &subjects[0];
            if artifact.name != artifact_name {
                problems.push(Problem {
                    pointer: "/subject/0/name".into(),
                    message: format!("the statement is about `{}`, not `{artifact_name}`", artifact.name),
                });
            }
            if artifact.sha256 != artifact_sha256 {
                problems.push(Problem {
                    pointer: "/subject/0/digest/sha256".into(),
                    message: subject_mismatch(&artifact.name, &artifact.sha256, artifact_sha256),
                });
            }
        }
        Err(problem) => problems.push(problem),
    }
    if problems.is_empty() {
        Ok(summary(statement))
    } else {
        Err(problems)
    }
}
