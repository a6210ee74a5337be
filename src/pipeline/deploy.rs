//! Loading values.yaml and the environments: parse with spans, mask literal credentials, merge
//! each environment's overrides, inject the declared values, and validate against the chart's
//! schema (when there is one) and the environment schema.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::check::{self, Context};
use crate::diagnostic::{declare_code, Diagnostic, Sink};
use crate::diagnostic::{FileId, Span};
use crate::emit::schema;
use crate::model::credentials;
use crate::model::deploy::{inject, is_env_name, merge, overlay, pointer_of, validate, Deploy, EnvDoc, Schema, SCHEMA};
use crate::model::project::Project;
use crate::model::ruleset::Ruleset;
use crate::model::schema_type;
use crate::parse::yaml::{self, Document, Reading11};
use crate::pipeline::{chart, values_schema};
use crate::source::rules::load as read;
use crate::source::{Limits, Sources, Tree};

declare_code! {
    /// An environment file's name is not a valid environment name.
    ///
    /// The file name is the environment's name, and it becomes a folder under `dist/` and a
    /// Kubernetes label: lower-case letters, digits and `-` only, directly in the environments
    /// folder.
    ///
    /// Fix: rename the file, for example `Prod_EU.yaml` to `prod-eu.yaml`.
    pub static ENV_NAME = ("H013", "invalid-environment-name", Error);
}

declare_code! {
    /// There are environments but no values.yaml, or the configured values file is missing.
    ///
    /// Every environment is rendered from `values.yaml` (or `paths { values = ... }`) plus its
    /// overrides; without it there is nothing to render.
    ///
    /// Fix: create values.yaml, or correct `paths.values` in rulesctl.hcl.
    pub static VALUES_MISSING = ("H015", "values-missing", Error);
}

/// A value rulesctl writes into every rendered document: (dotted path, value, where declared).
pub type Injected = (String, Value, Span);

/// What goes into every environment's merged values, and what becomes of them.
#[derive(Clone, Copy)]
pub struct Merging<'a> {
    /// The declared values, written into values.yaml and every environment.
    pub injected: &'a [Injected],
    pub after: After<'a>,
}

