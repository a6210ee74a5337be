//! Loading values.yaml and the environments: parse with spans, mask literal credentials, merge
//! each environment's overrides, and validate against the schemas.

use std::collections::BTreeSet;

use crate::check;
use crate::diagnostic::{Diagnostic, Sink};
use crate::emit::schema;
use crate::model::deploy::{is_env_name, merge, validate, Deploy, EnvDoc, ENV_NAME, VALUES_MISSING};
use crate::model::project::Project;
use crate::parse::yaml;
use crate::source::rules::load as read;
use crate::source::{Sources, Span, Tree};

/// Loads values.yaml and every environment, merging each environment's overrides. Both are
/// optional for a rules-only repository; environments without values are an error.
pub fn load(tree: &dyn Tree, project: &Project, sources: &mut Sources, sink: &mut Sink, files: &mut usize) -> Deploy {
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
    let (id, ok) = read(sources, sink, tree, &values_rel, project.max_file_bytes);
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
        let (id, ok) = read(sources, sink, tree, &rel, project.max_file_bytes);
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
