//! `rulesctl check`: load → parse → model → check, writing nothing.

use std::collections::BTreeSet;

use crate::check::rules::version_not_bumped::Base;
use crate::check::{self, Context};
use crate::diagnostic::code::Class;
use crate::diagnostic::{Diagnostic, Severity, Sink};
use crate::emit::artifact::{ruleset_value, Compiled};
use crate::emit::schema;
use crate::model::deploy::{is_env_name, merge, validate, Deploy, EnvDoc, ENV_NAME, VALUES_MISSING};
use crate::model::project::Project;
use crate::model::ruleset::Ruleset;
use crate::parse::yaml;
use crate::report;
use crate::source::root::PROJECT_FILE;
use crate::source::rules::{load, EMPTY_FILE, NO_RULES};
use crate::source::{Sources, Span, Tree};

/// Everything a run learned about the repository.
pub struct Analysis {
    pub sources: Sources,
    pub project: Project,
    pub ruleset: Ruleset,
    pub deploy: Deploy,
    pub diagnostics: Vec<Diagnostic>,
    /// How many files were read (the summary's "checked N files").
    pub files: usize,
}

impl Analysis {
    pub fn errors(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.severity == Severity::Error).count()
    }

    /// 2 when some input could not be read, 1 when it is invalid (or has warnings and
    /// `deny_warnings`), else 0.
    pub fn exit_code(&self, deny_warnings: bool) -> u8 {
        if self.diagnostics.iter().any(|d| d.code.class == Class::Unreadable) {
            2
        } else if self.errors() > 0 || (deny_warnings && !self.diagnostics.is_empty()) {
            1
        } else {
            0
        }
    }
}

/// Loads and checks the repository in `tree`.
pub fn analyze(tree: &dyn Tree) -> Analysis {
    analyze_with(tree, None)
}

/// Like [`analyze`], also judging the version bump against `base` (the rules at `--base REV`).
pub fn analyze_against(tree: &dyn Tree, base_tree: &dyn Tree, label: &str) -> Analysis {
    let old = analyze(base_tree);
    let compiled = if old.errors() == 0 { ruleset_value(&old.ruleset).map(Compiled::new) } else { None };
    let version = old.ruleset.versions.first().cloned();
    // The base's version line, carried over so a diagnostic can show it as `REV:path`.
    let carried = version.map(|version| {
        let file = old.sources.get(version.span.file);
        Carried { path: format!("{label}:{}", file.path), text: file.text.clone(), version }
    });
    let base = Base { label: label.to_string(), compiled, version: None };
    analyze_with(tree, Some((base, carried)))
}

/// The base revision's `ruleset_version` and the file it is in, to be shown as `REV:path`.
struct Carried {
    path: String,
    text: String,
    version: crate::model::Spanned<String>,
}

fn analyze_with(tree: &dyn Tree, base: Option<(Base, Option<Carried>)>) -> Analysis {
    let mut sources = Sources::default();
    let mut sink = Sink::new();
    let mut files = 0;

    let project = if tree.exists(PROJECT_FILE) {
        files += 1;
        let (id, ok) = load(&mut sources, &mut sink, tree, PROJECT_FILE, crate::model::project::DEFAULT_MAX_FILE_BYTES);
        let entries = if ok { crate::parse::hcl(id, &sources.get(id).text, &mut sink) } else { None };
        match entries {
            Some(entries) => Project::from_entries(id, &entries, &mut sink),
            None => Project { file: Some(id), ..Project::default() },
        }
    } else {
        Project::default()
    };

    let mut ruleset = Ruleset::default();
    let paths: Vec<String> = project.rules.iter().map(|p| p.value.clone()).collect();
    match tree.collect(&paths, ".hcl") {
        Ok(rule_files) if rule_files.is_empty() => no_rules(&mut sources, &mut sink, &project, None),
        Ok(rule_files) => {
            for rel in rule_files {
                files += 1;
                let (id, ok) = load(&mut sources, &mut sink, tree, &rel, project.max_file_bytes);
                if !ok {
                    ruleset.partial = true;
                    continue;
                }
                let text = &sources.get(id).text;
                if text.trim().is_empty() {
                    sink.push(
                        Diagnostic::new(&EMPTY_FILE, Span::file(id), format!("`{rel}` is empty"))
                            .help("add rules to it, or delete it"),
                    );
                    continue;
                }
                match crate::parse::hcl(id, text, &mut sink) {
                    Some(entries) => ruleset.add_file(id, &entries, &mut sink),
                    None => ruleset.partial = true,
                }
            }
        }
        Err(missing) => {
            for path in missing {
                no_rules(&mut sources, &mut sink, &project, Some(&path));
            }
        }
    }

    let deploy = load_deploy(tree, &project, &mut sources, &mut sink, &mut files);
    if ruleset.files.is_empty() {
        // Without a single readable rule file, checks that need the whole ruleset stay quiet.
        ruleset.partial = true;
    }
    let base = base.map(|(mut base, carried)| {
        if let Some(Carried { path, text, version }) = carried {
            let id = sources.add(path, text);
            base.version = Some(crate::model::Spanned::new(version.value, Span { file: id, ..version.span }));
        }
        base
    });
    check::run(&Context { ruleset: &ruleset, project: &project, deploy: &deploy, base: base.as_ref() }, &mut sink);
    report::sort(&mut sink, &sources);
    Analysis { sources, project, ruleset, deploy, diagnostics: sink, files }
}