/// What becomes of an environment's merged values once they are made.
#[derive(Clone, Copy)]
pub enum After<'a> {
    /// Kept, for whatever reads them later (`render`, `diff`, the language server).
    Kept,
    /// Checked at once by the checks of one document over this ruleset, then dropped (see
    /// [`EnvDoc::checked`]): `check`.
    Checked(&'a Ruleset),
    /// Checked, then rendered into the file `build` writes (with this ruleset version and
    /// digest in its header; `None` for a values-only project), then dropped (see
    /// [`EnvDoc::rendered_file`]).
    Rendered(&'a Ruleset, Option<(&'a str, &'a str)>),
}

/// Loads values.yaml and every environment. Both are optional for a rules-only repository;
/// environments without values are an error.
pub fn load(
    tree: &dyn Tree,
    project: &Project,
    env_files: &[String],
    merging: &Merging<'_>,
    sources: &mut Sources,
    sink: &mut Sink,
    files: &mut usize,
) -> Deploy {
    let Merging { injected, after } = *merging;
    let limits = &project.limits;
    let env_root = project.environments.value.trim_end_matches('/').to_string();
    let values_rel = project.values.value.clone();
    if !tree.exists(&values_rel) {
        if project.values.span.is_some() || !env_files.is_empty() {
            let span =
                project.values.span.unwrap_or_else(|| Span::file(sources.add(values_rel.clone(), String::new())));
            sink.push(
                Diagnostic::new(
                    &VALUES_MISSING,
                    span,
                    format!("`{values_rel}` does not exist, so no environment can be rendered"),
                )
                .help("create values.yaml, or correct `paths { values = ... }` in rulesctl.hcl"),
            );
        }
        return Deploy::default();
    }
    let chart_schema = values_schema::load(tree, project, sources, sink, files);
    let defaults = chart::load(tree, project, sources, sink, files);
    let chart_schema_text = chart_schema.as_ref().map(|s| sources.get(s.id).text.clone());
    let chart_schema = chart_schema.as_ref().zip(chart_schema_text.as_deref()).map(|(s, text)| Schema {
        validator: &s.validator,
        value: &s.value,
        file: &s.file,
        source: Some((s.id, text)),
    });
    let env_schema_value = schema::environment();
    let env_schema = schema::environment_validator().map(|validator| Schema {
        validator,
        value: &env_schema_value,
        // Named by the command that writes it: a user's repository need not hold `schema/`.
        file: "the environment schema (`rulesctl schema` writes it)",
        source: None,
    });
    let mut deploy = Deploy::default();
    *files += 1;
    let (id, ok) = read(sources, sink, tree, &values_rel, limits.max_file_bytes);
    if ok {
        if let Some((mut doc, found)) = parse_masked(id, limits, sources, sink) {
            settle(&mut doc, chart_schema.as_ref().map(|s| s.value), "", None, sink);
            deploy.values = Some(doc);
            deploy.credentials = found;
        }
    }
    // Left alone by schema validation: literal credentials (reported as such) and paths an
    // injection should have written but could not (its own error says why).
    let mut values_secrets: BTreeSet<String> = deploy.credentials.iter().map(|(p, _)| p.clone()).collect();
    let written: BTreeSet<&str> = injected.iter().map(|(path, _, _)| path.as_str()).collect();
    values_secrets.extend(
        project.inject.iter().filter(|i| !written.contains(i.path.value.as_str())).map(|i| pointer_of(&i.path.value)),
    );
    deploy.rendered = deploy.values.clone().map(|mut doc| {
        for (path, value, span) in injected {
            inject(&mut doc, path, value.clone(), *span);
        }
        doc
    });
    let effective = deploy.rendered.as_ref().and_then(|r| defaults.doc.as_ref().map(|d| overlay(d, r)));
    if let (Some(checked), Some(schema)) = (effective.as_ref().or(deploy.rendered.as_ref()), &chart_schema) {
        validate(checked, schema, &values_rel, &values_secrets, sink);
    }
    deploy.effective = effective.map(|mut doc| {
        let disabled = defaults.disabled(&doc);
        chart::prune(&mut doc, &disabled, &defaults.switches);
        doc
    });
    // Read and parsed one by one (both add to the sources), then merged, validated and checked
    // on every core: on twenty environments of a deep values.yaml, each merge copies the whole
    // tree. Each environment's findings join in file order.
    let mut parsed = Vec::new();
    for rel in env_files {
        *files += 1;
        let (id, ok) = read(sources, sink, tree, rel, limits.max_file_bytes);
        if !rel.ends_with(".yaml") {
            // A folder listed as itself (a link out of the repository, or one that cannot be
            // listed): reading it said why, and it is no environment.
            continue;
        }
        let name = rel.strip_prefix(&format!("{env_root}/")).unwrap_or(rel).trim_end_matches(".yaml").to_string();
        if !is_env_name(&name) {
            sink.push(
                Diagnostic::new(&ENV_NAME, Span::file(id), format!("`{name}` is not a valid environment name"))
                    .help("name environment files with lower-case letters, digits and `-`, directly in the environments folder"),
            );
            continue;
        }
        let doc = ok.then(|| parse_masked(id, limits, sources, sink)).flatten();
        parsed.push(Parsed { rel, name, id, doc });
    }
    let sources = &*sources;
    let shared = Shared {
        project,
        after,
        sources,
        values: deploy.values.as_ref(),
        values_rel: &values_rel,
        values_secrets: &values_secrets,
        injected,
        defaults: &defaults,
        chart_schema: chart_schema.as_ref(),
        env_schema: env_schema.as_ref(),
    };
    for (env, found) in each_in_order(parsed, |one| checked(environment(one, &shared), &shared)) {
        sink.extend(found);
        deploy.environments.extend(env);
    }
    deploy
}

/// An environment file as read and parsed, still to be merged.
struct Parsed<'a> {
    rel: &'a str,
    name: String,
    id: FileId,
    /// `None` when it could not be read or parsed (already reported).
    doc: Option<(Document, Vec<(String, &'static str)>)>,
}

/// What every environment is merged with and validated against.
struct Shared<'a> {
    project: &'a Project,
    after: After<'a>,
    /// Every file read so far, for a rendered file's header.
    sources: &'a Sources,
    values: Option<&'a Document>,
    values_rel: &'a str,
    /// Left alone by the chart schema's validation (see [`load`]).
    values_secrets: &'a BTreeSet<String>,
    injected: &'a [Injected],
    defaults: &'a chart::Defaults,
    chart_schema: Option<&'a Schema<'a>>,
    env_schema: Option<&'a Schema<'a>>,
}

/// Fewer environments than this are merged on this thread: starting another costs more.
const PARALLEL_ENVIRONMENTS: usize = 4;

/// `work` on every item, in item order; the items split into one run of neighbours per core.
fn each_in_order<T: Send, R: Send>(items: Vec<T>, work: impl Fn(T) -> R + Sync) -> Vec<R> {
    let threads = if items.len() < PARALLEL_ENVIRONMENTS { 1 } else { crate::threads::count().min(items.len()) };
    if threads < 2 {
        return items.into_iter().map(work).collect();
    }
    let per = items.len().div_ceil(threads);
    let mut runs: Vec<Vec<T>> = Vec::new();
    let mut items = items.into_iter().peekable();
    while items.peek().is_some() {
        runs.push(items.by_ref().take(per).collect());
    }
    let mut runs = runs.into_iter();
    let first = runs.next().unwrap_or_default();
    let work = &work;
    std::thread::scope(|scope| {
        // A thread the system refuses is no failure: its run is done here.
        let others: Vec<_> = runs
            .map(|run| {
                let (send, receive) = std::sync::mpsc::channel();
                let spawned = std::thread::Builder::new().spawn_scoped(scope, move || {
                    let run: Vec<T> = receive.recv().unwrap_or_default();
                    run.into_iter().map(work).collect::<Vec<R>>()
                });
                match spawned {
                    Ok(handle) => {
                        let _ = send.send(run);
                        Ok(handle)
                    }
                    Err(_) => Err(run),
                }
            })
            .collect();
        let mut out: Vec<R> = first.into_iter().map(work).collect();
        for other in others {
            match other {
                // A panic there (a bug) panics here, as it would have on one thread.
                Ok(handle) => out.extend(handle.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))),
                Err(run) => out.extend(run.into_iter().map(work)),
            }
        }
        out
    })
}

