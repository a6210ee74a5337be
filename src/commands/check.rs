//! `rulesctl check`: load → parse → model → check, writing nothing.

use crate::check::{self, Context};
use crate::diagnostic::code::Class;
use crate::diagnostic::{Diagnostic, Severity, Sink};
use crate::model::project::Project;
use crate::model::ruleset::Ruleset;
use crate::report;
use crate::source::root::PROJECT_FILE;
use crate::source::rules::{load, EMPTY_FILE, NO_RULES};
use crate::source::{Sources, Span, Tree};

/// Everything a run learned about the repository.
pub struct Analysis {
    pub sources: Sources,
    pub project: Project,
    pub ruleset: Ruleset,
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

    if !ruleset.files.is_empty() || ruleset.partial {
        check::run(&Context { ruleset: &ruleset, project: &project }, &mut sink);
    } else {
        // Without a single readable rule file only the project file can be checked.
        let empty = Ruleset { partial: true, ..Ruleset::default() };
        check::run(&Context { ruleset: &empty, project: &project }, &mut sink);
    }
    report::sort(&mut sink, &sources);
    Analysis { sources, project, ruleset, diagnostics: sink, files }
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