/// Loads values.yaml and every environment, merging each environment's overrides. Both are
/// optional for a rules-only repository; environments without values are an error.
fn load_deploy(
    tree: &dyn Tree,
    project: &Project,
    sources: &mut Sources,
    sink: &mut Sink,
    files: &mut usize,
) -> Deploy {
    let env_root = project.environments.value.trim_end_matches('/').to_string();
    let env_files = tree.collect(std::slice::from_ref(&env_root), ".yaml").unwrap_or_default();
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
    let Some((validators, schemas)) = schema::validators().map(|v| (v, (schema::values(), schema::environment())))
    else {
        return Deploy::default();
    };
    let mut deploy = Deploy::default();
    *files += 1;
    let (id, ok) = load(sources, sink, tree, &values_rel, project.max_file_bytes);
    if ok {
        deploy.values = yaml::parse(id, &sources.get(id).text, sink);
    }
    if let Some(values) = &deploy.values {
        let secrets = credential_pointers(&values.value);
        for pointer in &secrets {
            sources.mask(values.span(pointer));
        }
        validate(values, &validators.0, &schemas.0, &values_rel, &secrets, sink);
    }
    for rel in env_files {
        *files += 1;
        let (id, ok) = load(sources, sink, tree, &rel, project.max_file_bytes);
        let name = rel.strip_prefix(&format!("{env_root}/")).unwrap_or(&rel).trim_end_matches(".yaml").to_string();
        if !is_env_name(&name) {
            sink.push(
                Diagnostic::new(&ENV_NAME, Span::file(id), format!("`{name}` is not a valid environment name"))
                    .help("name environment files with lower-case letters, digits and `-`, directly in the environments folder"),
            );
            continue;
        }
        let Some(doc) = ok.then(|| yaml::parse(id, &sources.get(id).text, sink)).flatten() else { continue };
        let skip: BTreeSet<String> = credential_pointers(&doc.value);
        for pointer in &skip {
            sources.mask(doc.span(pointer));
        }
        let env = validate(&doc, &validators.1, &schemas.1, &rel, &skip, sink)
            .then(|| serde_json::from_value(doc.value.clone()).ok())
            .flatten();
        let merged = deploy.values.as_ref().map(|values| {
            let merged = merge(values, &doc);
            let over: BTreeSet<String> =
                skip.iter().filter_map(|p| p.strip_prefix("/overrides").map(str::to_string)).collect();
            let mut quiet = credential_pointers(&merged.value);
            quiet.extend(over);
            validate(
                &merged,
                &validators.0,
                &schemas.0,
                &format!("environment `{name}` merged over values"),
                &quiet,
                sink,
            );
            merged
        });
        deploy.environments.push(EnvDoc { name, file: id, doc, env, merged });
    }
    deploy
}

fn credential_pointers(value: &serde_json::Value) -> BTreeSet<String> {
    check::find_credentials(value).into_iter().map(|(p, _)| p).collect()
}

/// Reports a missing or empty rules folder at its setting in `rulesctl.hcl`, or at the folder.
fn no_rules(sources: &mut Sources, sink: &mut Sink, project: &Project, missing: Option<&str>) {
    let configured = project.rules.iter().find(|p| missing.is_none_or(|m| p.value.trim_end_matches('/') == m));
    let span = match configured.and_then(|p| p.span) {
        Some(span) => span,
        None => {
            let folder = missing
                .map_or_else(|| project.rules.first().map_or("rules".to_string(), |p| p.value.clone()), str::to_string);
            Span::file(sources.add(folder, String::new()))
        }
    };
    let message = match missing {
        Some(path) => format!("the rules path `{path}` does not exist"),
        None => "no rule files (*.hcl) were found".to_string(),
    };
    sink.push(Diagnostic::new(&NO_RULES, span, message).help(
        "create a `rules/` folder with at least one *.hcl file, or set `paths { rules = \"...\" }` in rulesctl.hcl",
    ));
}