/// One environment: its settings validated, values.yaml with its overrides merged in and the
/// declared values injected, over the chart's defaults, validated against the chart's schema;
/// with what was found on the way.
fn environment(parsed: Parsed<'_>, shared: &Shared<'_>) -> (EnvDoc, Sink) {
    let Parsed { rel, name, id, doc } = parsed;
    let mut sink = Sink::new();
    let Some((mut doc, credentials)) = doc else {
        // Broken, but still this environment: it blocks only itself, and `render --env`
        // reports its errors rather than "unknown environment".
        let env = EnvDoc {
            name,
            file: id,
            doc: None,
            env: None,
            merged: None,
            effective: None,
            credentials: Vec::new(),
            checked: Vec::new(),
            rendered_file: None,
        };
        return (env, sink);
    };
    let chart_schema = shared.chart_schema;
    settle(&mut doc, chart_schema.map(|s| s.value), "/overrides", Some(&name), &mut sink);
    let mut skip: BTreeSet<String> = credentials.iter().map(|(p, _)| p.clone()).collect();
    overlay_keys(&doc, shared.values, &mut skip, &mut sink);
    // An allocatable amount that is no quantity is H007's to report, which says more than
    // the schema's pattern would.
    for resource in ["cpu", "memory"] {
        let pointer = format!("/cluster/allocatable/{resource}");
        let text = doc.value.pointer(&pointer).and_then(Value::as_str);
        if text.is_some_and(|t| crate::model::quantity::quantity(t).is_none()) {
            skip.insert(pointer);
        }
    }
    let typed = match shared.env_schema {
        Some(schema) => validate(&doc, schema, rel, &skip, &mut sink),
        None => true,
    };
    let env = typed.then(|| serde_json::from_value(doc.value.clone()).ok()).flatten();
    let merged = shared.values.map(|values| {
        let mut merged = merge(values, &doc);
        for (path, value, span) in shared.injected {
            inject(&mut merged, path, value.clone(), *span);
        }
        merged
    });
    let defaults = shared.defaults;
    let mut effective = merged.as_ref().and_then(|m| defaults.doc.as_ref().map(|d| overlay(d, m)));
    if let (Some(checked), Some(schema)) = (effective.as_ref().or(merged.as_ref()), chart_schema) {
        let mut quiet = shared.values_secrets.clone();
        quiet.extend(skip.iter().filter_map(|p| p.strip_prefix("/overrides").map(str::to_string)));
        let mut found = Sink::new();
        validate(checked, schema, shared.values_rel, &quiet, &mut found);
        sink.extend(found.into_iter().map(|mut d| {
            d.environments = vec![name.clone()];
            d
        }));
    }
    if let Some(doc) = &mut effective {
        let disabled = defaults.disabled(doc);
        chart::prune(doc, &disabled, &defaults.switches);
    }
    (
        EnvDoc {
            name,
            file: id,
            doc: Some(doc),
            env,
            merged,
            effective,
            credentials,
            checked: Vec::new(),
            rendered_file: None,
        },
        sink,
    )
}

