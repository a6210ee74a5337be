//! Loading the project file and the rule files into the typed model.

use crate::diagnostic::{Diagnostic, Sink};
use crate::model::project::{Project, DEFAULT_MAX_FILE_BYTES};
use crate::model::ruleset::Ruleset;
use crate::source::root::PROJECT_FILE;
use crate::source::rules::{load, EMPTY_FILE, NO_RULES};
use crate::source::{Sources, Span, Tree};

/// `rulesctl.hcl`, or the defaults when there is none. A broken one still yields a project (with
/// defaults) so the rest of the repository is checked.
pub fn project(tree: &dyn Tree, sources: &mut Sources, sink: &mut Sink, files: &mut usize) -> Project {
    if !tree.exists(PROJECT_FILE) {
        return Project::default();
    }
    *files += 1;
    let (id, ok) = load(sources, sink, tree, PROJECT_FILE, DEFAULT_MAX_FILE_BYTES);
    let entries = if ok { crate::parse::hcl(id, &sources.get(id).text, sink) } else { None };
    match entries {
        Some(entries) => Project::from_entries(id, &entries, sink),
        None => Project { file: Some(id), ..Project::default() },
    }
}

/// Every rule file under the project's rules paths, decoded into one ruleset.
pub fn ruleset(
    tree: &dyn Tree,
    project: &Project,
    sources: &mut Sources,
    sink: &mut Sink,
    files: &mut usize,
) -> Ruleset {
    let mut ruleset = Ruleset::default();
    let paths: Vec<String> = project.rules.iter().map(|p| p.value.clone()).collect();
    match tree.collect(&paths, ".hcl") {
        Ok(rule_files) if rule_files.is_empty() => no_rules(sources, sink, project, None),
        Ok(rule_files) => {
            for rel in rule_files {
                *files += 1;
                let (id, ok) = load(sources, sink, tree, &rel, project.max_file_bytes);
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
                match crate::parse::hcl(id, text, sink) {
                    Some(entries) => ruleset.add_file(id, &entries, sink),
                    None => ruleset.partial = true,
                }
            }
        }
        Err(missing) => {
            for path in missing {
                no_rules(sources, sink, project, Some(&path));
            }
        }
    }
    if ruleset.files.is_empty() {
        // Without a single readable rule file, checks that need the whole ruleset stay quiet.
        ruleset.partial = true;
    }
    ruleset
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