/// The environment, checked now and its merged values dropped when `shared` says so: on twenty
/// environments of a large values.yaml, the copies held until every check had run were a
/// third of `check`'s memory, each page of it touched for the first time (a fault) while
/// copying. Freed here, on the thread that merges the next environment, the memory is reused.
fn checked((env, sink): (EnvDoc, Sink), shared: &Shared<'_>) -> (Option<EnvDoc>, Sink) {
    let (ruleset, ruleset_header) = match shared.after {
        After::Kept => return (Some(env), sink),
        After::Checked(ruleset) => (ruleset, None),
        After::Rendered(ruleset, header) => (ruleset, Some(header)),
    };
    let mut alone = Deploy { environments: vec![env], ..Deploy::default() };
    let found = check::run_per_document(&Context { ruleset, project: shared.project, deploy: &alone, base: None });
    let mut env = alone.environments.pop();
    if let Some(env) = &mut env {
        env.checked = found;
        if let (Some(ruleset), Some(merged)) = (ruleset_header, &env.merged) {
            let values_file = shared.values.and_then(|v| v.file);
            env.rendered_file = Some(rendered_file(&env.name, env.file, values_file, merged, ruleset, shared.sources));
        }
        env.merged = None;
        env.effective = None;
    }
    (env, sink)
}

/// Environment `name`'s values file as `build` writes it: a header naming its sources (the
/// environment file `file` and values.yaml) and the ruleset, then the values.
pub fn rendered_file(
    name: &str,
    file: FileId,
    values_file: Option<FileId>,
    merged: &Document,
    ruleset: Option<(&str, &str)>,
    sources: &Sources,
) -> String {
    let sources = values_file
        .into_iter()
        .chain([file])
        .map(|id| sources.get(id))
        .filter_map(|f| Some((f.path.as_str(), f.sha256()?)))
        .collect();
    crate::emit::values::render(&merged.value, &crate::emit::values::Header { environment: name, sources, ruleset })
}

/// Settles the plain scalars YAML 1.1 (Helm) and YAML 1.2 read differently: where the chart's
/// schema allows one type at the value's place (`values` under `prefix`) and exactly one
/// reading has it, the value becomes that reading (and renders in a form every reader agrees
/// on); every other one is an error (Y005), belonging to `env` when the file is an
/// environment's. Keys are always errors: no schema says how a key is spelled.
fn settle(doc: &mut Document, schema: Option<&Value>, prefix: &str, env: Option<&str>, sink: &mut Sink) {
    let mut reported: BTreeSet<(u32, u32)> = BTreeSet::new();
    for a in std::mem::take(&mut doc.ambiguous) {
        let settled = match (&a.reading, &a.pointer, schema) {
            (Reading11::Value(d), Some(pointer), Some(schema)) => pointer
                .strip_prefix(prefix)
                .filter(|p| p.is_empty() || p.starts_with('/'))
                .and_then(|p| schema_type::types_at(schema, p))
                .and_then(|types| {
                    let fits: Vec<_> = [&d.helm, &d.yaml11, &d.core]
                        .into_iter()
                        .filter(|r| types.iter().any(|t| r.has_type(t)))
                        .collect();
                    let first = *fits.first()?;
                    fits.iter().all(|r| r.same(first)).then(|| first.value(&a.text)).flatten()
                }),
            _ => None,
        };
        match (settled, &a.pointer) {
            (Some(value), Some(pointer)) => {
                if let Some(slot) = doc.value.pointer_mut(pointer) {
                    *slot = value;
                }
            }
            _ => {
                // An alias copies its anchor's scalars: one diagnostic where the text is.
                if reported.insert((a.span.start, a.span.end)) {
                    let mut d = a.diagnostic();
                    d.environments = env.map(|e| vec![e.to_string()]).unwrap_or_default();
                    sink.push(d);
                }
            }
        }
    }
}

/// Parses a YAML file and masks its literal credentials (see [`masked`]); the parser's
/// diagnostics reach `sink` only when they say nothing of a credential.
fn parse_masked(
    id: FileId,
    limits: &Limits,
    sources: &mut Sources,
    sink: &mut Sink,
) -> Option<(Document, Vec<(String, &'static str)>)> {
    let mut parsed = Sink::new();
    let doc = yaml::parse(id, &sources.get(id).text, limits, &mut parsed);
    match doc {
        Some(doc) => Some(masked(id, doc, sources, parsed, sink)),
        None => {
            sink.extend(parsed);
            None
        }
    }
}

/// Overwrites every literal credential in the file's text with stars, character for
/// character (see [`Sources::mask`]), so nothing downstream can print the value while every
/// span, the credential's own included, stays where the file has it; the document holds
/// `"*****"` in its place. Returns the document and the credentials found.
///
/// `parsed` are the diagnostics of reading the file; those inside a credential (which could
/// quote it) are dropped, and so are its YAML 1.1 ambiguities: the credential is an error
/// of its own.
fn masked(
    id: FileId,
    mut doc: Document,
    sources: &mut Sources,
    parsed: Sink,
    sink: &mut Sink,
) -> (Document, Vec<(String, &'static str)>) {
    let found = credentials::find(&doc.value);
    // And the credentials among entries a duplicate key replaced: not in the value, but still
    // in the text every snippet shows.
    let shadowed: Vec<Span> = doc
        .shadowed
        .iter()
        .flat_map(|one| credentials::find(&one.value).into_iter().map(|(p, _)| one.span(&p)))
        .collect();
    if found.is_empty() && shadowed.is_empty() {
        sink.extend(parsed);
        return (doc, found);
    }
    let text = sources.get(id).text.clone();
    let spans: Vec<Span> = found
        .iter()
        .map(|(p, _)| doc.span(p))
        .chain(shadowed)
        .map(|span| {
            let r = quoted(&text, span.range());
            // A block scalar's span runs on over its final line break: not part of the value.
            let kept = text.get(r.clone()).map_or(0, |t| t.trim_end().len());
            Span::new(span.file, r.start..r.start + kept)
        })
        .collect();
    for span in &spans {
        sources.mask(*span);
    }
    for (pointer, _) in &found {
        if let Some(v) = doc.value.pointer_mut(pointer) {
            *v = Value::String("*****".into());
        }
    }
    let inside = |at: Span| spans.iter().any(|s| s.file == at.file && s.start <= at.start && at.end <= s.end);
    doc.ambiguous.retain(|a| !inside(a.span));
    sink.extend(parsed.into_iter().filter(|d| !inside(d.primary.span)));
    (doc, found)
}

/// A scalar's range widened to its quotes, when it is written quoted.
fn quoted(text: &str, range: std::ops::Range<usize>) -> std::ops::Range<usize> {
    let before = range.start.checked_sub(1).and_then(|i| text.get(i..range.start));
    let after = text.get(range.end..range.end + 1);
    match (before, after) {
        (Some(q @ ("\"" | "'")), Some(a)) if a == q => range.start - 1..range.end + 1,
        _ => range,
    }
}

/// An environment file written as a plain Helm overlay (`gameServer:` at its top, as for
/// `helm -f`): each top-level key that is a key of values.yaml gets one diagnostic that says to
/// move it under `overrides:`, rather than "unknown key" with a list of the two keys an
/// environment file has. Those keys are then left out of the schema check (`skip`).
fn overlay_keys(doc: &Document, values: Option<&Document>, skip: &mut BTreeSet<String>, sink: &mut Sink) {
    let (Some(top), Some(values)) = (doc.value.as_object(), values.and_then(|v| v.value.as_object())) else { return };
    for key in top.keys().filter(|k| !matches!(k.as_str(), "cluster" | "overrides") && values.contains_key(*k)) {
        let pointer = format!("/{}", yaml::escape(key));
        sink.push(
            Diagnostic::new(&SCHEMA, doc.key_span(&pointer), format!("`{key}` is a values key, not an environment setting"))
                .label("belongs under `overrides:`")
                .help(format!(
                    "an environment file holds the values it changes under `overrides:`: indent `{key}:` one level under an `overrides:` key"
                )),
        );
        skip.insert(pointer);
    }
}
